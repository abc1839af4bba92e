/*
 * The datasets of bench/dedup.sh, and the check run after every tool.
 *
 *     dedup_data gen SCENARIO DIR N SIZE MANIFEST
 *     dedup_data check DIR MANIFEST
 *
 * gen makes DIR/root (the tree the tools are given) and DIR/out (extra
 * names, never given to a tool) and writes MANIFEST ("-": none), one line
 * per name: "SEED PREFIX FLIP SIZE PATH", PATH relative to DIR.  A file's
 * bytes are a function of (SEED, PREFIX, FLIP, SIZE): 64-bit words, word
 * i = mix(SEED' * odd ^ i * odd'), where SEED' is a common seed for the
 * first PREFIX bytes and SEED after them; the byte at FLIP (-1: none) is
 * XORed with 0xa5.  mix is a bijection, so two files of at least 8 bytes
 * past their prefix are equal exactly when the four numbers are: the
 * check regenerates the bytes it expects and compares them byte for byte
 * (no hash decides).  Every file has mode 0644, the owner of the caller
 * and the same mtime, so that every tool's default finds the same
 * duplicates.  The structure comes from a fixed-seed generator: the same
 * arguments make the same tree.
 *
 * Scenarios (N names, SIZE bytes where it says):
 *   mixed    long-tailed sizes (8 B to 4 MiB, most under 4 KiB), copies in
 *            groups of 2 to 20, one-byte variants (first, middle, last)
 *   links    mixed, with some copies made as hard links of earlier ones
 *            and some inodes given names in DIR/out
 *   large    N files of SIZE: A A A A' B B B' C (A' differs from A in the
 *            last byte, B' from B in the first)
 *   onesize  N files of SIZE sharing their first 4 KiB, some copied,
 *            some differing from another only in the last byte
 *   mem      N small files (8 B to 2 KiB), 95% unique
 *
 * check prints "OK|WRONG BAD EXTRA LEFT_ROOT LEFT_FS": names missing or
 * with the wrong bytes, files under root not in the manifest (a leftover
 * temporary name), bytes left un-deduplicated under root (per content:
 * (distinct inodes - 1) * size) and on the filesystem (per content:
 * (distinct inodes of all its names - distinct inodes with a name in
 * out, at least 1) * size: what one run over root could still free).
 */
#define _GNU_SOURCE

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK		(1u << 20)
#define COMMON_SEED	1
#define MTIME		1577836800	/* 2020-01-01 */

struct id {
	uint64_t	seed;
	int64_t		prefix, flip, size;
};

struct name {
	struct id	 id;
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	int		 out;
};

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The bytes [off, off + len) of id; off a multiple of 8. */
static void
fill(unsigned char *buf, const struct id *id, int64_t off, size_t len)
{
	uint64_t	w, i;
	size_t		k, n;

	for (k = 0; k < len; k += 8) {
		i = (uint64_t)(off + (int64_t)k) / 8;
		w = mix(((int64_t)(i * 8) < id->prefix ? COMMON_SEED : id->seed) *
		    0x9e3779b97f4a7c15ULL ^ (i * 0xd1b54a32d192ed03ULL + 1));
		n = len - k < 8 ? len - k : 8;
		memcpy(buf + k, &w, n);
	}
	if (id->flip >= off && id->flip < off + (int64_t)len)
		buf[id->flip - off] ^= 0xa5;
}

static void
die(const char *what)
{
	fprintf(stderr, "dedup_data: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- gen ---------------------------------------------------------------- */

static uint64_t	rng = 0x2545f4914f6cdd1dULL;
static FILE	*manifest;
static const char *gdir;
static unsigned char *gbuf;
static long	ndirs, nout, scen_links;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static double
unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void
record(const struct id *id, const char *rel)
{
	if (manifest != NULL)
		fprintf(manifest, "%" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64
		    " %s\n", id->seed, id->prefix, id->flip, id->size, rel);
}

static void
write_file(const struct id *id, const char *rel)
{
	struct timespec	t[2] = {{MTIME, 0}, {MTIME, 0}};
	char		path[4096];
	int64_t		off;
	size_t		len;
	int		fd;

	snprintf(path, sizeof(path), "%s/%s", gdir, rel);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		die(path);
	for (off = 0; off < id->size; off += (int64_t)len) {
		len = id->size - off < CHUNK ? (size_t)(id->size - off) : CHUNK;
		fill(gbuf, id, off, len);
		if (write(fd, gbuf, len) != (ssize_t)len)
			die(path);
	}
	if (futimens(fd, t) < 0 || close(fd) < 0)
		die(path);
	record(id, rel);
}

static void
link_file(const struct id *id, const char *from, const char *rel)
{
	char	a[4096], b[4096];

	snprintf(a, sizeof(a), "%s/%s", gdir, from);
	snprintf(b, sizeof(b), "%s/%s", gdir, rel);
	if (link(a, b) < 0)
		die(b);
	record(id, rel);
}

/* Name j under root: scattered over the directories so copies are apart. */
static void
name_of(long j, char *rel, size_t sz)
{
	long	d = (long)(mix((uint64_t)j + 77) % (uint64_t)ndirs);

	snprintf(rel, sz, "root/d%02ld/d%02ld/f%07ld", d / 100, d % 100, j);
}

static void
make_dirs(long files, long per_dir)
{
	char	p[4096];
	long	d;

	ndirs = files / per_dir > 0 ? files / per_dir : 1;
	snprintf(p, sizeof(p), "%s", gdir);
	if (mkdir(p, 0755) < 0)
		die(p);
	snprintf(p, sizeof(p), "%s/root", gdir);
	if (mkdir(p, 0755) < 0)
		die(p);
	snprintf(p, sizeof(p), "%s/out", gdir);
	if (mkdir(p, 0755) < 0)
		die(p);
	for (d = 0; d < ndirs; d++) {
		snprintf(p, sizeof(p), "%s/root/d%02ld", gdir, d / 100);
		if (d % 100 == 0 && mkdir(p, 0755) < 0)
			die(p);
		snprintf(p, sizeof(p), "%s/root/d%02ld/d%02ld", gdir, d / 100, d % 100);
		if (mkdir(p, 0755) < 0)
			die(p);
	}
}

/*
 * copies names of id from name *j on; in the links scenario some are
 * links to an earlier copy, and some inodes get names in out.
 */
static void
group(const struct id *id, long copies, long *j, long n)
{
	char	rel[64][64], o[64];
	long	k, m, pick;

	for (k = 0; k < copies && k < 64 && *j < n; k++, (*j)++) {
		name_of(*j, rel[k], sizeof(rel[k]));
		if (scen_links && k > 0 && unif() < 0.35)
			link_file(id, rel[rnd() % (uint64_t)k], rel[k]);
		else
			write_file(id, rel[k]);
	}
	if (!scen_links || k == 0 || unif() >= (k > 1 ? 0.3 : 0.02))
		return;
	pick = k > 1 ? 1 + (long)(rnd() % (uint64_t)(k - 1)) : 0;
	for (m = unif() < 0.3 ? 2 : 1; m > 0; m--) {
		snprintf(o, sizeof(o), "out/o%07ld", nout++);
		link_file(id, rel[pick], o);
	}
}

static int64_t
mixed_size(void)
{
	double	u = unif(), lo, hi;

	if (u < 0.80)
		lo = 8, hi = 4096;
	else if (u < 0.995)
		lo = 4096, hi = 32768;
	else if (u < 0.9995)
		lo = 65536, hi = 524288;
	else
		lo = 1048576, hi = 4194304;
	return (int64_t)(lo * exp(unif() * log(hi / lo)));
}

static void
gen_mixed(long n)
{
	static const int	where[3] = {0, 1, 2};	/* first, middle, last */
	struct id		id = {1000, 0, -1, 0}, v;
	long			j = 0, c, nv, k;
	double			u;

	make_dirs(n, 100);
	while (j < n) {
		id.seed++;
		id.size = mixed_size();
		u = unif();
		c = u < 0.55 ? 1 : 2 + (long)(19 * unif() * unif() * unif());
		group(&id, c, &j, n);
		if (unif() >= 0.15)
			continue;
		nv = 1 + (long)(rnd() % 3);
		for (k = 0; k < nv; k++) {
			v = id;
			switch (where[(k + id.seed) % 3]) {
			case 0: v.flip = 0; break;
			case 1: v.flip = id.size / 2; break;
			default: v.flip = id.size - 1; break;
			}
			group(&v, unif() < 0.3 ? 2 : 1, &j, n);
		}
	}
}

static void
gen_large(long n, int64_t size)
{
	static const struct { int s; int flip; } pat[8] = {
		{0, -1}, {0, -1}, {0, -1}, {0, 2}, {1, -1}, {1, -1}, {1, 1}, {2, -1}
	};
	struct id	id;
	char		rel[64];
	long		i;

	make_dirs(1, 1);
	for (i = 0; i < n; i++) {
		id.seed = 2000 + (uint64_t)(i / 8) * 3 + (uint64_t)pat[i % 8].s;
		id.prefix = 0;
		id.size = size;
		id.flip = pat[i % 8].flip < 0 ? -1 : pat[i % 8].flip == 1 ? 0 : size - 1;
		snprintf(rel, sizeof(rel), "root/d00/d00/big%03ld", i);
		write_file(&id, rel);
	}
}

static void
gen_onesize(long n, int64_t size)
{
	struct id	id = {3000, 4096, -1, size}, v;
	long		j = 0;

	make_dirs(n, 100);
	while (j < n) {
		id.seed++;
		group(&id, unif() < 0.8 ? 1 : 2 + (long)(rnd() % 2), &j, n);
		if (unif() < 0.05 && j < n) {
			v = id;
			v.flip = size - 1;
			group(&v, 1, &j, n);
		}
	}
}

static void
gen_mem(long n)
{
	struct id	id = {5000, 0, -1, 0};
	long		j = 0;

	make_dirs(n, 1000);
	while (j < n) {
		id.seed++;
		id.size = 8 + (int64_t)(rnd() % 2041);
		group(&id, unif() < 0.95 ? 1 : 2, &j, n);
	}
}

static int
gen(int argc, char **argv)
{
	long	n;
	int64_t	size;

	if (argc != 7)
		return 2;
	gdir = argv[3];
	n = atol(argv[4]);
	size = atoll(argv[5]);
	if (strcmp(argv[6], "-") != 0 && (manifest = fopen(argv[6], "w")) == NULL)
		die(argv[6]);
	if ((gbuf = malloc(CHUNK)) == NULL)
		die("malloc");
	if (strcmp(argv[2], "mixed") == 0)
		gen_mixed(n);
	else if (strcmp(argv[2], "links") == 0)
		scen_links = 1, gen_mixed(n);
	else if (strcmp(argv[2], "large") == 0)
		gen_large(n, size);
	else if (strcmp(argv[2], "onesize") == 0)
		gen_onesize(n, size);
	else if (strcmp(argv[2], "mem") == 0)
		gen_mem(n);
	else
		return 2;
	if (manifest != NULL && fclose(manifest) != 0)
		die(argv[6]);
	return 0;
}

/* --- check -------------------------------------------------------------- */

static long	seen_root;

static int
count_root(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)p, (void)st, (void)f;
	if (flag != FTW_D && flag != FTW_DP)
		seen_root++;
	return 0;
}

static int
same_id(const struct id *a, const struct id *b)
{
	return a->seed == b->seed && a->prefix == b->prefix &&
	    a->flip == b->flip && a->size == b->size;
}

static int
cmp_id(const struct id *a, const struct id *b)
{
	if (a->seed != b->seed) return a->seed < b->seed ? -1 : 1;
	if (a->prefix != b->prefix) return a->prefix < b->prefix ? -1 : 1;
	if (a->flip != b->flip) return a->flip < b->flip ? -1 : 1;
	if (a->size != b->size) return a->size < b->size ? -1 : 1;
	return 0;
}

static int
by_inode(const void *x, const void *y)
{
	const struct name *a = x, *b = y;

	if (a->dev != b->dev) return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino) return a->ino < b->ino ? -1 : 1;
	return cmp_id(&a->id, &b->id);
}

static int
by_content(const void *x, const void *y)
{
	const struct name *a = x, *b = y;
	int c = cmp_id(&a->id, &b->id);

	if (c != 0) return c;
	if (a->dev != b->dev) return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino) return a->ino < b->ino ? -1 : 1;
	return a->out - b->out;
}

/* 1 when the file at path holds exactly id's bytes. */
static int
holds(const char *dir, const char *rel, const struct id *id, unsigned char *want,
    unsigned char *got)
{
	char	path[4096];
	int64_t	off;
	size_t	len;
	int	fd, ok = 1;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	for (off = 0; ok && off < id->size; off += (int64_t)len) {
		len = id->size - off < CHUNK ? (size_t)(id->size - off) : CHUNK;
		fill(want, id, off, len);
		ok = pread(fd, got, len, off) == (ssize_t)len &&
		    memcmp(want, got, len) == 0;
	}
	ok = ok && pread(fd, got, 1, id->size) == 0;
	close(fd);
	return ok;
}

static struct name *
load(const char *dir, const char *file, long *count, long *bad)
{
	struct name	*v = NULL;
	struct stat	 st;
	long		 n = 0, cap = 0;
	char		 line[4200], rel[4096], path[8300];
	FILE		*f = fopen(file, "r");

	if (f == NULL)
		die(file);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct name e = {0};

		if (sscanf(line, "%" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNd64
		    " %4095s", &e.id.seed, &e.id.prefix, &e.id.flip, &e.id.size,
		    rel) != 5)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size != e.id.size) {
			if (*bad < 5)
				fprintf(stderr, "check: %s: missing or changed\n", rel);
			(*bad)++;
			continue;
		}
		if (n == cap && (v = realloc(v, (size_t)(cap = cap ? cap * 2 : 4096) *
		    sizeof(*v))) == NULL)
			die("realloc");
		e.path = strdup(rel);
		e.dev = st.st_dev;
		e.ino = st.st_ino;
		e.out = strncmp(rel, "out/", 4) == 0;
		v[n++] = e;
	}
	fclose(f);
	*count = n;
	return v;
}

static int
check(int argc, char **argv)
{
	struct name	*v;
	unsigned char	*want, *got;
	long		 n, i, j, k, bad = 0, in_root = 0, ok_at;
	int64_t		 left_root = 0, left_fs = 0, inodes, root_inodes, out_inodes;
	char		 root[4096];

	if (argc != 4)
		return 2;
	want = malloc(CHUNK);
	got = malloc(CHUNK);
	if (want == NULL || got == NULL)
		die("malloc");
	v = load(argv[2], argv[3], &n, &bad);
	/* content: once per inode and expected content */
	qsort(v, (size_t)n, sizeof(*v), by_inode);
	for (i = 0, ok_at = -1; i < n; i++) {
		in_root += !v[i].out;
		if (ok_at >= 0 && v[ok_at].dev == v[i].dev &&
		    v[ok_at].ino == v[i].ino && same_id(&v[ok_at].id, &v[i].id))
			continue;
		if (holds(argv[2], v[i].path, &v[i].id, want, got)) {
			ok_at = i;
			continue;
		}
		if (bad < 5)
			fprintf(stderr, "check: %s: wrong content\n", v[i].path);
		bad++;
		ok_at = -1;
	}
	/* left over: per content, the distinct inodes */
	qsort(v, (size_t)n, sizeof(*v), by_content);
	for (i = 0; i < n; i = j) {
		inodes = root_inodes = out_inodes = 0;
		for (j = i; j < n && same_id(&v[i].id, &v[j].id); j = k) {
			int has_root = 0, has_out = 0;

			for (k = j; k < n && v[k].dev == v[j].dev &&
			    v[k].ino == v[j].ino && same_id(&v[k].id, &v[j].id); k++)
				v[k].out ? (has_out = 1) : (has_root = 1);
			inodes++;
			root_inodes += has_root;
			out_inodes += has_out;
		}
		if (root_inodes > 1)
			left_root += (root_inodes - 1) * v[i].id.size;
		left_fs += (inodes - (out_inodes > 1 ? out_inodes : 1)) * v[i].id.size;
	}
	snprintf(root, sizeof(root), "%s/root", argv[2]);
	if (nftw(root, count_root, 32, FTW_PHYS) != 0)
		die(root);
	printf("%s %ld %ld %" PRId64 " %" PRId64 "\n",
	    bad == 0 && seen_root == in_root ? "OK" : "WRONG", bad,
	    seen_root - in_root, left_root, left_fs);
	return 0;
}

int
main(int argc, char **argv)
{
	int	r = 2;

	if (argc > 1 && strcmp(argv[1], "gen") == 0)
		r = gen(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "check") == 0)
		r = check(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: dedup_data gen mixed|links|large|onesize|mem"
		    " DIR N SIZE MANIFEST\n       dedup_data check DIR MANIFEST\n");
	return r;
}
