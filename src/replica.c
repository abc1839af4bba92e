/*
 * replica.c: the entries of a replica made of clones or copies; see
 * replica.h.  Like the core, it prints nothing: each entry's outcome
 * goes back to tree.c, which reports it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "diagnose.h"
#include "replica.h"
#include "sys.h"
#include "temp.h"

#define BUCKETS		4096

/*
 * A file with more than one link: its first name in the replica, as
 * shown (it lives as long as the replica: -v names it), or NULL while
 * that entry is being made.
 */
struct linked {
	struct linked	*next;
	dev_t		 dev;
	ino_t		 ino;
	char		*path;
};

struct hl_replica {
	struct hl_replica_setup	 s;
	struct linked		*bucket[BUCKETS];
};

struct hl_replica *
hl_replica_new(const struct hl_replica_setup *setup)
{
	struct hl_replica	*r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->s = *setup;
	return r;
}

void
hl_replica_free(struct hl_replica *r)
{
	struct linked	*l, *next;
	size_t		 i;

	if (r == NULL)
		return;
	for (i = 0; i < BUCKETS; i++)
		for (l = r->bucket[i]; l != NULL; l = next) {
			next = l->next;
			free(l->path);
			free(l);
		}
	free(r);
}

int
hl_replica_kinds(int flags)
{
	int	first = hl_fallback_kind(flags, 0), i, kinds = 0;

	if (first == HL_KIND_COPY)
		return HL_COPY_DATA;	/* copies only: no clone tried */
	if (first != HL_KIND_CLONE)
		return 0;
	for (i = 0; i < HL_FALLBACK_MAX; i++)
		if (hl_fallback_kind(flags, i) == HL_KIND_CLONE)
			kinds |= HL_COPY_CLONE;
		else if (hl_fallback_kind(flags, i) == HL_KIND_COPY)
			kinds |= HL_COPY_DATA;
	return kinds;
}

static struct linked **
slot_of(struct hl_replica *r, const struct stat *st)
{
	size_t	h = ((size_t)st->st_ino * 31u + (size_t)st->st_dev) % BUCKETS;

	return &r->bucket[h];
}

static struct linked *
find(struct hl_replica *r, const struct stat *st)
{
	struct linked	*l;

	for (l = *slot_of(r, st); l != NULL; l = l->next)
		if (l->dev == st->st_dev && l->ino == st->st_ino)
			return l;
	return NULL;
}

/*
 * The entry another link of st's file already has in the replica, or
 * NULL after claiming the file: the caller makes it, then settle()s.
 * An entry under way elsewhere is waited for (-j): two copies of one
 * file would lose the link between its names.
 */
static const char *
claim(struct hl_replica *r, const struct stat *st, bool *claimed)
{
	const struct timespec	 pause = { 0, 1000000 };
	struct linked		*l;
	const char		*path = NULL;

	*claimed = false;
	for (;;) {
		r->s.lock(r->s.arg);
		if ((l = find(r, st)) == NULL) {
			if ((l = calloc(1, sizeof(*l))) != NULL) {
				l->dev = st->st_dev;
				l->ino = st->st_ino;
				l->next = *slot_of(r, st);
				*slot_of(r, st) = l;
				*claimed = true;
			}
		} else
			path = l->path;	/* once set, never changed */
		r->s.unlock(r->s.arg);
		if (l == NULL || *claimed || path != NULL)
			return path;
		nanosleep(&pause, NULL);
	}
}

/* The claim ends: with the entry's path, or (path NULL) given back. */
static void
settle(struct hl_replica *r, const struct stat *st, const char *path)
{
	struct linked	**p, *l;

	r->s.lock(r->s.arg);
	for (p = slot_of(r, st); (l = *p) != NULL; p = &l->next)
		if (l->dev == st->st_dev && l->ino == st->st_ino)
			break;
	/* No path, or no memory to keep it: later links copy on their own. */
	if (l != NULL && (path == NULL || (l->path = strdup(path)) == NULL)) {
		*p = l->next;
		free(l);
	}
	r->s.unlock(r->s.arg);
}

/* An entry's path below the replica's top, from its name as shown. */
static const char *
relative(const struct hl_replica *r, const char *shown)
{
	const char	*rel = shown + r->s.rootlen;

	while (*rel == '/')
		rel++;
	return rel;
}

/* A failure of this entry, said as a link across filesystems would be. */
static int
failure(const struct hl_request *req, int err, struct hl_outcome *out)
{
	hl_diagnose(req, err, out);
	return -1;
}

/*
 * --dry-run: what the real run would refuse, in its words.  An existing
 * DST without -f, or (with -f) a directory, which no file replaces.
 */
static int
foresee(const struct hl_request *req, struct hl_outcome *out)
{
	struct stat	st;

	if (req->dstdirfd == HL_PLANNED_DIR)
		return 0;
	if (fstatat(req->dstdirfd, req->dst, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : failure(req, errno, out);
	if (!(req->flags & HL_FORCE))
		return failure(req, EEXIST, out);
	if (S_ISDIR(st.st_mode))
		return failure(req, EISDIR, out);
	out->replaced = true;
	return 0;
}

static int
copy_file(struct hl_replica *r, const struct hl_request *req,
    struct hl_outcome *out)
{
	struct hl_copy_request	creq = {
		.srcdirfd = req->srcdirfd,
		.src = req->src,
		.dstdirfd = req->dstdirfd,
		.dst = req->dst,
		.flags = r->s.kinds | HL_COPY_XATTRS | (req->flags & HL_FORCE),
		.progress = req->progress,
		.memo = req->memo,
	};
	struct hl_copy_result	res;

	out->cause = HL_CAUSE_NONE;
	if (req->flags & HL_DRY_RUN) {
		out->status = (r->s.kinds & HL_COPY_DATA) ? HL_COPIED :
		    HL_CLONED;
		return foresee(req, out);
	}
	if (hl_clone_or_copy(&creq, &res) == 0) {
		out->status = res.made == HL_MADE_CLONE ? HL_CLONED : HL_COPIED;
		out->replaced = res.replaced;
		out->bytes = res.bytes;
		return 0;
	}
	if (hl_diagnose_copy(req, &res, out))
		return -1;
	hl_diagnose(req, EXDEV, out);
	if (res.clone_cause != HL_COPY_NONE)
		out->tried[out->ntried++] = (struct hl_tried){ HL_KIND_CLONE,
		    res.clone_cause, HL_STEP_CLONE, 0 };
	out->tried[out->ntried++] = (struct hl_tried){
	    (r->s.kinds & HL_COPY_DATA) ? HL_KIND_COPY : HL_KIND_CLONE,
	    res.cause, res.step, res.err };
	snprintf(out->fsdir, sizeof(out->fsdir), "%s", out->where2);
	return -1;
}

/* How an entry that is no clone or copy is made, under any name. */
struct maker {
	const struct hl_request	*req;
	const struct stat	*st;
	int			 rootfd;	/* a link to first */
	const char		*first;		/* below rootfd */
	const char		*target;	/* a symlink's */
};

/* Owner (as root), mode and times of a symlink or special file. */
static int
set_attributes(int dirfd, const char *name, const struct stat *st)
{
	struct timespec	times[2] = { st->st_atim, st->st_mtim };

	if (geteuid() == 0 && fchownat(dirfd, name, st->st_uid, st->st_gid,
	    AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		return -1;
	return utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW);
}

/*
 * linkat() of rel, an entry below the replica's top, as name in dirfd.
 * The replica has no depth limit: a path longer than PATH_MAX is opened
 * a part at a time, with two directories open at the most.
 */
static int
link_below(int rootfd, const char *rel, int dirfd, const char *name)
{
	char	part[PATH_MAX];
	size_t	cut;
	int	fd = rootfd, next, rc, err;

	while (strlen(rel) >= PATH_MAX) {
		for (cut = PATH_MAX - 1; cut > 0 && rel[cut] != '/'; cut--)
			continue;
		memcpy(part, rel, cut);
		part[cut] = '\0';
		next = cut > 0 ? hl_open_dir(fd, part, false) : -1;
		err = cut > 0 ? errno : ENAMETOOLONG;
		if (fd != rootfd)
			close(fd);
		if ((fd = next) < 0) {
			errno = err;
			return -1;
		}
		for (rel += cut; *rel == '/'; rel++)
			continue;
	}
	rc = linkat(fd, rel, dirfd, name, 0);
	err = errno;
	if (fd != rootfd)
		close(fd);
	errno = err;
	return rc;
}

static int
make(int dirfd, const char *name, void *arg)
{
	const struct maker	*m = arg;
	int			 rc;

	if (m->first != NULL)
		return link_below(m->rootfd, m->first, dirfd, name);
	if (m->target != NULL)
		rc = symlinkat(m->target, dirfd, name);
	else
		rc = hl_mknod(dirfd, name, m->st->st_mode & (S_IFMT | 07777),
		    m->st->st_rdev);
	if (rc == 0 && set_attributes(dirfd, name, m->st) < 0) {
		rc = errno;
		(void)unlinkat(dirfd, name, 0);
		errno = rc;
		rc = -1;
	}
	return rc;
}

/*
 * EPERM from mknod() is no link's EPERM: a user may make no device, and
 * diagnosing it as a link would blame fs.protected_hardlinks.
 */
static int
make_failure(const struct maker *m, int err, struct hl_outcome *out)
{
	if (err != EPERM || m->first != NULL || m->target != NULL)
		return failure(m->req, err, out);
	hl_diagnose_link(m->req, err, out);
	out->cause = HL_CAUSE_NO_SPECIAL;
	out->role = HL_ROLE_DST;
	snprintf(out->path, sizeof(out->path), "%s", m->req->dst_shown);
	return -1;
}

/*
 * Makes DST as m says; with -f an existing DST is replaced through a
 * temporary name renamed over it, as a copy replaces it.
 */
static int
make_entry(const struct maker *m, struct hl_outcome *out)
{
	const struct hl_request	*req = m->req;
	struct hl_temp		 tmp;
	int			 err;

	if (req->flags & HL_DRY_RUN)
		return foresee(req, out);
	if (make(req->dstdirfd, req->dst, (void *)m) == 0)
		return 0;
	if (errno != EEXIST || !(req->flags & HL_FORCE))
		return make_failure(m, errno, out);
	if (hl_temp_make(&tmp, req->dstdirfd, make, (void *)m) < 0)
		return make_failure(m, errno, out);
	if (hl_temp_rename(&tmp, req->dstdirfd, req->dst) < 0) {
		err = errno;
		hl_temp_remove(&tmp);
		return failure(req, err, out);
	}
	out->replaced = true;
	return 0;
}

/* A symlink (its target read again) or a fifo, socket or device. */
static int
special(const struct hl_request *req, const struct stat *st,
    struct hl_outcome *out)
{
	struct maker	 m = { .req = req, .st = st, .rootfd = -1 };
	ssize_t		 n;

	/* Made anew, as cp -a does: -v says so as of a copy. */
	out->status = HL_COPIED;
	out->cause = HL_CAUSE_NONE;
	if (S_ISLNK(st->st_mode) && !(req->flags & HL_DRY_RUN)) {
		n = readlinkat(req->srcdirfd, req->src, out->target,
		    PATH_MAX - 1);
		if (n < 0)
			return failure(req, errno, out);
		out->target[n] = '\0';
		m.target = out->target;
	}
	return make_entry(&m, out);
}

/* A file of one link, or the first of its links met: made anew. */
static int
make_anew(struct hl_replica *r, const struct hl_request *req,
    const struct stat *st, struct hl_outcome *out)
{
	if (S_ISREG(st->st_mode))
		return copy_file(r, req, out);
	return special(req, st, out);
}

/* Another link of a file already in the replica as first: linked to it. */
static int
link_to_first(struct hl_replica *r, const struct hl_request *req,
    const struct stat *st, const char *first, struct hl_outcome *out)
{
	struct maker	m = {
		.req = req,
		.st = st,
		.rootfd = r->s.rootfd,
		.first = relative(r, first),
	};

	if (make_entry(&m, out) < 0)
		return -1;
	out->status = out->replaced ? HL_REPLACED : HL_LINKED;
	out->cause = HL_CAUSE_NONE;
	out->replica = true;
	out->linked_to = first;
	return 0;
}

/*
 * The links inside SRCDIR stay links, whatever the file: cp -a keeps
 * them between symlinks, fifos and devices too.
 */
int
hl_replica_entry(struct hl_replica *r, const struct hl_request *req,
    struct hl_outcome *out)
{
	struct stat	 st;
	const char	*first;
	bool		 claimed;
	int		 rc;

	out->replaced = false;
	out->ntried = 0;
	out->replica = false;
	if (fstatat(req->srcdirfd, req->src, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return failure(req, errno, out);
	if (st.st_nlink < 2)
		return make_anew(r, req, &st, out);
	if ((first = claim(r, &st, &claimed)) != NULL)
		return link_to_first(r, req, &st, first, out);
	rc = make_anew(r, req, &st, out);
	if (claimed)
		settle(r, &st, rc == 0 ? req->dst_shown : NULL);
	return rc;
}
