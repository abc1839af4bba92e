/*
 * tree.c: -r.  A walk of the source (walk.c) and, beside it, a stack of
 * the replica's directories.  Each directory is made before its entries
 * and gets its mode, owner and times once they are all there, since
 * making an entry changes its directory's modification time.
 *
 * With threads (pool.c), a worker that meets a subdirectory while another
 * worker is idle makes the replica directory and hands the pair over as
 * a job.
 * A subtree's work never touches its parent directory, so jobs need no
 * ordering: each directory is finished by the worker that filled it.
 *
 * Both sides keep their directories on a directory stack (dirstack.c):
 * only the deepest few (max_open) of each walk stay open, and an older
 * one is reopened through "..", and checked, when the walk climbs back.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "diagnose.h"
#include "dirstack.h"
#include "path.h"
#include "pool.h"
#include "replica.h"
#include "sys.h"
#include "tree.h"
#include "walk.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * A worker's thread stack, set rather than left to the libc (musl gives a
 * thread 128 KiB).  The deepest a worker goes is the core's: replacing a
 * DST, diagnosing the failure down to a mount point, about 40 KiB of
 * PATH_MAX buffers by gcc -fstack-usage, and libc's realpath() below
 * that.  The mode's own big buffers are in struct worker, the output's
 * on the heap; the threaded tests pass on musl with 64 KiB.
 */
#define TREE_STACK	((size_t)256 * 1024)

/* A subtree to replicate: both directories open, the replica made. */
struct job {
	int		 srcfd;
	int		 dstfd;		/* -1 under --dry-run: planned */
	struct stat	 src;
	char		*srcpath;
	char		*dstpath;
};

/* What the workers share; the pool's lock guards every callback. */
struct shared {
	const struct hl_tree_request	*req;
	struct hl_pool			*pool;
	size_t				 max_open;	/* per walk and side */
	dev_t				 dev;
	dev_t				 replica_dev;	/* the replica's root */
	ino_t				 replica_ino;
	bool				 check_dev;	/* mounts below SRC */
	struct hl_mounts		 mounts;	/* below SRC */
	size_t				 rootlen;	/* of "SRC/" as shown */
	int				 failures;
	int				 replica_kinds;	/* across filesystems */
	struct hl_replica		*replica;	/* or NULL: links */
	int				 replica_fd;	/* its top, or -1 */
};

/* A replica directory; slot.fd is -1 when closed or never made. */
struct dst_frame {
	struct hl_dirslot slot;
	bool		made;	/* exists: attributes to set on leaving */
	bool		planned;	/* --dry-run: would be made */
	struct stat	src;	/* the source directory's attributes */
	size_t		pathlen;
};

/*
 * What each worker keeps on the heap, once, rather than on its thread's
 * stack: an outcome and the paths of a mount point's symlink are 16 KiB
 * each, and a small thread stack (musl's is 128 KiB) holds only a few.
 */
struct worker {
	struct hl_outcome	out;
	char			target[PATH_MAX];
	char			real[PATH_MAX];
	char			here[PATH_MAX];
	char			held[PATH_MAX];
};

/* One worker's walk of one job: the source's side and the replica's. */
struct tree {
	struct shared		*sh;
	struct worker		*w;
	struct hl_walk		 walk;
	struct hl_dirstack	 dirs;	/* of struct dst_frame */
	struct hl_pathbuf	 path;	/* the replica's current dir */
};

static void
lock(struct shared *sh)
{
	if (sh->pool != NULL)
		hl_pool_lock(sh->pool);
}

static void
unlock(struct shared *sh)
{
	if (sh->pool != NULL)
		hl_pool_unlock(sh->pool);
}

static void
failed(struct shared *sh, enum hl_tree_failure what, const char *path,
    int err)
{
	lock(sh);
	sh->failures++;
	sh->req->ops->failed(sh->req->ctx, what, path, err);
	unlock(sh);
}

static struct dst_frame *
top(struct tree *t)
{
	return hl_dirstack_top(&t->dirs);
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

static int
push(struct tree *t, int fd, const struct stat *src, const char *name)
{
	struct dst_frame	*f;
	int			 len;

	len = hl_pathbuf_join(&t->path,
	    t->dirs.depth ? top(t)->pathlen : 0, name);
	if (len < 0 || (f = hl_dirstack_push(&t->dirs, fd)) == NULL)
		return -1;
	f->src = *src;
	f->pathlen = (size_t)len;
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
		failed(t->sh, HL_TREE_ATTRS, dst_path(t, NULL), errno);
	if (fchmod(fd, src->st_mode & 07777) < 0 ||
	    futimens(fd, times) < 0)
		failed(t->sh, HL_TREE_ATTRS, dst_path(t, NULL), errno);
}

/* The walk left a directory: finish its replica and climb. */
static int
leave(struct tree *t)
{
	struct dst_frame	*f = top(t);
	int			 rc = 0;

	if (f->made && f->slot.fd >= 0)
		set_attributes(t, f->slot.fd, &f->src);
	if (hl_dirstack_reopen_parent(&t->dirs) < 0) {
		rc = errno;
		/* The parent's path, which the failure concerns. */
		t->path.s[((struct dst_frame *)hl_dirstack_at(&t->dirs,
		    t->dirs.depth - 2))->pathlen] = '\0';
		failed(t->sh, HL_TREE_READ, t->path.s, rc);
		rc = -1;
	}
	if (f->slot.fd >= 0)
		close(f->slot.fd);
	hl_dirstack_pop(&t->dirs);
	HL_COUNT(t->sh->req->counters, dirs, 1);
	return rc;
}

enum made {
	MADE,		/* made: fd is open */
	EXISTED,	/* there already, merged into: fd is open */
	PLANNED,	/* --dry-run, and not there: fd is -1 */
	NOT_MADE	/* errno says why */
};

/*
 * Makes (or, when it is there already, reuses) the replica directory
 * name in dirfd and opens it.  mkdir with 0700, so that we can fill it;
 * the real mode comes once it is full.
 */
static enum made
make_dir(const struct shared *sh, int dirfd, const char *name, int *fd)
{
	struct stat	st;

	enum made	made = MADE;

	*fd = -1;
	if (sh->req->top.flags & HL_DRY_RUN) {
		*fd = dirfd != HL_PLANNED_DIR ?
		    openat(dirfd, name, DIR_FLAGS) : -1;
		return *fd >= 0 ? EXISTED : PLANNED;
	}
	if (mkdirat(dirfd, name, 0700) < 0) {
		if (errno != EEXIST ||
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return NOT_MADE;
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return NOT_MADE;
		}
		made = EXISTED;
	}
	*fd = openat(dirfd, name, DIR_FLAGS);
	return *fd >= 0 ? made : NOT_MADE;
}

static void
made_dir(struct shared *sh, enum made made, const char *dst, const char *src)
{
	if (made == NOT_MADE) {
		failed(sh, errno == ENOTDIR ? HL_TREE_NOT_DIR : HL_TREE_MKDIR,
		    dst, errno);
		return;
	}
	if (made == EXISTED)
		return;
	lock(sh);
	sh->req->ops->made_dir(sh->req->ctx, dst, src);
	unlock(sh);
}

/* No frame to pair with the walk's next leave: end this walk. */
static void
out_of_memory(struct tree *t)
{
	failed(t->sh, HL_TREE_READ, hl_walk_path(&t->walk, NULL), ENOMEM);
	t->walk.stopped = true;
}

/*
 * Pushes the replica of the source directory just entered.  A frame is
 * pushed even when the directory could not be made, so that leave()
 * pairs with the walk's leave event; its entries are skipped.
 */
static int
push_dir(struct tree *t, int dirfd, const char *name, const struct stat *src)
{
	int		fd;
	enum made	made = make_dir(t->sh, dirfd, name, &fd);
	int		err = errno;

	if (push(t, fd, src, name) < 0) {
		if (fd >= 0)
			close(fd);
		out_of_memory(t);
		return -1;
	}
	top(t)->made = (made == MADE || made == EXISTED) &&
	    !(t->sh->req->top.flags & HL_DRY_RUN);
	top(t)->planned = made == PLANNED;
	errno = err;
	made_dir(t->sh, made, dst_path(t, NULL), hl_walk_path(&t->walk, NULL));
	return made == NOT_MADE ? -1 : 0;
}

/* The fd that entries of the current replica directory go in. */
static int
dst_dirfd(struct tree *t)
{
	return top(t)->planned ? HL_PLANNED_DIR : top(t)->slot.fd;
}

/*
 * Links one entry (-i asking first, if it must) and reports the outcome;
 * a DST kept at -i's question counts as a failure.
 */
static void
link_one(struct shared *sh, struct hl_request *req, struct hl_outcome *out)
{
	const struct hl_tree_request	*treq = sh->req;
	int				 answer = 1;

	if (hl_link(req, out) < 0 && out->err == EEXIST &&
	    treq->ops->ask != NULL)	/* -i, never threaded */
		answer = hl_link_ask(req, out, treq->ops->ask, treq->ctx);
	lock(sh);
	if (answer == 0 || (answer > 0 && out->status == HL_FAILED))
		sh->failures++;
	if (answer > 0)
		treq->ops->report(treq->ctx, req, out);
	unlock(sh);
	HL_COUNT(treq->counters, files, 1);
}

/*
 * An entry of a replica across filesystems, made (-i asking first, as
 * for a link) and reported.
 */
static void
replica_entry(struct shared *sh, struct hl_request *req,
    struct hl_outcome *out)
{
	const struct hl_tree_request	*treq = sh->req;
	int				 rc, answer = 1;

	rc = hl_replica_entry(sh->replica, req, out);
	if (rc < 0 && out->err == EEXIST && treq->ops->ask != NULL) {
		answer = treq->ops->ask(treq->ctx, req);
		if (answer > 0) {
			req->flags |= HL_FORCE;
			rc = hl_replica_entry(sh->replica, req, out);
		}
	}
	lock(sh);
	if (rc < 0 || answer == 0)
		sh->failures++;
	if (answer > 0)
		treq->ops->report(treq->ctx, req, out);
	unlock(sh);
	HL_COUNT(treq->counters, files, 1);
}

static void
link_entry(struct tree *t, const char *name)
{
	struct hl_request	req = {
		.srcdirfd = hl_walk_fd(&t->walk),
		.src = name,
		.src_shown = hl_walk_path(&t->walk, name),
		.dstdirfd = dst_dirfd(t),
		.dst = name,
		.dst_shown = dst_path(t, name),
		/* A symlink in the tree is linked, never followed. */
		.flags = t->sh->req->top.flags & ~HL_FOLLOW,
		.progress = t->sh->req->progress,
	};

	if (t->sh->replica != NULL)
		replica_entry(t->sh, &req, &t->w->out);
	else
		link_one(t->sh, &req, &t->w->out);
}

/* The symlink -s makes for a mount point: to its source directory. */
static int
mount_point_symlink(struct tree *t, int dirfd, const char *name,
    char *target, size_t size)
{
	char	*real = t->w->real, *here = t->w->here;

	if (hl_realpath_at(hl_walk_fd(&t->walk), name, false, real,
	    PATH_MAX) < 0)
		return -1;
	if (!(t->sh->req->top.flags & HL_RELATIVE) || dirfd == HL_PLANNED_DIR)
		return snprintf(target, size, "%s", real) < (int)size ? 0 : -1;
	if (hl_realpath_at(dirfd, ".", true, here, PATH_MAX) < 0)
		return -1;
	return hl_relative_path(here, real, target, size);
}

static void
notice_mount_point(struct tree *t, const char *name, const char *target)
{
	struct shared	*sh = t->sh;

	lock(sh);
	sh->req->ops->mount_point(sh->req->ctx, dst_path(t, name),
	    hl_walk_path(&t->walk, name), target);
	unlock(sh);
}

/* True when name in dirfd is a symlink holding target: a rerun's. */
static bool
holds(int dirfd, const char *name, const char *target, char *buf)
{
	ssize_t	n;
	int	err = errno;

	n = readlinkat(dirfd, name, buf, PATH_MAX - 1);
	errno = err;
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/*
 * No hard link can reach another filesystem, so a mount point inside SRC
 * becomes an empty directory (with -s, a symlink to its source).
 */
static void
mount_point(struct tree *t, const char *name)
{
	int		 dirfd = dst_dirfd(t);
	char		*target = t->w->target;
	struct stat	 st;
	bool		 dry = t->sh->req->top.flags & HL_DRY_RUN;

	if (fstatat(hl_walk_fd(&t->walk), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		failed(t->sh, HL_TREE_READ, hl_walk_path(&t->walk, name),
		    errno);
		return;
	}
	if (t->sh->req->top.flags & HL_SYMLINK_FALLBACK) {
		if (mount_point_symlink(t, dirfd, name, target,
		    PATH_MAX) < 0 ||
		    (!dry && symlinkat(target, dirfd, name) < 0 &&
		    !holds(dirfd, name, target, t->w->held)))
			failed(t->sh, HL_TREE_SYMLINK, dst_path(t, name),
			    errno);
		else
			notice_mount_point(t, name, target);
		return;
	}
	notice_mount_point(t, name, NULL);
	if (push_dir(t, dirfd, name, &st) == 0 && top(t)->made)
		set_attributes(t, top(t)->slot.fd, &st);
	leave(t);
}

/*
 * A mount point below SRC, even a bind mount of SRC's own filesystem:
 * linkat() gives EXDEV across mounts, whatever the device says.
 */
static bool
is_mount_point(struct tree *t, const char *name)
{
	const char	*path;

	if (t->sh->mounts.count == 0)
		return false;
	path = hl_walk_path(&t->walk, name);
	return strlen(path) > t->sh->rootlen &&
	    hl_mounts_has(&t->sh->mounts, path + t->sh->rootlen);
}

/*
 * The replica's own root met inside SRC: DST was inside SRC by a way the
 * path checks could not see (a bind mount, on a system without
 * mountinfo).  Never walk into it: the tree would grow without end.
 */
static bool
is_replica(struct tree *t, const struct stat *st)
{
	if (st->st_dev != t->sh->replica_dev || st->st_ino != t->sh->replica_ino)
		return false;
	failed(t->sh, HL_TREE_INTO_ITSELF, hl_walk_path(&t->walk, NULL), EINVAL);
	return true;
}

/*
 * The job for subdirectory name: its replica made here, both directories
 * opened.  False when it cannot be handed over (reported, or done here
 * as a mount point).
 */
static bool
make_job(struct tree *t, const char *name, struct job *job)
{
	enum made	made;
	int		err;

	job->srcfd = openat(hl_walk_fd(&t->walk), name, DIR_FLAGS);
	if (job->srcfd < 0 || fstat(job->srcfd, &job->src) < 0) {
		err = errno;
		if (job->srcfd >= 0)
			close(job->srcfd);
		failed(t->sh, HL_TREE_READ, hl_walk_path(&t->walk, name), err);
		return false;
	}
	if (t->sh->check_dev && job->src.st_dev != t->sh->dev) {
		close(job->srcfd);
		mount_point(t, name);
		return false;
	}
	if (job->src.st_dev == t->sh->replica_dev &&
	    job->src.st_ino == t->sh->replica_ino) {
		close(job->srcfd);
		failed(t->sh, HL_TREE_INTO_ITSELF,
		    hl_walk_path(&t->walk, name), EINVAL);
		return false;
	}
	made = make_dir(t->sh, dst_dirfd(t), name, &job->dstfd);
	made_dir(t->sh, made, dst_path(t, name), hl_walk_path(&t->walk, name));
	job->srcpath = strdup(hl_walk_path(&t->walk, name));
	job->dstpath = strdup(dst_path(t, name));
	if (made == NOT_MADE || job->srcpath == NULL || job->dstpath == NULL) {
		close(job->srcfd);
		if (job->dstfd >= 0)
			close(job->dstfd);
		free(job->srcpath);
		free(job->dstpath);
		return false;
	}
	return true;
}

/* Hands subdirectory name over to the idle worker that a slot waits for. */
static void
give_away(struct tree *t, const char *name)
{
	struct job	job;

	hl_pool_hand_over(t->sh->pool, make_job(t, name, &job) ? &job : NULL);
}

static void
enter_dir(struct tree *t, const char *name)
{
	int		dirfd = dst_dirfd(t);
	struct stat	st;

	if (is_mount_point(t, name)) {
		mount_point(t, name);
		return;
	}
	if (hl_pool_wants_work(t->sh->pool)) {
		give_away(t, name);
		return;
	}
	if (hl_walk_enter(&t->walk, name,
	    t->sh->check_dev ? &t->sh->dev : NULL) < 0) {
		if (errno == EXDEV)
			mount_point(t, name);
		else
			failed(t->sh, HL_TREE_READ,
			    hl_walk_path(&t->walk, name), errno);
		return;
	}
	name = hl_walk_name(&t->walk);	/* the entry's may be freed */
	if (fstat(hl_walk_fd(&t->walk), &st) < 0 || is_replica(t, &st)) {
		/* A dead frame, to pair with the walk's leave event. */
		memset(&st, 0, sizeof(st));
		if (push(t, -1, &st, name) < 0)
			out_of_memory(t);
		hl_walk_skip(&t->walk);
	} else if (push_dir(t, dirfd, name, &st) < 0)
		hl_walk_skip(&t->walk);	/* nowhere to put its entries */
}

static void
visit(struct tree *t, const struct hl_dirent *e)
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

static void
walk_tree(struct tree *t)
{
	struct hl_dirent	e;
	enum hl_walk_event	ev;

	while ((ev = hl_walk_next(&t->walk, &e)) != HL_WALK_END) {
		if (ev == HL_WALK_ENTRY)
			visit(t, &e);
		else if (ev == HL_WALK_ERROR)
			failed(t->sh, HL_TREE_READ,
			    hl_walk_path(&t->walk, NULL), t->walk.err);
		else if (leave(t) < 0)
			break;
	}
}

/* Replicates one subtree; the job's fds are the walk's from here on. */
static void
run_job(void *ctx, void *worker, void *arg)
{
	struct shared	*sh = ctx;
	struct job	*job = arg;
	struct tree	 t;

	memset(&t, 0, sizeof(t));
	t.sh = sh;
	t.w = worker;
	hl_dirstack_init(&t.dirs, sizeof(struct dst_frame), sh->max_open, NULL);
	if (hl_walk_open_fd(&t.walk, job->srcfd, job->srcpath) < 0) {
		failed(sh, HL_TREE_READ, job->srcpath, errno);
		close(job->srcfd);
		if (job->dstfd >= 0)
			close(job->dstfd);
	} else if (push(&t, job->dstfd, &job->src, job->dstpath) < 0) {
		failed(sh, HL_TREE_READ, job->srcpath, errno);
		if (job->dstfd >= 0)
			close(job->dstfd);
	} else {
		t.walk.dirs.max_open = sh->max_open;
		top(&t)->made = job->dstfd >= 0 &&
		    !(sh->req->top.flags & HL_DRY_RUN);
		top(&t)->planned = job->dstfd < 0;
		walk_tree(&t);
	}
	while (t.dirs.depth > 0)
		leave(&t);
	hl_walk_close(&t.walk);
	hl_dirstack_free(&t.dirs);
	free(t.path.s);
	free(job->srcpath);
	free(job->dstpath);
}

/*
 * Each worker holds up to max_open directories open on each side, one
 * more while it descends, and one for a link's own calls; a job handed
 * over costs two more.  Share the free fds between the workers, keeping
 * 32 for stdio and libc when there are many: fewer threads if it is
 * tight, and 0 when even one worker with one directory a side cannot
 * run.
 */
static int
share_fds(struct shared *sh, int jobs)
{
	size_t	budget = hl_fds_free(), workers, each;

	if (budget > 64)
		budget -= 32;
	if (budget < HL_TREE_MIN_FDS)
		return 0;
	workers = jobs > 1 ? (size_t)jobs : 1;
	if (budget / 8 < workers)
		workers = budget >= 16 ? budget / 8 : 1;
	/* workers >= 1 on every path; clang 14's analyser loses that. */
	each = budget / workers; /* NOLINT(clang-analyzer-core.DivideZero) */
	sh->max_open = workers == 1 ? (each - 2) / 2 : (each - 4) / 2;
	if (sh->max_open > HL_WALK_MAX_OPEN)
		sh->max_open = HL_WALK_MAX_OPEN;
	if (sh->max_open < 1)
		sh->max_open = 1;
	return (int)workers;
}

/*
 * Two mounts of one filesystem (a bind mount) have one device number, but
 * linkat() between them fails with EXDEV all the same: compare the mount
 * points as well.
 */
static bool
same_mount(const char *srcreal, const char *dstreal)
{
	char	a[PATH_MAX], b[PATH_MAX];

	if (hl_mount_point(srcreal, a, sizeof(a)) < 0 ||
	    hl_mount_point(dstreal, b, sizeof(b)) < 0)
		return true;	/* cannot tell: linkat() will */
	return strcmp(a, b) == 0;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * True when the replica would be SRC or inside it: DST, or its parent or
 * any directory above that, is SRC.  Climbing ".." from DST's parent
 * sees through symlinks and bind mounts, which comparing paths does not.
 */
static bool
is_inside(int parentfd, const char *name, const struct stat *src)
{
	struct stat	st, above;
	int		fd, up;
	bool		inside = false;

	if (fstatat(parentfd, name, &st, 0) == 0 && same_file(&st, src))
		return true;
	fd = hl_open_dir(parentfd, ".", true);
	while (fd >= 0 && !inside && fstat(fd, &st) == 0) {
		inside = same_file(&st, src);
		up = hl_open_dir(fd, "..", true);
		close(fd);
		fd = up;
		if (fd >= 0 && (fstat(fd, &above) < 0 || same_file(&above, &st))) {
			close(fd);	/* "/" is its own parent */
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return inside;
}

static void
lock_shared(void *arg)
{
	lock(arg);
}

static void
unlock_shared(void *arg)
{
	unlock(arg);
}

/* The replica's entries are made by replica.c, from its top directory. */
static int
start_replica(struct shared *sh, int dstfd)
{
	struct hl_replica_setup	setup = {
		.kinds = sh->replica_kinds,
		.rootfd = -1,
		.rootlen = strlen(sh->req->top.dst_shown),
		.lock = lock_shared,
		.unlock = unlock_shared,
		.arg = sh,
	};

	if (dstfd >= 0 && (setup.rootfd = sh->replica_fd =
	    fcntl(dstfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	sh->replica = hl_replica_new(&setup);
	return sh->replica != NULL ? 0 : -1;
}

/*
 * DSTDIR as the checks and the making of the replica's top see it: its
 * parent opened once, and DSTDIR itself when it is a directory already.
 */
struct root {
	int			 srcfd;
	const struct stat	*src;
	int			 parentfd;
	const char		*name;		/* DSTDIR's, in parentfd */
	int			 checkfd;	/* DSTDIR, or parentfd */
	struct stat		 check;		/* checkfd's */
	char			 srcreal[PATH_MAX];
	char			 dstreal[PATH_MAX];	/* checkfd's */
};

/*
 * Why no clone can be made from SRC's filesystem (srcfd) to DST's
 * (dstfd), or HL_COPY_NONE when one can: the kernel clones within one
 * filesystem only (EXDEV, said before it asks the filesystem whether it
 * clones at all), across its mounts too.  One device number is one
 * filesystem; Btrfs gives each subvolume its own, so two of its devices
 * may be one filesystem (or two: then each file says so).
 */
static int
clone_cause(int srcfd, int dstfd, const struct stat *src,
    const struct stat *dst)
{
	const char	*a, *b;
	bool		 one_fs = src->st_dev == dst->st_dev;

	if (!hl_can_clone())
		return HL_COPY_CLONE_NOT_BUILT;
	a = hl_fs_name(srcfd);
	b = hl_fs_name(dstfd);
	if (!one_fs && (a == NULL || b == NULL || strcmp(a, b) != 0 ||
	    strcmp(a, "btrfs") != 0))
		return HL_COPY_CLONE_XDEV;
	if (hl_fs_can_clone(srcfd) != 1 || hl_fs_can_clone(dstfd) != 1)
		return one_fs ? HL_COPY_CLONE_NO_FS : HL_COPY_CLONE_XDEV;
	return HL_COPY_NONE;
}

/* What DSTDIR on another filesystem becomes. */
enum plan {
	PLAN_REFUSE,	/* no KIND applies: a link's EXDEV */
	PLAN_SYMLINK,	/* DSTDIR a symlink to SRCDIR */
	PLAN_REPLICA	/* of sh->replica_kinds */
};

/*
 * The first KIND of the --fallback list that applies to the whole of
 * DSTDIR; each clone that does not is added to out's tried.
 */
static enum plan
plan_across(struct shared *sh, const struct root *r, struct hl_outcome *out)
{
	int	flags = sh->req->top.flags, i, kind, why;

	for (i = 0; (kind = hl_fallback_kind(flags, i)) != HL_KIND_NONE;
	    i++) {
		if (kind == HL_KIND_SYMLINK)
			return PLAN_SYMLINK;
		if (kind == HL_KIND_COPY) {
			sh->replica_kinds = HL_COPY_DATA;
			return PLAN_REPLICA;
		}
		why = clone_cause(r->srcfd, r->checkfd, r->src, &r->check);
		if (why == HL_COPY_NONE) {
			sh->replica_kinds = hl_replica_kinds(flags);
			return PLAN_REPLICA;
		}
		if (why == HL_COPY_CLONE_NO_FS)
			snprintf(out->fsdir, sizeof(out->fsdir), "%s",
			    out->where2);
		out->tried[out->ntried++] = (struct hl_tried){ HL_KIND_CLONE,
		    why, HL_STEP_CLONE, 0 };
	}
	return PLAN_REFUSE;
}

/*
 * The words of a link from SRCDIR to DSTDIR.  An existing DSTDIR may be
 * a mount point itself: its own mount point is named, not its parent's.
 */
static void
across_words(const struct root *r, const struct hl_request *req,
    struct hl_outcome *out)
{
	hl_diagnose_link(req, EXDEV, out);
	if (r->checkfd != r->parentfd && r->dstreal[0] != '\0' &&
	    (hl_mount_point(r->srcreal, out->where, sizeof(out->where)) < 0 ||
	    hl_mount_point(r->dstreal, out->where2, sizeof(out->where2)) < 0))
		out->where[0] = '\0';
	hl_diagnose_finish(req, out);
}

/*
 * DSTDIR is on another filesystem than SRCDIR: the --fallback list is
 * walked.  A replica is announced by the caller once its top is there
 * (returns 0: go on); else nothing is made here but a symlink: DSTDIR
 * becomes one to SRCDIR, as for any operand that cannot be hard-linked,
 * unless it is an existing directory; with no KIND left, the outcome is
 * that of a link across devices.
 */
static int
cross_device(struct shared *sh, const struct root *r, struct hl_outcome *out)
{
	struct hl_request	req = sh->req->top;
	enum plan		plan;

	req.dstdirfd = r->parentfd;
	req.dst = r->name;
	across_words(r, &req, out);
	plan = plan_across(sh, r, out);
	if (plan == PLAN_REPLICA) {
		out->replica = sh->replica_kinds;
		out->status = (sh->replica_kinds & HL_COPY_CLONE) ?
		    HL_CLONED : HL_COPIED;
		return 0;
	}
	if (plan == PLAN_SYMLINK && r->checkfd == r->parentfd) {
		/* clone passes for a directory: to symlink, from the start */
		req.flags = (req.flags & ~HL_FALLBACK_MASK) |
		    HL_SYMLINK_FALLBACK;
		link_one(sh, &req, out);
		return -1;
	}
	if (plan == PLAN_SYMLINK && out->ntried < HL_FALLBACK_MAX)
		out->tried[out->ntried++] = (struct hl_tried){
		    HL_KIND_SYMLINK, HL_COPY_ERRNO, HL_STEP_PLACE, EISDIR };
	lock(sh);
	sh->failures++;
	sh->req->ops->report(sh->req->ctx, &req, out);
	unlock(sh);
	return -1;
}

/* The replica of clones or copies, said once, for the whole of DSTDIR. */
static void
announce(struct shared *sh, const struct root *r,
    const struct hl_outcome *out)
{
	struct hl_request	req = sh->req->top;

	req.dstdirfd = r->parentfd;
	req.dst = r->name;
	lock(sh);
	sh->req->ops->report(sh->req->ctx, &req, out);
	unlock(sh);
}

/*
 * Checks made before anything is created, against DSTDIR when it is an
 * existing directory, else against its parent, each as opened once: same
 * filesystem (or what the --fallback list makes instead), not inside
 * SRC.
 */
static int
check_destination(struct shared *sh, struct root *r, struct hl_outcome *out)
{
	const struct hl_request	*req = &sh->req->top;

	if (fstat(r->checkfd, &r->check) < 0) {
		failed(sh, HL_TREE_MKDIR, req->dst_shown, errno);
		return -1;
	}
	if (hl_realpath_at(req->srcdirfd, req->src, true, r->srcreal,
	    sizeof(r->srcreal)) < 0 ||
	    hl_realpath_at(r->checkfd, ".", true, r->dstreal,
	    sizeof(r->dstreal)) < 0)
		r->dstreal[0] = r->srcreal[0] = '\0';	/* mkdirat will tell */
	if ((r->check.st_dev != r->src->st_dev ||
	    (r->dstreal[0] != '\0' && !same_mount(r->srcreal, r->dstreal))) &&
	    cross_device(sh, r, out) < 0)
		return -1;
	if (is_inside(r->parentfd, r->name, r->src)) {
		failed(sh, HL_TREE_INTO_ITSELF, req->dst_shown, EINVAL);
		return -1;
	}
	return 0;
}

/*
 * The replica's top: DSTDIR opened as the directory it is, or made.  A
 * name that is there and no directory is refused under --dry-run too.
 */
static enum made
open_root(struct shared *sh, struct root *r, int *fd)
{
	struct stat	st;

	if (r->checkfd != r->parentfd) {
		*fd = r->checkfd;
		r->checkfd = r->parentfd;	/* the caller's now */
		return EXISTED;
	}
	if (fstatat(r->parentfd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NOT_MADE;
	}
	return make_dir(sh, r->parentfd, r->name, fd);
}

/*
 * Makes the replica's root, DSTDIR, in its parent, which is resolved
 * once, as an fd, for the checks and the mkdirat alike: a parent swapped
 * for a symlink into SRC between two lookups would put the replica
 * inside SRC.  A replica of clones or copies is announced once its top
 * is there, so that a refusal is all a run that makes nothing says.
 */
static enum made
make_root(struct shared *sh, const struct job *job, int *fd)
{
	const struct hl_request	*req = &sh->req->top;
	char			 parent[PATH_MAX], buf[PATH_MAX];
	struct root		 r = { .srcfd = job->srcfd, .src = &job->src };
	struct hl_outcome	 out;
	int			 err;
	enum made		 made = NOT_MADE;

	*fd = -1;
	r.name = hl_basename(req->dst, buf, sizeof(buf));
	hl_parent(req->dst, parent, sizeof(parent));
	if ((r.parentfd = hl_open_dir(req->dstdirfd, parent, true)) < 0) {
		failed(sh, HL_TREE_MKDIR, req->dst_shown, errno);
		return NOT_MADE;
	}
	/* An existing DSTDIR may be another filesystem's mount point. */
	if ((r.checkfd = openat(r.parentfd, r.name, DIR_FLAGS)) < 0)
		r.checkfd = r.parentfd;
	if (check_destination(sh, &r, &out) == 0) {
		made = open_root(sh, &r, fd);
		err = errno;
		if (made != NOT_MADE && sh->replica_kinds != 0)
			announce(sh, &r, &out);
		errno = err;
		made_dir(sh, made, req->dst_shown, req->src_shown);
	}
	if (r.checkfd != r.parentfd)
		close(r.checkfd);
	close(r.parentfd);
	return made;
}

/* The root job: SRC opened, DST checked and made. */
static int
root_job(struct shared *sh, struct job *job)
{
	const struct hl_request		*req = &sh->req->top;
	struct stat			 st;

	job->srcfd = openat(req->srcdirfd, req->src,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    ((req->flags & HL_FOLLOW) ? 0 : O_NOFOLLOW));
	if (job->srcfd < 0 || fstat(job->srcfd, &job->src) < 0) {
		failed(sh, HL_TREE_READ, req->src_shown, errno);
		return -1;
	}
	sh->dev = job->src.st_dev;
	sh->check_dev = hl_mounts_below(job->srcfd, ".", &sh->mounts) < 0 ||
	    sh->mounts.count > 0;
	sh->rootlen = strlen(req->src_shown) +
	    (req->src_shown[strlen(req->src_shown) - 1] != '/');
	if (make_root(sh, job, &job->dstfd) == NOT_MADE)
		return -1;
	if (job->dstfd >= 0 && fstat(job->dstfd, &st) == 0) {
		sh->replica_dev = st.st_dev;
		sh->replica_ino = st.st_ino;
	}
	if (sh->replica_kinds != 0 && start_replica(sh, job->dstfd) < 0) {
		failed(sh, HL_TREE_READ, req->src_shown, errno);
		if (job->dstfd >= 0)
			close(job->dstfd);
		return -1;
	}
	job->srcpath = strdup(req->src_shown);
	job->dstpath = strdup(req->dst_shown);
	if (job->srcpath == NULL || job->dstpath == NULL) {
		free(job->srcpath);
		free(job->dstpath);
		if (job->dstfd >= 0)
			close(job->dstfd);
		return -1;
	}
	return 0;
}

/* The job's fds and paths, when it cannot run after all. */
static void
drop_job(struct job *job)
{
	close(job->srcfd);
	if (job->dstfd >= 0)
		close(job->dstfd);
	free(job->srcpath);
	free(job->dstpath);
}

int
hl_tree(const struct hl_tree_request *req)
{
	static const struct hl_pool_ops	ops = {
		.job_size = sizeof(struct job),
		.worker_size = sizeof(struct worker),
		.stack_size = TREE_STACK,
		.run = run_job,
	};
	struct shared			sh = { .req = req, .replica_fd = -1 };
	struct job			root = { .srcfd = -1 };
	/* -i asks, and --dry-run's lines read best in walk order. */
	int				jobs = (req->top.flags & HL_DRY_RUN) ||
					    req->ops->ask != NULL ? 1 : req->jobs;

	int				workers = share_fds(&sh, jobs);

	if (workers == 0) {
		/* Said before anything is made: nothing left behind. */
		failed(&sh, HL_TREE_NO_FDS, req->top.src_shown, EMFILE);
		return sh.failures;
	}
	sh.pool = hl_pool_start(&ops, &sh, workers);
	if (sh.pool == NULL)
		failed(&sh, HL_TREE_READ, req->top.src_shown, errno);
	else if (root_job(&sh, &root) == 0) {
		if (hl_pool_submit(sh.pool, &root) < 0) {
			failed(&sh, HL_TREE_READ, req->top.src_shown, errno);
			drop_job(&root);
		}
	} else if (root.srcfd >= 0)
		close(root.srcfd);
	if (sh.pool != NULL)
		hl_pool_finish(sh.pool);
	hl_mounts_free(&sh.mounts);
	hl_replica_free(sh.replica);
	if (sh.replica_fd >= 0)
		close(sh.replica_fd);
	return sh.failures;
}
