/*
 * The floor for "hlink --dedup ROOT...": the least work a correct tool
 * must do, and nothing it could skip.
 *
 *     minimal_dedup ROOT...
 *
 * 1. Walk each ROOT with nftw(FTW_PHYS | FTW_MOUNT) (glibc: readdir
 *    plus one lstat per entry, symlinks not followed, no other
 *    filesystem entered), keeping for every regular file of at least one
 *    byte its stat fields and its path.
 * 2. Sort by (dev, size, mode, uid, gid, ino): a class of candidates is a
 *    run of equal (dev, size, mode, uid, gid); a run of one inode (names
 *    of one inode only) is never read.  Mode and owner come with the stat
 *    for free; xattrs are not compared (hlink does, by default).
 * 3. Read a class's inodes side by side, block by block, each byte at
 *    most once: every block, the members of each subgroup still alive are
 *    compared with the first (all equal: go on) or else sorted by the
 *    block's bytes (memcmp) and split where they differ;
 *    a member alone in its subgroup is dropped and read no further.  The
 *    block is a share of an 8 MiB buffer (4 KiB to 256 KiB, so that a
 *    block step stays in the caches while it is compared); the files
 *    stay open across blocks while the class fits RLIMIT_NOFILE (raised
 *    to its hard limit), else each block reopens them.
 * 4. In each set of identical inodes keep the one with the most names
 *    outside the ROOTs (st_nlink minus the names walked), then the most
 *    links, then the first; every name of every other inode is checked
 *    (lstat: same inode, size and mtime as walked), linked to a
 *    temporary name beside it and renamed over it.  EMLINK makes the
 *    inode that could not be linked the kept one for the rest.
 *
 * No messages beyond a count on stdout ("relinked N, failed M").  Not
 * done: xattrs, overlapping ROOTs, signals (a temporary name can be left
 * by a kill), posix_fadvise.
 */
#define _GNU_SOURCE

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUDGET	(8u << 20)	/* bytes of block buffers per class */

struct ent {
	struct stat	 st;
	char		*path;
};

struct node {			/* one inode of a class */
	size_t	first, n;	/* its names: ents[first .. first + n) */
	int	fd;
	char	*buf;
};

static struct ent	*ents;
static size_t		 nents, cap;
static size_t		 relinked, failed, maxfd;
static unsigned long	 tmpno;

static int
visit(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)f;
	if (flag != FTW_F || !S_ISREG(st->st_mode) || st->st_size == 0)
		return 0;
	if (nents == cap) {
		cap = cap ? cap * 2 : 4096;
		if ((ents = realloc(ents, cap * sizeof(*ents))) == NULL)
			return -1;
	}
	ents[nents].st = *st;
	if ((ents[nents].path = strdup(path)) == NULL)
		return -1;
	nents++;
	return 0;
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct stat *x = &((const struct ent *)a)->st;
	const struct stat *y = &((const struct ent *)b)->st;

#define CMP(f)	if (x->f != y->f) return x->f < y->f ? -1 : 1
	CMP(st_dev); CMP(st_size); CMP(st_mode); CMP(st_uid); CMP(st_gid);
	CMP(st_ino);
#undef CMP
	return 0;
}

static int
same_class(const struct stat *x, const struct stat *y)
{
	return x->st_dev == y->st_dev && x->st_size == y->st_size &&
	    x->st_mode == y->st_mode && x->st_uid == y->st_uid &&
	    x->st_gid == y->st_gid;
}

static size_t	cmp_len;	/* the block length qsort compares */

static int
cmp_node(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a;
	const struct node *y = *(struct node *const *)b;

	return memcmp(x->buf, y->buf, cmp_len);
}

/* Reads len bytes at off of node m into its buffer; 0 on success. */
static int
read_block(struct node *m, off_t off, size_t len, int keep_open)
{
	size_t	done = 0;
	ssize_t	r;
	int	fd = m->fd;

	if (fd < 0 && (fd = open(ents[m->first].path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (done < len) {
		r = pread(fd, m->buf + done, len - done, off + (off_t)done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	if (keep_open)
		m->fd = fd;
	else
		close(fd);
	return done == len ? 0 : -1;
}

/*
 * Replaces every name of from by a link to kept's first name; on EMLINK
 * from keeps its names not yet replaced, and -1 says it is kept now.
 */
static int
relink(const struct node *kept, struct node *from)
{
	const char	*src = ents[kept->first].path;
	char		 tmp[4096];
	struct stat	 now;
	size_t		 i;
	int		 r;

	for (i = from->first; i < from->first + from->n; i++) {
		const struct ent *e = &ents[i];
		const char *slash = strrchr(e->path, '/');
		int dirlen = slash ? (int)(slash - e->path) + 1 : 0;

		if (lstat(e->path, &now) < 0 || now.st_ino != e->st.st_ino ||
		    now.st_size != e->st.st_size ||
		    now.st_mtim.tv_sec != e->st.st_mtim.tv_sec ||
		    now.st_mtim.tv_nsec != e->st.st_mtim.tv_nsec) {
			failed++;
			continue;
		}
		do {
			snprintf(tmp, sizeof(tmp), "%.*s.minimal_dedup.%d.%lu",
			    dirlen, e->path, (int)getpid(), tmpno++);
			r = link(src, tmp);
		} while (r < 0 && errno == EEXIST);
		if (r < 0) {
			failed++;
			if (errno != EMLINK)
				continue;
			/* the names left on from make it the kept inode */
			from->n -= i - from->first;
			from->first = i;
			return -1;
		}
		if (rename(tmp, e->path) < 0) {
			failed++;
			unlink(tmp);
		} else
			relinked++;
	}
	return 0;
}

/* Outside names, then links: 1 when a is the better inode to keep. */
static int
better(const struct node *a, const struct node *b)
{
	nlink_t	la = ents[a->first].st.st_nlink, lb = ents[b->first].st.st_nlink;
	nlink_t	oa = la - a->n, ob = lb - b->n;

	return oa != ob ? oa > ob : la > lb;
}

static void
link_set(struct node **set, size_t n)
{
	size_t	i, k = 0;

	for (i = 1; i < n; i++)
		if (better(set[i], set[k]))
			k = i;
	for (i = 0; i < n; i++)
		if (i != k && relink(set[k], set[i]) < 0)
			k = i;		/* EMLINK: this one is kept from now on */
}

/*
 * The members set[0 .. n) are equal up to off; reads on from there,
 * splitting the set where a block differs.
 */
static void
refine(struct node **set, size_t n, off_t off, off_t size, size_t bs,
    int keep_open)
{
	size_t	i, j, len;

	while (n >= 2 && off < size) {
		len = (size_t)(size - off) < bs ? (size_t)(size - off) : bs;
		for (i = j = 0; i < n; i++)
			if (read_block(set[i], off, len, keep_open) == 0)
				set[j++] = set[i];
			else
				failed++;
		n = j;
		off += (off_t)len;
		/* the usual case, all still equal: n - 1 compares, no sort */
		for (i = 1; i < n && memcmp(set[0]->buf, set[i]->buf, len) == 0; i++)
			;
		if (i == n)
			continue;
		cmp_len = len;
		qsort(set, n, sizeof(*set), cmp_node);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n &&
			    memcmp(set[i]->buf, set[j]->buf, len) == 0; j++)
				;
			if (j - i == n)
				break;		/* no split: go on in this loop */
			if (j - i >= 2)
				refine(set + i, j - i, off, size, bs, keep_open);
		}
		if (i < n)
			continue;
		return;
	}
	if (n >= 2)
		link_set(set, n);
}

static void
do_class(size_t a, size_t b)
{
	struct node	*nodes, **set;
	size_t		 i, n = 0, bs;
	char		*bufs;
	int		 keep_open;

	for (i = a; i < b; i++)
		if (i == a || ents[i].st.st_ino != ents[i - 1].st.st_ino)
			n++;
	if (n < 2)
		return;
	nodes = calloc(n, sizeof(*nodes));
	set = calloc(n, sizeof(*set));
	bs = BUDGET / n;
	bs = bs < 4096 ? 4096 : bs > (256u << 10) ? (256u << 10) : bs & ~4095ul;
	bufs = malloc(n * bs);
	if (nodes == NULL || set == NULL || bufs == NULL) {
		perror("minimal_dedup");
		exit(1);
	}
	for (i = a, n = 0; i < b; i++) {
		if (i == a || ents[i].st.st_ino != ents[i - 1].st.st_ino) {
			nodes[n].first = i;
			nodes[n].fd = -1;
			nodes[n].buf = bufs + n * bs;
			set[n] = &nodes[n];
			n++;
		}
		nodes[n - 1].n++;
	}
	keep_open = n + 16 < maxfd;
	refine(set, n, 0, ents[a].st.st_size, bs, keep_open);
	for (i = 0; i < n; i++)
		if (nodes[i].fd >= 0)
			close(nodes[i].fd);
	free(bufs);
	free(set);
	free(nodes);
}

int
main(int argc, char **argv)
{
	struct rlimit	rl;
	size_t		a, b;
	int		i;

	if (argc < 2) {
		fprintf(stderr, "usage: minimal_dedup ROOT...\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		maxfd = rl.rlim_cur;
	}
	for (i = 1; i < argc; i++)
		if (nftw(argv[i], visit, 32, FTW_PHYS | FTW_MOUNT) != 0) {
			fprintf(stderr, "minimal_dedup: cannot walk %s\n", argv[i]);
			failed++;
		}
	qsort(ents, nents, sizeof(*ents), cmp_ent);
	for (a = 0; a < nents; a = b) {
		for (b = a + 1; b < nents && same_class(&ents[a].st, &ents[b].st); b++)
			;
		do_class(a, b);
	}
	printf("relinked %zu, failed %zu\n", relinked, failed);
	return failed != 0;
}
