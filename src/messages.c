/*
 * messages.c: the one table that turns a cause into words.
 *
 * Each row is a template for the "why" of
 *	hlink: cannot link 'DST' to 'SRC': <why>
 * and a hint for the line after it.  Which causes may fall back to a
 * symbolic link is policy, not words: diagnose.c decides that.
 * In a template, $S is SRC and $D is DST as the user named them, $P the
 * path the failure concerns, $W and $V the directories or mount points
 * the core found, $N the link count, $L " (limit)" when the limit is
 * known, $F DST's mount point (for --fallback's KINDs), $Q DST's
 * directory as the user named it, and $E
 * strerror(errno).  Every name is quoted by hl_quote().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "copy.h"
#include "hardlink.h"
#include "path.h"
#include "sys.h"

#define HINT_SYMLINK	"use -s to make a symbolic link instead"
#define HINT_ATTRS	"see lsattr(1) and chattr(1)"

struct row {
	const char	*why;
	const char	*hint;
};

static const struct row table[] = {
	[HL_CAUSE_NONE] = { "$E", NULL },
	[HL_CAUSE_SRC_MISSING] = { "$S does not exist", NULL },
	[HL_CAUSE_SRC_DANGLING] = { "$S is a dangling symbolic link",
	    "use -P to link the symbolic link itself" },
	[HL_CAUSE_DSTDIR_MISSING] = { "directory $P does not exist", NULL },
	[HL_CAUSE_EXISTS] = { "$D already exists", "use -f to replace it" },
	[HL_CAUSE_CROSS_DEVICE] = {
	    "$S is on $W and $D would be on $V, another filesystem",
	    HINT_SYMLINK },
	[HL_CAUSE_SRC_IS_DIR] = {
	    "$S is a directory, and directories cannot be hard-linked",
	    HINT_SYMLINK },
	[HL_CAUSE_NO_LINKS_FS] = {
	    "the filesystem at $W does not support hard links",
	    HINT_SYMLINK },
	[HL_CAUSE_NO_LINKS_AT_ALL] = {
	    "the filesystem at $W supports neither hard nor symbolic links",
	    NULL },
	[HL_CAUSE_OTHER_OWNER] = {
	    "$S belongs to another user, and fs.protected_hardlinks forbids "
	    "linking it",
	    HINT_SYMLINK ", or run as the file's owner" },
	[HL_CAUSE_IMMUTABLE] = { "$S is immutable or append-only",
	    HINT_ATTRS },
	[HL_CAUSE_DST_IMMUTABLE] = {
	    "$D is immutable or append-only, and cannot be replaced",
	    HINT_ATTRS },
	[HL_CAUSE_DIR_IMMUTABLE] = {
	    "directory $W is immutable: no name in it can be made or replaced",
	    HINT_ATTRS },
	[HL_CAUSE_DIR_APPEND_ONLY] = {
	    "directory $W is append-only: names can be added to it but not "
	    "replaced",
	    HINT_ATTRS },
	[HL_CAUSE_TOO_MANY_LINKS] = {
	    "$S already has $N links, the maximum$L for its filesystem",
	    HINT_SYMLINK },
	[HL_CAUSE_NO_SEARCH] = { "no permission to search directory $W",
	    NULL },
	[HL_CAUSE_NO_WRITE] = { "no permission to write in directory $W",
	    NULL },
	[HL_CAUSE_NO_SPACE] = { "no space left on the filesystem at $W",
	    NULL },
	[HL_CAUSE_QUOTA] = { "disk quota exceeded on the filesystem at $W",
	    NULL },
	[HL_CAUSE_READ_ONLY] = { "the filesystem at $W is read-only", NULL },
	[HL_CAUSE_IO] = { "input/output error on the filesystem at $W", NULL },
	[HL_CAUSE_LOOP] = { "too many levels of symbolic links in $P", NULL },
	[HL_CAUSE_NAME_TOO_LONG] = { "$P or a name in it is too long", NULL },
	[HL_CAUSE_NOT_DIR] = { "$W is not a directory", NULL },
	[HL_CAUSE_DST_IS_DIR] = { "$D is a directory and cannot be replaced",
	    NULL },
	[HL_CAUSE_STICKY] = {
	    "$D belongs to another user, and only its owner may replace it in "
	    "sticky directory $W", NULL },
	[HL_CAUSE_EMPTY_NAME] = { "an empty name cannot name a link", NULL },
	[HL_CAUSE_CHANGED] = {
	    "$S changed while hlink was linking it ($E)",
	    "run hlink again once nothing else changes it" },
	[HL_CAUSE_NO_SPECIAL] = { "cannot create the special file $D: $E",
	    NULL },
	[HL_CAUSE_OTHER] = { "$E", NULL },
};

/*
 * --fallback: why a KIND was not made, after the link's own why.  A row
 * per copy.c cause; HL_COPY_ERRNO has a row per step below.
 */
static const char *const kind_why[] = {
	[HL_COPY_NONE] = "$E",
	[HL_COPY_NOT_REGULAR] = "$S is not a regular file",
	[HL_COPY_CLONE_XDEV] = "no clone across filesystems",
	[HL_COPY_CLONE_NO_FS] = "the filesystem at $F cannot clone",
	[HL_COPY_CLONE_NOT_BUILT] = "clones are not supported in this build",
	/* chattr +C: a Btrfs file without copy-on-write has no clones */
	[HL_COPY_CLONE_NOT_FILE] =
	    "the filesystem at $F refuses to clone $S (chattr +C)",
	[HL_COPY_CHANGED] = "$S changed while it was copied",
	[HL_COPY_EXISTS] = "$D already exists",
	[HL_COPY_DST_IS_DIR] = "$D is a directory and cannot be replaced",
	[HL_COPY_NO_SEARCH] = "no permission to search directory $Q",
	[HL_COPY_NO_WRITE] = "no permission to write in directory $Q",
	[HL_COPY_ERRNO] = "$E",
	[HL_DEDUPE_DIFFERS] = "the contents differ",
	[HL_DEDUPE_NO_FS] = "the filesystem at $F cannot share blocks",
};

static const char *const step_why[] = {
	[HL_STEP_NONE] = "$E",
	[HL_STEP_OPEN_SRC] = "cannot read $S: $E",
	[HL_STEP_CREATE_TEMP] = "cannot create a file in directory $Q: $E",
	[HL_STEP_CLONE] = "$E",
	[HL_STEP_COPY] = "cannot copy $S: $E",
	[HL_STEP_READ] = "cannot read $S: $E",
	[HL_STEP_WRITE] = "cannot write to the filesystem at $F: $E",
	[HL_STEP_ATTRIBUTES] = "cannot set its mode, owner or times: $E",
	[HL_STEP_ACL] = "cannot copy its ACL: $E",
	[HL_STEP_XATTRS] = "cannot copy its extended attributes: $E",
	[HL_STEP_PLACE] = "cannot put it in place as $D: $E",
};

static const char *const kind_name[] = {
	[HL_KIND_NONE] = "?",
	[HL_KIND_SYMLINK] = "symlink",
	[HL_KIND_CLONE] = "clone",
	[HL_KIND_COPY] = "copy",
};

/* A KIND's errno that is the filesystem's: the same words as a link's. */
static const char *
filesystem_why(int err)
{
	switch (err) {
	case ENOSPC:
		return "no space left on the filesystem at $F";
#ifdef EDQUOT
	case EDQUOT:
		return "disk quota exceeded on the filesystem at $F";
#endif
	case EROFS:
		return "the filesystem at $F is read-only";
	case EIO:
		return "input/output error on the filesystem at $F";
	default:
		return NULL;
	}
}

/*
 * The KIND symlink's errno: EPERM is what a filesystem with no symbolic
 * links says (mqueue), as it said for the hard link.
 */
static const char *
symlink_why(int err)
{
	const char	*why;

	if (err == EPERM || hl_not_supported(err))
		return "the filesystem at $F does not support symbolic links";
	if ((why = filesystem_why(err)) != NULL)
		return why;
	return "cannot make $D: $E";
}

static const char *
tried_why(const struct hl_tried *t)
{
	const char	*why;

	if (t->kind == HL_KIND_SYMLINK)
		return symlink_why(t->err);
	if (t->why < 0 ||
	    (size_t)t->why >= sizeof(kind_why) / sizeof(kind_why[0]))
		return "$E";
	if (t->why != HL_COPY_ERRNO)
		return kind_why[t->why];
	if (t->step != HL_STEP_OPEN_SRC && (why = filesystem_why(t->err)))
		return why;
	if (t->step < 0 ||
	    (size_t)t->step >= sizeof(step_why) / sizeof(step_why[0]))
		return "$E";
	return step_why[t->step];
}

static const struct row *
row_of(enum hl_cause cause)
{
	if ((size_t)cause >= sizeof(table) / sizeof(table[0]))
		cause = HL_CAUSE_OTHER;
	return &table[cause];
}

const char *
hl_hint(const struct hl_outcome *out)
{
	/* After --fallback's KINDs, "use -s" would be no help. */
	if (out->status == HL_FAILED && out->ntried > 0)
		return NULL;
	return row_of(out->cause)->hint;
}

/*
 * In --dedup the linking options (-s, -f, -P) are usage errors, and so no
 * help: a hint that names one is left out or reworded.
 */
const char *
hl_dedup_hint(const struct hl_outcome *out)
{
	switch (out->cause) {
	case HL_CAUSE_OTHER_OWNER:
		return "run as the file's owner";
	case HL_CAUSE_IMMUTABLE:
	case HL_CAUSE_DST_IMMUTABLE:
	case HL_CAUSE_DIR_IMMUTABLE:
	case HL_CAUSE_DIR_APPEND_ONLY:
	case HL_CAUSE_CHANGED:
		return row_of(out->cause)->hint;
	default:
		return NULL;
	}
}

struct text {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void
append(struct text *t, const char *s, size_t n)
{
	size_t	room = t->len < t->size ? t->size - t->len : 0;

	if (room > 0) {
		memcpy(t->buf + t->len, s, n < room ? n : room - 1);
		t->buf[t->len + (n < room ? n : room - 1)] = '\0';
	}
	t->len += n;
}

static void
append_quoted(struct text *t, const char *name)
{
	size_t	room = t->len < t->size ? t->size - t->len : 0;

	t->len += hl_quote(name, room > 0 ? t->buf + t->len : NULL, room);
}

static void
append_field(struct text *t, char field, const struct hl_request *req,
    const struct hl_outcome *out, int err)
{
	char	num[128], path[PATH_MAX];

	switch (field) {
	case 'S':
		append_quoted(t, req->src_shown);
		return;
	case 'D':
		append_quoted(t, req->dst_shown);
		return;
	case 'P':
		append_quoted(t, out->path);
		return;
	case 'W':
		append_quoted(t, out->where);
		return;
	case 'V':
		append_quoted(t, out->where2);
		return;
	case 'F':
		append_quoted(t, out->fsdir);
		return;
	case 'Q':
		hl_shown_parent(req->dst, req->dst_shown, path, sizeof(path));
		append_quoted(t, path);
		return;
	case 'N':
		snprintf(num, sizeof(num), "%lu", out->nlink);
		break;
	case 'L':
		num[0] = '\0';
		if (out->link_max > 0)
			snprintf(num, sizeof(num), " (%ld)", out->link_max);
		break;
	case 'E':
		snprintf(num, sizeof(num), "%s", strerror(err));
		break;
	default:
		num[0] = field;
		num[1] = '\0';
	}
	append(t, num, strlen(num));
}

static void
append_template(struct text *t, const char *p, const struct hl_request *req,
    const struct hl_outcome *out, int err)
{
	const char	*dollar;

	while ((dollar = strchr(p, '$')) != NULL && dollar[1] != '\0') {
		append(t, p, (size_t)(dollar - p));
		append_field(t, dollar[1], req, out, err);
		p = dollar + 2;
	}
	append(t, p, strlen(p));
}

/*
 * The link's why and, for a failure after --fallback's KINDs, each
 * KIND's: "...another filesystem; clone: ...; copy: ...".
 */
int
hl_format_why(const struct hl_request *req, const struct hl_outcome *out,
    char *buf, size_t size)
{
	struct text	 t = { buf, size, 0 };
	int		 i, kind;

	if (size > 0)
		buf[0] = '\0';
	append_template(&t, row_of(out->cause)->why, req, out, out->err);
	for (i = 0; out->status == HL_FAILED && i < out->ntried &&
	    i < HL_FALLBACK_MAX; i++) {
		kind = out->tried[i].kind;
		append(&t, "; ", 2);
		if (kind < 0 || kind > HL_KIND_COPY)
			kind = HL_KIND_NONE;
		append(&t, kind_name[kind], strlen(kind_name[kind]));
		append(&t, ": ", 2);
		append_template(&t, tried_why(&out->tried[i]), req, out,
		    out->tried[i].err);
	}
	return (int)t.len;
}
