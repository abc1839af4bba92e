/*
 * dirstack.c: the bounded-fd directory stack; see dirstack.h.  The walk
 * floor: it calls only libc and sys.c.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirstack.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

void
hl_dirstack_init(struct hl_dirstack *s, size_t frame_size, size_t max_open,
    int (*release)(void *frame))
{
	memset(s, 0, sizeof(*s));
	s->frame_size = frame_size;
	s->max_open = max_open;
	s->release = release;
}

size_t
hl_fd_limit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;	/* cannot tell: the usual default */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > SIZE_MAX)
		return SIZE_MAX;
	return (size_t)rl.rlim_cur;
}

size_t
hl_fds_free(void)
{
	size_t	limit = hl_fd_limit(), open = 0, fd;

	/*
	 * Plenty: not worth a syscall per possible fd (--list's early
	 * case takes about a millisecond in all).
	 */
	if (limit > 256)
		return limit - 64;
	for (fd = 0; fd < limit; fd++)
		open += fcntl((int)fd, F_GETFD) != -1;
	return limit - open;
}

int
hl_dir_id_of(int fd, struct hl_dir_id *id)
{
	return hl_file_id(fd, &id->f);
}

int
hl_dir_reopen_parent(int childfd, const struct hl_dir_id *id)
{
	struct hl_dir_id	now;
	int			fd;

	fd = openat(childfd, "..", DIR_FLAGS);
	if (fd < 0)
		return -1;
	if (hl_dir_id_of(fd, &now) < 0 || !hl_file_id_same(&now.f, &id->f)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* Closes the oldest open frame, to bound the fds held. */
static int
close_oldest(struct hl_dirstack *s)
{
	struct hl_dirslot	*slot = hl_dirstack_at(s, s->depth - s->open);

	if (hl_dir_id_of(slot->fd, &slot->id) < 0)
		return -1;
	if (s->release != NULL) {
		if (s->release(slot) < 0)
			return -1;
	} else
		close(slot->fd);
	slot->fd = -1;
	slot->closed = true;
	s->open--;
	return 0;
}

static int
grow(struct hl_dirstack *s)
{
	size_t		 cap = s->cap ? 2 * s->cap : 64;
	unsigned char	*p;

	if (s->depth < s->cap)
		return 0;
	p = realloc(s->frames, cap * s->frame_size);
	if (p == NULL)
		return -1;
	s->frames = p;
	s->cap = cap;
	return 0;
}

void *
hl_dirstack_push(struct hl_dirstack *s, int fd)
{
	struct hl_dirslot	*slot;

	if (grow(s) < 0)
		return NULL;
	if (fd >= 0 && s->open > 0 && s->open >= s->max_open &&
	    close_oldest(s) < 0)
		return NULL;
	slot = hl_dirstack_at(s, s->depth++);
	memset(slot, 0, s->frame_size);
	slot->fd = fd;
	s->open += fd >= 0;
	return slot;
}

int
hl_dirstack_reopen_parent(struct hl_dirstack *s)
{
	struct hl_dirslot	*top = hl_dirstack_top(s), *parent;
	int			 fd;

	if (s->depth < 2 || top->fd < 0)
		return 0;
	parent = hl_dirstack_at(s, s->depth - 2);
	if (!parent->closed)
		return 0;
	fd = hl_dir_reopen_parent(top->fd, &parent->id);
	if (fd < 0)
		return -1;
	parent->fd = fd;
	parent->closed = false;
	s->open++;
	return 0;
}

void
hl_dirstack_pop(struct hl_dirstack *s)
{
	struct hl_dirslot	*top = hl_dirstack_top(s);

	s->open -= top->fd >= 0;
	s->depth--;
}

void
hl_dirstack_free(struct hl_dirstack *s)
{
	free(s->frames);
	s->frames = NULL;
	s->depth = s->cap = s->open = 0;
}
