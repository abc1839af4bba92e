/*
 * test_options.c: parse_options() over whole command lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "hardlink.h"
#include "options.h"

#define MAX_ARGS	16

/* "hlink" and then the arguments given. */
#define ARGV(...)	((const char *const []){ "hlink", __VA_ARGS__, NULL })

/*
 * parse_options() keeps pointers into argv and getopt_long() permutes
 * it, so each command line is copied to writable storage that lives as
 * long as the test.
 */
struct cmdline {
	char		 text[MAX_ARGS][64];
	char		*argv[MAX_ARGS + 1];
	int		 argc;
	struct options	 opts;
	char		 msg[256];
};

static int
parse(struct cmdline *c, const char *const *args)
{
	for (c->argc = 0; args[c->argc] != NULL; c->argc++) {
		assert_true(c->argc < MAX_ARGS);
		snprintf(c->text[c->argc], sizeof(c->text[c->argc]), "%s",
		    args[c->argc]);
		c->argv[c->argc] = c->text[c->argc];
	}
	c->argv[c->argc] = NULL;
	c->msg[0] = '\0';
	return parse_options(c->argc, c->argv, &c->opts, c->msg,
	    sizeof(c->msg));
}

static void
parse_ok(struct cmdline *c, const char *const *args)
{
	assert_int_equal(parse(c, args), 0);
}

static void
assert_usage_error(const char *const *args, const char *want)
{
	struct cmdline	c;

	assert_int_equal(parse(&c, args), -1);
	assert_string_equal(c.msg, want);
}

static void
assert_operands(const struct cmdline *c, const char *first,
    const char *second)
{
	assert_int_equal(c->opts.noperands, second != NULL ? 2 : 1);
	assert_string_equal(c->opts.operands[0], first);
	if (second != NULL)
		assert_string_equal(c->opts.operands[1], second);
}

static void
test_options__defaults(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("a", "b"));
	assert_int_equal(c.opts.mode, MODE_LINK);
	assert_int_equal(c.opts.link_flags, HL_FOLLOW);
	assert_int_equal(c.opts.replace, REPLACE_NEVER);
	assert_false(c.opts.no_dereference);
	assert_false(c.opts.no_target_directory);
	assert_false(c.opts.verbose);
	assert_false(c.opts.quiet);
	assert_null(c.opts.target_directory);
	assert_null(c.opts.src_dir);
	assert_null(c.opts.dst_dir);
	assert_operands(&c, "a", "b");
}

static void
test_options__no_follow(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-P", "a", "b"));
	assert_int_equal(c.opts.link_flags, 0);
	parse_ok(&c, ARGV("--no-follow", "a", "b"));
	assert_int_equal(c.opts.link_flags, 0);
}

static void
test_options__follow_then_no_follow(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-L", "-P", "a", "b"));
	assert_false(c.opts.link_flags & HL_FOLLOW);
}

static void
test_options__no_follow_then_follow(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-P", "-L", "a", "b"));
	assert_true(c.opts.link_flags & HL_FOLLOW);
	parse_ok(&c, ARGV("--no-follow", "--follow", "a", "b"));
	assert_true(c.opts.link_flags & HL_FOLLOW);
}

static void
test_options__force_then_interactive(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-f", "-i", "a", "b"));
	assert_int_equal(c.opts.replace, REPLACE_ASK);
}

static void
test_options__interactive_then_force(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-i", "-f", "a", "b"));
	assert_int_equal(c.opts.replace, REPLACE_FORCE);
	parse_ok(&c, ARGV("--interactive", "--force", "a", "b"));
	assert_int_equal(c.opts.replace, REPLACE_FORCE);
}

static void
test_options__symlink_fallback(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-s", "a", "b"));
	assert_int_equal(c.opts.link_flags, HL_FOLLOW | HL_SYMLINK_FALLBACK);
	parse_ok(&c, ARGV("--symlink-fallback", "a", "b"));
	assert_int_equal(c.opts.link_flags, HL_FOLLOW | HL_SYMLINK_FALLBACK);
}

/* The i-th KIND of the parsed list, as the core reads it. */
static int
kind(const struct cmdline *c, int i)
{
	return hl_fallback_kind(c->opts.link_flags, i);
}

static void
test_options__fallback_list(void **state)
{
	struct cmdline	c;

	(void)state;
#ifdef HL_POSIX_ONLY
	skip();		/* the lists name clone, which this build refuses */
#endif
	parse_ok(&c, ARGV("--fallback=clone,copy", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_CLONE);
	assert_int_equal(kind(&c, 1), HL_KIND_COPY);
	assert_int_equal(kind(&c, 2), HL_KIND_NONE);
	assert_false(c.opts.link_flags & HL_SYMLINK_FALLBACK);
	parse_ok(&c, ARGV("--fallback", "copy,symlink,clone", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_COPY);
	assert_int_equal(kind(&c, 1), HL_KIND_SYMLINK);
	assert_int_equal(kind(&c, 2), HL_KIND_CLONE);
	assert_true(c.opts.link_flags & HL_SYMLINK_FALLBACK);
	parse_ok(&c, ARGV("--fallback=symlink", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_SYMLINK);
	assert_int_equal(kind(&c, 1), HL_KIND_NONE);
}

/* -s is --fallback=symlink, and the last of the two given wins. */
static void
test_options__fallback_last_wins(void **state)
{
	struct cmdline	c;

	(void)state;
#ifdef HL_POSIX_ONLY
	skip();		/* the lists name clone, which this build refuses */
#endif
	parse_ok(&c, ARGV("-s", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_SYMLINK);
	assert_int_equal(kind(&c, 1), HL_KIND_NONE);
	parse_ok(&c, ARGV("-s", "--fallback=copy", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_COPY);
	assert_int_equal(kind(&c, 1), HL_KIND_NONE);
	assert_false(c.opts.link_flags & HL_SYMLINK_FALLBACK);
	parse_ok(&c, ARGV("--fallback=copy", "-s", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_SYMLINK);
	assert_int_equal(kind(&c, 1), HL_KIND_NONE);
	parse_ok(&c, ARGV("--fallback=copy", "--fallback=clone", "a", "b"));
	assert_int_equal(kind(&c, 0), HL_KIND_CLONE);
	assert_int_equal(kind(&c, 1), HL_KIND_NONE);
}

static void
test_options__fallback_bad(void **state)
{
	(void)state;
#ifdef HL_POSIX_ONLY
	skip();		/* the lists name clone, which this build refuses */
#endif
	assert_usage_error(ARGV("--fallback=", "a", "b"),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not ''");
	assert_usage_error(ARGV("--fallback=cp", "a", "b"),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not 'cp'");
	assert_usage_error(ARGV("--fallback=copy,", "a", "b"),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not 'copy,'");
	assert_usage_error(ARGV("--fallback=,copy", "a", "b"),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not ',copy'");
	assert_usage_error(ARGV("--fallback=Copy", "a", "b"),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not 'Copy'");
	assert_usage_error(ARGV("--fallback=copy,clone,copy", "a", "b"),
	    "--fallback names a KIND twice in 'copy,clone,copy'");
	assert_usage_error(ARGV("--fallback", "a", "b", NULL),
	    "--fallback wants KINDs symlink, clone or copy, separated by "
	    "commas, not 'a'");
	assert_usage_error(ARGV("--fallback"),
	    "option '--fallback' requires an argument");
}

/* --relative goes with a list that holds symlink, wherever in it. */
static void
test_options__fallback_relative(void **state)
{
	struct cmdline	c;

	(void)state;
#ifdef HL_POSIX_ONLY
	skip();		/* the lists name clone, which this build refuses */
#endif
	parse_ok(&c, ARGV("--relative", "--fallback=copy,symlink", "a", "b"));
	assert_true(c.opts.link_flags & HL_RELATIVE);
	assert_usage_error(ARGV("--relative", "--fallback=clone,copy", "a",
	    "b"), "--relative requires -s (--symlink-fallback)");
	assert_usage_error(ARGV("-s", "--fallback=copy", "--relative", "a",
	    "b"), "--relative requires -s (--symlink-fallback)");
	assert_usage_error(ARGV("--list", "--fallback=copy", "f"),
	    "option '--fallback' cannot be used with --list");
	assert_usage_error(ARGV("--dedup", "--fallback=copy", "r"),
	    "option '--fallback' cannot be used with --dedup");
	assert_usage_error(ARGV("--fallback=copy", "--dedup", "r"),
	    "option '--fallback' cannot be used with --dedup");
}

static void
test_options__relative_with_symlink(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--relative", "-s", "a", "b"));
	assert_int_equal(c.opts.link_flags,
	    HL_FOLLOW | HL_SYMLINK_FALLBACK | HL_RELATIVE);
}

static void
test_options__dry_run(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--dry-run", "a", "b"));
	assert_int_equal(c.opts.link_flags, HL_FOLLOW | HL_DRY_RUN);
}

static void
test_options__src_dir(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--src-dir=X", "a", "b"));
	assert_string_equal(c.opts.src_dir, "X");
	assert_operands(&c, "a", "b");
}

static void
test_options__dst_dir(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--dst-dir", "X", "a", "b"));
	assert_string_equal(c.opts.dst_dir, "X");
	assert_operands(&c, "a", "b");
}

static void
test_options__target_directory(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-t", "DIR", "a"));
	assert_string_equal(c.opts.target_directory, "DIR");
	assert_operands(&c, "a", NULL);
	parse_ok(&c, ARGV("--target-directory=DIR", "a"));
	assert_string_equal(c.opts.target_directory, "DIR");
	assert_operands(&c, "a", NULL);
}

static void
test_options__no_target_directory(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-T", "a", "b"));
	assert_true(c.opts.no_target_directory);
	assert_operands(&c, "a", "b");
}

static void
test_options__no_dereference(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-n", "a", "b"));
	assert_true(c.opts.no_dereference);
}

static void
test_options__verbose(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-v", "a", "b"));
	assert_true(c.opts.verbose);
	assert_false(c.opts.quiet);
}

static void
test_options__quiet(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-q", "a", "b"));
	assert_true(c.opts.quiet);
	assert_false(c.opts.verbose);
}

static void
test_options__clustered(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-sfvn", "a", "b"));
	assert_true(c.opts.link_flags & HL_SYMLINK_FALLBACK);
	assert_int_equal(c.opts.replace, REPLACE_FORCE);
	assert_true(c.opts.verbose);
	assert_true(c.opts.no_dereference);
}

static void
test_options__help(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--help"));
	assert_int_equal(c.opts.mode, MODE_HELP);
	parse_ok(&c, ARGV("-h"));
	assert_int_equal(c.opts.mode, MODE_HELP);
}

static void
test_options__version(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--version"));
	assert_int_equal(c.opts.mode, MODE_VERSION);
	parse_ok(&c, ARGV("-V"));
	assert_int_equal(c.opts.mode, MODE_VERSION);
}

static void
test_options__after_operands(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("a", "-v", "b", "-f"));
	assert_true(c.opts.verbose);
	assert_int_equal(c.opts.replace, REPLACE_FORCE);
	assert_operands(&c, "a", "b");
}

static void
test_options__double_dash(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-v", "--", "-x", "b"));
	assert_true(c.opts.verbose);
	assert_operands(&c, "-x", "b");
}

static void
test_options__no_operands(void **state)
{
	(void)state;
	assert_usage_error((const char *const []){ "hlink", NULL },
	    "missing file operand");
}

static void
test_options__one_operand(void **state)
{
	(void)state;
	assert_usage_error(ARGV("a"),
	    "missing destination file operand after 'a'");
}

static void
test_options__one_operand_quoted(void **state)
{
	(void)state;
	assert_usage_error(ARGV("a\nb"),
	    "missing destination file operand after 'a\\nb'");
}

static void
test_options__target_directory_without_src(void **state)
{
	(void)state;
	assert_usage_error(ARGV("-t", "DIR"), "missing file operand");
}

static void
test_options__no_target_directory_extra(void **state)
{
	(void)state;
	assert_usage_error(ARGV("-T", "a", "b", "c"), "extra operand 'c'");
}

static void
test_options__target_with_no_target(void **state)
{
	(void)state;
	assert_usage_error(ARGV("-T", "-t", "DIR", "a"),
	    "cannot combine --target-directory (-t) and "
	    "--no-target-directory (-T)");
}

static void
test_options__relative_without_symlink(void **state)
{
	(void)state;
	assert_usage_error(ARGV("--relative", "a", "b"),
	    "--relative requires -s (--symlink-fallback)");
}

static void
test_options__unknown_short(void **state)
{
	(void)state;
	assert_usage_error(ARGV("-x", "a", "b"), "invalid option -- 'x'");
}

static void
test_options__unknown_short_in_cluster(void **state)
{
	(void)state;
	assert_usage_error(ARGV("-vx", "a", "b"), "invalid option -- 'x'");
}

static void
test_options__unknown_short_after_long(void **state)
{
	(void)state;
	/* 'x' is not the last letter of its word: optind stays on it. */
	assert_usage_error(ARGV("--verbose", "-xv", "a", "b"),
	    "invalid option -- 'x'");
}

static void
test_options__unknown_long(void **state)
{
	(void)state;
	assert_usage_error(ARGV("--foo", "a", "b"),
	    "unrecognized option '--foo'");
}

static void
test_options__ambiguous_long(void **state)
{
	(void)state;
	/* --s: --src-dir or --symlink-fallback */
	assert_usage_error(ARGV("--s", "a", "b"), "option '--s' is ambiguous");
	/* An abbreviation missing its argument is named in full. */
	assert_usage_error(ARGV("a", "b", "--src"),
	    "option '--src-dir' requires an argument");
}

static void
test_options__missing_argument_short(void **state)
{
	(void)state;
	assert_usage_error(ARGV("a", "b", "-t"),
	    "option requires an argument -- 't'");
}

static void
test_options__missing_argument_long(void **state)
{
	(void)state;
	assert_usage_error(ARGV("a", "b", "--src-dir"),
	    "option '--src-dir' requires an argument");
}

static void
test_options__argument_not_allowed(void **state)
{
	(void)state;
	/* GNU getopt names the option, not the word the user typed. */
	assert_usage_error(ARGV("--verbose=x", "a", "b"),
	    "option '--verbose' doesn't allow an argument");
}

static void
test_options__recursive(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-r", "a", "b"));
	assert_true(c.opts.recursive);
	parse_ok(&c, ARGV("--recursive", "-t", "d", "a"));
	assert_true(c.opts.recursive);
	assert_usage_error(ARGV("--list", "-r", "a"),
	    "option '--recursive' cannot be used with --list");
}

static void
test_options__jobs(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("-r", "-j", "3", "a", "b"));
	assert_int_equal(c.opts.jobs, 3);
	parse_ok(&c, ARGV("-r", "--jobs=1", "a", "b"));
	assert_int_equal(c.opts.jobs, 1);
	parse_ok(&c, ARGV("-r", "a", "b"));
	assert_true(c.opts.jobs >= 1 && c.opts.jobs <= HL_MAX_JOBS);
	assert_usage_error(ARGV("-j", "0", "a", "b"),
	    "-j wants a number of threads from 1 to 16, not '0'");
	assert_usage_error(ARGV("-j", "2x", "a", "b"),
	    "-j wants a number of threads from 1 to 16, not '2x'");
	assert_usage_error(ARGV("-j", "17", "a", "b"),
	    "-j wants a number of threads from 1 to 16, not '17'");
}

static void
test_options__list(void **state)
{
	(void)state;
	assert_usage_error(ARGV("--list"), "missing file operand");
	assert_usage_error(ARGV("--list", "-f", "a"),
	    "option '--force' cannot be used with --list");
	assert_usage_error(ARGV("-0", "a", "b"), "-0 (--null) requires --list");
}

static void
test_options__dedup(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--dedup", "r"));
	assert_true(c.opts.dedup.on);
	assert_int_equal(c.opts.noperands, 1);
	assert_true(c.opts.dedup.min_size == 1);
	assert_true(c.opts.dedup.max_size == ULLONG_MAX);
	assert_false(c.opts.dedup.content_only);
	assert_false(c.opts.dedup.respect_time);
	parse_ok(&c, ARGV("--dedup", "--content-only", "--respect-time",
	    "-v", "-q", "--dry-run", "-j", "2", "--progress", "a", "b"));
	assert_true(c.opts.dedup.content_only);
	assert_true(c.opts.dedup.respect_time);
	assert_true(c.opts.verbose && c.opts.quiet);
	assert_true(c.opts.link_flags & HL_DRY_RUN);
	assert_int_equal(c.opts.jobs, 2);
	assert_int_equal(c.opts.progress, PROGRESS_ALWAYS);
	assert_int_equal(c.opts.noperands, 2);
	parse_ok(&c, ARGV("--dedup", "--progress", "--no-progress", "r"));
	assert_int_equal(c.opts.progress, PROGRESS_NEVER);
	assert_usage_error(ARGV("--dedup"), "missing ROOT operand");
	parse_ok(&c, ARGV("--dedup", "--clone", "--content-only", "r"));
	assert_true(c.opts.dedup.clone);
	assert_true(c.opts.dedup.content_only);
}

static void
test_options__dedup_rejects_linking_options(void **state)
{
	static const char *const bad[][2] = {
		{ "-f", "force" }, { "-i", "interactive" },
		{ "-s", "symlink-fallback" }, { "-n", "no-dereference" },
		{ "-T", "no-target-directory" }, { "-L", "follow" },
		{ "-P", "no-follow" }, { "--src-dir=d", "src-dir" },
		{ "--dst-dir=d", "dst-dir" }, { "--relative", "relative" },
		{ "-r", "recursive" }, { "--list", "list" }, { "-0", "null" },
		{ "-td", "target-directory" },
	};
	char	want[128];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
		    "option '--%s' cannot be used with --dedup", bad[i][1]);
		assert_usage_error(ARGV("--dedup", bad[i][0], "r"), want);
		assert_usage_error(ARGV(bad[i][0], "--dedup", "r"), want);
	}
}

static void
test_options__dedup_only_options_need_dedup(void **state)
{
	(void)state;
	assert_usage_error(ARGV("--min-size=1", "a", "b"),
	    "option '--min-size' requires --dedup");
	assert_usage_error(ARGV("--max-size=1", "a", "b"),
	    "option '--max-size' requires --dedup");
	assert_usage_error(ARGV("--content-only", "a", "b"),
	    "option '--content-only' requires --dedup");
	assert_usage_error(ARGV("--respect-time", "a", "b"),
	    "option '--respect-time' requires --dedup");
	assert_usage_error(ARGV("--clone", "a", "b"),
	    "option '--clone' requires --dedup");
}

static void
test_options__dedup_sizes(void **state)
{
	struct cmdline	c;

	(void)state;
	parse_ok(&c, ARGV("--dedup", "--min-size=0", "--max-size=2k", "r"));
	assert_true(c.opts.dedup.min_size == 0);
	assert_true(c.opts.dedup.max_size == 2048);
	parse_ok(&c, ARGV("--dedup", "--min-size", "3M", "--max-size=1T",
	    "r"));
	assert_true(c.opts.dedup.min_size == 3ULL << 20);
	assert_true(c.opts.dedup.max_size == 1ULL << 40);
	assert_usage_error(ARGV("--dedup", "--min-size=1X", "r"),
	    "invalid --min-size: '1X' (a number of bytes, with K, M, G or T "
	    "for powers of 1024)");
	assert_usage_error(ARGV("--dedup", "--max-size=-1", "r"),
	    "invalid --max-size: '-1' (a number of bytes, with K, M, G or T "
	    "for powers of 1024)");
}

static void
test_options__parse_size(void **state)
{
	static const struct {
		const char		*arg;
		unsigned long long	 want;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "1k", 1024 }, { "1K", 1024 },
		{ "2m", 2ULL << 20 }, { "2M", 2ULL << 20 },
		{ "3g", 3ULL << 30 }, { "3G", 3ULL << 30 },
		{ "4t", 4ULL << 40 }, { "4T", 4ULL << 40 },
		{ "18446744073709551615", ULLONG_MAX },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "k", "1kb", "1 ", " 1", "-1", "+1", "1.5k", "1P", "0x10",
		"18446744073709551616", "16777216T", "18014398509481984K",
	};
	unsigned long long	n;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(hl_parse_size(good[i].arg, &n), 0);
		assert_true(n == good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hl_parse_size(bad[i], &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options__defaults),
		cmocka_unit_test(test_options__no_follow),
		cmocka_unit_test(test_options__follow_then_no_follow),
		cmocka_unit_test(test_options__no_follow_then_follow),
		cmocka_unit_test(test_options__force_then_interactive),
		cmocka_unit_test(test_options__interactive_then_force),
		cmocka_unit_test(test_options__symlink_fallback),
		cmocka_unit_test(test_options__relative_with_symlink),
		cmocka_unit_test(test_options__dry_run),
		cmocka_unit_test(test_options__src_dir),
		cmocka_unit_test(test_options__dst_dir),
		cmocka_unit_test(test_options__target_directory),
		cmocka_unit_test(test_options__no_target_directory),
		cmocka_unit_test(test_options__no_dereference),
		cmocka_unit_test(test_options__verbose),
		cmocka_unit_test(test_options__quiet),
		cmocka_unit_test(test_options__clustered),
		cmocka_unit_test(test_options__help),
		cmocka_unit_test(test_options__version),
		cmocka_unit_test(test_options__after_operands),
		cmocka_unit_test(test_options__double_dash),
		cmocka_unit_test(test_options__no_operands),
		cmocka_unit_test(test_options__one_operand),
		cmocka_unit_test(test_options__one_operand_quoted),
		cmocka_unit_test(test_options__target_directory_without_src),
		cmocka_unit_test(test_options__no_target_directory_extra),
		cmocka_unit_test(test_options__target_with_no_target),
		cmocka_unit_test(test_options__relative_without_symlink),
		cmocka_unit_test(test_options__unknown_short),
		cmocka_unit_test(test_options__unknown_short_in_cluster),
		cmocka_unit_test(test_options__unknown_short_after_long),
		cmocka_unit_test(test_options__unknown_long),
		cmocka_unit_test(test_options__missing_argument_short),
		cmocka_unit_test(test_options__missing_argument_long),
		cmocka_unit_test(test_options__argument_not_allowed),
		cmocka_unit_test(test_options__ambiguous_long),
		cmocka_unit_test(test_options__fallback_list),
		cmocka_unit_test(test_options__fallback_last_wins),
		cmocka_unit_test(test_options__fallback_bad),
		cmocka_unit_test(test_options__fallback_relative),
		cmocka_unit_test(test_options__recursive),
		cmocka_unit_test(test_options__jobs),
		cmocka_unit_test(test_options__list),
		cmocka_unit_test(test_options__dedup),
		cmocka_unit_test(test_options__dedup_rejects_linking_options),
		cmocka_unit_test(test_options__dedup_only_options_need_dedup),
		cmocka_unit_test(test_options__dedup_sizes),
		cmocka_unit_test(test_options__parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
