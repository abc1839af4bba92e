/*
 * walk.h: a depth-first walk of a directory tree through directory fds.
 *
 * The walk is an iterator: hl_walk_next() returns each entry of the
 * current directory and, after its last one, a leave event.  The caller
 * descends into an entry with hl_walk_enter().  Depth is bounded neither
 * by the stack nor by PATH_MAX, and at most dirs.max_open (by default
 * HL_WALK_MAX_OPEN) directories are open at once (dirstack.h): deeper
 * down, an ancestor's remaining entries are read into memory and its fd
 * closed, to be reopened through ".." (and checked to be the same
 * directory) when the walk climbs back to it.
 */
#ifndef HLINK_WALK_H
#define HLINK_WALK_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "dirstack.h"
#include "path.h"
#include "sys.h"

#define HL_WALK_MAX_OPEN	64

enum hl_walk_event {
	HL_WALK_ENTRY,		/* an entry of the current directory */
	HL_WALK_LEAVE,		/* the current directory is done */
	HL_WALK_END,		/* the root is done */
	HL_WALK_ERROR		/* a directory could not be read: see err */
};


struct hl_walk {
	struct hl_dirstack	 dirs;		/* dirs.max_open: held open */
	struct hl_pathbuf	 path;		/* root/dir/.../current */
	int			 err;
	bool			 stopped;	/* after an error it cannot pass */
	bool			 dirs_last;	/* hl_walk_dirs_last() */
};

/*
 * Starts a walk at root (relative to dirfd).  Fills *st with root's
 * status.  Returns -1 with errno set if root cannot be opened.
 */
int	hl_walk_open(struct hl_walk *w, int dirfd, const char *root,
	    struct stat *st);

/* The same from an open directory fd, which the walk then owns. */
int	hl_walk_open_fd(struct hl_walk *w, int fd, const char *path);

/*
 * From now on, the entries of each directory that it has read already,
 * but its subdirectories, come before those subdirectories (within each
 * buffer's worth of entries: hl_dir_dirs_last()), so that a search finds
 * a name near the top before whole subtrees.  Costs no memory.
 */
void	hl_walk_dirs_last(struct hl_walk *w);

/* The next event; *e is set for HL_WALK_ENTRY. */
enum hl_walk_event hl_walk_next(struct hl_walk *w, struct hl_dirent *e);

/*
 * Descends into entry name of the current directory, which must be a
 * directory (never a symlink: it is opened O_NOFOLLOW).  With dev, a
 * directory on another device is not entered: -1 with errno EXDEV.
 * Returns -1 with errno set when it cannot be opened; the walk goes on.
 */
int	hl_walk_enter(struct hl_walk *w, const char *name, const dev_t *dev);

/* Ends the current directory early: the next event is its leave. */
void	hl_walk_skip(struct hl_walk *w);

/* The fd of the current directory. */
int	hl_walk_fd(const struct hl_walk *w);

/*
 * The path of the current directory (root joined with the names below
 * it), or with name of that entry in it.  Valid until the next call.
 */
const char *hl_walk_path(struct hl_walk *w, const char *name);

/*
 * The name of the current directory in its parent: after
 * hl_walk_enter(), the entry's name is gone with the parent's buffer
 * when the stack has closed the parent (max_open 1).
 */
const char *hl_walk_name(struct hl_walk *w);

/* Ends the walk early, or after HL_WALK_END; frees everything. */
void	hl_walk_close(struct hl_walk *w);

#endif
