/*
 * temp.h: temporary names beside the names they replace, removed on
 * every path, SIGINT, SIGTERM, SIGHUP and SIGPIPE included.
 */
#ifndef HLINK_TEMP_H
#define HLINK_TEMP_H

#include <stdbool.h>
#include <stddef.h>

/* ".hlink." and six random letters or digits: the man page names it. */
#define HL_TEMP_PREFIX		".hlink."
#define HL_TEMP_NAME_MAX	16
/* Random names collide once in 62^6; 100 tries is plenty. */
#define HL_TEMP_TRIES		100

struct slot;

/* A temporary name that exists: dirfd stays open while it does. */
struct hl_temp {
	struct slot	*slot;
	int		 dirfd;
	char		 name[HL_TEMP_NAME_MAX];
};

/*
 * Installs the handlers that remove every temporary name in flight and
 * then die of the signal.  A signal ignored at start stays ignored.
 */
int	hl_temp_catch_signals(void);

/* "\r" and "erase to the end of the line": a progress line's end. */
#define HL_TEMP_ERASE_LINE	"\r\033[K"

/*
 * Tells the handlers whether a progress line is on stderr now, so that
 * a signal that ends hlink erases it too.
 */
void	hl_temp_line_shown(bool shown);

/* Writes a fresh temporary name to buf. */
void	hl_temp_name(char *buf, size_t size, unsigned attempt);

/*
 * Makes a temporary name in dirfd with make(dirfd, name, arg), which
 * returns 0 or -1 with errno set; tries new names while it fails with
 * EEXIST.  On success t holds the name, registered for removal on a
 * signal.  Returns -1 with make's errno otherwise.
 */
int	hl_temp_make(struct hl_temp *t, int dirfd,
	    int (*make)(int dirfd, const char *name, void *arg), void *arg);

/* Renames the temporary name over to; on failure it is kept. */
int	hl_temp_rename(struct hl_temp *t, int todirfd, const char *to);

/*
 * Removes the temporary name (errno is kept).  Returns 0, or the errno
 * that left it in place, for the caller to say so with its name.
 */
int	hl_temp_remove(struct hl_temp *t);

/* Stops watching the name: it was renamed or handed over. */
void	hl_temp_forget(struct hl_temp *t);

#endif
