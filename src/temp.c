/*
 * temp.c: temporary names, and their removal when a signal ends hlink.
 *
 * -f, a clone or copy and --dedup make a name beside the one they replace
 * and rename it into place.  SPEC.md wants that name gone on every path,
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE included.  Each thread holds at most
 * one temporary name at a time, in a slot of a fixed table; the handler
 * removes every name in the table with unlinkat() (async-signal-safe),
 * restores the default action and raises the signal again, so that hlink
 * dies of it as a shell expects.
 *
 * A slot goes FREE -> CREATING -> MADE -> FREE.  While its owner makes the
 * name (CREATING) the owner blocks the signals, so a handler never runs in
 * it then; a handler running in another thread waits for the slot to leave
 * CREATING, which takes one system call.  Removing a name that was not
 * made, or was already renamed away, fails harmlessly with ENOENT.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "temp.h"

/* A thread holds one name at a time; more slots than hlink has threads. */
#define SLOTS		64

enum slot_state {
	SLOT_FREE,
	SLOT_CLAIMED,		/* owned, no name yet */
	SLOT_CREATING,		/* the name may or may not exist */
	SLOT_MADE		/* the name exists until renamed or removed */
};

struct slot {
	int	state;		/* enum slot_state, read by the handler */
	int	dirfd;
	char	name[HL_TEMP_NAME_MAX];
};

static const int	caught[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

/*
 * The table is the one piece of mutable global state in hlink: a signal
 * handler can reach nothing else.
 */
static struct slot	slots[SLOTS];
/* Set by the handler first: from then on no thread makes a new name. */
static int		dying;
/* The progress line is on stderr now: the handler erases it before dying. */
static int		line_shown;
static pthread_mutex_t	claim_lock = PTHREAD_MUTEX_INITIALIZER;

static int
load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
remove_all(void)
{
	size_t	i;
	int	state;

	for (i = 0; i < SLOTS; i++) {
		while ((state = load(&slots[i].state)) == SLOT_CREATING)
			;	/* another thread, one linkat() or open() away */
		if (state == SLOT_MADE)
			(void)unlinkat(slots[i].dirfd, slots[i].name, 0);
	}
}

static void
on_signal(int sig)
{
	int	saved = errno;

	/*
	 * Other threads go on while this runs.  A thread that marks its slot
	 * CREATING after remove_all() has passed that slot sees dying (both
	 * are sequentially consistent) and makes nothing; one that marked it
	 * before is waited for.
	 */
	__atomic_store_n(&dying, 1, __ATOMIC_SEQ_CST);
	remove_all();
	/*
	 * SPEC.md erases the line at the end, and a signal is an end: the
	 * shell's next prompt or ^C must not land after "hlink: 1200 files".
	 */
	if (load(&line_shown))
		(void)write(STDERR_FILENO, HL_TEMP_ERASE_LINE,
		    sizeof(HL_TEMP_ERASE_LINE) - 1);
	(void)signal(sig, SIG_DFL);
	errno = saved;
	(void)raise(sig);	/* delivered when the handler returns */
}

void
hl_temp_line_shown(bool shown)
{
	store(&line_shown, shown);
}

int
hl_temp_catch_signals(void)
{
	struct sigaction	sa, old;
	size_t			i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaddset(&sa.sa_mask, caught[i]);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		if (sigaction(caught[i], NULL, &old) < 0)
			return -1;
		/* nohup and friends ignore a signal: keep it ignored. */
		if (old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(caught[i], &sa, NULL) < 0)
			return -1;
	}
	return 0;
}

void
hl_temp_name(char *buf, size_t size, unsigned attempt)
{
	static const char	chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct timespec		ts;
	unsigned long long	x;
	char			suffix[7];
	int			i;

	/*
	 * No getpid(): it is a system call per name, and --dedup makes a
	 * name per duplicate.  The time (a vDSO call), the buffer's address
	 * (another per thread, and per process under ASLR) and the attempt
	 * differ enough; a collision is only an EEXIST and a new name.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	x = (unsigned long long)ts.tv_nsec ^
	    ((unsigned long long)ts.tv_sec << 30) ^
	    ((unsigned long long)(size_t)buf << 20) ^ attempt;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	for (i = 0; i < 6; i++, x /= 62)
		suffix[i] = chars[x % 62];
	suffix[6] = '\0';
	snprintf(buf, size, HL_TEMP_PREFIX "%s", suffix);
}

static struct slot *
claim(void)
{
	size_t	i;

	pthread_mutex_lock(&claim_lock);
	for (i = 0; i < SLOTS; i++)
		if (load(&slots[i].state) == SLOT_FREE) {
			store(&slots[i].state, SLOT_CLAIMED);
			break;
		}
	pthread_mutex_unlock(&claim_lock);
	return i < SLOTS ? &slots[i] : NULL;
}

static void
block_signals(sigset_t *old)
{
	sigset_t	set;
	size_t		i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaddset(&set, caught[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

int
hl_temp_make(struct hl_temp *t, int dirfd,
    int (*make)(int dirfd, const char *name, void *arg), void *arg)
{
	struct slot	*s = claim();
	sigset_t	 old;
	unsigned	 attempt;
	int		 rc = -1, err = EEXIST;

	if (s == NULL) {
		errno = EAGAIN;
		return -1;
	}
	s->dirfd = dirfd;
	for (attempt = 0; attempt < HL_TEMP_TRIES && err == EEXIST; attempt++) {
		hl_temp_name(s->name, sizeof(s->name), attempt);
		block_signals(&old);
		__atomic_store_n(&s->state, SLOT_CREATING, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&dying, __ATOMIC_SEQ_CST)) {
			rc = -1;	/* hlink is dying of a signal */
			errno = EINTR;
		} else
			rc = make(dirfd, s->name, arg);
		err = errno;
		store(&s->state, rc == 0 ? SLOT_MADE : SLOT_CLAIMED);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc == 0)
			break;
	}
	if (rc < 0) {
		store(&s->state, SLOT_FREE);
		errno = err;
		return -1;
	}
	t->slot = s;
	t->dirfd = dirfd;
	memcpy(t->name, s->name, sizeof(t->name));
	return 0;
}

/*
 * rename(2) succeeds and does nothing when both names are links to one
 * inode: then the temporary name is still there, and is removed.
 */
int
hl_temp_rename(struct hl_temp *t, int todirfd, const char *to)
{
	struct stat	tmp, dst;

	if (renameat(t->dirfd, t->name, todirfd, to) < 0)
		return -1;	/* kept: the caller removes it */
	if (fstatat(t->dirfd, t->name, &tmp, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(todirfd, to, &dst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    tmp.st_dev == dst.st_dev && tmp.st_ino == dst.st_ino)
		(void)unlinkat(t->dirfd, t->name, 0);
	hl_temp_forget(t);
	return 0;
}

int
hl_temp_remove(struct hl_temp *t)
{
	int	saved = errno, err = 0;

	/* ENOENT: renamed away meanwhile, or never made; gone either way. */
	if (unlinkat(t->dirfd, t->name, 0) < 0 && errno != ENOENT)
		err = errno;
	hl_temp_forget(t);
	errno = saved;
	return err;
}

void
hl_temp_forget(struct hl_temp *t)
{
	if (t->slot != NULL)
		store(&t->slot->state, SLOT_FREE);
	t->slot = NULL;
}
