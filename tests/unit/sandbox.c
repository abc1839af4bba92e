/*
 * sandbox.c: see sandbox.h.
 */
#define _GNU_SOURCE	/* nftw() */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

int
sandbox_make(struct sandbox *sb)
{
	snprintf(sb->dir, sizeof(sb->dir), "/tmp/hlink-unit.XXXXXX");
	/* 0755: tests that run as nobody must reach what is inside. */
	if (mkdtemp(sb->dir) == NULL || chmod(sb->dir, 0755) < 0)
		return -1;
	sb->dirfd = open(sb->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return sb->dirfd < 0 ? -1 : 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int
sandbox_remove(struct sandbox *sb)
{
	close(sb->dirfd);
	return nftw(sb->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct stat
sandbox_stat(int dirfd, const char *name)
{
	struct stat	st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st;
}

bool
sandbox_exists(int dirfd, const char *name)
{
	struct stat	st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool
sandbox_same_file(int dirfd, const char *a, const char *b)
{
	struct stat	sa = sandbox_stat(dirfd, a), sb = sandbox_stat(dirfd, b);

	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool
sandbox_same_bytes(int dirfd, const char *a, const char *b)
{
	static char	ba[65536], bb[65536];
	int		fa = openat(dirfd, a, O_RDONLY), fb = openat(dirfd, b,
			    O_RDONLY);
	ssize_t		na, nb;
	bool		same = true;

	assert_true(fa >= 0 && fb >= 0);
	do {
		na = read(fa, ba, sizeof(ba));
		nb = read(fb, bb, sizeof(bb));
		if (na < 0 || nb < 0)
			fail_msg("cannot read '%s' or '%s': %s", a, b,
			    strerror(errno));
		if (na != nb || (na > 0 && memcmp(ba, bb, (size_t)na) != 0))
			same = false;
	} while (same && na > 0);
	close(fa);
	close(fb);
	return same;
}

void
sandbox_assert_no_temp(int dirfd)
{
	int		 fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY);
	DIR		*d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent	*e;
	int		 entries = 0;

	if (d == NULL)
		fail_msg("cannot open the directory: %s", strerror(errno));
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		entries++;
		if (strncmp(e->d_name, ".hlink.", 7) == 0)
			fail_msg("temporary name '%s' left", e->d_name);
		errno = 0;
	}
	if (errno != 0)
		fail_msg("cannot read the directory: %s", strerror(errno));
	closedir(d);
	/* "." and "..", at least: else the scan saw nothing */
	assert_true(entries >= 2);
}
