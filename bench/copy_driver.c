/*
 * copy_driver.c: hl_clone_or_copy() alone, for timing the engine against
 * cp before the CLI calls it.  Not installed.
 *
 *	copy_driver clone|copy|clone,copy [-f] SRC DSTDIR/NAME
 *
 * Build (from the top): make build/copy_driver
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardlink.h"
#include "copy.h"

static int
kinds(const char *s)
{
	if (strcmp(s, "clone") == 0)
		return HL_COPY_CLONE;
	if (strcmp(s, "copy") == 0)
		return HL_COPY_DATA;
	if (strcmp(s, "clone,copy") == 0)
		return HL_COPY_CLONE | HL_COPY_DATA;
	return 0;
}

int
main(int argc, char **argv)
{
	struct hl_copy_request	req = { AT_FDCWD, NULL, AT_FDCWD, NULL, 0,
				    NULL };
	struct hl_copy_result	res;
	char			dir[4096], *slash;
	int			argi = 2;

	if (argc < 4 || (req.flags = kinds(argv[1])) == 0) {
		fprintf(stderr, "usage: copy_driver clone|copy|clone,copy "
		    "[-f] SRC DST\n");
		return 2;
	}
	if (strcmp(argv[argi], "-f") == 0 && argi++)
		req.flags |= HL_FORCE;
	req.src = argv[argi++];
	snprintf(dir, sizeof(dir), "%s", argv[argi]);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		req.dst = argv[argi] + (slash - dir) + 1;
		req.dstdirfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY);
	} else
		req.dst = argv[argi];
	if (hl_clone_or_copy(&req, &res) < 0) {
		fprintf(stderr, "copy_driver: cause %d step %d: %s\n",
		    (int)res.cause, (int)res.step, strerror(res.err));
		return 1;
	}
	return 0;
}
