/*
 * output.h: every line the user sees.  All of hlink's writes to stdout
 * and stderr go through here (a progress line will too), so that what
 * each line says, how names are quoted, and which lines -v, -q and
 * --dry-run call for is decided in one file.  The modes print nothing:
 * they hand outcomes and events to these functions, one at a time.
 */
#ifndef HLINK_OUTPUT_H
#define HLINK_OUTPUT_H

#include <stdbool.h>

#include "hardlink.h"
#include "dedup.h"
#include "list.h"
#include "progress.h"
#include "tree.h"

struct out_buffers;

/*
 * What the lines depend on.  Not for two threads at once: hl_tree()
 * calls it under its lock.  The buffers for quoted names are taken from
 * the heap when the first line needs them, and freed by hl_out_free().
 */
struct hl_out {
	bool			 verbose;	/* -v */
	bool			 quiet;		/* -q */
	bool			 dry_run;
	bool			 null;		/* -0: --list names end in NUL */
	const struct hl_request	*operand;	/* the -r operand under way */
	struct hl_ticker	*ticker;	/* the progress line, or NULL */
	struct out_buffers	*buf;
};

void	hl_out_free(struct hl_out *o);

/* "hlink: MSG" and the line that points to --help. */
void	hl_out_usage_error(const char *msg);
void	hl_out_help(void);
void	hl_out_version(void);

/*
 * Flushes stdout: a verbose run into a full disk or a closed pipe must
 * not say 0.  Returns status, or 1 after a write error (reported).
 */
int	hl_out_flush(int status);

/* What hl_link() did: a failure and its hint, or -v, -s, --dry-run lines. */
void	hl_out_outcome(void *ctx, const struct hl_request *req,
	    const struct hl_outcome *out);

/*
 * -i: asks whether to replace req's DST, as the ask of hl_link_ask();
 * under --dry-run says it would ask instead.
 */
int	hl_out_ask(void *out, const struct hl_request *req);

/* Directory DIR could not be opened (an operand, or --src-dir...). */
void	hl_out_cannot_open(struct hl_out *o, const char *dir, int err);
/* The last operand should be the target directory, and is not one. */
void	hl_out_not_a_target(struct hl_out *o, const char *dir);

/* The callbacks of hl_tree(), with or without -i; ctx is a struct hl_out. */
const struct hl_tree_ops *hl_out_tree_ops(bool asking);

/* --list: a name found, a directory skipped, a search that could not run. */
void	hl_out_name(void *out, const char *path);
void	hl_out_unreadable(void *out, const char *path, int err);
void	hl_out_list_failure(struct hl_out *o,
	    const struct hl_list_request *req,
	    const struct hl_list_result *res);
/* -v: how many of FILE's names the search found. */
void	hl_out_list_found(const struct hl_list_result *res);

/* --dedup: its callbacks (ctx is a struct hl_out), and the summary. */
const struct hl_dedup_ops *hl_out_dedup_ops(void);
void	hl_out_dedup_summary(struct hl_out *o,
	    const struct hl_dedup_stats *st);

#endif
