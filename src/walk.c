/*
 * walk.c: depth-first walk through directory fds; see walk.h.
 *
 * Frames [0, closed) have been spilled: their remaining entries read into
 * memory and their fds closed.  Frames [closed, depth) are open.  Only the
 * deepest frames hold fds, so a tree of any depth costs at most
 * HL_WALK_MAX_OPEN + 1 of them.
 */
/* d_type and DT_* are not POSIX, but Linux and the BSDs have them. */
#define _DEFAULT_SOURCE

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walk.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct spilled {
	ino_t			ino;
	enum hl_walk_type	type;
	size_t			name;	/* offset into names */
};

struct walk_frame {
	DIR		*dir;		/* NULL when its entries are in memory */
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

static enum hl_walk_type
type_of(const struct dirent *d)
{
#ifdef DT_DIR
	if (d->d_type == DT_DIR)
		return HL_TYPE_DIR;
	if (d->d_type != DT_UNKNOWN)
		return HL_TYPE_OTHER;
#else
	(void)d;
#endif
	return HL_TYPE_UNKNOWN;
}

static int
keep_entry(struct walk_frame *f, const struct dirent *d)
{
	size_t	len = strlen(d->d_name) + 1;
	void	*p;

	if ((p = grow(f->entries, &f->cap, f->nentries + 1,
	    sizeof(*f->entries))) == NULL)
		return -1;
	f->entries = p;
	if ((p = grow(f->names, &f->namescap, f->nameslen + len, 1)) == NULL)
		return -1;
	f->names = p;
	memcpy(f->names + f->nameslen, d->d_name, len);
	f->entries[f->nentries].ino = d->d_ino;
	f->entries[f->nentries].type = type_of(d);
	f->entries[f->nentries].name = f->nameslen;
	f->nentries++;
	f->nameslen += len;
	return 0;
}

static bool
is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * Reads the rest of the oldest open frame into memory and closes it.  A
 * frame reopened through ".." has its entries in memory already.
 */
static int
spill_oldest(struct hl_walk *w)
{
	struct walk_frame	*f = &w->frames[first_open(w)];
	struct dirent		*d;
	struct stat		 st;

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
	errno = 0;
	while ((d = readdir(f->dir)) != NULL)
		if (!is_dot_or_dotdot(d->d_name) && keep_entry(f, d) < 0)
			return -1;
	if (errno != 0)
		return -1;
	closedir(f->dir);
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

	if (w->open == HL_WALK_MAX_OPEN && spill_oldest(w) < 0)
		return -1;
	if ((p = grow(w->frames, &w->cap, w->depth + 1,
	    sizeof(*w->frames))) == NULL)
		return -1;
	w->frames = p;
	f = &w->frames[w->depth];
	memset(f, 0, sizeof(*f));
	if ((f->dir = fdopendir(fd)) == NULL)
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
		closedir(f->dir);
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

/* The next entry of f, other than "." and "..", or false at its end. */
static bool
next_entry(struct walk_frame *f, struct hl_walk_entry *e, int *err)
{
	struct dirent	*d;

	if (f->dir == NULL) {
		if (f->next == f->nentries)
			return false;
		e->name = f->names + f->entries[f->next].name;
		e->ino = f->entries[f->next].ino;
		e->type = f->entries[f->next].type;
		f->next++;
		return true;
	}
	do {
		errno = 0;
		if ((d = readdir(f->dir)) == NULL) {
			*err = errno;
			return false;
		}
	} while (is_dot_or_dotdot(d->d_name));
	e->name = d->d_name;
	e->ino = d->d_ino;
	e->type = type_of(d);
	return true;
}

enum hl_walk_event
hl_walk_next(struct hl_walk *w, struct hl_walk_entry *e)
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
