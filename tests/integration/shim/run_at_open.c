/*
 * run_at_open.c: an LD_PRELOAD shim for the integration tests.
 *
 * The first openat() or mkdirat() of a path whose last name is
 * $HLINK_SHIM_AT runs the shell command $HLINK_SHIM_RUN, and waits for
 * it, before the real call: the test changes the tree at the moment
 * hlink reaches that name.  A
 * command that fails aborts hlink, so that the test sees it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int	done;

static void
maybe_run(const char *path)
{
	const char	*at = getenv("HLINK_SHIM_AT");
	const char	*run = getenv("HLINK_SHIM_RUN");

	const char	*last = strrchr(path, '/');

	if (at == NULL || run == NULL ||
	    strcmp(last != NULL ? last + 1 : path, at) != 0 ||
	    __atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
		return;
	if (system(run) != 0) {
		fprintf(stderr, "run_at_open: '%s' failed\n", run);
		abort();
	}
}

static int
real_openat(const char *sym, int dirfd, const char *path, int flags,
    mode_t mode)
{
	int	(*real)(int, const char *, int, ...);

	real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, sym);
	maybe_run(path);
	return real(dirfd, path, flags, mode);
}

/* openat() and openat64(): the mode is there only with these flags. */
#define OPENAT_SHIM(sym)						\
int									\
sym(int dirfd, const char *path, int flags, ...)			\
{									\
	va_list	ap;							\
	mode_t	mode = 0;						\
									\
	if (flags & (O_CREAT | O_TMPFILE)) {				\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	return real_openat(#sym, dirfd, path, flags, mode);		\
}

OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	int	(*real)(int, const char *, mode_t);

	real = (int (*)(int, const char *, mode_t))dlsym(RTLD_NEXT, "mkdirat");
	maybe_run(path);
	return real(dirfd, path, mode);
}
