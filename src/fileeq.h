/*
 * fileeq.h: compare a class of same-size files, splitting it into groups
 * of identical content.
 *
 * Never pairwise: a cheap probe (a first and a last block) splits the
 * class by a hash, and what is left is read side by side, block by
 * block, split wherever the blocks differ.  Equality is proven byte for
 * byte; a hash only narrows.
 */
#ifndef HLINK_FILEEQ_H
#define HLINK_FILEEQ_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* group[i] of a file that could not be read (see failed). */
#define HL_FILEEQ_NONE	((size_t)-1)

/* Bytes read at each end of a file by the probe. */
#define HL_FILEEQ_PROBE	4096

/*
 * Block buffers kept from one call to the next, by a worker that compares
 * class after class: zeroed before the first, freed by hl_fileeq_free().
 */
struct hl_fileeq_bufs {
	unsigned char	**bufs;
	size_t		  n;		/* allocated */
	size_t		  cap;		/* of bufs */
};

struct hl_fileeq {
	size_t	 n;		/* files in the class */
	off_t	 size;		/* the size of each */
	size_t	 fd_budget;	/* descriptors it may hold at once, >= 2 */
	/* Opens file i for reading, or -1 (the open reports why). */
	int	(*open)(void *ctx, size_t i);
	/* File i could not be read (err), or changed while read (err 0). */
	void	(*failed)(void *ctx, size_t i, int err);
	/*
	 * When not NULL: file i's attributes as a blob (from its open fd);
	 * files are identical only when their blobs are.  -1: unreadable.
	 */
	ssize_t	(*attrs)(void *ctx, size_t i, int fd, char **blob);
	void	*ctx;
	/* Out: the lowest index of the files identical to i, or NONE. */
	size_t	*group;
	/* The caller's buffers to use and keep, or NULL: its own. */
	struct hl_fileeq_bufs *bufs;
	/* When not NULL: n more bytes of the class read (progress). */
	void	(*read)(void *ctx, size_t n);
};

/* Fills c->group.  Returns 0, or -1 when memory ran out. */
int		hl_fileeq(const struct hl_fileeq *c);

/* Frees the buffers kept in b, and zeroes it. */
void		hl_fileeq_free(struct hl_fileeq_bufs *b);

/* A fast 64-bit hash of n bytes, chained through seed. */
uint64_t	hl_hash64(const void *p, size_t n, uint64_t seed);

#endif
