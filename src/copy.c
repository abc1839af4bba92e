/*
 * copy.c: clones and copies made under a temporary name, and FIDEDUPERANGE.
 *
 * DST is filled under a temporary name in its own directory and renamed
 * into place only once it is whole, with SRC's attributes, and only if SRC
 * did not change meanwhile; so DST is never seen partial and a failure at
 * any step leaves it as it was.  The temporary lives and dies in the
 * three temp_ functions only, through temp.c, which removes it when a
 * signal ends hlink midway.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardlink.h"
#include "copy.h"
#include "memo.h"
#include "sys.h"
#include "temp.h"

/* The read/write buffer, where there is no copy_file_range(). */
#define BUF_MAX		((size_t)1 << 20)
/* A zero block of this size in a sparse SRC is left a hole (read/write). */
#define ZERO_BLOCK	((size_t)4096)
/* The POSIX ACL of a file, as Linux stores it. */
#define ACL_ACCESS	"system.posix_acl_access"

/*
 * The temporary DST is filled through: an unnamed file where the
 * filesystem makes one (O_TMPFILE), which nothing can see and which
 * vanishes by itself if hlink dies, else a temporary name that temp.c
 * removes on a signal.
 */
struct temp {
	struct hl_temp	name;
	int		fd;
	int		dirfd;
	bool		unnamed;
};

/* The state of one copy: which call moves the bytes, and its buffer. */
struct copier {
	int			 srcfd;
	int			 dstfd;
	bool			 use_range;
	bool			 range_moved;	/* copy_file_range() worked */
	enum hl_copy_step	 step;		/* where the copy failed */
	bool			 short_read;	/* SRC ended early */
	bool			 sparse;	/* SRC has holes */
	char			*buf;
	size_t			 bufsize;
	const struct hl_progress *progress;
	uint64_t		*bytes;
};

static int
open_temp(int dirfd, const char *name, void *arg)
{
	int	*fd = arg;

	/* 0600 until the copy is whole and gets SRC's mode. */
	*fd = openat(dirfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	return *fd < 0 ? -1 : 0;
}

/*
 * An unnamed file is put in place by one linkat(), where a name takes a
 * create and a rename: each a change to DST's directory, which in a
 * directory of 100,000 files was a tenth of a copy's time.  It is made
 * only where that linkat() can work (not without /proc, as a user).
 */
static int
temp_create(struct temp *t, int dirfd, struct hl_memo *memo)
{
	t->dirfd = dirfd;
	t->fd = hl_memo_unnamed_linkable(memo) ? hl_open_unnamed(dirfd) : -1;
	t->unnamed = t->fd >= 0;
	if (t->unnamed)
		return 0;
	return hl_temp_make(&t->name, dirfd, open_temp, &t->fd);
}

/* Removes the temporary; errno is kept for the caller's report. */
static void
temp_discard(struct temp *t)
{
	int	err = errno;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (!t->unnamed)
		hl_temp_remove(&t->name);
	errno = err;
}

static int
link_unnamed(int dirfd, const char *name, void *arg)
{
	return hl_link_unnamed(*(int *)arg, dirfd, name);
}

/*
 * The unnamed file in place as dst.  With force and an existing DST it
 * is given a temporary name first, renamed over DST as a named one is.
 * It is closed only once linked; the filesystems that make unnamed files
 * are local ones, which report a failed write at the write (NFS, which
 * reports it at close(), makes none).
 */
static int
unnamed_place(struct temp *t, const char *dst, bool force, bool *replaced)
{
	int	rc;

	rc = hl_link_unnamed(t->fd, t->dirfd, dst);
	if (rc < 0 && errno == EEXIST && force &&
	    (rc = hl_temp_make(&t->name, t->dirfd, link_unnamed, &t->fd)) == 0) {
		t->unnamed = false;
		rc = hl_temp_rename(&t->name, t->dirfd, dst);
		*replaced = rc == 0;
	}
	if (rc < 0)
		temp_discard(t);
	else
		close(t->fd);
	return rc;
}

/*
 * Puts the whole temporary in place as dst.  With force an existing DST
 * is replaced by renameat(), atomically; without, RENAME_NOREPLACE (or
 * link()) refuses it with EEXIST.  On failure the temporary is removed.
 */
static int
temp_place(struct temp *t, const char *dst, bool force, bool *replaced)
{
	int	rc;

	*replaced = false;
	if (t->unnamed)
		return unnamed_place(t, dst, force, replaced);
	/* close() is where NFS reports a failed write: check it. */
	rc = close(t->fd);
	t->fd = -1;
	if (rc == 0) {
		rc = hl_rename_noreplace(t->name.dirfd, t->name.name, dst);
		if (rc == 0)
			hl_temp_forget(&t->name);
	}
	if (rc < 0 && errno == EEXIST && force) {
		rc = hl_temp_rename(&t->name, t->name.dirfd, dst);
		*replaced = rc == 0;
	}
	if (rc < 0)
		temp_discard(t);
	return rc;
}

static int
fail(struct hl_copy_result *res, enum hl_copy_cause cause,
    enum hl_copy_step step, int err)
{
	res->made = HL_MADE_NOTHING;
	res->cause = cause;
	res->step = step;
	res->err = err;
	return -1;
}

static void
advance(struct copier *c, uint64_t n)
{
	*c->bytes += n;
	if (c->progress != NULL && c->progress->fn != NULL)
		c->progress->fn(c->progress->arg, n);
}

/*
 * Opens SRC as the regular file it was when looked at; anything else
 * (a symlink not followed, a directory, a device) is not copied here,
 * nor opened: opening a device or a fifo can block or act.  A file put
 * in SRC's place between the look and the open is seen by
 * src_changed() at the end, which an fstat() here would only tell
 * sooner, for one more call per file.
 */
static int
open_src(const struct hl_copy_request *req, struct stat *st,
    struct hl_copy_result *res)
{
	bool	follow = req->flags & HL_FOLLOW;
	int	fd;

	if (fstatat(req->srcdirfd, req->src, st,
	    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_OPEN_SRC, errno);
	if (!S_ISREG(st->st_mode))
		return fail(res, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC, 0);
	fd = openat(req->srcdirfd, req->src, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_OPEN_SRC, errno);
	return fd;
}

static bool
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * Another file than the one looked at (replaced before the open), or
 * size, mtime or ctime changed: what a writer of SRC cannot help.
 */
static bool
src_changed(int srcfd, const struct stat *before)
{
	struct stat	now;

	if (fstat(srcfd, &now) < 0)
		return true;
	return now.st_ino != before->st_ino || now.st_dev != before->st_dev ||
	    now.st_size != before->st_size ||
	    !same_time(&now.st_mtim, &before->st_mtim) ||
	    !same_time(&now.st_ctim, &before->st_ctim);
}

/*
 * Owner and group where permitted, as cp -p: a chown refused to a user
 * is no failure, but the set-ID bits are then dropped from *mode, as
 * they would grant the copy's owner's rights.
 */
static int
set_owner(int fd, const struct stat *st, mode_t *mode)
{
	*mode = st->st_mode & 07777;
	if (fchown(fd, st->st_uid, st->st_gid) < 0) {
		if (errno != EPERM && errno != EINVAL)
			return -1;
		*mode &= ~(mode_t)(S_ISUID | S_ISGID);
		/* The group alone may still be one of ours. */
		if (fchown(fd, (uid_t)-1, st->st_gid) < 0 && errno != EPERM &&
		    errno != EINVAL)
			return -1;
	}
	return 0;
}

static int
set_mode_and_times(int fd, const struct stat *st, mode_t mode)
{
	struct timespec	 times[2];

	if (fchmod(fd, mode) < 0)
		return -1;
	times[0] = st->st_atim;
	times[1] = st->st_mtim;
	return futimens(fd, times);
}

/*
 * An attribute that DST's filesystem or this user may not have
 * (security.*, trusted.*) is left out, as cp -a leaves it; never the
 * ACL, without which the mode's group bits, the ACL's mask, would open
 * the file to its whole group: cp fails there too.
 */
static bool
xattr_may_go(const char *name, int err)
{
	return strcmp(name, ACL_ACCESS) != 0 &&
	    (hl_not_supported(err) || err == EPERM || err == EACCES);
}

/*
 * SRC's ACL, as cp -p keeps it with the mode; with HL_COPY_XATTRS every
 * extended attribute, as cp -a.  After the chown, which would remove
 * security.capability, and before the chmod, which makes the ACL's
 * mask the mode's group bits again if setting the ACL changed them.
 */
static int
copy_xattrs(const struct hl_copy_request *req, struct copier *c,
    struct hl_copy_result *res)
{
	char	*list, *p;
	ssize_t	 len;
	int	 rc = 0;

	if (!(req->flags & HL_COPY_XATTRS))
		return hl_xattr_copy(c->srcfd, c->dstfd, ACL_ACCESS) < 0 ?
		    fail(res, HL_COPY_ERRNO, HL_STEP_ACL, errno) : 0;
	if ((len = hl_xattr_names(c->srcfd, &list)) < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_XATTRS, errno);
	for (p = list; rc == 0 && p < list + len; p += strlen(p) + 1)
		if (hl_xattr_copy(c->srcfd, c->dstfd, p) < 0 &&
		    !xattr_may_go(p, errno))
			rc = fail(res, HL_COPY_ERRNO, strcmp(p, ACL_ACCESS) ?
			    HL_STEP_XATTRS : HL_STEP_ACL, errno);
	free(list);
	return rc;
}

/* Owner, extended attributes, mode and times, in the order they need. */
static int
set_attributes(const struct hl_copy_request *req, struct copier *c,
    const struct stat *st, struct hl_copy_result *res)
{
	mode_t	mode;

	if (set_owner(c->dstfd, st, &mode) < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_ATTRIBUTES, errno);
	if (copy_xattrs(req, c, res) < 0)
		return -1;
	if (set_mode_and_times(c->dstfd, st, mode) < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_ATTRIBUTES, errno);
	return 0;
}

/* pwrite() all of n bytes, as a short write is no error. */
static int
write_all(int fd, const char *buf, size_t n, off_t off)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = pwrite(fd, buf, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

static bool
is_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static size_t
block_at(size_t i, size_t n)
{
	return n - i < ZERO_BLOCK ? n - i : ZERO_BLOCK;
}

/*
 * Writes the non-zero blocks of buf only, as cp does for a sparse SRC:
 * where SEEK_HOLE is missing (or data extents hold zeros) the holes are
 * kept all the same.  The final ftruncate() gives the size.
 */
static int
write_sparse(int fd, const char *buf, size_t n, off_t off)
{
	size_t	i = 0, start;

	while (i < n) {
		while (i < n && is_zero(buf + i, block_at(i, n)))
			i += block_at(i, n);
		start = i;
		while (i < n && !is_zero(buf + i, block_at(i, n)))
			i += block_at(i, n);
		if (i > start && write_all(fd, buf + start, i - start,
		    off + (off_t)start) < 0)
			return -1;
	}
	return 0;
}

/*
 * One read/write step; the buffer is made on first use only.  A failure
 * says which side it was on, as the words for it differ.
 */
static ssize_t
copy_rw(struct copier *c, off_t off, size_t len)
{
	ssize_t	n;

	if (c->buf == NULL && (c->buf = malloc(c->bufsize)) == NULL)
		return -1;
	if (len > c->bufsize)
		len = c->bufsize;
	do
		n = pread(c->srcfd, c->buf, len, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		c->step = HL_STEP_READ;
	else if (n > 0 && (c->sparse ?
	    write_sparse(c->dstfd, c->buf, (size_t)n, off) :
	    write_all(c->dstfd, c->buf, (size_t)n, off)) < 0) {
		c->step = HL_STEP_WRITE;
		return -1;
	}
	return n;
}

/* What copy_file_range() says when read/write would do instead. */
static bool
range_unusable(int err)
{
	return err == ENOSYS || err == EXDEV || err == EINVAL ||
	    hl_not_supported(err);
}

/*
 * Before it has moved a byte, any refusal of copy_file_range() passes
 * to read/write (EINVAL from mqueue, EPERM from a seccomp filter...),
 * which then says on which side a real error is.
 */
static ssize_t
copy_step(struct copier *c, off_t off, size_t len)
{
	off_t	srcoff = off, dstoff = off;
	ssize_t	n;

	if (len > HL_COPY_CHUNK)
		len = HL_COPY_CHUNK;
	while (c->use_range) {
		n = hl_copy_range(c->srcfd, &srcoff, c->dstfd, &dstoff, len);
		if (n >= 0) {
			c->range_moved = c->range_moved || n > 0;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (c->range_moved && !range_unusable(errno))
			return -1;
		/* From here on the whole file goes through read/write. */
		c->use_range = false;
	}
	return copy_rw(c, off, len);
}

/* Copies [off, off + len), one data extent of SRC. */
static int
copy_extent(struct copier *c, off_t off, off_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = copy_step(c, off, (size_t)len);
		if (n < 0)
			return -1;
		if (n == 0) {
			c->short_read = true;
			return 0;
		}
		off += n;
		len -= n;
		advance(c, (uint64_t)n);
	}
	return 0;
}

/*
 * Copies only SRC's data extents and sets the size last, so that its
 * holes stay holes in DST.  A file with a block for every byte has no
 * hole to look for: it is one extent, and its size is what is written.
 */
static int
copy_data(struct copier *c, off_t size)
{
	off_t	off = 0, data, hole;
	int	rc = 0;

	if (!c->sparse)
		rc = copy_extent(c, 0, size);
	while (c->sparse && rc == 0 && !c->short_read &&
	    hl_next_data(c->srcfd, off, size, &data, &hole) == 0) {
		rc = copy_extent(c, data, hole - data);
		off = hole;
	}
	if (rc == 0 && c->sparse && (rc = ftruncate(c->dstfd, size)) < 0)
		c->step = HL_STEP_WRITE;
	free(c->buf);
	c->buf = NULL;
	return rc;
}

/* Why a clone could not be made, as a cause that may pass to a copy. */
static enum hl_copy_cause
clone_cause(int err, int dstfd)
{
	if (err == EXDEV)
		return HL_COPY_CLONE_XDEV;
	/* Btrfs: a file without copy-on-write (chattr +C) has no clone. */
	if (err == EINVAL && hl_fs_can_clone(dstfd) == 1)
		return HL_COPY_CLONE_NOT_FILE;
	if (hl_not_supported(err) || err == ENOTTY ||
	    err == EINVAL)
		return hl_can_clone() ? HL_COPY_CLONE_NO_FS :
		    HL_COPY_CLONE_NOT_BUILT;
	return HL_COPY_ERRNO;
}

static int
clone_into(struct copier *c, const struct stat *st,
    struct hl_copy_result *res)
{
	if (hl_clone_fd(c->srcfd, c->dstfd) == 0) {
		res->made = HL_MADE_CLONE;
		advance(c, (uint64_t)st->st_size);
		return 0;
	}
	return fail(res, clone_cause(errno, c->dstfd), HL_STEP_CLONE, errno);
}

static int
copy_into(struct copier *c, const struct stat *st,
    struct hl_copy_result *res)
{
	if (copy_data(c, st->st_size) < 0)
		return fail(res, HL_COPY_ERRNO, c->step, errno);
	res->made = HL_MADE_COPY;
	return 0;
}

/* The temporary's content and attributes: a clone, else a copy. */
static int
fill(const struct hl_copy_request *req, struct copier *c,
    const struct stat *st, struct hl_copy_result *res)
{
	int	rc = -1;

	if (req->flags & HL_COPY_CLONE) {
		rc = clone_into(c, st, res);
		if (rc < 0 && (!(req->flags & HL_COPY_DATA) ||
		    !hl_copy_passes(res->cause)))
			return -1;
		if (rc < 0) {
			res->clone_cause = res->cause;
			res->cause = HL_COPY_NONE;
			res->step = HL_STEP_NONE;
			res->err = 0;
		}
	}
	if (rc < 0 && copy_into(c, st, res) < 0)
		return -1;
	if (c->short_read || src_changed(c->srcfd, st))
		return fail(res, HL_COPY_CHANGED, HL_STEP_COPY, 0);
	return set_attributes(req, c, st, res);
}

static void
copier_init(struct copier *c, int srcfd, int dstfd, const struct stat *st,
    const struct hl_copy_request *req, struct hl_copy_result *res)
{
	memset(c, 0, sizeof(*c));
	c->srcfd = srcfd;
	c->dstfd = dstfd;
	c->step = HL_STEP_COPY;
	c->bufsize = (size_t)st->st_size < BUF_MAX ? (size_t)st->st_size :
	    BUF_MAX;
	/*
	 * A copy is a full one, with its own blocks: copy_file_range() only
	 * where it cannot clone instead.  A file of one buffer or less is
	 * one pread() and one pwrite(), which needs no fstatfs() to decide
	 * and, across filesystems, no copy_file_range() refused with EXDEV.
	 */
	c->use_range = (size_t)st->st_size > BUF_MAX && hl_range_copies(dstfd);
	if (c->bufsize == 0)
		c->bufsize = 1;
	/* cp's test: fewer blocks than the size needs. */
	c->sparse = (off_t)st->st_blocks * 512 < st->st_size;
	c->progress = req->progress;
	c->bytes = &res->bytes;
}

/*
 * -f never replaces a directory: said before a copy of any size is made
 * for nothing.  (One made meanwhile is refused by the rename all the
 * same.)
 */
static bool
dst_is_dir(const struct hl_copy_request *req)
{
	struct stat	st;

	return (req->flags & HL_FORCE) && fstatat(req->dstdirfd, req->dst,
	    &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* EACCES in DST's directory: which permission it lacks, if either. */
static enum hl_copy_cause
create_cause(int dirfd, int err)
{
	if (err != EACCES)
		return HL_COPY_ERRNO;
	if (faccessat(dirfd, ".", X_OK, AT_EACCESS) < 0 && errno == EACCES)
		return HL_COPY_NO_SEARCH;
	if (faccessat(dirfd, ".", W_OK, AT_EACCESS) < 0 && errno == EACCES)
		return HL_COPY_NO_WRITE;
	return HL_COPY_ERRNO;	/* an LSM, or a race: say no more */
}

static enum hl_copy_cause
place_cause(int dirfd, int err)
{
	if (err == EEXIST)
		return HL_COPY_EXISTS;
	if (err == EISDIR || err == ENOTEMPTY)
		return HL_COPY_DST_IS_DIR;
	return create_cause(dirfd, err);
}

int
hl_clone_or_copy(const struct hl_copy_request *req,
    struct hl_copy_result *res)
{
	struct copier	c;
	struct temp	t;
	struct stat	st;
	int		srcfd, rc;

	memset(res, 0, sizeof(*res));
	if (!(req->flags & (HL_COPY_CLONE | HL_COPY_DATA)))
		return fail(res, HL_COPY_ERRNO, HL_STEP_NONE, EINVAL);
	if ((srcfd = open_src(req, &st, res)) < 0)
		return -1;
	if (dst_is_dir(req)) {
		close(srcfd);
		return fail(res, HL_COPY_DST_IS_DIR, HL_STEP_PLACE, EISDIR);
	}
	if (temp_create(&t, req->dstdirfd, req->memo) < 0) {
		rc = errno;
		close(srcfd);
		return fail(res, create_cause(req->dstdirfd, rc),
		    HL_STEP_CREATE_TEMP, rc);
	}
	copier_init(&c, srcfd, t.fd, &st, req, res);
	if ((rc = fill(req, &c, &st, res)) < 0)
		temp_discard(&t);
	else if ((rc = temp_place(&t, req->dst, req->flags & HL_FORCE,
	    &res->replaced)) < 0) {
		rc = errno;
		fail(res, place_cause(req->dstdirfd, rc), HL_STEP_PLACE, rc);
		rc = -1;
	}
	close(srcfd);
	return rc;
}

bool
hl_copy_passes(enum hl_copy_cause cause)
{
	return cause == HL_COPY_NOT_REGULAR || cause == HL_COPY_CLONE_XDEV ||
	    cause == HL_COPY_CLONE_NO_FS || cause == HL_COPY_CLONE_NOT_FILE ||
	    cause == HL_COPY_CLONE_NOT_BUILT;
}

static enum hl_copy_cause
dedupe_cause(int err)
{
	if (hl_not_supported(err) || err == ENOTTY ||
	    err == EINVAL || err == EXDEV)
		return HL_DEDUPE_NO_FS;
	return HL_COPY_ERRNO;
}

/* Shares [0, size) chunk by chunk: the kernel caps what one call does. */
static int
dedupe_all(int keptfd, int dupfd, off_t size, const struct hl_progress *p,
    struct hl_copy_result *res)
{
	uint64_t	done, len;
	off_t		off = 0;
	int		rc;

	while (off < size) {
		len = (uint64_t)(size - off);
		if (len > HL_COPY_CHUNK)
			len = HL_COPY_CHUNK;
		rc = hl_dedupe_call(keptfd, dupfd, off, len, &done);
		if (rc > 0)
			return fail(res, HL_DEDUPE_DIFFERS, HL_STEP_CLONE, 0);
		if (rc < 0)
			return fail(res, dedupe_cause(errno), HL_STEP_CLONE,
			    errno);
		/* Nothing shared and no error: do not loop for ever. */
		if (done == 0)
			return fail(res, HL_COPY_ERRNO, HL_STEP_CLONE, EAGAIN);
		off += (off_t)done;
		res->bytes += done;
		if (p != NULL && p->fn != NULL)
			p->fn(p->arg, done);
	}
	return 0;
}

int
hl_dedupe_range(int keptfd, int dupfd, const struct hl_progress *p,
    struct hl_copy_result *res)
{
	struct stat	kept, dup;

	memset(res, 0, sizeof(*res));
	if (fstat(keptfd, &kept) < 0 || fstat(dupfd, &dup) < 0)
		return fail(res, HL_COPY_ERRNO, HL_STEP_OPEN_SRC, errno);
	if (!S_ISREG(kept.st_mode) || !S_ISREG(dup.st_mode))
		return fail(res, HL_COPY_NOT_REGULAR, HL_STEP_OPEN_SRC, 0);
	if (kept.st_size != dup.st_size)
		return fail(res, HL_DEDUPE_DIFFERS, HL_STEP_CLONE, 0);
	if (dedupe_all(keptfd, dupfd, kept.st_size, p, res) < 0)
		return -1;
	res->made = HL_MADE_DEDUPED;
	return 0;
}
