/*
 * hold_stat.c: an LD_PRELOAD shim for t_dedup.sh.  Once hlink has made
 * its first rename, the $HOLD_COUNT-th look (fstatat) at a name equal to
 * $HOLD_NAME creates $HOLD_DIR/held and waits, before looking, until a
 * line is written to the FIFO $HOLD_DIR/go: the test changes the file
 * between hlink's own link and its next look at that file.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	renamed, looks;

static void
hold(const char *path)
{
	const char	*dir = getenv("HOLD_DIR"), *name = getenv("HOLD_NAME"),
			*count = getenv("HOLD_COUNT");
	char		 p[4096], c;
	int		 fd;

	if (!renamed || dir == NULL || name == NULL || count == NULL ||
	    strcmp(path, name) != 0 || ++looks != atoi(count))
		return;
	snprintf(p, sizeof(p), "%s/held", dir);
	if ((fd = open(p, O_WRONLY | O_CREAT, 0644)) >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/go", dir);
	if ((fd = open(p, O_RDONLY)) >= 0) {
		while (read(fd, &c, 1) == 1 && c != '\n')
			;
		close(fd);
	}
}

int
renameat(int olddirfd, const char *old, int newdirfd, const char *new)
{
	int	(*real)(int, const char *, int, const char *);

	real = (int (*)(int, const char *, int, const char *))
	    dlsym(RTLD_NEXT, "renameat");
	renamed = 1;
	return real(olddirfd, old, newdirfd, new);
}

int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int	(*real)(int, const char *, struct stat *, int);

	hold(path);
	real = (int (*)(int, const char *, struct stat *, int))
	    dlsym(RTLD_NEXT, "fstatat");
	return real(dirfd, path, st, flags);
}

int
fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	int	(*real)(int, const char *, struct stat64 *, int);

	hold(path);
	real = (int (*)(int, const char *, struct stat64 *, int))
	    dlsym(RTLD_NEXT, "fstatat64");
	return real(dirfd, path, st, flags);
}
