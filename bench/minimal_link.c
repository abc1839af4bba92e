/*
 * The floor for one "hlink SRC DST": a dynamically linked program that makes
 * one hard link and does nothing else (no options, no locale, no stdio, no
 * messages).  It follows a symlink SRC, as hlink does by default, so both do
 * the same work in the kernel.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc != 3)
		return 1;
	return linkat(AT_FDCWD, argv[1], AT_FDCWD, argv[2],
	    AT_SYMLINK_FOLLOW) != 0;
}
