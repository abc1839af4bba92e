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

#include "hardlink.h"
#include "list.h"
#include "options.h"
#include "path.h"
#include "sys.h"

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
};

static const char usage_text[] =
"Usage: hlink [OPTION]... [-T] SRC DST\n"
"  or:  hlink [OPTION]... SRC... DIR\n"
"  or:  hlink [OPTION]... -t DIR SRC...\n"
"  or:  hlink --list [-0LPv] FILE [ROOT]...\n"
"Make DST a hard link to SRC, or make DIR/basename(SRC) for each SRC.\n"
"With --list, print every name of FILE's inode under the ROOTs (by\n"
"default, FILE's whole filesystem).\n"
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
"      --list                  print the names of FILE (see above)\n"
"  -0, --null                  with --list, end each name with NUL\n"
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
link_operand(struct run *run, struct hl_request *req)
{
	struct hl_outcome	out;

	if (hl_link(req, &out) < 0 && out.err == EEXIST &&
	    run->o->replace == REPLACE_ASK) {
		if (!ask_replace(req->dst_shown)) {
			run->failures++;
			return;
		}
		req->flags |= HL_FORCE;
		hl_link(req, &out);
	}
	if (out.status == HL_FAILED) {
		report_failure(req, &out);
		run->failures++;
	} else
		report_success(run, req, &out);
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
	link_operand(run, &req);
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

/* SRC DST: DST is the link's name unless it is a directory (and not -T). */
static bool
dst_is_directory(const struct run *run, const char *dst)
{
	struct stat	st;

	if (run->o->no_target_directory)
		return false;
	return fstatat(run->dstdirfd, dst, &st,
	    run->o->no_dereference ? AT_SYMLINK_NOFOLLOW : 0) == 0 &&
	    S_ISDIR(st.st_mode);
}

static void
link_pair(struct run *run, char *src, char *dst)
{
	struct hl_request	req = { run->srcdirfd, src, src, run->dstdirfd,
				    dst, dst, run->flags };

	if (dst_is_directory(run, dst))
		link_all_into(run, dst, &src, 1);
	else
		link_operand(run, &req);
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
	struct run	run = { o, AT_FDCWD, AT_FDCWD, o->link_flags, 0 };
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
		say(stderr, "%s is not on the filesystem of %s, so no name of "
		    "it can be there", root, file);
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
	return flush_stdout(run_links(&o));
}
