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

#include "copy.h"
#include "diagnose.h"
#include "hardlink.h"
#include "memo.h"
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
make_temp_symlink(int dirfd, const char *name, void *arg)
{
	return symlinkat(arg, dirfd, name);
}

/*
 * The temporary name tmp that hl_temp_remove() could not remove (err),
 * named in out, once diagnosed, for the caller to say so: SPEC.md wants
 * none left, and a user who finds one should know whose it is.
 */
static void
temp_left(const struct hl_request *req, const struct hl_temp *tmp, int err,
    struct hl_outcome *out)
{
	char	dir[PATH_MAX];

	if (err == 0)
		return;
	hl_shown_parent(req->dst, req->dst_shown, dir, sizeof(dir));
	if ((size_t)snprintf(out->temp_left, sizeof(out->temp_left), "%s/%s",
	    dir, tmp->name) >= sizeof(out->temp_left))
		snprintf(out->temp_left, sizeof(out->temp_left), "%s",
		    tmp->name);	/* its directory is DST's, named above */
	out->temp_err = err;
}

/*
 * Before a temporary name is made in dirfd to replace a name there: an
 * immutable directory takes none, and an append-only one takes it, then
 * neither lets it replace the name nor lets it be removed.  Only
 * asked before a replacement, never before a plain link.
 */
static int
dir_takes_temp(const struct hl_request *req, int dirfd,
    struct hl_outcome *out)
{
	int	attr;

	if ((req->flags & HL_DIR_PLAIN) ||
	    (attr = hl_attributes(dirfd, ".", true)) == 0)
		return 0;
	hl_diagnose_protected_dir(req, attr, out);
	return -1;
}

/* A symlink named name in dirfd, or with force one renamed over it. */
static int
place_symlink(const struct hl_request *req, int dirfd, const char *name,
    bool force, struct hl_outcome *out)
{
	struct hl_temp	tmp;
	int		err, left;

	if (!force)
		return symlinkat(out->target, dirfd, name);
	if (dir_takes_temp(req, dirfd, out) < 0)
		return -2;
	if (hl_temp_make(&tmp, dirfd, make_temp_symlink, out->target) < 0)
		return -1;
	if (hl_temp_rename(&tmp, dirfd, name) < 0) {
		err = errno;
		left = hl_temp_remove(&tmp);
		hl_diagnose_replace(req, err, out);
		temp_left(req, &tmp, left, out);
		return -2;
	}
	out->replaced = true;
	return 0;
}

/*
 * The mount point of DST's filesystem (name in dirfd, which may hold a
 * '/'), which the KINDs' words name.
 */
static void
note_filesystem(const struct hl_request *req, int dirfd, const char *name,
    struct hl_outcome *out)
{
	char	parent[PATH_MAX], real[PATH_MAX];

	hl_parent(name, parent, sizeof(parent));
	if (hl_realpath_at(dirfd, parent, true, real, sizeof(real)) < 0 ||
	    hl_memo_mount_point(req->memo, real, out->fsdir,
	    sizeof(out->fsdir)) < 0)
		snprintf(out->fsdir, sizeof(out->fsdir), "%s", ".");
}

static void
tried(struct hl_outcome *out, int kind, int why, int step, int err)
{
	if (out->ntried < HL_FALLBACK_MAX)
		out->tried[out->ntried++] = (struct hl_tried){ kind, why, step,
		    err };
}

/*
 * The KIND symlink: 0 made, 1 passes to the next KIND (a filesystem with
 * no symlinks either, when there is a next), -1 ends the operand.
 */
static int
try_symlink(const struct hl_request *req, int dirfd, const char *name,
    bool force, bool last, struct hl_outcome *out)
{
	int	rc, err;

	if (symlink_target(req, dirfd, name, out->target,
	    sizeof(out->target)) < 0)
		rc = -1;
	else if ((rc = place_symlink(req, dirfd, name, force, out)) == -2)
		return -1;	/* the rename's failure, diagnosed */
	if (rc == 0) {
		out->status = HL_SYMLINKED;	/* cause and err still say why */
		return 0;
	}
	err = errno;
	/*
	 * In a list of KINDs the link's cause stays the failure's and the
	 * symlink's errno is its KIND's reason, beside the others'; -s
	 * alone says it all in one sentence.
	 */
	if (hl_fallback_kind(req->flags, 1) != HL_KIND_NONE) {
		tried(out, HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, err);
		note_filesystem(req, dirfd, name, out);
		return !last && (err == EPERM || hl_not_supported(err)) ? 1 :
		    -1;
	}
	hl_diagnose(req, err, out);
	/* EPERM again: mqueue and the like have no symlinks either. */
	if (out->cause == HL_CAUSE_NO_LINKS_FS)
		out->cause = HL_CAUSE_NO_LINKS_AT_ALL;
	return -1;
}

static int
copy_flags(const struct hl_request *req, int kinds, bool force)
{
	return (req->flags & HL_FOLLOW) | (force ? HL_FORCE : 0) | kinds;
}

/* A clone then a copy in one call, for copy_not_made(). */
#define HL_KIND_BOTH	(HL_KIND_COPY + 1)

/* What a clone or copy that was not made says for the operand. */
static int
copy_not_made(const struct hl_request *req, int dirfd, int kind,
    const struct hl_copy_result *res, struct hl_outcome *out)
{
	if (hl_diagnose_copy(req, res, out))
		return -1;	/* DST refused it: what a link would meet */
	if (res->clone_cause != HL_COPY_NONE)
		tried(out, HL_KIND_CLONE, res->clone_cause, HL_STEP_CLONE, 0);
	else if (kind == HL_KIND_BOTH && res->cause == HL_COPY_NOT_REGULAR)
		tried(out, HL_KIND_CLONE, res->cause, res->step, 0);
	if (kind == HL_KIND_BOTH)
		kind = res->clone_cause != HL_COPY_NONE ||
		    res->cause == HL_COPY_NOT_REGULAR ? HL_KIND_COPY :
		    HL_KIND_CLONE;
	tried(out, kind, res->cause, res->step, res->err);
	if (res->cause != HL_COPY_NOT_REGULAR &&
	    res->cause != HL_COPY_CLONE_XDEV)
		note_filesystem(req, dirfd, ".", out);
	return hl_copy_passes(res->cause) ? 1 : -1;
}

/* A progress line with a total learns the size of the copy to come. */
static void
announce_copy(const struct hl_request *req)
{
	struct stat	st;

	if (req->progress != NULL && req->progress->start != NULL &&
	    fstatat(req->srcdirfd, req->src, &st, stat_flags(req)) == 0 &&
	    S_ISREG(st.st_mode))
		req->progress->start(req->progress->arg, (uint64_t)st.st_size);
}

/*
 * The KINDs clone and copy (kinds: HL_COPY_CLONE, HL_COPY_DATA or both,
 * a clone then a copy in one go), into name in dirfd, which has no '/'.
 */
static int
try_copy_in(const struct hl_request *req, int dirfd, const char *name,
    int kinds, bool force, struct hl_outcome *out)
{
	struct hl_copy_request	creq = {
		.srcdirfd = req->srcdirfd,
		.src = req->src,
		.dstdirfd = dirfd,
		.dst = name,
		.flags = copy_flags(req, kinds, force),
		.progress = req->progress,
		.memo = req->memo,
	};
	struct hl_copy_result	res;

	announce_copy(req);
	if (hl_clone_or_copy(&creq, &res) < 0)
		return copy_not_made(req, dirfd, kinds == (HL_COPY_CLONE |
		    HL_COPY_DATA) ? HL_KIND_BOTH : (kinds & HL_COPY_DATA) ?
		    HL_KIND_COPY : HL_KIND_CLONE, &res, out);
	out->status = res.made == HL_MADE_CLONE ? HL_CLONED : HL_COPIED;
	out->replaced = res.replaced;
	out->bytes = res.bytes;
	return 0;
}

static int
try_copy(const struct hl_request *req, int dirfd, const char *path,
    int kinds, bool force, struct hl_outcome *out)
{
	char		 parent[PATH_MAX], namebuf[PATH_MAX];
	const char	*name = path;
	int		 rc;

	if (strchr(path, '/') == NULL)
		return try_copy_in(req, dirfd, path, kinds, force, out);
	name = hl_basename(path, namebuf, sizeof(namebuf));
	hl_parent(path, parent, sizeof(parent));
	if ((dirfd = hl_open_dir(dirfd, parent, true)) < 0)
		return fail(req, errno, out);
	rc = try_copy_in(req, dirfd, name, kinds, force, out);
	close(dirfd);
	return rc;
}

/*
 * --fallback: each KIND in turn, once the link itself failed for a cause
 * that allows one (out says which).  A KIND that does not apply passes
 * to the next; one that fails otherwise ends the operand.  A clone
 * followed by a copy is one call, so that SRC is opened once.
 */
static int
fall_back(const struct hl_request *req, int dirfd, const char *name,
    bool force, struct hl_outcome *out)
{
	int	i, kind, kinds, rc = 1;
	bool	last;

	out->ntried = 0;
	for (i = 0; rc > 0 &&
	    (kind = hl_fallback_kind(req->flags, i)) != HL_KIND_NONE; i++) {
		last = hl_fallback_kind(req->flags, i + 1) == HL_KIND_NONE;
		if (kind == HL_KIND_SYMLINK) {
			rc = try_symlink(req, dirfd, name, force, last, out);
			continue;
		}
		kinds = kind == HL_KIND_CLONE ? HL_COPY_CLONE : HL_COPY_DATA;
		if (kind == HL_KIND_CLONE &&
		    hl_fallback_kind(req->flags, i + 1) == HL_KIND_COPY) {
			kinds |= HL_COPY_DATA;
			i++;
		}
		rc = try_copy(req, dirfd, name, kinds, force, out);
	}
	if (rc > 0)
		out->status = HL_FAILED;	/* every KIND passed */
	return rc == 0 ? 0 : -1;
}

/*
 * Makes name in dirfd a hard link to SRC; the fallback is the caller's.
 * Mount points are named at the end, by words_needed().
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
	hl_diagnose_link(req, errno, out);
	return -1;
}

/*
 * The mount points of a link across filesystems, for the notice of the
 * fallback made or for the failure: not looked up when nothing will be
 * said (HL_NO_NOTICE and DST made), as for many files that was most of
 * the cost of a copy.  Returns rc.
 */
static int
words_needed(const struct hl_request *req, int rc, struct hl_outcome *out)
{
	if (rc < 0 || !(req->flags & HL_NO_NOTICE))
		hl_diagnose_finish(req, out);
	return rc;
}

/* True when out's failure lets the fallback list have its turn. */
static bool
may_fall_back(const struct hl_request *req, const struct hl_outcome *out)
{
	return out->err != EEXIST &&
	    hl_fallback_kind(req->flags, 0) != HL_KIND_NONE &&
	    hl_cause_falls_back(out->cause);
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
	int			err, left;

	if (dir_takes_temp(req, dirfd, out) < 0)
		return -1;
	if (hl_temp_make(&tmp, dirfd, make_temp_link, &tl) < 0) {
		/* No free slot: more threads than temp.c provides for. */
		if (errno == EAGAIN)
			hl_diagnose(req, EAGAIN, out);
		else if (may_fall_back(req, out))
			return fall_back(req, dirfd, name, true, out);
		return -1;
	}
	if (hl_temp_rename(&tmp, dirfd, name) < 0) {
		err = errno;
		left = hl_temp_remove(&tmp);
		hl_diagnose_replace(req, err, out);
		temp_left(req, &tmp, left, out);
		return -1;
	}
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
	out->temp_left[0] = '\0';
	return words_needed(req, replace_in(req, req->dstdirfd, req->dst,
	    out), out);
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
	return hl_foreseen_error(req, src);
}

/*
 * --dry-run: whether a clone of SRC would be made in DST's directory:
 * on one filesystem that shares blocks, as far as its type tells.
 */
static bool
predict_clone(const struct hl_request *req, const struct stat *src)
{
	char		parent[PATH_MAX];
	struct stat	dir;
	int		dirfd, rc;

	hl_parent(req->dst, parent, sizeof(parent));
	if (!hl_can_clone() || (dirfd = hl_open_dir(req->dstdirfd, parent,
	    true)) < 0)
		return false;
	rc = fstat(dirfd, &dir) == 0 && dir.st_dev == src->st_dev &&
	    hl_fs_can_clone(dirfd) == 1;
	close(dirfd);
	return rc;
}

static int
clone_predicted_cause(struct hl_outcome *out)
{
	if (!hl_can_clone())
		return HL_COPY_CLONE_NOT_BUILT;
	if (out->cause == HL_CAUSE_CROSS_DEVICE)
		return HL_COPY_CLONE_XDEV;
	snprintf(out->fsdir, sizeof(out->fsdir), "%s",
	    out->where[0] != '\0' ? out->where : ".");
	return HL_COPY_CLONE_NO_FS;
}

/* --dry-run: the first KIND that would be made, as fall_back() tries. */
static int
predict_fallback(const struct hl_request *req, const struct stat *src,
    struct hl_outcome *out)
{
	int	i, kind;

	for (i = 0; (kind = hl_fallback_kind(req->flags, i)) != HL_KIND_NONE;
	    i++) {
		if (kind == HL_KIND_SYMLINK) {
			if (symlink_target(req, req->dstdirfd, req->dst,
			    out->target, sizeof(out->target)) < 0)
				return fail(req, errno, out);
			out->status = HL_SYMLINKED;
			return 0;
		}
		if (!S_ISREG(src->st_mode)) {
			tried(out, kind, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC,
			    0);
			continue;
		}
		/* The first clone or copy opens SRC: an error there ends it. */
		if (faccessat(req->srcdirfd, req->src, R_OK, AT_EACCESS) < 0) {
			tried(out, kind, HL_COPY_ERRNO, HL_STEP_OPEN_SRC,
			    errno);
			break;
		}
		if (kind == HL_KIND_COPY || predict_clone(req, src)) {
			out->status = kind == HL_KIND_COPY ? HL_COPIED :
			    HL_CLONED;
			out->bytes = (uint64_t)src->st_size;
			return 0;
		}
		tried(out, kind, clone_predicted_cause(out), HL_STEP_CLONE, 0);
	}
	out->status = HL_FAILED;
	return -1;
}

/* --dry-run: -f in an immutable or append-only directory, as replace(). */
static int
predict_protected_dir(const struct hl_request *req, struct hl_outcome *out)
{
	char	parent[PATH_MAX];
	int	attr;

	hl_parent(req->dst, parent, sizeof(parent));
	if ((attr = hl_attributes(req->dstdirfd, parent, true)) == 0)
		return 0;
	hl_diagnose_protected_dir(req, attr, out);
	return -1;
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
		if (predict_protected_dir(req, out) < 0)
			return -1;
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
	if (!may_fall_back(req, out))
		return -1;
	return predict_fallback(req, &src, out);
}

static int
link_or_fall_back(const struct hl_request *req, struct hl_outcome *out)
{
	if (make_at(req, req->dstdirfd, req->dst, out) == 0)
		return 0;
	if (may_fall_back(req, out) &&
	    fall_back(req, req->dstdirfd, req->dst, false, out) == 0)
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
hl_link(const struct hl_request *req, struct hl_outcome *out)
{
	out->replaced = false;
	out->ntried = 0;
	out->replica = false;
	out->temp_left[0] = '\0';
	if (req->flags & HL_DRY_RUN)
		return predict(req, out);
	return words_needed(req, link_or_fall_back(req, out), out);
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
