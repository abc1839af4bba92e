/*
 * main.c: hlink's command line.  Options come from options.c and links
 * from the core; this file picks the operand form, prints every line the
 * user sees and sets the exit status.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dedup.h"
#include "hardlink.h"
#include "list.h"
#include "options.h"
#include "path.h"
#include "sys.h"
#include "tree.h"

#ifndef HLINK_VERSION
#define HLINK_VERSION "unknown"
#endif

/* hl_quote() writes at most four bytes per byte of a name, and quotes. */
#define QUOTED_MAX	(4 * PATH_MAX + 3)
#define WHY_MAX		(3 * QUOTED_MAX + 256)

struct run {
	const struct options	*o;
	int			 srcdirfd;
	int			 dstdirfd;
	int			 flags;		/* for every hl_request */
	int			 failures;
	struct hl_request	*tree;		/* the -r operand under way */
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
"  -q, --quiet                 print no notice for a symbolic link fallback\n"
"      --dry-run               say what would be done, and change nothing\n"
"  -r, --recursive             replicate directory trees (see above)\n"
"  -j, --jobs=N                with -r, --dedup, use N threads (default: one per CPU)\n"
"      --list                  print the names of FILE (see above)\n"
"  -0, --null                  with --list, end each name with NUL\n"
"      --dedup                 link identical files under the ROOTs (see above)\n"
"      --min-size=SIZE         with --dedup, skip files smaller (default 1)\n"
"      --max-size=SIZE         with --dedup, skip files larger; SIZE takes\n"
"                              K, M, G, T (powers of 1024)\n"
"      --content-only          with --dedup, ignore mode, owner and xattrs\n"
"      --respect-time          with --dedup, link only files of one mtime\n"
"      --progress              show a progress line (not drawn yet)\n"
"      --no-progress           never show a progress line\n"
"  -h, --help                  print this help and exit\n"
"  -V, --version               print the version and exit\n"
"\n"
"Exit status: 0 if every operand ended linked, 1 if any did not, 2 for a\n"
"command line of the wrong shape.  See hlink(1).\n";

static void
say(FILE *f, const char *fmt, ...)
{
	va_list	ap;

	fputs("hlink: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static const char *
quoted(const char *name, char *buf)
{
	hl_quote(name, buf, QUOTED_MAX);
	return buf;
}

static void
report_failure(const struct hl_request *req, const struct hl_outcome *out)
{
	char		 src[QUOTED_MAX], dst[QUOTED_MAX], why[WHY_MAX];
	const char	*hint = hl_hint(out);

	hl_format_why(req, out, why, sizeof(why));
	say(stderr, "cannot link %s to %s: %s", quoted(req->dst_shown, dst),
	    quoted(req->src_shown, src), why);
	if (hint != NULL)
		say(stderr, "hint: %s", hint);
}

static void
report_success(const struct run *run, const struct hl_request *req,
    const struct hl_outcome *out)
{
	char		 src[QUOTED_MAX], dst[QUOTED_MAX], why[WHY_MAX];
	bool		 dry = run->flags & HL_DRY_RUN;
	const char	*verb = out->status == HL_REPLACED ? "would replace " :
			    "would link ";

	if (out->status == HL_ALREADY || (!dry && !run->o->verbose &&
	    (out->status != HL_SYMLINKED || run->o->quiet)))
		return;
	quoted(req->dst_shown, dst);
	if (out->status != HL_SYMLINKED) {
		printf("%s%s => %s\n", dry ? verb : "", dst,
		    quoted(req->src_shown, src));
		return;
	}
	if (!dry && !run->o->quiet) {
		hl_format_why(req, out, why, sizeof(why));
		say(stderr, "%s: made a symbolic link instead: %s", dst, why);
	}
	if (dry || run->o->verbose)
		printf("%s%s -> %s\n", dry ? "would make a symbolic link " : "",
		    dst, quoted(out->target, src));
}

/* -i: a reply starting with y or Y replaces; anything else, or none, skips. */
static bool
ask_replace(const char *dst_shown)
{
	char	dst[QUOTED_MAX];
	int	c, first;

	fflush(stdout);
	fprintf(stderr, "hlink: replace %s? ", quoted(dst_shown, dst));
	fflush(stderr);
	first = c = getchar();
	while (c != EOF && c != '\n')
		c = getchar();
	return first == 'y' || first == 'Y';
}

static void
report(struct run *run, const struct hl_request *req,
    const struct hl_outcome *out)
{
	if (out->status == HL_FAILED) {
		report_failure(req, out);
		run->failures++;
	} else
		report_success(run, req, out);
}

static void
report_would_ask(const struct hl_request *req)
{
	char	src[QUOTED_MAX], dst[QUOTED_MAX];

	printf("would ask to replace %s => %s\n", quoted(req->dst_shown, dst),
	    quoted(req->src_shown, src));
}

/* Links one operand. */
static void
link_operand(struct run *run, struct hl_request *req)
{
	struct hl_outcome	out;

	if (hl_link(req, &out) < 0 && out.err == EEXIST &&
	    run->o->replace == REPLACE_ASK) {
		if (run->flags & HL_DRY_RUN) {
			/* A dry run asks nothing: it says it would ask. */
			report_would_ask(req);
			return;
		}
		if (!ask_replace(req->dst_shown)) {
			run->failures++;
			return;
		}
		req->flags |= HL_FORCE;
		hl_link(req, &out);
	}
	report(run, req, &out);
}

static void
tree_report(void *ctx, const struct hl_request *req,
    const struct hl_outcome *out)
{
	report(ctx, req, out);
}

/* A "no" counts as a failure, as for an operand; a dry run asks not. */
static int
tree_ask(void *ctx, const struct hl_request *req)
{
	struct run	*run = ctx;

	if (run->flags & HL_DRY_RUN) {
		report_would_ask(req);
		return -1;
	}
	if (ask_replace(req->dst_shown))
		return 1;
	run->failures++;
	return 0;
}

static void
tree_made_dir(void *ctx, const char *dst, const char *src)
{
	const struct run	*run = ctx;
	char			 q[QUOTED_MAX];

	(void)src;
	if (run->flags & HL_DRY_RUN)
		printf("would create directory %s\n", quoted(dst, q));
	else if (run->o->verbose)
		printf("created directory %s\n", quoted(dst, q));
}

static void
tree_mount_point(void *ctx, const char *dst, const char *src,
    const char *target)
{
	const struct run	*run = ctx;
	char			 s[QUOTED_MAX], d[QUOTED_MAX], t[QUOTED_MAX];
	const char		*made = run->flags & HL_DRY_RUN ?
				    "would make" : "made";

	quoted(src, s);
	quoted(dst, d);
	if (!run->o->quiet && target == NULL)
		say(stderr, "%s: another filesystem is mounted there, "
		    "not entered: %s the empty directory %s", s, made, d);
	else if (!run->o->quiet)
		say(stderr, "%s: another filesystem is mounted there, "
		    "not entered: %s a symbolic link %s instead", s, made, d);
	if (target != NULL && (run->o->verbose || (run->flags & HL_DRY_RUN)))
		printf("%s%s -> %s\n", run->flags & HL_DRY_RUN ?
		    "would make a symbolic link " : "", d, quoted(target, t));
}

/* Stopped before making anything: -s links SRCDIR as a symlink instead. */
static void
tree_cross_device(struct run *run)
{
	struct hl_outcome	out;

	if (run->flags & HL_SYMLINK_FALLBACK) {
		run->failures--;
		link_operand(run, run->tree);
		return;
	}
	hl_diagnose(run->tree, EXDEV, &out);
	report_failure(run->tree, &out);
}

static void
tree_failed(void *ctx, enum hl_tree_failure what, const char *path, int err)
{
	struct run	*run = ctx;
	char		 p[QUOTED_MAX], s[QUOTED_MAX];

	run->failures++;
	quoted(path, p);
	switch (what) {
	case HL_TREE_CROSS_DEVICE:
		tree_cross_device(run);
		break;
	case HL_TREE_INTO_ITSELF:
		say(stderr, "cannot replicate %s inside itself, as %s",
		    quoted(run->tree->src_shown, s), p);
		break;
	case HL_TREE_READ:
		say(stderr, "cannot read directory %s: %s", p, strerror(err));
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
	}
}

static const struct hl_tree_ops tree_ops = {
	tree_report, NULL, tree_made_dir, tree_mount_point, tree_failed
};

static const struct hl_tree_ops tree_ops_asking = {
	tree_report, tree_ask, tree_made_dir, tree_mount_point, tree_failed
};

static bool
src_is_directory(const struct run *run, const char *src)
{
	struct stat	st;

	return fstatat(run->srcdirfd, src, &st,
	    (run->flags & HL_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* An operand: with -r a directory SRC is replicated, else linked. */
static void
do_operand(struct run *run, struct hl_request *req)
{
	struct hl_tree_request	tree = { *req, run->o->jobs,
				    run->o->replace == REPLACE_ASK ?
				    &tree_ops_asking : &tree_ops, run };

	if (!run->o->recursive || !src_is_directory(run, req->src)) {
		link_operand(run, req);
		return;
	}
	run->tree = req;
	hl_tree(&tree);
	run->tree = NULL;
}

/* Links DIR/basename(src), reaching DIR through its open dirfd. */
static void
link_into(struct run *run, int dirfd, const char *dir, size_t dirlen,
    const char *src)
{
	char			 namebuf[PATH_MAX], shown[2 * PATH_MAX];
	const char		*name = hl_basename(src, namebuf, sizeof(namebuf));
	size_t			 namelen = strlen(name);
	struct hl_request	 req = { run->srcdirfd, src, src, dirfd, name,
				    name, run->flags };

	/* The shown name is built with memcpy: this runs once per file. */
	if (dirlen + namelen + 2 <= sizeof(shown)) {
		memcpy(shown, dir, dirlen);
		if (dirlen > 0 && dir[dirlen - 1] != '/')
			shown[dirlen++] = '/';
		memcpy(shown + dirlen, name, namelen + 1);
		req.dst_shown = shown;
	}
	do_operand(run, &req);
}

static void
link_all_into(struct run *run, const char *dir, char **srcs, int nsrcs)
{
	int	dirfd, i;

	dirfd = hl_open_dir(run->dstdirfd, dir, true);
	if (dirfd < 0) {
		char	q[QUOTED_MAX];

		if (errno == ENOTDIR)
			say(stderr, "target %s is not a directory",
			    quoted(dir, q));
		else
			say(stderr, "cannot open directory %s: %s",
			    quoted(dir, q), strerror(errno));
		run->failures++;
		return;
	}
	for (i = 0; i < nsrcs; i++)
		link_into(run, dirfd, dir, strlen(dir), srcs[i]);
	close(dirfd);
}

/*
 * SRC DST: DST is the link's name unless it is a directory (and not -T).
 * A rerun of "hlink -s dir link" finds link, a symlink to dir: that is
 * the link already made, not a directory to put another one in.
 */
static bool
dst_is_directory(const struct run *run, const struct hl_request *req)
{
	struct stat	st;

	if (run->o->no_target_directory ||
	    fstatat(run->dstdirfd, req->dst, &st,
	    run->o->no_dereference ? AT_SYMLINK_NOFOLLOW : 0) < 0 ||
	    !S_ISDIR(st.st_mode))
		return false;
	if (!(run->flags & HL_SYMLINK_FALLBACK) ||
	    fstatat(run->dstdirfd, req->dst, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode))
		return true;
	return !hl_already_linked(req);
}

static void
link_pair(struct run *run, char *src, char *dst)
{
	struct hl_request	req = { run->srcdirfd, src, src, run->dstdirfd,
				    dst, dst, run->flags };

	if (dst_is_directory(run, &req))
		link_all_into(run, dst, &src, 1);
	else
		do_operand(run, &req);
}

static int
open_option_dir(const char *dir, int *fd)
{
	char	q[QUOTED_MAX];

	*fd = hl_open_dir(AT_FDCWD, dir, true);
	if (*fd >= 0)
		return 0;
	say(stderr, "cannot open directory %s: %s", quoted(dir, q),
	    strerror(errno));
	return -1;
}

static int
run_links(const struct options *o)
{
	struct run	run = { o, AT_FDCWD, AT_FDCWD, o->link_flags, 0, NULL };
	int		n = o->noperands;

	if (o->replace == REPLACE_FORCE)
		run.flags |= HL_FORCE;
	if ((o->src_dir != NULL &&
	    open_option_dir(o->src_dir, &run.srcdirfd) < 0) ||
	    (o->dst_dir != NULL &&
	    open_option_dir(o->dst_dir, &run.dstdirfd) < 0))
		return 1;
	if (o->target_directory != NULL)
		link_all_into(&run, o->target_directory, o->operands, n);
	else if (n == 2)
		link_pair(&run, o->operands[0], o->operands[1]);
	else
		link_all_into(&run, o->operands[n - 1], o->operands, n - 1);
	return run.failures > 0 ? 1 : 0;
}

static void
print_name(void *ctx, const char *path)
{
	const struct options	*o = ctx;

	fputs(path, stdout);
	putchar(o->null ? '\0' : '\n');
}

static void
print_unreadable(void *ctx, const char *path, int err)
{
	char	q[QUOTED_MAX];

	(void)ctx;
	say(stderr, "cannot read directory %s: %s", quoted(path, q),
	    strerror(err));
}

static void
report_list_failure(const struct hl_list_request *req,
    const struct hl_list_result *res)
{
	char	file[QUOTED_MAX], root[QUOTED_MAX];

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

/* --list FILE [ROOT]...: exit 1 when the list may be short. */
static int
run_list(const struct options *o)
{
	static struct hl_list_result	res;
	struct hl_list_request		req = { AT_FDCWD, o->operands[0],
					    o->link_flags & HL_FOLLOW,
					    o->operands + 1, o->noperands - 1,
					    print_name, print_unreadable,
					    (void *)o };

	if (hl_list(&req, &res) < 0) {
		report_list_failure(&req, &res);
		return 1;
	}
	if (o->verbose) {
		fflush(stdout);
		say(stderr, "found %lu of %lu names", res.found, res.nlink);
	}
	return res.skipped > 0 ? 1 : 0;
}

/*
 * --dedup's words: every line it prints is here.  hl_dedup() calls
 * these one at a time, from whichever thread.
 */
static void
dedup_relinked(void *ctx, const char *name, const char *kept)
{
	const struct options	*o = ctx;
	char			 n[QUOTED_MAX], k[QUOTED_MAX];

	if (o->link_flags & HL_DRY_RUN)
		printf("would link %s => %s\n", quoted(name, n),
		    quoted(kept, k));
	else if (o->verbose)
		printf("%s => %s\n", quoted(name, n), quoted(kept, k));
}

static void
dedup_failed(void *ctx, const struct hl_request *req,
    const struct hl_outcome *out)
{
	(void)ctx;
	report_failure(req, out);
}

static void
dedup_event(void *ctx, enum hl_dedup_event what, const char *path, int err)
{
	const struct options	*o = ctx;
	char			 p[QUOTED_MAX];

	quoted(path, p);
	switch (what) {
	case HL_DEDUP_BAD_ROOT:
		say(stderr, "cannot read %s: %s", p, strerror(err));
		break;
	case HL_DEDUP_NO_DIR:
		say(stderr, "cannot read directory %s: %s", p, strerror(err));
		break;
	case HL_DEDUP_NO_FILE:
		say(stderr, "cannot read %s: %s", p, strerror(err));
		break;
	case HL_DEDUP_CHANGED:
		say(stderr, "%s changed since it was compared: skipped", p);
		break;
	case HL_DEDUP_OTHER_FS:
		if (!o->quiet)
			say(stderr, "%s: another filesystem is mounted there, "
			    "not entered", p);
		break;
	}
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

static void
dedup_summary(const struct options *o, const struct hl_dedup_stats *st)
{
	bool	dry = o->link_flags & HL_DRY_RUN;
	char	freed[32], held[32];

	if (st->err != 0)
		say(stderr, "stopped: %s", strerror(st->err));
	if (o->quiet)
		return;
	fflush(stdout);
	say(stderr, "%llu name%s %srelinked in %llu group%s of %llu file%s "
	    "scanned; %s %sfreed, %s %sheld by names outside the roots",
	    st->relinked, st->relinked == 1 ? "" : "s",
	    dry ? "would be " : "", st->groups, st->groups == 1 ? "" : "s",
	    st->files, st->files == 1 ? "" : "s",
	    bytes(st->freed, freed, sizeof(freed)), dry ? "would be " : "",
	    bytes(st->held, held, sizeof(held)),
	    dry ? "would still be " : "still ");
}

static const struct hl_dedup_ops dedup_ops = {
	dedup_relinked, dedup_failed, dedup_event
};

static int
run_dedup(const struct options *o)
{
	struct hl_dedup_stats		st;
	struct hl_dedup_request		req = { o->operands, o->noperands,
					    o->dedup.min_size,
					    o->dedup.max_size,
					    o->dedup.content_only,
					    o->dedup.respect_time,
					    o->link_flags & HL_DRY_RUN,
					    o->jobs, &dedup_ops, (void *)o };
	int				rc = hl_dedup(&req, &st);

	dedup_summary(o, &st);
	return rc < 0 ? 1 : 0;
}

/* A verbose run into a full disk or a closed pipe must not say 0. */
static int
flush_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say(stderr, "write error: %s", strerror(errno));
		return 1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct options	o;
	char		msg[512];

	if (parse_options(argc, argv, &o, msg, sizeof(msg)) < 0) {
		say(stderr, "%s", msg);
		fputs("Try 'hlink --help' for more information.\n", stderr);
		return 2;
	}
	if (o.mode == MODE_HELP) {
		fputs(usage_text, stdout);
		return flush_stdout(0);
	}
	if (o.mode == MODE_VERSION) {
		puts("hlink " HLINK_VERSION);
		return flush_stdout(0);
	}
	if (o.list)
		return flush_stdout(run_list(&o));
	if (o.dedup.on)
		return flush_stdout(run_dedup(&o));
	return flush_stdout(run_links(&o));
}
