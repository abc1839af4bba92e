/*
 * list.c: --list.  Every name of FILE's inode under the ROOTs.
 *
 * find -samefile stats every entry.  Directory entries already carry the
 * inode number (d_ino) and usually the type (d_type), so this walk stats
 * only the entries whose d_ino is FILE's, to confirm the device, and
 * opens only directories.  It stops once it has found FILE's link count.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "sys.h"
#include "walk.h"

/*
 * A name found: its directory's device and inode, and the entry.  The
 * same name can be reached twice (overlapping ROOTs, a bind mount inside
 * ROOT); counted twice, it would stop the search before the last name.
 */
struct name {
	dev_t	 dev;
	ino_t	 dir;
	char	*entry;
};

struct seen {
	struct name	*slots;		/* open addressing, a power of 2 */
	size_t		 cap;
	size_t		 count;
};

struct search {
	const struct hl_list_request	*req;
	struct hl_list_result		*res;
	dev_t				 dev;
	ino_t				 ino;
	bool				 check_dev;	/* mounts below */
	struct hl_mounts		 mounts;	/* below the ROOT */
	size_t				 rootlen;	/* of "ROOT/" */
	struct seen			 seen;
};

static size_t
hash_name(const struct name *n)
{
	uint64_t		 h = 14695981039346656037ULL;	/* FNV-1a */
	const unsigned char	*p = (const unsigned char *)n->entry;

	h = (h ^ (uint64_t)n->dev) * 1099511628211ULL;
	h = (h ^ (uint64_t)n->dir) * 1099511628211ULL;
	while (*p != '\0')
		h = (h ^ *p++) * 1099511628211ULL;
	return (size_t)h;
}

static struct name *
slot_of(struct seen *seen, const struct name *n)
{
	size_t		 i = hash_name(n) & (seen->cap - 1);
	struct name	*slot;

	for (;; i = (i + 1) & (seen->cap - 1)) {
		slot = &seen->slots[i];
		if (slot->entry == NULL || (slot->dev == n->dev &&
		    slot->dir == n->dir && strcmp(slot->entry, n->entry) == 0))
			return slot;
	}
}

static int
grow_seen(struct seen *seen)
{
	struct seen	bigger = { NULL, seen->cap ? 2 * seen->cap : 16, 0 };
	size_t		i;

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return -1;
	for (i = 0; i < seen->cap; i++)
		if (seen->slots[i].entry != NULL)
			*slot_of(&bigger, &seen->slots[i]) = seen->slots[i];
	bigger.count = seen->count;
	free(seen->slots);
	*seen = bigger;
	return 0;
}

/* True the first time a name is seen (and when memory runs out). */
static bool
first_sight(struct seen *seen, int dirfd, const char *entry)
{
	struct stat	 st;
	struct name	 n, *slot;

	if (fstat(dirfd, &st) < 0 ||
	    (2 * (seen->count + 1) > seen->cap && grow_seen(seen) < 0))
		return true;
	n.dev = st.st_dev;
	n.dir = st.st_ino;
	n.entry = (char *)entry;
	slot = slot_of(seen, &n);
	if (slot->entry != NULL)
		return false;
	if ((n.entry = strdup(entry)) == NULL)
		return true;
	*slot = n;
	seen->count++;
	return true;
}

static void
forget_all(struct seen *seen)
{
	size_t	i;

	for (i = 0; i < seen->cap; i++)
		free(seen->slots[i].entry);
	free(seen->slots);
}

static void
skip_directory(struct search *s, const char *path, int err)
{
	s->res->skipped++;
	s->req->skipped(s->req->ctx, path, err);
}

/*
 * fstatat() where the entry alone cannot tell; a failure (a directory we
 * may read but not search) is reported, for the list may be short.
 */
static bool
stat_entry(struct search *s, struct hl_walk *w, const char *name,
    struct stat *st)
{
	if (fstatat(hl_walk_fd(w), name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	if (errno != ENOENT) {
		skip_directory(s, hl_walk_path(w, NULL), errno);
		hl_walk_skip(w);	/* once is enough */
	}
	return false;
}

/*
 * Mount points are never entered, not even a bind mount of the same
 * filesystem: the names seen through one are only the same links again.
 */
static bool
is_mount_point(struct search *s, struct hl_walk *w, const char *name)
{
	const char	*path;

	if (s->mounts.count == 0)
		return false;
	path = hl_walk_path(w, name);
	return strlen(path) > s->rootlen &&
	    hl_mounts_has(&s->mounts, path + s->rootlen);
}

static void
visit(struct search *s, struct hl_walk *w, const struct hl_dirent *e)
{
	struct stat	st;
	bool		dir = e->type == HL_TYPE_DIR;

	/*
	 * A mount point's d_ino is the inode it covers, on the parent's
	 * device, so a matching d_ino is a candidate until fstatat() says.
	 */
	if (e->ino == s->ino) {
		if (!stat_entry(s, w, e->name, &st))
			return;
		if (st.st_dev == s->dev && st.st_ino == s->ino) {
			if (first_sight(&s->seen, hl_walk_fd(w), e->name)) {
				s->res->found++;
				s->req->found(s->req->ctx,
				    hl_walk_path(w, e->name));
			}
			return;
		}
		dir = S_ISDIR(st.st_mode);
	} else if (e->type == HL_TYPE_UNKNOWN) {
		if (!stat_entry(s, w, e->name, &st))
			return;
		dir = S_ISDIR(st.st_mode);
	}
	if (!dir || is_mount_point(s, w, e->name))
		return;
	if (hl_walk_enter(w, e->name, s->check_dev ? &s->dev : NULL) < 0 &&
	    errno != EXDEV)	/* another filesystem: never entered */
		skip_directory(s, hl_walk_path(w, e->name), errno);
}

/*
 * The directories the walk may hold open, the root's among them, counted
 * once that is open: all the free descriptors but the one a descent
 * opens before the stack closes its oldest.  One is enough: the walk
 * then reads each parent into memory before entering a child.
 */
static size_t
max_open(void)
{
	size_t	n = hl_fds_free();

	if (n < 3)
		return 1;
	return n - 1 < HL_WALK_MAX_OPEN ? n - 1 : HL_WALK_MAX_OPEN;
}

static void
search_root(struct search *s, const char *root)
{
	struct hl_walk		w;
	struct hl_dirent	e;
	struct stat		st;
	enum hl_walk_event	ev = HL_WALK_ENTRY;

	if (hl_walk_open(&w, s->req->dirfd, root, &st) < 0) {
		skip_directory(s, root, errno);
		return;
	}
	w.dirs.max_open = max_open();
	hl_walk_dirs_last(&w);	/* a name near the top is found early */
	s->check_dev = hl_mounts_below(s->req->dirfd, root, &s->mounts) < 0 ||
	    s->mounts.count > 0;
	s->rootlen = strlen(root) + (root[strlen(root) - 1] != '/');
	while (ev != HL_WALK_END && s->res->found < s->res->nlink) {
		ev = hl_walk_next(&w, &e);
		if (ev == HL_WALK_ENTRY)
			visit(s, &w, &e);
		else if (ev == HL_WALK_ERROR)
			skip_directory(s, hl_walk_path(&w, NULL), w.err);
	}
	hl_walk_close(&w);
	hl_mounts_free(&s->mounts);
}

/* Every ROOT is checked before the search starts: no half answers. */
static int
check_roots(struct search *s)
{
	const struct hl_list_request	*req = s->req;
	struct stat			 st;
	int				 i;

	for (i = 0; i < req->nroots; i++) {
		s->res->root = req->roots[i];
		if (fstatat(req->dirfd, req->roots[i], &st, 0) < 0) {
			s->res->status = HL_LIST_BAD_ROOT;
			s->res->err = errno;
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			s->res->status = HL_LIST_BAD_ROOT;
			s->res->err = ENOTDIR;
			return -1;
		}
		if (st.st_dev != s->dev) {
			s->res->status = HL_LIST_OTHER_FS;
			return -1;
		}
	}
	return 0;
}

static int
fail(struct hl_list_result *res, enum hl_list_status status)
{
	res->status = status;
	res->err = errno;
	return -1;
}

int
hl_list(const struct hl_list_request *req, struct hl_list_result *res)
{
	struct search	s;
	struct stat	st;
	char		real[PATH_MAX];
	int		i;

	memset(&s, 0, sizeof(s));
	s.req = req;
	s.res = res;
	res->status = HL_LIST_DONE;
	res->found = res->skipped = 0;
	res->root = NULL;
	res->err = 0;
	res->mount[0] = '\0';
	if (fstatat(req->dirfd, req->file, &st,
	    req->follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(res, HL_LIST_NO_FILE);
	s.dev = st.st_dev;
	s.ino = st.st_ino;
	res->nlink = (unsigned long)st.st_nlink;
	if (req->nroots == 0) {
		if (hl_realpath_at(req->dirfd, req->file, req->follow, real,
		    sizeof(real)) < 0 ||
		    hl_mount_point(real, res->mount, sizeof(res->mount)) < 0)
			return fail(res, HL_LIST_NO_MOUNT);
		res->root = res->mount;
		search_root(&s, res->mount);
	} else if (check_roots(&s) < 0)
		return -1;
	for (i = 0; i < req->nroots && res->found < res->nlink; i++)
		search_root(&s, req->roots[i]);
	forget_all(&s.seen);
	return 0;
}
