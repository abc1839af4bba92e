/*
 * sandbox.h: a temporary directory for one unit test, and its removal.
 */
#ifndef HLINK_TEST_SANDBOX_H
#define HLINK_TEST_SANDBOX_H

struct sandbox {
	char	dir[64];
	int	dirfd;
};

/* Makes /tmp/hlink-unit.XXXXXX, mode 0755, and opens it. */
int	sandbox_make(struct sandbox *sb);

/* Removes the directory and everything in it. */
int	sandbox_remove(struct sandbox *sb);

#endif
