/*
 * signal_at_rename.c: an LD_PRELOAD shim for the integration tests.
 *
 * With HLINK_SHIM_SIGNAL=N in the environment, the HLINK_SHIM_AT-th call
 * (default 1) of renameat() first raises signal N in the calling thread,
 * so the signal arrives exactly when hlink holds a temporary name that it
 * is about to rename into place.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>

static int	calls;

int
renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	int		(*real)(int, const char *, int, const char *);
	const char	*sig = getenv("HLINK_SHIM_SIGNAL");
	const char	*at = getenv("HLINK_SHIM_AT");

	real = (int (*)(int, const char *, int, const char *))
	    dlsym(RTLD_NEXT, "renameat");
	if (sig != NULL &&
	    __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) ==
	    (at != NULL ? atoi(at) : 1))
		raise(atoi(sig));
	return real(olddirfd, oldpath, newdirfd, newpath);
}
