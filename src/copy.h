/*
 * copy.h: the clone and copy engine behind --fallback=clone,copy and
 * --dedup --clone.
 *
 * Like hl_link(), these report what they did in a struct and never print,
 * exit or keep global state.  The caller decides what to say (messages.c)
 * and whether to try the next KIND (hl_copy_passes()).
 */
#ifndef HLINK_COPY_H
#define HLINK_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Request flags: HL_FOLLOW and HL_FORCE from hardlink.h mean what they
 * mean for hl_link(), plus which KINDs to try, the clone first.
 */
#define HL_COPY_CLONE	0x100	/* FICLONE */
#define HL_COPY_DATA	0x200	/* a full copy */
/*
 * Every extended attribute of SRC, as cp -a keeps them (a replica);
 * without it only the POSIX ACL, as cp -p.
 */
#define HL_COPY_XATTRS	0x400

/*
 * The most one copy_file_range() or FIDEDUPERANGE call is asked for:
 * small enough for the progress line to move and a signal to be seen
 * between calls, large enough to cost nothing.  (Some filesystems cap a
 * dedupe call at 16 MiB anyway.)
 */
#define HL_COPY_CHUNK	((size_t)16 << 20)

/*
 * Progress: fn, when set, is called after each chunk with the bytes that
 * chunk added; a NULL progress costs one test per chunk.  start, when
 * set, is called by hl_link() before a clone or copy of SRC with SRC's
 * size, the bytes that copy is heading for.
 */
struct hl_memo;

struct hl_progress {
	void	(*fn)(void *arg, uint64_t bytes);
	void	 *arg;
	void	(*start)(void *arg, uint64_t total);
};

/*
 * DST (a name, without '/', in dstdirfd) becomes a clone or copy of SRC
 * (relative to srcdirfd).
 */
struct hl_copy_request {
	int			 srcdirfd;
	const char		*src;
	int			 dstdirfd;
	const char		*dst;
	int			 flags;
	const struct hl_progress *progress;	/* or NULL */
	struct hl_memo		*memo;		/* the run's, or NULL */
};

enum hl_made {
	HL_MADE_NOTHING,
	HL_MADE_CLONE,
	HL_MADE_COPY,
	HL_MADE_DEDUPED		/* hl_dedupe_range(): blocks now shared */
};

/* Each cause but NONE is one row of the message table. */
enum hl_copy_cause {
	HL_COPY_NONE,
	HL_COPY_NOT_REGULAR,	/* SRC is no regular file: nothing to copy */
	HL_COPY_CLONE_XDEV,	/* clone: SRC and DST on two filesystems */
	HL_COPY_CLONE_NO_FS,	/* clone: the filesystem shares no blocks */
	HL_COPY_CLONE_NOT_BUILT,	/* clone: not in a POSIX-only build */
	HL_COPY_CLONE_NOT_FILE,	/* clone: the filesystem can, not for SRC */
	HL_COPY_CHANGED,	/* SRC changed while it was copied */
	HL_COPY_EXISTS,		/* DST exists and no HL_FORCE */
	HL_COPY_DST_IS_DIR,	/* DST is a directory, never replaced */
	HL_COPY_NO_SEARCH,	/* EACCES: DST's directory may not be searched */
	HL_COPY_NO_WRITE,	/* EACCES: DST's directory may not be written */
	HL_COPY_ERRNO,		/* err at step: the errno's own row */
	HL_DEDUPE_DIFFERS,	/* the kernel found the contents differ */
	HL_DEDUPE_NO_FS		/* the filesystem cannot share blocks */
};

/* Which step failed: says which path err concerns (SRC or DST's dir). */
enum hl_copy_step {
	HL_STEP_NONE,
	HL_STEP_OPEN_SRC,	/* SRC */
	HL_STEP_CREATE_TEMP,	/* DST's directory */
	HL_STEP_CLONE,		/* both */
	HL_STEP_COPY,		/* copy_file_range(): SRC or DST's filesystem */
	HL_STEP_READ,		/* reading SRC */
	HL_STEP_WRITE,		/* writing DST's filesystem */
	HL_STEP_ATTRIBUTES,	/* DST's filesystem */
	HL_STEP_ACL,		/* SRC's ACL, read or set */
	HL_STEP_XATTRS,		/* another extended attribute */
	HL_STEP_PLACE		/* DST */
};

struct hl_copy_result {
	enum hl_made		made;
	enum hl_copy_cause	cause;	/* why nothing was made */
	enum hl_copy_step	step;
	int			err;	/* the errno behind cause, or 0 */
	enum hl_copy_cause	clone_cause;	/* why a clone passed to copy */
	bool			replaced;	/* an existing DST, HL_FORCE */
	uint64_t		bytes;	/* copied, cloned or now shared */
};

/*
 * Makes DST a clone (HL_COPY_CLONE) or, failing that, a copy
 * (HL_COPY_DATA) of SRC, under a temporary name in DST's directory put
 * into place at the end, so that DST is never seen partial and is as it
 * was after any failure.  Returns 0 when DST was made, else -1; res says
 * what, or why not, either way.
 */
int	hl_clone_or_copy(const struct hl_copy_request *req,
	    struct hl_copy_result *res);

/*
 * --dedup --clone: makes dupfd share keptfd's blocks (FIDEDUPERANGE; the
 * kernel compares the bytes and refuses where they differ).  dupfd keeps
 * its inode and attributes.  Returns 0 with res->bytes now shared, else
 * -1 with HL_DEDUPE_DIFFERS, HL_DEDUPE_NO_FS or HL_COPY_ERRNO.
 */
int	hl_dedupe_range(int keptfd, int dupfd, const struct hl_progress *p,
	    struct hl_copy_result *res);

/* True when cause lets the caller try the next KIND. */
bool	hl_copy_passes(enum hl_copy_cause cause);

#endif
