/*
 * test_copyfs.c: the clone and dedupe cases of copy.c on a filesystem
 * that shares blocks (Btrfs, XFS with reflink=1), named by HL_TEST_DIR.
 * tests/copy/engine_fs.sh makes such filesystems on loop images and runs
 * this there; without HL_TEST_DIR every case is skipped with the reason.
 * Sharing is checked with FIEMAP's shared flag, not inferred.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>

#ifndef __linux__
/* FIEMAP, FICLONE and FIDEDUPERANGE are Linux's. */
int
main(void)
{
	printf("SKIP test_copyfs: not Linux\n");
	return 0;
}
#else

#include <sys/ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardlink.h"
#include "copy.h"
#include "sandbox.h"
#include "wrap.h"

#define EXTENTS	64

struct fsdir {
	char	path[4096];
	int	dirfd;
};

static void
make_file(int dirfd, const char *name, off_t size, unsigned seed)
{
	static char	buf[65536];
	off_t		off;
	size_t		i, n;
	int		fd;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	assert_true(fd >= 0);
	for (off = 0; off < size; off += (off_t)n) {
		n = size - off < (off_t)sizeof(buf) ? (size_t)(size - off) :
		    sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (char)((off + (off_t)i) * 31 + seed +
			    (off + (off_t)i) / 4099);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
	}
	assert_int_equal(fsync(fd), 0);
	close(fd);
}

/* Bytes of name's extents that FIEMAP marks shared, of *total mapped. */
static uint64_t
shared_bytes(int dirfd, const char *name, uint64_t *total)
{
	struct fiemap		*fm;
	uint64_t		 shared = 0, start = 0;
	unsigned		 i;
	bool			 last = false;
	int			 fd = openat(dirfd, name, O_RDONLY);

	assert_true(fd >= 0);
	fm = calloc(1, sizeof(*fm) + EXTENTS * sizeof(struct fiemap_extent));
	assert_non_null(fm);
	*total = 0;
	while (!last) {
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = EXTENTS;
		assert_int_equal(ioctl(fd, FS_IOC_FIEMAP, fm), 0);
		if (fm->fm_mapped_extents == 0)
			break;
		for (i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent	*e = &fm->fm_extents[i];

			*total += e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_SHARED)
				shared += e->fe_length;
			last = e->fe_flags & FIEMAP_EXTENT_LAST;
			start = e->fe_logical + e->fe_length;
		}
	}
	free(fm);
	close(fd);
	return shared;
}

static int
setup(void **state)
{
	static struct fsdir	d;
	const char		*root = getenv("HL_TEST_DIR");

	wrap_reset();
	if (root == NULL || *root == '\0') {
		*state = NULL;
		return 0;
	}
	snprintf(d.path, sizeof(d.path), "%s/hlink-copyfs.XXXXXX", root);
	if (mkdtemp(d.path) == NULL)
		return -1;
	d.dirfd = open(d.path, O_RDONLY | O_DIRECTORY);
	*state = &d;
	return d.dirfd < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fsdir	*d = *state;
	char		 cmd[4200];

	if (d == NULL)
		return 0;
	close(d->dirfd);
	/* The directory is ours, made by setup() on a scratch filesystem. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	return system(cmd) == 0 ? 0 : -1;
}

static struct fsdir *
need_dir(void **state, const char *test)
{
	if (*state == NULL) {
		printf("SKIP %s: HL_TEST_DIR is not set (run "
		    "tests/copy/engine_fs.sh for Btrfs and XFS)\n", test);
		skip();
	}
	return *state;
}

static struct hl_copy_request
request(const struct fsdir *d, const char *src, const char *dst, int flags)
{
	struct hl_copy_request	req = { d->dirfd, src, d->dirfd, dst, flags,
				    NULL, NULL };

	return req;
}

static void
test_copyfs__clone_shares_every_extent(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b", HL_COPY_CLONE);
	struct hl_copy_result	 res;
	struct timespec		 times[2] = { { 1000000000, 0 },
				    { 1100000000, 500 } };
	struct stat		 sa, sb;
	uint64_t		 total;

	make_file(d->dirfd, "a", 4 << 20, 1);
	assert_int_equal(utimensat(d->dirfd, "a", times, 0), 0);
	assert_int_equal(shared_bytes(d->dirfd, "a", &total), 0);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_CLONE);
	assert_int_equal(res.bytes, 4 << 20);
	assert_int_equal(fstatat(d->dirfd, "a", &sa, 0), 0);
	assert_int_equal(fstatat(d->dirfd, "b", &sb, 0), 0);
	assert_int_not_equal(sa.st_ino, sb.st_ino);
	assert_int_equal(sb.st_mode, sa.st_mode);
	assert_int_equal(sb.st_mtim.tv_sec, 1100000000);
	assert_int_equal(sb.st_mtim.tv_nsec, 500);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), 4 << 20);
	assert_int_equal(total, 4 << 20);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

static void
test_copyfs__clone_first_when_copy_is_allowed(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b",
				    HL_COPY_CLONE | HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;
	uint64_t		 total;

	make_file(d->dirfd, "a", 1 << 20, 2);
	make_file(d->dirfd, "b", 10, 3);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_CLONE);
	assert_int_equal(res.clone_cause, HL_COPY_NONE);
	assert_true(res.replaced);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), 1 << 20);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

static void
test_copyfs__clone_of_a_sparse_file_keeps_holes(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b", HL_COPY_CLONE);
	struct hl_copy_result	 res;
	char			 block[65536];
	struct stat		 sb;
	int			 fd;

	memset(block, 'y', sizeof(block));
	fd = openat(d->dirfd, "a", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, block, sizeof(block), 32 << 20),
	    (ssize_t)sizeof(block));
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(fstatat(d->dirfd, "b", &sb, 0), 0);
	assert_int_equal(sb.st_size, 64 << 20);
	assert_true(sb.st_blocks <= 1024);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

static void
test_copyfs__copy_has_the_same_bytes(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;

	make_file(d->dirfd, "a", 3 * (off_t)HL_COPY_CHUNK + 5, 4);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

/*
 * A copy has blocks of its own, none shared with SRC: copy_file_range()
 * would clone here, as cp --reflink=never knows.  The copy of a clone
 * neither shares its blocks.
 */
static void
test_copyfs__copy_shares_no_block(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b", HL_COPY_DATA);
	struct hl_copy_result	 res;
	uint64_t		 total;

	make_file(d->dirfd, "a", 8 << 20, 9);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), 0);
	assert_int_equal(total, 8 << 20);
	assert_int_equal(shared_bytes(d->dirfd, "a", &total), 0);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
	req = request(d, "a", "c", HL_COPY_CLONE);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	req = request(d, "c", "e", HL_COPY_DATA);
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(shared_bytes(d->dirfd, "e", &total), 0);
	assert_int_equal(total, 8 << 20);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "e"));
}

/*
 * Btrfs clones, but not a file without copy-on-write (chattr +C): the
 * clone says that of SRC rather than that the filesystem cannot, and
 * passes to a copy.  (XFS has no such flag: skipped there.)
 */
static void
test_copyfs__nocow_src_is_no_clone(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_request	 req = request(d, "a", "b", HL_COPY_CLONE);
	struct hl_copy_result	 res;
	int			 fd, flags = 0;

	fd = openat(d->dirfd, "a", O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
	    (flags |= FS_NOCOW_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags)) < 0 ||
	    ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
	    !(flags & FS_NOCOW_FL)) {
		close(fd);
		printf("SKIP %s: no chattr +C here\n", __func__);
		skip();
	}
	close(fd);
	make_file(d->dirfd, "a", 1 << 20, 10);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_CLONE_NOT_FILE);
	assert_true(hl_copy_passes(res.cause));
	req.flags |= HL_COPY_DATA;
	assert_int_equal(hl_clone_or_copy(&req, &res), 0);
	assert_int_equal(res.made, HL_MADE_COPY);
	assert_int_equal(res.clone_cause, HL_COPY_CLONE_NOT_FILE);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

/* Two files written apart, 40 MiB: more than two dedupe chunks. */
static void
test_copyfs__dedupe_shares_blocks_and_keeps_the_inode(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_result	 res;
	struct stat		 before, after;
	uint64_t		 total;
	off_t			 size = 40 << 20;
	int			 a, b;

	make_file(d->dirfd, "a", size, 5);
	make_file(d->dirfd, "b", size, 5);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), 0);
	assert_int_equal(fstatat(d->dirfd, "b", &before, 0), 0);
	a = openat(d->dirfd, "a", O_RDONLY);
	b = openat(d->dirfd, "b", O_RDWR);
	assert_int_equal(hl_dedupe_range(a, b, NULL, &res), 0);
	close(a);
	close(b);
	assert_int_equal(res.made, HL_MADE_DEDUPED);
	assert_int_equal(res.bytes, size);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), size);
	assert_int_equal(fstatat(d->dirfd, "b", &after, 0), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_true(sandbox_same_bytes(d->dirfd, "a", "b"));
}

static void
test_copyfs__dedupe_refuses_different_contents(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	struct hl_copy_result	 res;
	uint64_t		 total;
	int			 a, b;

	make_file(d->dirfd, "a", 1 << 20, 6);
	make_file(d->dirfd, "b", 1 << 20, 7);
	a = openat(d->dirfd, "a", O_RDONLY);
	b = openat(d->dirfd, "b", O_RDWR);
	assert_int_equal(hl_dedupe_range(a, b, NULL, &res), -1);
	close(a);
	close(b);
	assert_int_equal(res.cause, HL_DEDUPE_DIFFERS);
	assert_int_equal(res.made, HL_MADE_NOTHING);
	assert_int_equal(shared_bytes(d->dirfd, "b", &total), 0);
}

/*
 * A real ENOSPC: HL_TEST_SMALL names a directory on a filesystem too small
 * for the copy (engine_fs.sh mounts a 1 MiB tmpfs).  The temporary must
 * go and the existing DST stay as it was.
 */
static void
test_copyfs__enospc_on_a_full_filesystem(void **state)
{
	struct fsdir		*d = need_dir(state, __func__);
	const char		*small = getenv("HL_TEST_SMALL");
	struct hl_copy_request	 req = request(d, "a", "b",
				    HL_COPY_CLONE | HL_COPY_DATA | HL_FORCE);
	struct hl_copy_result	 res;
	struct stat		 st;
	char			 buf[8];
	int			 fd;

	if (small == NULL) {
		printf("SKIP %s: HL_TEST_SMALL is not set\n", __func__);
		skip();
	}
	make_file(d->dirfd, "a", 4 << 20, 8);
	req.dstdirfd = open(small, O_RDONLY | O_DIRECTORY);
	assert_true(req.dstdirfd >= 0);
	fd = openat(req.dstdirfd, "b", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "old", 3), 3);
	close(fd);
	assert_int_equal(hl_clone_or_copy(&req, &res), -1);
	assert_int_equal(res.cause, HL_COPY_ERRNO);
	assert_int_equal(res.err, ENOSPC);
	assert_int_equal(res.step, HL_STEP_WRITE);
	assert_int_equal(res.clone_cause, HL_COPY_CLONE_XDEV);
	fd = openat(req.dstdirfd, "b", O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "old", 3);
	close(fd);
	/* Only b: no temporary left, none half-written. */
	assert_int_equal(fstatat(req.dstdirfd, "b", &st, 0), 0);
	assert_int_equal(unlinkat(req.dstdirfd, "b", 0), 0);
	assert_int_equal(rmdir(small), 0);
	close(req.dstdirfd);
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_copyfs__clone_shares_every_extent),
		T(test_copyfs__clone_first_when_copy_is_allowed),
		T(test_copyfs__clone_of_a_sparse_file_keeps_holes),
		T(test_copyfs__copy_has_the_same_bytes),
		T(test_copyfs__copy_shares_no_block),
		T(test_copyfs__nocow_src_is_no_clone),
		T(test_copyfs__dedupe_shares_blocks_and_keeps_the_inode),
		T(test_copyfs__dedupe_refuses_different_contents),
		T(test_copyfs__enospc_on_a_full_filesystem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
