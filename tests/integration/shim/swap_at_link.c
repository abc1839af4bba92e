/*
 * swap_at_link.c: an LD_PRELOAD shim for the integration tests.
 *
 * The first linkat() whose source name is $HLINK_SHIM_NAME finds a
 * directory there: the shim renames the entry to $HLINK_SHIM_PARK and
 * the directory $HLINK_SHIM_DIR into its place, makes the real call
 * (EPERM: a directory), and swaps both back before returning, so that
 * what hlink looks at afterwards is what it started with.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	done;

int
linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    int flags)
{
	int		(*real)(int, const char *, int, const char *, int);
	const char	*name = getenv("HLINK_SHIM_NAME");
	const char	*park = getenv("HLINK_SHIM_PARK");
	const char	*dir = getenv("HLINK_SHIM_DIR");
	int		 rc, err;

	real = (int (*)(int, const char *, int, const char *, int))
	    dlsym(RTLD_NEXT, "linkat");
	if (name == NULL || park == NULL || dir == NULL ||
	    strcmp(oldpath, name) != 0 ||
	    __atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
		return real(olddirfd, oldpath, newdirfd, newpath, flags);
	if (renameat(olddirfd, oldpath, AT_FDCWD, park) < 0 ||
	    renameat(AT_FDCWD, dir, olddirfd, oldpath) < 0) {
		perror("swap_at_link: swap in");
		abort();
	}
	rc = real(olddirfd, oldpath, newdirfd, newpath, flags);
	err = errno;
	if (renameat(olddirfd, oldpath, AT_FDCWD, dir) < 0 ||
	    renameat(AT_FDCWD, park, olddirfd, oldpath) < 0) {
		perror("swap_at_link: swap back");
		abort();
	}
	errno = err;
	return rc;
}
