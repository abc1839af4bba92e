/*
 * wrap.c: one wrapper per syscall the core makes, each with the exact
 * prototype of its libc header.  See wrap.h.
 */
#define _GNU_SOURCE	/* struct stat64, for fstatat64's prototype */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "wrap.h"

struct wrap_arms	wrap_armed;
struct wrap_counts	wrap_calls;
void			(*wrap_copy_hook)(int);
long			wrap_fstatfs_type;

int	__real_linkat(int, const char *, int, const char *, int);
int	__real_renameat(int, const char *, int, const char *);
int	__real_unlinkat(int, const char *, int);
int	__real_symlinkat(const char *, int, const char *);
int	__real_fstatat(int, const char *restrict, struct stat *restrict, int);
int	__real_fstatat64(int, const char *restrict, struct stat64 *restrict,
	    int);
int	__real_openat(int, const char *, int, ...);
int	__real_openat64(int, const char *, int, ...);
int	__real_fstatfs(int, struct statfs *);
int	__real_fstatfs64(int, struct statfs64 *);
uid_t	__real_geteuid(void);
ssize_t	__real_copy_file_range(int, off_t *, int, off_t *, size_t,
	    unsigned int);
ssize_t	__real_pwrite(int, const void *, size_t, off_t);
ssize_t	__real_pwrite64(int, const void *, size_t, off64_t);
int	__real_access(const char *, int);

int	__wrap_linkat(int, const char *, int, const char *, int);
int	__wrap_renameat(int, const char *, int, const char *);
int	__wrap_unlinkat(int, const char *, int);
int	__wrap_symlinkat(const char *, int, const char *);
int	__wrap_fstatat(int, const char *restrict, struct stat *restrict, int);
int	__wrap_fstatat64(int, const char *restrict, struct stat64 *restrict,
	    int);
int	__wrap_openat(int, const char *, int, ...);
int	__wrap_openat64(int, const char *, int, ...);
int	__wrap_fstatfs(int, struct statfs *);
int	__wrap_fstatfs64(int, struct statfs64 *);
uid_t	__wrap_geteuid(void);
ssize_t	__wrap_copy_file_range(int, off_t *, int, off_t *, size_t,
	    unsigned int);
ssize_t	__wrap_pwrite(int, const void *, size_t, off_t);
ssize_t	__wrap_pwrite64(int, const void *, size_t, off64_t);
int	__wrap_access(const char *, int);

void
wrap_reset(void)
{
	struct wrap_arms	none = { 0 };
	struct wrap_counts	zero = { 0 };

	wrap_armed = none;
	wrap_calls = zero;
	wrap_copy_hook = NULL;
	wrap_fstatfs_type = 0;
}

/*
 * The value will_return() queued for a call by its libc name, so that
 * fstatat and fstatat64 (openat, openat64) share one queue.
 */
static int
queued(const char *name)
{
	return (int)_mock(name, __FILE__, __LINE__);
}

/* Armed: the queued errno, or 0 to pass through. */
static int
injected(bool armed, const char *name)
{
	int	err;

	if (!armed || (err = queued(name)) == 0)
		return 0;
	errno = err;
	return -1;
}

int
__wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath, int flags)
{
	if (injected(wrap_armed.linkat, "linkat") < 0)
		return -1;
	wrap_calls.linkat++;
	return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

int
__wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath)
{
	if (injected(wrap_armed.renameat, "renameat") < 0)
		return -1;
	wrap_calls.renameat++;
	return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

int
__wrap_unlinkat(int dirfd, const char *path, int flags)
{
	if (injected(wrap_armed.unlinkat, "unlinkat") < 0)
		return -1;
	wrap_calls.unlinkat++;
	return __real_unlinkat(dirfd, path, flags);
}

int
__wrap_symlinkat(const char *target, int dirfd, const char *path)
{
	if (injected(wrap_armed.symlinkat, "symlinkat") < 0)
		return -1;
	wrap_calls.symlinkat++;
	return __real_symlinkat(target, dirfd, path);
}

int
__wrap_fstatat(int dirfd, const char *restrict path, struct stat *restrict st,
    int flags)
{
	if (injected(wrap_armed.fstatat, "fstatat") < 0)
		return -1;
	return __real_fstatat(dirfd, path, st, flags);
}

int
__wrap_fstatat64(int dirfd, const char *restrict path,
    struct stat64 *restrict st, int flags)
{
	if (injected(wrap_armed.fstatat, "fstatat") < 0)
		return -1;
	return __real_fstatat64(dirfd, path, st, flags);
}

static mode_t
mode_argument(int flags, va_list ap)
{
	if (flags & O_CREAT)
		return va_arg(ap, mode_t);
	return 0;
}

int
__wrap_openat(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = mode_argument(flags, ap);
	va_end(ap);
	if (injected(wrap_armed.openat, "openat") < 0)
		return -1;
	return __real_openat(dirfd, path, flags, mode);
}

int
__wrap_openat64(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = mode_argument(flags, ap);
	va_end(ap);
	if (injected(wrap_armed.openat, "openat") < 0)
		return -1;
	return __real_openat64(dirfd, path, flags, mode);
}

uid_t
__wrap_geteuid(void)
{
	if (wrap_armed.geteuid)
		return (uid_t)queued("geteuid");
	return __real_geteuid();
}

int
__wrap_fstatfs(int fd, struct statfs *sf)
{
	int	rc;

	if (injected(wrap_armed.fstatfs, "fstatfs") < 0)
		return -1;
	rc = __real_fstatfs(fd, sf);
	if (rc == 0 && wrap_fstatfs_type != 0)
		sf->f_type = wrap_fstatfs_type;
	return rc;
}

int
__wrap_fstatfs64(int fd, struct statfs64 *sf)
{
	int	rc;

	if (injected(wrap_armed.fstatfs, "fstatfs") < 0)
		return -1;
	rc = __real_fstatfs64(fd, sf);
	if (rc == 0 && wrap_fstatfs_type != 0)
		sf->f_type = wrap_fstatfs_type;
	return rc;
}

ssize_t
__wrap_copy_file_range(int infd, off_t *inoff, int outfd, off_t *outoff,
    size_t len, unsigned int flags)
{
	if (injected(wrap_armed.copy_file_range, "copy_file_range") < 0)
		return -1;
	if (wrap_copy_hook != NULL)
		wrap_copy_hook(wrap_calls.copy_file_range + wrap_calls.pwrite);
	wrap_calls.copy_file_range++;
	return __real_copy_file_range(infd, inoff, outfd, outoff, len, flags);
}

ssize_t
__wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (injected(wrap_armed.pwrite, "pwrite") < 0)
		return -1;
	if (wrap_copy_hook != NULL)
		wrap_copy_hook(wrap_calls.copy_file_range + wrap_calls.pwrite);
	wrap_calls.pwrite++;
	return __real_pwrite(fd, buf, n, off);
}

ssize_t
__wrap_pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (injected(wrap_armed.pwrite, "pwrite") < 0)
		return -1;
	if (wrap_copy_hook != NULL)
		wrap_copy_hook(wrap_calls.copy_file_range + wrap_calls.pwrite);
	wrap_calls.pwrite++;
	return __real_pwrite64(fd, buf, n, off);
}

int
__wrap_access(const char *path, int mode)
{
	if (injected(wrap_armed.access, "access") < 0)
		return -1;
	return __real_access(path, mode);
}
