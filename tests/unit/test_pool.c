/*
 * test_pool.c: the worker pool (pool.c) that -r -j runs on and --dedup
 * will: every job runs once, wherever it was queued from, and the pool
 * ends only when no job is left that could queue another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <string.h>

#include "pool.h"

/* A job: a node of a complete tree of the given fan-out and depth. */
struct job {
	int	depth;
	int	id;
};

struct count {
	struct hl_pool	*pool;
	int		 fanout;
	int		 ran;		/* jobs run, under the pool's lock */
	int		 handed;	/* of them queued through hand-over */
	int		 freed;		/* worker states given to worker_free */
	int		 seen[4096];	/* times each id ran */
};

struct worker {
	int	jobs;		/* this worker's own count: never shared */
	char	big[64 * 1024];	/* on the heap, not a thread's stack */
};

static void
run(void *ctx, void *wp, void *jp)
{
	struct count	*c = ctx;
	struct worker	*w = wp;
	struct job	*job = jp, child;
	int		 i;

	w->jobs++;
	memset(w->big, job->id & 0xff, sizeof(w->big));
	hl_pool_lock(c->pool);
	c->ran++;
	c->seen[job->id]++;
	hl_pool_unlock(c->pool);
	for (i = 0; job->depth > 0 && i < c->fanout; i++) {
		child.depth = job->depth - 1;
		child.id = job->id * c->fanout + i + 1;
		if (hl_pool_wants_work(c->pool)) {
			hl_pool_hand_over(c->pool, &child);
			hl_pool_lock(c->pool);
			c->handed++;
			hl_pool_unlock(c->pool);
		} else
			assert_int_equal(hl_pool_submit(c->pool, &child), 0);
	}
}

static void
worker_free(void *ctx, void *wp)
{
	struct count	*c = ctx;

	(void)wp;
	c->freed++;	/* after the threads are joined: no lock needed */
}

static const struct hl_pool_ops ops = {
	.job_size = sizeof(struct job),
	.worker_size = sizeof(struct worker),
	.stack_size = 64 * 1024,
	.run = run,
	.worker_free = worker_free,
};

/* A tree of 1 + 3 + 9 + 27 + 81 + 243 + 729 = 1093 jobs on threads. */
static void
run_tree(int threads, struct count *c)
{
	struct job	root = { .depth = 6, .id = 0 };
	int		i;

	memset(c, 0, sizeof(*c));
	c->fanout = 3;
	c->pool = hl_pool_start(&ops, c, threads);
	assert_non_null(c->pool);
	assert_int_equal(hl_pool_submit(c->pool, &root), 0);
	hl_pool_finish(c->pool);
	assert_int_equal(c->ran, 1093);
	for (i = 0; i < 1093; i++)
		if (c->seen[i] != 1)
			fail_msg("job %d ran %d times", i, c->seen[i]);
}

static void
test_pool__inline_runs_every_job_once(void **state)
{
	struct count	c;

	(void)state;
	run_tree(1, &c);
	assert_int_equal(c.handed, 0);	/* nobody to hand over to */
	assert_int_equal(c.freed, 1);
}

static void
test_pool__threads_run_every_job_once(void **state)
{
	static struct count	c;
	int			threads;

	(void)state;
	for (threads = 2; threads <= 8; threads *= 2) {
		run_tree(threads, &c);
		assert_int_equal(c.freed, threads);
	}
}

/* The pool is done at once when nothing is queued. */
static void
test_pool__no_job(void **state)
{
	static struct count	c;

	(void)state;
	c.pool = hl_pool_start(&ops, &c, 4);
	assert_non_null(c.pool);
	hl_pool_finish(c.pool);
	assert_int_equal(c.ran, 0);
}

/* Inline, there is never an idle worker to hand over to. */
static void
test_pool__inline_never_wants_work(void **state)
{
	static struct count	c;
	struct job		root = { .depth = 0, .id = 0 };

	(void)state;
	memset(&c, 0, sizeof(c));
	c.pool = hl_pool_start(&ops, &c, 1);
	assert_false(hl_pool_wants_work(c.pool));	/* never inline */
	assert_int_equal(hl_pool_submit(c.pool, &root), 0);
	hl_pool_finish(c.pool);
	assert_int_equal(c.ran, 1);
}

/*
 * A slot reserved and given back unused (hand-over of NULL) is free
 * again: more reservations than the queue's hand-over slots all succeed.
 * The other worker goes idle in its own time: wait for it, boundedly.
 */
static void
test_pool__released_slot_is_free_again(void **state)
{
	static struct count	c;
	int			i;
	long			tries;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.pool = hl_pool_start(&ops, &c, 2);
	assert_non_null(c.pool);
	for (i = 0; i < 10; i++) {
		for (tries = 0; !hl_pool_wants_work(c.pool); tries++) {
			if (tries > 10000000L)
				fail_msg("no idle worker after %d hand-overs", i);
			sched_yield();
		}
		hl_pool_hand_over(c.pool, NULL);
	}
	hl_pool_finish(c.pool);
	assert_int_equal(c.ran, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool__inline_runs_every_job_once),
		cmocka_unit_test(test_pool__threads_run_every_job_once),
		cmocka_unit_test(test_pool__no_job),
		cmocka_unit_test(test_pool__inline_never_wants_work),
		cmocka_unit_test(test_pool__released_slot_is_free_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
