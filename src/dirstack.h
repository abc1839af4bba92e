/*
 * dirstack.h: a stack of open directories that holds at most max_open
 * fds, whatever its depth.  Pushing one more open directory than that
 * closes the oldest open one, after noting what it is; popping back to a
 * closed one reopens it through its child's "..", and checks that it is
 * still the directory that was closed.  walk.c keeps the source side of a
 * walk on it, tree.c the replica's side.
 *
 * The frames are the caller's, frame_size bytes each, and each begins
 * with a struct hl_dirslot; the stack moves them when it grows, so a
 * pointer to a frame is valid only until the next push.
 */
#ifndef HLINK_DIRSTACK_H
#define HLINK_DIRSTACK_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "sys.h"

/*
 * What proves that a directory reopened through ".." is the one that was
 * closed: device, inode and, where the filesystem gives one, the file
 * handle with its generation number (sys.h); see hl_dir_id_of() and
 * hl_dir_reopen_parent(), the only two places that use it.
 */
struct hl_dir_id {
	struct hl_file_id	f;
};

/* The first member of every frame. */
struct hl_dirslot {
	int			fd;	/* -1: closed, or never opened */
	bool			closed;	/* by the stack: reopen on the way up */
	struct hl_dir_id	id;	/* set when closed */
};

struct hl_dirstack {
	unsigned char	*frames;
	size_t		 frame_size;
	size_t		 depth;		/* frames in use */
	size_t		 cap;
	size_t		 open;		/* frames holding an fd */
	size_t		 max_open;
	/*
	 * Closes the fd of a frame the stack is closing; NULL: close(2).
	 * walk.c reads the rest of the directory into memory first.
	 */
	int		(*release)(void *frame);
};

/* An empty stack of frames of frame_size bytes; nothing allocated yet. */
void	hl_dirstack_init(struct hl_dirstack *s, size_t frame_size,
	    size_t max_open, int (*release)(void *frame));

/*
 * Pushes a zeroed frame holding fd (-1 for a frame without a directory),
 * closing the oldest open frame first when max_open are open.  Returns
 * the new top frame, or NULL with errno set and the stack as it was (fd
 * is the caller's then).
 */
void	*hl_dirstack_push(struct hl_dirstack *s, int fd);

/*
 * Before the top frame is popped: reopens its parent through the top's
 * "..", if the stack had closed it.  -1 with errno set (ESTALE: it is
 * not the same directory any more) when it cannot.
 */
int	hl_dirstack_reopen_parent(struct hl_dirstack *s);

/* Removes the top frame, whose fd the caller has closed. */
void	hl_dirstack_pop(struct hl_dirstack *s);

/*
 * Frame i (0 is the bottom), or the top one.  Inline: the walk asks for
 * its top frame several times per entry.
 */
static inline void *
hl_dirstack_at(const struct hl_dirstack *s, size_t i)
{
	return s->frames + i * s->frame_size;
}

static inline void *
hl_dirstack_top(const struct hl_dirstack *s)
{
	return hl_dirstack_at(s, s->depth - 1);
}

/* Frees the frames (their fds are the caller's to close first). */
void	hl_dirstack_free(struct hl_dirstack *s);

/*
 * RLIMIT_NOFILE's soft limit, what every walk sizes its stack from
 * (SIZE_MAX when there is none).
 */
size_t	hl_fd_limit(void);

/*
 * The file descriptors this process can still open: RLIMIT_NOFILE less
 * those open now (counted only where the limit is small, 256 or less;
 * above that, the limit less 64).
 */
size_t	hl_fds_free(void);

/* Notes what the directory open at fd is; -1 with errno set. */
int	hl_dir_id_of(int fd, struct hl_dir_id *id);

/*
 * Opens the directory above childfd through "..", and checks that it is
 * still the directory id names: a directory moved, or removed and its
 * inode number reused, gives ESTALE rather than a walk in the wrong place.
 */
int	hl_dir_reopen_parent(int childfd, const struct hl_dir_id *id);

#endif
