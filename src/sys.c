/*
 * sys.c: the calls that are Linux-only, each with a POSIX fallback.
 *
 * Everything else in hlink is POSIX.1-2008.  On Linux this file asks for
 * _GNU_SOURCE to get O_PATH, /proc/self/fd, /proc/self/mountinfo and
 * FS_IOC_GETFLAGS.  Building with -DHL_POSIX_ONLY takes the fallbacks on
 * Linux too, so that they are built and tested here.
 */
#if defined(__linux__) && !defined(HL_POSIX_ONLY)
#define HL_LINUX 1
#define _GNU_SOURCE
#else
#define _XOPEN_SOURCE 700	/* realpath() */
#endif

#include <sys/stat.h>
#ifdef HL_LINUX
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#endif

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#if defined(O_PATH)
#define DIR_OPEN_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)
#elif defined(O_SEARCH)
#define DIR_OPEN_FLAGS	(O_SEARCH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/*
 * O_PATH (or O_SEARCH) opens a directory that we may search but not read,
 * which is all linkat() needs of a directory fd.
 */
int
hl_open_dir(int dirfd, const char *path, bool follow)
{
	return openat(dirfd, path, DIR_OPEN_FLAGS | (follow ? 0 : O_NOFOLLOW));
}

bool
hl_mounts_has(const struct hl_mounts *m, const char *rel)
{
	const char	*name = m->names;
	size_t		 i;

	for (i = 0; i < m->count; i++, name += strlen(name) + 1)
		if (strcmp(name, rel) == 0)
			return true;
	return false;
}

void
hl_mounts_free(struct hl_mounts *m)
{
	free(m->names);
	memset(m, 0, sizeof(*m));
}

/*
 * Walks up from path until the device changes.  A bind mount of a
 * directory of the same filesystem is not seen this way; mountinfo sees it.
 */
static int
mount_point_by_device(const char *path, char *buf, size_t size)
{
	char		cur[PATH_MAX], parent[PATH_MAX];
	struct stat	st;
	dev_t		dev;
	size_t		len;

	if (stat(path, &st) < 0 ||
	    snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return -1;
	dev = st.st_dev;
	while (strcmp(cur, "/") != 0) {
		len = (size_t)(strrchr(cur, '/') - cur);
		snprintf(parent, sizeof(parent), "%.*s", (int)(len ? len : 1),
		    cur);
		if (stat(parent, &st) < 0 || st.st_dev != dev)
			break;
		memcpy(cur, parent, sizeof(cur));
	}
	return snprintf(buf, size, "%s", cur) < (int)size ? 0 : -1;
}

static bool
is_under(const char *path, const char *dir)
{
	size_t	len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, len) == 0 &&
	    (path[len] == '/' || path[len] == '\0');
}

/* The longest, and of equal ones the latest, mount point above path. */
int
hl_mount_point_in(const struct hl_mounts *m, const char *path, char *buf,
    size_t size)
{
	const char	*point = m->names, *best = NULL;
	size_t		 i, len, bestlen = 0;

	for (i = 0; i < m->count; i++, point += len + 1) {
		len = strlen(point);
		if (len >= bestlen && len < size && is_under(path, point)) {
			best = point;
			bestlen = len;
		}
	}
	if (best == NULL)
		return mount_point_by_device(path, buf, size);
	memcpy(buf, best, bestlen + 1);
	return 0;
}

static bool
is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

#ifdef HL_LINUX
/* The record getdents64(2) fills in, as the kernel lays it out. */
struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

/* DT_DIR and DT_UNKNOWN, as the kernel numbers them. */
#define KERNEL_DT_UNKNOWN	0
#define KERNEL_DT_DIR		4

/*
 * With dirs_last, each buffer is gone through twice: its other entries
 * first, then, if it had any, its subdirectories.  No memory but the
 * buffer, and no syscall more.
 */
struct hl_dir {
	int		fd;
	size_t		pos;
	size_t		len;
	bool		dirs_last;
	bool		dirs_pass;	/* the buffer's second pass */
	bool		has_dirs;	/* the first pass left some */
	uint64_t	buf[2048];	/* 16 KiB, aligned for the records */
};

struct hl_dir *
hl_dir_open(int fd)
{
	struct hl_dir	*d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->fd = fd;
	d->pos = d->len = 0;
	d->dirs_last = d->dirs_pass = d->has_dirs = false;
	return d;
}

void
hl_dir_dirs_last(struct hl_dir *d)
{
	d->dirs_last = true;
}

/* The next buffer's worth, or its second pass: > 0, or 0 at the end. */
static long
dir_fill(struct hl_dir *d)
{
	long	n;

	d->pos = 0;
	if (d->has_dirs && !d->dirs_pass) {
		d->dirs_pass = true;
		return 1;
	}
	d->dirs_pass = d->has_dirs = false;
	/* syscall(): musl and older glibc lack a wrapper. */
	n = syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
	d->len = n > 0 ? (size_t)n : 0;
	return n;
}

/* True when this pass skips de: dirs_last puts each in one of two. */
static bool
other_pass(struct hl_dir *d, const struct linux_dirent64 *de)
{
	bool	dir = de->d_type == KERNEL_DT_DIR;

	if (!d->dirs_last)
		return false;
	if (dir && !d->dirs_pass)
		d->has_dirs = true;
	return dir != d->dirs_pass;
}

int
hl_dir_next(struct hl_dir *d, struct hl_dirent *e)
{
	struct linux_dirent64	*de;
	long			 n;

	for (;;) {
		if (d->pos >= d->len && (n = dir_fill(d)) <= 0)
			return (int)n;
		de = (struct linux_dirent64 *)((char *)d->buf + d->pos);
		d->pos += de->d_reclen;
		if (is_dot_or_dotdot(de->d_name) || other_pass(d, de))
			continue;
		e->name = de->d_name;
		e->ino = (ino_t)de->d_ino;
		e->type = de->d_type == KERNEL_DT_DIR ? HL_TYPE_DIR :
		    de->d_type == KERNEL_DT_UNKNOWN ? HL_TYPE_UNKNOWN :
		    HL_TYPE_OTHER;
		return 1;
	}
}

void
hl_dir_close(struct hl_dir *d)
{
	close(d->fd);
	free(d);
}

/* The kernel keeps each fd's path up to date through renames. */
static int
fd_path(int fd, char *buf, size_t size)
{
	char	proc[64];
	ssize_t	n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, size - 1);
	if (n < 0 || buf[0] != '/')
		return -1;
	buf[n] = '\0';
	return 0;
}

int
hl_realpath_at(int dirfd, const char *path, bool follow, char *buf,
    size_t size)
{
	int	fd, rc;

	fd = openat(dirfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	rc = fd_path(fd, buf, size);
	close(fd);
	return rc;
}

/* The affinity mask, not the machine: taskset and cgroups narrow it. */
long
hl_cpu_count(void)
{
	cpu_set_t	set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

bool
hl_protected_hardlinks(void)
{
	char	c = '0';
	int	fd;

	fd = open("/proc/sys/fs/protected_hardlinks", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;	/* unknown: the default since Linux 3.6 */
	if (read(fd, &c, 1) != 1)
		c = '1';
	close(fd);
	return c != '0';
}

int
hl_attributes(int dirfd, const char *path, bool follow)
{
	/* A variable: musl's ioctl() takes an int request, glibc's a long. */
	unsigned long	request = FS_IOC_GETFLAGS;
	int		fd, attr = 0, bits = 0;

	/* O_NONBLOCK: a fifo must not block us; the ioctl wants a real fd. */
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
	    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return 0;
	if (ioctl(fd, request, &attr) == 0)
		bits = ((attr & FS_IMMUTABLE_FL) ? HL_ATTR_IMMUTABLE : 0) |
		    ((attr & FS_APPEND_FL) ? HL_ATTR_APPEND : 0);
	close(fd);
	return bits;
}

bool
hl_is_immutable(int dirfd, const char *path, bool follow)
{
	return hl_attributes(dirfd, path, follow) != 0;
}

/*
 * statfs(2) magic numbers, from linux/magic.h; listed here so that an
 * old header does not hide one.  A filesystem in neither list is unknown.
 */
int
hl_takes_hard_links(int dirfd)
{
	static const unsigned long	with_links[] = {
		0xef53,		/* ext2, ext3, ext4 */
		0x58465342,	/* XFS */
		0x9123683e,	/* Btrfs */
		0x01021994,	/* tmpfs */
		0xf2f52010,	/* F2FS */
		0xca451a4e,	/* bcachefs */
		0x2fc12fc1,	/* ZFS */
		0x52654973	/* ReiserFS */
	};
	static const unsigned long	without_links[] = {
		0x4d44,		/* FAT */
		0x2011bab0,	/* exFAT */
		0x19800202,	/* mqueue */
		0x9fa0,		/* proc */
		0x62656572	/* sysfs */
	};
	struct statfs	sf;
	unsigned long	type;
	size_t		i;

	if (fstatfs(dirfd, &sf) < 0)
		return -1;
	type = (unsigned long)sf.f_type & 0xffffffffUL;
	for (i = 0; i < sizeof(with_links) / sizeof(with_links[0]); i++)
		if (type == with_links[i])
			return 1;
	for (i = 0; i < sizeof(without_links) / sizeof(without_links[0]); i++)
		if (type == without_links[i])
			return 0;
	return -1;
}

/* Extents a FIEMAP call asks for at a time. */
#define FIEMAP_BATCH	32

/* What makes an extent's physical address mean nothing to compare. */
#define FIEMAP_VAGUE	(FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | \
			 FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL | \
			 FIEMAP_EXTENT_NOT_ALIGNED)

/* A fiemap and its extents, in one aligned buffer. */
union extents {
	struct fiemap	map;
	unsigned char	bytes[sizeof(struct fiemap) +
			    FIEMAP_BATCH * sizeof(struct fiemap_extent)];
};

static int
map_from(int fd, uint64_t start, union extents *e)
{
	unsigned long	request = FS_IOC_FIEMAP;	/* musl: an int */

	memset(e, 0, sizeof(*e));
	e->map.fm_start = start;
	e->map.fm_length = FIEMAP_MAX_OFFSET - start;
	e->map.fm_flags = FIEMAP_FLAG_SYNC;
	e->map.fm_extent_count = FIEMAP_BATCH;
	return ioctl(fd, request, &e->map);
}

/* One batch of each file: 1 the same, 0 not, 2 the same and more. */
static int
same_batch(const union extents *x, const union extents *y)
{
	const struct fiemap_extent	*a, *b;
	uint32_t			 i;

	if (x->map.fm_mapped_extents != y->map.fm_mapped_extents ||
	    x->map.fm_mapped_extents == 0)
		return 0;
	for (i = 0; i < x->map.fm_mapped_extents; i++) {
		a = &x->map.fm_extents[i];
		b = &y->map.fm_extents[i];
		if (a->fe_logical != b->fe_logical ||
		    a->fe_physical != b->fe_physical ||
		    a->fe_length != b->fe_length ||
		    ((a->fe_flags | b->fe_flags) & FIEMAP_VAGUE) != 0)
			return 0;
	}
	return (a->fe_flags & FIEMAP_EXTENT_LAST) ? 1 : 2;
}

int
hl_same_blocks(int a, int b)
{
	union extents			x, y;
	uint64_t			start = 0;
	const struct fiemap_extent	*last;
	int				r;

	for (;;) {
		if (map_from(a, start, &x) < 0 || map_from(b, start, &y) < 0)
			return -1;
		if ((r = same_batch(&x, &y)) != 2)
			return r;
		last = &x.map.fm_extents[x.map.fm_mapped_extents - 1];
		start = last->fe_logical + last->fe_length;
	}
}

/*
 * Btrfs keeps a small file's bytes inline, in its metadata: a dedupe of
 * them copies and shares nothing, though the kernel says it succeeded.
 */
int
hl_data_inline(int fd)
{
	union extents	x;
	uint32_t	i;

	if (map_from(fd, 0, &x) < 0)
		return -1;
	for (i = 0; i < x.map.fm_mapped_extents; i++)
		if (x.map.fm_extents[i].fe_flags & (FIEMAP_EXTENT_DATA_INLINE |
		    FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_NOT_ALIGNED))
			return 1;
	return 0;
}

/*
 * glibc answers LINUX_LINK_MAX, 127, for a filesystem it does not know:
 * tmpfs has no such limit, and Btrfs's is 65535.  musl answers
 * _POSIX_LINK_MAX, 8, for every filesystem: no limit is known there.
 */
long
hl_link_limit(int dirfd, const char *path, bool follow)
{
	struct statfs	sf;
	long		max;
	int		fd;

	fd = openat(dirfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	max = fpathconf(fd, _PC_LINK_MAX);
	if (max == 127 && fstatfs(fd, &sf) == 0)
		max = ((unsigned long)sf.f_type & 0xffffffffUL) ==
		    0x9123683eUL ? 65535 : -1;
	close(fd);
	return max > _POSIX_LINK_MAX ? max : -1;
}

/* The name of the filesystem fd is on, for a message; or NULL. */
const char *
hl_fs_name(int fd)
{
	static const struct {
		unsigned long	 magic;
		const char	*name;
	} names[] = {
		{ 0x01021994, "tmpfs" }, { 0xef53, "ext2/ext3/ext4" },
		{ 0x9123683e, "btrfs" }, { 0x58465342, "xfs" },
		{ 0x794c7630, "overlayfs" }, { 0x6969, "nfs" },
		{ 0x2fc12fc1, "zfs" }, { 0xf2f52010, "f2fs" },
	};
	struct statfs	sf;
	size_t		i;

	if (fstatfs(fd, &sf) < 0)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].magic == ((unsigned long)sf.f_type & 0xffffffffUL))
			return names[i].name;
	return NULL;
}

long
hl_link_max(int dirfd, const char *path, bool follow)
{
	long	max;
	int	fd;

	fd = openat(dirfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	max = fpathconf(fd, _PC_LINK_MAX);
	close(fd);
	return max;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape_octal(char *s)
{
	char	*out = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 3;
		} else
			*out++ = *s;
	}
	*out = '\0';
}

/* The mount point field (the fifth) of a mountinfo line, unescaped. */
static char *
mountinfo_point(char *line)
{
	char	*field = line, *end;
	int	 i;

	for (i = 0; i < 4 && field != NULL; i++) {
		field = strchr(field, ' ');
		if (field != NULL)
			field++;
	}
	if (field == NULL || (end = strchr(field, ' ')) == NULL)
		return NULL;
	*end = '\0';
	unescape_octal(field);
	return field;
}

int
hl_mount_point(const char *path, char *buf, size_t size)
{
	struct hl_mounts	m;
	int			rc;

	if (hl_mounts_all(&m) < 0)
		return mount_point_by_device(path, buf, size);
	rc = hl_mount_point_in(&m, path, buf, size);
	hl_mounts_free(&m);
	return rc;
}

static int
add_mount(struct hl_mounts *m, const char *rel)
{
	size_t	 n = strlen(rel) + 1;
	char	*p = realloc(m->names, m->len + n);

	if (p == NULL)
		return -1;
	memcpy(p + m->len, rel, n);
	m->names = p;
	m->len += n;
	m->count++;
	return 0;
}

int
hl_mounts_below(int dirfd, const char *dir, struct hl_mounts *m)
{
	FILE	*f;
	char	 real[PATH_MAX], *line = NULL, *point;
	size_t	 cap = 0, len;
	int	 rc = 0;

	memset(m, 0, sizeof(*m));
	if (hl_realpath_at(dirfd, dir, true, real, sizeof(real)) < 0 ||
	    (f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	len = strcmp(real, "/") == 0 ? 0 : strlen(real);
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		point = mountinfo_point(line);
		if (point != NULL && strcmp(point, real) != 0 &&
		    is_under(point, real))
			rc = add_mount(m, point + len + 1);
	}
	free(line);
	fclose(f);
	return rc;
}

int
hl_mounts_all(struct hl_mounts *m)
{
	FILE	*f;
	char	*line = NULL, *point;
	size_t	 cap = 0;
	int	 rc = 0;

	memset(m, 0, sizeof(*m));
	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (rc == 0 && getline(&line, &cap, f) > 0)
		if ((point = mountinfo_point(line)) != NULL)
			rc = add_mount(m, point);
	free(line);
	fclose(f);
	if (rc < 0)
		hl_mounts_free(m);
	return rc;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends name, a NUL, the value's length and the value to the blob. */
static int
append_xattr(int fd, const char *name, char **blob, size_t *len)
{
	size_t	 nlen = strlen(name) + 1;
	ssize_t	 vlen = fgetxattr(fd, name, NULL, 0);
	char	*p;
	uint64_t v;

	if (vlen < 0)
		return errno == ENODATA ? 0 : -1;	/* removed meanwhile */
	if ((p = realloc(*blob, *len + nlen + 8 + (size_t)vlen)) == NULL)
		return -1;
	*blob = p;
	memcpy(p + *len, name, nlen);
	v = (uint64_t)vlen;
	memcpy(p + *len + nlen, &v, 8);
	vlen = fgetxattr(fd, name, p + *len + nlen + 8, (size_t)vlen);
	if (vlen < 0)
		return -1;	/* ERANGE: it grew meanwhile; the caller skips */
	v = (uint64_t)vlen;
	memcpy(p + *len + nlen, &v, 8);
	*len += nlen + 8 + (size_t)vlen;
	return 0;
}

/*
 * flistxattr() gives the names in no promised order: they are sorted so
 * that two files with the same attributes give the same bytes.
 */
static ssize_t
xattr_blob(int fd, char *list, size_t size, char **blob)
{
	char	**names, *p;
	size_t	  n = 0, i, len = 0;

	for (p = list; p < list + size; p += strlen(p) + 1)
		n++;
	if ((names = malloc((n + 1) * sizeof(*names))) == NULL)
		return -1;
	for (i = 0, p = list; p < list + size; p += strlen(p) + 1)
		names[i++] = p;
	qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++)
		if (append_xattr(fd, names[i], blob, &len) < 0) {
			free(names);
			free(*blob);
			*blob = NULL;
			return -1;
		}
	free(names);
	return (ssize_t)len;
}

ssize_t
hl_xattrs(int fd, char **blob)
{
	char	*list;
	ssize_t	 size, len;

	*blob = NULL;
	size = flistxattr(fd, NULL, 0);
	if (size <= 0)
		return size == 0 || errno == ENOTSUP ? 0 : -1;
	if ((list = malloc((size_t)size)) == NULL)
		return -1;
	size = flistxattr(fd, list, (size_t)size);
	len = size < 0 ? -1 : xattr_blob(fd, list, (size_t)size, blob);
	free(list);
	return len;
}

ssize_t
hl_xattr_names(int fd, char **list)
{
	ssize_t	size;

	*list = NULL;
	for (;;) {
		size = flistxattr(fd, NULL, 0);
		if (size <= 0)
			return size == 0 || hl_not_supported(errno) ? 0 : -1;
		if ((*list = malloc((size_t)size)) == NULL)
			return -1;
		if ((size = flistxattr(fd, *list, (size_t)size)) >= 0)
			return size;
		free(*list);
		*list = NULL;
		if (errno != ERANGE)	/* else one was added meanwhile */
			return -1;
	}
}

/* fgetxattr() into *buf (stack first, then the heap), as large as needed. */
static ssize_t
get_value(int fd, const char *name, char **buf, size_t size)
{
	ssize_t	n = fgetxattr(fd, name, *buf, size);

	while (n < 0 && errno == ERANGE) {
		if ((n = fgetxattr(fd, name, NULL, 0)) < 0)
			return -1;
		if ((*buf = malloc((size_t)n + 1)) == NULL)
			return -1;
		if ((n = fgetxattr(fd, name, *buf, (size_t)n + 1)) < 0 &&
		    errno == ERANGE) {
			free(*buf);
			*buf = NULL;
			errno = ERANGE;
		}
	}
	return n;
}

int
hl_xattr_copy(int srcfd, int dstfd, const char *name)
{
	char	 stack[1024], *buf = stack;
	ssize_t	 n;
	int	 rc, err;

	n = get_value(srcfd, name, &buf, sizeof(stack));
	if (n < 0) {
		err = errno;
		if (buf != stack)
			free(buf);
		errno = err;
		return errno == ENODATA || hl_not_supported(errno) ? 1 : -1;
	}
	rc = fsetxattr(dstfd, name, buf, (size_t)n, 0);
	err = errno;
	if (buf != stack)
		free(buf);
	errno = err;
	return rc;
}

#else	/* POSIX fallbacks */

/* No d_type in POSIX: every entry's type is found by fstatat(). */
struct hl_dir {
	DIR	*dir;
};

struct hl_dir *
hl_dir_open(int fd)
{
	struct hl_dir	*d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	if ((d->dir = fdopendir(fd)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

/* readdir() says no type: nothing to put last. */
void
hl_dir_dirs_last(struct hl_dir *d)
{
	(void)d;
}

int
hl_dir_next(struct hl_dir *d, struct hl_dirent *e)
{
	struct dirent	*de;

	do {
		errno = 0;
		if ((de = readdir(d->dir)) == NULL)
			return errno == 0 ? 0 : -1;
	} while (is_dot_or_dotdot(de->d_name));
	e->name = de->d_name;
	e->ino = de->d_ino;
	e->type = HL_TYPE_UNKNOWN;
	return 1;
}

void
hl_dir_close(struct hl_dir *d)
{
	closedir(d->dir);
	free(d);
}

/* Runs realpath() from dirfd by changing directory there and back. */
static int
realpath_from(int dirfd, const char *path, char *buf, size_t size)
{
	char	*resolved;
	int	 here = -1, rc = -1;

	if (path[0] != '/' && dirfd != AT_FDCWD) {
		here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (here < 0 || fchdir(dirfd) < 0)
			goto out;
	}
	resolved = realpath(path, NULL);
	if (resolved != NULL && strlen(resolved) < size) {
		strcpy(buf, resolved);
		rc = 0;
	}
	free(resolved);
out:
	if (here >= 0) {
		if (fchdir(here) < 0)
			rc = -1;
		close(here);
	}
	return rc;
}

int
hl_realpath_at(int dirfd, const char *path, bool follow, char *buf,
    size_t size)
{
	const char	*slash, *name = path;
	char		 parent[PATH_MAX] = ".";
	size_t		 len;

	if (follow)
		return realpath_from(dirfd, path, buf, size);
	/* Resolve the directory and keep the last name as it is. */
	slash = strrchr(path, '/');
	if (slash != NULL) {
		len = slash == path ? 1 : (size_t)(slash - path);
		if (len >= sizeof(parent))
			return -1;
		memcpy(parent, path, len);
		parent[len] = '\0';
		name = slash + 1;
	}
	if (realpath_from(dirfd, parent, buf, size) < 0)
		return -1;
	len = strlen(buf);
	if (snprintf(buf + len, size - len, "%s%s",
	    strcmp(buf, "/") == 0 ? "" : "/", name) >= (int)(size - len))
		return -1;
	return 0;
}

long
hl_cpu_count(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	return sysconf(_SC_NPROCESSORS_ONLN);
#else
	return 1;
#endif
}

bool
hl_protected_hardlinks(void)
{
	return false;
}

/* The BSDs and macOS keep the flags in st_flags, where they show them. */
int
hl_attributes(int dirfd, const char *path, bool follow)
{
#ifdef UF_IMMUTABLE
	struct stat	st;

	if (fstatat(dirfd, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return ((st.st_flags & (UF_IMMUTABLE | SF_IMMUTABLE)) ?
	    HL_ATTR_IMMUTABLE : 0) |
	    ((st.st_flags & (UF_APPEND | SF_APPEND)) ? HL_ATTR_APPEND : 0);
#else
	(void)dirfd;
	(void)path;
	(void)follow;
	return 0;
#endif
}

bool
hl_is_immutable(int dirfd, const char *path, bool follow)
{
	return hl_attributes(dirfd, path, follow) != 0;
}

/* POSIX has no way to name a filesystem's type. */
int
hl_same_blocks(int a, int b)
{
	(void)a;
	(void)b;
	errno = ENOTSUP;
	return -1;
}

const char *
hl_fs_name(int fd)
{
	(void)fd;
	return NULL;
}

int
hl_data_inline(int fd)
{
	(void)fd;
	return 0;
}

long
hl_link_limit(int dirfd, const char *path, bool follow)
{
	long	max = hl_link_max(dirfd, path, follow);

	/* _POSIX_LINK_MAX is the least a system may say, not a limit seen. */
	return max > _POSIX_LINK_MAX ? max : -1;
}

int
hl_takes_hard_links(int dirfd)
{
	(void)dirfd;
	return -1;
}

long
hl_link_max(int dirfd, const char *path, bool follow)
{
	char	real[PATH_MAX];

	if (hl_realpath_at(dirfd, path, follow, real, sizeof(real)) < 0)
		return -1;
	return pathconf(real, _PC_LINK_MAX);
}

int
hl_mount_point(const char *path, char *buf, size_t size)
{
	return mount_point_by_device(path, buf, size);
}

int
hl_mounts_all(struct hl_mounts *m)
{
	memset(m, 0, sizeof(*m));
	return -1;
}

int
hl_mounts_below(int dirfd, const char *dir, struct hl_mounts *m)
{
	(void)dirfd;
	(void)dir;
	memset(m, 0, sizeof(*m));
	return -1;
}

/* POSIX has no extended attributes: every file has none. */
ssize_t
hl_xattr_names(int fd, char **list)
{
	(void)fd;
	*list = NULL;
	return 0;
}

int
hl_xattr_copy(int srcfd, int dstfd, const char *name)
{
	(void)srcfd;
	(void)dstfd;
	(void)name;
	return 1;
}

ssize_t
hl_xattrs(int fd, char **blob)
{
	(void)fd;
	*blob = NULL;
	return 0;
}

#endif

/*
 * link() refuses an existing name atomically; the temporary is then
 * removed.  The rename without RENAME_NOREPLACE; a filesystem without
 * hard links cannot take a copy this way.
 */
static int
rename_by_link(int dirfd, const char *old, const char *new)
{
	if (linkat(dirfd, old, dirfd, new, 0) < 0)
		return -1;
	unlinkat(dirfd, old, 0);
	return 0;
}

/* The clone and copy calls of copy.c. */
#ifdef HL_LINUX

bool
hl_can_clone(void)
{
	return true;
}

int
hl_fs_can_clone(int dirfd)
{
	struct statfs	sf;
	unsigned long	type;

	if (fstatfs(dirfd, &sf) < 0)
		return -1;
	type = (unsigned long)sf.f_type & 0xffffffffUL;
	/* Btrfs, XFS (when made with reflink=1, the default), bcachefs. */
	return type == 0x9123683eUL || type == 0x58465342UL ||
	    type == 0xca451a4eUL ? 1 : 0;
}

/*
 * copy_file_range(2) clones where it can, as FICLONE does: within one
 * Btrfs, XFS, bcachefs, OCFS2 or ZFS, and NFS, SMB and Ceph ask their
 * server, which may clone; overlayfs and FUSE pass it on.  So only the
 * types known to have no such path are trusted with it.
 */
bool
hl_range_copies(int fd)
{
	struct statfs	sf;
	unsigned long	type;

	if (fstatfs(fd, &sf) < 0)
		return false;
	type = (unsigned long)sf.f_type & 0xffffffffUL;
	/* ext2/3/4, tmpfs, ramfs, f2fs, FAT, exFAT. */
	return type == 0xef53UL || type == 0x01021994UL ||
	    type == 0x858458f6UL || type == 0xf2f52010UL || type == 0x4d44UL ||
	    type == 0x2011bab0UL;
}

int
hl_clone_fd(int srcfd, int dstfd)
{
	unsigned long	request = FICLONE;	/* musl: an int */

	return ioctl(dstfd, request, srcfd);
}

ssize_t
hl_copy_range(int srcfd, off_t *srcoff, int dstfd, off_t *dstoff,
    size_t len)
{
	return copy_file_range(srcfd, srcoff, dstfd, dstoff, len, 0);
}

int
hl_next_data(int fd, off_t off, off_t size, off_t *data, off_t *hole)
{
	if (off >= size)
		return 1;
	*data = lseek(fd, off, SEEK_DATA);
	if (*data < 0) {
		/* ENXIO: only a hole is left.  Else no SEEK_DATA here. */
		if (errno == ENXIO)
			return 1;
		*data = off;
		*hole = size;
		return 0;
	}
	if (*data >= size)
		return 1;
	*hole = lseek(fd, *data, SEEK_HOLE);
	if (*hole < 0 || *hole > size)
		*hole = size;
	return 0;
}

int
hl_open_unnamed(int dirfd)
{
#ifdef O_TMPFILE
	return openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#else
	(void)dirfd;
	errno = ENOTSUP;
	return -1;
#endif
}

int
hl_link_unnamed(int fd, int dirfd, const char *name)
{
	char	proc[64];

	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	/* AT_EMPTY_PATH is for CAP_DAC_READ_SEARCH; /proc is for all. */
	if (errno != ENOENT && errno != EPERM)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
}

bool
hl_unnamed_linkable(void)
{
	return access("/proc/self/fd", X_OK) == 0;
}

int
hl_rename_noreplace(int dirfd, const char *old, const char *new)
{
	/* syscall(): musl 1.2.3 and glibc before 2.28 have no renameat2(). */
	if (syscall(SYS_renameat2, dirfd, old, dirfd, new,
	    (unsigned int)RENAME_NOREPLACE) == 0)
		return 0;
	/* Some filesystems (and old kernels) have no RENAME_NOREPLACE. */
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	return rename_by_link(dirfd, old, new);
}

int
hl_dedupe_call(int srcfd, int dstfd, off_t off, uint64_t len,
    uint64_t *done)
{
	/* The range and its one destination, in one aligned buffer. */
	union {
		struct file_dedupe_range	range;
		unsigned char	bytes[sizeof(struct file_dedupe_range) +
				    sizeof(struct file_dedupe_range_info)];
	} arg;
	struct file_dedupe_range_info	*info = &arg.range.info[0];
	unsigned long			 request = FIDEDUPERANGE; /* musl: int */

	memset(&arg, 0, sizeof(arg));
	arg.range.src_offset = (uint64_t)off;
	arg.range.src_length = len;
	arg.range.dest_count = 1;
	info->dest_fd = dstfd;
	info->dest_offset = (uint64_t)off;
	if (ioctl(srcfd, request, &arg.range) < 0)
		return -1;
	if (info->status == FILE_DEDUPE_RANGE_DIFFERS)
		return 1;
	if (info->status < 0) {
		errno = -info->status;
		return -1;
	}
	*done = info->bytes_deduped;
	return 0;
}

#else	/* POSIX fallbacks */

bool
hl_can_clone(void)
{
	return false;
}

int
hl_fs_can_clone(int dirfd)
{
	(void)dirfd;
	return 0;
}

int
hl_clone_fd(int srcfd, int dstfd)
{
	(void)srcfd;
	(void)dstfd;
	errno = ENOTSUP;
	return -1;
}

bool
hl_range_copies(int fd)
{
	(void)fd;
	return false;
}

ssize_t
hl_copy_range(int srcfd, off_t *srcoff, int dstfd, off_t *dstoff,
    size_t len)
{
	(void)srcfd;
	(void)srcoff;
	(void)dstfd;
	(void)dstoff;
	(void)len;
	errno = ENOSYS;
	return -1;
}

int
hl_next_data(int fd, off_t off, off_t size, off_t *data, off_t *hole)
{
	(void)fd;
	if (off >= size)
		return 1;
	*data = off;
	*hole = size;
	return 0;
}

int
hl_open_unnamed(int dirfd)
{
	(void)dirfd;
	errno = ENOTSUP;
	return -1;
}

int
hl_link_unnamed(int fd, int dirfd, const char *name)
{
	(void)fd;
	(void)dirfd;
	(void)name;
	errno = ENOTSUP;
	return -1;
}

bool
hl_unnamed_linkable(void)
{
	return false;
}

int
hl_rename_noreplace(int dirfd, const char *old, const char *new)
{
	return rename_by_link(dirfd, old, new);
}

int
hl_dedupe_call(int srcfd, int dstfd, off_t off, uint64_t len,
    uint64_t *done)
{
	(void)srcfd;
	(void)dstfd;
	(void)off;
	(void)len;
	(void)done;
	errno = ENOTSUP;
	return -1;
}

#endif

/* XSI's mknodat(), for -r's replica of fifos, sockets and devices. */
int
hl_mknod(int dirfd, const char *name, mode_t mode, dev_t dev)
{
	return mknodat(dirfd, name, mode, dev);
}

bool
hl_not_supported(int err)
{
#if EOPNOTSUPP != ENOTSUP
	if (err == EOPNOTSUPP)
		return true;
#endif
	return err == ENOTSUP;
}

int
hl_term_columns(int fd)
{
#ifdef HL_LINUX
	/* A variable: musl's ioctl() takes an int request, glibc's a long. */
	unsigned long	request = TIOCGWINSZ;
	struct winsize	ws;

	if (ioctl(fd, request, &ws) == 0)
		return ws.ws_col;
#else
	(void)fd;
#endif
	return 0;
}

#ifdef HL_LINUX
/* The handle with its generation number, where the filesystem has one. */
static void
file_handle_of(int fd, struct hl_file_id *id)
{
	union {
		struct file_handle	fh;
		unsigned char		room[sizeof(struct file_handle) +
					    HL_HANDLE_MAX];
	} h;
	int	mnt;

	h.fh.handle_bytes = HL_HANDLE_MAX;
	if (name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0)
		return;	/* EOPNOTSUPP, EOVERFLOW: dev and inode alone */
	id->mnt = mnt;
	id->htype = h.fh.handle_type;
	id->hlen = h.fh.handle_bytes;
	memcpy(id->handle, h.fh.f_handle, id->hlen);
}
#else
static void
file_handle_of(int fd, struct hl_file_id *id)
{
	(void)fd;
	(void)id;
}
#endif

int
hl_file_id(int fd, struct hl_file_id *id)
{
	struct stat	st;

	if (fstat(fd, &st) < 0)
		return -1;
	memset(id, 0, sizeof(*id));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->mnt = -1;
	file_handle_of(fd, id);
	return 0;
}

bool
hl_file_id_same(const struct hl_file_id *a, const struct hl_file_id *b)
{
	/* A handle on one side only: not proven, so not the same. */
	return a->dev == b->dev && a->ino == b->ino && a->mnt == b->mnt &&
	    a->htype == b->htype && a->hlen == b->hlen &&
	    memcmp(a->handle, b->handle, a->hlen) == 0;
}
