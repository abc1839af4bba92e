/*
 * fileeq.c: a class of same-size files split into groups of identical
 * content, never by comparing its files pairwise.
 *
 * 1. The probe reads each file's first and last HL_FILEEQ_PROBE bytes
 *    (the whole file, in one read, when it is small), hashes them and
 *    sorts the class by (attributes, hash).  For a small file the probe
 *    bytes are the whole content and are kept and compared exactly.
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

#define BLOCK		(128 * 1024)
#define SMALL		(2 * HL_FILEEQ_PROBE)
/* The probe bytes of a class of small files are kept up to this. */
#define KEEP_MAX	(64UL << 20)
/* Files read side by side at most: each may need a block buffer. */
#define WIDTH_MAX	512

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
	unsigned char	*buf;
};

struct cmp {
	const struct hl_fileeq	 *c;
	struct member		 *m;
	struct member		**p;
	unsigned char		 *keep;		/* small files' bytes */
	size_t			  width;	/* files side by side */
	struct bucket		 *buckets;	/* width of them */
	unsigned char		**bufs;		/* width + 1 blocks */
	size_t			  nbufs;
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

	if (r == (ssize_t)n)
		return 0;
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
advise_whole(int fd)
{
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_NOREUSE);
}

static int
open_member(struct cmp *s, struct member *m)
{
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

/* Step 1 for one file: its attributes and its probe's hash. */
static void
probe(struct cmp *s, struct member *m, size_t k)
{
	const struct hl_fileeq	*c = s->c;
	unsigned char		 buf[SMALL];
	ssize_t			 alen = 0;
	size_t			 len;

	if (open_member(s, m) < 0)
		return;
	if (c->attrs != NULL &&
	    (alen = c->attrs(c->ctx, m->i, m->fd, &m->attr)) < 0) {
		c->failed(c->ctx, m->i, errno);
		m->rep = HL_FILEEQ_NONE;
	} else if (read_probe(s, m, buf, &len) == 0) {
		m->attrlen = (size_t)alen;
		m->h = hl_hash64(buf, len, 0);
		if (s->keep != NULL) {
			m->bytes = s->keep + k * len;
			m->blen = len;
			memcpy(m->bytes, buf, len);
		}
	}
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
	while (s->nbufs <= k) {
		if ((s->bufs[s->nbufs] = malloc(BLOCK)) == NULL)
			return NULL;
		s->nbufs++;
	}
	return s->bufs[k];
}

/*
 * The bucket of a block just read into s->bufs[nb]: an existing one
 * whose block is byte for byte the same, or a new one that takes the
 * buffer.  Returns the bucket, or (size_t)-1 when memory ran out.
 */
static size_t
bucket_of(struct cmp *s, size_t *nb, size_t len)
{
	unsigned char	*buf = s->bufs[*nb];
	uint64_t	 h = hl_hash64(buf, len, 0);
	size_t		 b;

	for (b = 0; b < *nb; b++)
		if (s->buckets[b].h == h &&
		    memcmp(s->buckets[b].buf, buf, len) == 0)
			return b;
	s->buckets[b].h = h;
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
	size_t	j, nb = 0, len = (size_t)(s->c->size - off);

	if (len > BLOCK)
		len = BLOCK;
	if (buffer(s, 0) == NULL)
		return -1;
	for (j = 0; j < k; j++) {
		run[j]->label = (size_t)-1;
		if (read_block(s, run[j], s->bufs[nb], len, off) < 0) {
			drop(run[j]);
			continue;
		}
		run[j]->label = bucket_of(s, &nb, len);
		if (run[j]->label == (size_t)-1)
			return -1;
	}
	qsort(run, k, sizeof(*run), by_label);
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
 * Splits run into the runs of equal labels and carries each on from
 * offset off.  While a run does not split it loops rather than recurses:
 * the depth is the number of splits, not of blocks.
 */
static int
side_by_side_from(struct cmp *s, struct member **run, size_t k, off_t off)
{
	size_t	lo, hi;

	for (;; off += BLOCK) {
		if (k < 2 || off >= s->c->size) {
			settle(run, k);
			return 0;
		}
		if (split_round(s, run, k, off) < 0)
			return -1;
		for (hi = 1; hi < k && run[hi]->label == run[0]->label; hi++)
			;
		if (run[0]->label == (size_t)-1)
			return 0;
		if (hi == k || run[hi]->label == (size_t)-1) {
			k = hi;
			continue;
		}
		break;
	}
	for (lo = 0; lo < k && run[lo]->label != (size_t)-1; lo = hi) {
		for (hi = lo + 1; hi < k && run[hi]->label == run[lo]->label;
		    hi++)
			;
		if (side_by_side_from(s, run + lo, hi - lo,
		    off + BLOCK) < 0)
			return -1;
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
		advise_whole(run[j]->fd);
		run[live++] = run[j];
	}
	return side_by_side_from(s, run, live, 0);
}

/* The whole file's hash into m->h, one descriptor at a time. */
static void
hash_whole(struct cmp *s, struct member *m)
{
	off_t	off;
	size_t	len;

	if (open_member(s, m) < 0)
		return;
	advise_whole(m->fd);
	m->h = 0;
	for (off = 0; off < s->c->size; off += BLOCK) {
		len = s->c->size - off < BLOCK ? (size_t)(s->c->size - off) :
		    BLOCK;
		if (read_block(s, m, s->bufs[0], len, off) < 0)
			break;
		m->h = hl_hash64(s->bufs[0], len, m->h);
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
		memcpy(run + 1, rest, nrest * sizeof(*rest));
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
	    (rest = malloc(k * sizeof(*rest))) == NULL)
		return -1;
	for (lo = 0; lo < k; lo++)
		hash_whole(s, run[lo]);
	for (lo = hi = 0; lo < k; lo++)
		if (run[lo]->rep != HL_FILEEQ_NONE)
			run[hi++] = run[lo];
	k = hi;
	qsort(run, k, sizeof(*run), by_key);
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
		if (p[lo]->bytes != NULL || hi - lo == 1)
			settle(p + lo, hi - lo);	/* exact already */
		else if (hi - lo <= s->width)
			rc = side_by_side(s, p + lo, hi - lo);
		else
			rc = too_wide(s, p + lo, hi - lo);
	}
	return rc;
}

static int
setup(struct cmp *s, const struct hl_fileeq *c)
{
	static unsigned char	none[1];
	size_t			size = (size_t)c->size;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->width = c->fd_budget < 2 ? 2 : c->fd_budget > WIDTH_MAX ?
	    WIDTH_MAX : c->fd_budget;
	s->m = calloc(c->n, sizeof(*s->m));
	s->p = calloc(c->n, sizeof(*s->p));
	s->buckets = calloc(s->width, sizeof(*s->buckets));
	s->bufs = calloc(s->width + 1, sizeof(*s->bufs));
	if (s->m == NULL || s->p == NULL || s->buckets == NULL ||
	    s->bufs == NULL)
		return -1;
	if (size == 0)
		s->keep = none;
	else if (size <= SMALL && c->n <= KEEP_MAX / size)
		s->keep = malloc(c->n * size);	/* NULL: read them again */
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
	for (j = 0; j < s->nbufs; j++)
		free(s->bufs[j]);
	if (s->c->size != 0)
		free(s->keep);
	free(s->m);
	free(s->p);
	free(s->buckets);
	free(s->bufs);
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
		qsort(s.p, live, sizeof(*s.p), by_key);
		rc = split_probed(&s, s.p, live);
		for (j = 0; j < c->n; j++)
			c->group[j] = rc == 0 ? s.m[j].rep : HL_FILEEQ_NONE;
	}
	teardown(&s);
	return rc;
}
