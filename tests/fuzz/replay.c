/*
 * replay.c: runs a fuzz harness over input files without libFuzzer, so
 * that the seed corpus and the regression inputs can be replayed by any
 * compiler and under valgrind:  replay_quote FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path)
{
	FILE	*f = fopen(path, "rb");
	uint8_t	*data = NULL, *bigger;
	size_t	 len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((bigger = realloc(data, cap)) == NULL) {
				free(data);
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", path);
				return -1;
			}
			data = bigger;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	int	i, done = 0;

	for (i = 1; i < argc; i++)
		if (replay(argv[i]) == 0)
			done++;
	printf("replayed %d of %d input(s)\n", done, argc - 1);
	return done == argc - 1 ? 0 : 1;
}
