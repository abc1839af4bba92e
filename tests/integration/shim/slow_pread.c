/*
 * slow_pread.c: an LD_PRELOAD shim for the integration tests.
 *
 * With HLINK_SHIM_SLEEP_MS=N in the environment, every pread() (pread64
 * with _FILE_OFFSET_BITS=64) first sleeps N milliseconds, so that
 * comparing two files takes long enough for the progress line to show
 * the comparison under way, whatever the machine's speed.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void
slow(void)
{
	const char	*ms = getenv("HLINK_SHIM_SLEEP_MS");
	struct timespec	 ts;
	long		 n;

	if (ms != NULL && (n = atol(ms)) > 0) {
		ts.tv_sec = n / 1000;
		ts.tv_nsec = (n % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

ssize_t
pread64(int fd, void *buf, size_t n, off_t off)
{
	ssize_t	(*real)(int, void *, size_t, off_t);

	real = (ssize_t (*)(int, void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pread64");
	slow();
	return real(fd, buf, n, off);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t	(*real)(int, void *, size_t, off_t);

	real = (ssize_t (*)(int, void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pread");
	slow();
	return real(fd, buf, n, off);
}
