/*
 * test_quote.c: hl_quote(), the one way a name reaches the terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hardlink.h"

static void
assert_quoted(const char *name, const char *want)
{
	char	buf[256];
	size_t	n;

	n = hl_quote(name, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/*
 * Quotes "abcdef" (8 bytes with its quotes) into a buffer of size bytes
 * followed by guard bytes that must stay untouched.
 */
static void
assert_truncated(size_t size, const char *want)
{
	char	buf[32];

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(hl_quote("abcdef", buf, size), 8);
	assert_string_equal(buf, want);
	assert_int_equal(buf[size], 'X');
}

static void
test_quote__plain(void **state)
{
	(void)state;
	assert_quoted("file.txt", "'file.txt'");
	assert_quoted("dir/sub dir/a-b_c", "'dir/sub dir/a-b_c'");
}

static void
test_quote__empty(void **state)
{
	(void)state;
	assert_quoted("", "''");
}

static void
test_quote__newline(void **state)
{
	(void)state;
	assert_quoted("a\nb", "'a\\nb'");
}

static void
test_quote__tab(void **state)
{
	(void)state;
	assert_quoted("a\tb", "'a\\tb'");
}

static void
test_quote__carriage_return(void **state)
{
	(void)state;
	assert_quoted("a\rb", "'a\\rb'");
}

static void
test_quote__escape(void **state)
{
	(void)state;
	assert_quoted("\x1b[31mred", "'\\x1b[31mred'");
}

static void
test_quote__other_c0(void **state)
{
	(void)state;
	assert_quoted("\x01\x07\x1f", "'\\x01\\x07\\x1f'");
}

static void
test_quote__delete(void **state)
{
	(void)state;
	assert_quoted("a\x7f", "'a\\x7f'");
}

static void
test_quote__backslash(void **state)
{
	(void)state;
	assert_quoted("a\\b", "'a\\\\b'");
}

static void
test_quote__single_quote(void **state)
{
	(void)state;
	assert_quoted("it's", "'it\\'s'");
}

static void
test_quote__lone_ff(void **state)
{
	(void)state;
	assert_quoted("a\xff" "b", "'a\\xffb'");
}

static void
test_quote__truncated_at_end(void **state)
{
	(void)state;
	/* The first two bytes of the three of U+20AC. */
	assert_quoted("a\xe2\x82", "'a\\xe2\\x82'");
	assert_quoted("\xf0\x9f\x98", "'\\xf0\\x9f\\x98'");
	assert_quoted("\xc3", "'\\xc3'");
}

static void
test_quote__truncated_before_ascii(void **state)
{
	(void)state;
	assert_quoted("\xe2\x82x", "'\\xe2\\x82x'");
}

static void
test_quote__lone_continuation(void **state)
{
	(void)state;
	assert_quoted("\x80\xbf", "'\\x80\\xbf'");
}

static void
test_quote__overlong(void **state)
{
	(void)state;
	assert_quoted("\xc0\xaf", "'\\xc0\\xaf'");
	assert_quoted("\xe0\x80\xaf", "'\\xe0\\x80\\xaf'");
	assert_quoted("\xf0\x80\x80\xaf", "'\\xf0\\x80\\x80\\xaf'");
}

static void
test_quote__surrogate(void **state)
{
	(void)state;
	assert_quoted("\xed\xa0\x80", "'\\xed\\xa0\\x80'");
}

static void
test_quote__past_max_code_point(void **state)
{
	(void)state;
	assert_quoted("\xf4\x90\x80\x80", "'\\xf4\\x90\\x80\\x80'");
	assert_quoted("\xf5\x80\x80\x80", "'\\xf5\\x80\\x80\\x80'");
}

static void
test_quote__c1_control(void **state)
{
	(void)state;
	assert_quoted("\xc2\x9b" "31m", "'\\xc2\\x9b31m'");
	assert_quoted("\xc2\x80", "'\\xc2\\x80'");
	assert_quoted("\xc2\x9f", "'\\xc2\\x9f'");
}

static void
test_quote__latin1_after_c1(void **state)
{
	(void)state;
	/* U+00A0 is the first code point after the C1 block. */
	assert_quoted("\xc2\xa0", "'\xc2\xa0'");
}

static void
test_quote__two_byte(void **state)
{
	(void)state;
	assert_quoted("caf\xc3\xa9", "'caf\xc3\xa9'");
}

static void
test_quote__three_byte(void **state)
{
	(void)state;
	assert_quoted("\xe2\x82\xac" "5", "'\xe2\x82\xac" "5'");
	assert_quoted("\xe6\x97\xa5", "'\xe6\x97\xa5'");
}

static void
test_quote__four_byte(void **state)
{
	(void)state;
	assert_quoted("\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'");
	assert_quoted("\xf4\x8f\xbf\xbf", "'\xf4\x8f\xbf\xbf'");
}

static void
test_quote__size_zero(void **state)
{
	(void)state;
	assert_int_equal(hl_quote("a\nb", NULL, 0), 6);
}

static void
test_quote__size_one(void **state)
{
	(void)state;
	assert_truncated(1, "");
}

static void
test_quote__size_three(void **state)
{
	(void)state;
	assert_truncated(3, "'a");
}

static void
test_quote__exact_size(void **state)
{
	(void)state;
	assert_truncated(9, "'abcdef'");
}

static void
test_quote__one_short(void **state)
{
	(void)state;
	assert_truncated(8, "'abcdef");
}

static void
test_quote__escape_cut(void **state)
{
	char	buf[4];

	(void)state;
	/* No room for all of "\x1b": the buffer is still terminated. */
	assert_int_equal(hl_quote("\x1b", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "'\\x");
}

/* U+202E would show 'gpj.exe' as 'exe.jpg': escaped like a control. */
static void
test_quote__right_to_left_override(void **state)
{
	(void)state;
	assert_quoted("\xe2\x80\xaegpj.exe", "'\\xe2\\x80\\xaegpj.exe'");
}

static void
test_quote__bidi_isolates_and_marks(void **state)
{
	(void)state;
	assert_quoted("a\xe2\x81\xa6z", "'a\\xe2\\x81\\xa6z'");	/* LRI */
	assert_quoted("a\xe2\x81\xa9z", "'a\\xe2\\x81\\xa9z'");	/* PDI */
	assert_quoted("a\xe2\x80\x8fz", "'a\\xe2\\x80\\x8fz'");	/* RLM */
	assert_quoted("a\xd8\x9cz", "'a\\xd8\\x9cz'");		/* ALM */
}

static void
test_quote__invisible_characters(void **state)
{
	(void)state;
	assert_quoted("a\xe2\x80\x8bz", "'a\\xe2\\x80\\x8bz'");	/* ZWSP */
	assert_quoted("a\xef\xbb\xbfz", "'a\\xef\\xbb\\xbfz'");	/* BOM */
	assert_quoted("a\xc2\xadz", "'a\\xc2\\xadz'");		/* SHY */
	assert_quoted("a\xe2\x80\xa8z", "'a\\xe2\\x80\\xa8z'");	/* LS */
	assert_quoted("\xf3\xa0\x80\x81", "'\\xf3\\xa0\\x80\\x81'");	/* tag */
}

/* The neighbours of the escaped ranges are ordinary text. */
static void
test_quote__format_neighbours_kept(void **state)
{
	(void)state;
	assert_quoted("\xe2\x80\x90", "'\xe2\x80\x90'");	/* U+2010 */
	assert_quoted("\xe2\x80\xaf", "'\xe2\x80\xaf'");	/* U+202F */
	assert_quoted("\xc2\xac", "'\xc2\xac'");		/* U+00AC */
	assert_quoted("\xe2\x81\xa5", "'\xe2\x81\xa5'");	/* U+2065 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote__plain),
		cmocka_unit_test(test_quote__empty),
		cmocka_unit_test(test_quote__newline),
		cmocka_unit_test(test_quote__tab),
		cmocka_unit_test(test_quote__carriage_return),
		cmocka_unit_test(test_quote__escape),
		cmocka_unit_test(test_quote__other_c0),
		cmocka_unit_test(test_quote__delete),
		cmocka_unit_test(test_quote__backslash),
		cmocka_unit_test(test_quote__single_quote),
		cmocka_unit_test(test_quote__lone_ff),
		cmocka_unit_test(test_quote__truncated_at_end),
		cmocka_unit_test(test_quote__truncated_before_ascii),
		cmocka_unit_test(test_quote__lone_continuation),
		cmocka_unit_test(test_quote__overlong),
		cmocka_unit_test(test_quote__surrogate),
		cmocka_unit_test(test_quote__past_max_code_point),
		cmocka_unit_test(test_quote__c1_control),
		cmocka_unit_test(test_quote__latin1_after_c1),
		cmocka_unit_test(test_quote__two_byte),
		cmocka_unit_test(test_quote__three_byte),
		cmocka_unit_test(test_quote__four_byte),
		cmocka_unit_test(test_quote__size_zero),
		cmocka_unit_test(test_quote__size_one),
		cmocka_unit_test(test_quote__size_three),
		cmocka_unit_test(test_quote__exact_size),
		cmocka_unit_test(test_quote__one_short),
		cmocka_unit_test(test_quote__escape_cut),
		cmocka_unit_test(test_quote__right_to_left_override),
		cmocka_unit_test(test_quote__bidi_isolates_and_marks),
		cmocka_unit_test(test_quote__invisible_characters),
		cmocka_unit_test(test_quote__format_neighbours_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
