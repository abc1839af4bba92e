/*
 * test_core.c: hl_link() and hl_diagnose() on a real temporary directory,
 * with one syscall at a time made to fail through the wrappers in wrap.c.
 */
#define _GNU_SOURCE	/* seteuid() */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardlink.h"
#include "memo.h"
#include "sys.h"
#include "sandbox.h"
#include "wrap.h"

#define NOBODY	65534


static struct hl_outcome	out;	/* 16 KiB: kept off the stack */

static void
write_file(int dirfd, const char *name, const char *text)
{
	int	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *
read_file(int dirfd, const char *name)
{
	static char	buf[256];
	int		fd = openat(dirfd, name, O_RDONLY);
	ssize_t		n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int
setup(void **state)
{
	static struct sandbox	f;

	wrap_reset();
	if (sandbox_make(&f) < 0)
		return -1;
	write_file(f.dirfd, "a", "source");
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

static struct hl_request
request(const struct sandbox *f, const char *src, const char *dst, int flags)
{
	struct hl_request	req = { f->dirfd, src, src, f->dirfd, dst, dst,
				    flags, NULL, NULL };

	return req;
}

/* Makes any unlinkat, renameat or symlinkat fail the test. */
static void
forbid_changes(void)
{
	wrap_armed.unlinkat = true;
	wrap_armed.renameat = true;
	wrap_armed.symlinkat = true;
}

/* Runs hl_link with linkat failing once with err. */
static int
link_failing(const struct sandbox *f, const char *dst, int flags, int err)
{
	struct hl_request	req = request(f, "a", dst, flags);

	wrap_armed.linkat = true;
	will_fail(linkat, err);
	return hl_link(&req, &out);
}

static char *
why(const struct sandbox *f, const char *src, const char *dst, int flags)
{
	static char		buf[4 * PATH_MAX];
	struct hl_request	req = request(f, src, dst, flags);

	hl_format_why(&req, &out, buf, sizeof(buf));
	return buf;
}

/* The mount point of the fixture, found without the code under test. */
static void
assert_is_mount_point_of_fixture(const struct sandbox *f, const char *where)
{
	char		real[PATH_MAX];
	struct stat	st_where, st_dir;

	assert_non_null(realpath(f->dir, real));
	assert_int_equal(strncmp(real, where, strlen(where)), 0);
	assert_int_equal(stat(where, &st_where), 0);
	assert_int_equal(stat(f->dir, &st_dir), 0);
	assert_true(st_where.st_dev == st_dir.st_dev);
}

static void
test_core__links(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW);

	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_LINKED);
	assert_true(sandbox_same_file(f->dirfd, "a", "b"));
	assert_int_equal(sandbox_stat(f->dirfd, "a").st_nlink, 2);
}

static void
test_core__already_linked_changes_nothing(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	assert_int_equal(linkat(f->dirfd, "a", f->dirfd, "b", 0), 0);
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_ALREADY);
	assert_int_equal(sandbox_stat(f->dirfd, "a").st_nlink, 2);
}

static void
test_core__same_entry_is_never_removed(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "a", HL_FOLLOW | HL_FORCE);

	forbid_changes();
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_ALREADY);
	assert_string_equal(read_file(f->dirfd, "a"), "source");
}

static void
test_core__same_symlink_entry_is_kept(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "l", "l", HL_FOLLOW | HL_FORCE);

	assert_int_equal(symlinkat("a", f->dirfd, "l"), 0);
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_ALREADY);
	assert_true(S_ISLNK(sandbox_stat(f->dirfd, "l").st_mode));
}

static void
test_core__existing_dst_is_untouched(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW);

	write_file(f->dirfd, "b", "other");
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.status, HL_FAILED);
	assert_int_equal(out.cause, HL_CAUSE_EXISTS);
	assert_string_equal(why(f, "a", "b", 0), "'b' already exists");
	assert_string_equal(hl_hint(&out), "use -f to replace it");
	assert_string_equal(read_file(f->dirfd, "b"), "other");
}

static void
test_core__force_replaces_through_a_temporary_name(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	write_file(f->dirfd, "b", "other");
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_REPLACED);
	assert_true(sandbox_same_file(f->dirfd, "a", "b"));
	assert_int_equal(wrap_calls.renameat, 1);
	assert_int_equal(wrap_calls.linkat, 2);	/* DST, then the temporary */
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__force_retries_a_taken_temporary_name(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	write_file(f->dirfd, "b", "other");
	wrap_armed.linkat = true;
	will_pass(linkat);		/* DST: EEXIST for real */
	will_fail(linkat, EEXIST);	/* the first temporary name is taken */
	will_pass(linkat);
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_REPLACED);
	assert_true(sandbox_same_file(f->dirfd, "a", "b"));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__force_keeps_dst_when_rename_fails(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	write_file(f->dirfd, "b", "other");
	wrap_armed.renameat = true;
	will_fail(renameat, EIO);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_IO);
	assert_string_equal(read_file(f->dirfd, "b"), "other");
	assert_int_equal(sandbox_stat(f->dirfd, "a").st_nlink, 1);
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * A temporary name that cannot be removed after all (the rename and the
 * removal refused, as in a directory made append-only meanwhile) is
 * named in the outcome for the caller to say so; none is named else.
 */
static void
test_core__force_names_a_temporary_left_behind(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	write_file(f->dirfd, "b", "other");
	/* EIO: an EPERM's diagnosis may probe with temporary names too */
	wrap_armed.renameat = true;
	will_fail(renameat, EIO);
	wrap_armed.unlinkat = true;
	will_fail(unlinkat, EPERM);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.temp_err, EPERM);
	assert_int_equal(strncmp(out.temp_left, "./.hlink.", 9), 0);
	assert_int_equal(strlen(out.temp_left), 15);
	assert_true(sandbox_same_file(f->dirfd, "a", out.temp_left + 2));
	assert_string_equal(read_file(f->dirfd, "b"), "other");
	wrap_reset();
	assert_int_equal(unlinkat(f->dirfd, out.temp_left + 2, 0), 0);
	will_fail(renameat, EIO);
	wrap_armed.renameat = true;
	assert_int_equal(hl_link(&req, &out), -1);
	assert_string_equal(out.temp_left, "");
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__force_keeps_dst_when_temporary_link_fails(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW | HL_FORCE);

	write_file(f->dirfd, "b", "other");
	wrap_armed.linkat = true;
	will_pass(linkat);
	will_fail(linkat, ENOSPC);
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_NO_SPACE);
	assert_string_equal(read_file(f->dirfd, "b"), "other");
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__force_over_a_directory_fails_cleanly(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "d", HL_FOLLOW | HL_FORCE);

	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_DST_IS_DIR);
	assert_string_equal(why(f, "a", "d", 0),
	    "'d' is a directory and cannot be replaced");
	assert_true(S_ISDIR(sandbox_stat(f->dirfd, "d").st_mode));
	assert_int_equal(sandbox_stat(f->dirfd, "a").st_nlink, 1);
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__enoent_src_missing(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "missing", "b", HL_FOLLOW);

	wrap_armed.linkat = true;
	will_fail(linkat, ENOENT);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_SRC_MISSING);
	assert_int_equal(out.role, HL_ROLE_SRC);
	assert_string_equal(why(f, "missing", "b", 0), "'missing' does not exist");
	assert_null(hl_hint(&out));
}

static void
test_core__enoent_src_dangling(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "l", "b", HL_FOLLOW);

	assert_int_equal(symlinkat("nowhere", f->dirfd, "l"), 0);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_SRC_DANGLING);
	assert_string_equal(why(f, "l", "b", 0),
	    "'l' is a dangling symbolic link");
	assert_string_equal(hl_hint(&out),
	    "use -P to link the symbolic link itself");
}

static void
test_core__enoent_dst_directory_missing(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "sub/b", HL_FOLLOW, ENOENT), -1);
	assert_int_equal(out.cause, HL_CAUSE_DSTDIR_MISSING);
	assert_int_equal(out.role, HL_ROLE_DSTDIR);
	assert_string_equal(why(f, "a", "sub/b", 0),
	    "directory 'sub' does not exist");
}

static void
test_core__eexist(void **state)
{
	struct sandbox	*f = *state;

	forbid_changes();
	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EEXIST), -1);
	assert_int_equal(out.cause, HL_CAUSE_EXISTS);
	assert_int_equal(out.role, HL_ROLE_DST);
}

static void
test_core__exdev_names_both_mount_points(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EXDEV), -1);
	assert_int_equal(out.cause, HL_CAUSE_CROSS_DEVICE);
	assert_is_mount_point_of_fixture(f, out.where);
	assert_is_mount_point_of_fixture(f, out.where2);
	assert_string_equal(hl_hint(&out),
	    "use -s to make a symbolic link instead");
	assert_false(sandbox_exists(f->dirfd, "b"));
}

static void
test_core__eperm_src_is_directory(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "d", "b", HL_FOLLOW);

	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	wrap_armed.linkat = true;
	will_fail(linkat, EPERM);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_SRC_IS_DIR);
	assert_string_equal(why(f, "d", "b", 0),
	    "'d' is a directory, and directories cannot be hard-linked");
}

/*
 * Runs hl_link with linkat failing with err, and the diagnosis's probe
 * link (a link between two temporary files beside DST) answering probe:
 * 0 lets the real call through.
 */
static int
link_failing_probed(const struct sandbox *f, int err, int probe)
{
	struct hl_request	req = request(f, "a", "b", HL_FOLLOW);

#ifndef HL_POSIX_ONLY
	/* An unknown filesystem type: only the probe can tell. */
	wrap_armed.fstatfs = true;
	will_fail(fstatfs, ENOSYS);
#endif
	wrap_armed.linkat = true;
	will_fail(linkat, err);
	will_return(linkat, probe);
	return hl_link(&req, &out);
}

static void
test_core__eperm_filesystem_without_links(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing_probed(f, EPERM, EPERM), -1);
	assert_int_equal(out.cause, HL_CAUSE_NO_LINKS_FS);
	assert_is_mount_point_of_fixture(f, out.where);
	assert_true(hl_cause_falls_back(out.cause));
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__enotsup_filesystem_without_links(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing_probed(f, ENOTSUP, ENOTSUP), -1);
	assert_int_equal(out.cause, HL_CAUSE_NO_LINKS_FS);
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * EPERM that nothing explains any more on a filesystem that takes links:
 * SRC changed since the call (a directory swapped for a file).  That is
 * said, and no symlink may stand in for it.
 */
static void
test_core__eperm_explained_by_nothing_is_a_change(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing_probed(f, EPERM, 0), -1);
	assert_int_equal(out.cause, HL_CAUSE_CHANGED);
	assert_false(hl_cause_falls_back(out.cause));
	assert_string_equal(why(f, "a", "b", 0),
	    "'a' changed while hlink was linking it (Operation not permitted)");
	sandbox_assert_no_temp(f->dirfd);
}

/* The sandbox's filesystem is of a type known to take hard links. */
static void
test_core__eperm_on_a_known_linking_filesystem_is_a_change(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW);

	if (hl_takes_hard_links(f->dirfd) != 1)
		skip();
	wrap_armed.linkat = true;
	will_fail(linkat, EPERM);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_CHANGED);
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * Seen as uid 1000, a set-user-ID file of root's is one that
 * fs.protected_hardlinks forbids linking (may_linkat() in fs/namei.c).
 */
static void
test_core__eperm_another_users_file(void **state)
{
	struct sandbox	*f = *state;

	if (!hl_protected_hardlinks())
		skip();
	assert_int_equal(fchmodat(f->dirfd, "a", 04644, 0), 0);
	/* "another user": any uid but the file's owner, whoever runs this */
	wrap_armed.geteuid = true;
	will_return_always(geteuid, sandbox_stat(f->dirfd, "a").st_uid + 1);
	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EPERM), -1);
	assert_int_equal(out.cause, HL_CAUSE_OTHER_OWNER);
	assert_string_equal(why(f, "a", "b", 0), "'a' belongs to another user,"
	    " and fs.protected_hardlinks forbids linking it");
}

static void
test_core__emlink_gives_count_and_limit(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EMLINK), -1);
	assert_int_equal(out.cause, HL_CAUSE_TOO_MANY_LINKS);
	assert_int_equal(out.nlink, 1);
	assert_int_equal(out.link_max, pathconf(f->dir, _PC_LINK_MAX));
	assert_true(hl_cause_falls_back(out.cause));
}

/*
 * The count cannot be read while diagnosing EMLINK (fstatat fails): the
 * message must not claim a count it does not know.
 */
static void
test_core__emlink_when_the_count_cannot_be_read(void **state)
{
	struct sandbox	*f = *state;
	char		 msg[4 * PATH_MAX], want[4 * PATH_MAX];

	wrap_armed.fstatat = true;
	will_return_always(fstatat, EIO);
	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EMLINK), -1);
	assert_int_equal(out.cause, HL_CAUSE_TOO_MANY_LINKS);
	snprintf(msg, sizeof(msg), "%s", why(f, "a", "b", 0));
	wrap_reset();
	/* on EMLINK the count is the limit, which pathconf still tells */
	assert_true(out.link_max > 0);
	assert_int_equal(out.nlink, out.link_max);
	snprintf(want, sizeof(want), "'a' already has %ld links, the maximum"
	    " (%ld) for its filesystem", out.link_max, out.link_max);
	assert_string_equal(msg, want);
	assert_false(sandbox_exists(f->dirfd, "b"));
}

/*
 * -f with DST in a directory that cannot be opened (too many open files):
 * that error, and nothing made or removed.
 */
static void
test_core__force_when_dst_directory_cannot_be_opened(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "d/b", HL_FOLLOW | HL_FORCE);

	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	write_file(f->dirfd, "d/b", "old");
	forbid_changes();
	wrap_armed.openat = true;
	will_fail(openat, EMFILE);	/* and no other openat is made */
	assert_int_equal(hl_link(&req, &out), -1);
	wrap_reset();
	assert_int_equal(out.err, EMFILE);
	assert_int_equal(out.cause, HL_CAUSE_OTHER);
	assert_string_equal(why(f, "a", "d/b", 0), strerror(EMFILE));
	assert_string_equal(read_file(f->dirfd, "d/b"), "old");
	assert_false(sandbox_same_file(f->dirfd, "a", "d/b"));
	assert_int_equal(sandbox_stat(f->dirfd, "a").st_nlink, 1);
}

/* Runs hl_link as nobody, so that permissions apply to the checks. */
static int
link_failing_as_nobody(const struct sandbox *f, const char *dst, int err)
{
	int	rc;

	if (geteuid() == 0 && seteuid(NOBODY) < 0)
		fail_msg("seteuid: %s", strerror(errno));
	rc = link_failing(f, dst, HL_FOLLOW, err);
	if (getuid() == 0 && seteuid(0) < 0)
		fail_msg("seteuid back: %s", strerror(errno));
	return rc;
}

static void
test_core__eacces_names_the_unwritable_directory(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(mkdirat(f->dirfd, "ro", 0555), 0);
	assert_int_equal(link_failing_as_nobody(f, "ro/b", EACCES), -1);
	assert_int_equal(out.cause, HL_CAUSE_NO_WRITE);
	assert_string_equal(why(f, "a", "ro/b", 0),
	    "no permission to write in directory 'ro'");
}

static void
test_core__eacces_names_the_unsearchable_directory(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(mkdirat(f->dirfd, "ns", 0755), 0);
	assert_int_equal(mkdirat(f->dirfd, "ns/in", 0777), 0);
	assert_int_equal(fchmodat(f->dirfd, "ns", 0666, 0), 0);
	assert_int_equal(link_failing_as_nobody(f, "ns/in/b", EACCES), -1);
	assert_int_equal(out.cause, HL_CAUSE_NO_SEARCH);
	assert_string_equal(why(f, "a", "ns/in/b", 0),
	    "no permission to search directory 'ns'");
	assert_int_equal(fchmodat(f->dirfd, "ns", 0755, 0), 0);
}

static void
assert_filesystem_cause(const struct sandbox *f, int err,
    enum hl_cause cause)
{
	assert_int_equal(link_failing(f, "b", HL_FOLLOW, err), -1);
	assert_int_equal(out.cause, cause);
	assert_int_equal(out.role, HL_ROLE_DST);
	assert_is_mount_point_of_fixture(f, out.where);
	assert_false(hl_cause_falls_back(cause));
}

static void
test_core__enospc(void **state)
{
	assert_filesystem_cause(*state, ENOSPC, HL_CAUSE_NO_SPACE);
}

static void
test_core__edquot(void **state)
{
	assert_filesystem_cause(*state, EDQUOT, HL_CAUSE_QUOTA);
}

static void
test_core__erofs(void **state)
{
	assert_filesystem_cause(*state, EROFS, HL_CAUSE_READ_ONLY);
}

static void
test_core__eio(void **state)
{
	assert_filesystem_cause(*state, EIO, HL_CAUSE_IO);
}

static void
test_core__eloop_on_dst(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW, ELOOP), -1);
	assert_int_equal(out.cause, HL_CAUSE_LOOP);
	assert_int_equal(out.role, HL_ROLE_DST);
	assert_string_equal(why(f, "a", "b", 0),
	    "too many levels of symbolic links in 'b'");
}

static void
test_core__eloop_on_src(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "l1", "b", HL_FOLLOW);

	assert_int_equal(symlinkat("l2", f->dirfd, "l1"), 0);
	assert_int_equal(symlinkat("l1", f->dirfd, "l2"), 0);
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_LOOP);
	assert_int_equal(out.role, HL_ROLE_SRC);
}

static void
test_core__enametoolong(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW, ENAMETOOLONG), -1);
	assert_int_equal(out.cause, HL_CAUSE_NAME_TOO_LONG);
	assert_string_equal(why(f, "a", "b", 0),
	    "'b' or a name in it is too long");
}

static void
test_core__enotdir_names_the_component(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "a/x/b", HL_FOLLOW);

	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.err, ENOTDIR);
	assert_int_equal(out.cause, HL_CAUSE_NOT_DIR);
	assert_string_equal(why(f, "a", "a/x/b", 0), "'a' is not a directory");
}

static void
test_core__other_errno_uses_strerror(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW, EINVAL), -1);
	assert_int_equal(out.cause, HL_CAUSE_OTHER);
	assert_string_equal(why(f, "a", "b", 0), strerror(EINVAL));
}

static void
test_core__fallback_symlink_holds_absolute_path(void **state)
{
	struct sandbox	*f = *state;
	char		 real[PATH_MAX], held[PATH_MAX];
	ssize_t		 n;

	assert_int_equal(link_failing(f, "b", HL_FOLLOW | HL_SYMLINK_FALLBACK,
	    EXDEV), 0);
	assert_int_equal(out.status, HL_SYMLINKED);
	assert_int_equal(out.cause, HL_CAUSE_CROSS_DEVICE);
	snprintf(held, sizeof(held), "%s/a", f->dir);
	assert_non_null(realpath(held, real));
	assert_string_equal(out.target, real);
	n = readlinkat(f->dirfd, "b", held, sizeof(held) - 1);
	assert_true(n > 0);
	held[n] = '\0';
	assert_string_equal(held, real);
}

static void
test_core__fallback_symlink_relative(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(mkdirat(f->dirfd, "sub", 0755), 0);
	assert_int_equal(link_failing(f, "sub/b", HL_FOLLOW |
	    HL_SYMLINK_FALLBACK | HL_RELATIVE, EMLINK), 0);
	assert_int_equal(out.status, HL_SYMLINKED);
	assert_string_equal(out.target, "../a");
	assert_string_equal(read_file(f->dirfd, "sub/b"), "source");
}

static void
test_core__fallback_replaces_with_force(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW |
				    HL_FORCE | HL_SYMLINK_FALLBACK);

	write_file(f->dirfd, "b", "other");
	wrap_armed.linkat = true;
	will_pass(linkat);		/* DST: EEXIST for real */
	will_fail(linkat, EXDEV);	/* the temporary name */
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_SYMLINKED);
	assert_true(out.replaced);
	assert_true(S_ISLNK(sandbox_stat(f->dirfd, "b").st_mode));
	assert_string_equal(read_file(f->dirfd, "b"), "source");
	sandbox_assert_no_temp(f->dirfd);
}

static void
test_core__fallback_rerun_is_already_linked(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW |
				    HL_SYMLINK_FALLBACK);

	assert_int_equal(symlinkat("a", f->dirfd, "b"), 0);
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_ALREADY);
}

/* -s never hides an error that a symlink would share or hide. */
static void
test_core__no_fallback_for_errors_a_symlink_shares(void **state)
{
	static const int	errs[] = { ENOENT, EEXIST, EACCES, ENOSPC,
				    EDQUOT, EROFS, EIO, ELOOP, ENAMETOOLONG,
				    ENOTDIR, EINVAL };
	struct sandbox		*f = *state;
	size_t			 i;

	wrap_armed.symlinkat = true;	/* nothing queued: never called */
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_int_equal(link_failing(f, "b", HL_FOLLOW |
		    HL_SYMLINK_FALLBACK, errs[i]), -1);
		assert_int_equal(out.status, HL_FAILED);
		assert_int_equal(out.err, errs[i]);
	}
	assert_false(sandbox_exists(f->dirfd, "b"));
}

static void
test_core__fallback_symlink_failure_is_reported(void **state)
{
	struct sandbox	*f = *state;

	wrap_armed.symlinkat = true;
	will_fail(symlinkat, ENOSPC);
	assert_int_equal(link_failing(f, "b", HL_FOLLOW | HL_SYMLINK_FALLBACK,
	    EXDEV), -1);
	assert_int_equal(out.status, HL_FAILED);
	assert_int_equal(out.cause, HL_CAUSE_NO_SPACE);
}

static void
test_core__nofollow_links_the_symlink_itself(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "l", "b", 0);

	assert_int_equal(symlinkat("a", f->dirfd, "l"), 0);
	assert_int_equal(hl_link(&req, &out), 0);
	assert_true(sandbox_same_file(f->dirfd, "l", "b"));
	assert_true(S_ISLNK(sandbox_stat(f->dirfd, "b").st_mode));
}

static void
test_core__dry_run_changes_nothing(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW |
				    HL_DRY_RUN);

	wrap_armed.linkat = true;	/* nothing queued: never called */
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_LINKED);
	assert_false(sandbox_exists(f->dirfd, "b"));
	write_file(f->dirfd, "b", "other");
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_EXISTS);
	req.flags |= HL_FORCE;
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_REPLACED);
	assert_string_equal(read_file(f->dirfd, "b"), "other");
}

static void
test_core__dry_run_predicts_directory_fallback(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "d", "b", HL_FOLLOW |
				    HL_DRY_RUN);

	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	wrap_armed.linkat = true;
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_SRC_IS_DIR);
	req.flags |= HL_SYMLINK_FALLBACK;
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_SYMLINKED);
	assert_false(sandbox_exists(f->dirfd, "b"));
}

/*
 * --dry-run foresees fs.protected_hardlinks (seen as another uid, a
 * set-user-ID file of root's), through the diagnosis's own predicate:
 * the cause without a fallback, the KIND that would be made with one.
 */
static void
test_core__dry_run_foresees_another_users_file(void **state)
{
	struct sandbox		*f = *state;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW |
				    HL_DRY_RUN);

	if (!hl_protected_hardlinks())
		skip();
	assert_int_equal(fchmodat(f->dirfd, "a", 04644, 0), 0);
	wrap_armed.geteuid = true;
	will_return_always(geteuid, sandbox_stat(f->dirfd, "a").st_uid + 1);
	wrap_armed.linkat = true;	/* nothing queued: never called */
	forbid_changes();
	assert_int_equal(hl_link(&req, &out), -1);
	assert_int_equal(out.cause, HL_CAUSE_OTHER_OWNER);
	req.flags |= HL_FALLBACK_SET(HL_KIND_COPY, 0);
	assert_int_equal(hl_link(&req, &out), 0);
	assert_int_equal(out.status, HL_COPIED);
	assert_int_equal(out.cause, HL_CAUSE_OTHER_OWNER);
	assert_false(sandbox_exists(f->dirfd, "b"));
}

#define COPY_FIRST	(HL_FOLLOW | HL_FALLBACK_SET(HL_KIND_COPY, 0))

/* link_failing() for a run that ends in a copy put in place. */
static int
link_failing_then_copy(const struct sandbox *f, int flags, int err)
{
	struct hl_request	req = request(f, "a", "b", flags);

	wrap_armed.linkat = true;
	will_fail(linkat, err);
	/*
	 * The copy is put in place by a linkat() too: its unnamed file's
	 * (O_TMPFILE), or the no-replace rename of the POSIX build.
	 */
	will_pass(linkat);
	return hl_link(&req, &out);
}

/* --fallback=copy: a copy for each cause -s falls back for. */
static void
test_core__fallback_copy_for_each_cause(void **state)
{
	static const int	errs[] = { EXDEV, EMLINK };
	struct sandbox		*f = *state;
	size_t			 i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_int_equal(link_failing_then_copy(f, COPY_FIRST, errs[i]),
		    0);
		assert_int_equal(out.status, HL_COPIED);
		assert_int_equal(out.err, errs[i]);
		assert_true(hl_cause_falls_back(out.cause));
		assert_false(sandbox_same_file(f->dirfd, "a", "b"));
		assert_int_equal(sandbox_stat(f->dirfd, "b").st_size,
		    sandbox_stat(f->dirfd, "a").st_size);
		assert_int_equal(unlinkat(f->dirfd, "b", 0), 0);
	}
	sandbox_assert_no_temp(f->dirfd);
}

/*
 * -q (HL_NO_NOTICE): a copy made across filesystems has no notice to
 * name the mount points in, so they are not looked up; without -q, or
 * when the operand fails after all, they are named.
 */
static void
test_core__exdev_mount_points_only_when_said(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing_then_copy(f, COPY_FIRST | HL_NO_NOTICE,
	    EXDEV), 0);
	assert_int_equal(out.status, HL_COPIED);
	assert_int_equal(out.cause, HL_CAUSE_CROSS_DEVICE);
	assert_string_equal(out.where, "");
	assert_string_equal(out.where2, "");
	assert_int_equal(unlinkat(f->dirfd, "b", 0), 0);
	assert_int_equal(link_failing_then_copy(f, COPY_FIRST, EXDEV), 0);
	assert_is_mount_point_of_fixture(f, out.where);
	assert_is_mount_point_of_fixture(f, out.where2);
	assert_int_equal(mkdirat(f->dirfd, "d", 0755), 0);
	assert_int_equal(unlinkat(f->dirfd, "a", 0), 0);
	assert_int_equal(symlinkat("d", f->dirfd, "a"), 0);
	/* a directory is never copied: the operand fails, and says why */
	assert_int_equal(link_failing(f, "c", COPY_FIRST | HL_NO_NOTICE, EXDEV),
	    -1);
	assert_int_equal(out.ntried, 1);
	assert_is_mount_point_of_fixture(f, out.where);
	assert_is_mount_point_of_fixture(f, out.where2);
}

/* A run's memo reads the mount table once and names the same points. */
static void
test_core__exdev_with_a_memo_names_both_mount_points(void **state)
{
	struct sandbox		*f = *state;
	struct hl_memo		 memo;
	struct hl_request	 req = request(f, "a", "b", HL_FOLLOW);
	int			 i;

	assert_int_equal(hl_memo_init(&memo), 0);
	req.memo = &memo;
	for (i = 0; i < 2; i++) {
		wrap_armed.linkat = true;
		will_fail(linkat, EXDEV);
		assert_int_equal(hl_link(&req, &out), -1);
		assert_int_equal(out.cause, HL_CAUSE_CROSS_DEVICE);
		assert_is_mount_point_of_fixture(f, out.where);
		assert_is_mount_point_of_fixture(f, out.where2);
	}
#ifndef HL_POSIX_ONLY
	assert_int_equal(memo.mounts_read, 1);
#endif
	hl_memo_free(&memo);
}

/*
 * The longest mount point above a path, the latest of equal ones (a
 * mount over a mount), and never a mere prefix of a name ("/mnt/a" is
 * not above "/mnt/ab").
 */
static void
test_core__mount_point_in_a_table(void **state)
{
	static char		names[] = "/\0/mnt\0/mnt/a\0/mnt/ab\0/mnt/a";
	struct hl_mounts	m = { names, sizeof(names), 5 };
	char			buf[PATH_MAX];

	(void)state;
	assert_int_equal(hl_mount_point_in(&m, "/mnt/ab/x", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/ab");
	assert_int_equal(hl_mount_point_in(&m, "/mnt/a/x", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/a");
	assert_int_equal(hl_mount_point_in(&m, "/mnt/abc", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt");
	assert_int_equal(hl_mount_point_in(&m, "/mn", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(hl_mount_point_in(&m, "/mnt", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt");
}

/* --fallback=copy never hides what -s would not hide either. */
static void
test_core__fallback_copy_not_for_errors(void **state)
{
	static const int	errs[] = { ENOENT, EACCES, ENOSPC, EDQUOT,
				    EROFS, EIO, ELOOP, ENAMETOOLONG, ENOTDIR };
	struct sandbox		*f = *state;
	size_t			 i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_int_equal(link_failing(f, "b", COPY_FIRST, errs[i]), -1);
		assert_int_equal(out.status, HL_FAILED);
		assert_int_equal(out.err, errs[i]);
		assert_int_equal(out.ntried, 0);
	}
	assert_false(sandbox_exists(f->dirfd, "b"));
}

/* The order is kept: copy before symlink makes a copy. */
static void
test_core__fallback_order(void **state)
{
	struct sandbox	*f = *state;

	assert_int_equal(link_failing_then_copy(f, HL_FOLLOW |
	    HL_SYMLINK_FALLBACK | HL_FALLBACK_SET(HL_KIND_COPY, 0) |
	    HL_FALLBACK_SET(HL_KIND_SYMLINK, 1), EXDEV), 0);
	assert_int_equal(out.status, HL_COPIED);
	assert_false(S_ISLNK(sandbox_stat(f->dirfd, "b").st_mode));
	assert_int_equal(unlinkat(f->dirfd, "b", 0), 0);
	assert_int_equal(link_failing(f, "b", HL_FOLLOW | HL_SYMLINK_FALLBACK |
	    HL_FALLBACK_SET(HL_KIND_SYMLINK, 0) |
	    HL_FALLBACK_SET(HL_KIND_COPY, 1), EXDEV), 0);
	assert_int_equal(out.status, HL_SYMLINKED);
	assert_true(S_ISLNK(sandbox_stat(f->dirfd, "b").st_mode));
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_core__links),
		T(test_core__fallback_copy_for_each_cause),
		T(test_core__fallback_copy_not_for_errors),
		T(test_core__fallback_order),
		T(test_core__exdev_mount_points_only_when_said),
		T(test_core__exdev_with_a_memo_names_both_mount_points),
		T(test_core__mount_point_in_a_table),
		T(test_core__already_linked_changes_nothing),
		T(test_core__same_entry_is_never_removed),
		T(test_core__same_symlink_entry_is_kept),
		T(test_core__existing_dst_is_untouched),
		T(test_core__force_replaces_through_a_temporary_name),
		T(test_core__force_retries_a_taken_temporary_name),
		T(test_core__force_keeps_dst_when_rename_fails),
		T(test_core__force_names_a_temporary_left_behind),
		T(test_core__force_keeps_dst_when_temporary_link_fails),
		T(test_core__force_over_a_directory_fails_cleanly),
		T(test_core__enoent_src_missing),
		T(test_core__enoent_src_dangling),
		T(test_core__enoent_dst_directory_missing),
		T(test_core__eexist),
		T(test_core__exdev_names_both_mount_points),
		T(test_core__eperm_src_is_directory),
		T(test_core__eperm_filesystem_without_links),
		T(test_core__enotsup_filesystem_without_links),
		T(test_core__eperm_explained_by_nothing_is_a_change),
		T(test_core__eperm_on_a_known_linking_filesystem_is_a_change),
		T(test_core__eperm_another_users_file),
		T(test_core__emlink_gives_count_and_limit),
		T(test_core__emlink_when_the_count_cannot_be_read),
		T(test_core__force_when_dst_directory_cannot_be_opened),
		T(test_core__eacces_names_the_unwritable_directory),
		T(test_core__eacces_names_the_unsearchable_directory),
		T(test_core__enospc),
		T(test_core__edquot),
		T(test_core__erofs),
		T(test_core__eio),
		T(test_core__eloop_on_dst),
		T(test_core__eloop_on_src),
		T(test_core__enametoolong),
		T(test_core__enotdir_names_the_component),
		T(test_core__other_errno_uses_strerror),
		T(test_core__fallback_symlink_holds_absolute_path),
		T(test_core__fallback_symlink_relative),
		T(test_core__fallback_replaces_with_force),
		T(test_core__fallback_rerun_is_already_linked),
		T(test_core__no_fallback_for_errors_a_symlink_shares),
		T(test_core__fallback_symlink_failure_is_reported),
		T(test_core__nofollow_links_the_symlink_itself),
		T(test_core__dry_run_changes_nothing),
		T(test_core__dry_run_predicts_directory_fallback),
		T(test_core__dry_run_foresees_another_users_file),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
