/*
 * test_fileeq.c: hl_fileeq() over real files in a sandbox.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileeq.h"
#include "sandbox.h"

#define MAX_FILES	64

struct class {
	struct sandbox	 sb;
	size_t		 n;
	off_t		 size;
	size_t		 failures;
	size_t		 attr_calls;
	const char	*attr[MAX_FILES];
	size_t		 group[MAX_FILES];
	unsigned long long bytes;	/* told by the read callback */
};

static int
cls_open(void *ctx, size_t i)
{
	struct class	*c = ctx;
	char		 name[32];
	int		 fd;

	snprintf(name, sizeof(name), "f%zu", i);
	fd = openat(c->sb.dirfd, name, O_RDONLY);
	return fd;
}

static void
cls_failed(void *ctx, size_t i, int err)
{
	struct class	*c = ctx;

	(void)i;
	(void)err;
	c->failures++;
}

static ssize_t
cls_attrs(void *ctx, size_t i, int fd, char **blob)
{
	struct class	*c = ctx;

	(void)fd;
	c->attr_calls++;
	if (c->attr[i] == NULL) {
		*blob = NULL;
		return 0;
	}
	*blob = strdup(c->attr[i]);
	return *blob != NULL ? (ssize_t)strlen(c->attr[i]) : -1;
}

/* File i of the class: size bytes of pattern seed, with byte at pos flipped. */
static void
make_file(struct class *c, size_t i, unsigned seed, off_t flip)
{
	char		 name[32];
	unsigned char	*buf = malloc((size_t)c->size + 1);
	off_t		 k;
	int		 fd;

	assert_non_null(buf);
	for (k = 0; k < c->size; k++)
		buf[k] = (unsigned char)((k * 131 + seed * 7) >> 3);
	if (flip >= 0)
		buf[flip] ^= 0x55;
	snprintf(name, sizeof(name), "f%zu", i);
	fd = openat(c->sb.dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, (size_t)c->size), c->size);
	close(fd);
	free(buf);
}

/* The descriptors open now: hl_fileeq() must close all it opened. */
static int
count_open(void)
{
	int	fd, n = 0;

	for (fd = 0; fd < 256; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void
run(struct class *c, size_t budget, bool attrs)
{
	struct hl_fileeq	fe = { c->n, c->size, budget, cls_open,
				    cls_failed, attrs ? cls_attrs : NULL, c,
				    c->group, NULL, NULL };

	c->failures = c->attr_calls = 0;
	assert_int_equal(hl_fileeq(&fe), 0);
}

static void
setup_class(struct class *c, off_t size, size_t n)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(sandbox_make(&c->sb), 0);
	c->size = size;
	c->n = n;
}

/* seeds[i] and flips[i] make file i; want[i] its expected group. */
static void
check_class(off_t size, size_t n, const unsigned *seeds, const off_t *flips,
    const size_t *want, size_t budget)
{
	struct class	c;
	size_t		i;
	int		before = count_open();

	setup_class(&c, size, n);
	for (i = 0; i < n; i++)
		make_file(&c, i, seeds[i], flips[i]);
	run(&c, budget, false);
	for (i = 0; i < n; i++)
		assert_int_equal(c.group[i], want[i]);
	assert_int_equal(c.failures, 0);
	assert_int_equal(count_open(), before + 1);	/* the sandbox's */
	sandbox_remove(&c.sb);
}

static void
test_fileeq__small_files_split_by_content(void **state)
{
	static const unsigned	seeds[] = { 1, 2, 1, 3, 2, 1 };
	static const off_t	flips[] = { -1, -1, -1, -1, -1, 9 };
	static const size_t	want[] = { 0, 1, 0, 3, 1, 5 };

	(void)state;
	check_class(10, 6, seeds, flips, want, 64);
	check_class(8192, 6, seeds, flips, want, 64);
}

/* First, middle and last byte: never equal; the probe misses the middle. */
static void
test_fileeq__large_files_differing_in_one_byte(void **state)
{
	static const unsigned	seeds[] = { 1, 1, 1, 1, 1, 1 };
	static const off_t	flips[] = { -1, 0, 300000, 600000 - 1, -1,
				    300000 };
	static const size_t	want[] = { 0, 1, 2, 3, 0, 2 };

	(void)state;
	check_class(600000, 6, seeds, flips, want, 64);
	check_class(8193, 6, seeds, (const off_t[]){ -1, 0, 4100,
	    8192, -1, 4100 }, want, 64);
}

/*
 * Many different blocks in one round: past a few buckets the blocks are
 * hashed, and a late block still finds its bucket (7 and 8 here).
 */
static void
test_fileeq__many_buckets_in_one_round(void **state)
{
	static const unsigned	seeds[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	static const off_t	flips[] = { -1, 150000, 150001, 150002,
				    150003, 150004, -1, 150002, 150004,
				    150005 };
	static const size_t	want[] = { 0, 1, 2, 3, 4, 5, 0, 3, 5, 9 };

	(void)state;
	check_class(300000, 10, seeds, flips, want, 64);
	check_class(300000, 10, seeds, flips, want, 3);
}

/* A budget of 2 descriptors takes the whole-file hash path. */
static void
test_fileeq__fd_budget_fallback(void **state)
{
	static const unsigned	seeds[] = { 1, 1, 2, 1, 2, 1, 1, 3 };
	static const off_t	flips[] = { -1, 200000, -1, -1, -1, 200000,
				    -1, -1 };
	static const size_t	want[] = { 0, 1, 2, 0, 2, 1, 0, 7 };

	(void)state;
	check_class(300000, 8, seeds, flips, want, 2);
	check_class(300000, 8, seeds, flips, want, 3);
	check_class(300000, 8, seeds, flips, want, 64);
	check_class(100, 8, seeds, (const off_t[]){ -1, 50, -1, -1, -1, 50,
	    -1, -1 }, want, 2);
}

/* More identical files than descriptors: compared a few at a time. */
static void
test_fileeq__wider_than_the_budget(void **state)
{
	struct class	c;
	size_t		i;

	(void)state;
	setup_class(&c, 200000, 20);
	for (i = 0; i < 20; i++)
		make_file(&c, i, 1, -1);
	run(&c, 4, false);
	for (i = 0; i < 20; i++)
		assert_int_equal(c.group[i], 0);
	sandbox_remove(&c.sb);
}

static void
test_fileeq__attributes_split(void **state)
{
	struct class	c;
	size_t		i;

	(void)state;
	setup_class(&c, 100, 4);
	for (i = 0; i < 4; i++)
		make_file(&c, i, 1, -1);
	c.attr[1] = "user.a=1";
	c.attr[3] = "user.a=1";
	run(&c, 64, true);
	assert_int_equal(c.group[0], 0);
	assert_int_equal(c.group[1], 1);
	assert_int_equal(c.group[2], 0);
	assert_int_equal(c.group[3], 1);
	run(&c, 64, false);
	for (i = 0; i < 4; i++)
		assert_int_equal(c.group[i], 0);
	sandbox_remove(&c.sb);
}

/*
 * The attributes are read only for files whose probe has a twin: a
 * file alone after the probe cannot be a duplicate, whatever they are.
 * Past the descriptor budget they come with the probe, for every file.
 */
static void
test_fileeq__attributes_read_only_for_twins(void **state)
{
	static const unsigned	seeds[] = { 1, 2, 1, 3, 4, 1 };
	static const off_t	sizes[] = { 100, 300000 };
	struct class		c;
	size_t			i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		setup_class(&c, sizes[k], 6);
		for (i = 0; i < 6; i++)
			make_file(&c, i, seeds[i], -1);
		c.attr[5] = "user.a=1";
		run(&c, 64, true);
		assert_int_equal(c.attr_calls, 3);	/* files 0, 2, 5 */
		assert_int_equal(c.group[0], 0);
		assert_int_equal(c.group[2], 0);
		assert_int_equal(c.group[5], 5);
		assert_int_equal(c.group[1], 1);
		run(&c, 2, true);
		assert_int_equal(c.attr_calls, 6);
		assert_int_equal(c.group[2], 0);
		assert_int_equal(c.group[5], 5);
		sandbox_remove(&c.sb);
	}
}

/* Bytes this process has read so far (/proc/self/io rchar), or -1. */
static long long
bytes_read(void)
{
	char		 buf[512], *p;
	ssize_t		 n;
	int		 fd = open("/proc/self/io", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "rchar:");
	return p != NULL ? strtoll(p + 6, NULL, 10) : -1;
}

/*
 * Each byte is read once: the probe's head and tail, compared exactly,
 * are not read again by the side by side comparison; the bytes at the
 * edges of what it skips still count.
 */
static void
test_fileeq__each_byte_read_once(void **state)
{
	static const off_t	flips[] = { -1, -1, 4095, 4096,
				    300000 - 4097, 300000 - 4096 };
	struct class		c;
	long long		before, after;
	size_t			i;

	(void)state;
	setup_class(&c, 300000, 6);
	for (i = 0; i < 6; i++)
		make_file(&c, i, 1, flips[i]);
	run(&c, 64, false);
	assert_int_equal(c.group[0], 0);
	assert_int_equal(c.group[1], 0);
	for (i = 2; i < 6; i++)
		assert_int_equal(c.group[i], i);
	c.n = 2;
	if ((before = bytes_read()) < 0) {
		sandbox_remove(&c.sb);
		skip();
	}
	run(&c, 64, false);
	after = bytes_read();
	assert_int_equal(c.group[1], 0);
	/* 2 files, and this test's first look at /proc/self/io */
	assert_true(after - before >= 2 * 300000);
	assert_true(after - before < 2 * 300000 + 1024);
	sandbox_remove(&c.sb);
}

static void
cls_read(void *ctx, size_t n)
{
	((struct class *)ctx)->bytes += n;
}

/*
 * The read callback hears of each block as it is read (the progress line
 * moves within a class): two identical files, every byte of both once.
 */
static void
test_fileeq__read_callback_counts_each_block(void **state)
{
	struct class		c;
	struct hl_fileeq	fe;
	size_t			i;

	(void)state;
	setup_class(&c, 1000000, 2);
	for (i = 0; i < 2; i++)
		make_file(&c, i, 3, -1);
	memset(&fe, 0, sizeof(fe));
	fe.n = c.n;
	fe.size = c.size;
	fe.fd_budget = 64;
	fe.open = cls_open;
	fe.failed = cls_failed;
	fe.ctx = &c;
	fe.group = c.group;
	fe.read = cls_read;
	c.bytes = 0;
	assert_int_equal(hl_fileeq(&fe), 0);
	assert_int_equal(c.group[1], 0);
	assert_true(c.bytes == 2 * 1000000ULL);
	sandbox_remove(&c.sb);
}

static void
test_fileeq__missing_and_short_files(void **state)
{
	struct class	c;
	size_t		i;

	(void)state;
	setup_class(&c, 20000, 4);
	for (i = 0; i < 4; i++)
		make_file(&c, i, 1, -1);
	assert_int_equal(unlinkat(c.sb.dirfd, "f1", 0), 0);
	c.size = 20001;		/* every file is now a byte short */
	run(&c, 64, false);
	for (i = 0; i < 4; i++)
		assert_int_equal(c.group[i], HL_FILEEQ_NONE);
	assert_int_equal(c.failures, 3);
	sandbox_remove(&c.sb);
}

static void
test_fileeq__hash_is_stable_and_spreads(void **state)
{
	unsigned char	buf[100] = { 0 };
	uint64_t	h = hl_hash64(buf, sizeof(buf), 0);
	size_t		i;

	(void)state;
	assert_true(h == hl_hash64(buf, sizeof(buf), 0));
	assert_true(h != hl_hash64(buf, sizeof(buf) - 1, 0));
	assert_true(h != hl_hash64(buf, sizeof(buf), 1));
	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = 1;
		assert_true(hl_hash64(buf, sizeof(buf), 0) != h);
		buf[i] = 0;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fileeq__small_files_split_by_content),
		cmocka_unit_test(test_fileeq__large_files_differing_in_one_byte),
		cmocka_unit_test(test_fileeq__read_callback_counts_each_block),
		cmocka_unit_test(test_fileeq__many_buckets_in_one_round),
		cmocka_unit_test(test_fileeq__fd_budget_fallback),
		cmocka_unit_test(test_fileeq__wider_than_the_budget),
		cmocka_unit_test(test_fileeq__attributes_split),
		cmocka_unit_test(test_fileeq__attributes_read_only_for_twins),
		cmocka_unit_test(test_fileeq__each_byte_read_once),
		cmocka_unit_test(test_fileeq__missing_and_short_files),
		cmocka_unit_test(test_fileeq__hash_is_stable_and_spreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
