/*
 * tree.c: -r.  A walk of the source (walk.c) and, beside it, a stack of
 * the replica's directories.  Each directory is made before its entries
 * and gets its mode, owner and times once they are all there, since
 * making an entry changes its directory's modification time.
 *
 * Only the deepest HL_WALK_MAX_OPEN replica directories stay open; an
 * older one is closed and reopened through "..", checked by device and
 * inode, when the walk climbs back to it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "sys.h"
#include "tree.h"
#include "walk.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct dst_frame {
	int		fd;	/* -1: closed to bound fds, or never made */
	dev_t		dev;	/* set when closed, checked when reopened */
	ino_t		ino;
	bool		made;	/* exists: attributes to set on leaving */
	bool		planned;	/* --dry-run: would be made */
	struct stat	src;	/* the source directory's attributes */
	size_t		pathlen;
};

struct tree {
	const struct hl_tree_request	*req;
	struct hl_walk			 walk;
	struct dst_frame		*frames;
	size_t				 depth;
	size_t				 cap;
	size_t				 open;
	struct hl_pathbuf		 path;	/* the replica's current dir */
	dev_t				 dev;
	bool				 check_dev;	/* mounts below SRC */
	int				 failures;
};

static void
failed(struct tree *t, enum hl_tree_failure what, const char *path, int err)
{
	t->failures++;
	t->req->ops->failed(t->req->ctx, what, path, err);
}

static struct dst_frame *
top(struct tree *t)
{
	return &t->frames[t->depth - 1];
}

/* The replica's name for entry name of the current directory. */
static const char *
dst_path(struct tree *t, const char *name)
{
	size_t	len = top(t)->pathlen;

	t->path.s[len] = '\0';
	if (name != NULL)
		(void)hl_pathbuf_join(&t->path, len, name);
	return t->path.s;
}

/* Closes the oldest open replica directory, to bound the fds held. */
static void
close_oldest(struct tree *t)
{
	struct dst_frame	*f = &t->frames[t->depth - t->open];
	struct stat		 st;

	if (fstat(f->fd, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	close(f->fd);
	f->fd = -1;
	t->open--;
}

static int
push(struct tree *t, int fd, const struct stat *src, const char *name)
{
	struct dst_frame	*f;
	size_t			 cap = t->cap ? 2 * t->cap : 64;
	int			 len;

	if (t->depth == t->cap) {
		f = realloc(t->frames, cap * sizeof(*f));
		if (f == NULL)
			return -1;
		t->frames = f;
		t->cap = cap;
	}
	len = hl_pathbuf_join(&t->path, t->depth ? top(t)->pathlen : 0, name);
	if (len < 0)
		return -1;
	if (fd >= 0 && t->open == HL_WALK_MAX_OPEN)
		close_oldest(t);
	f = &t->frames[t->depth++];
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->src = *src;
	f->pathlen = (size_t)len;
	t->open += fd >= 0;
	return 0;
}

/* Mode, owner and times of the source directory, as cp -a sets them. */
static void
set_attributes(struct tree *t, int fd, const struct stat *src)
{
	struct timespec	times[2];

	times[0] = src->st_atim;
	times[1] = src->st_mtim;
	/* Root can give the owner; chown first, as it clears set-ID bits. */
	if (geteuid() == 0 && fchown(fd, src->st_uid, src->st_gid) < 0)
		failed(t, HL_TREE_ATTRS, dst_path(t, NULL), errno);
	if (fchmod(fd, src->st_mode & 07777) < 0 ||
	    futimens(fd, times) < 0)
		failed(t, HL_TREE_ATTRS, dst_path(t, NULL), errno);
}

/*
 * Reopens the parent of the top frame through "..", if it was closed,
 * and checks that it still is the directory that was closed.
 */
static int
reopen_parent(struct tree *t)
{
	struct dst_frame	*parent = &t->frames[t->depth - 2];
	struct stat		 st;
	int			 fd;

	if (parent->fd >= 0 || !parent->made)
		return 0;
	fd = openat(top(t)->fd, "..", DIR_FLAGS);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_dev != parent->dev ||
	    st.st_ino != parent->ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	parent->fd = fd;
	t->open++;
	return 0;
}

/* The walk left a directory: finish its replica and climb. */
static int
leave(struct tree *t)
{
	struct dst_frame	*f = top(t);
	int			 rc = 0;

	if (f->made && f->fd >= 0)
		set_attributes(t, f->fd, &f->src);
	if (t->depth > 1 && f->fd >= 0 && reopen_parent(t) < 0) {
		failed(t, HL_TREE_READ, dst_path(t, ".."), errno);
		rc = -1;
	}
	if (f->fd >= 0) {
		close(f->fd);
		t->open--;
	}
	t->depth--;
	return rc;
}

/*
 * Makes (or, when it is there already, reuses) the replica directory
 * name in dirfd, and pushes it.  mkdir with 0700 so that we can fill it;
 * the real mode comes on leaving.  On failure a dead frame is pushed.
 */
static int
make_dir(struct tree *t, int dirfd, const char *name, const struct stat *src)
{
	const char	*shown;
	struct stat	 st;
	int		 fd = -1, made = 1;

	if (t->req->flags & HL_DRY_RUN) {
		fd = dirfd >= 0 ? openat(dirfd, name, DIR_FLAGS) : -1;
		made = 0;
	} else if (mkdirat(dirfd, name, 0700) < 0 && (errno != EEXIST ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))) {
		made = -1;
		if (errno == EEXIST)
			errno = ENOTDIR;
	} else
		fd = openat(dirfd, name, DIR_FLAGS);
	if (push(t, fd, src, name) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	top(t)->made = made == 1 && fd >= 0;
	top(t)->planned = made == 0 && fd < 0;
	shown = dst_path(t, NULL);
	if (made < 0 || (made == 1 && fd < 0)) {
		failed(t, errno == ENOTDIR ? HL_TREE_NOT_DIR : HL_TREE_MKDIR,
		    shown, errno);
		return -1;
	}
	t->req->ops->made_dir(t->req->ctx, shown, hl_walk_path(&t->walk,
	    NULL));
	return 0;
}

/* The fd that entries of the current replica directory go in. */
static int
dst_dirfd(struct tree *t)
{
	return top(t)->planned ? HL_PLANNED_DIR : top(t)->fd;
}

static void
link_entry(struct tree *t, const char *name)
{
	struct hl_request	req;

	req.srcdirfd = hl_walk_fd(&t->walk);
	req.src = name;
	req.src_shown = hl_walk_path(&t->walk, name);
	req.dstdirfd = dst_dirfd(t);
	req.dst = name;
	req.dst_shown = dst_path(t, name);
	req.flags = t->req->flags & ~HL_FOLLOW;	/* a symlink is linked */
	if (t->req->ops->link(t->req->ctx, &req) != 0)
		t->failures++;
}

/* The symlink -s makes for a mount point: to its source directory. */
static int
mount_point_symlink(struct tree *t, int dirfd, const char *name,
    char *target, size_t size)
{
	char	real[PATH_MAX], here[PATH_MAX];

	if (hl_realpath_at(hl_walk_fd(&t->walk), name, false, real,
	    sizeof(real)) < 0)
		return -1;
	if (!(t->req->flags & HL_RELATIVE) || dirfd < 0)
		return snprintf(target, size, "%s", real) < (int)size ? 0 : -1;
	if (hl_realpath_at(dirfd, ".", true, here, sizeof(here)) < 0)
		return -1;
	return hl_relative_path(here, real, target, size);
}

/*
 * No hard link can reach another filesystem, so a mount point inside SRC
 * becomes an empty directory (with -s, a symlink to its source).
 */
static void
mount_point(struct tree *t, const char *name)
{
	int		 dirfd = dst_dirfd(t);
	char		 target[PATH_MAX];
	struct stat	 st;
	bool		 dry = t->req->flags & HL_DRY_RUN;

	if (fstatat(hl_walk_fd(&t->walk), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		failed(t, HL_TREE_READ, hl_walk_path(&t->walk, name), errno);
		return;
	}
	if (t->req->flags & HL_SYMLINK_FALLBACK) {
		if (mount_point_symlink(t, dirfd, name, target,
		    sizeof(target)) < 0 ||
		    (!dry && symlinkat(target, dirfd, name) < 0)) {
			failed(t, HL_TREE_MKDIR, dst_path(t, name), errno);
			return;
		}
		t->req->ops->mount_point(t->req->ctx, dst_path(t, name),
		    hl_walk_path(&t->walk, name), target);
		return;
	}
	t->req->ops->mount_point(t->req->ctx, dst_path(t, name),
	    hl_walk_path(&t->walk, name), NULL);
	if (make_dir(t, dirfd, name, &st) == 0 && top(t)->made)
		set_attributes(t, top(t)->fd, &st);
	leave(t);
}

static void
enter_dir(struct tree *t, const char *name)
{
	int		dirfd = dst_dirfd(t);
	struct stat	st;

	if (hl_walk_enter(&t->walk, name, t->check_dev ? &t->dev : NULL) < 0) {
		if (errno == EXDEV)
			mount_point(t, name);
		else
			failed(t, HL_TREE_READ, hl_walk_path(&t->walk, name),
			    errno);
		return;
	}
	if (fstat(hl_walk_fd(&t->walk), &st) < 0 ||
	    make_dir(t, dirfd, name, &st) < 0)
		hl_walk_skip(&t->walk);	/* nowhere to put its entries */
}

static void
visit(struct tree *t, const struct hl_walk_entry *e)
{
	struct stat	st;
	bool		dir = e->type == HL_TYPE_DIR;

	if (e->type == HL_TYPE_UNKNOWN)
		dir = fstatat(hl_walk_fd(&t->walk), e->name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	if (dir)
		enter_dir(t, e->name);
	else
		link_entry(t, e->name);
}

/* Checks made before anything is created: same filesystem, not inside. */
static int
check_destination(struct tree *t, const struct stat *src)
{
	const struct hl_tree_request	*req = t->req;
	char				 parent[PATH_MAX], srcreal[PATH_MAX];
	char				 dstreal[PATH_MAX];
	size_t				 len;
	struct stat			 st;

	hl_parent(req->dst, parent, sizeof(parent));
	if (fstatat(req->dstdirfd, parent, &st, 0) < 0) {
		failed(t, HL_TREE_MKDIR, req->dst_shown, errno);
		return -1;
	}
	if (st.st_dev != src->st_dev) {
		failed(t, HL_TREE_CROSS_DEVICE, req->dst_shown, EXDEV);
		return -1;
	}
	if (hl_realpath_at(req->srcdirfd, req->src, true, srcreal,
	    sizeof(srcreal)) < 0 ||
	    hl_realpath_at(req->dstdirfd, parent, true, dstreal,
	    sizeof(dstreal)) < 0)
		return 0;	/* nothing to compare: mkdirat will tell */
	len = strlen(srcreal);
	if (strncmp(dstreal, srcreal, len) == 0 &&
	    (dstreal[len] == '/' || dstreal[len] == '\0' || len == 1)) {
		failed(t, HL_TREE_INTO_ITSELF, req->dst_shown, EINVAL);
		return -1;
	}
	return 0;
}

static void
walk_tree(struct tree *t)
{
	struct hl_walk_entry	e;
	enum hl_walk_event	ev;

	while ((ev = hl_walk_next(&t->walk, &e)) != HL_WALK_END) {
		if (ev == HL_WALK_ENTRY)
			visit(t, &e);
		else if (ev == HL_WALK_ERROR)
			failed(t, HL_TREE_READ, hl_walk_path(&t->walk, NULL),
			    t->walk.err);
		else if (leave(t) < 0)
			break;
	}
}

/* Whether any filesystem is mounted below dir, so devices need checks. */
static bool
mounts_below(int dirfd, const char *dir)
{
	struct hl_mounts	m;
	bool			any;

	any = hl_mounts_below(dirfd, dir, &m) < 0 || m.count > 0;
	hl_mounts_free(&m);
	return any;
}

int
hl_tree(const struct hl_tree_request *req)
{
	struct tree	t;
	struct stat	st;

	memset(&t, 0, sizeof(t));
	t.req = req;
	if (hl_walk_open(&t.walk, req->srcdirfd, req->src, &st) < 0) {
		failed(&t, HL_TREE_READ, req->src_shown, errno);
		return -1;
	}
	t.dev = st.st_dev;
	t.check_dev = mounts_below(req->srcdirfd, req->src);
	if (check_destination(&t, &st) == 0 &&
	    hl_pathbuf_join(&t.path, 0, "") == 0 &&
	    make_dir(&t, req->dstdirfd, req->dst, &st) == 0)
		walk_tree(&t);
	while (t.depth > 0)
		leave(&t);
	hl_walk_close(&t.walk);
	free(t.frames);
	free(t.path.s);
	return t.failures > 0 ? -1 : 0;
}
