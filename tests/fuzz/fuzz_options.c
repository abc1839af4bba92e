/*
 * fuzz_options.c: libFuzzer harness for parse_options() (src/options.c).
 *
 * The input is a command line: its bytes, split at each NUL, are the
 * arguments after argv[0] (at most MAX_ARGS of them).  options.c needs
 * hl_quote() from src/quote.c, linked as it is, and hl_cpu_count() from
 * src/sys.c, stubbed below, so no system call is made and nothing touches
 * the filesystem.  Each argument is a heap block of its exact size, so
 * that AddressSanitizer sees a read past its end.
 *
 * Beside "no crash, no sanitizer report", it checks what SPEC.md says of
 * a command line: a usage error is one printable line; a parse that
 * succeeds leaves operands inside argv, no -T with -t, no --relative
 * without -s, no -0 without --list; and a second parse of the same line
 * gives the same answer (getopt_long() keeps state between calls).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardlink.h"
#include "options.h"
#include "sys.h"

#define MAX_ARGS	64
#define MSG_SIZE	512	/* main.c's message buffer */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The default of -j; the real one asks the system. */
long
hl_cpu_count(void)
{
	return 4;
}

/* --fallback=clone is taken, as in a Linux build. */
bool
hl_can_clone(void)
{
	return true;
}

struct cmdline {
	int	  argc;
	char	**argv;		/* getopt_long() permutes this */
	char	**args;		/* the same strings, in input order */
};

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_options: %s\n", what);
	abort();
}

static char *
dup_bytes(const uint8_t *p, size_t len)
{
	char	*s = malloc(len + 1);

	if (s == NULL)
		die("out of memory");
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static void
split(const uint8_t *data, size_t size, struct cmdline *c)
{
	const uint8_t	*p = data, *end = data + size, *nul;
	int		 i;

	c->argv = calloc(MAX_ARGS + 2, sizeof(*c->argv));
	c->args = calloc(MAX_ARGS + 2, sizeof(*c->args));
	if (c->argv == NULL || c->args == NULL)
		die("out of memory");
	c->args[0] = dup_bytes((const uint8_t *)"hlink", 5);
	c->argc = 1;
	while (p < end && c->argc <= MAX_ARGS) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		c->args[c->argc++] = dup_bytes(p, (size_t)(nul - p));
		p = nul + 1;
	}
	for (i = 0; i < c->argc; i++)
		c->argv[i] = c->args[i];
	c->argv[c->argc] = NULL;
}

static void
free_cmdline(struct cmdline *c)
{
	int	i;

	for (i = 0; i < c->argc; i++)
		free(c->args[i]);
	free(c->args);
	free(c->argv);
}

/* True when p points into one of the argument strings. */
static int
in_args(const struct cmdline *c, const char *p)
{
	int	i;

	for (i = 0; i < c->argc; i++)
		if (p >= c->args[i] && p <= c->args[i] + strlen(c->args[i]))
			return 1;
	return 0;
}

static int
is_arg(const struct cmdline *c, const char *p)
{
	int	i;

	for (i = 1; i < c->argc; i++)
		if (p == c->args[i])
			return 1;
	return 0;
}

static void
check_message(const char *msg)
{
	const unsigned char	*p = (const unsigned char *)msg;
	const char		*nul = memchr(msg, '\0', MSG_SIZE);

	if (nul == NULL)
		die("usage message not terminated");
	if (nul == msg)
		die("usage error with an empty message");
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			die("control byte in a usage message");
}

static void
check_parse(const struct cmdline *c, const struct options *o)
{
	int	i;

	if (o->mode != MODE_LINK)
		return;
	if (o->noperands < 1 || o->noperands >= c->argc ||
	    o->operands + o->noperands != c->argv + c->argc)
		die("operands are not the tail of argv");
	for (i = 0; i < o->noperands; i++)
		if (!is_arg(c, o->operands[i]))
			die("an operand is not one of the arguments");
	if ((o->target_directory != NULL && !in_args(c, o->target_directory)) ||
	    (o->src_dir != NULL && !in_args(c, o->src_dir)) ||
	    (o->dst_dir != NULL && !in_args(c, o->dst_dir)))
		die("an option argument points outside argv");
	if (o->target_directory != NULL && o->no_target_directory)
		die("-t and -T accepted together");
	if ((o->link_flags & HL_RELATIVE) &&
	    !(o->link_flags & HL_SYMLINK_FALLBACK))
		die("--relative accepted without -s");
	if (o->null && !o->list)
		die("-0 accepted without --list");
	if (o->list && o->link_option != NULL)
		die("--list accepted with a link option");
	if (o->jobs < 1 || o->jobs > HL_MAX_JOBS)
		die("-j accepted out of range");
}

/* Parses a fresh copy of the command line; the caller frees it. */
static int
parse(const uint8_t *data, size_t size, struct cmdline *c,
    struct options *o, char *msg)
{
	int	rc;

	split(data, size, c);
	memset(msg, 0x55, MSG_SIZE);
	rc = parse_options(c->argc, c->argv, o, msg, MSG_SIZE);
	if (rc == 0)
		check_parse(c, o);
	else if (rc == -1)
		check_message(msg);
	else
		die("parse_options returned neither 0 nor -1");
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmdline	 c1, c2;
	struct options	 o1, o2;
	char		*m1 = malloc(MSG_SIZE), *m2 = malloc(MSG_SIZE);
	int		 rc1, rc2;

	if (m1 == NULL || m2 == NULL)
		die("out of memory");
	rc1 = parse(data, size, &c1, &o1, m1);
	rc2 = parse(data, size, &c2, &o2, m2);
	if (rc1 != rc2 || (rc1 < 0 && strcmp(m1, m2) != 0))
		die("two parses of one command line differ");
	if (rc1 == 0 && (o1.mode != o2.mode || o1.noperands != o2.noperands ||
	    o1.link_flags != o2.link_flags || o1.replace != o2.replace ||
	    o1.jobs != o2.jobs))
		die("two parses of one command line differ");
	free_cmdline(&c1);
	free_cmdline(&c2);
	free(m1);
	free(m2);
	return 0;
}
