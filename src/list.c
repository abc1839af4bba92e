/*
 * list.c: --list.  Every name of FILE's inode under the ROOTs.
 *
 * find -samefile stats every entry.  Directory entries already carry the
 * inode number (d_ino) and usually the type (d_type), so this walk stats
 * only the entries whose d_ino is FILE's, to confirm the device, and
 * opens only directories.  It stops once it has found FILE's link count.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "sys.h"
#include "walk.h"

struct search {
	const struct hl_list_request	*req;
	struct hl_list_result		*res;
	dev_t				 dev;
	ino_t				 ino;
	bool				 check_dev;	/* mounts below */
};

/*
 * A mount point's d_ino is the inode it covers, on the parent's device,
 * so a matching d_ino is only a candidate until fstatat() confirms it.
 */
static bool
is_name_of_file(const struct search *s, int dirfd,
    const struct hl_walk_entry *e)
{
	struct stat	st;

	return e->ino == s->ino &&
	    fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == s->dev && st.st_ino == s->ino;
}

static bool
is_directory(int dirfd, const struct hl_walk_entry *e)
{
	struct stat	st;

	if (e->type != HL_TYPE_UNKNOWN)
		return e->type == HL_TYPE_DIR;
	return fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

static void
skip_directory(struct search *s, const char *path, int err)
{
	s->res->skipped++;
	s->req->skipped(s->req->ctx, path, err);
}

static void
visit(struct search *s, struct hl_walk *w, const struct hl_walk_entry *e)
{
	int	fd = hl_walk_fd(w);

	if (is_name_of_file(s, fd, e)) {
		s->res->found++;
		s->req->found(s->req->ctx, hl_walk_path(w, e->name));
	} else if (is_directory(fd, e) &&
	    hl_walk_enter(w, e->name, s->check_dev ? &s->dev : NULL) < 0 &&
	    errno != EXDEV)	/* another filesystem: never entered */
		skip_directory(s, hl_walk_path(w, e->name), errno);
}

static void
search_root(struct search *s, const char *root)
{
	struct hl_walk		w;
	struct hl_walk_entry	e;
	struct stat		st;
	enum hl_walk_event	ev = HL_WALK_ENTRY;

	if (hl_walk_open(&w, s->req->dirfd, root, &st) < 0) {
		skip_directory(s, root, errno);
		return;
	}
	s->check_dev = hl_mounts_below(s->req->dirfd, root);
	while (ev != HL_WALK_END && s->res->found < s->res->nlink) {
		ev = hl_walk_next(&w, &e);
		if (ev == HL_WALK_ENTRY)
			visit(s, &w, &e);
		else if (ev == HL_WALK_ERROR)
			skip_directory(s, hl_walk_path(&w, NULL), w.err);
	}
	hl_walk_close(&w);
}

/* Every ROOT is checked before the search starts: no half answers. */
static int
check_roots(struct search *s)
{
	const struct hl_list_request	*req = s->req;
	struct stat			 st;
	int				 i;

	for (i = 0; i < req->nroots; i++) {
		s->res->root = req->roots[i];
		if (fstatat(req->dirfd, req->roots[i], &st, 0) < 0) {
			s->res->status = HL_LIST_BAD_ROOT;
			s->res->err = errno;
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			s->res->status = HL_LIST_BAD_ROOT;
			s->res->err = ENOTDIR;
			return -1;
		}
		if (st.st_dev != s->dev) {
			s->res->status = HL_LIST_OTHER_FS;
			return -1;
		}
	}
	return 0;
}

static int
fail(struct hl_list_result *res, enum hl_list_status status)
{
	res->status = status;
	res->err = errno;
	return -1;
}

int
hl_list(const struct hl_list_request *req, struct hl_list_result *res)
{
	struct search	s = { req, res, 0, 0, true };
	struct stat	st;
	char		real[PATH_MAX];
	int		i;

	res->status = HL_LIST_DONE;
	res->found = res->skipped = 0;
	res->root = NULL;
	if (fstatat(req->dirfd, req->file, &st,
	    req->follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(res, HL_LIST_NO_FILE);
	s.dev = st.st_dev;
	s.ino = st.st_ino;
	res->nlink = (unsigned long)st.st_nlink;
	if (req->nroots == 0) {
		if (hl_realpath_at(req->dirfd, req->file, req->follow, real,
		    sizeof(real)) < 0 ||
		    hl_mount_point(real, res->mount, sizeof(res->mount)) < 0)
			return fail(res, HL_LIST_NO_MOUNT);
		res->root = res->mount;
		search_root(&s, res->mount);
		return 0;
	}
	if (check_roots(&s) < 0)
		return -1;
	for (i = 0; i < req->nroots && res->found < res->nlink; i++)
		search_root(&s, req->roots[i]);
	return 0;
}
