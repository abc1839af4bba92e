/*
 * wrap.h: the syscalls the core makes, wrapped with ld --wrap.
 *
 * Unarmed, each wrapper calls the real function, so tests run on a real
 * temporary directory.  Armed, each call takes an int from will_return():
 * 0 passes the call through to the real function, an errno makes it fail
 * with that errno without doing anything.  An armed wrapper with nothing
 * queued fails the test: arm unlinkat and renameat with nothing queued to
 * prove that nothing destructive ran.
 */
#ifndef HLINK_TEST_WRAP_H
#define HLINK_TEST_WRAP_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

struct wrap_arms {
	bool	linkat;
	bool	renameat;
	bool	unlinkat;
	bool	symlinkat;
	bool	fstatat;
	bool	openat;
	bool	fstatfs;	/* the filesystem's type, for diagnoses */
	bool	geteuid;	/* armed: returns the queued uid */
	bool	copy_file_range;
	bool	pwrite;		/* pwrite and pwrite64 */
	bool	access;		/* where /proc is looked for */
};

extern struct wrap_arms wrap_armed;

/*
 * Called before each real copy_file_range() or pwrite() while set, with
 * the number of both made before it: a test changes SRC mid-copy.
 */
extern void	(*wrap_copy_hook)(int calls);

/*
 * Non-zero: every fstatfs() that succeeds reports this filesystem type,
 * as if the file were on it.
 */
extern long	wrap_fstatfs_type;

/* Disarms every wrapper. */
void	wrap_reset(void);

/* Queue the result of the next armed call: 0 passes through. */
#define will_fail(fn, err)	will_return(fn, (err))
#define will_pass(fn)		will_return(fn, 0)

/* Number of real calls made to each since wrap_reset(). */
struct wrap_counts {
	int	linkat;
	int	renameat;
	int	unlinkat;
	int	symlinkat;
	int	copy_file_range;
	int	pwrite;
};

extern struct wrap_counts wrap_calls;

#endif
