/*
 * sandbox.c: see sandbox.h.
 */
#define _GNU_SOURCE	/* nftw() */

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
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
