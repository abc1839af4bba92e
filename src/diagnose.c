/*
 * diagnose.c: why a link failed.
 *
 * linkat(2) answers with one errno for several situations; this file asks
 * the filesystem a few more questions, only after a failure, to tell them
 * apart and to name the directory or mount point concerned.  It fills in
 * struct hl_outcome and never prints: messages.c has the words.  Which
 * causes -s may answer with a symbolic link is decided here too, beside
 * the diagnosis that names them.
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

#ifndef S_ISVTX
#define S_ISVTX	01000	/* the sticky bit: XSI, the same on every Unix */
#endif

static int
stat_flags(const struct hl_request *req)
{
	return (req->flags & HL_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW;
}

static void
set_path(struct hl_outcome *out, enum hl_role role, const char *shown)
{
	out->role = role;
	snprintf(out->path, sizeof(out->path), "%s", shown);
}

/* The mount point of the filesystem holding path, or shown if unknown. */
static void
mount_point_of(const struct hl_request *req, int dirfd, const char *path,
    bool follow, const char *shown, char *buf, size_t size)
{
	char	real[PATH_MAX];

	if (hl_realpath_at(dirfd, path, follow, real, sizeof(real)) < 0 ||
	    hl_memo_mount_point(req->memo, real, buf, size) < 0)
		snprintf(buf, size, "%s", shown);
}

/* The mount point of the filesystem holding DST's directory. */
static void
dst_mount_point(const struct hl_request *req, char *buf, size_t size)
{
	char	parent[PATH_MAX], shown[PATH_MAX];

	hl_parent(req->dst, parent, sizeof(parent));
	hl_shown_parent(req->dst, req->dst_shown, shown, sizeof(shown));
	mount_point_of(req, req->dstdirfd, parent, true, shown, buf, size);
}

static void
diagnose_missing(const struct hl_request *req, struct hl_outcome *out)
{
	struct stat	st;

	if (fstatat(req->srcdirfd, req->src, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		out->cause = HL_CAUSE_SRC_MISSING;
		set_path(out, HL_ROLE_SRC, req->src_shown);
	} else if ((req->flags & HL_FOLLOW) && S_ISLNK(st.st_mode) &&
	    fstatat(req->srcdirfd, req->src, &st, 0) < 0 && errno == ENOENT) {
		out->cause = HL_CAUSE_SRC_DANGLING;
		set_path(out, HL_ROLE_SRC, req->src_shown);
	} else if (req->dst[0] == '\0') {
		out->cause = HL_CAUSE_EMPTY_NAME;
		set_path(out, HL_ROLE_DST, req->dst_shown);
	} else {
		out->cause = HL_CAUSE_DSTDIR_MISSING;
		out->role = HL_ROLE_DSTDIR;
		/* "DST/" names a directory: DST itself is what is missing. */
		if (hl_has_trailing_slash(req->dst))
			hl_shown_prefix(req->dst, req->dst_shown,
			    strlen(req->dst), out->path, sizeof(out->path));
		else
			hl_shown_parent(req->dst, req->dst_shown, out->path,
			    sizeof(out->path));
	}
}

/* where and where2 are left empty: hl_diagnose_finish() names them. */
static void
diagnose_cross_device(const struct hl_request *req, struct hl_outcome *out)
{
	out->cause = HL_CAUSE_CROSS_DEVICE;
	set_path(out, HL_ROLE_SRC, req->src_shown);
}

void
hl_diagnose_finish(const struct hl_request *req, struct hl_outcome *out)
{
	/* A mount point is never "": an empty one is one not named yet. */
	if (out->cause != HL_CAUSE_CROSS_DEVICE || out->where[0] != '\0')
		return;
	mount_point_of(req, req->srcdirfd, req->src, req->flags & HL_FOLLOW,
	    req->src_shown, out->where, sizeof(out->where));
	dst_mount_point(req, out->where2, sizeof(out->where2));
}

/*
 * fs.protected_hardlinks lets a user link another user's file only if it
 * is a regular file, not set-user-ID, not set-group-ID and executable, and
 * both readable and writable by the user (may_linkat() in fs/namei.c).
 * Root passes through CAP_FOWNER.
 */
static bool
forbidden_by_protected_hardlinks(const struct hl_request *req,
    const struct stat *st)
{
	const mode_t	sgid_exec = S_ISGID | S_IXGRP;

	if (geteuid() == 0 || st->st_uid == geteuid() ||
	    !hl_protected_hardlinks())
		return false;
	if (!S_ISREG(st->st_mode) || (st->st_mode & S_ISUID) ||
	    (st->st_mode & sgid_exec) == sgid_exec)
		return true;
	return faccessat(req->srcdirfd, req->src, R_OK | W_OK,
	    AT_EACCESS | stat_flags(req)) < 0;
}

static int
make_empty_file(int dirfd, const char *name, void *arg)
{
	int	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);

	(void)arg;
	return fd < 0 ? -1 : close(fd);
}

static int
link_to(int dirfd, const char *name, void *arg)
{
	return linkat(dirfd, arg, dirfd, name, 0);
}

/*
 * Whether the filesystem of DST's directory takes hard links at all:
 * 1 yes, 0 no, -1 when it cannot be told (DST's directory is missing,
 * full, read-only, not writable).  Known filesystem types answer at
 * once; for others a probe file and a link to it are made under
 * temporary names and removed.
 */
static int
takes_hard_links(const struct hl_request *req)
{
	char		parent[PATH_MAX];
	struct hl_temp	file, link;
	int		dirfd, answer;

	hl_parent(req->dst, parent, sizeof(parent));
	dirfd = hl_open_dir(req->dstdirfd, parent, true);
	if (dirfd < 0)
		return -1;
	answer = hl_takes_hard_links(dirfd);
	if (answer < 0 &&
	    hl_temp_make(&file, dirfd, make_empty_file, NULL) == 0) {
		if (hl_temp_make(&link, dirfd, link_to, file.name) == 0) {
			answer = 1;
			hl_temp_remove(&link);
		} else if (errno == EPERM || hl_not_supported(errno))
			answer = 0;
		hl_temp_remove(&file);
	}
	close(dirfd);
	return answer;
}

/* The cause of EPERM that SRC itself gives, or HL_CAUSE_NONE. */
static enum hl_cause
src_refusal(const struct hl_request *req, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return HL_CAUSE_SRC_IS_DIR;
	if (forbidden_by_protected_hardlinks(req, st))
		return HL_CAUSE_OTHER_OWNER;
	if (hl_is_immutable(req->srcdirfd, req->src, req->flags & HL_FOLLOW))
		return HL_CAUSE_IMMUTABLE;
	return HL_CAUSE_NONE;
}

/* DST's directory, as attr says (HL_ATTR_ bits, one at least). */
static void
protected_dir(const struct hl_request *req, int attr, struct hl_outcome *out)
{
	out->cause = (attr & HL_ATTR_IMMUTABLE) ? HL_CAUSE_DIR_IMMUTABLE :
	    HL_CAUSE_DIR_APPEND_ONLY;
	out->role = HL_ROLE_DSTDIR;
	hl_shown_parent(req->dst, req->dst_shown, out->path,
	    sizeof(out->path));
	snprintf(out->where, sizeof(out->where), "%s", out->path);
}

static int
dir_attributes(const struct hl_request *req)
{
	char	parent[PATH_MAX];

	hl_parent(req->dst, parent, sizeof(parent));
	return hl_attributes(req->dstdirfd, parent, true);
}

/*
 * EPERM means one of: SRC is a directory, another user's file under
 * fs.protected_hardlinks, an immutable or append-only file, DST's
 * directory immutable, or a filesystem with no hard links at all
 * (mqueue, FAT: ENOTSUP on some).
 * The last is what is left when the others are not so now, which is also
 * what is left when SRC was one of them at linkat() and has changed since
 * (a directory swapped for a symlink): a probe link tells the two apart.
 */
static void
diagnose_not_permitted(const struct hl_request *req, struct hl_outcome *out)
{
	struct stat	st;
	bool		found = fstatat(req->srcdirfd, req->src, &st,
			    stat_flags(req)) == 0;
	int		attr;

	set_path(out, HL_ROLE_SRC, req->src_shown);
	if (found && (out->cause = src_refusal(req, &st)) != HL_CAUSE_NONE)
		return;
	/* Append-only takes a new name: only immutable refuses a link. */
	if ((attr = dir_attributes(req) & HL_ATTR_IMMUTABLE) != 0)
		protected_dir(req, attr, out);
	else if (!(req->flags & HL_DRY_RUN) && takes_hard_links(req) == 1)
		out->cause = HL_CAUSE_CHANGED;
	else {
		out->cause = HL_CAUSE_NO_LINKS_FS;
		set_path(out, HL_ROLE_DST, req->dst_shown);
		dst_mount_point(req, out->where, sizeof(out->where));
	}
}

static void
diagnose_too_many_links(const struct hl_request *req, struct hl_outcome *out)
{
	struct stat	st;

	out->cause = HL_CAUSE_TOO_MANY_LINKS;
	set_path(out, HL_ROLE_SRC, req->src_shown);
	out->nlink = 0;
	if (fstatat(req->srcdirfd, req->src, &st, stat_flags(req)) == 0)
		out->nlink = (unsigned long)st.st_nlink;
	out->link_max = hl_link_max(req->srcdirfd, req->src,
	    req->flags & HL_FOLLOW);
	/* musl's pathconf says 8 everywhere; on EMLINK the count is the limit. */
	if (out->link_max >= 0 && (unsigned long)out->link_max < out->nlink)
		out->link_max = (long)out->nlink;
	else if (out->nlink == 0 && out->link_max > 0)	/* SRC unreadable */
		out->nlink = (unsigned long)out->link_max;
}

/*
 * Finds the first directory on path (relative to dirfd) that may not be
 * searched, and names it in out->where.  Each prefix is checked in turn,
 * so the first refusal is the directory's own and not an ancestor's.
 */
static bool
find_unsearchable(int dirfd, const char *path, const char *shown,
    struct hl_outcome *out)
{
	char	prefix[PATH_MAX];
	size_t	len = 0;

	if (path[0] != '/' && faccessat(dirfd, ".", X_OK, AT_EACCESS) < 0 &&
	    errno == EACCES) {
		hl_shown_prefix(path, shown, 0, out->where, sizeof(out->where));
		return true;
	}
	while (hl_next_dir_prefix(path, &len, prefix, sizeof(prefix))) {
		if (faccessat(dirfd, prefix, X_OK, AT_EACCESS) < 0 &&
		    errno == EACCES) {
			hl_shown_prefix(path, shown, len, out->where,
			    sizeof(out->where));
			return true;
		}
	}
	return false;
}

static void
diagnose_access(const struct hl_request *req, struct hl_outcome *out)
{
	char	parent[PATH_MAX];

	out->cause = HL_CAUSE_NO_SEARCH;
	set_path(out, HL_ROLE_SRC, req->src_shown);
	if (find_unsearchable(req->srcdirfd, req->src, req->src_shown, out))
		return;
	set_path(out, HL_ROLE_DSTDIR, req->dst_shown);
	if (find_unsearchable(req->dstdirfd, req->dst, req->dst_shown, out))
		return;
	out->cause = HL_CAUSE_NO_WRITE;
	hl_parent(req->dst, parent, sizeof(parent));
	hl_shown_parent(req->dst, req->dst_shown, out->where,
	    sizeof(out->where));
	if (faccessat(req->dstdirfd, parent, W_OK, AT_EACCESS) < 0)
		return;
	out->cause = HL_CAUSE_OTHER;	/* an LSM, or a race: say no more */
}

static void
diagnose_filesystem(const struct hl_request *req, enum hl_cause cause,
    struct hl_outcome *out)
{
	out->cause = cause;
	set_path(out, HL_ROLE_DST, req->dst_shown);
	dst_mount_point(req, out->where, sizeof(out->where));
}

/* The first prefix of path that exists and is not a directory. */
static void
find_not_directory(int dirfd, const char *path, const char *shown,
    struct hl_outcome *out)
{
	char		prefix[PATH_MAX];
	size_t		len = 0;
	struct stat	st;

	while (hl_next_dir_prefix(path, &len, prefix, sizeof(prefix))) {
		if (fstatat(dirfd, prefix, &st, 0) == 0 && !S_ISDIR(st.st_mode)) {
			hl_shown_prefix(path, shown, len, out->where,
			    sizeof(out->where));
			return;
		}
	}
	/* Else the last name, as in "file/": shown without its slash. */
	hl_shown_prefix(path, shown, strlen(path), out->where,
	    sizeof(out->where));
}

/* ELOOP, ENAMETOOLONG, ENOTDIR: which operand, and where in it. */
static void
diagnose_path(const struct hl_request *req, int err, struct hl_outcome *out)
{
	struct stat	st;
	bool		on_src;

	on_src = fstatat(req->srcdirfd, req->src, &st, stat_flags(req)) < 0 &&
	    errno == err;
	if (on_src)
		set_path(out, HL_ROLE_SRC, req->src_shown);
	else
		set_path(out, HL_ROLE_DST, req->dst_shown);
	if (err == ELOOP)
		out->cause = HL_CAUSE_LOOP;
	else if (err == ENAMETOOLONG)
		out->cause = HL_CAUSE_NAME_TOO_LONG;
	else {
		out->cause = HL_CAUSE_NOT_DIR;
		if (on_src)
			find_not_directory(req->srcdirfd, req->src,
			    req->src_shown, out);
		else
			find_not_directory(req->dstdirfd, req->dst,
			    req->dst_shown, out);
	}
}

void
hl_diagnose_protected_dir(const struct hl_request *req, int attr,
    struct hl_outcome *out)
{
	hl_diagnose_link(req, 0, out);
	out->err = EPERM;
	protected_dir(req, attr, out);
}

/*
 * renameat() over DST failed after the temporary link was made.  EPERM
 * here is not about links at all: DST or its directory immutable or
 * append-only (made so since the look before the temporary link), or,
 * in a sticky directory (/tmp), DST not the user's, nor the directory:
 * only they or root may replace it.
 */
static bool
in_sticky_dir(const struct hl_request *req)
{
	char		parent[PATH_MAX];
	struct stat	dir;

	hl_parent(req->dst, parent, sizeof(parent));
	return fstatat(req->dstdirfd, parent, &dir, 0) == 0 &&
	    (dir.st_mode & S_ISVTX);
}

void
hl_diagnose_replace(const struct hl_request *req, int err,
    struct hl_outcome *out)
{
	struct stat	st;
	int		attr;

	hl_diagnose(req, err, out);
	if (err != EPERM && err != EACCES)
		return;
	if (err == EPERM && (attr = dir_attributes(req)) != 0) {
		protected_dir(req, attr, out);
		return;
	}
	if (err == EPERM && fstatat(req->dstdirfd, req->dst, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    hl_is_immutable(req->dstdirfd, req->dst, false)) {
		out->cause = HL_CAUSE_DST_IMMUTABLE;
		set_path(out, HL_ROLE_DST, req->dst_shown);
		return;
	}
	if (!in_sticky_dir(req)) {
		out->cause = HL_CAUSE_OTHER;
		return;
	}
	out->cause = HL_CAUSE_STICKY;
	set_path(out, HL_ROLE_DST, req->dst_shown);
	hl_shown_parent(req->dst, req->dst_shown, out->where,
	    sizeof(out->where));
}

/*
 * What DST itself refused, the link would have met as well, whatever
 * the KIND: DST came meanwhile, is a directory, or is another user's in
 * a sticky directory.  Said as for a link, with the same words as -s.
 */
bool
hl_diagnose_copy(const struct hl_request *req,
    const struct hl_copy_result *res, struct hl_outcome *out)
{
	if (res->cause == HL_COPY_EXISTS)
		hl_diagnose(req, EEXIST, out);
	else if (res->cause == HL_COPY_DST_IS_DIR)
		hl_diagnose(req, EISDIR, out);
	else if (res->cause == HL_COPY_ERRNO && res->step == HL_STEP_PLACE &&
	    (res->err == EPERM || res->err == EACCES) && in_sticky_dir(req))
		hl_diagnose_replace(req, res->err, out);
	else
		return false;
	out->ntried = 0;
	return true;
}

void
hl_diagnose_link(const struct hl_request *req, int err,
    struct hl_outcome *out)
{
	out->status = HL_FAILED;
	out->ntried = 0;
	out->replica = false;
	out->err = err;
	out->cause = HL_CAUSE_OTHER;
	out->role = HL_ROLE_NONE;
	out->path[0] = out->where[0] = out->where2[0] = '\0';
	out->temp_left[0] = '\0';
	switch (err) {
	case ENOENT:
		diagnose_missing(req, out);
		break;
	case EEXIST:
		out->cause = HL_CAUSE_EXISTS;
		set_path(out, HL_ROLE_DST, req->dst_shown);
		break;
	case EXDEV:
		diagnose_cross_device(req, out);
		break;
	case EPERM:
	case ENOTSUP:
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP:
#endif
		diagnose_not_permitted(req, out);
		break;
	case EMLINK:
		diagnose_too_many_links(req, out);
		break;
	case EACCES:
		diagnose_access(req, out);
		break;
	case ENOSPC:
		diagnose_filesystem(req, HL_CAUSE_NO_SPACE, out);
		break;
#ifdef EDQUOT
	case EDQUOT:
		diagnose_filesystem(req, HL_CAUSE_QUOTA, out);
		break;
#endif
	case EROFS:
		diagnose_filesystem(req, HL_CAUSE_READ_ONLY, out);
		break;
	case EIO:
		diagnose_filesystem(req, HL_CAUSE_IO, out);
		break;
	case ELOOP:
	case ENAMETOOLONG:
	case ENOTDIR:
		diagnose_path(req, err, out);
		break;
	case EISDIR:
	case ENOTEMPTY:
		/* Only renameat() over DST gives these: DST is a directory. */
		out->cause = HL_CAUSE_DST_IS_DIR;
		set_path(out, HL_ROLE_DST, req->dst_shown);
		break;
	default:
		break;
	}
}

int
hl_foreseen_error(const struct hl_request *req, const struct stat *st)
{
	long	max;

	if (src_refusal(req, st) != HL_CAUSE_NONE)
		return EPERM;
	/* A limit is believed only above this: no lookups below it. */
	if (st->st_nlink <= _POSIX_LINK_MAX)
		return 0;
	max = hl_link_limit(req->srcdirfd, req->src, req->flags & HL_FOLLOW);
	return max > 0 && st->st_nlink >= (nlink_t)max ? EMLINK : 0;
}

void
hl_diagnose(const struct hl_request *req, int err, struct hl_outcome *out)
{
	hl_diagnose_link(req, err, out);
	hl_diagnose_finish(req, out);
}

/*
 * A symlink helps only where the hard link itself is impossible; it would
 * fail the same way, or hide a mistake, for every other cause.
 */
bool
hl_cause_falls_back(enum hl_cause cause)
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

int
hl_fallback_kind(int flags, int i)
{
	if ((flags & HL_FALLBACK_MASK) == 0)
		return i == 0 && (flags & HL_SYMLINK_FALLBACK) ?
		    HL_KIND_SYMLINK : HL_KIND_NONE;
	return i < HL_FALLBACK_MAX ? HL_FALLBACK_KIND(flags, i) : HL_KIND_NONE;
}
