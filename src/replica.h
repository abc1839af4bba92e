/*
 * replica.h: -r --fallback=clone/copy across filesystems.  A DSTDIR on
 * another filesystem than SRCDIR gets clones or copies of SRCDIR's files
 * instead of hard links; symlinks, fifos, sockets and (as root) devices
 * are made anew, and the hard links inside SRCDIR are kept as links
 * between the copies.  tree.c walks; this file makes each entry.
 */
#ifndef HLINK_REPLICA_H
#define HLINK_REPLICA_H

#include <sys/types.h>

#include <stdbool.h>

#include "hardlink.h"

struct hl_replica;

/*
 * What a replica's entries are made with.  lock and unlock guard the
 * map of the files with more than one link (a -j run's workers share
 * it); rootfd is the replica's top directory and rootlen the length of
 * its name as shown, which starts every DST shown below it.
 */
struct hl_replica_setup {
	int		 kinds;		/* HL_COPY_CLONE and/or HL_COPY_DATA */
	int		 rootfd;
	size_t		 rootlen;
	void		(*lock)(void *arg);
	void		(*unlock)(void *arg);
	void		*arg;
};

struct hl_replica *hl_replica_new(const struct hl_replica_setup *setup);
void	hl_replica_free(struct hl_replica *r);

/*
 * The KINDs a replica uses under flags' --fallback list, as its first
 * KIND decides: copy, copies only (HL_COPY_DATA); clone, clones, and
 * copies too where the list has copy later; 0 for symlink or no list.
 */
int	hl_replica_kinds(int flags);

/*
 * Makes req's DST (a name in req->dstdirfd) the replica of SRC: a clone
 * or copy, a link to the copy of another of its links already made, or
 * a new symlink or special file.  Fills out as hl_link() does (a copy is
 * HL_CLONED or HL_COPIED with no cause: the replica was announced
 * once); returns 0, or -1 for a failure.
 */
int	hl_replica_entry(struct hl_replica *r, const struct hl_request *req,
	    struct hl_outcome *out);

#endif
