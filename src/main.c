/*
 * main.c: hlink's command line.  Options come from options.c, links from
 * the core and the modes, every line the user sees from output.c; this
 * file picks the operand form, dispatches each operand and sets the exit
 * status from the run's one failure count.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "dedup.h"
#include "hardlink.h"
#include "list.h"
#include "memo.h"
#include "options.h"
#include "output.h"
#include "path.h"
#include "progress.h"
#include "sys.h"
#include "temp.h"
#include "tree.h"

struct run {
	const struct options	*o;
	int			 srcdirfd;
	int			 dstdirfd;
	int			 flags;		/* for every hl_request */
	int			 failures;	/* the run's one count */
	struct hl_out		*out;
	struct hl_counters	*counters;	/* or NULL: no progress */
	struct hl_memo		*memo;		/* for every hl_request */
	/* A copy's bytes into counters: one copy at a time, then -r's. */
	struct hl_progress	 copies;
	struct hl_progress	 tree_copies;
};

/* The copies' bytes go to the progress line, when there is one. */
static const struct hl_progress *
copies(const struct run *run, bool tree)
{
	if (run->counters == NULL)
		return NULL;
	return tree ? &run->tree_copies : &run->copies;
}

/* Links one operand; a DST kept at -i's question is a failure too. */
static void
link_operand(struct run *run, struct hl_request *req)
{
	struct hl_outcome	out;
	int			answer = 1;

	if (hl_link(req, &out) < 0 && out.err == EEXIST &&
	    run->o->replace == REPLACE_ASK)
		answer = hl_link_ask(req, &out, hl_out_ask, run->out);
	if (answer == 0 || (answer > 0 && out.status == HL_FAILED))
		run->failures++;
	if (answer > 0)
		hl_out_outcome(run->out, req, &out);
	HL_COUNT(run->counters, files, 1);
}

static bool
src_is_directory(const struct run *run, const char *src)
{
	struct stat	st;

	return fstatat(run->srcdirfd, src, &st,
	    (run->flags & HL_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* -r SRCDIR DSTDIR: the tree's failures are the run's. */
static void
replicate(struct run *run, const struct hl_request *req)
{
	struct hl_tree_request	tree = {
		.top = *req,
		.jobs = run->o->jobs,
		.ops = hl_out_tree_ops(run->o->replace == REPLACE_ASK),
		.ctx = run->out,
		.counters = run->counters,
		.progress = copies(run, true),
	};

	run->out->operand = req;
	run->failures += hl_tree(&tree);
	run->out->operand = NULL;
}

/* An operand: with -r a directory SRC is replicated, else linked. */
static void
do_operand(struct run *run, struct hl_request *req)
{
	if (run->o->recursive && src_is_directory(run, req->src))
		replicate(run, req);
	else
		link_operand(run, req);
}

/* Links DIR/basename(src), reaching DIR through its open dirfd. */
static void
link_into(struct run *run, int dirfd, const char *dir, size_t dirlen,
    const char *src)
{
	char			 namebuf[PATH_MAX], shown[2 * PATH_MAX];
	const char		*name = hl_basename(src, namebuf, sizeof(namebuf));
	size_t			 namelen = strlen(name);
	struct hl_request	 req = {
		.srcdirfd = run->srcdirfd,
		.src = src,
		.src_shown = src,
		.dstdirfd = dirfd,
		.dst = name,
		.dst_shown = name,
		.flags = run->flags,
		.progress = copies(run, false),
		.memo = run->memo,
	};

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
		if (errno == ENOTDIR)
			hl_out_not_a_target(run->out, dir);
		else
			hl_out_cannot_open(run->out, dir, errno);
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
	struct hl_request	req = {
		.srcdirfd = run->srcdirfd,
		.src = src,
		.src_shown = src,
		.dstdirfd = run->dstdirfd,
		.dst = dst,
		.dst_shown = dst,
		.flags = run->flags,
		.progress = copies(run, false),
		.memo = run->memo,
	};

	if (dst_is_directory(run, &req))
		link_all_into(run, dst, &src, 1);
	else
		do_operand(run, &req);
}

static int
open_option_dir(struct hl_out *out, const char *dir, int *fd)
{
	*fd = hl_open_dir(AT_FDCWD, dir, true);
	if (*fd >= 0)
		return 0;
	hl_out_cannot_open(out, dir, errno);
	return -1;
}

static int
run_links(const struct options *o, struct hl_out *out,
    struct hl_counters *counters, struct hl_memo *memo)
{
	struct run	run = {
		.o = o,
		.srcdirfd = AT_FDCWD,
		.dstdirfd = AT_FDCWD,
		.flags = o->link_flags | (o->quiet ? HL_NO_NOTICE : 0),
		.out = out,
		.counters = counters,
		.memo = memo,
		.copies = { hl_count_bytes, counters, hl_count_start },
		.tree_copies = { hl_count_bytes, counters, NULL },
	};
	int		n = o->noperands;

	if (o->replace == REPLACE_FORCE)
		run.flags |= HL_FORCE;
	if ((o->src_dir != NULL &&
	    open_option_dir(out, o->src_dir, &run.srcdirfd) < 0) ||
	    (o->dst_dir != NULL &&
	    open_option_dir(out, o->dst_dir, &run.dstdirfd) < 0))
		return 1;
	if (o->target_directory != NULL)
		link_all_into(&run, o->target_directory, o->operands, n);
	else if (n == 2)
		link_pair(&run, o->operands[0], o->operands[1]);
	else
		link_all_into(&run, o->operands[n - 1], o->operands, n - 1);
	return run.failures > 0 ? 1 : 0;
}

/* --list FILE [ROOT]...: exit 1 when the list may be short. */
static int
run_list(const struct options *o, struct hl_out *out)
{
	struct hl_list_result		res;
	struct hl_list_request		req = {
		.dirfd = AT_FDCWD,
		.file = o->operands[0],
		.follow = o->link_flags & HL_FOLLOW,
		.roots = o->operands + 1,
		.nroots = o->noperands - 1,
		.found = hl_out_name,
		.skipped = hl_out_unreadable,
		.ctx = out,
	};

	if (hl_list(&req, &res) < 0) {
		hl_out_list_failure(out, &req, &res);
		return 1;
	}
	if (o->verbose)
		hl_out_list_found(&res);
	return res.skipped > 0 ? 1 : 0;
}

/*
 * Starts the progress line of a run (SPEC.md, "Long runs") over c, when
 * it may show.  Returns the counters to hand the mode, or NULL: nothing
 * to count then.
 */
static struct hl_counters *
progress_start(const struct options *o, struct hl_out *out,
    enum hl_progress_kind kind, struct hl_counters *c)
{
	if (o->progress != PROGRESS_NEVER)
		out->ticker = hl_ticker_start(c, kind,
		    o->progress == PROGRESS_ALWAYS);
	return out->ticker != NULL ? c : NULL;
}

/* Erases the line before the run's last words (a write error). */
static void
progress_stop(struct hl_out *out)
{
	hl_ticker_stop(out->ticker);
	out->ticker = NULL;
}

/* A linking run; --list has no progress line: its output is the names. */
static int
run_links_shown(const struct options *o, struct hl_out *out)
{
	struct hl_counters	counters = { 0 };
	struct hl_memo		memo;
	bool			memo_ok = hl_memo_init(&memo) == 0;
	int			status;

	/* Without the memo every lookup is made anew: slower, not wrong. */
	status = run_links(o, out,
	    progress_start(o, out, HL_PROGRESS_LINKS, &counters),
	    memo_ok ? &memo : NULL);
	progress_stop(out);
	if (memo_ok)
		hl_memo_free(&memo);
	return status;
}

static int
run_dedup(const struct options *o, struct hl_out *out)
{
	struct hl_counters		counters = { 0 };
	struct hl_dedup_stats		st;
	const struct hl_dedup_request	req = {
		.roots = o->operands,
		.nroots = o->noperands,
		.min_size = o->dedup.min_size,
		.max_size = o->dedup.max_size,
		.content_only = o->dedup.content_only,
		.respect_time = o->dedup.respect_time,
		.dry_run = o->link_flags & HL_DRY_RUN,
		.clone = o->dedup.clone,
		.jobs = o->jobs,
		.ops = hl_out_dedup_ops(),
		.ctx = out,
		.counters = progress_start(o, out, HL_PROGRESS_DEDUP,
		    &counters),
	};
	int				rc = hl_dedup(&req, &st);

	progress_stop(out);
	hl_out_dedup_summary(out, &st);
	return rc < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct options	o;
	struct hl_out	out;
	char		msg[512];
	int		status;

	if (parse_options(argc, argv, &o, msg, sizeof(msg)) < 0) {
		hl_out_usage_error(msg);
		return 2;
	}
	if (o.mode == MODE_HELP) {
		hl_out_help();
		return hl_out_flush(0);
	}
	if (o.mode == MODE_VERSION) {
		hl_out_version();
		return hl_out_flush(0);
	}
	out = (struct hl_out){
		.verbose = o.verbose,
		.quiet = o.quiet,
		.dry_run = o.link_flags & HL_DRY_RUN,
		.null = o.null,
	};
	/* From here on a signal removes the temporary names in flight. */
	(void)hl_temp_catch_signals();
	if (o.list)
		status = run_list(&o, &out);
	else if (o.dedup.on)
		status = run_dedup(&o, &out);
	else
		status = run_links_shown(&o, &out);
	hl_out_free(&out);
	return hl_out_flush(status);
}
