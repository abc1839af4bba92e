/*
 * slow_link.c: an LD_PRELOAD shim for the integration tests.
 *
 * With HLINK_SHIM_SLEEP_MS=N in the environment, every linkat() first
 * sleeps N milliseconds, so that a small tree takes long enough for the
 * progress line to show, whatever the machine's speed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int
linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    int flags)
{
	int		(*real)(int, const char *, int, const char *, int);
	const char	*ms = getenv("HLINK_SHIM_SLEEP_MS");
	struct timespec	 ts;
	long		 n;

	real = (int (*)(int, const char *, int, const char *, int))
	    dlsym(RTLD_NEXT, "linkat");
	if (ms != NULL && (n = atol(ms)) > 0) {
		ts.tv_sec = n / 1000;
		ts.tv_nsec = (n % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
