/*
 * walk.c: depth-first walk through directory fds; see walk.h.
 *
 * The frames live on a directory stack (dirstack.c), which keeps only the
 * deepest max_open of them open: a frame it closes is spilled first, its
 * remaining entries read into memory.  So a tree of any depth costs at
 * most max_open + 1 fds.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirstack.h"
#include "walk.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct spilled {
	ino_t		ino;
	enum hl_type	type;
	size_t		name;	/* offset into names */
};

struct walk_frame {
	struct hl_dirslot slot;		/* fd -1 while spilled */
	struct hl_dir	*dir;		/* NULL when its entries are in memory */
	size_t		 pathlen;
	bool		 left;		/* HL_WALK_LEAVE was returned */
	bool		 skip;		/* hl_walk_skip(): read no more */
	struct spilled	*entries;
	size_t		 nentries, next, cap;
	char		*names;
	size_t		 nameslen, namescap;
};

static struct walk_frame *
frame_at(const struct hl_walk *w, size_t i)
{
	return hl_dirstack_at(&w->dirs, i);
}

static struct walk_frame *
top(const struct hl_walk *w)
{
	return hl_dirstack_top(&w->dirs);
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t	n = *cap ? *cap : 16;
	void	*q;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	q = realloc(p, n * size);
	if (q != NULL)
		*cap = n;
	return q;
}

static int
keep_entry(struct walk_frame *f, const struct hl_dirent *d)
{
	size_t	len = strlen(d->name) + 1;
	void	*p;

	if ((p = grow(f->entries, &f->cap, f->nentries + 1,
	    sizeof(*f->entries))) == NULL)
		return -1;
	f->entries = p;
	if ((p = grow(f->names, &f->namescap, f->nameslen + len, 1)) == NULL)
		return -1;
	f->names = p;
	memcpy(f->names + f->nameslen, d->name, len);
	f->entries[f->nentries].ino = d->ino;
	f->entries[f->nentries].type = d->type;
	f->entries[f->nentries].name = f->nameslen;
	f->nentries++;
	f->nameslen += len;
	return 0;
}

/*
 * The stack closes the oldest open frame: read the rest of its entries
 * into memory first.  A frame reopened through ".." has them already.
 */
static int
spill(void *frame)
{
	struct walk_frame	*f = frame;
	struct hl_dirent	 d;
	int			 rc;

	if (f->dir == NULL) {
		close(f->slot.fd);
		return 0;
	}
	while ((rc = hl_dir_next(f->dir, &d)) > 0)
		if (keep_entry(f, &d) < 0)
			return -1;
	if (rc < 0)
		return -1;
	hl_dir_close(f->dir);
	f->dir = NULL;
	return 0;
}

static int
push(struct hl_walk *w, int fd, size_t pathlen)
{
	struct walk_frame	*f;

	if ((f = hl_dirstack_push(&w->dirs, fd)) == NULL)
		return -1;
	if ((f->dir = hl_dir_open(fd)) == NULL) {
		hl_dirstack_pop(&w->dirs);
		return -1;
	}
	if (w->dirs_last)
		hl_dir_dirs_last(f->dir);
	f->pathlen = pathlen;
	return 0;
}

static void
free_frame(struct walk_frame *f)
{
	if (f->dir != NULL)
		hl_dir_close(f->dir);
	else if (f->slot.fd >= 0)
		close(f->slot.fd);
	free(f->entries);
	free(f->names);
}

/* Climbing back to a spilled parent reopens it (and checks it). */
static int
pop(struct hl_walk *w)
{
	int	rc = hl_dirstack_reopen_parent(&w->dirs);

	if (rc == 0 && w->dirs.depth > 1)
		w->path.s[frame_at(w, w->dirs.depth - 2)->pathlen] = '\0';
	free_frame(top(w));
	hl_dirstack_pop(&w->dirs);
	return rc;
}

int
hl_walk_open_fd(struct hl_walk *w, int fd, const char *path)
{
	memset(w, 0, sizeof(*w));
	hl_dirstack_init(&w->dirs, sizeof(struct walk_frame), HL_WALK_MAX_OPEN,
	    spill);
	if (hl_pathbuf_join(&w->path, 0, path) < 0 ||
	    push(w, fd, strlen(path)) < 0) {
		free(w->path.s);
		w->path.s = NULL;
		hl_dirstack_free(&w->dirs);
		return -1;
	}
	return 0;
}

int
hl_walk_open(struct hl_walk *w, int dirfd, const char *root,
    struct stat *st)
{
	int	fd;

	fd = openat(dirfd, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || hl_walk_open_fd(w, fd, root) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

/* The next entry of f, or false at its end (with *err on an error). */
static bool
next_entry(struct walk_frame *f, struct hl_dirent *e, int *err)
{
	int	rc;

	if (f->dir == NULL) {
		if (f->next == f->nentries)
			return false;
		e->name = f->names + f->entries[f->next].name;
		e->ino = f->entries[f->next].ino;
		e->type = f->entries[f->next].type;
		f->next++;
		return true;
	}
	if ((rc = hl_dir_next(f->dir, e)) < 0)
		*err = errno;
	return rc > 0;
}

enum hl_walk_event
hl_walk_next(struct hl_walk *w, struct hl_dirent *e)
{
	struct walk_frame	*f;
	int			 err = 0;

	if (w->dirs.depth == 0 || w->stopped)
		return HL_WALK_END;
	f = top(w);
	if (f->left) {
		if (pop(w) < 0) {
			/* Without its parent's fd the walk cannot go on. */
			w->err = errno;
			w->stopped = true;
			return HL_WALK_ERROR;
		}
		if (w->dirs.depth == 0)
			return HL_WALK_END;
		f = top(w);
	}
	if (!f->skip && next_entry(f, e, &err))
		return HL_WALK_ENTRY;
	if (err != 0) {
		/* Report, then leave the directory as if it had ended. */
		w->err = err;
		f->skip = true;
		return HL_WALK_ERROR;
	}
	f->left = true;
	return HL_WALK_LEAVE;
}

/* True when fd is on dev (or when dev is NULL); errno EXDEV if not. */
static bool
on_device(int fd, const dev_t *dev)
{
	struct stat	st;

	if (dev == NULL)
		return true;
	if (fstat(fd, &st) < 0)
		return false;
	if (st.st_dev == *dev)
		return true;
	errno = EXDEV;
	return false;
}

int
hl_walk_enter(struct hl_walk *w, const char *name, const dev_t *dev)
{
	size_t	parentlen = top(w)->pathlen;
	int	fd, len;

	fd = openat(hl_walk_fd(w), name, DIR_FLAGS);
	if (fd < 0)
		return -1;
	if (!on_device(fd, dev) ||
	    (len = hl_pathbuf_join(&w->path, parentlen, name)) < 0 ||
	    push(w, fd, (size_t)len) < 0) {
		close(fd);
		w->path.s[parentlen] = '\0';
		return -1;
	}
	return 0;
}

void
hl_walk_dirs_last(struct hl_walk *w)
{
	w->dirs_last = true;
	if (top(w)->dir != NULL)
		hl_dir_dirs_last(top(w)->dir);
}

void
hl_walk_skip(struct hl_walk *w)
{
	top(w)->skip = true;
}

int
hl_walk_fd(const struct hl_walk *w)
{
	return top(w)->slot.fd;
}

const char *
hl_walk_path(struct hl_walk *w, const char *name)
{
	size_t	len = top(w)->pathlen;

	w->path.s[len] = '\0';
	if (name != NULL)
		(void)hl_pathbuf_join(&w->path, len, name);
	return w->path.s;
}

const char *
hl_walk_name(struct hl_walk *w)
{
	const char	*path = hl_walk_path(w, NULL), *slash;

	slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

void
hl_walk_close(struct hl_walk *w)
{
	while (w->dirs.depth > 0) {
		free_frame(top(w));
		hl_dirstack_pop(&w->dirs);
	}
	hl_dirstack_free(&w->dirs);
	free(w->path.s);
	memset(w, 0, sizeof(*w));
}
