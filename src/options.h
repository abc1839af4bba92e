/*
 * options.h: the command line, parsed into one struct.
 */
#ifndef HLINK_OPTIONS_H
#define HLINK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Threads for -r: more than this, on a 2-core or 64-core machine, only
 * fight over the same directories' locks and hold more fds. */
#define HL_MAX_JOBS		16

enum hl_mode {
	MODE_LINK,
	MODE_HELP,
	MODE_VERSION
};

enum hl_replace {
	REPLACE_NEVER,
	REPLACE_FORCE,		/* -f */
	REPLACE_ASK		/* -i */
};

/* --progress, --no-progress: the last one given wins. */
enum hl_progress_when {
	PROGRESS_AUTO,		/* when stderr is a terminal */
	PROGRESS_ALWAYS,	/* --progress */
	PROGRESS_NEVER		/* --no-progress */
};

struct options {
	enum hl_mode	 mode;
	int		 link_flags;	/* HL_FOLLOW, HL_SYMLINK_FALLBACK... */
	enum hl_replace	 replace;
	bool		 no_dereference;	/* -n */
	bool		 no_target_directory;	/* -T */
	bool		 verbose;
	bool		 quiet;
	bool		 recursive;	/* -r: replicate directory trees */
	int		 jobs;		/* -j: threads for -r */
	enum hl_progress_when progress;
	const char	*jobs_arg;
	bool		 list;		/* --list: a mode of its own */
	bool		 null;		/* -0: --list names end in NUL */
	const char	*link_option;	/* first option only links use */
	const char	*target_directory;	/* -t */
	const char	*src_dir;
	const char	*dst_dir;
	struct dedup_options {
		bool		 on;		/* --dedup: a mode of its own */
		bool		 content_only;
		bool		 respect_time;
		bool		 clone;
		unsigned long long min_size;
		unsigned long long max_size;
		const char	*min_arg;
		const char	*max_arg;
		const char	*conflict;	/* first option it rejects */
		const char	*only;		/* first option only it takes */
	}		 dedup;
	int		 noperands;
	char	       **operands;
};

/*
 * Parses argv into opts.  Returns 0, or -1 for a usage error with its
 * one-line message (without "hlink: ") in msg.
 */
int	parse_options(int argc, char **argv, struct options *opts, char *msg,
	    size_t size);

/*
 * A --min-size or --max-size: digits and an optional K, M, G or T
 * (either case, powers of 1024).  Returns -1 for anything else or a size
 * that overflows.
 */
int	hl_parse_size(const char *arg, unsigned long long *size);

#endif
