/*
 * test_progress.c: the words of the progress line (sizes, counts, both
 * kinds) and the counters the modes add to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static void
assert_size(uint64_t bytes, const char *want)
{
	char	buf[32];

	hl_progress_size(buf, sizeof(buf), bytes);
	assert_string_equal(buf, want);
}

static void
assert_line(enum hl_progress_kind kind, const struct hl_counters *c,
    const char *want)
{
	char	buf[160];
	size_t	n;

	n = hl_progress_format(buf, sizeof(buf), kind, c);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void
test_progress__bytes(void **state)
{
	(void)state;
	assert_size(0, "0 B");
	assert_size(1, "1 B");
	assert_size(1023, "1023 B");
}

static void
test_progress__binary_units(void **state)
{
	(void)state;
	assert_size(1024, "1.0 KiB");
	assert_size(1536, "1.5 KiB");
	assert_size(1024 * 1024 - 1, "1023.9 KiB");
	assert_size(1024 * 1024, "1.0 MiB");
	assert_size((uint64_t)1258292, "1.2 MiB");	/* 1.2000008 MiB */
	assert_size((uint64_t)1258291, "1.1 MiB");	/* 1.1999998 MiB */
	assert_size((uint64_t)3 << 30, "3.0 GiB");
	assert_size((uint64_t)5 << 40, "5.0 TiB");
	assert_size((uint64_t)7 << 50, "7.0 PiB");
}

/* Rounded down: 1.99 MiB shows 1.9, never a 2.0 not yet reached. */
static void
test_progress__rounded_down(void **state)
{
	(void)state;
	assert_size((uint64_t)2 * 1024 * 1024 - 1, "1.9 MiB");
}

static void
test_progress__largest(void **state)
{
	(void)state;
	assert_size(UINT64_MAX, "15.9 EiB");
	assert_size((uint64_t)1 << 60, "1.0 EiB");
}

static void
test_progress__links_counts(void **state)
{
	struct hl_counters	c = { .files = 0 };

	(void)state;
	assert_line(HL_PROGRESS_LINKS, &c, "hlink: 0 files");
	c.files = 1;
	assert_line(HL_PROGRESS_LINKS, &c, "hlink: 1 file");
	c.files = 1234567;
	c.dirs = 1;
	assert_line(HL_PROGRESS_LINKS, &c, "hlink: 1234567 files, 1 directory");
	c.dirs = 35;
	assert_line(HL_PROGRESS_LINKS, &c, "hlink: 1234567 files, "
	    "35 directories");
}

static void
test_progress__links_copied(void **state)
{
	struct hl_counters	c = { .files = 3, .bytes_done = 1536 };

	(void)state;
	assert_line(HL_PROGRESS_LINKS, &c, "hlink: 3 files, 1.5 KiB copied");
	c.bytes_total = (uint64_t)3 << 20;
	assert_line(HL_PROGRESS_LINKS, &c,
	    "hlink: 3 files, 1.5 KiB of 3.0 MiB copied");
}

static void
test_progress__dedup(void **state)
{
	struct hl_counters	c = { .files = 1200,
		.bytes_done = (uint64_t)1258292 << 10,
		.bytes_total = (uint64_t)3 << 30, .relinked = 7 };

	(void)state;
	assert_line(HL_PROGRESS_DEDUP, &c, "hlink: 1200 files walked, "
	    "1.2 GiB of 3.0 GiB compared, 7 names relinked");
	memset(&c, 0, sizeof(c));
	c.files = 1;
	c.relinked = 1;
	assert_line(HL_PROGRESS_DEDUP, &c,
	    "hlink: 1 file walked, 0 B compared, 1 name relinked");
}

/* The fields are read one by one: done may pass a total read earlier. */
static void
test_progress__done_above_total(void **state)
{
	struct hl_counters	c = { .bytes_done = 2048, .bytes_total = 1024 };

	(void)state;
	assert_line(HL_PROGRESS_DEDUP, &c, "hlink: 0 files walked, "
	    "2.0 KiB of 2.0 KiB compared, 0 names relinked");
}

static void
test_progress__cut_to_size(void **state)
{
	struct hl_counters	c = { .files = 12345 };
	char			buf[16];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hl_progress_format(buf, 10, HL_PROGRESS_LINKS, &c),
	    9);
	assert_string_equal(buf, "hlink: 12");
	assert_int_equal(buf[10], 'x');
	assert_int_equal(hl_progress_format(buf, 0, HL_PROGRESS_LINKS, &c),
	    0);
}

static void
test_progress__counters(void **state)
{
	struct hl_counters	c = { .files = 0 };
	struct hl_counters	*none = NULL;

	(void)state;
	HL_COUNT(&c, files, 1);
	HL_COUNT(&c, files, 2);
	HL_COUNT(none, files, 1);	/* progress off: nothing, no crash */
	hl_count_bytes(&c, 4096);
	hl_count_bytes(NULL, 4096);
	assert_int_equal(hl_count_read(&c.files), 3);
	assert_int_equal(c.bytes_done, 4096);
	assert_int_equal(c.dirs, 0);
}

/*
 * One copy at a time (the plain forms): each copy's start sets the total
 * to what is done plus its size, so the line reads "X of Y copied".
 */
static void
test_progress__copy_start_sets_total(void **state)
{
	struct hl_counters	c = { .files = 0 };

	(void)state;
	hl_count_start(&c, 4 << 20);
	hl_count_bytes(&c, 1 << 20);
	assert_line(HL_PROGRESS_LINKS, &c,
	    "hlink: 0 files, 1.0 MiB of 4.0 MiB copied");
	hl_count_bytes(&c, 3 << 20);
	HL_COUNT(&c, files, 1);
	hl_count_start(&c, 4 << 20);
	hl_count_bytes(&c, 2 << 20);
	assert_line(HL_PROGRESS_LINKS, &c,
	    "hlink: 1 file, 6.0 MiB of 8.0 MiB copied");
	hl_count_start(NULL, 1);	/* progress off: nothing, no crash */
}

/* No ticker (progress off, or not started): every call a no-op. */
static void
test_progress__null_ticker(void **state)
{
	(void)state;
	hl_ticker_hold(NULL);
	hl_ticker_release(NULL);
	hl_ticker_stop(NULL);
}

/*
 * --progress with stderr in a file: after a second one plain line, and
 * nothing more when stopped before the next (5 s on).  Runs the thread,
 * under the sanitizers too.
 */
static void
test_progress__plain_ticker(void **state)
{
	struct hl_counters	 c = { .files = 0 };
	struct hl_ticker	*t;
	struct timespec		 wait = { 1, 400 * 1000000L };
	char			 path[] = "/tmp/hlink-test-progress.XXXXXX";
	char			 buf[128] = "";
	int			 fd, saved;
	ssize_t			 n;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0 && dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	assert_null(hl_ticker_start(&c, HL_PROGRESS_LINKS, false));
	t = hl_ticker_start(&c, HL_PROGRESS_LINKS, true);
	HL_COUNT(&c, files, 5);
	hl_ticker_hold(t);
	hl_ticker_release(t);
	nanosleep(&wait, NULL);
	hl_ticker_stop(t);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_non_null(t);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n >= 0);
	assert_string_equal(buf, "hlink: 5 files\n");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_progress__bytes),
		cmocka_unit_test(test_progress__copy_start_sets_total),
		cmocka_unit_test(test_progress__binary_units),
		cmocka_unit_test(test_progress__rounded_down),
		cmocka_unit_test(test_progress__largest),
		cmocka_unit_test(test_progress__links_counts),
		cmocka_unit_test(test_progress__links_copied),
		cmocka_unit_test(test_progress__dedup),
		cmocka_unit_test(test_progress__done_above_total),
		cmocka_unit_test(test_progress__cut_to_size),
		cmocka_unit_test(test_progress__counters),
		cmocka_unit_test(test_progress__null_ticker),
		cmocka_unit_test(test_progress__plain_ticker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
