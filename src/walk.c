/*
 * walk.c: depth-first walk through directory fds; see walk.h.
 *
 * Frames [0, closed) have been spilled: their remaining entries read into
 * memory and their fds closed.  Frames [closed, depth) are open.  Only the
 * deepest frames hold fds, so a tree of any depth costs at most
 * max_open + 1 of them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walk.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct spilled {
	ino_t		ino;
	enum hl_type	type;
	size_t		name;	/* offset into names */
};

struct walk_frame {
	struct hl_dir	*dir;		/* NULL when its entries are in memory */
	int		 fd;		/* -1 while spilled */
	dev_t		 dev;		/* set when spilled, checked on reopen */
	ino_t		 ino;
	size_t		 pathlen;
	bool		 left;		/* HL_WALK_LEAVE was returned */
	bool		 skip;		/* hl_walk_skip(): read no more */
	struct spilled	*entries;
	size_t		 nentries, next, cap;
	char		*names;
	size_t		 nameslen, namescap;
};

/* Index of the first frame still open; frames below it are spilled. */
static size_t
first_open(const struct hl_walk *w)
{
	return w->depth - w->open;
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
 * Reads the rest of the oldest open frame into memory and closes it.  A
 * frame reopened through ".." has its entries in memory already.
 */
static int
spill_oldest(struct hl_walk *w)
{
	struct walk_frame	*f = &w->frames[first_open(w)];
	struct hl_dirent	 d;
	struct stat		 st;
	int			 rc;

	if (fstat(f->fd, &st) < 0)
		return -1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (f->dir == NULL) {
		close(f->fd);
		f->fd = -1;
		w->open--;
		return 0;
	}
	while ((rc = hl_dir_next(f->dir, &d)) > 0)
		if (keep_entry(f, &d) < 0)
			return -1;
	if (rc < 0)
		return -1;
	hl_dir_close(f->dir);
	f->dir = NULL;
	f->fd = -1;
	w->open--;
	return 0;
}

static int
push(struct hl_walk *w, int fd, size_t pathlen)
{
	struct walk_frame	*f;
	void			*p;

	if (w->open >= w->max_open && spill_oldest(w) < 0)
		return -1;
	if ((p = grow(w->frames, &w->cap, w->depth + 1,
	    sizeof(*w->frames))) == NULL)
		return -1;
	w->frames = p;
	f = &w->frames[w->depth];
	memset(f, 0, sizeof(*f));
	if ((f->dir = hl_dir_open(fd)) == NULL)
		return -1;
	f->fd = fd;
	f->pathlen = pathlen;
	w->depth++;
	w->open++;
	return 0;
}

/*
 * Climbing back to a spilled parent: reopen it through the child's "..",
 * and make sure it is the same directory, not one moved in meanwhile.
 */
static int
reopen_parent(struct hl_walk *w, int childfd)
{
	struct walk_frame	*parent = &w->frames[w->depth - 2];
	int			 fd;

	fd = hl_open_parent(childfd, parent->dev, parent->ino);
	if (fd < 0)
		return -1;
	parent->fd = fd;
	w->open++;
	return 0;
}

int
hl_open_parent(int childfd, dev_t dev, ino_t ino)
{
	struct stat	st;
	int		fd;

	fd = openat(childfd, "..", DIR_FLAGS);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_dev != dev || st.st_ino != ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

static void
free_frame(struct walk_frame *f)
{
	if (f->dir != NULL)
		hl_dir_close(f->dir);
	else if (f->fd >= 0)
		close(f->fd);
	free(f->entries);
	free(f->names);
}

static int
pop(struct hl_walk *w)
{
	struct walk_frame	*f = &w->frames[w->depth - 1];
	int			 rc = 0;

	if (w->depth > 1 && first_open(w) == w->depth - 1)
		rc = reopen_parent(w, f->fd);
	if (rc == 0 && w->depth > 1)
		w->path.s[w->frames[w->depth - 2].pathlen] = '\0';
	free_frame(f);
	w->depth--;
	w->open--;
	return rc;
}

int
hl_walk_open_fd(struct hl_walk *w, int fd, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->max_open = HL_WALK_MAX_OPEN;
	if (hl_pathbuf_join(&w->path, 0, path) < 0 ||
	    push(w, fd, strlen(path)) < 0) {
		free(w->path.s);
		w->path.s = NULL;
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

	if (w->depth == 0 || w->stopped)
		return HL_WALK_END;
	f = &w->frames[w->depth - 1];
	if (f->left) {
		if (pop(w) < 0) {
			/* Without its parent's fd the walk cannot go on. */
			w->err = errno;
			w->stopped = true;
			return HL_WALK_ERROR;
		}
		if (w->depth == 0)
			return HL_WALK_END;
		f = &w->frames[w->depth - 1];
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
	size_t	parentlen = w->frames[w->depth - 1].pathlen;
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
hl_walk_skip(struct hl_walk *w)
{
	w->frames[w->depth - 1].skip = true;
}

int
hl_walk_fd(const struct hl_walk *w)
{
	return w->frames[w->depth - 1].fd;
}

const char *
hl_walk_path(struct hl_walk *w, const char *name)
{
	size_t	len = w->frames[w->depth - 1].pathlen;

	w->path.s[len] = '\0';
	if (name != NULL)
		(void)hl_pathbuf_join(&w->path, len, name);
	return w->path.s;
}

void
hl_walk_close(struct hl_walk *w)
{
	while (w->depth > 0) {
		free_frame(&w->frames[w->depth - 1]);
		w->depth--;
	}
	free(w->frames);
	free(w->path.s);
	memset(w, 0, sizeof(*w));
}
