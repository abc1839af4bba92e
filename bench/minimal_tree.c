/*
 * The floor for "hlink -r SRC DST": only the system calls the job needs.
 * A recursive walk through directory fds: for each source directory,
 * fdopendir() and readdir(); mkdirat(dst, name, 0700) and openat() of
 * both sides for each subdirectory; linkat(src, name, dst, name, 0) for
 * every other entry (a symlink is linked as itself); once a directory's
 * entries are all there, fchmod() and futimens() its replica from the
 * source's fstat().  No owner (fchown), no checks, no messages beyond a
 * count of failed calls, no bound on fds or depth (one fd pair per
 * level; the bench tree is three levels deep).  DT_UNKNOWN is resolved
 * with fstatat(), as the bench filesystems fill d_type it costs nothing.
 *
 *     minimal_tree [-t 2] SRC DST
 *
 * With -t 2, the top-level subdirectories are split between two threads
 * (even and odd positions in readdir order), each doing the same walk;
 * the top-level files are linked by the first.  DST must not exist.
 * Prints the number of entries made ("made N, failed M") so that a run
 * can be checked.
 */
#define _GNU_SOURCE

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct counts {
	unsigned long	made;
	unsigned long	failed;
};

static int
is_dir(int dirfd, const struct dirent *d)
{
	struct stat	st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

static int
skip_name(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

/* Mode and times of the source directory on its replica. */
static void
finish(int srcfd, int dstfd, struct counts *c)
{
	struct stat	st;
	struct timespec	t[2];

	if (fstat(srcfd, &st) < 0) {
		c->failed++;
		return;
	}
	t[0] = st.st_atim;
	t[1] = st.st_mtim;
	if (fchmod(dstfd, st.st_mode & 07777) < 0 || futimens(dstfd, t) < 0)
		c->failed++;
}

static void walk(int srcfd, int dstfd, struct counts *c);

/* Makes the replica of subdirectory name, fills it, finishes it. */
static void
descend(int srcfd, int dstfd, const char *name, struct counts *c)
{
	int	s, d;

	if (mkdirat(dstfd, name, 0700) < 0) {
		c->failed++;
		return;
	}
	c->made++;
	s = openat(srcfd, name, DIR_FLAGS);
	d = openat(dstfd, name, DIR_FLAGS);
	if (s < 0 || d < 0) {
		c->failed++;
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
		return;
	}
	walk(s, d, c);		/* closes s */
	close(d);
}

/* Replicates the entries of srcfd into dstfd; closes srcfd. */
static void
walk(int srcfd, int dstfd, struct counts *c)
{
	DIR		*dir = fdopendir(srcfd);
	struct dirent	*e;

	if (dir == NULL) {
		c->failed++;
		close(srcfd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (skip_name(e->d_name))
			continue;
		if (is_dir(srcfd, e))
			descend(srcfd, dstfd, e->d_name, c);
		else if (linkat(srcfd, e->d_name, dstfd, e->d_name, 0) == 0)
			c->made++;
		else
			c->failed++;
	}
	finish(srcfd, dstfd, c);
	closedir(dir);
}

/* -t 2: the top level, read once; the threads share its names. */
struct top {
	int		 srcfd;
	int		 dstfd;
	char		**dirs;
	size_t		 ndirs;
};

struct worker {
	struct top	*top;
	size_t		 first;		/* 0 or 1: even or odd positions */
	struct counts	 c;
};

static void *
worker(void *arg)
{
	struct worker	*w = arg;
	size_t		 i;

	for (i = w->first; i < w->top->ndirs; i += 2)
		descend(w->top->srcfd, w->top->dstfd, w->top->dirs[i], &w->c);
	return NULL;
}

static int
two_threads(int srcfd, int dstfd, struct counts *c)
{
	struct top	 top = { srcfd, dstfd, NULL, 0 };
	struct worker	 w[2];
	pthread_t	 th;
	DIR		*dir = fdopendir(dup(srcfd));
	struct dirent	*e;
	size_t		 cap = 0;

	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		if (skip_name(e->d_name))
			continue;
		if (!is_dir(srcfd, e)) {
			if (linkat(srcfd, e->d_name, dstfd, e->d_name, 0) == 0)
				c->made++;
			else
				c->failed++;
			continue;
		}
		if (top.ndirs == cap) {
			cap = cap ? 2 * cap : 64;
			top.dirs = realloc(top.dirs, cap * sizeof(*top.dirs));
			if (top.dirs == NULL)
				return -1;
		}
		if ((top.dirs[top.ndirs++] = strdup(e->d_name)) == NULL)
			return -1;
	}
	closedir(dir);
	memset(w, 0, sizeof(w));
	w[0].top = w[1].top = &top;
	w[1].first = 1;
	if (pthread_create(&th, NULL, worker, &w[1]) != 0)
		return -1;
	worker(&w[0]);
	pthread_join(th, NULL);
	c->made += w[0].c.made + w[1].c.made;
	c->failed += w[0].c.failed + w[1].c.failed;
	finish(srcfd, dstfd, c);
	while (top.ndirs > 0)
		free(top.dirs[--top.ndirs]);
	free(top.dirs);
	return 0;
}

int
main(int argc, char **argv)
{
	struct counts	c = { 0, 0 };
	int		threads = 1, srcfd, dstfd;

	if (argc == 5 && strcmp(argv[1], "-t") == 0) {
		threads = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || (threads != 1 && threads != 2)) {
		fprintf(stderr, "usage: minimal_tree [-t 2] SRC DST\n");
		return 2;
	}
	srcfd = open(argv[1], DIR_FLAGS);
	if (srcfd < 0 || mkdir(argv[2], 0700) < 0 ||
	    (dstfd = open(argv[2], DIR_FLAGS)) < 0) {
		perror("minimal_tree");
		return 1;
	}
	c.made++;
	if (threads == 2) {
		if (two_threads(srcfd, dstfd, &c) < 0) {
			perror("minimal_tree");
			return 1;
		}
		close(srcfd);
	} else
		walk(srcfd, dstfd, &c);		/* closes srcfd */
	close(dstfd);
	printf("made %lu, failed %lu\n", c.made, c.failed);
	return c.failed > 0;
}
