/*
 * list.h: --list, every name of a file's inode.
 */
#ifndef HLINK_LIST_H
#define HLINK_LIST_H

#include <limits.h>
#include <stdbool.h>

#include "hardlink.h"

struct hl_list_request {
	int		  dirfd;	/* FILE and the ROOTs are relative to it */
	const char	 *file;
	bool		  follow;	/* -L: list the names of what FILE resolves to */
	char *const	 *roots;	/* none: FILE's whole filesystem */
	int		  nroots;
	/* Called for each name found, and for each directory skipped. */
	void		(*found)(void *ctx, const char *path);
	void		(*skipped)(void *ctx, const char *path, int err);
	void		 *ctx;
};

enum hl_list_status {
	HL_LIST_DONE,		/* the search ran through, or found them all */
	HL_LIST_NO_FILE,	/* FILE could not be read: err */
	HL_LIST_NO_MOUNT,	/* FILE's mount point could not be found: err */
	HL_LIST_BAD_ROOT,	/* root could not be opened: err */
	HL_LIST_OTHER_FS	/* root is not on FILE's filesystem */
};

struct hl_list_result {
	enum hl_list_status	 status;
	int			 err;
	const char		*root;		/* the ROOT searched or at fault */
	unsigned long		 found;
	unsigned long		 nlink;		/* FILE's link count */
	unsigned long		 skipped;	/* directories not read */
	char			 mount[PATH_MAX];	/* the root with none given */
};

/*
 * Searches the ROOTs for names of FILE's device and inode, stopping once
 * it has found as many as FILE's link count.  Returns 0 when the search
 * ran and -1 when it could not start (see res->status).
 */
int	hl_list(const struct hl_list_request *req, struct hl_list_result *res);

#endif
