/*
 * keep_temp.c: an LD_PRELOAD shim for t_dedup.sh.  renameat() and
 * unlinkat() of a temporary name (".hlink.*") fail with EPERM, as in a
 * directory made append-only after hlink looked at it: the temporary
 * name can neither replace its name nor be removed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

static int
is_temp(const char *name)
{
	return strncmp(name, ".hlink.", 7) == 0;
}

int
renameat(int olddirfd, const char *old, int newdirfd, const char *new)
{
	int	(*real)(int, const char *, int, const char *);

	if (is_temp(old)) {
		errno = EPERM;
		return -1;
	}
	real = (int (*)(int, const char *, int, const char *))
	    dlsym(RTLD_NEXT, "renameat");
	return real(olddirfd, old, newdirfd, new);
}

int
unlinkat(int dirfd, const char *name, int flags)
{
	int	(*real)(int, const char *, int);

	if (is_temp(name)) {
		errno = EPERM;
		return -1;
	}
	real = (int (*)(int, const char *, int))dlsym(RTLD_NEXT, "unlinkat");
	return real(dirfd, name, flags);
}
