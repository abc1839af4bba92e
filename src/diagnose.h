/*
 * diagnose.h: the core's own view of why a link failed (diagnose.c).
 * Only the core and the modes built on it fill in outcomes this way; the
 * words for a cause are messages.c's.
 */
#ifndef HLINK_DIAGNOSE_H
#define HLINK_DIAGNOSE_H

#include "hardlink.h"

/* Fills out's cause, role and detail for errno err from a link attempt. */
void	hl_diagnose(const struct hl_request *req, int err,
	    struct hl_outcome *out);

/*
 * hl_diagnose() but for the mount points of a cross-filesystem link,
 * which take a few lookups per file and only a notice or a failure
 * names: hl_diagnose_finish() adds them when those are to be said.
 */
void	hl_diagnose_link(const struct hl_request *req, int err,
	    struct hl_outcome *out);
void	hl_diagnose_finish(const struct hl_request *req,
	    struct hl_outcome *out);

/*
 * --dry-run: the errno linkat() would give because of SRC itself (st,
 * looked up as the link would), told by the same predicates as the
 * diagnosis of a real failure: EPERM for a directory, another user's
 * file under fs.protected_hardlinks or an immutable file, EMLINK for a
 * file at its filesystem's link limit where that limit is known; else 0.
 */
struct stat;
int	hl_foreseen_error(const struct hl_request *req, const struct stat *st);

/*
 * DST's directory is immutable or append-only (attr: HL_ATTR_ bits from
 * hl_attributes()): a failure with EPERM, found before trying.
 */
void	hl_diagnose_protected_dir(const struct hl_request *req, int attr,
	    struct hl_outcome *out);

/* The same for errno err from renaming the link over DST (-f). */
void	hl_diagnose_replace(const struct hl_request *req, int err,
	    struct hl_outcome *out);

/*
 * A clone or copy that failed at DST itself (copy.h): fills out as a
 * link's failure there and returns true, else returns false.
 */
struct hl_copy_result;

bool	hl_diagnose_copy(const struct hl_request *req,
	    const struct hl_copy_result *res, struct hl_outcome *out);

#endif
