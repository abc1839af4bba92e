/*
 * slow_copy.c: an LD_PRELOAD shim for the integration tests.
 *
 * With HLINK_SHIM_SLEEP_MS=N in the environment, every copy_file_range()
 * and pwrite() moves at most 64 KiB and first sleeps N milliseconds, so
 * that a copy of a few MiB lasts long enough for the progress line to
 * show it, whatever the machine's speed.  A short copy or write is what
 * the kernel may always answer: the copy engine goes on from where it
 * stopped.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define STEP	((size_t)64 << 10)

static size_t
slowly(size_t len)
{
	const char	*ms = getenv("HLINK_SHIM_SLEEP_MS");
	struct timespec	 ts;
	long		 n;

	if (ms != NULL && (n = atol(ms)) > 0) {
		ts.tv_sec = n / 1000;
		ts.tv_nsec = (n % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return len < STEP ? len : STEP;
}

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t len,
    unsigned int flags)
{
	ssize_t	(*real)(int, off_t *, int, off_t *, size_t, unsigned int);

	real = (ssize_t (*)(int, off_t *, int, off_t *, size_t, unsigned int))
	    dlsym(RTLD_NEXT, "copy_file_range");
	return real(in, inoff, out, outoff, slowly(len), flags);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off_t);

	real = (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite");
	return real(fd, buf, slowly(len), off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off64_t);

	real = (ssize_t (*)(int, const void *, size_t, off64_t))
	    dlsym(RTLD_NEXT, "pwrite64");
	return real(fd, buf, slowly(len), off);
}
