/*
 * dedup.c: --dedup.  Identical regular files under the ROOTs become
 * names of one inode.
 *
 * The walk keeps, per file, only what the decision needs: a directory
 * table (parent and name, one entry per directory), per name its
 * directory, its entry in a string arena and its inode, and per inode
 * the few attributes compared.  Paths are rebuilt only to open a file or
 * print a line.  Inodes are sorted by device and size (and attributes):
 * each class of two or more inodes is one job for fileeq.c, and jobs are
 * spread over -j threads.  The relinking runs on one thread, in class
 * order, so the result does not depend on -j.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "dedup.h"
#include "fileeq.h"
#include "path.h"
#include "pool.h"
#include "sys.h"
#include "walk.h"

#define NONE		UINT32_MAX
/* A name given as a ROOT: the only kind a walk can meet twice. */
#define ROOT_NAME	((size_t)1 << (sizeof(size_t) * 8 - 1))
/* Threads at most, as before the pool: -j beyond gains nothing. */
#define MAX_JOBS	64
/* ROOT directories kept open while comparing, at most. */
#define ROOT_FDS	8
/*
 * A comparing thread's descriptors: the two files it reads side by side
 * at least, and the two reach() holds while it opens a deep file.
 */
#define FILE_FDS	2
#define REACH_FDS	2
#define FILE_FLAGS	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | \
			 O_CLOEXEC)

struct dir {
	uint64_t	ino;
	size_t		name;		/* in the arena: a ROOT's whole path */
	uint32_t	parent;		/* NONE for a ROOT */
	uint16_t	dev;
};

struct name {
	size_t		off;		/* in the arena, | ROOT_NAME */
	uint32_t	dir;
	uint32_t	inode;
};

struct inode {
	uint64_t	ino;
	uint64_t	size;
	int64_t		mtime;		/* ns */
	int64_t		ctime;
	uint32_t	nlink;
	uint32_t	links;		/* nlink as the relinks leave it */
	uint32_t	mode;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	found;		/* names under the ROOTs */
	uint32_t	first;		/* its first name, once sorted */
	uint16_t	dev;
};

/* Open addressing over indices into a table; NONE is empty. */
struct index {
	uint32_t	*slots;
	size_t		 cap;
	size_t		 count;
};

/* Directories from one up to an open ancestor: reach()'s. */
struct chain {
	uint32_t	*v;
	size_t		 cap;
};

struct dedup {
	const struct hl_dedup_request	*req;
	struct hl_dedup_stats		*st;
	dev_t				*devs;
	size_t				 ndevs, capdevs;
	struct dir			*dirs;
	size_t				 ndirs, capdirs;
	struct name			*names;
	size_t				 nnames, capnames;
	struct inode			*inodes;
	size_t				 ninodes, capinodes;
	char				*arena;
	size_t				 arenalen, arenacap;
	struct index			 byino, bydir;
	uint32_t			*stack;		/* the walk's dirs */
	size_t				 depth, capstack;
	struct hl_pool			*pool;		/* while comparing */
	size_t				 fds;		/* free at the start */
	struct stat			*rootdirs;	/* the ROOTs' that are */
	size_t				 nrootdirs;
	uint32_t			 lastfile;	/* file ROOTs' dir */
	int				 err;		/* ENOMEM */
};

static int
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t	n = *cap ? *cap : 64;
	void	*q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*(void **)p, n * size)) == NULL)
		return -1;
	*(void **)p = q;
	*cap = n;
	return 0;
}

static void
event(struct dedup *d, enum hl_dedup_event what, const char *path, int err)
{
	if (d->pool != NULL)
		hl_pool_lock(d->pool);
	if (what != HL_DEDUP_OTHER_FS)
		d->st->failures++;
	d->req->ops->event(d->req->ctx, what, path, err);
	if (d->pool != NULL)
		hl_pool_unlock(d->pool);
}

/* --- the tables ------------------------------------------------------ */

static size_t
keep_string(struct dedup *d, const char *s)
{
	size_t	len = strlen(s) + 1, off = d->arenalen;

	if (grow(&d->arena, &d->arenacap, d->arenalen + len, 1) < 0) {
		d->err = ENOMEM;
		return 0;
	}
	memcpy(d->arena + off, s, len);
	d->arenalen += len;
	return off;
}

static uint16_t
dev_index(struct dedup *d, dev_t dev)
{
	size_t	i;

	for (i = d->ndevs; i > 0; i--)
		if (d->devs[i - 1] == dev)
			return (uint16_t)(i - 1);
	if (d->ndevs == UINT16_MAX ||
	    grow(&d->devs, &d->capdevs, d->ndevs + 1, sizeof(dev_t)) < 0) {
		d->err = ENOMEM;
		return 0;
	}
	d->devs[d->ndevs] = dev;
	return (uint16_t)d->ndevs++;
}

static size_t
hash_key(uint16_t dev, uint64_t ino)
{
	uint64_t	h = (ino ^ ((uint64_t)dev << 48)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29));
}

/* The slot of (dev, ino) in ix: key() gives a table entry's key. */
static uint32_t *
slot_of(struct dedup *d, struct index *ix, bool dirs, uint16_t dev,
    uint64_t ino)
{
	size_t		i = hash_key(dev, ino) & (ix->cap - 1);
	uint32_t	*s;

	for (;; i = (i + 1) & (ix->cap - 1)) {
		s = &ix->slots[i];
		if (*s == NONE)
			return s;
		if (dirs ? d->dirs[*s].dev == dev && d->dirs[*s].ino == ino :
		    d->inodes[*s].dev == dev && d->inodes[*s].ino == ino)
			return s;
	}
}

static int
grow_index(struct dedup *d, struct index *ix, bool dirs)
{
	struct index	old = *ix;
	size_t		i;
	uint32_t	v;

	if (2 * (ix->count + 1) <= ix->cap)
		return 0;
	ix->cap = old.cap ? 2 * old.cap : 1024;
	if ((ix->slots = malloc(ix->cap * sizeof(uint32_t))) == NULL) {
		*ix = old;
		d->err = ENOMEM;
		return -1;
	}
	memset(ix->slots, 0xff, ix->cap * sizeof(uint32_t));
	for (i = 0; i < old.cap; i++)
		if ((v = old.slots[i]) != NONE)
			*slot_of(d, ix, dirs, dirs ? d->dirs[v].dev :
			    d->inodes[v].dev, dirs ? d->dirs[v].ino :
			    d->inodes[v].ino) = v;
	free(old.slots);
	return 0;
}

/* The directory (dev, ino), or NONE after adding it under parent. */
static uint32_t
add_dir(struct dedup *d, uint32_t parent, const char *name,
    const struct stat *st, bool *seen)
{
	uint16_t	 dev = dev_index(d, st->st_dev);
	uint32_t	*s;

	*seen = false;
	if (grow_index(d, &d->bydir, true) < 0 ||
	    grow(&d->dirs, &d->capdirs, d->ndirs + 1, sizeof(*d->dirs)) < 0)
		return NONE;
	s = slot_of(d, &d->bydir, true, dev, (uint64_t)st->st_ino);
	*seen = *s != NONE;
	if (*seen)
		return *s;
	d->dirs[d->ndirs].ino = (uint64_t)st->st_ino;
	d->dirs[d->ndirs].dev = dev;
	d->dirs[d->ndirs].parent = parent;
	d->dirs[d->ndirs].name = keep_string(d, name);
	*s = (uint32_t)d->ndirs;
	d->bydir.count++;
	return (uint32_t)d->ndirs++;
}

static uint32_t
add_inode(struct dedup *d, const struct stat *st)
{
	uint16_t	 dev = dev_index(d, st->st_dev);
	uint32_t	*s;
	struct inode	*n;

	if (grow_index(d, &d->byino, false) < 0 || grow(&d->inodes,
	    &d->capinodes, d->ninodes + 1, sizeof(*d->inodes)) < 0)
		return NONE;
	s = slot_of(d, &d->byino, false, dev, (uint64_t)st->st_ino);
	if (*s != NONE)
		return *s;
	n = &d->inodes[d->ninodes];
	memset(n, 0, sizeof(*n));
	n->ino = (uint64_t)st->st_ino;
	n->dev = dev;
	n->size = (uint64_t)st->st_size;
	n->mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	n->ctime = (int64_t)st->st_ctim.tv_sec * 1000000000 +
	    st->st_ctim.tv_nsec;
	n->nlink = n->links = (uint32_t)st->st_nlink;
	n->mode = (uint32_t)st->st_mode;
	n->uid = (uint32_t)st->st_uid;
	n->gid = (uint32_t)st->st_gid;
	*s = (uint32_t)d->ninodes;
	d->byino.count++;
	return (uint32_t)d->ninodes++;
}

static void
add_file(struct dedup *d, uint32_t dir, const char *name,
    const struct stat *st, bool root)
{
	uint32_t	inode;

	d->st->files++;
	HL_COUNT(d->req->counters, files, 1);
	if ((unsigned long long)st->st_size < d->req->min_size ||
	    (unsigned long long)st->st_size > d->req->max_size)
		return;
	if ((inode = add_inode(d, st)) == NONE ||
	    grow(&d->names, &d->capnames, d->nnames + 1,
	    sizeof(*d->names)) < 0) {
		d->err = ENOMEM;
		return;
	}
	d->inodes[inode].found++;
	d->names[d->nnames].dir = dir;
	d->names[d->nnames].inode = inode;
	d->names[d->nnames].off = keep_string(d, name) | (root ? ROOT_NAME : 0);
	d->nnames++;
}

/* --- paths ----------------------------------------------------------- */

static const char *
name_of(const struct dedup *d, const struct name *n)
{
	return d->arena + (n->off & ~ROOT_NAME);
}

/*
 * The path of name in directory dir as the user would spell it: its
 * ROOT joined with the names below.  Built from the end backwards, into
 * pb grown to fit: a tree may be deeper than PATH_MAX.  Returns its
 * length, or -1.
 */
static ssize_t
path_of(const struct dedup *d, uint32_t dir, const char *name,
    struct hl_pathbuf *pb)
{
	size_t		 len = strlen(name), total = len, l, whole;
	uint32_t	 i;
	const char	*s;
	char		*buf;

	for (i = dir; i != NONE; i = d->dirs[i].parent) {
		l = strlen(d->arena + d->dirs[i].name);
		total += l + (l > 0 && d->arena[d->dirs[i].name + l - 1] != '/');
	}
	whole = total;
	if (total >= pb->cap && grow(&pb->s, &pb->cap, total + 1, 1) < 0)
		return -1;
	buf = pb->s;
	buf[total] = '\0';
	memcpy(buf + total - len, name, len);
	total -= len;
	for (i = dir; i != NONE; i = d->dirs[i].parent) {
		s = d->arena + d->dirs[i].name;
		l = strlen(s);
		if (l > 0 && s[l - 1] != '/')
			buf[--total] = '/';
		total -= l;
		memcpy(buf + total, s, l);
	}
	return (ssize_t)whole;
}

/* --- the walk -------------------------------------------------------- */

static void
push(struct dedup *d, uint32_t dir)
{
	if (grow(&d->stack, &d->capstack, d->depth + 1, sizeof(uint32_t)) < 0)
		d->err = ENOMEM;
	else
		d->stack[d->depth++] = dir;
}

/* A mount point that is a ROOT of its own is entered: no notice. */
static bool
is_root_dir(const struct dedup *d, int dirfd, const char *name)
{
	struct stat	st;
	size_t		i;
	int		err = errno;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		errno = err;
		return false;
	}
	for (i = 0; i < d->nrootdirs; i++)
		if (d->rootdirs[i].st_dev == st.st_dev &&
		    d->rootdirs[i].st_ino == st.st_ino)
			return true;
	errno = err;
	return false;
}

/*
 * A directory reached twice (overlapping ROOTs, a bind mount) is walked
 * once; the second is skipped, and NONE stands for it on the stack.
 */
static void
enter(struct dedup *d, struct hl_walk *w, const char *name, dev_t rootdev)
{
	struct stat	st;
	bool		seen;
	uint32_t	dir;

	if (hl_walk_enter(w, name, &rootdev) < 0) {
		if (errno != EXDEV || !is_root_dir(d, hl_walk_fd(w), name))
			event(d, errno == EXDEV ? HL_DEDUP_OTHER_FS :
			    HL_DEDUP_NO_DIR, hl_walk_path(w, name), errno);
		return;
	}
	if (fstat(hl_walk_fd(w), &st) < 0) {
		event(d, HL_DEDUP_NO_DIR, hl_walk_path(w, NULL), errno);
		hl_walk_skip(w);
		push(d, NONE);
		return;
	}
	dir = add_dir(d, d->stack[d->depth - 1], name, &st, &seen);
	if (seen || dir == NONE)
		hl_walk_skip(w);
	push(d, seen ? NONE : dir);
}

static void
visit(struct dedup *d, struct hl_walk *w, const struct hl_dirent *e,
    dev_t rootdev)
{
	struct stat	st;

	if (e->type == HL_TYPE_DIR) {
		enter(d, w, e->name, rootdev);
		return;
	}
	if (fstatat(hl_walk_fd(w), e->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {	/* readable, not searchable: once */
			event(d, HL_DEDUP_NO_DIR, hl_walk_path(w, NULL), errno);
			hl_walk_skip(w);
		}
		return;
	}
	if (S_ISDIR(st.st_mode))
		enter(d, w, e->name, rootdev);
	else if (S_ISREG(st.st_mode))
		add_file(d, d->stack[d->depth - 1], e->name, &st, false);
}

static void
walk_root(struct dedup *d, const char *root)
{
	struct hl_walk		w;
	struct hl_dirent	e;
	struct stat		st;
	enum hl_walk_event	ev;
	bool			seen;
	uint32_t		dir;

	if (hl_walk_open(&w, AT_FDCWD, root, &st) < 0) {
		event(d, HL_DEDUP_BAD_ROOT, root, errno);
		return;
	}
	/* All free but the one a descent opens before the stack closes one. */
	w.dirs.max_open = d->fds - 1 < HL_WALK_MAX_OPEN ? d->fds - 1 :
	    HL_WALK_MAX_OPEN;
	dir = add_dir(d, NONE, root, &st, &seen);
	d->depth = 0;
	push(d, dir);
	while (!seen && dir != NONE && d->err == 0 &&
	    (ev = hl_walk_next(&w, &e)) != HL_WALK_END) {
		if (ev == HL_WALK_ENTRY && d->stack[d->depth - 1] != NONE)
			visit(d, &w, &e, st.st_dev);
		else if (ev == HL_WALK_LEAVE)
			d->depth--;
		else if (ev == HL_WALK_ERROR)
			event(d, HL_DEDUP_NO_DIR, hl_walk_path(&w, NULL),
			    w.err);
	}
	hl_walk_close(&w);
}

/*
 * The directory of a file ROOT, spelled as that ROOT spells it: an entry
 * of its own, out of the index, so that neither a walk nor another ROOT
 * lends it their spelling (nor it lends them its).  The same spelling of
 * the same directory as the file ROOT before (a glob's) is one entry.
 */
static uint32_t
file_root_dir(struct dedup *d, const char *parent, const struct stat *st)
{
	uint16_t	 dev = dev_index(d, st->st_dev);
	struct dir	*e;

	if (d->lastfile != NONE) {
		e = &d->dirs[d->lastfile];
		if (e->dev == dev && e->ino == (uint64_t)st->st_ino &&
		    strcmp(d->arena + e->name, parent) == 0)
			return d->lastfile;
	}
	if (grow(&d->dirs, &d->capdirs, d->ndirs + 1, sizeof(*d->dirs)) < 0) {
		d->err = ENOMEM;
		return NONE;
	}
	e = &d->dirs[d->ndirs];
	e->ino = (uint64_t)st->st_ino;
	e->dev = dev;
	e->parent = NONE;
	e->name = keep_string(d, parent);
	d->lastfile = (uint32_t)d->ndirs;
	return (uint32_t)d->ndirs++;
}

/*
 * A ROOT that is a file: the same name given twice, or also found by a
 * walk, is seen to be one name by its directory's device and inode (see
 * is_repeat()).  A symlink is followed
 * to the file it names: that file's name is the one to relink.
 */
static void
file_root(struct dedup *d, const char *root)
{
	char		 real[PATH_MAX], parent[PATH_MAX], base[PATH_MAX];
	struct stat	 st, dst;
	const char	*path = root, *name;
	uint32_t	 dir;

	if (fstatat(AT_FDCWD, root, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		if (hl_realpath_at(AT_FDCWD, root, true, real,
		    sizeof(real)) < 0) {
			event(d, HL_DEDUP_BAD_ROOT, root, errno);
			return;
		}
		path = real;
	}
	hl_parent(path, parent, sizeof(parent));
	name = hl_basename(path, base, sizeof(base));
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    stat(parent, &dst) < 0) {
		event(d, HL_DEDUP_BAD_ROOT, root, errno);
		return;
	}
	if (strchr(path, '/') == NULL)
		parent[0] = '\0';	/* shown as given: "f", not "./f" */
	dir = file_root_dir(d, parent, &dst);
	if (dir != NONE && S_ISREG(st.st_mode))
		add_file(d, dir, name, &st, true);
}

/* Directories first: a file ROOT's directory must not hide a walk. */
static void
walk_all(struct dedup *d)
{
	struct stat	st;
	int		i;

	if ((d->rootdirs = malloc(((size_t)d->req->nroots + 1) *
	    sizeof(st))) == NULL) {
		d->err = ENOMEM;
		return;
	}
	for (i = 0; i < d->req->nroots; i++)
		if (stat(d->req->roots[i], &st) == 0 && S_ISDIR(st.st_mode))
			d->rootdirs[d->nrootdirs++] = st;
	for (i = 0; i < d->req->nroots && d->err == 0; i++)
		if (stat(d->req->roots[i], &st) == 0 && S_ISDIR(st.st_mode))
			walk_root(d, d->req->roots[i]);
	for (i = 0; i < d->req->nroots && d->err == 0; i++)
		if (stat(d->req->roots[i], &st) < 0)
			event(d, HL_DEDUP_BAD_ROOT, d->req->roots[i], errno);
		else if (!S_ISDIR(st.st_mode))
			file_root(d, d->req->roots[i]);
}

/* --- names by inode -------------------------------------------------- */

/* A stable counting sort: each inode's names together, as found. */
static int
sort_names(struct dedup *d)
{
	struct name	*sorted;
	size_t		 i;
	uint32_t	 at = 0;

	if (d->nnames == 0)
		return 0;
	if ((sorted = malloc(d->nnames * sizeof(*sorted))) == NULL)
		return -1;
	for (i = 0; i < d->ninodes; i++) {
		d->inodes[i].first = at;
		at += d->inodes[i].found;
	}
	for (i = 0; i < d->nnames; i++)
		sorted[d->inodes[d->names[i].inode].first++] = d->names[i];
	for (i = 0; i < d->ninodes; i++)
		d->inodes[i].first -= d->inodes[i].found;
	free(d->names);
	d->names = sorted;
	d->capnames = d->nnames;
	return 0;
}

/* Two entries of one directory: a file ROOT's has one of its own. */
static bool
same_dir(const struct dedup *d, uint32_t a, uint32_t b)
{
	return a == b || (d->dirs[a].dev == d->dirs[b].dev &&
	    d->dirs[a].ino == d->dirs[b].ino);
}

/* A ROOT's name also found by a walk, or given before, is a repeat. */
static bool
is_repeat(const struct dedup *d, const struct inode *n, size_t j)
{
	const struct name	*a = &d->names[j], *b;
	size_t			 k;

	if (!(a->off & ROOT_NAME))
		return false;
	for (k = n->first; k < n->first + n->found; k++) {
		b = &d->names[k];
		if (k != j && same_dir(d, a->dir, b->dir) &&
		    (!(b->off & ROOT_NAME) || k < j) &&
		    strcmp(name_of(d, a), name_of(d, b)) == 0)
			return true;
	}
	return false;
}

static void
drop_repeats(struct dedup *d)
{
	size_t		 i, j, out = 0, first;
	struct inode	*n;

	for (i = 0; i < d->ninodes; i++)
		for (j = d->inodes[i].first;
		    j < d->inodes[i].first + d->inodes[i].found; j++)
			if (is_repeat(d, &d->inodes[i], j))
				d->names[j].inode = NONE;
	for (i = 0; i < d->ninodes; i++) {
		n = &d->inodes[i];
		first = out;
		for (j = n->first; j < n->first + n->found; j++)
			if (d->names[j].inode != NONE)
				d->names[out++] = d->names[j];
			else
				d->st->files--;
		n->first = (uint32_t)first;
		n->found = (uint32_t)(out - first);
	}
	d->nnames = out;
}

/* --- classes --------------------------------------------------------- */

/* What two inodes must share to be compared, by the policy. */
struct key {
	uint64_t	size;
	int64_t		mtime;
	uint32_t	mode, uid, gid;
	uint32_t	inode;
	uint16_t	dev;
};

static int
compare_keys(const struct key *a, const struct key *b)
{
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->mode != b->mode)
		return a->mode < b->mode ? -1 : 1;
	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	if (a->gid != b->gid)
		return a->gid < b->gid ? -1 : 1;
	if (a->mtime != b->mtime)
		return a->mtime < b->mtime ? -1 : 1;
	return 0;
}

static int
by_key(const void *x, const void *y)
{
	const struct key	*a = x, *b = y;
	int			 r = compare_keys(a, b);

	if (r != 0)
		return r;
	return a->inode < b->inode ? -1 : a->inode > b->inode;
}

static void
key_of(const struct dedup *d, uint32_t i, struct key *k)
{
	const struct inode	*n = &d->inodes[i];

	memset(k, 0, sizeof(*k));
	k->dev = n->dev;
	k->size = n->size;
	k->inode = i;
	if (!d->req->content_only) {
		k->mode = n->mode;
		k->uid = n->uid;
		k->gid = n->gid;
	}
	if (d->req->respect_time)
		k->mtime = n->mtime;
}

struct class {
	size_t	start;
	size_t	n;
};

struct work {
	struct dedup	*d;
	uint32_t	*order;		/* inodes, class after class */
	size_t		*group;		/* fileeq's answer, beside order */
	struct class	*classes;
	size_t		 nclasses;
	size_t		 fd_budget;	/* per thread */
	int		*rootfds;	/* by directory: a ROOT's, or -1 */
	size_t		 nrootfds;
	int		 err;
};

/* The inodes that have a twin by the policy, class after class. */
static int
make_classes(struct dedup *d, struct work *wk)
{
	struct key	*keys;
	size_t		 i, lo, hi, n = 0;

	if ((keys = malloc((d->ninodes + 1) * sizeof(*keys))) == NULL)
		return -1;
	for (i = 0; i < d->ninodes; i++)
		key_of(d, (uint32_t)i, &keys[i]);
	qsort(keys, d->ninodes, sizeof(*keys), by_key);
	wk->order = malloc((d->ninodes + 1) * sizeof(*wk->order));
	wk->classes = malloc((d->ninodes / 2 + 1) * sizeof(*wk->classes));
	wk->group = malloc((d->ninodes + 1) * sizeof(*wk->group));
	for (lo = 0; wk->order && wk->classes && wk->group &&
	    lo < d->ninodes; lo = hi) {
		for (hi = lo + 1; hi < d->ninodes &&
		    compare_keys(&keys[hi], &keys[lo]) == 0; hi++)
			;
		if (hi - lo < 2)
			continue;
		wk->classes[wk->nclasses].start = n;
		wk->classes[wk->nclasses++].n = hi - lo;
		HL_COUNT(d->req->counters, bytes_total,
		    (uint64_t)(hi - lo) * d->inodes[keys[lo].inode].size);
		for (i = lo; i < hi; i++)
			wk->order[n++] = keys[i].inode;
	}
	free(keys);
	return wk->order && wk->classes && wk->group ? 0 : -1;
}

/* --- reopening ------------------------------------------------------- */

/* path below parent opened as directory dir: the very one walked. */
static int
open_checked(const struct dedup *d, int parent, const char *path,
    bool follow, uint32_t dir)
{
	const struct dir	*e = &d->dirs[dir];
	struct stat		 st;
	int			 fd;

	fd = hl_open_dir(parent, path, follow);
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_dev != d->devs[e->dev] ||
	    (uint64_t)st.st_ino != e->ino)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* Directory dir of the table, in parent (AT_FDCWD for a ROOT). */
static int
open_one(const struct dedup *d, int parent, uint32_t dir)
{
	const struct dir	*e = &d->dirs[dir];
	const char		*name = d->arena + e->name;

	if (e->parent == NONE)
		return open_checked(d, AT_FDCWD, *name != '\0' ? name : ".",
		    true, dir);
	return open_checked(d, parent, name, false, dir);
}

/* The directories from dir up to base (not included), dir first. */
static int
chain_up(const struct dedup *d, struct chain *c, uint32_t dir,
    uint32_t base, size_t *n)
{
	uint32_t	i;

	*n = 0;
	for (i = dir; i != base && i != NONE; i = d->dirs[i].parent) {
		if (grow(&c->v, &c->cap, *n + 1, sizeof(uint32_t)) < 0)
			return -1;
		c->v[(*n)++] = i;
	}
	return 0;
}

/*
 * The names of the chain's next directories down, as many as fit in one
 * path, into buf (PATH_MAX bytes); returns the last one named.
 */
static uint32_t
next_chunk(const struct dedup *d, const struct chain *c, size_t *n,
    char *buf)
{
	size_t		 len = 0, l;
	uint32_t	 last = NONE;
	const char	*s;

	while (*n > 0) {
		s = d->arena + d->dirs[c->v[*n - 1]].name;
		l = strlen(s);
		if (len > 0 && len + 1 + l >= PATH_MAX)
			break;
		if (len > 0)
			buf[len++] = '/';
		memcpy(buf + len, s, l);
		len += l;
		last = c->v[--*n];
	}
	buf[len] = '\0';
	return last;
}

/*
 * Directory dir, opened from its ancestor base's fd basefd (base NONE:
 * from its ROOT, by the ROOT's path), by the names between: as many per
 * openat() as fit in a path, so that no depth needs a whole path, nor a
 * descriptor per level: two at most at once, and one openat() where
 * opening each level would take several.  Each chunk's last directory
 * is proven the one walked; those within a chunk are only passed
 * through, and whatever was put in their place (a symlink) leads to the
 * proven one or fails the proof.
 */
static int
reach(const struct dedup *d, struct chain *c, uint32_t base, int basefd,
    uint32_t dir)
{
	char		buf[PATH_MAX];
	size_t		n;
	uint32_t	last;
	int		fd = basefd, next, err;

	if (chain_up(d, c, dir, base, &n) < 0)
		return -1;
	if (n == 0)
		return fcntl(basefd, F_DUPFD_CLOEXEC, 0);
	while (n > 0) {
		if (d->dirs[c->v[n - 1]].parent == NONE)
			next = open_one(d, AT_FDCWD, c->v[--n]);
		else {
			last = next_chunk(d, c, &n, buf);
			next = open_checked(d, fd, buf, false, last);
		}
		err = errno;
		if (fd != basefd)
			close(fd);
		errno = err;
		if (next < 0)
			return -1;
		fd = next;
	}
	return fd;
}

/* --- comparing, on -j threads ---------------------------------------- */

/* A worker's state: its path buffer, its chain and its block buffers. */
struct job {
	struct work		*wk;
	size_t			 start;		/* of its class in wk->order */
	uint64_t		 done, total;	/* of the class, in bytes */
	struct hl_pathbuf	 path;
	struct chain		 chain;
	struct hl_fileeq_bufs	 bufs;
};

static bool
unchanged(const struct dedup *d, const struct inode *n,
    const struct stat *st, bool ctime)
{
	return S_ISREG(st->st_mode) && st->st_dev == d->devs[n->dev] &&
	    (uint64_t)st->st_ino == n->ino &&
	    (uint64_t)st->st_size == n->size &&
	    (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec ==
	    n->mtime && (!ctime ||
	    (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec ==
	    n->ctime);
}

/* File i's first name. */
static const struct name *
job_name(const struct job *j, size_t i)
{
	const struct dedup	*d = j->wk->d;

	return &d->names[d->inodes[j->wk->order[j->start + i]].first];
}

static const char *
job_path(struct job *j, size_t i)
{
	const struct dedup	*d = j->wk->d;
	const struct name	*nm = job_name(j, i);

	if (path_of(d, nm->dir, name_of(d, nm), &j->path) < 0)
		return NULL;
	return j->path.s;
}

/*
 * The part of path (in directory dir) below its ROOT's open directory,
 * that directory in *dirfd and the ROOT in *root; else the whole path
 * and AT_FDCWD.
 */
static const char *
below_root(const struct job *j, uint32_t dir, const char *path,
    uint32_t *root, int *dirfd)
{
	const struct dedup	*d = j->wk->d;
	const char		*s;
	size_t			 l;

	*dirfd = AT_FDCWD;
	while (d->dirs[dir].parent != NONE)
		dir = d->dirs[dir].parent;
	*root = dir;
	if (j->wk->rootfds == NULL || j->wk->rootfds[dir] < 0)
		return path;
	*dirfd = j->wk->rootfds[dir];
	s = d->arena + d->dirs[dir].name;
	l = strlen(s);
	return path + l + (l > 0 && s[l - 1] != '/');
}

/* A file whose path is too long to open: by its directory, reached. */
static int
open_deep(struct job *j, const struct name *nm, uint32_t root, int rootfd)
{
	const struct dedup	*d = j->wk->d;
	int			 dirfd, fd, err;

	dirfd = reach(d, &j->chain, rootfd == AT_FDCWD ? NONE : root, rootfd,
	    nm->dir);
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, name_of(d, nm), FILE_FLAGS);
	err = errno;
	close(dirfd);
	errno = err;
	return fd;
}

/*
 * The file is opened by its path (O_NOFOLLOW: no symlink put in its
 * place) below its ROOT's directory, and must still be the very file
 * the walk saw.
 */
static int
job_open(void *ctx, size_t i)
{
	struct job		*j = ctx;
	struct dedup		*d = j->wk->d;
	const struct name	*nm = job_name(j, i);
	const char		*path, *rel;
	struct stat		 st;
	ssize_t			 len;
	uint32_t		 root;
	int			 fd, dirfd;

	if ((len = path_of(d, nm->dir, name_of(d, nm), &j->path)) < 0) {
		event(d, HL_DEDUP_NO_FILE, name_of(d, nm), errno);
		return -1;
	}
	path = j->path.s;
	rel = below_root(j, nm->dir, path, &root, &dirfd);
	if (len - (rel - path) < PATH_MAX)
		fd = openat(dirfd, rel, FILE_FLAGS);
	else
		fd = open_deep(j, nm, root, dirfd);
	if (fd < 0) {
		event(d, HL_DEDUP_NO_FILE, path, errno);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !unchanged(d,
	    &d->inodes[j->wk->order[j->start + i]], &st, true)) {
		event(d, HL_DEDUP_CHANGED, path, 0);
		close(fd);
		return -1;
	}
	return fd;
}

static void
job_failed(void *ctx, size_t i, int err)
{
	struct job	*j = ctx;
	const char	*path = job_path(j, i);

	event(j->wk->d, err != 0 ? HL_DEDUP_NO_FILE : HL_DEDUP_CHANGED,
	    path != NULL ? path : "?", err);
}

/* The progress line moves as blocks are read, never past the class. */
static void
job_read(void *ctx, size_t n)
{
	struct job	*j = ctx;

	if (n > j->total - j->done)
		n = (size_t)(j->total - j->done);
	j->done += n;
	HL_COUNT(j->wk->d->req->counters, bytes_done, n);
}

static ssize_t
job_attrs(void *ctx, size_t i, int fd, char **blob)
{
	(void)ctx;
	(void)i;
	return hl_xattrs(fd, blob);
}

/*
 * One class, on any worker.  Each class writes only its own slice of
 * wk->group, so the answer is the same on any number of threads.
 */
static void
run_class(void *ctx, void *worker, void *job)
{
	struct work		*wk = ctx;
	struct job		*j = worker;
	size_t			 c = *(size_t *)job;
	struct hl_fileeq	 fe;

	j->wk = wk;
	j->start = wk->classes[c].start;
	memset(&fe, 0, sizeof(fe));
	fe.n = wk->classes[c].n;
	fe.size = (off_t)wk->d->inodes[wk->order[j->start]].size;
	j->done = 0;
	j->total = (uint64_t)fe.n * (uint64_t)fe.size;
	fe.read = wk->d->req->counters != NULL ? job_read : NULL;
	fe.fd_budget = wk->fd_budget;
	fe.open = job_open;
	fe.failed = job_failed;
	fe.attrs = wk->d->req->content_only ? NULL : job_attrs;
	fe.ctx = j;
	fe.group = wk->group + j->start;
	fe.bufs = &j->bufs;
	if (hl_fileeq(&fe) < 0) {
		hl_pool_lock(wk->d->pool);
		wk->err = ENOMEM;
		hl_pool_unlock(wk->d->pool);
	}
	/* What the probe spared counts as compared too. */
	HL_COUNT(wk->d->req->counters, bytes_done, j->total - j->done);
}

static void
free_worker(void *ctx, void *worker)
{
	struct job	*j = worker;

	(void)ctx;
	hl_fileeq_free(&j->bufs);
	free(j->path.s);
	free(j->chain.v);
}

/*
 * The first ROOTs' directories, opened once (and checked to be the ones
 * walked), so that opening a file does not look its ROOT's path up again
 * each time: at most max of them.  Any not open: its files are opened
 * by their whole path.
 */
static void
open_roots(struct work *wk, size_t max)
{
	struct dedup	*d = wk->d;
	size_t		 i;

	if ((wk->rootfds = malloc((d->ndirs + 1) * sizeof(int))) == NULL)
		return;
	memset(wk->rootfds, 0xff, (d->ndirs + 1) * sizeof(int));
	for (i = 0; i < d->ndirs && wk->nrootfds < max; i++)
		if (d->dirs[i].parent == NONE && (wk->rootfds[i] =
		    open_one(d, AT_FDCWD, (uint32_t)i)) >= 0)
			wk->nrootfds++;
}

static void
close_roots(struct work *wk)
{
	size_t	i;

	for (i = 0; wk->rootfds != NULL && i < wk->d->ndirs; i++)
		if (wk->rootfds[i] >= 0)
			close(wk->rootfds[i]);
	free(wk->rootfds);
	wk->rootfds = NULL;
}

/*
 * The descriptors free at the start, shared out: each thread needs
 * FILE_FDS + REACH_FDS (fewer threads, then, than -j when they are
 * few); the ROOTs take what is left, up to half of it; each thread
 * reads as many files side by side as its share allows.
 */
static size_t
share_fds(struct work *wk, size_t threads)
{
	size_t	fds = wk->d->fds, n = threads, spare;

	if (n > fds / (FILE_FDS + REACH_FDS))
		n = fds / (FILE_FDS + REACH_FDS);
	if (n < 1)
		n = 1;
	spare = fds > n * (FILE_FDS + REACH_FDS) ?
	    fds - n * (FILE_FDS + REACH_FDS) : 0;
	open_roots(wk, spare / 2 < ROOT_FDS ? spare / 2 : ROOT_FDS);
	wk->fd_budget = (fds - wk->nrootfds) / n - REACH_FDS;
	return n;
}

/* Every class a job of the pool, on up to -j threads. */
static void
compare_all(struct work *wk, int jobs)
{
	static const struct hl_pool_ops	ops = {
		.job_size = sizeof(size_t),
		.worker_size = sizeof(struct job),
		.run = run_class,
		.worker_free = free_worker,
	};
	size_t				n = (size_t)(jobs < 1 ? 1 : jobs), c;

	if (n > wk->nclasses)
		n = wk->nclasses > 0 ? wk->nclasses : 1;
	if (n > MAX_JOBS)
		n = MAX_JOBS;
	n = share_fds(wk, n);
	if ((wk->d->pool = hl_pool_start(&ops, wk, (int)n)) == NULL) {
		close_roots(wk);
		wk->err = ENOMEM;
		return;
	}
	/* Last in, first out: the first class is queued last. */
	for (c = wk->nclasses; c > 0 && wk->err == 0; c--)
		if (hl_pool_submit(wk->d->pool, &(size_t){ c - 1 }) < 0)
			wk->err = ENOMEM;
	hl_pool_finish(wk->d->pool);
	wk->d->pool = NULL;
	close_roots(wk);
}

/* --- relinking, on one thread ---------------------------------------- */

/* The kept file of a set, and the directory of the name being replaced. */
struct relink {
	struct dedup		*d;
	uint32_t		 kept;		/* inode */
	uint32_t		 kname;		/* its name used to link */
	uint32_t		 kdir;		/* kdirfd's, or NONE */
	int			 kdirfd;
	struct hl_pathbuf	 kshown;
	int			*dirfds;	/* by directory, or -1 */
	uint32_t		*opened;	/* the directories open */
	bool			*plain;		/* by directory: took a link */
	size_t			 nopen, maxopen;
	struct hl_pathbuf	 shown;
	bool			 aborted;	/* the kept file changed */
	bool			 tried;		/* --clone: a first dedupe */
	bool			 stop;		/* --clone: it cannot */
	uint64_t		*buf;		/* sets and names, sorted */
	size_t			 cap;
	uint32_t		*found;		/* of each inode of the set */
	size_t			 capfound;
	struct chain		 chain;		/* open_dir()'s */
	long			*limits;	/* links, by device; 0: ask */
	long			 limit;		/* the kept file's, or -1 */
	struct hl_outcome	 out;
};

/* Closes every cached directory but the kept file's. */
static void
flush_dirs(struct relink *r)
{
	size_t		i, kept = 0;
	uint32_t	dir;

	for (i = 0; i < r->nopen; i++) {
		dir = r->opened[i];
		if (dir == r->kdir)
			r->opened[kept++] = dir;
		else {
			close(r->dirfds[dir]);
			r->dirfds[dir] = -1;
		}
	}
	r->nopen = kept;
}

/*
 * Directory dir's nearest open ancestor, or NONE.  Its ROOT is opened
 * (and kept) first where there is room: every reach below starts there.
 */
static uint32_t
open_ancestor(struct relink *r, uint32_t dir)
{
	const struct dir	*dirs = r->d->dirs;
	uint32_t		 i, root = dir;

	for (i = dirs[dir].parent; i != NONE && r->dirfds[i] < 0;
	    i = dirs[i].parent)
		root = i;
	if (i != NONE || root == dir || r->nopen + 2 > r->maxopen)
		return i;
	if ((r->dirfds[root] = open_one(r->d, AT_FDCWD, root)) < 0)
		return NONE;
	r->opened[r->nopen++] = root;
	return root;
}

/*
 * A directory of the table, reached (see reach()) from its nearest open
 * ancestor.  Its descriptor stays open, and belongs to the cache: the
 * sets meet the same directories again and again.  The cache holds
 * r->maxopen at most, whatever the depth: the directories passed through
 * are not kept.
 */
static int
open_new_dir(struct relink *r, uint32_t dir)
{
	uint32_t	top;
	int		fd;

	if (r->nopen + 1 > r->maxopen)
		flush_dirs(r);
	top = open_ancestor(r, dir);
	fd = reach(r->d, &r->chain, top, top == NONE ? AT_FDCWD :
	    r->dirfds[top], dir);
	if (fd < 0)
		return -1;
	r->dirfds[dir] = fd;
	r->opened[r->nopen++] = dir;
	return fd;
}

/* The cache's answer, on the common path, costs no call. */
static inline int
open_dir(struct relink *r, uint32_t dir)
{
	return r->dirfds[dir] >= 0 ? r->dirfds[dir] : open_new_dir(r, dir);
}

/*
 * --dry-run: the link limit of the kept file's filesystem, asked once
 * per filesystem, so that the run foresees EMLINK as the real one meets
 * it (the kept file's links counted in its inode's links).
 */
static long
link_limit(struct relink *r, uint16_t dev)
{
	if (r->limits == NULL && (r->limits = calloc(r->d->ndevs + 1,
	    sizeof(long))) == NULL)
		return -1;
	if (r->limits[dev] == 0)
		r->limits[dev] = hl_link_limit(AT_FDCWD, r->kshown.s, false);
	return r->limits[dev];
}

/* Makes inode i, by its name k, the kept file of the set. */
static int
keep(struct relink *r, uint32_t i, uint32_t k)
{
	const struct name	*nm = &r->d->names[k];

	r->kept = i;
	r->kname = k;
	r->aborted = true;
	if (path_of(r->d, nm->dir, name_of(r->d, nm), &r->kshown) < 0)
		return -1;
	if (r->d->req->dry_run)
		r->limit = link_limit(r, r->d->inodes[i].dev);
	if (!r->d->req->dry_run && r->kdir != nm->dir) {
		r->kdir = NONE;
		if ((r->kdirfd = open_dir(r, nm->dir)) < 0) {
			event(r->d, HL_DEDUP_NO_FILE, r->kshown.s, errno);
			return -1;
		}
		r->kdir = nm->dir;
	}
	r->aborted = false;
	return 0;
}

/* Still the very file compared, ctime included? */
static bool
still_same(struct relink *r, int dirfd, uint32_t k, const char *shown)
{
	const struct name	*nm = &r->d->names[k];
	struct inode		*n = &r->d->inodes[nm->inode];
	struct stat		 st;

	if (fstatat(dirfd, name_of(r->d, nm), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    unchanged(r->d, n, &st, true))
		return true;
	event(r->d, HL_DEDUP_CHANGED, shown, 0);
	return false;
}

/*
 * hlink's own temporary link to the kept file, and its rename or its
 * removal, change the ctime of the kept file and of the file replaced,
 * and nothing else the check looks at; a failed replacement does so too.
 * So the ctime recorded is taken again from the file right after, when
 * its inode, size and mtime are still those compared.  A change by
 * anyone else still shows: after this look, in the ctime, as before;
 * before it, in the mtime or size, as a write sets the mtime, and a
 * write whose mtime was put back had to be put back after the look
 * just before the link, which saw the ctime unchanged.  Only such a
 * write with its mtime put back, both within the link itself, passes.
 * (Ignoring a file's ctime from its first link on would let that pass
 * for the rest of the run; keeping it would call each file hlink itself
 * linked "changed".)
 */
static void
retake_ctime(struct dedup *d, struct inode *n, const struct stat *st)
{
	if (unchanged(d, n, st, false))
		n->ctime = (int64_t)st->st_ctim.tv_sec * 1000000000 +
		    st->st_ctim.tv_nsec;
}

/*
 * The file name k is about to leave, held open when it has names still
 * to replace: once k is renamed over, no name of it is at hand to look
 * at its ctime again.  -1 when it has none (or cannot be opened: its
 * next name is then checked against the ctime from before, and skipped).
 */
static int
hold_replaced(struct relink *r, int dirfd, uint32_t k)
{
	const struct name	*nm = &r->d->names[k];

	if (r->d->inodes[nm->inode].found < 2)
		return -1;
	return openat(dirfd, name_of(r->d, nm), O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

/* After hl_relink(), the kept file and the file replaced, looked at again. */
static void
retake_both(struct relink *r, int held, struct inode *n)
{
	struct dedup	*d = r->d;
	struct stat	 st;

	if (fstatat(r->kdirfd, name_of(d, &d->names[r->kname]), &st,
	    AT_SYMLINK_NOFOLLOW) == 0)
		retake_ctime(d, &d->inodes[r->kept], &st);
	if (held >= 0) {
		if (fstat(held, &st) == 0)
			retake_ctime(d, n, &st);
		close(held);
	}
}

/*
 * hl_relink() asks whether a name's directory is immutable or append-only
 * before it makes a temporary name there; a directory that took one
 * link is not asked again (one that became so since is still diagnosed
 * when the rename fails).
 */
static void
note_dir(struct relink *r, uint32_t dir, int rc)
{
	r->plain[dir] = rc == 0 ||
	    (r->out.cause != HL_CAUSE_DIR_IMMUTABLE &&
	    r->out.cause != HL_CAUSE_DIR_APPEND_ONLY);
}

/* hl_relink() for name k, its failure said; the EMLINK one makes k kept. */
static int
relink_one(struct relink *r, struct hl_request *req, uint32_t k)
{
	struct dedup	*d = r->d;
	struct inode	*n = &d->inodes[d->names[k].inode];
	uint32_t	 dir = d->names[k].dir;
	int		 held = hold_replaced(r, req->dstdirfd, k), rc;

	req->flags = r->plain[dir] ? HL_DIR_PLAIN : 0;
	rc = hl_relink(req, &r->out);
	note_dir(r, dir, rc);
	retake_both(r, held, n);
	if (rc == 0)
		return 0;
	if (r->out.err == EMLINK)
		keep(r, d->names[k].inode, k);
	else {
		d->st->failures++;
		d->req->ops->failed(d->req->ctx, req, &r->out);
	}
	return -1;
}

/*
 * Name k becomes a link to the kept file, each file looked at just
 * before.  The name's look proves the link replaces the bytes compared.
 * The kept file is looked at before every link too, not once per set:
 * the link is made by its name, so a change to it after one look (a
 * write, a rename over it) would hand every later name of the set bytes
 * it never had; a look per link narrows that to the one link in flight.
 * Its cost is one stat of a name in a directory already open.
 */
static void
relink_name(struct relink *r, uint32_t k)
{
	struct dedup		*d = r->d;
	const struct name	*nm = &d->names[k];
	struct inode		*n = &d->inodes[nm->inode];
	struct hl_request	 req = {
		.srcdirfd = r->kdirfd,
		.src = name_of(d, &d->names[r->kname]),
		.src_shown = r->kshown.s,
		.dstdirfd = -1,
		.dst = name_of(d, nm),
	};

	if (nm->inode == r->kept || r->aborted ||
	    path_of(d, nm->dir, name_of(d, nm), &r->shown) < 0)
		return;
	req.dst_shown = r->shown.s;
	if (!d->req->dry_run) {
		if ((req.dstdirfd = open_dir(r, nm->dir)) < 0) {
			event(d, HL_DEDUP_NO_FILE, r->shown.s, errno);
			return;
		}
		if (!still_same(r, r->kdirfd, r->kname, r->kshown.s)) {
			r->aborted = true;	/* its names are left as they are */
			return;
		}
		if (!still_same(r, req.dstdirfd, k, r->shown.s))
			return;
		if (relink_one(r, &req, k) < 0)
			return;
	} else if (r->limit > 0 && d->inodes[r->kept].links >= r->limit) {
		keep(r, nm->inode, k);	/* as EMLINK would */
		return;
	}
	d->inodes[r->kept].links++;
	n->links--;
	n->found--;
	d->st->relinked++;
	HL_COUNT(d->req->counters, relinked, 1);
	d->req->ops->relinked(d->req->ctx, r->shown.s, r->kshown.s);
}

static uint32_t
outside(const struct inode *n, uint32_t found)
{
	return n->nlink > found ? n->nlink - found : 0;
}

/*
 * The kept inode: most names outside the ROOTs (its data cannot be freed
 * anyway), then most links, then oldest, then first found.
 */
static bool
better(const struct dedup *d, uint32_t a, uint32_t b)
{
	const struct inode	*x = &d->inodes[a], *y = &d->inodes[b];

	if (outside(x, x->found) != outside(y, y->found))
		return outside(x, x->found) > outside(y, y->found);
	if (x->nlink != y->nlink)
		return x->nlink > y->nlink;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime;
	return a < b;
}

static int
reserve(struct relink *r, size_t n)
{
	if (grow(&r->buf, &r->cap, n, sizeof(*r->buf)) < 0 ||
	    grow(&r->found, &r->capfound, n, sizeof(*r->found)) < 0) {
		r->d->err = ENOMEM;
		return -1;
	}
	return 0;
}

static int
by_u64(const void *x, const void *y)
{
	uint64_t	a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* What the set freed, or left held by names outside the ROOTs. */
static void
account(struct relink *r, const uint32_t *set, size_t k)
{
	struct dedup	*d = r->d;
	struct inode	*n;
	size_t		 i;

	for (i = 0; i < k; i++) {
		n = &d->inodes[set[i]];
		if (set[i] == r->kept || n->found > 0)
			continue;
		/* Sizes, as util-linux hardlink, jdupes and rdfind count. */
		if (outside(n, r->found[i]) == 0)
			d->st->freed += n->size;
		else
			d->st->held += n->size;
	}
}

/* --clone: sharing blocks rather than linking. */

/* Opens the inode's first name for the dedupe, if it is still as seen. */
static int
open_shared(struct relink *r, uint32_t inode, struct hl_pathbuf *pb)
{
	struct dedup		*d = r->d;
	const struct name	*nm = &d->names[d->inodes[inode].first];
	struct stat		 st;
	const char		*shown;
	int			 dirfd, fd;

	if (path_of(d, nm->dir, name_of(d, nm), pb) < 0)
		return -1;
	shown = pb->s;
	if ((dirfd = open_dir(r, nm->dir)) < 0) {
		event(d, HL_DEDUP_NO_FILE, shown, errno);
		return -1;
	}
	fd = openat(dirfd, name_of(d, nm), FILE_FLAGS);
	if (fd < 0) {
		event(d, HL_DEDUP_NO_FILE, shown, errno);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !unchanged(d, &d->inodes[inode], &st,
	    true)) {
		event(d, HL_DEDUP_CHANGED, shown, 0);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The first dedupe of the run is the filesystem's test: when it cannot
 * share blocks at all nothing has changed yet, and the run stops there.
 */
static void
not_shared(struct relink *r, int fd, const struct hl_copy_result *res)
{
	const char	*fs;

	if (res->cause == HL_DEDUPE_NO_FS && !r->tried) {
		fs = hl_fs_name(fd);
		event(r->d, HL_DEDUP_CANNOT_SHARE, fs != NULL ? fs :
		    "this filesystem", res->err);
		r->stop = true;
	} else if (res->cause == HL_DEDUPE_DIFFERS)
		event(r->d, HL_DEDUP_CHANGED, r->shown.s, 0);
	else
		event(r->d, HL_DEDUP_NOT_SHARED, r->shown.s, res->err);
}

/*
 * One inode of the set made to share the kept file's blocks.  True when
 * it now shares them (or, dry, would): the set then counts as a group.
 */
static bool
share_one(struct relink *r, int keptfd, uint32_t inode)
{
	struct dedup		*d = r->d;
	struct hl_copy_result	 res;
	int			 fd;

	if ((fd = open_shared(r, inode, &r->shown)) < 0)
		return false;
	if (hl_same_blocks(keptfd, fd) == 1) {	/* a run before did it */
		close(fd);
		return false;
	}
	if (d->req->dry_run)
		res.bytes = d->inodes[inode].size;
	else if (hl_dedupe_range(keptfd, fd, NULL, &res) < 0) {
		not_shared(r, fd, &res);
		r->tried = true;
		close(fd);
		return false;
	}
	r->tried = true;
	close(fd);
	d->st->relinked++;
	HL_COUNT(d->req->counters, relinked, 1);
	d->st->freed += res.bytes;
	d->req->ops->shared(d->req->ctx, r->shown.s, r->kshown.s);
	return true;
}

/*
 * Every other inode of the set shares the kept one's blocks, once per
 * inode: its names, links of one another, are left as they are, and so
 * are its attributes.
 */
static void
share_set(struct relink *r, const uint32_t *set, size_t k, uint32_t best)
{
	size_t	i;
	bool	any = false;
	int	keptfd;

	if ((keptfd = open_shared(r, best, &r->kshown)) < 0)
		return;
	if (hl_data_inline(keptfd) == 1) {	/* no block to share */
		close(keptfd);
		return;
	}
	for (i = 0; i < k && !r->stop; i++)
		if (set[i] != best && share_one(r, keptfd, set[i]))
			any = true;
	close(keptfd);
	if (any)
		r->d->st->groups++;
}

/* Every name of every other inode of the set, by directory, relinked. */
static void
relink_set(struct relink *r, const uint32_t *set, size_t k)
{
	struct dedup		*d = r->d;
	size_t			 i, n = 0, j;
	uint32_t		 best = set[0];
	unsigned long long	 before;

	for (i = 1; i < k; i++)
		if (better(d, set[i], best))
			best = set[i];
	if (d->req->clone) {
		share_set(r, set, k, best);
		return;
	}
	for (i = 0; i < k; i++)
		n += set[i] == best ? 0 : d->inodes[set[i]].found;
	if (reserve(r, n > k ? n : k) < 0 ||
	    keep(r, best, d->inodes[best].first) < 0)
		return;
	for (i = 0, n = 0; i < k; i++) {
		r->found[i] = d->inodes[set[i]].found;
		for (j = 0; set[i] != best && j < r->found[i]; j++)
			r->buf[n++] = (uint64_t)d->names[d->inodes[set[i]].first +
			    j].dir << 32 | (d->inodes[set[i]].first + j);
	}
	qsort(r->buf, n, sizeof(*r->buf), by_u64);
	before = d->st->relinked;
	for (i = 0; i < n; i++)
		relink_name(r, (uint32_t)r->buf[i]);
	/* A group is a set with a name relinked (or, dry, to relink). */
	if (d->st->relinked > before)
		d->st->groups++;
	account(r, set, k);
}

/* The sets of a class: files of one group, by fileeq's answer. */
static void
relink_class(struct relink *r, const struct work *wk, const struct class *c)
{
	uint64_t	*keys = malloc(c->n * sizeof(*keys));
	uint32_t	*set = malloc(c->n * sizeof(*set));
	size_t		 i, lo, hi, n = 0;

	for (i = 0; keys != NULL && set != NULL && i < c->n; i++)
		if (wk->group[c->start + i] != HL_FILEEQ_NONE)
			keys[n++] = (uint64_t)wk->group[c->start + i] << 32 | i;
	if (keys == NULL || set == NULL)
		r->d->err = ENOMEM;
	else
		qsort(keys, n, sizeof(*keys), by_u64);
	for (lo = 0; lo < n && r->d->err == 0 && !r->stop; lo = hi) {
		for (hi = lo; hi < n && keys[hi] >> 32 == keys[lo] >> 32; hi++)
			set[hi - lo] = wk->order[c->start + (uint32_t)keys[hi]];
		if (hi - lo >= 2)
			relink_set(r, set, hi - lo);
	}
	free(keys);
	free(set);
}

/*
 * The directories the relinking keeps open: half of those free.  It
 * needs two (the kept file's and the name's), reach() two more while it
 * opens one, and a failure's diagnosis one; --clone holds two files
 * open instead of the kept file's directory.
 */
static size_t
cache_size(const struct dedup *d)
{
	size_t	n = d->fds / 2;

	if (d->req->clone && n + 3 > d->fds)
		n = d->fds - 3;
	return n;
}

static void
relink_all(struct dedup *d, const struct work *wk)
{
	struct relink	*r = calloc(1, sizeof(*r));
	size_t		 c;

	if (r == NULL) {
		d->err = ENOMEM;
		return;
	}
	r->d = d;
	r->kdir = NONE;
	r->kdirfd = -1;
	r->maxopen = cache_size(d);
	r->dirfds = malloc((d->ndirs + 1) * sizeof(int));
	r->opened = malloc((d->ndirs + 1) * sizeof(uint32_t));
	r->plain = calloc(d->ndirs + 1, sizeof(bool));
	if (r->dirfds == NULL || r->opened == NULL || r->plain == NULL) {
		free(r->dirfds);
		free(r->opened);
		free(r->plain);
		free(r);
		d->err = ENOMEM;
		return;
	}
	memset(r->dirfds, 0xff, (d->ndirs + 1) * sizeof(int));
	for (c = 0; c < wk->nclasses && d->err == 0 && !r->stop; c++)
		relink_class(r, wk, &wk->classes[c]);
	r->kdir = NONE;
	flush_dirs(r);
	free(r->dirfds);
	free(r->opened);
	free(r->plain);
	free(r->buf);
	free(r->found);
	free(r->chain.v);
	free(r->kshown.s);
	free(r->shown.s);
	free(r->limits);
	free(r);
}

static void
free_all(struct dedup *d, struct work *wk)
{
	free(wk->order);
	free(wk->group);
	free(wk->classes);
	free(d->devs);
	free(d->dirs);
	free(d->names);
	free(d->inodes);
	free(d->arena);
	free(d->byino.slots);
	free(d->bydir.slots);
	free(d->stack);
	free(d->rootdirs);
}

int
hl_dedup(const struct hl_dedup_request *req, struct hl_dedup_stats *st)
{
	struct dedup	d;
	struct work	wk;

	memset(st, 0, sizeof(*st));
	st->clone = req->clone;
	memset(&d, 0, sizeof(d));
	memset(&wk, 0, sizeof(wk));
	d.req = req;
	d.st = st;
	d.lastfile = NONE;
	wk.d = &d;
	/* Said before anything is done: the walk needs them too. */
	if ((d.fds = hl_fds_free()) < HL_DEDUP_MIN_FDS) {
		st->refused = true;
		event(&d, HL_DEDUP_NO_FDS, "", EMFILE);
		return -1;
	}
	walk_all(&d);
	free(d.bydir.slots);	/* the walk's: the relinks need them not */
	free(d.byino.slots);
	d.bydir.slots = d.byino.slots = NULL;
	if (d.err == 0 && sort_names(&d) < 0)
		d.err = ENOMEM;
	if (d.err == 0)
		drop_repeats(&d);
	if (d.err == 0 && make_classes(&d, &wk) < 0)
		d.err = ENOMEM;
	if (d.err == 0)
		compare_all(&wk, req->jobs);
	if (wk.err != 0)
		d.err = wk.err;
	if (d.err == 0)
		relink_all(&d, &wk);
	st->err = d.err;
	free_all(&d, &wk);
	return d.err != 0 || st->failures > 0 ? -1 : 0;
}
