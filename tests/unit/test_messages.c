/*
 * test_messages.c: every row of the message table, by hand-made outcome.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "hardlink.h"

#define HINT_SYMLINK	"use -s to make a symbolic link instead"

/* hlink a d/b, as the core would see it after opening nothing. */
static const struct hl_request request = {
	.srcdirfd = -1,
	.src = "a",
	.src_shown = "a",
	.dstdirfd = -1,
	.dst = "d/b",
	.dst_shown = "d/b",
	.flags = HL_FOLLOW
};

/* struct hl_outcome holds four PATH_MAX buffers: keep it off the stack. */
static struct hl_outcome outcome;

static struct hl_outcome *
failed(enum hl_cause cause, int err)
{
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = HL_FAILED;
	outcome.cause = cause;
	outcome.err = err;
	outcome.link_max = -1;
	return &outcome;
}

static void
set_field(char *field, const char *value)
{
	snprintf(field, PATH_MAX, "%s", value);
}

static void
assert_message(const struct hl_request *req, const struct hl_outcome *out,
    const char *why, const char *hint)
{
	char	buf[1024];

	int	n = hl_format_why(req, out, buf, sizeof(buf));

	assert_string_equal(buf, why);
	assert_int_equal(n, strlen(why));
	if (hint == NULL)
		assert_null(hl_hint(out));
	else
		assert_string_equal(hl_hint(out), hint);
}

/* Formats into an exact-size heap buffer, so ASan sees any overrun. */
static void
assert_truncated(const struct hl_outcome *out, const char *full,
    size_t size)
{
	char	*buf = size > 0 ? malloc(size) : NULL;
	size_t	 kept = strlen(full) < size ? strlen(full) : size - 1;

	assert_int_equal(hl_format_why(&request, out, buf, size),
	    strlen(full));
	if (size > 0) {
		assert_memory_equal(buf, full, kept);
		assert_int_equal(buf[kept], '\0');
	}
	free(buf);
}

static void
test_messages__none(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_NONE, EPERM),
	    strerror(EPERM), NULL);
}

static void
test_messages__src_missing(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_SRC_MISSING, ENOENT);

	(void)state;
	out->role = HL_ROLE_SRC;
	set_field(out->path, "a");
	assert_message(&request, out, "'a' does not exist", NULL);
}

static void
test_messages__src_dangling(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_SRC_DANGLING, ENOENT);

	(void)state;
	out->role = HL_ROLE_SRC;
	set_field(out->path, "a");
	assert_message(&request, out, "'a' is a dangling symbolic link",
	    "use -P to link the symbolic link itself");
}

static void
test_messages__dstdir_missing(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_DSTDIR_MISSING, ENOENT);

	(void)state;
	out->role = HL_ROLE_DSTDIR;
	set_field(out->path, "d");
	assert_message(&request, out, "directory 'd' does not exist", NULL);
}

static void
test_messages__exists(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_EXISTS, EEXIST),
	    "'d/b' already exists", "use -f to replace it");
}

static void
test_messages__cross_device(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_CROSS_DEVICE, EXDEV);

	(void)state;
	set_field(out->where, "/");
	set_field(out->where2, "/mnt/usb");
	assert_message(&request, out,
	    "'a' is on '/' and 'd/b' would be on '/mnt/usb', another "
	    "filesystem", HINT_SYMLINK);
}

static void
test_messages__src_is_dir(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_SRC_IS_DIR, EPERM),
	    "'a' is a directory, and directories cannot be hard-linked",
	    HINT_SYMLINK);
}

static void
test_messages__no_links_fs(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NO_LINKS_FS, EPERM);

	(void)state;
	set_field(out->where, "/dev/mqueue");
	assert_message(&request, out,
	    "the filesystem at '/dev/mqueue' does not support hard links",
	    HINT_SYMLINK);
}

static void
test_messages__other_owner(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_OTHER_OWNER, EPERM),
	    "'a' belongs to another user, and fs.protected_hardlinks "
	    "forbids linking it",
	    HINT_SYMLINK ", or run as the file's owner");
}

static void
test_messages__immutable(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_IMMUTABLE, EPERM),
	    "'a' is immutable or append-only", "see lsattr(1) and chattr(1)");
}

static void
test_messages__immutable_dst(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_DST_IMMUTABLE, EPERM),
	    "'d/b' is immutable or append-only, and cannot be replaced",
	    "see lsattr(1) and chattr(1)");
}

static void
test_messages__protected_directory(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_DIR_IMMUTABLE, EPERM);

	(void)state;
	set_field(out->where, "d");
	assert_message(&request, out, "directory 'd' is immutable: no name "
	    "in it can be made or replaced", "see lsattr(1) and chattr(1)");
	out = failed(HL_CAUSE_DIR_APPEND_ONLY, EPERM);
	set_field(out->where, "d");
	assert_message(&request, out, "directory 'd' is append-only: names "
	    "can be added to it but not replaced",
	    "see lsattr(1) and chattr(1)");
}

/*
 * --dedup's hints: -s, -f and -P are usage errors there, so no hint
 * names an option; every other hint is the link mode's.
 */
static void
test_messages__dedup_hints(void **state)
{
	const char	*link, *dedup;
	int		 cause;

	(void)state;
	for (cause = HL_CAUSE_NONE; cause <= HL_CAUSE_OTHER; cause++) {
		link = hl_hint(failed((enum hl_cause)cause, EPERM));
		dedup = hl_dedup_hint(&outcome);
		if (dedup != NULL && strstr(dedup, " -") != NULL)
			fail_msg("cause %d: dedup hint '%s'", cause, dedup);
		if (link != NULL && strstr(link, " -") == NULL &&
		    (dedup == NULL || strcmp(link, dedup) != 0))
			fail_msg("cause %d: hint '%s' lost", cause, link);
	}
	assert_string_equal(hl_dedup_hint(failed(HL_CAUSE_OTHER_OWNER,
	    EPERM)), "run as the file's owner");
	assert_null(hl_dedup_hint(failed(HL_CAUSE_TOO_MANY_LINKS, EMLINK)));
	assert_null(hl_dedup_hint(failed(HL_CAUSE_EXISTS, EEXIST)));
}

static void
test_messages__too_many_links(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_TOO_MANY_LINKS, EMLINK);

	(void)state;
	out->nlink = 65000;
	out->link_max = 65000;
	assert_message(&request, out,
	    "'a' already has 65000 links, the maximum (65000) for its "
	    "filesystem", HINT_SYMLINK);
}

static void
test_messages__too_many_links_unknown_max(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_TOO_MANY_LINKS, EMLINK);

	(void)state;
	out->nlink = 127;
	out->link_max = -1;
	assert_message(&request, out,
	    "'a' already has 127 links, the maximum for its filesystem",
	    HINT_SYMLINK);
}

static void
test_messages__no_search(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NO_SEARCH, EACCES);

	(void)state;
	set_field(out->where, "d");
	assert_message(&request, out, "no permission to search directory 'd'",
	    NULL);
}

static void
test_messages__no_write(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NO_WRITE, EACCES);

	(void)state;
	set_field(out->where, "d");
	assert_message(&request, out,
	    "no permission to write in directory 'd'", NULL);
}

static void
test_messages__no_space(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NO_SPACE, ENOSPC);

	(void)state;
	set_field(out->where, "/mnt");
	assert_message(&request, out,
	    "no space left on the filesystem at '/mnt'", NULL);
}

static void
test_messages__quota(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_QUOTA, EDQUOT);

	(void)state;
	set_field(out->where, "/home");
	assert_message(&request, out,
	    "disk quota exceeded on the filesystem at '/home'", NULL);
}

static void
test_messages__read_only(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_READ_ONLY, EROFS);

	(void)state;
	set_field(out->where, "/media/cd");
	assert_message(&request, out,
	    "the filesystem at '/media/cd' is read-only", NULL);
}

static void
test_messages__io(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_IO, EIO);

	(void)state;
	set_field(out->where, "/mnt");
	assert_message(&request, out,
	    "input/output error on the filesystem at '/mnt'", NULL);
}

static void
test_messages__loop(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_LOOP, ELOOP);

	(void)state;
	out->role = HL_ROLE_DST;
	set_field(out->path, "d/b");
	assert_message(&request, out,
	    "too many levels of symbolic links in 'd/b'", NULL);
}

static void
test_messages__name_too_long(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NAME_TOO_LONG,
				    ENAMETOOLONG);

	(void)state;
	out->role = HL_ROLE_SRC;
	set_field(out->path, "a");
	assert_message(&request, out, "'a' or a name in it is too long",
	    NULL);
}

static void
test_messages__not_dir(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_NOT_DIR, ENOTDIR);

	(void)state;
	out->role = HL_ROLE_DST;
	set_field(out->path, "d/b");
	set_field(out->where, "d");
	assert_message(&request, out, "'d' is not a directory", NULL);
}

static void
test_messages__dst_is_dir(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_DST_IS_DIR, EISDIR),
	    "'d/b' is a directory and cannot be replaced", NULL);
}

static void
test_messages__no_special(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_NO_SPECIAL, EPERM),
	    "cannot create the special file 'd/b': Operation not permitted",
	    NULL);
}

static void
test_messages__other(void **state)
{
	(void)state;
	assert_message(&request, failed(HL_CAUSE_OTHER, EBUSY),
	    strerror(EBUSY), NULL);
}

static void
test_messages__unknown_cause(void **state)
{
	(void)state;
	/* A cause past the table reads as the last row, not past it. */
	assert_message(&request,
	    failed((enum hl_cause)(HL_CAUSE_OTHER + 1), EBUSY),
	    strerror(EBUSY), NULL);
	assert_false(hl_cause_falls_back(
	    (enum hl_cause)(HL_CAUSE_OTHER + 1)));
}

static void
test_messages__escaped_names(void **state)
{
	const struct hl_request	 req = {
		.src = "a\nb", .src_shown = "x/a\nb",
		.dst = "\x1b[2J", .dst_shown = "d/\x1b[2J",
		.flags = HL_FOLLOW
	};
	struct hl_outcome	*out = failed(HL_CAUSE_CROSS_DEVICE, EXDEV);

	(void)state;
	set_field(out->where, "/mnt/it's");
	set_field(out->where2, "/mnt/\xff");
	assert_message(&req, out,
	    "'x/a\\nb' is on '/mnt/it\\'s' and 'd/\\x1b[2J' would be on "
	    "'/mnt/\\xff', another filesystem", HINT_SYMLINK);
}

static void
test_messages__escaped_path(void **state)
{
	struct hl_outcome	*out = failed(HL_CAUSE_DSTDIR_MISSING, ENOENT);

	(void)state;
	set_field(out->path, "d\t\\\xc2\x9b");
	assert_message(&request, out,
	    "directory 'd\\t\\\\\\xc2\\x9b' does not exist", NULL);
}

static void
test_messages__truncated(void **state)
{
	const char		*full = "'a' is on '/' and 'd/b' would be on "
				    "'/mnt/usb', another filesystem";
	struct hl_outcome	*out = failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	size_t			 size;

	(void)state;
	set_field(out->where, "/");
	set_field(out->where2, "/mnt/usb");
	/* Every cut: in plain text, inside a quoted name, at the end. */
	for (size = 0; size <= strlen(full) + 1; size++)
		assert_truncated(out, full, size);
}

static void
test_messages__truncated_number(void **state)
{
	const char		*full = "'a' already has 65000 links, the "
				    "maximum (65000) for its filesystem";
	struct hl_outcome	*out = failed(HL_CAUSE_TOO_MANY_LINKS, EMLINK);
	size_t			 size;

	(void)state;
	out->nlink = 65000;
	out->link_max = 65000;
	for (size = 0; size <= strlen(full) + 1; size++)
		assert_truncated(out, full, size);
}

static void
test_messages__small_buffer(void **state)
{
	char	buf[10];

	(void)state;
	assert_int_equal(hl_format_why(&request,
	    failed(HL_CAUSE_EXISTS, EEXIST), buf, sizeof(buf)), 20);
	assert_string_equal(buf, "'d/b' alr");
}

static bool
should_fall_back(enum hl_cause cause)
{
	switch (cause) {
	case HL_CAUSE_CROSS_DEVICE:
	case HL_CAUSE_SRC_IS_DIR:
	case HL_CAUSE_NO_LINKS_FS:
	case HL_CAUSE_OTHER_OWNER:
	case HL_CAUSE_TOO_MANY_LINKS:
		return true;
	default:
		return false;
	}
}

static void
test_messages__falls_back(void **state)
{
	int	cause;

	(void)state;
	for (cause = HL_CAUSE_NONE; cause <= HL_CAUSE_OTHER; cause++) {
		if (hl_cause_falls_back((enum hl_cause)cause) !=
		    should_fall_back((enum hl_cause)cause))
			fail_msg("hl_cause_falls_back(%d) is %d", cause,
			    hl_cause_falls_back((enum hl_cause)cause));
	}
}

static void
add_tried(int kind, int why, int step, int err)
{
	outcome.tried[outcome.ntried++] = (struct hl_tried){ kind, why, step,
	    err };
}

/* --fallback: the link's why, then each KIND's, and no hint. */
static void
test_messages__fallback_kinds(void **state)
{
	(void)state;
	failed(HL_CAUSE_SRC_IS_DIR, EPERM);
	add_tried(HL_KIND_CLONE, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC, 0);
	add_tried(HL_KIND_COPY, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC, 0);
	assert_message(&request, &outcome, "'a' is a directory, and "
	    "directories cannot be hard-linked; clone: 'a' is not a regular "
	    "file; copy: 'a' is not a regular file", NULL);
	failed(HL_CAUSE_TOO_MANY_LINKS, EMLINK);
	outcome.nlink = 8;
	set_field(outcome.fsdir, "/m");
	add_tried(HL_KIND_CLONE, HL_COPY_CLONE_NO_FS, HL_STEP_CLONE, 0);
	add_tried(HL_KIND_COPY, HL_COPY_ERRNO, HL_STEP_COPY, ENOSPC);
	assert_message(&request, &outcome, "'a' already has 8 links, the "
	    "maximum for its filesystem; clone: the filesystem at '/m' "
	    "cannot clone; copy: no space left on the filesystem at '/m'",
	    NULL);
	failed(HL_CAUSE_OTHER_OWNER, EPERM);
	set_field(outcome.fsdir, "/m");
	add_tried(HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, EPERM);
	add_tried(HL_KIND_COPY, HL_COPY_ERRNO, HL_STEP_OPEN_SRC, EACCES);
	assert_message(&request, &outcome, "'a' belongs to another user, and "
	    "fs.protected_hardlinks forbids linking it; symlink: the "
	    "filesystem at '/m' does not support symbolic links; copy: cannot "
	    "read 'a': Permission denied", NULL);
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	add_tried(HL_KIND_CLONE, HL_COPY_CLONE_XDEV, HL_STEP_CLONE, EXDEV);
	add_tried(HL_KIND_COPY, HL_COPY_CHANGED, HL_STEP_COPY, 0);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; clone: no clone across filesystems; "
	    "copy: 'a' changed while it was copied", NULL);
	/* A copy made: the notice's why is the link's alone. */
	outcome.status = HL_COPIED;
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem", HINT_SYMLINK);
}

/*
 * The KIND symlink's reasons, labelled by the KIND's option name as
 * clone and copy are: a filesystem without symlinks, a full one, else
 * the errno.
 */
static void
test_messages__fallback_symlink_reasons(void **state)
{
	(void)state;
	failed(HL_CAUSE_NO_LINKS_FS, EPERM);
	set_field(outcome.where, "/q");
	set_field(outcome.fsdir, "/q");
	add_tried(HL_KIND_CLONE, HL_COPY_CLONE_NO_FS, HL_STEP_CLONE, 0);
	add_tried(HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, EPERM);
	assert_message(&request, &outcome, "the filesystem at '/q' does not "
	    "support hard links; clone: the filesystem at '/q' cannot clone; "
	    "symlink: the filesystem at '/q' does not support symbolic links",
	    NULL);
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	set_field(outcome.fsdir, "/m");
	add_tried(HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, ENOSPC);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; symlink: no space left on the "
	    "filesystem at '/m'", NULL);
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	add_tried(HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, EACCES);
	add_tried(HL_KIND_COPY, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC, 0);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; symlink: cannot make 'd/b': "
	    "Permission denied; copy: 'a' is not a regular file", NULL);
}

/* A KIND's failure in DST's directory or filesystem names it. */
static void
test_messages__fallback_kinds_name_where(void **state)
{
	(void)state;
	/* DST's directory, as the user named it, where it refused. */
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	add_tried(HL_KIND_COPY, HL_COPY_NO_WRITE, HL_STEP_CREATE_TEMP, EACCES);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; copy: no permission to write in "
	    "directory 'd'", NULL);
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	add_tried(HL_KIND_COPY, HL_COPY_NO_SEARCH, HL_STEP_CREATE_TEMP, EACCES);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; copy: no permission to search "
	    "directory 'd'", NULL);
	failed(HL_CAUSE_CROSS_DEVICE, EXDEV);
	set_field(outcome.where, "/");
	set_field(outcome.where2, "/m");
	add_tried(HL_KIND_COPY, HL_COPY_ERRNO, HL_STEP_CREATE_TEMP, EPERM);
	assert_message(&request, &outcome, "'a' is on '/' and 'd/b' would be "
	    "on '/m', another filesystem; copy: cannot create a file in "
	    "directory 'd': Operation not permitted", NULL);
	/* mqueue takes no write: the step, the filesystem, the error. */
	failed(HL_CAUSE_NO_LINKS_FS, EPERM);
	set_field(outcome.where, "/q");
	set_field(outcome.fsdir, "/q");
	add_tried(HL_KIND_COPY, HL_COPY_ERRNO, HL_STEP_WRITE, EINVAL);
	assert_message(&request, &outcome, "the filesystem at '/q' does not "
	    "support hard links; copy: cannot write to the filesystem at "
	    "'/q': Invalid argument", NULL);
	failed(HL_CAUSE_NO_LINKS_FS, EPERM);
	set_field(outcome.where, "/q");
	add_tried(HL_KIND_COPY, HL_COPY_ERRNO, HL_STEP_READ, EBADF);
	assert_message(&request, &outcome, "the filesystem at '/q' does not "
	    "support hard links; copy: cannot read 'a': Bad file descriptor",
	    NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages__none),
		cmocka_unit_test(test_messages__src_missing),
		cmocka_unit_test(test_messages__src_dangling),
		cmocka_unit_test(test_messages__dstdir_missing),
		cmocka_unit_test(test_messages__exists),
		cmocka_unit_test(test_messages__cross_device),
		cmocka_unit_test(test_messages__src_is_dir),
		cmocka_unit_test(test_messages__no_links_fs),
		cmocka_unit_test(test_messages__other_owner),
		cmocka_unit_test(test_messages__immutable),
		cmocka_unit_test(test_messages__immutable_dst),
		cmocka_unit_test(test_messages__protected_directory),
		cmocka_unit_test(test_messages__dedup_hints),
		cmocka_unit_test(test_messages__too_many_links),
		cmocka_unit_test(test_messages__too_many_links_unknown_max),
		cmocka_unit_test(test_messages__no_search),
		cmocka_unit_test(test_messages__no_write),
		cmocka_unit_test(test_messages__no_space),
		cmocka_unit_test(test_messages__quota),
		cmocka_unit_test(test_messages__read_only),
		cmocka_unit_test(test_messages__io),
		cmocka_unit_test(test_messages__loop),
		cmocka_unit_test(test_messages__name_too_long),
		cmocka_unit_test(test_messages__not_dir),
		cmocka_unit_test(test_messages__dst_is_dir),
		cmocka_unit_test(test_messages__no_special),
		cmocka_unit_test(test_messages__other),
		cmocka_unit_test(test_messages__unknown_cause),
		cmocka_unit_test(test_messages__escaped_names),
		cmocka_unit_test(test_messages__escaped_path),
		cmocka_unit_test(test_messages__truncated),
		cmocka_unit_test(test_messages__truncated_number),
		cmocka_unit_test(test_messages__small_buffer),
		cmocka_unit_test(test_messages__falls_back),
		cmocka_unit_test(test_messages__fallback_kinds),
		cmocka_unit_test(test_messages__fallback_symlink_reasons),
		cmocka_unit_test(test_messages__fallback_kinds_name_where),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
