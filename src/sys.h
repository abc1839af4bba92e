/*
 * sys.h: calls that differ between Linux and other POSIX systems.
 */
#ifndef HLINK_SYS_H
#define HLINK_SYS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a directory entry says of its type, where it says anything. */
enum hl_type {
	HL_TYPE_UNKNOWN,
	HL_TYPE_DIR,
	HL_TYPE_OTHER
};

struct hl_dirent {
	const char	*name;
	ino_t		 ino;	/* a mount point's is the inode it covers */
	enum hl_type	 type;
};

/*
 * Reads a directory from an fd it then owns: getdents64() into a buffer
 * of its own on Linux (no fstat, fcntl or lock per directory, as
 * fdopendir() and readdir() cost), readdir() elsewhere.
 */
struct hl_dir;

struct hl_dir	*hl_dir_open(int fd);
/*
 * From now on, the entries of each buffer's worth that the filesystem
 * says are directories come after the others: a walk looks at the names
 * it has read already before it descends.  Where types are unknown
 * (readdir() in POSIX), the order is the filesystem's.
 */
void		 hl_dir_dirs_last(struct hl_dir *d);
/* 1 with *e set (never "." or ".."), 0 at the end, -1 with errno set. */
int		 hl_dir_next(struct hl_dir *d, struct hl_dirent *e);
/* Closes the directory and its fd. */
void		 hl_dir_close(struct hl_dir *d);

/* Opens a directory for use as an *at() dirfd; it need not be readable. */
int	hl_open_dir(int dirfd, const char *path, bool follow);

/*
 * Writes the absolute physical path of path (relative to dirfd) to buf.
 * With follow false a final symlink is kept, not resolved.
 */
int	hl_realpath_at(int dirfd, const char *path, bool follow, char *buf,
	    size_t size);

/*
 * True for ENOTSUP and EOPNOTSUPP, which are one value on Linux and two
 * on some other systems.
 */
bool	hl_not_supported(int err);

/* The number of CPUs this process may run on, or -1. */
long	hl_cpu_count(void);

/* True when the kernel refuses hard links to other users' files. */
bool	hl_protected_hardlinks(void);

/* True when path is a file marked immutable or append-only. */
bool	hl_is_immutable(int dirfd, const char *path, bool follow);

/*
 * path's immutable and append-only attributes (a directory's too), as
 * HL_ATTR_ bits: 0 when it has neither or they cannot be read.
 */
#define HL_ATTR_IMMUTABLE	0x1
#define HL_ATTR_APPEND		0x2
int	hl_attributes(int dirfd, const char *path, bool follow);

/*
 * Whether the filesystem holding dirfd takes hard links, from its type:
 * 1 yes, 0 no, -1 when the type is not one this knows.
 */
int	hl_takes_hard_links(int dirfd);

/*
 * 1 when files a and b are mapped to the very same blocks (FIEMAP),
 * shared already; 0 when not or not surely; -1 when it cannot tell.
 */
int	hl_same_blocks(int a, int b);

/* 1 when fd's bytes are kept inline (FIEMAP), 0 not, -1 unknown. */
int	hl_data_inline(int fd);

/*
 * The most links path's file may have, or -1 when not known (unlike
 * hl_link_max(), never glibc's guess for a filesystem it does not know).
 */
long	hl_link_limit(int dirfd, const char *path, bool follow);

/* The name of the filesystem fd is on ("tmpfs"), or NULL: unknown. */
const char	*hl_fs_name(int fd);

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
/*
 * Fills m with every mount point, absolute, in mountinfo's order, for
 * hl_mount_point_in().  Returns -1 where there is no mountinfo.
 */
int	hl_mounts_all(struct hl_mounts *m);
/* hl_mount_point() with the mount points of hl_mounts_all(). */
int	hl_mount_point_in(const struct hl_mounts *m, const char *path,
	    char *buf, size_t size);
void	hl_mounts_free(struct hl_mounts *m);

/*
 * The clone and copy calls of copy.c.  Each fails with ENOTSUP (or does
 * the portable thing) in a POSIX-only build.
 */

/* False in a build that has no FICLONE: the clone KIND is refused. */
bool	hl_can_clone(void);
/* mknodat(2): a fifo, socket or device node named name in dirfd. */
int	hl_mknod(int dirfd, const char *name, mode_t mode, dev_t dev);
/* Whether dirfd's filesystem shares blocks, by its type (--dry-run). */
int	hl_fs_can_clone(int dirfd);

/* Makes dstfd share all of srcfd's blocks (FICLONE). */
int	hl_clone_fd(int srcfd, int dstfd);

/*
 * True when copy_file_range(2) into fd's filesystem surely copies, never
 * sharing blocks as a clone does (what cp --reflink=never asks for):
 * false for a filesystem of a type not known to be such.
 */
bool	hl_range_copies(int fd);

/*
 * copy_file_range(2) of len bytes at *srcoff to *dstoff, advancing both.
 * ENOSYS where there is none.
 */
ssize_t	hl_copy_range(int srcfd, off_t *srcoff, int dstfd, off_t *dstoff,
	    size_t len);

/*
 * The first data extent of fd at or after off, [*data, *hole), below
 * size.  Returns 0, or 1 when there is no more data.  Where holes cannot
 * be seen, all of [off, size) is data.
 */
int	hl_next_data(int fd, off_t off, off_t size, off_t *data, off_t *hole);

/*
 * An unnamed regular file in dirfd's filesystem (O_TMPFILE), open for
 * writing, mode 0600: it vanishes with its last fd unless linked.  -1
 * where the filesystem or the build has none (ENOTSUP, EISDIR...).
 */
int	hl_open_unnamed(int dirfd);
/* Gives fd's unnamed file the name name in dirfd; EEXIST if taken. */
int	hl_link_unnamed(int fd, int dirfd, const char *name);
/*
 * Whether hl_link_unnamed() can be counted on.  Before Linux 6.10 only
 * CAP_DAC_READ_SEARCH links an unnamed file by its fd; everyone else
 * goes through /proc/self/fd, which a chroot or a container may lack.
 * Without it a copy takes a named temporary, which always works.
 */
bool	hl_unnamed_linkable(void);

/*
 * Renames old to new in dirfd, failing with EEXIST when new exists,
 * atomically: renameat2(RENAME_NOREPLACE), else linkat() and unlinkat().
 */
int	hl_rename_noreplace(int dirfd, const char *old, const char *new);

/*
 * One FIDEDUPERANGE call: len bytes at off in srcfd and dstfd.  Returns
 * 0 with *done the bytes now shared, 1 when the contents differ, -1 with
 * errno set.
 */
int	hl_dedupe_call(int srcfd, int dstfd, off_t off, uint64_t len,
	    uint64_t *done);

/*
 * The extended attributes of the file open as fd, names and values, in
 * a malloc'd blob that is the same bytes for the same attributes (*blob
 * NULL for none).  Returns the blob's length, or -1 with errno set.
 */
ssize_t	hl_xattrs(int fd, char **blob);

/*
 * The names of the extended attributes of the file open as fd, each
 * ending in a NUL, in a malloc'd *list (NULL for none).  Returns the
 * list's length, 0 where there are none or the filesystem has none (and
 * in a POSIX-only build), or -1 with errno set.
 */
ssize_t	hl_xattr_names(int fd, char **list);
/*
 * Gives dstfd srcfd's extended attribute name, value and all.  Returns
 * 0, 1 when srcfd has none of that name (always, in a POSIX-only build),
 * or -1 with errno set, from reading or from setting it.
 */
int	hl_xattr_copy(int srcfd, int dstfd, const char *name);

/*
 * The columns of the terminal on fd (TIOCGWINSZ), or 0 when fd is no
 * terminal or the width is unknown (the POSIX-only build).
 */
int	hl_term_columns(int fd);

/*
 * What proves that a file is the one seen before, for a directory whose
 * fd was closed and is reopened by name: device and inode are no proof,
 * for inode numbers are reused (ext4 and XFS reuse a freed one within a
 * few creations).  On Linux it adds the file handle of
 * name_to_handle_at(2), which holds the inode's generation number (the
 * number NFS relies on to tell a reused inode) and the mount id.  Where
 * the filesystem has no handles, and in a POSIX-only build, it is device
 * and inode alone: the residual risk the man page names.
 */
#define HL_HANDLE_MAX	64

struct hl_file_id {
	dev_t		dev;
	ino_t		ino;
	int		mnt;		/* the mount id; -1: unknown */
	int		htype;
	unsigned int	hlen;		/* 0: no handle */
	unsigned char	handle[HL_HANDLE_MAX];
};

/* Notes what the file open at fd is; -1 with errno set. */
int	hl_file_id(int fd, struct hl_file_id *id);
/* True when a and b are proven the same file. */
bool	hl_file_id_same(const struct hl_file_id *a, const struct hl_file_id *b);

#endif
