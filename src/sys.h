/*
 * sys.h: calls that differ between Linux and other POSIX systems.
 */
#ifndef HLINK_SYS_H
#define HLINK_SYS_H

#include <stdbool.h>
#include <stddef.h>

/* Opens a directory for use as an *at() dirfd; it need not be readable. */
int	hl_open_dir(int dirfd, const char *path, bool follow);

/*
 * Writes the absolute physical path of path (relative to dirfd) to buf.
 * With follow false a final symlink is kept, not resolved.
 */
int	hl_realpath_at(int dirfd, const char *path, bool follow, char *buf,
	    size_t size);

/* The number of CPUs this process may run on, or -1. */
long	hl_cpu_count(void);

/* True when the kernel refuses hard links to other users' files. */
bool	hl_protected_hardlinks(void);

/* True when path is a file marked immutable or append-only. */
bool	hl_is_immutable(int dirfd, const char *path, bool follow);

/* The link-count limit of path's filesystem, or -1 when unknown. */
long	hl_link_max(int dirfd, const char *path, bool follow);

/* Writes the mount point of the filesystem holding the absolute path. */
int	hl_mount_point(const char *path, char *buf, size_t size);

/*
 * The mount points strictly below a directory, as paths relative to it,
 * one after another with a NUL after each.
 */
struct hl_mounts {
	char	*names;
	size_t	 len;
	size_t	 count;
};

/*
 * Fills m with the mount points below dir.  Returns -1 when it cannot
 * tell (a system without /proc/self/mountinfo): assume there are some.
 */
int	hl_mounts_below(int dirfd, const char *dir, struct hl_mounts *m);
bool	hl_mounts_has(const struct hl_mounts *m, const char *rel);
void	hl_mounts_free(struct hl_mounts *m);

#endif
