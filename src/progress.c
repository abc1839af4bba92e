/*
 * progress.c: the progress line; see progress.h.  The words' floor, as
 * output.c: what the line says, and when it is drawn and erased.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "sys.h"
#include "temp.h"

/* A line never wider than this; a narrower terminal cuts it further. */
#define LINE_MAX_BYTES	160

/* The line's own start: temp.c's signal handler writes it too. */
#define ERASE		HL_TEMP_ERASE_LINE

struct hl_ticker {
	pthread_t			 thread;
	pthread_mutex_t			 lock;
	pthread_cond_t			 wake;	/* stop was asked */
	const struct hl_counters	*c;
	enum hl_progress_kind		 kind;
	bool				 tty;
	bool				 stop;
	bool				 shown;	/* on the screen now */
	struct timespec			 start;
	char				 line[LINE_MAX_BYTES];
	char				 drawn[LINE_MAX_BYTES];
};

void
hl_progress_size(char *buf, size_t size, uint64_t bytes)
{
	static const char	units[] = "KMGTPE";
	uint64_t		unit = 1024;
	int			i = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%u B", (unsigned)bytes);
		return;
	}
	while (i < 5 && bytes / unit >= 1024) {
		unit *= 1024;
		i++;
	}
	/* (bytes % unit) * 10 stays below 2^64: unit is at most 2^60. */
	snprintf(buf, size, "%llu.%u %ciB",
	    (unsigned long long)(bytes / unit),
	    (unsigned)((bytes % unit) * 10 / unit), units[i]);
}

/* "N things", with one thing in the singular. */
static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ", A of B verb" or ", A verb" when B is not known. */
static void
bytes_part(char *buf, size_t size, uint64_t done, uint64_t total,
    const char *verb)
{
	char	a[32], b[32];

	hl_progress_size(a, sizeof(a), done);
	if (total == 0) {
		snprintf(buf, size, ", %s %s", a, verb);
		return;
	}
	hl_progress_size(b, sizeof(b), total);
	snprintf(buf, size, ", %s of %s %s", a, b, verb);
}

static void
links_line(char *buf, size_t size, uint64_t files, uint64_t dirs,
    uint64_t done, uint64_t total)
{
	char	d[64] = "", bytes[96] = "";

	if (dirs > 0)
		snprintf(d, sizeof(d), ", %llu %s", (unsigned long long)dirs,
		    plural(dirs, "directory", "directories"));
	if (done > 0 || total > 0)
		bytes_part(bytes, sizeof(bytes), done, total, "copied");
	snprintf(buf, size, "hlink: %llu %s%s%s", (unsigned long long)files,
	    plural(files, "file", "files"), d, bytes);
}

static void
dedup_line(char *buf, size_t size, uint64_t files, uint64_t relinked,
    uint64_t done, uint64_t total)
{
	char	bytes[96];

	bytes_part(bytes, sizeof(bytes), done, total, "compared");
	snprintf(buf, size, "hlink: %llu %s walked%s, %llu %s relinked",
	    (unsigned long long)files, plural(files, "file", "files"), bytes,
	    (unsigned long long)relinked, plural(relinked, "name", "names"));
}

size_t
hl_progress_format(char *buf, size_t size, enum hl_progress_kind kind,
    const struct hl_counters *c)
{
	uint64_t	files = hl_count_read(&c->files);
	uint64_t	done = hl_count_read(&c->bytes_done);
	uint64_t	total = hl_count_read(&c->bytes_total);

	if (size == 0)
		return 0;
	/* Read apart from each other: done may pass a total read before. */
	if (total != 0 && done > total)
		total = done;
	if (kind == HL_PROGRESS_DEDUP)
		dedup_line(buf, size, files, hl_count_read(&c->relinked), done,
		    total);
	else
		links_line(buf, size, files, hl_count_read(&c->dirs), done,
		    total);
	return strlen(buf);
}

static long
elapsed_ms(const struct hl_ticker *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->start.tv_sec) * 1000 +
	    (now.tv_nsec - t->start.tv_nsec) / 1000000;
}

/* On a terminal: the line over the last one, if it says something new. */
static void
draw(struct hl_ticker *t)
{
	int	cols = hl_term_columns(STDERR_FILENO);
	size_t	len;

	len = hl_progress_format(t->line, sizeof(t->line), t->kind, t->c);
	/* A line that wraps cannot be erased by "\r": keep it on one row. */
	if (cols > 1 && len > (size_t)cols - 1)
		t->line[cols - 1] = '\0';
	if (t->shown && strcmp(t->line, t->drawn) == 0)
		return;
	hl_temp_line_shown(true);	/* before: a signal may come mid-line */
	fputs("\r", stderr);
	fputs(t->line, stderr);
	fputs("\033[K", stderr);
	fflush(stderr);
	memcpy(t->drawn, t->line, sizeof(t->drawn));
	t->shown = true;
}

/* Without a terminal: a plain line, for a log. */
static void
print_plain(struct hl_ticker *t)
{
	hl_progress_format(t->line, sizeof(t->line), t->kind, t->c);
	/*
	 * With 2>&1 into a file, stdout is block-buffered: its whole -v
	 * lines go out first, so this line never lands inside one.
	 */
	fflush(stdout);
	fprintf(stderr, "%s\n", t->line);
	fflush(stderr);
}

static void
add_ms(struct timespec *ts, long ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Wakes every tick, or every plain line's interval; draws after DELAY. */
static void *
tick(void *arg)
{
	struct hl_ticker	*t = arg;
	struct timespec		 next = t->start;
	long			 step = t->tty ? HL_PROGRESS_TICK_MS :
				    HL_PROGRESS_PLAIN_MS;

	pthread_mutex_lock(&t->lock);
	add_ms(&next, HL_PROGRESS_DELAY_MS);
	while (!t->stop) {
		if (pthread_cond_timedwait(&t->wake, &t->lock, &next) !=
		    ETIMEDOUT)
			continue;	/* stop asked, or woken early */
		if (elapsed_ms(t) < HL_PROGRESS_DELAY_MS)
			continue;
		if (t->tty)
			draw(t);
		else
			print_plain(t);
		add_ms(&next, step);
	}
	if (t->shown)
		fputs(ERASE, stderr);
	t->shown = false;
	hl_temp_line_shown(false);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

/* The clock of the timed wait is the monotonic one: a clock set back
 * must not stall the line. */
static int
init_sync(struct hl_ticker *t)
{
	pthread_condattr_t	attr;
	int			rc;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&t->wake, &attr) != 0 ? -1 : 0;
	pthread_condattr_destroy(&attr);
	if (rc == 0 && pthread_mutex_init(&t->lock, NULL) != 0) {
		pthread_cond_destroy(&t->wake);
		rc = -1;
	}
	return rc;
}

/* Signals go to the threads that work: their handlers remove temps. */
static int
start_thread(struct hl_ticker *t)
{
	sigset_t	all, old;
	int		rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->thread, NULL, tick, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

struct hl_ticker *
hl_ticker_start(const struct hl_counters *c, enum hl_progress_kind kind,
    bool always)
{
	struct hl_ticker	*t;
	bool			 tty = isatty(STDERR_FILENO);

	if (!tty && !always)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->c = c;
	t->kind = kind;
	t->tty = tty;
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	if (init_sync(t) < 0) {
		free(t);
		return NULL;
	}
	if (start_thread(t) < 0) {
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

void
hl_ticker_hold(struct hl_ticker *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->shown) {
		fputs(ERASE, stderr);
		t->shown = false;	/* the next tick draws it again */
		hl_temp_line_shown(false);
	}
}

void
hl_ticker_release(struct hl_ticker *t)
{
	/* stdout on a terminal is line-buffered: the line is out already. */
	if (t != NULL)
		pthread_mutex_unlock(&t->lock);
}

void
hl_ticker_stop(struct hl_ticker *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
