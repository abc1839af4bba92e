/*
 * The floor for "hlink -t DIR SRC...": open DIR once, then one linkat per SRC
 * into that fd, named by SRC's last component, following a symlink SRC as
 * hlink does by default.  Nothing else: no checks, no messages.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *name;
	int dirfd, i, status;

	if (argc < 2)
		return 1;
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		return 1;
	status = 0;
	for (i = 2; i < argc; i++) {
		name = strrchr(argv[i], '/');
		name = name != NULL ? name + 1 : argv[i];
		if (linkat(AT_FDCWD, argv[i], dirfd, name,
		    AT_SYMLINK_FOLLOW) != 0)
			status = 1;
	}
	return status;
}
