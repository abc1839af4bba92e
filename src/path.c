/*
 * path.c: path strings for messages and symlink targets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

/* Length of path without its trailing slashes ("/" keeps its one). */
static size_t
trimmed_length(const char *path)
{
	size_t	len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return len;
}

/* Length of the directory part of path: 0 when it has none. */
static size_t
parent_length(const char *path)
{
	size_t	len = trimmed_length(path);

	while (len > 0 && path[len - 1] != '/')
		len--;
	while (len > 1 && path[len - 1] == '/')
		len--;
	return len;
}

static void
copy_prefix(const char *path, size_t len, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)len, path);
}

void
hl_parent(const char *path, char *buf, size_t size)
{
	size_t	len = parent_length(path);

	if (len == 0)
		copy_prefix(".", 1, buf, size);
	else
		copy_prefix(path, len, buf, size);
}

void
hl_shown_prefix(const char *call, const char *shown, size_t len,
    char *buf, size_t size)
{
	size_t	call_len = strlen(call), shown_len = strlen(shown);

	if (shown_len >= call_len &&
	    strcmp(shown + shown_len - call_len, call) == 0)
		len += shown_len - call_len;
	else
		shown = call;
	while (len > 1 && shown[len - 1] == '/')
		len--;
	if (len == 0)
		copy_prefix(".", 1, buf, size);
	else
		copy_prefix(shown, len, buf, size);
}

void
hl_shown_parent(const char *call, const char *shown, char *buf, size_t size)
{
	hl_shown_prefix(call, shown, parent_length(call), buf, size);
}

bool
hl_next_dir_prefix(const char *path, size_t *len, char *prefix, size_t size)
{
	size_t		pos = *len;
	const char	*slash, *rest;

	while (path[pos] == '/')
		pos++;
	slash = strchr(path + pos, '/');
	if (slash == NULL)
		return false;
	for (rest = slash; *rest == '/'; rest++)
		;
	if (*rest == '\0')
		return false;	/* a trailing slash ends the last name */
	*len = (size_t)(slash - path);
	copy_prefix(path, *len, prefix, size);
	return true;
}

bool
hl_has_trailing_slash(const char *path)
{
	size_t	len = strlen(path);

	return len > 1 && path[len - 1] == '/';
}

const char *
hl_basename(const char *path, char *buf, size_t size)
{
	size_t		end = trimmed_length(path), start;
	const char	*slash;

	if (path[end] == '\0') {
		slash = strrchr(path, '/');
		return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
	}
	if (end == 1 && path[0] == '/')
		return "/";
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	copy_prefix(path + start, end - start, buf, size);
	return buf;
}

static size_t
count_names(const char *path)
{
	size_t	n = 0;

	while (*path != '\0') {
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		n++;
		while (*path != '\0' && *path != '/')
			path++;
	}
	return n;
}

/* Length of the longest common leading directory of from and to. */
static size_t
common_length(const char *from, const char *to)
{
	size_t	i = 0, last = 0;

	while (from[i] != '\0' && from[i] == to[i]) {
		if (from[i] == '/')
			last = i + 1;
		i++;
	}
	if ((from[i] == '\0' && (to[i] == '/' || to[i] == '\0')) ||
	    (to[i] == '\0' && from[i] == '/'))
		last = i;
	return last;
}

int
hl_relative_path(const char *from, const char *to, char *buf, size_t size)
{
	size_t	common = common_length(from, to), ups, len = 0;
	int	n;

	ups = count_names(from + common);
	to += common;
	while (*to == '/')
		to++;
	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (; ups > 0; ups--) {
		n = snprintf(buf + len, size - len, "%s", ups > 1 || *to ? "../" : "..");
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "%s", len == 0 && *to == '\0' ? "." : to);
	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

int
hl_pathbuf_join(struct hl_pathbuf *pb, size_t len, const char *name)
{
	size_t	namelen = strlen(name), need, cap;
	bool	slash = len > 0 && pb->s[len - 1] != '/';
	char	*p;

	need = len + slash + namelen + 1;
	if (need > pb->cap) {
		for (cap = pb->cap ? pb->cap : 256; cap < need; cap *= 2)
			;
		if ((p = realloc(pb->s, cap)) == NULL)
			return -1;
		pb->s = p;
		pb->cap = cap;
	}
	if (slash)
		pb->s[len++] = '/';
	memcpy(pb->s + len, name, namelen + 1);
	return (int)(len + namelen);
}
