/*
 * output.c: every line the user sees; see output.h.  The words' floor:
 * messages.c says why, this file says the rest and writes it out.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "output.h"

#ifndef HLINK_VERSION
#define HLINK_VERSION "unknown"
#endif

/* hl_quote() writes at most four bytes per byte of a name, and quotes. */
#define QUOTED_MAX	(4 * PATH_MAX + 3)
#define WHY_MAX		(3 * QUOTED_MAX + 256)

/*
 * About 100 KiB: on the heap, once, and not on the stack of a -r -j
 * worker (musl gives a thread 128 KiB), which calls in here to report.
 */
struct out_buffers {
	char	a[QUOTED_MAX];
	char	b[QUOTED_MAX];
	char	c[QUOTED_MAX];
	char	why[WHY_MAX];
};

static const char usage_text[] =
"Usage: hlink [OPTION]... [-T] SRC DST\n"
"  or:  hlink [OPTION]... SRC... DIR\n"
"  or:  hlink [OPTION]... -t DIR SRC...\n"
"  or:  hlink -r [OPTION]... SRCDIR DSTDIR\n"
"  or:  hlink --list [-0LPv] FILE [ROOT]...\n"
"  or:  hlink --dedup [OPTION]... ROOT...\n"
"Make DST a hard link to SRC, or make DIR/basename(SRC) for each SRC.\n"
"With -r, make DSTDIR a replica of SRCDIR whose files are hard links.\n"
"With --list, print every name of FILE's inode under the ROOTs (by\n"
"default, FILE's whole filesystem).\n"
"With --dedup, make identical regular files under the ROOTs hard links of\n"
"one file.\n"
"\n"
"  -L, --follow                link the file a symlink SRC resolves to "
"(default)\n"
"  -P, --no-follow             link a symlink SRC itself\n"
"      --src-dir=DIR           resolve relative SRC operands against DIR\n"
"      --dst-dir=DIR           resolve DST, DIR and -t DIR against DIR\n"
"  -s, --symlink-fallback      make a symbolic link where no hard link can "
"be\n"
"      --fallback=KIND,...     where no hard link can be, make the first KIND\n"
"                              that works: symlink, clone, copy (-s: "
"symlink)\n"
"      --relative              with -s, the symbolic link holds a relative "
"path\n"
"  -f, --force                 replace an existing DST, atomically\n"
"  -i, --interactive           ask before replacing an existing DST\n"
"  -n, --no-dereference        treat a DST that is a symlink to a directory "
"as a file\n"
"  -T, --no-target-directory   treat DST as the link's name, never as a "
"directory\n"
"  -t, --target-directory=DIR  make the links in DIR\n"
"  -v, --verbose               print each link made\n"
"  -q, --quiet                 print no notice for a fallback or a mount\n"
"                              point not entered, nor --dedup's summary\n"
"      --dry-run               say what would be done, and change nothing\n"
"  -r, --recursive             replicate directory trees (see above)\n"
"  -j, --jobs=N                with -r, --dedup, use N threads (default: one "
"per CPU)\n"
"      --progress              show a progress line on a long run, even when\n"
"                                stderr is not a terminal\n"
"      --no-progress           show no progress line\n"
"      --list                  print the names of FILE (see above)\n"
"  -0, --null                  with --list, end each name with NUL\n"
"      --dedup                 link identical files under the ROOTs (see "
"above)\n"
"      --min-size=SIZE         with --dedup, skip files smaller (default 1)\n"
"      --max-size=SIZE         with --dedup, skip files larger; SIZE takes\n"
"                              K, M, G, T (powers of 1024)\n"
"      --content-only          with --dedup, ignore mode, owner and xattrs\n"
"      --respect-time          with --dedup, link only files of one mtime\n"
"      --clone                 with --dedup, share blocks instead of linking\n"
"                              (Btrfs, XFS): each file keeps its inode\n"
"  -h, --help                  print this help and exit\n"
"  -V, --version               print the version and exit\n"
"\n"
"Exit status: 0 if every operand ended linked, 1 if any did not, 2 for a\n"
"command line of the wrong shape.  See hlink(1).\n";

/*
 * "hlink: ", the line and its newline in one write: stderr is unbuffered,
 * and three writes per line were a third of a notice's cost, and let
 * another process's line (or a -j worker's) come between the pieces.
 */
static void
say(FILE *f, const char *fmt, ...)
{
	char	 line[1024], *heap = NULL, *p = line;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line + 7, sizeof(line) - 8, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 8) {
		if ((heap = malloc((size_t)n + 9)) == NULL)
			n = (int)sizeof(line) - 9;	/* cut short, not lost */
		else {
			p = heap;
			va_start(ap, fmt);
			(void)vsnprintf(p + 7, (size_t)n + 1, fmt, ap);
			va_end(ap);
		}
	}
	memcpy(p, "hlink: ", 7);
	p[7 + n] = '\n';
	/* A failed write to stderr has nowhere left to be said. */
	(void)fwrite(p, 1, (size_t)n + 8, f);
	free(heap);
}

/* The buffers, or NULL after saying that there is no memory for them. */
static struct out_buffers *
buffers(struct hl_out *o)
{
	if (o->buf == NULL && (o->buf = malloc(sizeof(*o->buf))) == NULL)
		say(stderr, "%s", strerror(ENOMEM));
	return o->buf;
}

static const char *
quoted(const char *name, char *buf)
{
	hl_quote(name, buf, QUOTED_MAX);
	return buf;
}

/*
 * Around every line written while a progress line may show: it is erased
 * first and redrawn by its ticker after, never mixed into the line.
 */
static void
hold(const struct hl_out *o)
{
	hl_ticker_hold(o->ticker);
}

static void
release(const struct hl_out *o)
{
	hl_ticker_release(o->ticker);
}

void
hl_out_free(struct hl_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

void
hl_out_usage_error(const char *msg)
{
	say(stderr, "%s", msg);
	fputs("Try 'hlink --help' for more information.\n", stderr);
}

void
hl_out_help(void)
{
	fputs(usage_text, stdout);
}

void
hl_out_version(void)
{
	puts("hlink " HLINK_VERSION);
}

int
hl_out_flush(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say(stderr, "write error: %s", strerror(errno));
		return 1;
	}
	return status;
}

static void
outcome_failed(struct out_buffers *b, const struct hl_request *req,
    const struct hl_outcome *out, const char *hint)
{
	hl_format_why(req, out, b->why, sizeof(b->why));
	say(stderr, "cannot link %s to %s: %s", quoted(req->dst_shown, b->a),
	    quoted(req->src_shown, b->b), b->why);
	if (hint != NULL)
		say(stderr, "hint: %s", hint);
	if (out->temp_left[0] != '\0')
		say(stderr, "cannot remove temporary name %s: %s",
		    quoted(out->temp_left, b->a), strerror(out->temp_err));
}

/*
 * A clone or copy: "made a copy instead" once the link failed (never for
 * the files of a replica, announced once as the replica), and with -v
 * "'DST' <= 'SRC' (copy)": the arrow turned, as the bytes came over.
 */
static void
outcome_copied(const struct hl_out *o, struct out_buffers *b,
    const struct hl_request *req, const struct hl_outcome *out)
{
	bool		 dry = o->dry_run;
	const char	*what = out->status == HL_CLONED ? "clone" : "copy";
	const char	*many = !(out->replica & HL_COPY_CLONE) ? "copies" :
			    (out->replica & HL_COPY_DATA) ? "clones or copies" :
			    "clones";

	quoted(req->dst_shown, b->a);
	if (!dry && !o->quiet && out->cause != HL_CAUSE_NONE) {
		hl_format_why(req, out, b->why, sizeof(b->why));
		say(stderr, "%s: made %s%s instead: %s", b->a,
		    out->replica ? "a replica of " : "a ",
		    out->replica ? many : what, b->why);
	}
	if (dry)
		printf("would make %s%s %s <= %s\n",
		    out->replica ? "a replica of " : "a ",
		    out->replica ? many : what, b->a,
		    quoted(req->src_shown, b->b));
	else if (o->verbose && !out->replica)
		printf("%s <= %s (%s)\n", b->a, quoted(req->src_shown, b->b),
		    what);
}

static void
outcome_done(const struct hl_out *o, struct out_buffers *b,
    const struct hl_request *req, const struct hl_outcome *out)
{
	bool		 dry = o->dry_run;
	const char	*verb = out->status == HL_REPLACED ? "would replace " :
			    "would link ";

	if (out->status == HL_CLONED || out->status == HL_COPIED) {
		outcome_copied(o, b, req, out);
		return;
	}
	quoted(req->dst_shown, b->a);
	/* In a replica across filesystems, a link to the copy, not to SRC. */
	if (out->status != HL_SYMLINKED) {
		printf("%s%s => %s\n", dry ? verb : "", b->a,
		    quoted(out->replica ? out->linked_to : req->src_shown,
		    b->b));
		return;
	}
	if (!dry && !o->quiet) {
		hl_format_why(req, out, b->why, sizeof(b->why));
		say(stderr, "%s: made a symbolic link instead: %s", b->a,
		    b->why);
	}
	if (dry || o->verbose)
		printf("%s%s -> %s\n", dry ? "would make a symbolic link " : "",
		    b->a, quoted(out->target, b->b));
}

void
hl_out_outcome(void *ctx, const struct hl_request *req,
    const struct hl_outcome *out)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b;

	if (out->status != HL_FAILED && (out->status == HL_ALREADY ||
	    (!o->dry_run && !o->verbose && (o->quiet ||
	    out->status == HL_LINKED || out->status == HL_REPLACED ||
	    (out->status != HL_SYMLINKED && out->cause == HL_CAUSE_NONE)))))
		return;		/* the fast path: nothing to say */
	if ((b = buffers(o)) == NULL)
		return;
	hold(o);
	if (out->status == HL_FAILED)
		outcome_failed(b, req, out, hl_hint(out));
	else
		outcome_done(o, b, req, out);
	release(o);
}

/* A reply starting with y or Y replaces; anything else, or none, skips. */
int
hl_out_ask(void *ctx, const struct hl_request *req)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b = buffers(o);
	int			 c, first;

	if (b == NULL)
		return o->dry_run ? -1 : 0;
	if (o->dry_run) {
		printf("would ask to replace %s => %s\n",
		    quoted(req->dst_shown, b->a), quoted(req->src_shown, b->b));
		return -1;
	}
	fflush(stdout);
	hold(o);	/* no progress line over the question */
	fprintf(stderr, "hlink: replace %s? ", quoted(req->dst_shown, b->a));
	fflush(stderr);
	first = c = getchar();
	while (c != EOF && c != '\n')
		c = getchar();
	release(o);
	return first == 'y' || first == 'Y';
}

void
hl_out_cannot_open(struct hl_out *o, const char *dir, int err)
{
	struct out_buffers	*b = buffers(o);

	if (b == NULL)
		return;
	hold(o);
	say(stderr, "cannot open directory %s: %s", quoted(dir, b->a),
	    strerror(err));
	release(o);
}

void
hl_out_not_a_target(struct hl_out *o, const char *dir)
{
	struct out_buffers	*b = buffers(o);

	if (b == NULL)
		return;
	hold(o);
	say(stderr, "target %s is not a directory", quoted(dir, b->a));
	release(o);
}

static void
tree_made_dir(void *ctx, const char *dst, const char *src)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b;

	(void)src;
	if (!o->dry_run && !o->verbose)
		return;
	if ((b = buffers(o)) == NULL)
		return;
	hold(o);
	if (o->dry_run)
		printf("would create directory %s\n", quoted(dst, b->a));
	else
		printf("created directory %s\n", quoted(dst, b->a));
	release(o);
}

static void
tree_mount_point(void *ctx, const char *dst, const char *src,
    const char *target)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b = buffers(o);
	const char		*made = o->dry_run ? "would make" : "made";

	if (b == NULL)
		return;
	quoted(src, b->a);
	quoted(dst, b->b);
	hold(o);
	if (!o->quiet && target == NULL)
		say(stderr, "%s: another filesystem is mounted there, "
		    "not entered: %s the empty directory %s", b->a, made, b->b);
	else if (!o->quiet)
		say(stderr, "%s: another filesystem is mounted there, "
		    "not entered: %s a symbolic link %s instead", b->a, made,
		    b->b);
	if (target != NULL && (o->verbose || o->dry_run))
		printf("%s%s -> %s\n", o->dry_run ?
		    "would make a symbolic link " : "", b->b,
		    quoted(target, b->c));
	release(o);
}

/*
 * A directory that cannot be read.  ESTALE is what the walk (dirstack.c)
 * gives for a directory that is not the one it left, as NFS gives it for
 * a file removed under a handle: the tree changed, and says so.
 */
static void
say_unreadable(const char *quoted_path, int err)
{
	if (err == ESTALE)
		say(stderr, "directory %s changed while hlink was in it: not "
		    "walked further", quoted_path);
	else
		say(stderr, "cannot read directory %s: %s", quoted_path,
		    strerror(err));
}

static void
tree_failed(void *ctx, enum hl_tree_failure what, const char *path, int err)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b = buffers(o);
	const char		*p;

	if (b == NULL)
		return;
	p = quoted(path, b->a);
	hold(o);
	switch (what) {
	case HL_TREE_INTO_ITSELF:
		say(stderr, "cannot replicate %s inside itself, as %s",
		    quoted(o->operand->src_shown, b->b), p);
		break;
	case HL_TREE_READ:
		say_unreadable(p, err);
		break;
	case HL_TREE_MKDIR:
		say(stderr, "cannot make directory %s: %s", p, strerror(err));
		break;
	case HL_TREE_SYMLINK:
		say(stderr, "cannot make symbolic link %s: %s", p,
		    strerror(err));
		break;
	case HL_TREE_NOT_DIR:
		say(stderr, "cannot make directory %s: it exists and is not a "
		    "directory", p);
		break;
	case HL_TREE_ATTRS:
		say(stderr, "cannot set the mode, owner or times of %s: %s", p,
		    strerror(err));
		break;
	case HL_TREE_NO_FDS:
		say(stderr, "cannot replicate %s: too few file descriptors are "
		    "free (-r needs %d besides those open; see ulimit -n)", p,
		    HL_TREE_MIN_FDS);
		break;
	}
	release(o);
}

const struct hl_tree_ops *
hl_out_tree_ops(bool asking)
{
	static const struct hl_tree_ops	ops = {
		.report = hl_out_outcome,
		.made_dir = tree_made_dir,
		.mount_point = tree_mount_point,
		.failed = tree_failed,
	};
	static const struct hl_tree_ops	asking_ops = {
		.report = hl_out_outcome,
		.ask = hl_out_ask,
		.made_dir = tree_made_dir,
		.mount_point = tree_mount_point,
		.failed = tree_failed,
	};

	return asking ? &asking_ops : &ops;
}

void
hl_out_name(void *ctx, const char *path)
{
	const struct hl_out	*o = ctx;

	fputs(path, stdout);
	putchar(o->null ? '\0' : '\n');
}

void
hl_out_unreadable(void *ctx, const char *path, int err)
{
	struct out_buffers	*b = buffers(ctx);

	if (b != NULL)
		say_unreadable(quoted(path, b->a), err);
}

void
hl_out_list_failure(struct hl_out *o, const struct hl_list_request *req,
    const struct hl_list_result *res)
{
	struct out_buffers	*b = buffers(o);
	char			*file, *root;

	if (b == NULL)
		return;
	file = b->a;
	root = b->b;
	quoted(req->file, file);
	if (res->root != NULL)
		quoted(res->root, root);
	if (res->status == HL_LIST_NO_FILE)
		say(stderr, "cannot read %s: %s", file, strerror(res->err));
	else if (res->status == HL_LIST_NO_MOUNT)
		say(stderr, "cannot find the filesystem of %s: %s", file,
		    strerror(res->err));
	else if (res->status == HL_LIST_OTHER_FS)
		say(stderr, "%s is on another filesystem than %s", root, file);
	else if (res->err == ENOTDIR)
		say(stderr, "%s is not a directory", root);
	else
		say(stderr, "cannot read directory %s: %s", root,
		    strerror(res->err));
}

void
hl_out_list_found(const struct hl_list_result *res)
{
	fflush(stdout);
	say(stderr, "found %lu of %lu names", res->found, res->nlink);
}

/*
 * --dedup.  hl_dedup() calls these one at a time, from whichever thread.
 */
static void
dedup_relinked(void *ctx, const char *name, const char *kept)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b;

	if ((!o->dry_run && !o->verbose) || (b = buffers(o)) == NULL)
		return;
	hold(o);
	printf("%s%s => %s\n", o->dry_run ? "would link " : "",
	    quoted(name, b->a), quoted(kept, b->b));
	release(o);
}

/* --clone -v: '==' says same bytes, two files; '=>' says one file. */
static void
dedup_shared(void *ctx, const char *name, const char *kept)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b;

	if ((!o->dry_run && !o->verbose) || (b = buffers(o)) == NULL)
		return;
	hold(o);
	printf("%s%s == %s\n", o->dry_run ? "would share " : "",
	    quoted(name, b->a), quoted(kept, b->b));
	release(o);
}

static void
dedup_failed(void *ctx, const struct hl_request *req,
    const struct hl_outcome *out)
{
	struct out_buffers	*b = buffers(ctx);

	if (b == NULL)
		return;
	hold(ctx);
	outcome_failed(b, req, out, hl_dedup_hint(out));
	release(ctx);
}

static void
dedup_event(void *ctx, enum hl_dedup_event what, const char *path, int err)
{
	struct hl_out		*o = ctx;
	struct out_buffers	*b = buffers(o);

	if (b == NULL)
		return;
	quoted(path, b->a);
	hold(o);
	switch (what) {
	case HL_DEDUP_BAD_ROOT:
	case HL_DEDUP_NO_FILE:
		say(stderr, "cannot read %s: %s", b->a, strerror(err));
		break;
	case HL_DEDUP_NO_DIR:
		say(stderr, "cannot read directory %s: %s", b->a,
		    strerror(err));
		break;
	case HL_DEDUP_CHANGED:
		say(stderr, "%s changed since it was compared: skipped", b->a);
		break;
	case HL_DEDUP_OTHER_FS:
		if (!o->quiet)
			say(stderr, "%s: another filesystem is mounted there, "
			    "not entered", b->a);
		break;
	case HL_DEDUP_CANNOT_SHARE:	/* path: the filesystem's name */
		say(stderr, "--clone: %s cannot share blocks between files "
		    "(%s): nothing changed", path, strerror(err));
		break;
	case HL_DEDUP_NOT_SHARED:
		say(stderr, "cannot share blocks with %s: %s", b->a,
		    strerror(err));
		break;
	case HL_DEDUP_NO_FDS:
		say(stderr, "cannot deduplicate: too few file descriptors are "
		    "free (--dedup needs %d besides those open; see ulimit -n)",
		    HL_DEDUP_MIN_FDS);
		break;
	}
	release(o);
}

const struct hl_dedup_ops *
hl_out_dedup_ops(void)
{
	static const struct hl_dedup_ops	ops = {
		.relinked = dedup_relinked,
		.shared = dedup_shared,
		.failed = dedup_failed,
		.event = dedup_event,
	};

	return &ops;
}

/* 123 bytes, 1.5 KiB, 12.0 MiB... */
static const char *
bytes(unsigned long long n, char *buf, size_t size)
{
	static const char	*units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double			 x = (double)n;
	int			 u = -1;

	if (n < 1024) {
		snprintf(buf, size, "%llu byte%s", n, n == 1 ? "" : "s");
		return buf;
	}
	while (x >= 1024 && u < 4) {
		x /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", x, units[u]);
	return buf;
}

static const char *
plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

void
hl_out_dedup_summary(struct hl_out *o, const struct hl_dedup_stats *st)
{
	bool	dry = o->dry_run;
	char	freed[32], held[32];

	if (st->err != 0)
		say(stderr, "stopped: %s", strerror(st->err));
	if (o->quiet || st->refused)
		return;
	fflush(stdout);
	if (st->clone) {
		say(stderr, "%llu file%s %s blocks with their kept file in "
		    "%llu group%s of %llu file%s scanned; %s %sshared",
		    st->relinked, plural(st->relinked),
		    dry ? "would share" : st->relinked == 1 ? "now shares" :
		    "now share", st->groups,
		    plural(st->groups), st->files, plural(st->files),
		    bytes(st->freed, freed, sizeof(freed)),
		    dry ? "would be " : "");
		return;
	}
	say(stderr, "%llu name%s %srelinked in %llu group%s of %llu file%s "
	    "scanned; %s %sfreed, %s %sheld by names outside the roots",
	    st->relinked, plural(st->relinked), dry ? "would be " : "",
	    st->groups, plural(st->groups), st->files, plural(st->files),
	    bytes(st->freed, freed, sizeof(freed)), dry ? "would be " : "",
	    bytes(st->held, held, sizeof(held)),
	    dry ? "would still be " : "still ");
}
