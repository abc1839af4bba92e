/*
 * test_copy.c: hl_clone_or_copy() and hl_dedupe_range() on a real
 * temporary directory (/tmp: a filesystem without reflink here), with
 * copy_file_range() and pwrite() made to fail through wrap.c.  The clone
 * cases that need Btrfs or XFS are in test_copyfs.c.
 */
#define _GNU_SOURCE	/* seteuid(), statfs() */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardlink.h"
#include "copy.h"
#include "sys.h"
#include "sandbox.h"
#include "wrap.h"

#define NOBODY		65534
#define BTRFS_MAGIC	0x9123683e
#define XFS_MAGIC	0x58465342

static struct sandbox	*box;	/* for the copy hook */

/* Writes size bytes of a pattern that differs at every offset and seed. */
static void
make_file(int dirfd, const char *name, off_t size, unsigned seed)
{
	static char	buf[65536];
	off_t		off;
	size_t		i, n;
	int		fd;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (off = 0; off < size; off += (off_t)n) {
		n = size - off < (off_t)sizeof(buf) ? (size_t)(size - off) :
		    sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (char)((off + (off_t)i) * 31 + seed +
			    (off + (off_t)i) / 4099);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
	}
	close(fd);
}

static int
setup(void **state)
{
	static struct sandbox	f;

	wrap_reset();
	if (sandbox_make(&f) < 0)
		return -1;
	box = &f;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct sandbox	*f = *state;

	wrap_reset();
	if (getuid() == 0 && seteuid(0) < 0)
		return -1;
	return sandbox_remove(f);
}

static struct hl_copy_request
request(const struct sandbox *f, const char *src, const char *dst, int flags)
{
	struct hl_copy_request	req = { .srcdirfd = f->dirfd, .src = src,
				    .dstdirfd = f->dirfd, .dst = dst,
				    .flags = flags };

	return req;
}

/* The next copy goes through read/write, as in a POSIX-only build. */
static void
no_copy_file_range(void)
{
#ifndef HL_POSIX_ONLY
	wrap_armed.copy_file_range = true;
	will_fail(copy_file_range, ENOSYS);
#endif
}

static void
set_times(int dirfd, const char *name)
{
	struct timespec	times[2] = { { 1000000000, 123456789 },
			    { 1200000000, 987654321 } };

	assert_int_equal(utimensat(dirfd, name, times, 0), 0);
}

static void
test_copy__same_bytes_mode_times(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	struct stat		 sa, sb;

	make_file(f->dirfd, "a", 100000, 1);
	assert_int_equal(fchmodat(f->dirfd, "a", 0751, 0), 0);
	set_times(f->dirfd, "a");
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(res.cause, HL_COPY_NONE);
	assert_false(res.replaced);
	assert_int_equal(res.bytes, 100000);
	/* Before reading b: relatime would move an atime older than mtime. */
	sa = sandbox_stat(f->dirfd, "a");
	sb = sandbox_stat(f->dirfd, "b");
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	assert_int_not_equal(sa.st_ino, sb.st_ino);
	assert_int_equal(sb.st_mode, sa.st_mode);
	assert_int_equal(sb.st_mtim.tv_sec, 1200000000);
	assert_int_equal(sb.st_mtim.tv_nsec, 987654321);
	assert_int_equal(sb.st_atim.tv_sec, 1000000000);
	assert_int_equal(sb.st_atim.tv_nsec, 123456789);
	sandbox_assert_no_temp(f->dirfd);
}

/* 64 MiB with two 4 KiB data blocks: the copy must stay as small. */
static void
test_copy__keeps_holes_of_a_sparse_file(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	char			 block[4096];
	struct stat		 sb;
	int			 fd;

	memset(block, 'x', sizeof(block));
	fd = openat(f->dirfd, "a", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, block, 4096, 8 << 20), 4096);
	assert_int_equal(pwrite(fd, block, 4096, 40 << 20), 4096);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	sb = sandbox_stat(f->dirfd, "b");
	assert_int_equal(sb.st_size, 64 << 20);
	/* 512-byte units: 16 for the data, some for metadata; not 131072. */
	assert_true(sb.st_blocks <= 64);
#ifndef HL_POSIX_ONLY
	/* Without SEEK_DATA the holes are read (and counted) as zeros. */
	assert_int_equal(res.bytes, 8192);
#endif
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

/*
 * Zeros written into a sparse SRC's data: the read/write copy leaves them
 * holes, as cp does, which is also how holes survive without SEEK_HOLE.
 */
static void
test_copy__zero_blocks_of_a_sparse_src_stay_holes(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	static char		 zeros[1 << 20];
	struct stat		 sa, sb;
	int			 fd, i;

	fd = openat(f->dirfd, "a", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(write(fd, zeros, sizeof(zeros)),
		    (ssize_t)sizeof(zeros));
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(ftruncate(fd, 16 << 20), 0);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	no_copy_file_range();
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	sa = sandbox_stat(f->dirfd, "a");
	sb = sandbox_stat(f->dirfd, "b");
	assert_true(sa.st_blocks >= 8192);
	assert_true(sb.st_blocks <= 64);
	assert_int_equal(sb.st_size, 16 << 20);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

static void
test_copy__empty_file(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 0, 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(sandbox_stat(f->dirfd, "b").st_size, 0);
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__one_byte(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 1, 7);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(sandbox_stat(f->dirfd, "b").st_size, 1);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

static void
count_bytes(void *arg, uint64_t n)
{
	*(uint64_t *)arg += n;
}

static void
test_copy__larger_than_one_chunk(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	uint64_t		 seen = 0;
	struct hl_progress	 p = { .fn = count_bytes, .arg = &seen };
	off_t			 size = 2 * (off_t)HL_COPY_CHUNK + 12345;

	make_file(f->dirfd, "a", size, 3);
	req.progress = &p;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
#ifndef HL_POSIX_ONLY
	assert_true(wrap_calls.copy_file_range >= 3);
#endif
	assert_int_equal(seen, size);
	assert_int_equal(res.bytes, size);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

static void
test_copy__read_write_without_copy_file_range(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 3 * 1048576 + 17, 5);
	no_copy_file_range();
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	/* Once refused, never asked again for this file. */
	assert_int_equal(wrap_calls.copy_file_range, 0);
	assert_true(wrap_calls.pwrite >= 4);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

/*
 * copy_file_range() shares blocks where the filesystem clones (Btrfs,
 * XFS...): a copy, which must have blocks of its own, is then made by
 * read/write, as cp --reflink=never does.  fstatfs() is made to say so.
 */
static void
copy_on_a_cloning_type(struct sandbox *f, long type)
{
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 3 * 1048576 + 5, 8);
	wrap_fstatfs_type = type;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(wrap_calls.copy_file_range, 0);
	assert_true(wrap_calls.pwrite >= 4);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

static void
test_copy__no_copy_file_range_on_btrfs(void **state)
{
	copy_on_a_cloning_type(*state, BTRFS_MAGIC);
}

static void
test_copy__no_copy_file_range_on_xfs(void **state)
{
	copy_on_a_cloning_type(*state, XFS_MAGIC);
}

/* Nor where the type is unknown (fstatfs() fails). */
static void
test_copy__no_copy_file_range_on_an_unknown_filesystem(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

#ifdef HL_POSIX_ONLY
	printf("SKIP test_copy__no_copy_file_range_on_an_unknown_filesystem: "
	    "a POSIX-only build has no copy_file_range() to leave out\n");
	skip();
#endif
	make_file(f->dirfd, "a", 2 * 1048576, 9);
	wrap_armed.fstatfs = true;
	will_fail(fstatfs, ENOSYS);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(wrap_calls.copy_file_range, 0);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

/*
 * On ext4 (the sandbox's /tmp) copy_file_range() copies, for a large
 * file; a file of one buffer is one pread() and one pwrite().
 */
static void
test_copy__copy_file_range_where_it_copies(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	if (!hl_range_copies(f->dirfd)) {
		printf("SKIP test_copy__copy_file_range_where_it_copies: "
		    "the sandbox's filesystem is not one known to copy\n");
		skip();
	}
	make_file(f->dirfd, "a", 1048576, 10);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(wrap_calls.copy_file_range, 0);
	assert_int_equal(wrap_calls.pwrite, 1);
	req.dst = "c";
	make_file(f->dirfd, "a", 2 * 1048576, 11);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_true(wrap_calls.copy_file_range >= 1);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "c"));
}

/*
 * Any refusal before copy_file_range() moved a byte passes to
 * read/write: EPERM from a seccomp filter, EINVAL from mqueue.
 */
static void
test_copy__copy_file_range_refused_at_once_passes_to_read_write(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

#ifdef HL_POSIX_ONLY
	printf("SKIP %s: POSIX-only build\n", __func__);
	skip();
#endif
	make_file(f->dirfd, "a", 3 * 1048576, 12);
	wrap_fstatfs_type = 0xef53;	/* ext4, wherever the sandbox is */
	wrap_armed.copy_file_range = true;
	will_fail(copy_file_range, EPERM);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_true(wrap_calls.pwrite >= 3);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

/* A failed write is said as the write's, not as the copy's. */
static void
test_copy__failed_write_is_the_write_step(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 5000, 13);
	wrap_armed.pwrite = true;
	will_fail(pwrite, EINVAL);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_ERRNO);
	assert_int_equal(res.step, HL_STEP_WRITE);
	assert_int_equal(res.err, EINVAL);
	assert_false(sandbox_exists(f->dirfd, "b"));
	sandbox_assert_no_temp(f->dirfd);
}

/* Mid-copy: no name of the copy is in DST's directory yet. */
static void
no_name_yet(int calls)
{
	(void)calls;
	sandbox_assert_no_temp(box->dirfd);
}

/*
 * Where the filesystem makes unnamed files (O_TMPFILE) the copy is one
 * until it is whole: no temporary name, then one linkat() into place;
 * -f still replaces through a temporary name renamed over DST.
 */
static void
test_copy__unnamed_until_whole(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	int			 fd;

#ifdef HL_POSIX_ONLY
	skip();		/* (no O_TMPFILE: the temporary name below) */
#endif
	if ((fd = hl_open_unnamed(f->dirfd)) < 0)
		skip();	/* this filesystem makes no unnamed files */
	close(fd);
	make_file(f->dirfd, "a", 70000, 3);
	wrap_copy_hook = no_name_yet;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_true(wrap_calls.copy_file_range + wrap_calls.pwrite > 0);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	make_file(f->dirfd, "a", 900, 4);
	req.flags |= HL_FORCE;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_true(res.replaced);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	wrap_copy_hook = NULL;
	sandbox_assert_no_temp(f->dirfd);
}

/* A filesystem without unnamed files gets a temporary name instead. */
static void
test_copy__temporary_name_without_unnamed_files(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 5000, 6);
#ifndef HL_POSIX_ONLY
	wrap_armed.openat = true;
	will_pass(openat);			/* SRC */
	will_fail(openat, EOPNOTSUPP);		/* O_TMPFILE */
	will_pass(openat);			/* the temporary name */
#endif
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	wrap_armed.openat = false;
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * Before Linux 6.10 only CAP_DAC_READ_SEARCH links an unnamed file by its
 * fd; others go through /proc/self/fd.  Where /proc is missing the copy
 * takes a temporary name from the start, rather than fail once copied.
 */
static void
test_copy__temporary_name_without_proc(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 5000, 7);
#ifndef HL_POSIX_ONLY
	wrap_armed.access = true;
	will_fail(access, ENOENT);		/* /proc/self/fd */
	/* Nothing queued: a link of the unnamed file fails the test. */
	wrap_armed.linkat = true;
#endif
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	wrap_reset();
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__existing_dst_without_force_is_eexist(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	struct stat		 before;

	make_file(f->dirfd, "a", 5000, 1);
	make_file(f->dirfd, "b", 300, 2);
	make_file(f->dirfd, "b.orig", 300, 2);
	before = sandbox_stat(f->dirfd, "b");
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_EXISTS);
	assert_int_equal(res.step, HL_STEP_PLACE);
	assert_int_equal(res.err, EEXIST);
	assert_int_equal(res.made, HL_MADE_NOTHING);
	assert_int_equal(sandbox_stat(f->dirfd, "b").st_ino, before.st_ino);
	assert_true(sandbox_same_bytes(f->dirfd, "b", "b.orig"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__force_replaces(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b",
				    HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;
	struct stat		 before;

	make_file(f->dirfd, "a", 5000, 1);
	make_file(f->dirfd, "b", 300, 2);
	before = sandbox_stat(f->dirfd, "b");
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_true(res.replaced);
	assert_int_not_equal(sandbox_stat(f->dirfd, "b").st_ino, before.st_ino);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__force_over_a_directory_fails_cleanly(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "d",
				    HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 10, 1);
	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_DST_IS_DIR);
	assert_int_equal(res.step, HL_STEP_PLACE);
	assert_int_equal(res.err, EISDIR);
	assert_false(hl_copy_passes(res.cause));
	/* Refused before copying: nothing was written. */
	assert_int_equal(wrap_calls.pwrite, 0);
	assert_int_equal(wrap_calls.copy_file_range, 0);
	assert_true(S_ISDIR(sandbox_stat(f->dirfd, "d").st_mode));
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * EACCES in DST's directory says which permission is missing there, as a
 * link's failure does.
 */
static void
copy_into_a_denied_dir(struct sandbox *f, mode_t mode,
    enum hl_copy_cause cause)
{
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	int			 rc;

	if (geteuid() != 0) {
		printf("SKIP copy_into_a_denied_dir: not root\n");
		skip();
	}
	make_file(f->dirfd, "a", 10, 1);
	assert_int_equal(mkdirat(f->dirfd, "r", 0755), 0);
	assert_int_equal(fchmodat(f->dirfd, "r", mode, 0), 0);
	req.dstdirfd = openat(f->dirfd, "r", O_RDONLY | O_DIRECTORY);
	assert_true(req.dstdirfd >= 0);
	assert_int_equal(seteuid(NOBODY), 0);
	rc = hl_clone_or_copy(&req, &res);
	assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(res.cause, cause);
	assert_int_equal(res.step, HL_STEP_CREATE_TEMP);
	assert_int_equal(res.err, EACCES);
	assert_false(hl_copy_passes(res.cause));
	sandbox_assert_no_temp(req.dstdirfd);
	close(req.dstdirfd);
}

static void
test_copy__no_write_permission_in_dst_dir(void **state)
{
	copy_into_a_denied_dir(*state, 0755, HL_COPY_NO_WRITE);
}

/*
 * What a reader of DST sees while -f replaces it: the old file whole or
 * the new one whole, never a missing or partial DST.  Exits 0 when every
 * look was one of the two, 1 at a partial one, 2 at a missing DST.
 */
static void
watch_dst(int dirfd, off_t oldsize, off_t newsize)
{
	struct stat	st;
	int		fd;

	while (fstatat(dirfd, "stop", &st, 0) < 0) {
		if ((fd = openat(dirfd, "b", O_RDONLY)) < 0)
			_exit(2);
		/* The copy grows from 0: any other size is a partial DST. */
		if (fstat(fd, &st) < 0 ||
		    (st.st_size != oldsize && st.st_size != newsize))
			_exit(1);
		close(fd);
	}
	_exit(0);
}

static void
test_copy__reader_never_sees_a_partial_dst(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b",
				    HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;
	off_t			 size = 4 * (off_t)HL_COPY_CHUNK;
	pid_t			 pid;
	int			 status, i;

	make_file(f->dirfd, "a", size, 9);
	make_file(f->dirfd, "b", 300, 2);
	if ((pid = fork()) == 0)
		watch_dst(f->dirfd, 300, size);
	assert_true(pid > 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	make_file(f->dirfd, "stop", 0, 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

/* Appends to SRC after the first chunk went: a writer mid-copy. */
static void
append_to_src(int calls)
{
	int	fd;

	if (calls != 1)
		return;
	fd = openat(box->dirfd, "a", O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "more", 4), 4);
	close(fd);
}

static void
test_copy__src_changed_during_copy_is_discarded(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b",
				    HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 2 * (off_t)HL_COPY_CHUNK + 1, 1);
	make_file(f->dirfd, "b", 300, 2);
	make_file(f->dirfd, "b.orig", 300, 2);
	wrap_copy_hook = append_to_src;
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_true(wrap_calls.copy_file_range + wrap_calls.pwrite >= 2);
	assert_int_equal(res.cause, HL_COPY_CHANGED);
	assert_int_equal(res.step, HL_STEP_COPY);
	assert_int_equal(res.made, HL_MADE_NOTHING);
	assert_true(sandbox_same_bytes(f->dirfd, "b", "b.orig"));
	sandbox_assert_no_temp(f->dirfd);
}

/* A shrinking SRC: the copy ends early and must be discarded too. */
static void
truncate_src(int calls)
{
	if (calls == 1) {
		int	fd = openat(box->dirfd, "a", O_WRONLY | O_TRUNC);

		assert_true(fd >= 0);
		close(fd);
	}
}

static void
test_copy__src_shrunk_during_copy_is_discarded(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 2 * (off_t)HL_COPY_CHUNK + 1, 1);
	wrap_copy_hook = truncate_src;
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_CHANGED);
	assert_false(sandbox_exists(f->dirfd, "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__enospc_in_copy_file_range(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b",
				    HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;

#ifdef HL_POSIX_ONLY
	printf("SKIP test_copy__enospc_in_copy_file_range: POSIX-only build\n");
	skip();
#endif
	make_file(f->dirfd, "a", 2 * (off_t)HL_COPY_CHUNK + 1, 1);
	make_file(f->dirfd, "b", 300, 2);
	make_file(f->dirfd, "b.orig", 300, 2);
	wrap_armed.copy_file_range = true;
	will_pass(copy_file_range);
	will_fail(copy_file_range, ENOSPC);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_ERRNO);
	assert_int_equal(res.err, ENOSPC);
	assert_int_equal(res.step, HL_STEP_COPY);
	assert_true(sandbox_same_bytes(f->dirfd, "b", "b.orig"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__enospc_in_write(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(f->dirfd, "a", 3 * 1048576, 1);
#ifndef HL_POSIX_ONLY
	wrap_armed.copy_file_range = true;
	will_fail(copy_file_range, EXDEV);
#endif
	wrap_armed.pwrite = true;
	will_pass(pwrite);
	will_fail(pwrite, EDQUOT);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.err, EDQUOT);
	assert_int_equal(res.step, HL_STEP_WRITE);
	assert_false(sandbox_exists(f->dirfd, "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static bool
sandbox_has_reflink(const struct sandbox *f)
{
	struct statfs	sf;

	assert_int_equal(fstatfs(f->dirfd, &sf), 0);
	return sf.f_type == BTRFS_MAGIC || sf.f_type == XFS_MAGIC;
}

static void
test_copy__clone_without_reflink_does_not_apply(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_CLONE);
	struct hl_copy_result	 res;
	enum hl_copy_cause	 no_clone = hl_can_clone() ?
				    HL_COPY_CLONE_NO_FS : HL_COPY_CLONE_NOT_BUILT;

	if (sandbox_has_reflink(f)) {
		printf("SKIP test_copy__clone_without_reflink_does_not_apply:"
		    " /tmp has reflink\n");
		skip();
	}
	make_file(f->dirfd, "a", 5000, 1);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, no_clone);
	assert_int_equal(res.step, HL_STEP_CLONE);
	assert_true(hl_copy_passes(res.cause));
	assert_false(sandbox_exists(f->dirfd, "b"));
	sandbox_assert_no_temp(f->dirfd);
	/* clone,copy: the copy is made, and says why it is no clone. */
	req.flags |= HL_COPY_DATA;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(res.cause, HL_COPY_NONE);
	assert_int_equal(res.clone_cause, no_clone);
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
}

static void
test_copy__clone_across_filesystems_does_not_apply(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_CLONE);
	struct hl_copy_result	 res;
	struct stat		 shm;
	char			 dir[] = "/dev/shm/hlink-unit.XXXXXX";

	if (stat("/dev/shm", &shm) < 0 ||
	    shm.st_dev == sandbox_stat(f->dirfd, ".").st_dev) {
		printf("SKIP test_copy__clone_across_filesystems_does_not_apply:"
		    " no /dev/shm on another filesystem\n");
		skip();
	}
	make_file(f->dirfd, "a", 5000, 1);
	assert_non_null(mkdtemp(dir));
	req.dstdirfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(req.dstdirfd >= 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, hl_can_clone() ? HL_COPY_CLONE_XDEV :
	    HL_COPY_CLONE_NOT_BUILT);
	sandbox_assert_no_temp(req.dstdirfd);
	req.flags |= HL_COPY_DATA;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(sandbox_stat(req.dstdirfd, "b").st_size, 5000);
	assert_int_equal(unlinkat(req.dstdirfd, "b", 0), 0);
	close(req.dstdirfd);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_copy__not_regular_does_not_apply(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "d", "b",
				    HL_COPY_CLONE | HL_COPY_DATA);
	struct hl_copy_result	 res;

	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_NOT_REGULAR);
	assert_true(hl_copy_passes(res.cause));
	make_file(f->dirfd, "a", 10, 1);
	assert_int_equal(symlinkat("a", f->dirfd, "l"), 0);
	req.src = "l";
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_NOT_REGULAR);
	req.flags |= HL_FOLLOW;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_true(S_ISREG(sandbox_stat(f->dirfd, "b").st_mode));
	assert_true(sandbox_same_bytes(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_copy__missing_src(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "nope", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_ERRNO);
	assert_int_equal(res.err, ENOENT);
	assert_int_equal(res.step, HL_STEP_OPEN_SRC);
}

/* As root the owner is kept with the set-ID bits. */
static void
test_copy__owner_and_setid_kept_as_root(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	struct stat		 sb;

	if (geteuid() != 0) {
		printf("SKIP test_copy__owner_and_setid_kept_as_root: "
		    "not root\n");
		skip();
	}
	make_file(f->dirfd, "a", 10, 1);
	assert_int_equal(fchownat(f->dirfd, "a", NOBODY, NOBODY, 0), 0);
	assert_int_equal(fchmodat(f->dirfd, "a", 06755, 0), 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	sb = sandbox_stat(f->dirfd, "b");
	assert_int_equal(sb.st_uid, NOBODY);
	assert_int_equal(sb.st_gid, NOBODY);
	assert_int_equal(sb.st_mode & 07777, 06755);
}

/* As cp -p: a refused chown is no failure, but drops the set-ID bits. */
static void
test_copy__setid_dropped_when_chown_is_refused(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "w/b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	struct stat		 sb;
	int			 rc;

	if (geteuid() != 0) {
		printf("SKIP test_copy__setid_dropped_when_chown_is_refused: "
		    "not root\n");
		skip();
	}
	make_file(f->dirfd, "a", 10, 1);
	assert_int_equal(fchmodat(f->dirfd, "a", 06755, 0), 0);
	assert_int_equal(mkdirat(f->dirfd, "w", 0777), 0);
	assert_int_equal(fchmodat(f->dirfd, "w", 0777, 0), 0);
	req.dstdirfd = openat(f->dirfd, "w", O_RDONLY | O_DIRECTORY);
	req.dst = "b";
	assert_int_equal(seteuid(NOBODY), 0);
	rc = hl_clone_or_copy(&req, &res);
	assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, 0);
	sb = sandbox_stat(req.dstdirfd, "b");
	close(req.dstdirfd);
	assert_int_equal(sb.st_uid, NOBODY);
	assert_int_equal(sb.st_mode & 07777, 0755);
}

/*
 * An ACL as Linux stores it: user::rw-, user:1234:rw-, group::---,
 * mask::rw-, other::r-- (version 2, then tag, permissions, id each).
 */
static size_t
make_acl(unsigned char *buf)
{
	static const unsigned short	entries[][2] = { { 0x01, 6 },
					    { 0x02, 6 }, { 0x04, 0 },
					    { 0x10, 6 }, { 0x20, 4 } };
	unsigned int			v = 2, id;
	size_t				i, n = 4;

	memcpy(buf, &v, 4);
	for (i = 0; i < 5; i++, n += 8) {
		id = entries[i][0] == 0x02 ? 1234 : 0xffffffffu;
		memcpy(buf + n, &entries[i][0], 2);
		memcpy(buf + n + 2, &entries[i][1], 2);
		memcpy(buf + n + 4, &id, 4);
	}
	return n;
}

/* a with an ACL and user.hlink; false when the filesystem takes neither. */
static bool
file_with_acl(int dirfd)
{
	unsigned char	acl[64];
	size_t		n = make_acl(acl);
	int		fd;

	make_file(dirfd, "a", 100, 14);
	fd = openat(dirfd, "a", O_RDONLY);
	assert_true(fd >= 0);
	if (fsetxattr(fd, "system.posix_acl_access", acl, n, 0) < 0 ||
	    fsetxattr(fd, "user.hlink", "v", 1, 0) < 0) {
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static ssize_t
xattr_of(int dirfd, const char *name, const char *attr, char *buf,
    size_t size)
{
	int	fd = openat(dirfd, name, O_RDONLY);
	ssize_t	n;

	assert_true(fd >= 0);
	n = fgetxattr(fd, attr, buf, size);
	close(fd);
	return n;
}

/* A copy keeps SRC's ACL, as cp -p does, and no other attribute. */
static void
test_copy__keeps_the_acl(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	unsigned char		 acl[64];
	char			 got[64];
	size_t			 n = make_acl(acl);

#ifdef HL_POSIX_ONLY
	skip();		/* no extended attributes in POSIX */
#endif
	if (!file_with_acl(f->dirfd)) {
		printf("SKIP %s: no ACLs or user xattrs here\n", __func__);
		skip();
	}
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(xattr_of(f->dirfd, "b", "system.posix_acl_access",
	    got, sizeof(got)), (ssize_t)n);
	assert_memory_equal(got, acl, n);
	assert_int_equal(xattr_of(f->dirfd, "b", "user.hlink", got,
	    sizeof(got)), -1);
	assert_int_equal(sandbox_stat(f->dirfd, "b").st_mode,
	    sandbox_stat(f->dirfd, "a").st_mode);
}

/*
 * HL_COPY_XATTRS (a replica): every attribute, as cp -a; one this user
 * may not set (security.*, for nobody) is left out, as cp -a does.
 */
static void
test_copy__xattrs_of_a_replica(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_request	 req = request(f, "a", "b",
				    HL_COPY_DATA | HL_COPY_XATTRS);
	struct hl_copy_result	 res;
	char			 got[64];
	int			 fd, rc;

#ifdef HL_POSIX_ONLY
	skip();
#endif
	if (geteuid() != 0 || !file_with_acl(f->dirfd)) {
		printf("SKIP %s: not root, or no ACLs or user xattrs\n",
		    __func__);
		skip();
	}
	fd = openat(f->dirfd, "a", O_RDONLY);
	assert_int_equal(fsetxattr(fd, "security.hlink", "s", 1, 0), 0);
	close(fd);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(xattr_of(f->dirfd, "b", "user.hlink", got,
	    sizeof(got)), 1);
	assert_int_equal(xattr_of(f->dirfd, "b", "security.hlink", got,
	    sizeof(got)), 1);
	assert_true(xattr_of(f->dirfd, "b", "system.posix_acl_access", got,
	    sizeof(got)) > 0);
	/* As nobody, into a directory of nobody's: security.* stays out. */
	assert_int_equal(fchmodat(f->dirfd, "a", 0644, 0), 0);
	/* seteuid() keeps root's groups: the file must not be in them. */
	assert_int_equal(fchownat(f->dirfd, "a", 0, 12345, 0), 0);
	assert_int_equal(mkdirat(f->dirfd, "w", 0777), 0);
	assert_int_equal(fchmodat(f->dirfd, "w", 0777, 0), 0);
	req.dstdirfd = openat(f->dirfd, "w", O_RDONLY | O_DIRECTORY);
	assert_int_equal(seteuid(NOBODY), 0);
	rc = hl_clone_or_copy(&req, &res);
	assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(xattr_of(req.dstdirfd, "b", "user.hlink", got,
	    sizeof(got)), 1);
	assert_int_equal(xattr_of(req.dstdirfd, "b", "security.hlink", got,
	    sizeof(got)), -1);
	assert_true(xattr_of(req.dstdirfd, "b", "system.posix_acl_access",
	    got, sizeof(got)) > 0);
	close(req.dstdirfd);
}

static void
test_dedupe__filesystem_cannot(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_result	 res;
	int			 a, b;

	if (sandbox_has_reflink(f)) {
		printf("SKIP test_dedupe__filesystem_cannot: /tmp has reflink\n");
		skip();
	}
	make_file(f->dirfd, "a", 8192, 1);
	make_file(f->dirfd, "b", 8192, 1);
	a = openat(f->dirfd, "a", O_RDONLY);
	b = openat(f->dirfd, "b", O_RDWR);
	assert_int_equal(hl_dedupe_range(a, b, NULL, &res), -1);
	assert_int_equal(res.cause, HL_DEDUPE_NO_FS);
	assert_int_equal(res.bytes, 0);
	close(a);
	close(b);
}

static void
test_dedupe__sizes_differ(void **state)
{
	struct sandbox		*f = *state;
	struct hl_copy_result	 res;
	int			 a, b;

	make_file(f->dirfd, "a", 8192, 1);
	make_file(f->dirfd, "b", 8193, 1);
	a = openat(f->dirfd, "a", O_RDONLY);
	b = openat(f->dirfd, "b", O_RDWR);
	assert_int_equal(hl_dedupe_range(a, b, NULL, &res), -1);
	assert_int_equal(res.cause, HL_DEDUPE_DIFFERS);
	close(a);
	close(b);
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_copy__same_bytes_mode_times),
		T(test_copy__keeps_holes_of_a_sparse_file),
		T(test_copy__zero_blocks_of_a_sparse_src_stay_holes),
		T(test_copy__empty_file),
		T(test_copy__one_byte),
		T(test_copy__larger_than_one_chunk),
		T(test_copy__read_write_without_copy_file_range),
		T(test_copy__no_write_permission_in_dst_dir),
		T(test_copy__keeps_the_acl),
		T(test_copy__xattrs_of_a_replica),
		T(test_copy__no_copy_file_range_on_btrfs),
		T(test_copy__no_copy_file_range_on_xfs),
		T(test_copy__no_copy_file_range_on_an_unknown_filesystem),
		T(test_copy__copy_file_range_where_it_copies),
		T(test_copy__copy_file_range_refused_at_once_passes_to_read_write),
		T(test_copy__failed_write_is_the_write_step),
		T(test_copy__unnamed_until_whole),
		T(test_copy__temporary_name_without_unnamed_files),
		T(test_copy__temporary_name_without_proc),
		T(test_copy__existing_dst_without_force_is_eexist),
		T(test_copy__force_replaces),
		T(test_copy__force_over_a_directory_fails_cleanly),
		T(test_copy__reader_never_sees_a_partial_dst),
		T(test_copy__src_changed_during_copy_is_discarded),
		T(test_copy__src_shrunk_during_copy_is_discarded),
		T(test_copy__enospc_in_copy_file_range),
		T(test_copy__enospc_in_write),
		T(test_copy__clone_without_reflink_does_not_apply),
		T(test_copy__clone_across_filesystems_does_not_apply),
		T(test_copy__not_regular_does_not_apply),
		T(test_copy__missing_src),
		T(test_copy__owner_and_setid_kept_as_root),
		T(test_copy__setid_dropped_when_chown_is_refused),
		T(test_dedupe__filesystem_cannot),
		T(test_dedupe__sizes_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
