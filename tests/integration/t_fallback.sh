# t_fallback.sh: -s on one filesystem (SRC a directory), --relative, and
# the errors -s must not hide.

DIR_WHY="'d' is a directory, and directories cannot be hard-linked"

test_fallback__s_directory_makes_a_symlink()
{
	mkdir d
	mkfile d/f
	run_hlink -s d e
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 'e': made a symbolic link instead: $DIR_WHY"
	expect_symlink e "$SB/d"
	expect_content e/f d/f
}

test_fallback__symlink_fallback_long()
{
	mkdir d
	run_hlink --symlink-fallback d e
	expect_status 0
	expect_stderr "hlink: 'e': made a symbolic link instead: $DIR_WHY"
	expect_symlink e "$SB/d"
}

test_fallback__s_v()
{
	mkdir d
	run_hlink -s -v d e
	expect_status 0
	expect_stdout "'e' -> '$SB/d'"
	expect_stderr "hlink: 'e': made a symbolic link instead: $DIR_WHY"
}

test_fallback__s_q_prints_nothing()
{
	mkdir d
	run_hlink -s -q d e
	expect_ok
	expect_symlink e "$SB/d"
}

test_fallback__s_directory_form()
{
	mkdir d t
	mkfile a
	run_hlink -s a d t
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 't/d': made a symbolic link instead: $DIR_WHY"
	expect_same_inode t/a a
	expect_symlink t/d "$SB/d"
}

test_fallback__s_target_is_physical()
{
	mkdir -p real/d
	ln -s real alias
	cd alias || skip "cannot cd through a symlink"
	run_hlink -s -q d e
	expect_ok
	expect_symlink e "$SB/real/d"
}

test_fallback__s_relative()
{
	mkdir -p d sub/deeper
	mkfile d/f
	run_hlink -s -q --relative d e
	expect_ok
	expect_symlink e d
	run_hlink -s -q --relative d sub/deeper/e
	expect_ok
	expect_symlink sub/deeper/e ../../d
	asserted
	[ "$(cd / && cat "$SB/sub/deeper/e/f")" = d/f ] ||
	    fail "sub/deeper/e does not resolve to d from /"
}

# man page, --relative: the symlink "keeps leading to the same file if the
# tree that holds both is moved as a whole"; an absolute one does not
test_fallback__s_relative_survives_moving_the_tree()
{
	mkdir -p t/d t/sub
	mkfile t/d/f
	run_hlink -s -q --relative t/d t/sub/e
	expect_ok
	run_hlink -s -q t/d t/sub/abs
	expect_ok
	mv t moved
	expect_symlink moved/sub/e ../d
	expect_content moved/sub/e/f t/d/f
	asserted
	! [ -e moved/sub/abs ] ||
	    fail "the absolute symlink still resolves after the move"
}

test_fallback__s_relative_through_a_symlinked_directory()
{
	mkdir -p d real/sub
	ln -s real/sub alias
	run_hlink -s -q --relative d alias/e
	expect_ok
	expect_symlink real/sub/e ../../d
	asserted
	[ -d real/sub/e ] || fail "real/sub/e does not resolve to a directory"
}

test_fallback__s_rerun_is_idempotent()
{
	# a rerun names DST with -T (or -n): without them, DST a symlink to a
	# directory is a target directory, as in ln, and DST/d would be made
	mkdir d
	run_hlink -s -q d e
	expect_ok
	snap_save
	run_hlink -s -T d e
	expect_ok
	run_hlink -s -n -v d e
	expect_ok
	run_hlink -s -T --relative d e
	expect_ok
	run_hlink -s -f -T d e
	expect_ok
	expect_unchanged
}

test_fallback__s_dst_already_a_symlink_to_src()
{
	mkfile a
	ln -s "$SB/a" s
	snap_save
	run_hlink -s a s
	expect_ok
	run_hlink -s -v a s
	expect_ok
	run_hlink a s
	expect_cannot s a "'s' already exists" "use -f to replace it"
	expect_unchanged
}

test_fallback__s_no_fallback_for_missing_src()
{
	snap_save
	run_hlink -s missing e
	expect_cannot e missing "'missing' does not exist"
	ln -s nowhere s
	snap_save
	run_hlink -s s e
	expect_cannot e s "'s' is a dangling symbolic link" \
	    "use -P to link the symbolic link itself"
	expect_unchanged
}

test_fallback__s_no_fallback_for_missing_dst_dir()
{
	mkdir d
	snap_save
	run_hlink -s d nodir/e
	expect_cannot nodir/e d "directory 'nodir' does not exist"
	expect_unchanged
}

test_fallback__s_no_fallback_for_eexist()
{
	mkdir d
	mkfile e
	mkfile a
	mkfile b
	snap_save
	run_hlink -s d e
	expect_cannot e d "'e' already exists" "use -f to replace it"
	run_hlink -s a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	expect_unchanged
}

test_fallback__s_no_fallback_for_eloop_and_enotdir()
{
	ln -s l1 l2
	ln -s l2 l1
	mkfile f
	snap_save
	run_hlink -s l1 e
	expect_cannot e l1 "too many levels of symbolic links in 'l1'"
	run_hlink -s f/x e
	expect_cannot e f/x "'f' is not a directory"
	expect_unchanged
}

test_fallback__s_f_replaces_with_a_symlink()
{
	mkdir d
	mkfile e
	run_hlink -s -f d e
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 'e': made a symbolic link instead: $DIR_WHY"
	expect_symlink e "$SB/d"
	expect_no_temp .
}

test_fallback__s_P_symlink_to_directory_is_hard_linked()
{
	mkdir d
	ln -s d s
	run_hlink -s -P s e
	expect_ok
	expect_same_inode e s
}

test_fallback__s_L_symlink_to_directory_points_at_the_directory()
{
	mkdir d
	ln -s d s
	run_hlink -s -q s e
	expect_ok
	expect_symlink e "$SB/d"
}
