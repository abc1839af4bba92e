/*
 * hold_rename.c: an LD_PRELOAD shim for t_dedup.sh.  The first renameat()
 * writes its new name to $HOLD_DIR/name and then waits until a line is
 * written to the FIFO $HOLD_DIR/go, so that the test can change a file
 * between hlink's comparison and its next link.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
renameat(int olddirfd, const char *old, int newdirfd, const char *new)
{
	static int	 held;
	int		(*real)(int, const char *, int, const char *);
	const char	*dir = getenv("HOLD_DIR");
	char		 path[4096], tmp[4096], c;
	FILE		*f;
	int		 fd;

	real = (int (*)(int, const char *, int, const char *))
	    dlsym(RTLD_NEXT, "renameat");
	if (!held++ && dir != NULL) {
		snprintf(tmp, sizeof(tmp), "%s/name.tmp", dir);
		snprintf(path, sizeof(path), "%s/name", dir);
		if ((f = fopen(tmp, "w")) != NULL) {
			fprintf(f, "%s\n", new);
			fclose(f);
			rename(tmp, path);	/* the test sees it whole */
		}
		snprintf(path, sizeof(path), "%s/go", dir);
		if ((fd = open(path, O_RDONLY)) >= 0) {
			while (read(fd, &c, 1) == 1 && c != '\n')
				;
			close(fd);
		}
	}
	return real(olddirfd, old, newdirfd, new);
}
