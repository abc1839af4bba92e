/*
 * memo.h: what one run looks up once and then remembers (the mount
 * table a cross-filesystem notice names mount points from), shared by
 * the -r -j workers under its lock.  A run owns one; a NULL memo looks
 * everything up every time, as a single call should.
 */
#ifndef HLINK_MEMO_H
#define HLINK_MEMO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "sys.h"

struct hl_memo {
	pthread_mutex_t	 lock;
	int		 mounts_read;	/* 0 not yet, 1 read, -1 unreadable */
	struct hl_mounts mounts;	/* every mount point, absolute */
	int		 unnamed;	/* 0 not yet, 1 linkable, -1 not */
};

int	hl_memo_init(struct hl_memo *m);
void	hl_memo_free(struct hl_memo *m);

/*
 * The mount point of the filesystem holding the absolute physical path,
 * as hl_mount_point() finds it, from m's mount table (read on first
 * use) when m is not NULL.
 */
int	hl_memo_mount_point(struct hl_memo *m, const char *path, char *buf,
	    size_t size);

/* hl_unnamed_linkable(), asked once per run when m is not NULL. */
bool	hl_memo_unnamed_linkable(struct hl_memo *m);

#endif
