/*
 * pool.c: worker threads around one queue of jobs; see pool.h.  The
 * walk-and-pool floor: it calls only libc.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

/* One worker: its own state and the job it runs, both on the heap. */
struct worker {
	struct hl_pool	*pool;
	void		*state;
	void		*job;
};

struct hl_pool {
	const struct hl_pool_ops	*ops;
	void				*ctx;
	pthread_mutex_t			 lock;	/* guards all below */
	pthread_cond_t			 wake;
	unsigned char			*queue;
	size_t				 len;
	size_t				 cap;
	size_t				 reserved;	/* slots promised */
	size_t				 hand_over_max;
	int				 workers;	/* counted, working or idle */
	int				 idle;
	bool				 done;
	bool				 threaded;
	int				 started;
	pthread_t			*threads;
	struct worker			*each;	/* [0]: the starting thread */
};

static void *
slot(struct hl_pool *p, size_t i)
{
	return p->queue + i * p->ops->job_size;
}

void
hl_pool_lock(struct hl_pool *p)
{
	if (p->threaded)
		pthread_mutex_lock(&p->lock);
}

void
hl_pool_unlock(struct hl_pool *p)
{
	if (p->threaded)
		pthread_mutex_unlock(&p->lock);
}

/* Room for one more job beside the reserved slots; under the lock. */
static int
make_room(struct hl_pool *p)
{
	size_t		 cap = p->cap ? 2 * p->cap : 16;
	unsigned char	*q;

	if (p->len + p->reserved < p->cap)
		return 0;
	q = realloc(p->queue, cap * p->ops->job_size);
	if (q == NULL) {
		errno = ENOMEM;
		return -1;
	}
	p->queue = q;
	p->cap = cap;
	return 0;
}

int
hl_pool_submit(struct hl_pool *p, const void *job)
{
	int	rc;

	hl_pool_lock(p);
	if ((rc = make_room(p)) == 0) {
		memcpy(slot(p, p->len++), job, p->ops->job_size);
		if (p->threaded)
			pthread_cond_signal(&p->wake);
	}
	hl_pool_unlock(p);
	return rc;
}

bool
hl_pool_wants_work(struct hl_pool *p)
{
	bool	wants;

	if (!p->threaded)
		return false;
	pthread_mutex_lock(&p->lock);
	wants = p->idle > 0 && p->len + p->reserved < p->hand_over_max &&
	    make_room(p) == 0;
	p->reserved += wants;
	pthread_mutex_unlock(&p->lock);
	return wants;
}

void
hl_pool_hand_over(struct hl_pool *p, const void *job)
{
	pthread_mutex_lock(&p->lock);
	p->reserved--;
	if (job != NULL) {
		/* make_room() kept this slot when it was reserved. */
		memcpy(slot(p, p->len++), job, p->ops->job_size);
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * Waits for a job.  When every worker waits and none is queued, the work
 * is done: no job is running that could queue another.
 */
static bool
take_job(struct hl_pool *p, void *job)
{
	bool	got = false;

	pthread_mutex_lock(&p->lock);
	p->idle++;
	while (p->len == 0 && !p->done) {
		if (p->idle == p->workers) {
			p->done = true;
			pthread_cond_broadcast(&p->wake);
			break;
		}
		pthread_cond_wait(&p->wake, &p->lock);
	}
	p->idle--;
	if (p->len > 0) {
		memcpy(job, slot(p, --p->len), p->ops->job_size);
		got = true;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void *
work(void *arg)
{
	struct worker	*w = arg;
	struct hl_pool	*p = w->pool;

	while (take_job(p, w->job))
		p->ops->run(p->ctx, w->state, w->job);
	return NULL;
}

/* The state and job buffer of worker i, zeroed. */
static int
make_worker(struct hl_pool *p, int i)
{
	struct worker	*w = &p->each[i];

	w->pool = p;
	w->state = calloc(1, p->ops->worker_size ? p->ops->worker_size : 1);
	w->job = malloc(p->ops->job_size ? p->ops->job_size : 1);
	if (w->state != NULL && w->job != NULL)
		return 0;
	free(w->state);
	free(w->job);
	w->state = w->job = NULL;
	return -1;
}

static void
free_worker(struct hl_pool *p, struct worker *w)
{
	if (w->state != NULL && p->ops->worker_free != NULL)
		p->ops->worker_free(p->ctx, w->state);
	free(w->state);
	free(w->job);
}

/*
 * Starts threads 1 to n - 1.  The lock is held around pthread_create()
 * and the count: a new thread takes it before it looks at the queue, so
 * it is counted in workers before it can take a job.  Otherwise a thread
 * running a job could be missing from the count while the others, all
 * idle, find idle == workers and stop, and the jobs it queues after
 * that would never run.
 */
static void
start_threads(struct hl_pool *p, int n)
{
	pthread_attr_t	 attr;
	pthread_attr_t	*ap = NULL;
	int		 i;

	if (p->ops->stack_size > 0 && pthread_attr_init(&attr) == 0) {
		ap = &attr;
		(void)pthread_attr_setstacksize(ap, p->ops->stack_size);
	}
	for (i = 1; i < n && make_worker(p, i) == 0; i++) {
		pthread_mutex_lock(&p->lock);
		if (pthread_create(&p->threads[p->started], ap, work,
		    &p->each[i]) == 0) {
			p->started++;
			p->workers++;
		}
		pthread_mutex_unlock(&p->lock);
		if (p->started < i) {
			free_worker(p, &p->each[i]);
			break;
		}
	}
	if (ap != NULL)
		pthread_attr_destroy(ap);
}

struct hl_pool *
hl_pool_start(const struct hl_pool_ops *ops, void *ctx, int threads)
{
	struct hl_pool	*p = calloc(1, sizeof(*p));
	int		 n = threads > 1 ? threads : 1;

	if (p == NULL)
		return NULL;
	p->ops = ops;
	p->ctx = ctx;
	p->each = calloc((size_t)n, sizeof(*p->each));
	p->threads = calloc((size_t)n, sizeof(*p->threads));
	if (p->each == NULL || p->threads == NULL || make_worker(p, 0) < 0) {
		free(p->each);
		free(p->threads);
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->workers = 1;
	if (n > 1) {
		pthread_mutex_init(&p->lock, NULL);
		pthread_cond_init(&p->wake, NULL);
		p->hand_over_max = 2 * (size_t)n;
		p->threaded = true;
		start_threads(p, n);
	}
	return p;
}

void
hl_pool_finish(struct hl_pool *p)
{
	struct worker	*w = &p->each[0];
	int		 i;

	if (!p->threaded) {
		while (p->len > 0) {
			memcpy(w->job, slot(p, --p->len), p->ops->job_size);
			p->ops->run(p->ctx, w->state, w->job);
		}
	} else
		work(w);
	for (i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	for (i = 0; i <= p->started; i++)
		free_worker(p, &p->each[i]);
	if (p->threaded) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
	}
	free(p->queue);
	free(p->threads);
	free(p->each);
	free(p);
}
