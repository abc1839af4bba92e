/*
 * hardlink.h: the hlink core.
 *
 * hl_link() makes one link and returns what happened in a struct
 * hl_outcome.  It never prints, never exits and keeps no global state:
 * the caller turns outcomes into messages (hl_format_why() and friends)
 * and exit statuses.
 */
#ifndef HLINK_HARDLINK_H
#define HLINK_HARDLINK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Request flags. */
#define HL_FOLLOW		0x01	/* link what a symlink SRC resolves to */
#define HL_FORCE		0x02	/* replace an existing DST atomically */
#define HL_SYMLINK_FALLBACK	0x04	/* symlink where no hard link can be */
#define HL_RELATIVE		0x08	/* fallback symlink holds a relative path */
#define HL_DRY_RUN		0x10	/* predict the outcome, change nothing */
/*
 * The caller says nothing of a fallback that was made (-q): the mount
 * points a cross-filesystem notice names are looked up only when the
 * operand fails after all, as a failure is always reported.
 */
#define HL_NO_NOTICE		0x20
/*
 * --dedup: DST's directory is known to be neither immutable nor
 * append-only (it took a replacement before): not asked again per name.
 */
#define HL_DIR_PLAIN		0x40

/*
 * --fallback=KIND[,KIND]...: up to three KINDs, two bits each from bit
 * HL_FALLBACK_SHIFT, the first tried in the lowest.  No list at all with
 * HL_SYMLINK_FALLBACK set is the list "symlink" (-s).  HL_SYMLINK_FALLBACK
 * is set whenever the list holds symlink, as the checks that ask whether
 * DST may already be a fallback symlink look at it alone.
 */
#define HL_KIND_NONE		0
#define HL_KIND_SYMLINK		1
#define HL_KIND_CLONE		2
#define HL_KIND_COPY		3
#define HL_FALLBACK_MAX		3
#define HL_FALLBACK_SHIFT	16
#define HL_FALLBACK_MASK	(0x3f << HL_FALLBACK_SHIFT)
#define HL_FALLBACK_KIND(flags, i) \
	(((flags) >> (HL_FALLBACK_SHIFT + 2 * (i))) & 3)
#define HL_FALLBACK_SET(kind, i) \
	((kind) << (HL_FALLBACK_SHIFT + 2 * (i)))

/*
 * A dstdirfd under HL_DRY_RUN for a directory that hl_tree() would make:
 * hl_link() predicts a new link without looking for DST.
 */
#define HL_PLANNED_DIR	(-200)

struct hl_progress;
struct hl_memo;

/*
 * One link to make: DST (relative to dstdirfd) becomes a link to SRC
 * (relative to srcdirfd).  src_shown and dst_shown are the names as the
 * user would write them; each must end with the corresponding syscall
 * path (dst_shown is "DIR/name" when dst is "name" inside an opened DIR).
 */
struct hl_request {
	int		 srcdirfd;
	const char	*src;
	const char	*src_shown;
	int		 dstdirfd;
	const char	*dst;
	const char	*dst_shown;
	int		 flags;
	const struct hl_progress *progress;	/* copies' bytes, or NULL */
	struct hl_memo	*memo;		/* the run's lookups, or NULL */
};

enum hl_status {
	HL_LINKED,		/* a new hard link */
	HL_ALREADY,		/* DST already was SRC: nothing changed */
	HL_REPLACED,		/* an existing DST was replaced by the link */
	HL_SYMLINKED,		/* a symbolic link was made instead; see cause */
	HL_CLONED,		/* --fallback: a clone instead; see cause */
	HL_COPIED,		/* --fallback: a copy instead; see cause */
	HL_FAILED		/* nothing changed; see cause and err */
};

/*
 * Why a link failed or fell back to a symlink.  Each cause is one row of
 * the message table in messages.c; which may fall back is diagnose.c's.
 */
enum hl_cause {
	HL_CAUSE_NONE,
	HL_CAUSE_SRC_MISSING,		/* ENOENT: SRC does not exist */
	HL_CAUSE_SRC_DANGLING,		/* ENOENT: SRC is a dangling symlink */
	HL_CAUSE_DSTDIR_MISSING,	/* ENOENT: DST's directory does not */
	HL_CAUSE_EXISTS,		/* EEXIST */
	HL_CAUSE_CROSS_DEVICE,		/* EXDEV: where=SRC's, where2=DST's mount */
	HL_CAUSE_SRC_IS_DIR,		/* EPERM: no hard links to directories */
	HL_CAUSE_NO_LINKS_FS,		/* EPERM/ENOTSUP: fs has no hard links */
	HL_CAUSE_NO_LINKS_AT_ALL,	/* -s too: no symlinks either (mqueue) */
	HL_CAUSE_OTHER_OWNER,		/* EPERM: fs.protected_hardlinks */
	HL_CAUSE_IMMUTABLE,		/* EPERM: immutable or append-only */
	HL_CAUSE_DST_IMMUTABLE,		/* EPERM: -f over such a DST */
	HL_CAUSE_DIR_IMMUTABLE,		/* EPERM: DST's directory, where */
	HL_CAUSE_DIR_APPEND_ONLY,	/* EPERM: -f in where: adds, never
					   replaces a name */
	HL_CAUSE_TOO_MANY_LINKS,	/* EMLINK: nlink and link_max */
	HL_CAUSE_NO_SEARCH,		/* EACCES: where may not be searched */
	HL_CAUSE_NO_WRITE,		/* EACCES: where may not be written */
	HL_CAUSE_NO_SPACE,		/* ENOSPC on the fs mounted at where */
	HL_CAUSE_QUOTA,			/* EDQUOT on the fs mounted at where */
	HL_CAUSE_READ_ONLY,		/* EROFS on the fs mounted at where */
	HL_CAUSE_IO,			/* EIO on the fs mounted at where */
	HL_CAUSE_LOOP,			/* ELOOP resolving path */
	HL_CAUSE_NAME_TOO_LONG,		/* ENAMETOOLONG: path or a name in it */
	HL_CAUSE_NOT_DIR,		/* ENOTDIR: where is not a directory */
	HL_CAUSE_DST_IS_DIR,		/* -f over a directory (EISDIR...) */
	HL_CAUSE_STICKY,		/* -f: DST another's in a sticky dir */
	HL_CAUSE_EMPTY_NAME,		/* ENOENT: DST is "" */
	HL_CAUSE_CHANGED,		/* SRC changed between the call and the
					   diagnosis: nothing explains err now */
	HL_CAUSE_NO_SPECIAL,		/* -r replica: mknod refused (EPERM) */
	HL_CAUSE_OTHER			/* anything else: strerror(err) */
};

/* Which operand a failure concerns. */
enum hl_role {
	HL_ROLE_NONE,
	HL_ROLE_SRC,
	HL_ROLE_DST,
	HL_ROLE_DSTDIR
};

/*
 * What hl_link() did.  Only the fields that the status and cause call
 * for are set; the buffers are not cleared, to keep the fast path fast.
 */
struct hl_outcome {
	enum hl_status	status;
	enum hl_cause	cause;		/* failure, or why it fell back */
	int		err;		/* the errno behind cause */
	enum hl_role	role;
	bool		replaced;	/* HL_SYMLINKED over an existing DST */
	unsigned long	nlink;		/* HL_CAUSE_TOO_MANY_LINKS */
	long		link_max;	/* -1 when the filesystem does not say */
	char		path[PATH_MAX];	/* the path concerned, as shown */
	char		where[PATH_MAX];	/* a directory or mount point */
	char		where2[PATH_MAX];	/* DST's mount point for EXDEV */
	char		target[PATH_MAX];	/* HL_SYMLINKED: what it holds */
	/*
	 * --fallback: the KINDs tried after the link itself failed for
	 * cause, in order, each with why it was not made (the last one
	 * tried, when the operand failed, is what ended it).  ntried is 0
	 * when no KIND was tried, or the only one was -s's symlink.
	 */
	int		ntried;
	struct hl_tried {
		int	kind;		/* HL_KIND_... */
		int	why;		/* enum hl_copy_cause (copy.h) */
		int	step;		/* enum hl_copy_step */
		int	err;
	}		tried[HL_FALLBACK_MAX];
	int		replica;	/* -r: DSTDIR a replica of these KINDs
					   (copy.h's HL_COPY_CLONE, _DATA) */
	/* HL_LINKED, HL_REPLACED with replica: the entry DST is linked to. */
	const char	*linked_to;
	uint64_t	bytes;		/* HL_CLONED, HL_COPIED: its size */
	char		fsdir[PATH_MAX];	/* DST's mount point, for tried */
	/*
	 * A temporary name that could not be removed (a directory made
	 * append-only meanwhile, an I/O error), as shown, and why; "" when
	 * none was left.  Set in every HL_FAILED outcome.
	 */
	char		temp_left[PATH_MAX];
	int		temp_err;
};

/*
 * Makes req->dst a link to req->src.  Returns 0 when DST ended linked
 * (HL_LINKED, HL_ALREADY, HL_REPLACED, HL_SYMLINKED) and -1 when it did
 * not (HL_FAILED), with out filled in either way.  Under HL_DRY_RUN it
 * changes nothing and reports what it would have done.
 */
int	hl_link(const struct hl_request *req, struct hl_outcome *out);

/*
 * -i, once hl_link() has failed because DST exists (out->err EEXIST):
 * ask(ctx, req) decides whether to replace it (> 0: hl_link() again,
 * with HL_FORCE, into out), keep it (0: a failure, with nothing more to
 * say) or neither (< 0: a dry run, which only says it would ask).
 * Returns the answer.
 */
int	hl_link_ask(struct hl_request *req, struct hl_outcome *out,
	    int (*ask)(void *ctx, const struct hl_request *req), void *ctx);

/*
 * --dedup: replaces DST, an existing name directly in dstdirfd, by a
 * link to SRC, as -f does (a temporary name renamed over it, made only
 * once dstdirfd is seen to be neither immutable nor append-only, unless
 * HL_DIR_PLAIN), with no linkat() tried first.  Returns 0 (HL_REPLACED)
 * or -1 (HL_FAILED).
 */
int	hl_relink(const struct hl_request *req, struct hl_outcome *out);

/*
 * True when DST already is what hl_link() would make: a name of the inode
 * it would link (SRC's own entry included, so "hlink a a" never removes
 * a), or under HL_SYMLINK_FALLBACK a symlink that resolves to SRC's file.
 */
bool	hl_already_linked(const struct hl_request *req);

/* True when -s may make a symlink for this cause (diagnose.c). */
bool	hl_cause_falls_back(enum hl_cause cause);

/* The i-th KIND of flags' fallback list, HL_KIND_NONE past its end. */
int	hl_fallback_kind(int flags, int i);

/*
 * Messages (messages.c).  Each writes one line's text, without newline,
 * to buf and returns its length as snprintf does.  Names are quoted.
 */
int	hl_format_why(const struct hl_request *req,
	    const struct hl_outcome *out, char *buf, size_t size);
/* The hint for out's cause, or NULL when there is none. */
const char *hl_hint(const struct hl_outcome *out);
/* The same for a name --dedup could not replace: no linking options. */
const char *hl_dedup_hint(const struct hl_outcome *out);

/*
 * Quoting (quote.c): writes name between single quotes to buf, with
 * control characters, backslashes, quotes and invalid UTF-8 escaped.
 * Returns the length it needed, as snprintf does; buf is always
 * terminated when size > 0.
 */
size_t	hl_quote(const char *name, char *buf, size_t size);

#endif
