/*
 * pool.h: a pool of worker threads around one queue of jobs.
 *
 * The thread that starts the pool is a worker too: it works once it calls
 * hl_pool_finish(), which returns when the queue is empty and every
 * worker idle, for then no job is running that could queue another.
 * With one thread the pool starts none and runs every job inline, in
 * hl_pool_finish(), and its lock costs nothing.
 *
 * Jobs are taken last in, first out: a job queued from inside a job (a
 * subdirectory, a part of a larger task) runs before older ones, which
 * keeps the queue short.
 */
#ifndef HLINK_POOL_H
#define HLINK_POOL_H

#include <stdbool.h>
#include <stddef.h>

struct hl_pool;

struct hl_pool_ops {
	/* The bytes of one job, copied into the queue by hl_pool_submit(). */
	size_t	job_size;
	/*
	 * The bytes of each worker's own state, given zeroed to every job
	 * that worker runs: where big buffers go, once per worker, rather
	 * than on a thread's stack.
	 */
	size_t	worker_size;
	/* The stack each started thread needs, in bytes; 0: the default. */
	size_t	stack_size;
	/* Runs one job, on any worker; job points to the worker's copy. */
	void	(*run)(void *ctx, void *worker, void *job);
	/* When not NULL: frees what run() kept in a worker's state. */
	void	(*worker_free)(void *ctx, void *worker);
};

/*
 * Starts a pool of up to threads workers (the calling thread one of
 * them): threads - 1 are started now and wait for jobs.  A thread that
 * cannot be started leaves fewer workers.  Returns NULL with errno set
 * when even the calling thread's state cannot be had.
 */
struct hl_pool	*hl_pool_start(const struct hl_pool_ops *ops, void *ctx,
		    int threads);

/*
 * Queues a copy of job, from the starting thread or from inside a running
 * job, and wakes a waiting worker.  -1 with errno set (ENOMEM) when it
 * cannot be queued: the job is still the caller's then.
 */
int	hl_pool_submit(struct hl_pool *p, const void *job);

/*
 * Cheap enough to ask for every directory: true when a worker waits for a
 * job and the queue has room for one more hand-over (at most two per
 * worker are queued this way).  Then a slot is reserved, and the caller
 * must call hl_pool_hand_over() exactly once.  Always false inline.
 */
bool	hl_pool_wants_work(struct hl_pool *p);

/*
 * Ends a reservation made by hl_pool_wants_work(): queues a copy of job
 * in the reserved slot, or with job NULL (the work could not be handed
 * over after all) releases the slot.
 */
void	hl_pool_hand_over(struct hl_pool *p, const void *job);

/*
 * The pool's one lock, for callers to serialise their callbacks and
 * counts with; not held while a job runs.  No-ops inline.
 */
void	hl_pool_lock(struct hl_pool *p);
void	hl_pool_unlock(struct hl_pool *p);

/*
 * Works on the calling thread until the queue is empty and every worker
 * idle, then joins the threads and frees the pool.
 */
void	hl_pool_finish(struct hl_pool *p);

#endif
