/*
 * options.c: the command line.  getopt_long() fills one struct; the
 * checks that need the whole line (operand counts, option pairs) follow.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardlink.h"
#include "options.h"
#include "sys.h"

/* The text of a macro's value, for a message. */
#define STRING(x)	STRING_OF(x)
#define STRING_OF(x)	#x

enum long_only {
	OPT_SRC_DIR = CHAR_MAX + 1,
	OPT_DST_DIR,
	OPT_RELATIVE,
	OPT_DRY_RUN,
	OPT_LIST,
	OPT_FALLBACK,	/* links' options end here: see note_link_option() */
	OPT_DEDUP,
	OPT_MIN_SIZE,
	OPT_MAX_SIZE,
	OPT_CONTENT_ONLY,
	OPT_RESPECT_TIME,
	OPT_CLONE,
	OPT_PROGRESS,
	OPT_NO_PROGRESS
};

/* A leading ':' makes getopt return ':' for a missing argument. */
static const char short_options[] = ":LPsfinTt:vqrj:hV0";

static const struct option long_options[] = {
	{ "follow",		no_argument,		NULL, 'L' },
	{ "no-follow",		no_argument,		NULL, 'P' },
	{ "src-dir",		required_argument,	NULL, OPT_SRC_DIR },
	{ "dst-dir",		required_argument,	NULL, OPT_DST_DIR },
	{ "symlink-fallback",	no_argument,		NULL, 's' },
	{ "fallback",		required_argument,	NULL, OPT_FALLBACK },
	{ "relative",		no_argument,		NULL, OPT_RELATIVE },
	{ "force",		no_argument,		NULL, 'f' },
	{ "interactive",	no_argument,		NULL, 'i' },
	{ "no-dereference",	no_argument,		NULL, 'n' },
	{ "no-target-directory", no_argument,		NULL, 'T' },
	{ "target-directory",	required_argument,	NULL, 't' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "recursive",		no_argument,		NULL, 'r' },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "list",		no_argument,		NULL, OPT_LIST },
	{ "progress",		no_argument,		NULL, OPT_PROGRESS },
	{ "no-progress",	no_argument,		NULL, OPT_NO_PROGRESS },
	{ "null",		no_argument,		NULL, '0' },
	{ "dedup",		no_argument,		NULL, OPT_DEDUP },
	{ "min-size",		required_argument,	NULL, OPT_MIN_SIZE },
	{ "max-size",		required_argument,	NULL, OPT_MAX_SIZE },
	{ "content-only",	no_argument,		NULL, OPT_CONTENT_ONLY },
	{ "respect-time",	no_argument,		NULL, OPT_RESPECT_TIME },
	{ "clone",		no_argument,		NULL, OPT_CLONE },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static int
usage_error(char *msg, size_t size, const char *text, const char *arg)
{
	char	quoted[256];

	if (arg != NULL) {
		hl_quote(arg, quoted, sizeof(quoted));
		snprintf(msg, size, text, quoted);
	} else
		snprintf(msg, size, "%s", text);
	return -1;
}

static const struct option *
long_option_of(int val)
{
	const struct option	*o;

	for (o = long_options; o->name != NULL; o++)
		if (o->val == val)
			return o;
	return NULL;
}

/* True when "--abbrev[=value]" starts more than one long option's name. */
static bool
is_ambiguous(const char *word)
{
	const struct option	*o;
	size_t			 len = strcspn(word + 2, "=");
	int			 matches = 0;

	if (strncmp(word, "--", 2) != 0)
		return false;
	for (o = long_options; o->name != NULL; o++)
		if (strncmp(o->name, word + 2, len) == 0)
			matches++;
	return matches > 1;
}

/*
 * getopt_long() said '?' or ':'; say which option, in GNU's words.  glibc
 * leaves the option's value in optopt (0 for an unknown long option), and
 * argv[optind - 1] is its word only when nothing follows it in the word.
 */
static int
bad_option(int c, int argc, char **argv, char *msg, size_t size)
{
	const struct option	*known = long_option_of(optopt);
	const char		*word = argv[optind - 1];
	char			 name[64], letter[2] = { (char)optopt, '\0' };

	/* musl moves optind past argc after a missing last argument. */
	if (optind > argc || word == NULL)
		word = "";

	if (known != NULL)
		snprintf(name, sizeof(name), "--%s", known->name);
	if (c == ':' && known != NULL && strncmp(word, "--", 2) == 0)
		return usage_error(msg, size, "option %s requires an argument",
		    name);
	if (c == ':')
		return usage_error(msg, size,
		    "option requires an argument -- %s", letter);
	if (optopt == 0 && is_ambiguous(word))
		return usage_error(msg, size, "option %s is ambiguous", word);
	if (optopt == 0)
		return usage_error(msg, size, "unrecognized option %s", word);
	if (known != NULL)
		return usage_error(msg, size,
		    "option %s doesn't allow an argument", name);
	return usage_error(msg, size, "invalid option -- %s", letter);
}

/* The options of --dedup; 1 when c was one of them. */
static int
apply_dedup_option(int c, struct options *o)
{
	struct dedup_options	*d = &o->dedup;

	switch (c) {
	case OPT_DEDUP:
		d->on = true;
		return 1;
	case OPT_MIN_SIZE:
		d->min_arg = optarg;
		break;
	case OPT_MAX_SIZE:
		d->max_arg = optarg;
		break;
	case OPT_CONTENT_ONLY:
		d->content_only = true;
		break;
	case OPT_RESPECT_TIME:
		d->respect_time = true;
		break;
	case OPT_CLONE:
		d->clone = true;
		break;
	default:
		if (d->conflict == NULL && (c == OPT_SRC_DIR ||
		    c == OPT_DST_DIR || c == OPT_RELATIVE || c == OPT_LIST ||
		    c == OPT_FALLBACK ||
		    (c <= CHAR_MAX && strchr("fisnTtLPr0", c) != NULL)))
			d->conflict = long_option_of(c)->name;
		return 0;
	}
	if (d->only == NULL)
		d->only = long_option_of(c)->name;
	return 1;
}

static void
apply_option(int c, struct options *o)
{
	if (apply_dedup_option(c, o))
		return;
	switch (c) {
	case 'L':
		o->link_flags |= HL_FOLLOW;
		break;
	case 'P':
		o->link_flags &= ~HL_FOLLOW;
		break;
	case 's':
		/* -s is --fallback=symlink: the last of the two wins. */
		o->link_flags &= ~HL_FALLBACK_MASK;
		o->link_flags |= HL_SYMLINK_FALLBACK;
		break;
	case OPT_RELATIVE:
		o->link_flags |= HL_RELATIVE;
		break;
	case OPT_DRY_RUN:
		o->link_flags |= HL_DRY_RUN;
		break;
	case OPT_SRC_DIR:
		o->src_dir = optarg;
		break;
	case OPT_DST_DIR:
		o->dst_dir = optarg;
		break;
	case 'f':
		o->replace = REPLACE_FORCE;
		break;
	case 'i':
		o->replace = REPLACE_ASK;
		break;
	case 'n':
		o->no_dereference = true;
		break;
	case 'T':
		o->no_target_directory = true;
		break;
	case 't':
		o->target_directory = optarg;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'h':
		o->mode = MODE_HELP;
		break;
	case 'V':
		o->mode = MODE_VERSION;
		break;
	case 'r':
		o->recursive = true;
		break;
	case 'j':
		o->jobs_arg = optarg;
		break;
	case OPT_LIST:
		o->list = true;
		break;
	case '0':
		o->null = true;
		break;
	case OPT_PROGRESS:
		o->progress = PROGRESS_ALWAYS;
		break;
	case OPT_NO_PROGRESS:
		o->progress = PROGRESS_NEVER;
		break;
	}
}

static const char *const kind_names[] = {
	[HL_KIND_SYMLINK] = "symlink",
	[HL_KIND_CLONE] = "clone",
	[HL_KIND_COPY] = "copy",
};

static int
kind_of(const char *word, size_t len)
{
	int	k;

	for (k = HL_KIND_SYMLINK; k <= HL_KIND_COPY; k++)
		if (strlen(kind_names[k]) == len &&
		    strncmp(word, kind_names[k], len) == 0)
			return k;
	return HL_KIND_NONE;
}

/*
 * --fallback=KIND[,KIND]...: replaces -s or an earlier --fallback, as
 * the last of them wins.  Each KIND at most once, none empty.
 */
static int
parse_fallback(const char *arg, struct options *o, char *msg, size_t size)
{
	const char	*p = arg;
	int		 flags = 0, seen = 0, n = 0, k;
	size_t		 len;

	for (;;) {
		len = strcspn(p, ",");
		if ((k = kind_of(p, len)) == HL_KIND_NONE)
			return usage_error(msg, size, "--fallback wants KINDs "
			    "symlink, clone or copy, separated by commas, "
			    "not %s", arg);
		if (seen & (1 << k))
			return usage_error(msg, size, "--fallback names a KIND "
			    "twice in %s", arg);
		if (k == HL_KIND_CLONE && !hl_can_clone())
			return usage_error(msg, size, "--fallback=clone: clones "
			    "are not supported in this build", NULL);
		seen |= 1 << k;
		flags |= HL_FALLBACK_SET(k, n++);
		if (k == HL_KIND_SYMLINK)
			flags |= HL_SYMLINK_FALLBACK;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	o->link_flags &= ~(HL_FALLBACK_MASK | HL_SYMLINK_FALLBACK);
	o->link_flags |= flags;
	return 0;
}

/* Remembers the first option that only means something for linking. */
static void
note_link_option(int c, struct options *o)
{
	/* --progress goes with every form but --list. */
	if (o->link_option != NULL ||
	    (c >= OPT_DEDUP && c != OPT_PROGRESS && c != OPT_NO_PROGRESS) ||
	    (c <= CHAR_MAX && strchr("LPvqhV0", c) != NULL) || c == OPT_LIST)
		return;
	o->link_option = long_option_of(c)->name;
}

/* -j N: 1 to HL_MAX_JOBS threads; by default, one per core, as many. */
static int
check_jobs(struct options *o, char *msg, size_t size)
{
	char	*end;
	long	 n;

	if (o->jobs_arg == NULL) {
		n = hl_cpu_count();
		o->jobs = n < 1 ? 1 : n > HL_MAX_JOBS ? HL_MAX_JOBS : (int)n;
		return 0;
	}
	errno = 0;
	n = strtol(o->jobs_arg, &end, 10);
	if (errno != 0 || end == o->jobs_arg || *end != '\0' || n < 1 ||
	    n > HL_MAX_JOBS)
		return usage_error(msg, size, "-j wants a number of threads "
		    "from 1 to " STRING(HL_MAX_JOBS) ", not %s", o->jobs_arg);
	o->jobs = (int)n;
	return 0;
}

static int
check_list_operands(const struct options *o, char *msg, size_t size)
{
	char	name[64];

	if (o->link_option != NULL) {
		snprintf(name, sizeof(name), "--%s", o->link_option);
		return usage_error(msg, size,
		    "option %s cannot be used with --list", name);
	}
	if (o->noperands == 0)
		return usage_error(msg, size, "missing file operand", NULL);
	return 0;
}

int
hl_parse_size(const char *arg, unsigned long long *size)
{
	static const char	 suffixes[] = "kmgt";
	const char		*p = arg, *s;
	unsigned long long	 n = 0, d;
	int			 shift;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		d = (unsigned long long)(*p - '0');
		if (n > (ULLONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (*p != '\0') {
		s = strchr(suffixes, *p | 0x20);
		if (s == NULL || p[1] != '\0')
			return -1;
		shift = 10 * (int)(s - suffixes + 1);
		if (n > (ULLONG_MAX >> shift))
			return -1;
		n <<= shift;
	}
	*size = n;
	return 0;
}

static int
check_size(const char *arg, unsigned long long *size, const char *name,
    char *msg, size_t size_msg)
{
	char	text[128];

	if (arg == NULL || hl_parse_size(arg, size) == 0)
		return 0;
	snprintf(text, sizeof(text), "invalid %s: %%s (a number of bytes, "
	    "with K, M, G or T for powers of 1024)", name);
	return usage_error(msg, size_msg, text, arg);
}

static int
check_dedup(struct options *o, char *msg, size_t size)
{
	struct dedup_options	*d = &o->dedup;
	char			 name[64];

	d->min_size = 1;
	d->max_size = ULLONG_MAX;
	if (!d->on && d->only != NULL) {
		snprintf(name, sizeof(name), "--%s", d->only);
		return usage_error(msg, size, "option %s requires --dedup",
		    name);
	}
	if (!d->on)
		return 0;
	if (d->conflict != NULL) {
		snprintf(name, sizeof(name), "--%s", d->conflict);
		return usage_error(msg, size,
		    "option %s cannot be used with --dedup", name);
	}
	if (check_size(d->min_arg, &d->min_size, "--min-size", msg, size) < 0 ||
	    check_size(d->max_arg, &d->max_size, "--max-size", msg, size) < 0)
		return -1;
	if (o->noperands == 0)
		return usage_error(msg, size, "missing ROOT operand", NULL);
	return 0;
}

/* The checks that need the whole command line. */
static int
check_operands(struct options *o, char *msg, size_t size)
{
	if (check_jobs(o, msg, size) < 0)
		return -1;
	if (o->dedup.on || o->dedup.only != NULL)
		return check_dedup(o, msg, size);
	if (o->list)
		return check_list_operands(o, msg, size);
	if (o->null)
		return usage_error(msg, size, "-0 (--null) requires --list",
		    NULL);
	if (o->target_directory != NULL && o->no_target_directory)
		return usage_error(msg, size, "cannot combine "
		    "--target-directory (-t) and --no-target-directory (-T)",
		    NULL);
	if ((o->link_flags & HL_RELATIVE) &&
	    !(o->link_flags & HL_SYMLINK_FALLBACK))
		return usage_error(msg, size,
		    "--relative requires -s (--symlink-fallback)", NULL);
	if (o->noperands == 0)
		return usage_error(msg, size, "missing file operand", NULL);
	if (o->noperands == 1 && o->target_directory == NULL)
		return usage_error(msg, size,
		    "missing destination file operand after %s",
		    o->operands[0]);
	if (o->no_target_directory && o->noperands > 2)
		return usage_error(msg, size, "extra operand %s",
		    o->operands[2]);
	return 0;
}

int
parse_options(int argc, char **argv, struct options *o, char *msg,
    size_t size)
{
	int	c;

	memset(o, 0, sizeof(*o));
	o->link_flags = HL_FOLLOW;
	o->dedup.min_size = 1;
	o->dedup.max_size = ULLONG_MAX;
	opterr = 0;
#ifdef __GLIBC__
	optind = 0;	/* start afresh, even after a parse that stopped early */
#else
	optind = 1;
#endif
	while ((c = getopt_long(argc, argv, short_options, long_options,
	    NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argc, argv, msg, size);
		if (c == OPT_FALLBACK &&
		    parse_fallback(optarg, o, msg, size) < 0)
			return -1;
		apply_option(c, o);
		note_link_option(c, o);
	}
	if (o->mode != MODE_LINK)
		return 0;
	o->noperands = argc - optind;
	o->operands = argv + optind;
	return check_operands(o, msg, size);
}
