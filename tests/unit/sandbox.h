/*
 * sandbox.h: a temporary directory for one unit test, and its removal.
 */
#ifndef HLINK_TEST_SANDBOX_H
#define HLINK_TEST_SANDBOX_H

#include <sys/stat.h>

#include <stdbool.h>

struct sandbox {
	char	dir[64];
	int	dirfd;
};

/* Makes /tmp/hlink-unit.XXXXXX, mode 0755, and opens it. */
int	sandbox_make(struct sandbox *sb);

/* Removes the directory and everything in it. */
int	sandbox_remove(struct sandbox *sb);

/* What the tests ask of names in a directory; a failed call fails the test. */
struct stat	sandbox_stat(int dirfd, const char *name);	/* lstat */
bool	sandbox_exists(int dirfd, const char *name);
bool	sandbox_same_file(int dirfd, const char *a, const char *b);
bool	sandbox_same_bytes(int dirfd, const char *a, const char *b);

/*
 * No ".hlink.*" temporary name is left in the directory.  The scan itself
 * must work: a directory that cannot be read proves nothing.
 */
void	sandbox_assert_no_temp(int dirfd);

#endif
