/*
 * test_path.c: the path strings behind messages and fallback symlinks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "path.h"

static void
assert_relative(const char *from, const char *to, const char *want)
{
	char	buf[256];

	assert_int_equal(hl_relative_path(from, to, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* The answer points into path at its last name. */
static void
assert_basename_in_path(const char *path, const char *want)
{
	char		 buf[64];
	const char	*name;

	memset(buf, 'X', sizeof(buf));
	name = hl_basename(path, buf, sizeof(buf));
	assert_string_equal(name, want);
	assert_true(name >= path && name < path + strlen(path));
}

/* The answer is copied to buf, without path's trailing slashes. */
static void
assert_basename_in_buf(const char *path, const char *want)
{
	char		 buf[64];
	const char	*name;

	name = hl_basename(path, buf, sizeof(buf));
	assert_ptr_equal(name, buf);
	assert_string_equal(buf, want);
}

static void
assert_parent(const char *path, const char *want)
{
	char	buf[64];

	hl_parent(path, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
assert_shown_parent(const char *call, const char *shown, const char *want)
{
	char	buf[64];

	hl_shown_parent(call, shown, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
assert_shown_prefix(const char *call, const char *shown, size_t len,
    const char *want)
{
	char	buf[64];

	hl_shown_prefix(call, shown, len, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* Walks path with hl_next_dir_prefix(); want ends with NULL. */
static void
assert_dir_prefixes(const char *path, const char *const *want)
{
	char	prefix[64];
	size_t	len = 0;

	for (; *want != NULL; want++) {
		assert_true(hl_next_dir_prefix(path, &len, prefix,
		    sizeof(prefix)));
		assert_string_equal(prefix, *want);
		assert_int_equal(len, strlen(*want));
	}
	assert_false(hl_next_dir_prefix(path, &len, prefix, sizeof(prefix)));
}

static void
test_path__relative_same_dir(void **state)
{
	(void)state;
	assert_relative("/a/b", "/a/b", ".");
}

static void
test_path__relative_child(void **state)
{
	(void)state;
	assert_relative("/a", "/a/f", "f");
	assert_relative("/a/b", "/a/b/c/f", "c/f");
}

static void
test_path__relative_parent(void **state)
{
	(void)state;
	assert_relative("/a/b", "/a", "..");
	assert_relative("/a/b/c", "/a", "../..");
}

static void
test_path__relative_sibling(void **state)
{
	(void)state;
	assert_relative("/a/b", "/a/c", "../c");
	assert_relative("/a/b", "/a/c/f", "../c/f");
}

static void
test_path__relative_from_root(void **state)
{
	(void)state;
	assert_relative("/", "/a/f", "a/f");
	assert_relative("/", "/", ".");
}

static void
test_path__relative_to_root(void **state)
{
	(void)state;
	assert_relative("/a", "/", "..");
	assert_relative("/a/b", "/", "../..");
}

static void
test_path__relative_prefix_not_component(void **state)
{
	(void)state;
	assert_relative("/ab", "/a/x", "../a/x");
	assert_relative("/a/x", "/ab", "../../ab");
	assert_relative("/a", "/ab/f", "../ab/f");
	assert_relative("/ab", "/a", "../a");
}

static void
test_path__relative_deep(void **state)
{
	(void)state;
	assert_relative("/srv/data/x/y/z", "/srv/data/p/q/file",
	    "../../../p/q/file");
	assert_relative("/home/u/dst", "/mnt/src/dir/file",
	    "../../../mnt/src/dir/file");
}

static void
test_path__relative_too_small(void **state)
{
	char	buf[4];

	(void)state;
	assert_int_equal(hl_relative_path("/a/b", "/c/d", buf, sizeof(buf)),
	    -1);
	assert_int_equal(hl_relative_path("/a", "/a", buf, 0), -1);
}

static void
test_path__relative_exact_size(void **state)
{
	char	buf[5];

	(void)state;
	assert_int_equal(hl_relative_path("/a/b", "/a/c", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "../c");
}

static void
test_path__basename_plain(void **state)
{
	(void)state;
	assert_basename_in_path("a", "a");
}

static void
test_path__basename_with_dirs(void **state)
{
	(void)state;
	assert_basename_in_path("d/e/a", "a");
	assert_basename_in_path("/d/a", "a");
}

static void
test_path__basename_trailing_slash(void **state)
{
	(void)state;
	assert_basename_in_buf("d/a/", "a");
	assert_basename_in_buf("d/a//", "a");
	assert_basename_in_buf("a/", "a");
}

static void
test_path__basename_root(void **state)
{
	char	buf[16];

	(void)state;
	assert_string_equal(hl_basename("/", buf, sizeof(buf)), "/");
	assert_string_equal(hl_basename("//", buf, sizeof(buf)), "/");
}

static void
test_path__parent_none(void **state)
{
	(void)state;
	assert_parent("a", ".");
}

static void
test_path__parent_relative(void **state)
{
	(void)state;
	assert_parent("d/a", "d");
	assert_parent("d/e/a", "d/e");
	assert_parent("d//a", "d");
}

static void
test_path__parent_root(void **state)
{
	(void)state;
	assert_parent("/a", "/");
}

static void
test_path__parent_trailing_slash(void **state)
{
	(void)state;
	assert_parent("d/a/", "d");
	assert_parent("a/", ".");
}

static void
test_path__shown_parent_dir_form(void **state)
{
	(void)state;
	assert_shown_parent("name", "DIR/name", "DIR");
	assert_shown_parent("name", "/abs/DIR/name", "/abs/DIR");
}

static void
test_path__shown_parent_same(void **state)
{
	(void)state;
	assert_shown_parent("d/a", "d/a", "d");
	assert_shown_parent("a", "a", ".");
	assert_shown_parent("/a", "/a", "/");
}

static void
test_path__shown_parent_dir_trailing_slash(void **state)
{
	(void)state;
	assert_shown_parent("name", "DIR//name", "DIR");
	assert_shown_parent("name", "/name", "/");
}

static void
test_path__shown_parent_call_with_dirs(void **state)
{
	(void)state;
	assert_shown_parent("sub/name", "DIR/sub/name", "DIR/sub");
}

static void
test_path__shown_prefix(void **state)
{
	(void)state;
	assert_shown_prefix("a/b/c", "DIR/a/b/c", 1, "DIR/a");
	assert_shown_prefix("a/b/c", "DIR/a/b/c", 3, "DIR/a/b");
	assert_shown_prefix("a/b/c", "a/b/c", 3, "a/b");
	assert_shown_prefix("name", "DIR/name", 0, "DIR");
	assert_shown_prefix("name", "name", 0, ".");
}

static void
test_path__shown_prefix_not_suffix(void **state)
{
	(void)state;
	/* shown does not end with call: fall back to call itself. */
	assert_shown_prefix("a/b", "x/c", 1, "a");
}

static void
test_path__next_dir_prefix_walk(void **state)
{
	static const char *const want[] = { "a", "a/b", NULL };

	(void)state;
	assert_dir_prefixes("a/b/c", want);
}

static void
test_path__next_dir_prefix_absolute(void **state)
{
	static const char *const want[] = { "/a", "/a/b", NULL };

	(void)state;
	assert_dir_prefixes("/a/b/c", want);
}

static void
test_path__next_dir_prefix_repeated_slashes(void **state)
{
	static const char *const want[] = { "a", "a//b", NULL };

	(void)state;
	assert_dir_prefixes("a//b///c", want);
}

static void
test_path__next_dir_prefix_trailing_slash(void **state)
{
	static const char *const want[] = { "a", NULL };

	(void)state;
	assert_dir_prefixes("a/b/", want);
}

static void
test_path__next_dir_prefix_single_name(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	assert_dir_prefixes("a", none);
	assert_dir_prefixes("/a", none);
	assert_dir_prefixes("a/", none);
}

static void
test_path__trailing_slash(void **state)
{
	(void)state;
	assert_true(hl_has_trailing_slash("a/"));
	assert_true(hl_has_trailing_slash("d/a//"));
	assert_false(hl_has_trailing_slash("a"));
	assert_false(hl_has_trailing_slash("d/a"));
	assert_false(hl_has_trailing_slash("/"));
	assert_false(hl_has_trailing_slash(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path__relative_same_dir),
		cmocka_unit_test(test_path__relative_child),
		cmocka_unit_test(test_path__relative_parent),
		cmocka_unit_test(test_path__relative_sibling),
		cmocka_unit_test(test_path__relative_from_root),
		cmocka_unit_test(test_path__relative_to_root),
		cmocka_unit_test(test_path__relative_prefix_not_component),
		cmocka_unit_test(test_path__relative_deep),
		cmocka_unit_test(test_path__relative_too_small),
		cmocka_unit_test(test_path__relative_exact_size),
		cmocka_unit_test(test_path__basename_plain),
		cmocka_unit_test(test_path__basename_with_dirs),
		cmocka_unit_test(test_path__basename_trailing_slash),
		cmocka_unit_test(test_path__basename_root),
		cmocka_unit_test(test_path__parent_none),
		cmocka_unit_test(test_path__parent_relative),
		cmocka_unit_test(test_path__parent_root),
		cmocka_unit_test(test_path__parent_trailing_slash),
		cmocka_unit_test(test_path__shown_parent_dir_form),
		cmocka_unit_test(test_path__shown_parent_same),
		cmocka_unit_test(test_path__shown_parent_dir_trailing_slash),
		cmocka_unit_test(test_path__shown_parent_call_with_dirs),
		cmocka_unit_test(test_path__shown_prefix),
		cmocka_unit_test(test_path__shown_prefix_not_suffix),
		cmocka_unit_test(test_path__next_dir_prefix_walk),
		cmocka_unit_test(test_path__next_dir_prefix_absolute),
		cmocka_unit_test(test_path__next_dir_prefix_repeated_slashes),
		cmocka_unit_test(test_path__next_dir_prefix_trailing_slash),
		cmocka_unit_test(test_path__next_dir_prefix_single_name),
		cmocka_unit_test(test_path__trailing_slash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
