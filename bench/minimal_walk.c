/*
 * The floor for "hlink --list FILE ROOT" when the whole tree is read: the
 * getdents64 walk and nothing else.  Reads ROOT with raw getdents64 into a
 * 32 KiB buffer per level (what glibc's readdir uses on ext4 and tmpfs),
 * enters each d_type == DT_DIR entry by openat() on the directory's fd
 * (O_NOFOLLOW, as hlink), depth first, and closes it after.  No stat, no
 * path strings, no device check; DT_UNKNOWN entries are not entered (the
 * bench trees are on filesystems that fill d_type).  Prints the number of
 * entries seen (without "." and ".."), once, so that a run can be checked.
 *
 * Depth is bounded by the fd limit (one fd per level); the bench tree is
 * four levels deep.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BUFSZ		32768
#define MAX_DEPTH	512

struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

static char		*bufs[MAX_DEPTH];
static unsigned long	 entries;

static void
walk(int fd, int depth)
{
	struct linux_dirent64	*d;
	char			*buf;
	long			 n, off;
	int			 sub;

	if (depth >= MAX_DEPTH)
		return;
	if (bufs[depth] == NULL && (bufs[depth] = malloc(BUFSZ)) == NULL)
		return;
	buf = bufs[depth];
	while ((n = syscall(SYS_getdents64, fd, buf, BUFSZ)) > 0) {
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(buf + off);
			if (d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
			    (d->d_name[1] == '.' && d->d_name[2] == '\0')))
				continue;
			entries++;
			if (d->d_type != DT_DIR)
				continue;
			sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				walk(sub, depth + 1);
				close(sub);
			}
		}
	}
}

int
main(int argc, char **argv)
{
	int	fd;

	if (argc != 2) {
		fprintf(stderr, "usage: minimal_walk ROOT\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	walk(fd, 0);
	close(fd);
	printf("%lu\n", entries);
	return 0;
}
