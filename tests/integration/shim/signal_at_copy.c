/*
 * signal_at_copy.c: an LD_PRELOAD shim for the integration tests.
 *
 * With HLINK_SHIM_SIGNAL=N in the environment, the HLINK_SHIM_AT-th call
 * (default 2) of copy_file_range() or pwrite() first raises signal N in
 * the calling thread: midway through a copy, once a chunk is written to
 * the temporary and before the copy is whole.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static int	calls;

static void
maybe_raise(void)
{
	const char	*sig = getenv("HLINK_SHIM_SIGNAL");
	const char	*at = getenv("HLINK_SHIM_AT");

	if (sig != NULL &&
	    __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) ==
	    (at != NULL ? atoi(at) : 2))
		raise(atoi(sig));
}

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t len,
    unsigned int flags)
{
	ssize_t	(*real)(int, off_t *, int, off_t *, size_t, unsigned int);

	real = (ssize_t (*)(int, off_t *, int, off_t *, size_t,
	    unsigned int))dlsym(RTLD_NEXT, "copy_file_range");
	maybe_raise();
	return real(in, inoff, out, outoff, len, flags);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off_t);

	real = (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite");
	maybe_raise();
	return real(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t	(*real)(int, const void *, size_t, off_t);

	real = (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite64");
	maybe_raise();
	return real(fd, buf, n, off);
}
