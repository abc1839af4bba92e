/*
 * fileeq.c: a class of same-size files split into groups of identical
 * content, never by comparing its files pairwise.
 *
 * 1. The probe reads each file's first and last HL_FILEEQ_PROBE bytes
 *    (the whole file, in one read, when it is small), hashes them and
 *    sorts the class by (hash, probe bytes).  The probe bytes are kept
 *    and compared exactly: for a small file they are the whole content;
 *    for a large one (in a class of a few) its head and tail are proven
 *    equal here, and the side by side reading skips them.  The
 *    attributes are read then, only for the files whose probe has a
 *    twin (most have none), and split the runs further.
 * 2. Each run of equal probes is read side by side, a block of every
 *    file at a time; each round's blocks are bucketed by hash and each
 *    proven equal to its bucket's first by memcmp(), and the run splits
 *    wherever they differ.  Each byte is read once.
 * 3. A run wider than the descriptors it may hold is hashed whole, one
 *    file at a time, then compared side by side within each hash (see
 *    hash_whole()).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileeq.h"

/* Constants of type size_t: offsets and sizes are counted in it. */
#define BLOCK		((size_t)128 << 10)
#define SMALL		((size_t)2 * HL_FILEEQ_PROBE)
#define OFF_BLOCK	((off_t)BLOCK)
/* The probe bytes of a class of small files are kept up to this. */
#define KEEP_MAX	(64UL << 20)
/*
 * A large file's probe bytes (head and tail) are kept, so that the side
 * by side reading need not read them again, only up to this per class:
 * in a larger class most files are alone after the probe, and fresh
 * pages to keep them in cost more than reading again the few that have
 * a twin (on tmpfs, a class of 500 files of 64 KiB took 10% longer).
 */
#define KEEP_PROBES	(128UL << 10)
/* Files read side by side at most: each may need a block buffer. */
#define WIDTH_MAX	512
/*
 * Readahead advice pays for its two calls only on a file with blocks
 * enough for the doubled window to matter.
 */
#define ADVISE_MIN	((off_t)8 * OFF_BLOCK)
/*
 * Buckets in a round before its blocks are hashed.  Below, a block is
 * compared with each bucket's by memcmp() alone: buckets differ, so all
 * but the one that matches stop at their first differing byte, where a
 * hash would read every byte of every block.
 */
#define HASH_FROM	4

#define K1	0x9e3779b97f4a7c15ULL
#define K2	0xc2b2ae3d27d4eb4fULL
#define K3	0x165667b19e3779f9ULL

struct member {
	size_t		 i;
	uint64_t	 h;
	char		*attr;
	size_t		 attrlen;
	unsigned char	*bytes;		/* a small file's content, or NULL */
	size_t		 blen;
	int		 fd;
	size_t		 label;		/* its bucket in a round */
	size_t		 rep;		/* the result: see group in fileeq.h */
};

struct bucket {
	uint64_t	 h;
	bool		 hashed;	/* h is set */
	unsigned char	*buf;
};

/* A run of s->p waiting to be read on from off. */
struct span {
	size_t		 lo;
	size_t		 k;
	off_t		 off;
};

struct cmp {
	const struct hl_fileeq	 *c;
	struct member		 *m;
	struct member		**p;
	unsigned char		 *keep;		/* the probes' bytes */
	/*
	 * What the side by side reading covers: the whole file, or, when
	 * the probe bytes were kept and compared, all but the probe's.
	 */
	off_t			  start, end;
	size_t			  width;	/* files side by side */
	struct bucket		 *buckets;	/* width of them */
	struct hl_fileeq_bufs	 *b;		/* width + 1 blocks */
	struct hl_fileeq_bufs	  own;		/* b when c->bufs is NULL */
	struct span		 *spans;	/* width of them */
	/*
	 * The whole class fits the descriptors: a large file's probe keeps
	 * it open for the side by side reading, which opens it no more.
	 */
	bool			  hold;
	/* The attributes are read after the probe, from its descriptor. */
	bool			  late;
};

static uint64_t
rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static uint64_t
word(const unsigned char *p)
{
	uint64_t	w;

	memcpy(&w, p, 8);
	return w;
}

static uint64_t
lane(uint64_t a, uint64_t w)
{
	return rotl(a ^ (w * K2), 31) * K1;
}

static uint64_t
avalanche(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Four independent lanes, so that the multiplies overlap. */
uint64_t
hl_hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char	*b = p;
	uint64_t		 a = seed ^ K1, c = seed ^ K2, d = seed + K3;
	uint64_t		 e = ~seed, h, t = 0;
	size_t			 len = n;

	for (; n >= 32; b += 32, n -= 32) {
		a = lane(a, word(b));
		c = lane(c, word(b + 8));
		d = lane(d, word(b + 16));
		e = lane(e, word(b + 24));
	}
	h = rotl(a, 1) + rotl(c, 7) + rotl(d, 12) + rotl(e, 18) + len;
	for (; n >= 8; b += 8, n -= 8)
		h = lane(h, word(b));
	if (n > 0) {
		memcpy(&t, b, n);
		h = lane(h, t ^ ((uint64_t)n << 56));
	}
	return avalanche(h);
}

/* Reads n bytes at off; fewer only at the end of the file. */
static ssize_t
read_at(int fd, unsigned char *buf, size_t n, off_t off)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Reads exactly n bytes or says why not: a short file changed (err 0). */
static int
read_block(struct cmp *s, struct member *m, unsigned char *buf, size_t n,
    off_t off)
{
	ssize_t	r = read_at(m->fd, buf, n, off);

	if (r == (ssize_t)n) {
		if (s->c->read != NULL)
			s->c->read(s->c->ctx, n);
		return 0;
	}
	s->c->failed(s->c->ctx, m->i, r < 0 ? errno : 0);
	m->rep = HL_FILEEQ_NONE;
	return -1;
}

static void
drop(struct member *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/*
 * SEQUENTIAL doubles the readahead.  NOREUSE rather than DONTNEED: it
 * tells the kernel these pages will not be wanted again without evicting
 * what was cached before, so the user's own cached files stay cached
 * (DONTNEED would drop them too, the files the user had open included).
 */
static void
advise_whole(struct cmp *s, int fd)
{
	if (s->end - s->start < ADVISE_MIN)
		return;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_NOREUSE);
}

/* Its descriptor: the probe's, when it was kept, or a new one. */
static int
open_member(struct cmp *s, struct member *m)
{
	if (m->fd >= 0)
		return m->fd;
	m->fd = s->c->open(s->c->ctx, m->i);
	if (m->fd < 0)
		m->rep = HL_FILEEQ_NONE;
	return m->fd;
}

static int
read_probe(struct cmp *s, struct member *m, unsigned char *buf, size_t *len)
{
	size_t	size = (size_t)s->c->size;

	if (size <= SMALL) {
		*len = size;
		return read_block(s, m, buf, size, 0);
	}
	*len = SMALL;
	if (read_block(s, m, buf, HL_FILEEQ_PROBE, 0) < 0)
		return -1;
	return read_block(s, m, buf + HL_FILEEQ_PROBE, HL_FILEEQ_PROBE,
	    s->c->size - HL_FILEEQ_PROBE);
}

/* The file's attributes, or false when they cannot be read. */
static bool
read_attrs(struct cmp *s, struct member *m)
{
	const struct hl_fileeq	*c = s->c;
	ssize_t			 alen;

	if ((alen = c->attrs(c->ctx, m->i, m->fd, &m->attr)) < 0) {
		c->failed(c->ctx, m->i, errno);
		m->rep = HL_FILEEQ_NONE;
		return false;
	}
	m->attrlen = (size_t)alen;
	return true;
}

/* The probe's bytes compared exactly are the whole file. */
static bool
exact(const struct cmp *s, const struct member *m)
{
	return m->bytes != NULL && (size_t)s->c->size <= SMALL;
}

/*
 * Step 1 for one file: its probe's hash and bytes (and, unless they
 * come late, its attributes).  Its descriptor stays open while the
 * class fits the budget: for the attributes read late, for the side by
 * side reading.
 */
static void
probe(struct cmp *s, struct member *m, size_t k)
{
	unsigned char	 own[SMALL], *buf = own;
	size_t		 len = (size_t)s->c->size <= SMALL ?
			    (size_t)s->c->size : SMALL;

	if (s->keep != NULL)
		buf = s->keep + k * len;
	if (open_member(s, m) < 0)
		return;
	if ((s->late || s->c->attrs == NULL || read_attrs(s, m)) &&
	    read_probe(s, m, buf, &len) == 0) {
		m->h = hl_hash64(buf, len, 0);
		if (s->keep != NULL) {
			m->bytes = buf;
			m->blen = len;
		}
	}
	if (!s->hold || m->rep == HL_FILEEQ_NONE ||
	    (exact(s, m) && !s->late))
		drop(m);
}

static int
compare_key(const struct member *a, const struct member *b)
{
	int	r;

	if (a->attrlen != b->attrlen)
		return a->attrlen < b->attrlen ? -1 : 1;
	if (a->attrlen > 0 && (r = memcmp(a->attr, b->attr, a->attrlen)) != 0)
		return r;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	if (a->bytes != NULL && b->bytes != NULL)
		return memcmp(a->bytes, b->bytes, a->blen);
	return 0;
}

/* By key, then by index: every split keeps the lowest index first. */
static int
by_key(const void *x, const void *y)
{
	const struct member	*a = *(struct member *const *)x;
	const struct member	*b = *(struct member *const *)y;
	int			 r = compare_key(a, b);

	if (r != 0)
		return r;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
by_label(const void *x, const void *y)
{
	const struct member	*a = *(struct member *const *)x;
	const struct member	*b = *(struct member *const *)y;

	if (a->label != b->label)
		return a->label < b->label ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The k-th block buffer, allocated on first use and kept. */
static unsigned char *
buffer(struct cmp *s, size_t k)
{
	while (s->b->n <= k) {
		if ((s->b->bufs[s->b->n] = malloc(BLOCK)) == NULL)
			return NULL;
		s->b->n++;
	}
	return s->b->bufs[k];
}

/*
 * The bucket of a block just read into s->b->bufs[nb]: an existing one
 * whose block is byte for byte the same, or a new one that takes the
 * buffer.  Returns the bucket, or (size_t)-1 when memory ran out.
 */
static size_t
bucket_of(struct cmp *s, size_t *nb, size_t len)
{
	unsigned char	*buf = s->b->bufs[*nb];
	struct bucket	*k;
	uint64_t	 h = 0;
	size_t		 b;
	bool		 hashed = *nb >= HASH_FROM;

	if (hashed)
		h = hl_hash64(buf, len, 0);
	for (b = 0; b < *nb; b++) {
		k = &s->buckets[b];
		if (hashed && !k->hashed) {
			k->h = hl_hash64(k->buf, len, 0);
			k->hashed = true;
		}
		if ((!hashed || k->h == h) && memcmp(k->buf, buf, len) == 0)
			return b;
	}
	s->buckets[b].h = h;
	s->buckets[b].hashed = hashed;
	s->buckets[b].buf = buf;
	(*nb)++;
	if (buffer(s, *nb) == NULL)
		return (size_t)-1;
	return b;
}

/*
 * One round over one run: the block at off of each file, bucketed.
 * Members that failed get label (size_t)-1 and sort last.
 */
static int
split_round(struct cmp *s, struct member **run, size_t k, off_t off)
{
	size_t	j, nb = 0, len = (size_t)(s->end - off);

	if (len > BLOCK)
		len = BLOCK;
	if (buffer(s, 0) == NULL)
		return -1;
	for (j = 0; j < k; j++) {
		run[j]->label = (size_t)-1;
		if (read_block(s, run[j], s->b->bufs[nb], len, off) < 0) {
			drop(run[j]);
			continue;
		}
		run[j]->label = bucket_of(s, &nb, len);
		if (run[j]->label == (size_t)-1)
			return -1;
	}
	qsort(run, k, sizeof(struct member *), by_label);
	return 0;
}

/* A run proven identical: every member's rep is its first's index. */
static void
settle(struct member **run, size_t k)
{
	size_t	j;

	for (j = 0; j < k; j++) {
		run[j]->rep = k > 1 ? run[0]->i : run[j]->i;
		drop(run[j]);
	}
}

/*
 * Reads one run on from its offset while it does not split; settles it
 * when it is proven (sp->k 0 then) or leaves it split at sp->off, its
 * members sorted by label.
 */
static int
carry_on(struct cmp *s, struct member **run, struct span *sp)
{
	size_t	hi;

	for (;; sp->off += OFF_BLOCK) {
		if (sp->k < 2 || sp->off >= s->end) {
			settle(run, sp->k);
			sp->k = 0;
			return 0;
		}
		if (split_round(s, run, sp->k, sp->off) < 0)
			return -1;
		for (hi = 1; hi < sp->k && run[hi]->label == run[0]->label;
		    hi++)
			;
		if (run[0]->label == (size_t)-1) {
			sp->k = 0;
			return 0;
		}
		if (hi < sp->k && run[hi]->label != (size_t)-1)
			return 0;
		sp->k = hi;
	}
}

/*
 * Carries a run on from offset off, block by block, splitting it into
 * the runs of equal labels.  A run that does not split goes on in place;
 * the runs a split makes wait on s->spans, at most s->width of them, for
 * they are disjoint and none is empty.
 */
static int
side_by_side_from(struct cmp *s, struct member **run, size_t k, off_t off)
{
	struct span	*sp = s->spans;
	size_t		 top = 0, lo, hi;

	sp[top++] = (struct span){ 0, k, off };
	while (top > 0) {
		top--;
		if (carry_on(s, run + sp[top].lo, &sp[top]) < 0)
			return -1;
		if (sp[top].k == 0)
			continue;
		lo = sp[top].lo;
		k = lo + sp[top].k;
		off = sp[top].off + OFF_BLOCK;
		for (; lo < k && run[lo]->label != (size_t)-1; lo = hi) {
			for (hi = lo + 1; hi < k &&
			    run[hi]->label == run[lo]->label; hi++)
				;
			sp[top++] = (struct span){ lo, hi - lo, off };
		}
	}
	return 0;
}

/* Step 2: at most s->width files, all open at once. */
static int
side_by_side(struct cmp *s, struct member **run, size_t k)
{
	size_t	j, live = 0;

	for (j = 0; j < k; j++) {
		run[j]->rep = run[j]->i;
		if (open_member(s, run[j]) < 0)
			continue;
		advise_whole(s, run[j]->fd);
		run[live++] = run[j];
	}
	return side_by_side_from(s, run, live, s->start);
}

/* The whole file's hash into m->h, one descriptor at a time. */
static void
hash_whole(struct cmp *s, struct member *m)
{
	off_t	off;
	size_t	len;

	if (open_member(s, m) < 0)
		return;
	advise_whole(s, m->fd);
	m->h = 0;
	for (off = s->start; off < s->end; off += OFF_BLOCK) {
		len = s->end - off < OFF_BLOCK ?
		    (size_t)(s->end - off) : BLOCK;
		if (read_block(s, m, s->b->bufs[0], len, off) < 0)
			break;
		m->h = hl_hash64(s->b->bufs[0], len, m->h);
	}
	drop(m);
}

/* Files of a chunk matched to ref stay in run; the others go to rest. */
static void
collect(struct member *ref, struct member **chunk, size_t n,
    struct member **run, size_t *m, struct member **rest, size_t *nrest)
{
	size_t	j;

	for (j = 0; j < n; j++) {
		if (ref->rep != HL_FILEEQ_NONE && chunk[j]->rep == ref->i)
			run[1 + (*m)++] = chunk[j];
		else if (chunk[j]->rep != HL_FILEEQ_NONE) {
			chunk[j]->rep = chunk[j]->i;
			rest[(*nrest)++] = chunk[j];
		}
	}
}

/*
 * A run of identical hashes wider than the descriptors: its first file
 * is compared side by side with the others, width - 1 at a time; those
 * equal to it are one group, the rest start again.  Only a hash
 * collision or a run of more identical files than descriptors gets here.
 */
static int
by_reference(struct cmp *s, struct member **run, size_t k, struct member **rest)
{
	struct member	*ref, *chunk[WIDTH_MAX];
	size_t		 j, n, m, nrest;

	while (k >= 2) {
		ref = run[0];
		m = nrest = 0;
		for (j = 1; j < k; j += n - 1) {
			chunk[0] = ref;
			for (n = 1; n < s->width && j + n - 1 < k; n++)
				chunk[n] = run[j + n - 1];
			if (ref->rep != HL_FILEEQ_NONE &&
			    side_by_side(s, chunk, n) < 0)
				return -1;
			collect(ref, chunk + 1, n - 1, run, &m, rest, &nrest);
		}
		if (ref->rep == HL_FILEEQ_NONE)	/* its matches start again */
			for (j = 1; j <= m; j++) {
				run[j]->rep = run[j]->i;
				rest[nrest++] = run[j];
			}
		else
			run += m;
		memcpy(run + 1, rest, nrest * sizeof(struct member *));
		run++;
		k = nrest;
	}
	return 0;
}

/*
 * Step 3, for a run wider than the descriptors it may hold: each file is
 * hashed whole, one descriptor at a time, and then compared side by side
 * within its hash.  That reads these files twice, for a hash only
 * narrows: equality is proven by comparing the bytes, and with the files
 * not all open at once the bytes must be read again to be compared.
 */
static int
too_wide(struct cmp *s, struct member **run, size_t k)
{
	struct member	**rest;
	size_t		  lo, hi;
	int		  rc = 0;

	if (buffer(s, 0) == NULL ||
	    (rest = malloc(k * sizeof(struct member *))) == NULL)
		return -1;
	for (lo = 0; lo < k; lo++)
		hash_whole(s, run[lo]);
	for (lo = hi = 0; lo < k; lo++)
		if (run[lo]->rep != HL_FILEEQ_NONE)
			run[hi++] = run[lo];
	k = hi;
	qsort(run, k, sizeof(struct member *), by_key);
	for (lo = 0; lo < k && rc == 0; lo = hi) {
		for (hi = lo + 1; hi < k && run[hi]->h == run[lo]->h; hi++)
			;
		if (hi - lo <= s->width)
			rc = side_by_side(s, run + lo, hi - lo);
		else
			rc = by_reference(s, run + lo, hi - lo, rest);
	}
	free(rest);
	return rc;
}

/* The runs of equal probes, each compared as its width allows. */
static int
split_probed(struct cmp *s, struct member **p, size_t k)
{
	size_t	lo, hi;
	int	rc = 0;

	for (lo = 0; lo < k && rc == 0; lo = hi) {
		for (hi = lo + 1; hi < k && compare_key(p[hi], p[lo]) == 0;
		    hi++)
			;
		if (exact(s, p[lo]) || hi - lo == 1)
			settle(p + lo, hi - lo);	/* exact already */
		else if (hi - lo <= s->width)
			rc = side_by_side(s, p + lo, hi - lo);
		else
			rc = too_wide(s, p + lo, hi - lo);
	}
	return rc;
}

/*
 * The attributes of the files whose probe has a twin, each run then
 * sorted again by them; the members that fail are dropped.  Returns the
 * members left.
 */
static size_t
late_attrs(struct cmp *s, struct member **p, size_t k)
{
	size_t	lo, hi, j, out = 0, first;

	for (lo = 0; lo < k; lo = hi) {
		for (hi = lo + 1; hi < k && compare_key(p[hi], p[lo]) == 0;
		    hi++)
			;
		first = out;
		for (j = lo; j < hi; j++) {
			if (hi - lo > 1 && !read_attrs(s, p[j])) {
				drop(p[j]);
				continue;
			}
			if (hi - lo == 1 || exact(s, p[j]))
				drop(p[j]);	/* read no more */
			p[out++] = p[j];
		}
		qsort(p + first, out - first, sizeof(struct member *), by_key);
	}
	return out;
}

/* Room for n block pointers in b. */
static int
room(struct hl_fileeq_bufs *b, size_t n)
{
	unsigned char	**p;

	if (n <= b->cap)
		return 0;
	if ((p = realloc(b->bufs, n * sizeof(unsigned char *))) == NULL)
		return -1;
	b->bufs = p;
	b->cap = n;
	return 0;
}

void
hl_fileeq_free(struct hl_fileeq_bufs *b)
{
	size_t	j;

	for (j = 0; j < b->n; j++)
		free(b->bufs[j]);
	free(b->bufs);
	memset(b, 0, sizeof(*b));
}

static int
setup(struct cmp *s, const struct hl_fileeq *c)
{
	static unsigned char	none[1];
	size_t			size = (size_t)c->size, len, most;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->width = c->fd_budget < 2 ? 2 : c->fd_budget > WIDTH_MAX ?
	    WIDTH_MAX : c->fd_budget;
	/* A round's buckets and waiting runs: no more than its files. */
	most = c->n < s->width ? (c->n < 2 ? 2 : c->n) : s->width;
	s->m = calloc(c->n, sizeof(*s->m));
	s->p = calloc(c->n, sizeof(struct member *));
	s->buckets = calloc(most, sizeof(*s->buckets));
	s->hold = c->n <= s->width;
	s->b = c->bufs != NULL ? c->bufs : &s->own;
	s->spans = calloc(most, sizeof(*s->spans));
	if (s->m == NULL || s->p == NULL || s->buckets == NULL ||
	    s->spans == NULL || room(s->b, s->width + 1) < 0)
		return -1;
	len = size <= SMALL ? size : SMALL;
	if (size == 0)
		s->keep = none;
	else if (c->n <= (size <= SMALL ? KEEP_MAX : KEEP_PROBES) / len)
		s->keep = malloc(c->n * len);	/* NULL: read them again */
	s->end = c->size;
	if (size > SMALL && s->keep != NULL) {
		s->start = HL_FILEEQ_PROBE;
		s->end = c->size - HL_FILEEQ_PROBE;
	}
	s->late = c->attrs != NULL && s->hold;
	return 0;
}

static void
teardown(struct cmp *s)
{
	size_t	j;

	for (j = 0; s->m != NULL && j < s->c->n; j++) {
		drop(&s->m[j]);
		free(s->m[j].attr);
	}
	hl_fileeq_free(&s->own);
	if (s->c->size != 0)
		free(s->keep);
	free(s->m);
	free(s->p);
	free(s->buckets);
	free(s->spans);
}

int
hl_fileeq(const struct hl_fileeq *c)
{
	struct cmp	s;
	size_t		j, live = 0;
	int		rc = -1;

	if (setup(&s, c) == 0) {
		for (j = 0; j < c->n; j++) {
			s.m[j].i = s.m[j].rep = j;
			s.m[j].fd = -1;
			probe(&s, &s.m[j], j);
			if (s.m[j].rep != HL_FILEEQ_NONE)
				s.p[live++] = &s.m[j];
		}
		qsort(s.p, live, sizeof(struct member *), by_key);
		if (s.late)
			live = late_attrs(&s, s.p, live);
		rc = split_probed(&s, s.p, live);
		for (j = 0; j < c->n; j++)
			c->group[j] = rc == 0 ? s.m[j].rep : HL_FILEEQ_NONE;
	}
	teardown(&s);
	return rc;
}
