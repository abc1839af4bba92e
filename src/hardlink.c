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
#include <unistd.h>

#include "diagnose.h"
#include "hardlink.h"
#include "path.h"
#include "sys.h"
#include "temp.h"

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

/*
 * SRC and DST are one directory entry ("hlink -f sl ./sl"): under -L that
 * is no name of the file sl resolves to, but removing it would lose it.
 * Another name of a symlink SRC is not its entry: under -L it is EEXIST.
 */
static bool
same_entry(const struct hl_request *req, const struct stat *dst)
{
	char		sdir[PATH_MAX], ddir[PATH_MAX], sb[PATH_MAX], db[PATH_MAX];
	struct stat	src, sd, dd;

	if (fstatat(req->srcdirfd, req->src, &src, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !same_inode(&src, dst) ||
	    strcmp(hl_basename(req->src, sb, sizeof(sb)),
	    hl_basename(req->dst, db, sizeof(db))) != 0)
		return false;
	hl_parent(req->src, sdir, sizeof(sdir));
	hl_parent(req->dst, ddir, sizeof(ddir));
	return fstatat(req->srcdirfd, sdir, &sd, 0) == 0 &&
	    fstatat(req->dstdirfd, ddir, &dd, 0) == 0 && same_inode(&sd, &dd);
}

bool
hl_already_linked(const struct hl_request *req)
{
	struct stat	src, dst;

	if (fstatat(req->dstdirfd, req->dst, &dst, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (fstatat(req->srcdirfd, req->src, &src, stat_flags(req)) == 0 &&
	    same_inode(&src, &dst))
		return true;
	if ((req->flags & HL_FOLLOW) && same_entry(req, &dst))
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

struct temp_link {
	const struct hl_request	*req;
	struct hl_outcome	*out;
};

static int
make_temp_link(int dirfd, const char *name, void *arg)
{
	struct temp_link	*tl = arg;

	if (make_at(tl->req, dirfd, name, tl->out) == 0)
		return 0;
	errno = tl->out->err;
	return -1;
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
	struct temp_link	tl = { .req = req, .out = out };
	struct hl_temp		tmp;
	int			err;

	if (hl_temp_make(&tmp, dirfd, make_temp_link, &tl) < 0) {
		/* No free slot: more threads than temp.c provides for. */
		if (errno == EAGAIN)
			hl_diagnose(req, EAGAIN, out);
		return -1;
	}
	if (hl_temp_rename(&tmp, dirfd, name) < 0) {
		err = errno;
		hl_temp_remove(&tmp);
		hl_diagnose_replace(req, err, out);
		return -1;
	}
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

int
hl_link_ask(struct hl_request *req, struct hl_outcome *out,
    int (*ask)(void *ctx, const struct hl_request *req), void *ctx)
{
	int	answer = ask(ctx, req);

	if (answer > 0) {
		req->flags |= HL_FORCE;
		hl_link(req, out);
	}
	return answer;
}
