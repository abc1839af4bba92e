/*
 * test_walk.c: the directory walk on real trees, shallow and deeper than
 * the number of directories it may hold open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "walk.h"

/* Deeper than HL_WALK_MAX_OPEN, so ancestors are spilled and reopened. */
#define DEEP	(3 * HL_WALK_MAX_OPEN)


static int
setup(void **state)
{
	static struct sandbox	f;

	*state = &f;
	return sandbox_make(&f);
}

static int
teardown(void **state)
{
	struct sandbox	*f = *state;

	return sandbox_remove(f);
}

static void
make_file(int dirfd, const char *name)
{
	int	fd = openat(dirfd, name, O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* Makes d/d/d/... depth levels deep, with a file "f" in each. */
static void
make_chain(int dirfd, int depth)
{
	int	fd = dup(dirfd), next, i;

	for (i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		make_file(fd, "f");
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
}

static int
open_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* opendir's own */
}

struct tally {
	int	entries;
	int	leaves;
	int	errors;
	int	max_fds;
	size_t	max_path;
};

/* Walks the whole tree, entering every directory. */
static struct tally
walk_all(struct hl_walk *w)
{
	struct tally		t = { 0, 0, 0, 0, 0 };
	struct hl_dirent	e;
	enum hl_walk_event	ev;
	int			fds;

	while ((ev = hl_walk_next(w, &e)) != HL_WALK_END) {
		if (ev == HL_WALK_LEAVE) {
			t.leaves++;
			continue;
		}
		if (ev == HL_WALK_ERROR) {
			t.errors++;
			continue;
		}
		t.entries++;
		if (strlen(hl_walk_path(w, e.name)) > t.max_path)
			t.max_path = strlen(hl_walk_path(w, e.name));
		if (e.type == HL_TYPE_DIR || e.type == HL_TYPE_UNKNOWN)
			(void)hl_walk_enter(w, e.name, NULL);
		if ((fds = open_fds()) > t.max_fds)
			t.max_fds = fds;
	}
	return t;
}

static void
test_walk__visits_every_entry_once(void **state)
{
	struct sandbox	*f = *state;
	struct hl_walk	 w;
	struct stat	 st;
	struct tally	 t;

	assert_int_equal(mkdirat(f->dirfd, "a", 0755), 0);
	assert_int_equal(mkdirat(f->dirfd, "a/b", 0755), 0);
	assert_int_equal(mkdirat(f->dirfd, "c", 0755), 0);
	make_file(f->dirfd, "a/b/x");
	make_file(f->dirfd, "y");
	assert_int_equal(symlinkat("a", f->dirfd, "s"), 0);
	assert_int_equal(hl_walk_open(&w, f->dirfd, ".", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	t = walk_all(&w);
	hl_walk_close(&w);
	assert_int_equal(t.entries, 6);	/* a a/b a/b/x c y s: s not followed */
	assert_int_equal(t.leaves, 4);	/* . a a/b c */
	assert_int_equal(t.errors, 0);
}

static void
test_walk__paths_join_root_and_names(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;

	assert_int_equal(mkdirat(f->dirfd, "a", 0755), 0);
	make_file(f->dirfd, "a/x");
	assert_int_equal(hl_walk_open(&w, f->dirfd, "a/", &st), 0);
	assert_int_equal(hl_walk_next(&w, &e), HL_WALK_ENTRY);
	assert_string_equal(hl_walk_path(&w, e.name), "a/x");
	assert_string_equal(hl_walk_path(&w, NULL), "a/");
	assert_int_equal(hl_walk_next(&w, &e), HL_WALK_LEAVE);
	assert_int_equal(hl_walk_next(&w, &e), HL_WALK_END);
	hl_walk_close(&w);
}

static void
test_walk__deep_tree_keeps_fds_bounded(void **state)
{
	struct sandbox	*f = *state;
	struct hl_walk	 w;
	struct stat	 st;
	struct tally	 t;
	int		 before = open_fds();

	make_chain(f->dirfd, DEEP);
	assert_int_equal(hl_walk_open(&w, f->dirfd, ".", &st), 0);
	t = walk_all(&w);
	hl_walk_close(&w);
	assert_int_equal(t.entries, 2 * DEEP);
	assert_int_equal(t.leaves, DEEP + 1);
	assert_int_equal(t.errors, 0);
	assert_true(t.max_fds <= before + HL_WALK_MAX_OPEN + 1);
	assert_int_equal(t.max_path, strlen(".") + 2 * DEEP);	/* ./d/.../f */
	assert_int_equal(open_fds(), before);
}

/* Makes d/d/... under name, depth levels deep, with a file "f" in each. */
static void
make_branch(int dirfd, const char *name, int depth)
{
	int	fd;

	assert_int_equal(mkdirat(dirfd, name, 0755), 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	make_chain(fd, depth);
	close(fd);
}

/*
 * Two branches deeper than the fds it may hold: the second spills the
 * frames reopened on the way back from the first.  "." and ".." are
 * never entries, not even of a frame read into memory.
 */
static void
test_walk__two_deep_branches(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;
	enum hl_walk_event	 ev;
	int			 entries = 0, before = open_fds();

	make_branch(f->dirfd, "a", DEEP);
	make_branch(f->dirfd, "b", DEEP);
	assert_int_equal(hl_walk_open(&w, f->dirfd, ".", &st), 0);
	while ((ev = hl_walk_next(&w, &e)) != HL_WALK_END) {
		assert_int_not_equal(ev, HL_WALK_ERROR);
		if (ev != HL_WALK_ENTRY)
			continue;
		assert_string_not_equal(e.name, "..");
		assert_string_not_equal(e.name, ".");
		entries++;
		if (e.type != HL_TYPE_OTHER && strcmp(e.name, "f") != 0)
			assert_int_equal(hl_walk_enter(&w, e.name, NULL), 0);
		assert_true(open_fds() <= before + HL_WALK_MAX_OPEN + 1);
	}
	hl_walk_close(&w);
	assert_int_equal(entries, 2 + 2 * 2 * DEEP);
}

/*
 * A spilled ancestor is reopened through "..".  If a directory below it
 * was moved elsewhere meanwhile, ".." is another directory: the walk must
 * stop rather than go on in the wrong place.
 */
static void
test_walk__moved_directory_stops_the_walk(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;
	enum hl_walk_event	 ev;
	int			 depth = 0, errors = 0;
	char			 path[4 * DEEP];

	make_chain(f->dirfd, DEEP);
	assert_int_equal(hl_walk_open(&w, f->dirfd, ".", &st), 0);
	while ((ev = hl_walk_next(&w, &e)) != HL_WALK_END) {
		if (ev == HL_WALK_ERROR) {
			assert_int_equal(w.err, ESTALE);
			errors++;
		}
		if (ev != HL_WALK_ENTRY || strcmp(e.name, "d") != 0)
			continue;
		assert_int_equal(hl_walk_enter(&w, e.name, NULL), 0);
		if (++depth != DEEP - 1)
			continue;
		/* Move d/d (level 2, long spilled) to the top. */
		assert_int_equal(renameat(f->dirfd, "d/d", f->dirfd, "moved"), 0);
	}
	hl_walk_close(&w);
	assert_int_equal(errors, 1);
	snprintf(path, sizeof(path), "%s/moved", f->dir);
	assert_int_equal(stat(path, &st), 0);
}

static void
test_walk__enter_refuses_another_device(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;
	dev_t			 other;

	assert_int_equal(mkdirat(f->dirfd, "a", 0755), 0);
	assert_int_equal(hl_walk_open(&w, f->dirfd, ".", &st), 0);
	other = st.st_dev + 1;
	assert_int_equal(hl_walk_next(&w, &e), HL_WALK_ENTRY);
	assert_int_equal(hl_walk_enter(&w, e.name, &other), -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(hl_walk_enter(&w, e.name, &st.st_dev), 0);
	hl_walk_close(&w);
}

static void
test_walk__enter_never_follows_a_symlink(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;

	assert_int_equal(mkdirat(f->dirfd, "a", 0755), 0);
	assert_int_equal(hl_walk_open(&w, f->dirfd, "a", &st), 0);
	assert_int_equal(symlinkat("..", f->dirfd, "a/up"), 0);
	assert_int_equal(hl_walk_next(&w, &e), HL_WALK_ENTRY);
	assert_string_equal(e.name, "up");
	assert_int_equal(hl_walk_enter(&w, e.name, NULL), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	hl_walk_close(&w);
}

/*
 * dirs_last: in a directory of 1,500 files and 1,500 subdirectories (more
 * than one getdents buffer), every entry comes once, and within each
 * buffer's worth no file after a subdirectory: in all, the first
 * subdirectory comes after most files.
 */
static void
test_walk__dirs_last_gives_each_entry_once(void **state)
{
	struct sandbox		*f = *state;
	struct hl_walk		 w;
	struct hl_dirent	 e;
	struct stat		 st;
	char			 name[64];
	static char		 seen[2 * 1500];
	int			 i, files = 0, files_before_dir = -1;
	bool			 typed = true;	/* not in a POSIX build */

	assert_int_equal(mkdirat(f->dirfd, "a", 0755), 0);
	for (i = 0; i < 1500; i++) {
		snprintf(name, sizeof(name), "a/file-with-a-long-name-%04d", i);
		make_file(f->dirfd, name);
		snprintf(name, sizeof(name), "a/dir-with-a-long-name-%04d", i);
		assert_int_equal(mkdirat(f->dirfd, name, 0755), 0);
	}
	assert_int_equal(hl_walk_open(&w, f->dirfd, "a", &st), 0);
	hl_walk_dirs_last(&w);
	memset(seen, 0, sizeof(seen));
	while (hl_walk_next(&w, &e) == HL_WALK_ENTRY) {
		assert_true(sscanf(e.name + strlen(e.name) - 4, "%d", &i) == 1);
		i += e.name[0] == 'd' ? 1500 : 0;
		assert_int_equal(seen[i]++, 0);
		if (e.type == HL_TYPE_UNKNOWN)
			typed = false;
		else
			assert_int_equal(e.type == HL_TYPE_DIR, e.name[0] == 'd');
		if (e.name[0] == 'f')
			files++;
		else if (files_before_dir < 0)
			files_before_dir = files;
	}
	for (i = 0; i < 3000; i++)
		assert_int_equal(seen[i], 1);
	if (typed)
		assert_true(files_before_dir >= 100);
	hl_walk_close(&w);
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_walk__visits_every_entry_once),
		T(test_walk__paths_join_root_and_names),
		T(test_walk__deep_tree_keeps_fds_bounded),
		T(test_walk__moved_directory_stops_the_walk),
		T(test_walk__two_deep_branches),
		T(test_walk__enter_refuses_another_device),
		T(test_walk__enter_never_follows_a_symlink),
		T(test_walk__dirs_last_gives_each_entry_once),
	};

	return cmocka_run_group_tests_name("walk", tests, NULL, NULL);
}
