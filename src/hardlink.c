/*
 * hardlink.c: the core around linkat(2).
 *
 * The fast path is one linkat() call.  Everything else (is DST already
 * SRC?  replace it?  a symlink instead?) runs only after linkat() said no,
 * so linking many files costs what linking them by hand would.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hardlink.h"
#include "path.h"
#include "sys.h"

/* Random temporary names collide once in 62^6; 100 tries is plenty. */
#define TEMP_TRIES	100

static int
link_flags(const struct hl_request *req)
{
	return (req->flags & HL_FOLLOW) ? AT_SYMLINK_FOLLOW : 0;
}

static int
stat_flags(const struct hl_request *req)
{
	return (req->flags & HL_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW;
}

static bool
same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int
fail(const struct hl_request *req, int err, struct hl_outcome *out)
{
	hl_diagnose(req, err, out);
	return -1;
}

bool
hl_already_linked(const struct hl_request *req)
{
	struct stat	src, dst;

	if (fstatat(req->dstdirfd, req->dst, &dst, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(req->srcdirfd, req->src, &src, stat_flags(req)) < 0)
		return false;
	if (same_inode(&src, &dst))
		return true;
	if ((req->flags & HL_FOLLOW) &&
	    fstatat(req->srcdirfd, req->src, &src, AT_SYMLINK_NOFOLLOW) == 0 &&
	    same_inode(&src, &dst))
		return true;
	if (!(req->flags & HL_SYMLINK_FALLBACK) || !S_ISLNK(dst.st_mode))
		return false;
	return fstatat(req->dstdirfd, req->dst, &dst, 0) == 0 &&
	    fstatat(req->srcdirfd, req->src, &src, 0) == 0 &&
	    same_inode(&src, &dst);
}

static bool
dst_is_directory(const struct hl_request *req)
{
	struct stat	st;

	return fstatat(req->dstdirfd, req->dst, &st, 0) == 0 &&
	    S_ISDIR(st.st_mode);
}

/*
 * What a fallback symlink named name in dirfd holds: SRC's absolute
 * physical path, or with HL_RELATIVE that path relative to the physical
 * directory the symlink is in, so it resolves from any current directory.
 */
static int
symlink_target(const struct hl_request *req, int dirfd, const char *name,
    char *buf, size_t size)
{
	char	src[PATH_MAX], parent[PATH_MAX], dir[PATH_MAX];

	if (hl_realpath_at(req->srcdirfd, req->src, req->flags & HL_FOLLOW,
	    src, sizeof(src)) < 0)
		return -1;
	if (req->flags & HL_RELATIVE) {
		hl_parent(name, parent, sizeof(parent));
		if (hl_realpath_at(dirfd, parent, true, dir, sizeof(dir)) < 0)
			return -1;
		if (hl_relative_path(dir, src, buf, size) == 0)
			return 0;
	} else if ((size_t)snprintf(buf, size, "%s", src) < size)
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

static int
symlink_instead(const struct hl_request *req, int dirfd, const char *name,
    struct hl_outcome *out)
{
	if (symlink_target(req, dirfd, name, out->target,
	    sizeof(out->target)) < 0 ||
	    symlinkat(out->target, dirfd, name) < 0) {
		hl_diagnose(req, errno, out);
		/* EPERM again: mqueue and the like have no symlinks either. */
		if (out->cause == HL_CAUSE_NO_LINKS_FS)
			out->cause = HL_CAUSE_NO_LINKS_AT_ALL;
		return -1;
	}
	out->status = HL_SYMLINKED;	/* cause and err still say why */
	return 0;
}

/*
 * Makes name in dirfd a hard link to SRC or, where the link itself is
 * impossible and -s allows it, a symlink.  EEXIST is left to the caller.
 */
static int
make_at(const struct hl_request *req, int dirfd, const char *name,
    struct hl_outcome *out)
{
	if (linkat(req->srcdirfd, req->src, dirfd, name, link_flags(req)) == 0) {
		out->status = HL_LINKED;
		out->cause = HL_CAUSE_NONE;
		return 0;
	}
	hl_diagnose(req, errno, out);
	if (out->err == EEXIST || !(req->flags & HL_SYMLINK_FALLBACK) ||
	    !hl_cause_falls_back(out->cause))
		return -1;
	return symlink_instead(req, dirfd, name, out);
}

/* A name no one else uses: ".hlink." and six random characters. */
static void
temp_name(char *buf, size_t size, unsigned attempt)
{
	static const char	chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct timespec		ts;
	unsigned long long	x;
	char			suffix[7];
	int			i;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (unsigned long long)ts.tv_nsec ^
	    ((unsigned long long)ts.tv_sec << 30) ^
	    ((unsigned long long)getpid() << 12) ^ attempt;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	for (i = 0; i < 6; i++, x /= 62)
		suffix[i] = chars[x % 62];
	suffix[6] = '\0';
	snprintf(buf, size, ".hlink.%s", suffix);
}

static int
make_temp(const struct hl_request *req, int dirfd, char *tmp, size_t size,
    struct hl_outcome *out)
{
	unsigned	attempt;

	for (attempt = 0; attempt < TEMP_TRIES; attempt++) {
		temp_name(tmp, size, attempt);
		if (make_at(req, dirfd, tmp, out) == 0)
			return 0;
		if (out->err != EEXIST)
			return -1;
	}
	return -1;
}

/*
 * rename(2) succeeds and does nothing when both names are links to one
 * inode.  If DST became SRC's inode since we looked, the temporary name
 * is still there: remove it.
 */
static void
remove_leftover(int dirfd, const char *tmp, const char *name)
{
	struct stat	t, d;

	if (fstatat(dirfd, tmp, &t, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(dirfd, name, &d, AT_SYMLINK_NOFOLLOW) == 0 &&
	    same_inode(&t, &d))
		unlinkat(dirfd, tmp, 0);
}

/*
 * Replaces name in dirfd atomically: the link is made under a temporary
 * name beside it and renamed over it, so that DST is never missing, not
 * even for a moment, and is untouched if anything fails.
 */
static int
replace_in(const struct hl_request *req, int dirfd, const char *name,
    struct hl_outcome *out)
{
	char	tmp[32];
	int	err;

	if (make_temp(req, dirfd, tmp, sizeof(tmp), out) < 0)
		return -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		err = errno;
		unlinkat(dirfd, tmp, 0);
		hl_diagnose_replace(req, err, out);
		return -1;
	}
	remove_leftover(dirfd, tmp, name);
	if (out->status == HL_SYMLINKED)
		out->replaced = true;
	else
		out->status = HL_REPLACED;
	return 0;
}

static int
replace(const struct hl_request *req, struct hl_outcome *out)
{
	char		 parent[PATH_MAX], namebuf[PATH_MAX];
	const char	*name = hl_basename(req->dst, namebuf, sizeof(namebuf));
	int		 dirfd = req->dstdirfd, rc;

	if (strchr(req->dst, '/') != NULL) {
		hl_parent(req->dst, parent, sizeof(parent));
		dirfd = hl_open_dir(req->dstdirfd, parent, true);
		if (dirfd < 0)
			return fail(req, errno, out);
	}
	rc = replace_in(req, dirfd, name, out);
	if (dirfd != req->dstdirfd)
		close(dirfd);
	return rc;
}

int
hl_relink(const struct hl_request *req, struct hl_outcome *out)
{
	out->replaced = false;
	return replace_in(req, req->dstdirfd, req->dst, out);
}

/* The errno linkat() would give, as far as a look can tell. */
static int
predicted_error(const struct hl_request *req, const struct stat *src)
{
	char		parent[PATH_MAX];
	struct stat	dir;

	hl_parent(req->dst, parent, sizeof(parent));
	if (fstatat(req->dstdirfd, parent, &dir, 0) < 0 ||
	    faccessat(req->dstdirfd, parent, W_OK | X_OK, AT_EACCESS) < 0)
		return errno;
	if (src->st_dev != dir.st_dev)
		return EXDEV;
	if (S_ISDIR(src->st_mode))
		return EPERM;
	return 0;
}

/* --dry-run: what hl_link() would do, from fstatat() and faccessat(). */
static int
predict(const struct hl_request *req, struct hl_outcome *out)
{
	struct stat	src, dst;
	int		err;

	if (fstatat(req->srcdirfd, req->src, &src, stat_flags(req)) < 0)
		return fail(req, errno, out);
	if (req->dstdirfd == HL_PLANNED_DIR) {
		out->status = HL_LINKED;
		out->cause = HL_CAUSE_NONE;
		return 0;
	}
	if (fstatat(req->dstdirfd, req->dst, &dst, AT_SYMLINK_NOFOLLOW) == 0) {
		if (hl_already_linked(req)) {
			out->status = HL_ALREADY;
			return 0;
		}
		if (!(req->flags & HL_FORCE))
			return fail(req, EEXIST, out);
		if (S_ISDIR(dst.st_mode))
			return fail(req, EISDIR, out);
		out->replaced = true;
	} else if (errno != ENOENT)
		return fail(req, errno, out);
	err = predicted_error(req, &src);
	if (err == 0) {
		out->status = out->replaced ? HL_REPLACED : HL_LINKED;
		out->cause = HL_CAUSE_NONE;
		return 0;
	}
	hl_diagnose(req, err, out);
	if (!(req->flags & HL_SYMLINK_FALLBACK) ||
	    !hl_cause_falls_back(out->cause))
		return -1;
	if (symlink_target(req, req->dstdirfd, req->dst, out->target,
	    sizeof(out->target)) < 0)
		return fail(req, errno, out);
	out->status = HL_SYMLINKED;
	return 0;
}

int
hl_link(const struct hl_request *req, struct hl_outcome *out)
{
	out->replaced = false;
	if (req->flags & HL_DRY_RUN)
		return predict(req, out);
	if (make_at(req, req->dstdirfd, req->dst, out) == 0)
		return 0;
	if (out->err != EEXIST)
		return -1;
	if (hl_already_linked(req)) {
		out->status = HL_ALREADY;
		out->cause = HL_CAUSE_NONE;
		return 0;
	}
	/* "file/" names a directory that is not there: never replace file. */
	if (hl_has_trailing_slash(req->dst))
		return fail(req, dst_is_directory(req) ? EISDIR : ENOTDIR, out);
	if (req->flags & HL_FORCE)
		return replace(req, out);
	return -1;
}
