/*
 * progress.h: the progress line of a long run (SPEC.md, "Long runs").
 *
 * The modes count what they do in a struct hl_counters (counters.h) and
 * never print; a ticker, a thread of its own started by main.c, reads
 * the counters and draws the line on stderr.  output.c holds the ticker
 * around every other line it writes, so that the progress line is erased
 * first and redrawn after, never mixed into a -v line or a message.
 */
#ifndef HLINK_PROGRESS_H
#define HLINK_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"

/* Which counters the line shows, and in which words. */
enum hl_progress_kind {
	/* "hlink: 1200 files, 35 directories, 1.2 MiB of 3.0 MiB copied" */
	HL_PROGRESS_LINKS,
	/* "hlink: 1200 files walked, 1.2 GiB of 3.0 GiB compared, 7 names
	 * relinked" */
	HL_PROGRESS_DEDUP
};

/* The line does not start for this long, nor, on a terminal, redraw
 * more often than every tick; without a terminal a line is printed
 * every HL_PROGRESS_PLAIN. */
#define HL_PROGRESS_DELAY_MS	1000
#define HL_PROGRESS_TICK_MS	100
#define HL_PROGRESS_PLAIN_MS	5000

/*
 * bytes as "0 B", "1023 B", "1.0 KiB", "1.2 MiB" ... "16.0 EiB": one
 * decimal, rounded down (a copy never shows done before it is).
 */
void	hl_progress_size(char *buf, size_t size, uint64_t bytes);

/*
 * The line for c, without a carriage return or newline, cut to size - 1
 * bytes.  Returns its length.
 */
size_t	hl_progress_format(char *buf, size_t size,
	    enum hl_progress_kind kind, const struct hl_counters *c);

struct hl_ticker;

/*
 * Starts the ticker for c (owned by the caller, alive until
 * hl_ticker_stop()) when a line may show: stderr is a terminal, or
 * always (--progress).  Returns NULL when no line will show (not a
 * terminal, or the thread could not start): the caller then hands the
 * modes NULL counters and nothing is counted.
 */
struct hl_ticker	*hl_ticker_start(const struct hl_counters *c,
			    enum hl_progress_kind kind, bool always);

/*
 * hold: erases the line if it is shown and keeps the ticker from drawing
 * until release; around every other line written to stdout or stderr.
 * Both accept NULL.  Not reentrant.
 */
void	hl_ticker_hold(struct hl_ticker *t);
void	hl_ticker_release(struct hl_ticker *t);

/* Stops the ticker, erases the line, frees t; NULL is a no-op. */
void	hl_ticker_stop(struct hl_ticker *t);

#endif
