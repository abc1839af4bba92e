/*
 * dedup.h: --dedup, identical files under the ROOTs made links of one
 * inode.
 */
#ifndef HLINK_DEDUP_H
#define HLINK_DEDUP_H

#include <stdbool.h>

#include "counters.h"
#include "hardlink.h"

/*
 * Free descriptors --dedup needs at the least: two files compared side
 * by side and two directories to reach a deep one; or the kept file's
 * directory and the name's, and two to reach one.
 */
#define HL_DEDUP_MIN_FDS	4

/* What hl_dedup() tells the caller besides relinks and failed links. */
enum hl_dedup_event {
	HL_DEDUP_BAD_ROOT,	/* a ROOT could not be read: err (failure) */
	HL_DEDUP_NO_DIR,	/* a directory could not be read (failure) */
	HL_DEDUP_NO_FILE,	/* a file could not be read (failure) */
	HL_DEDUP_CHANGED,	/* changed since it was compared: skipped */
	HL_DEDUP_OTHER_FS,	/* a filesystem below a ROOT: not entered */
	HL_DEDUP_CANNOT_SHARE,	/* --clone: path is the filesystem's name */
	HL_DEDUP_NOT_SHARED,	/* --clone: the kernel refused this file */
	HL_DEDUP_NO_FDS		/* fewer than HL_DEDUP_MIN_FDS: nothing done */
};

/*
 * hl_dedup() prints nothing: it hands each event to these, one at a
 * time even when it runs threads.
 */
struct hl_dedup_ops {
	/* NAME became (under dry_run: would become) a link to KEPT. */
	void	(*relinked)(void *ctx, const char *name, const char *kept);
	/* --clone: NAME's inode shares (would share) KEPT's blocks now. */
	void	(*shared)(void *ctx, const char *name, const char *kept);
	/* A name that could not be replaced: req->dst_shown, req->src_shown. */
	void	(*failed)(void *ctx, const struct hl_request *req,
		    const struct hl_outcome *out);
	void	(*event)(void *ctx, enum hl_dedup_event what,
		    const char *path, int err);
};

struct hl_dedup_request {
	char *const			*roots;
	int				 nroots;
	unsigned long long		 min_size;
	unsigned long long		 max_size;
	bool				 content_only;	/* mode, owner, xattrs */
	bool				 respect_time;	/* mtime too */
	bool				 dry_run;
	bool				 clone;		/* share blocks, no links */
	int				 jobs;		/* threads, at most */
	const struct hl_dedup_ops	*ops;
	void				*ctx;
	/*
	 * The progress line's, or NULL: files walked, bytes_total and
	 * bytes_done of the classes compared, names relinked.
	 */
	struct hl_counters		*counters;
};

struct hl_dedup_stats {
	unsigned long long	files;		/* regular files scanned */
	unsigned long long	relinked;	/* names (that would be) */
						/* --clone: files sharing */
	unsigned long long	groups;		/* sets of identical inodes */
						/* with a name to relink */
	unsigned long long	freed;		/* bytes of st_blocks; */
						/* --clone: bytes shared */
	unsigned long long	held;		/* by names outside the ROOTs */
	unsigned long long	failures;
	int			err;		/* ENOMEM: stopped early */
	bool			clone;		/* the request's */
	bool			refused;	/* NO_FDS: no summary */
};

/*
 * Returns 0 when every duplicate found is now a link of its kept file,
 * -1 when anything failed (see stats->failures) or memory ran out.
 */
int	hl_dedup(const struct hl_dedup_request *req,
	    struct hl_dedup_stats *stats);

#endif
