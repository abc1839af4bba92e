/*
 * memo.c: a run's lookups, made once.  /proc/self/mountinfo costs the
 * kernel a line per mount to write and us a pass to read: for a notice
 * per file of a large run that was most of the run.  The table is read
 * when first needed and kept for the run; mounts made or removed while
 * hlink runs are not seen, which only a notice's words would show.
 * Whether unnamed files can be linked is asked once too: a copy each.
 */
#include <string.h>

#include "memo.h"
#include "sys.h"

int
hl_memo_init(struct hl_memo *m)
{
	memset(m, 0, sizeof(*m));
	return pthread_mutex_init(&m->lock, NULL) == 0 ? 0 : -1;
}

void
hl_memo_free(struct hl_memo *m)
{
	hl_mounts_free(&m->mounts);
	pthread_mutex_destroy(&m->lock);
}

int
hl_memo_mount_point(struct hl_memo *m, const char *path, char *buf,
    size_t size)
{
	int	rc;

	if (m == NULL)
		return hl_mount_point(path, buf, size);
	pthread_mutex_lock(&m->lock);
	if (m->mounts_read == 0)
		m->mounts_read = hl_mounts_all(&m->mounts) == 0 ? 1 : -1;
	if (m->mounts_read > 0)
		rc = hl_mount_point_in(&m->mounts, path, buf, size);
	else
		rc = hl_mount_point(path, buf, size);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

bool
hl_memo_unnamed_linkable(struct hl_memo *m)
{
	bool	linkable;

	if (m == NULL)
		return hl_unnamed_linkable();
	pthread_mutex_lock(&m->lock);
	if (m->unnamed == 0)
		m->unnamed = hl_unnamed_linkable() ? 1 : -1;
	linkable = m->unnamed > 0;
	pthread_mutex_unlock(&m->lock);
	return linkable;
}
