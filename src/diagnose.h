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

/* The same for errno err from renaming the link over DST (-f). */
void	hl_diagnose_replace(const struct hl_request *req, int err,
	    struct hl_outcome *out);

#endif
