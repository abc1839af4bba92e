/*
 * tree.h: -r, a replica of a directory tree whose files are hard links.
 */
#ifndef HLINK_TREE_H
#define HLINK_TREE_H

#include <stdbool.h>

#include "counters.h"
#include "hardlink.h"

/*
 * The free file descriptors -r needs at the least: one directory open on
 * each side, the one a descent opens before the stack closes an older
 * one, and one for the calls of a link or its diagnosis.
 */
#define HL_TREE_MIN_FDS	4

/* What hl_tree() could not do; see struct hl_tree_ops. */
enum hl_tree_failure {
	HL_TREE_INTO_ITSELF,	/* DST is inside SRC: nothing made */
	HL_TREE_READ,		/* a source directory could not be read */
	HL_TREE_MKDIR,		/* a directory could not be made */
	HL_TREE_SYMLINK,	/* -s: a mount point's symlink could not be */
	HL_TREE_NOT_DIR,	/* the replica has a non-directory there */
	HL_TREE_ATTRS,		/* mode, owner or times could not be set */
	HL_TREE_NO_FDS		/* too few free fds: nothing made */
};

/*
 * hl_tree() prints nothing: it hands each outcome and event to these,
 * one at a time even when it runs threads.  A DSTDIR on another
 * filesystem than SRCDIR is reported as DSTDIR's own outcome: a symlink
 * to SRCDIR under -s, a replica of clones or copies (HL_CLONED or
 * HL_COPIED with replica set, announced once, and each file's outcome
 * after it with no cause) under --fallback=clone or copy first, else the
 * failure of a link across devices.  ask, when not NULL, is -i:
 * whether to replace an existing entry (> 0), keep it and count a
 * failure (0), or neither, as under --dry-run (< 0); hl_tree() then runs
 * on one thread.
 */
struct hl_tree_ops {
	void	(*report)(void *ctx, const struct hl_request *req,
		    const struct hl_outcome *out);
	int	(*ask)(void *ctx, const struct hl_request *req);
	void	(*made_dir)(void *ctx, const char *dst, const char *src);
	/* A mount point not entered; target is NULL for an empty directory. */
	void	(*mount_point)(void *ctx, const char *dst, const char *src,
		    const char *target);
	void	(*failed)(void *ctx, enum hl_tree_failure what,
		    const char *path, int err);
};

/*
 * The replica top.dst of the directory top.src, named and resolved as
 * for hl_link().  HL_FOLLOW applies only to top.src itself (the walk
 * never follows a symlink); HL_FORCE, HL_DRY_RUN and HL_SYMLINK_FALLBACK
 * apply to every entry.
 */
struct hl_tree_request {
	struct hl_request		 top;
	int				 jobs;	/* threads, at most */
	/* Bytes cloned or copied, chunk by chunk, from any worker. */
	const struct hl_progress	*progress;
	const struct hl_tree_ops	*ops;
	void				*ctx;
	/* Or NULL: files, dirs (and bytes_done of copies) added as done. */
	struct hl_counters		*counters;
};

/*
 * Returns the number of failures: entries not linked (a DST kept at -i's
 * question among them) and events reported to failed().  0 when
 * everything was replicated.
 */
int	hl_tree(const struct hl_tree_request *req);

#endif
