/*
 * path.h: path strings, for messages and symlink targets only.
 *
 * Syscalls reach files through directory fds; these helpers compute what
 * a message shows and what a fallback symlink holds.
 */
#ifndef HLINK_PATH_H
#define HLINK_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Writes path's directory ("." when it has none) to buf. */
void	hl_parent(const char *path, char *buf, size_t size);

/*
 * shown is call as the user names it, ending with call ("DIR/name" for
 * "name").  Writes to buf the shown name of call's first len bytes, or of
 * call's parent directory.
 */
void	hl_shown_prefix(const char *call, const char *shown, size_t len,
	    char *buf, size_t size);
void	hl_shown_parent(const char *call, const char *shown, char *buf,
	    size_t size);

/*
 * Steps *len to the end of the next directory on path, before a '/', and
 * writes path's first *len bytes to prefix.  False past the last one.
 */
bool	hl_next_dir_prefix(const char *path, size_t *len, char *prefix,
	    size_t size);

/* True when path ends in '/' (and is not just "/"). */
bool	hl_has_trailing_slash(const char *path);

/*
 * The last name in path, ignoring trailing slashes.  Points into path
 * when it can, else into buf.
 */
const char *hl_basename(const char *path, char *buf, size_t size);

/*
 * Writes the path of to relative to the directory from; both absolute
 * and physical, as realpath(3) gives them.  -1 if buf is too small.
 */
int	hl_relative_path(const char *from, const char *to, char *buf,
	    size_t size);

/*
 * A path that grows without limit, as walks go deeper than PATH_MAX.
 * hl_pathbuf_join() writes name after the first len bytes, with a '/'
 * between unless there is one, and returns the new length or -1.
 */
struct hl_pathbuf {
	char	*s;
	size_t	 cap;
};

int	hl_pathbuf_join(struct hl_pathbuf *pb, size_t len, const char *name);

#endif
