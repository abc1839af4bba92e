/*
 * counters.h: what a long run has done so far, for the progress line.
 *
 * The caller (main.c) owns one struct hl_counters and hands the modes a
 * pointer to it, or NULL when no progress line can show; the modes only
 * add to its fields, from any thread, and never learn who reads them
 * (progress.c, a thread of its own, ten times a second).  A header
 * without a file: the adds are inline, one relaxed atomic add each, and
 * with a NULL pointer one test.  No field but bytes_total is ever
 * decreased.
 */
#ifndef HLINK_COUNTERS_H
#define HLINK_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

struct hl_counters {
	/*
	 * -r and the plain forms: operands and tree entries (files,
	 * symlinks, fifos...) done, linked or not.  --dedup: regular files
	 * walked (seen and sized), bumped by the walk.
	 */
	uint64_t	files;
	/* -r: directories of the replica finished (left by the walk). */
	uint64_t	dirs;
	/*
	 * Copies (--fallback=copy, a tree's replica on another
	 * filesystem): bytes copied, through hl_count_bytes() as the
	 * struct hl_progress of copy.h.  --dedup: bytes compared, counting
	 * each file of a pair read (2 x the length compared), or, with
	 * --clone, bytes given to FIDEDUPERANGE.
	 */
	uint64_t	bytes_done;
	/*
	 * What bytes_done is heading for, 0 when unknown: the plain forms,
	 * once a copy starts, what was done before it plus SRC's size (set
	 * by hl_count_start(), which may lower it after a copy that
	 * failed midway); --dedup: the bytes of every file that has a same-sized
	 * partner (added when the partner is found, so it grows during the
	 * walk and stands still while comparing).
	 */
	uint64_t	bytes_total;
	/* --dedup: names now linked to the kept file (or blocks shared). */
	uint64_t	relinked;
};

/* Adds n to *field of counters that may be NULL (progress off). */
#define HL_COUNT(counters, field, n)					\
	do {								\
		struct hl_counters *hl_c_ = (counters);			\
		if (hl_c_ != NULL)					\
			__atomic_fetch_add(&hl_c_->field, (uint64_t)(n),\
			    __ATOMIC_RELAXED);				\
	} while (0)

/* The reader's side: one field, whole, at any moment. */
static inline uint64_t
hl_count_read(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/*
 * The fn of copy.h's struct hl_progress, arg a struct hl_counters (or
 * NULL): { hl_count_bytes, counters } counts a copy's bytes as done.
 */
static inline void
hl_count_bytes(void *arg, uint64_t bytes)
{
	HL_COUNT((struct hl_counters *)arg, bytes_done, bytes);
}

/*
 * The start of copy.h's struct hl_progress, for the plain forms, where
 * one copy at a time is made: the total becomes what is done so far
 * plus the size of the copy starting.  (-r copies on many threads and
 * shows no total.)
 */
static inline void
hl_count_start(void *arg, uint64_t total)
{
	struct hl_counters	*c = arg;

	if (c != NULL)
		__atomic_store_n(&c->bytes_total,
		    hl_count_read(&c->bytes_done) + total, __ATOMIC_RELAXED);
}

#endif
