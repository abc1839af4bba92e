# t_safety.sh: the rules that keep data safe.

test_safety__rerun_is_idempotent()
{
	mkfile a
	ln a b
	snap_save
	run_hlink a b
	expect_ok
	expect_unchanged
	run_hlink -f a b
	expect_ok
	expect_unchanged
	run_hlink -f -v a b
	expect_ok
	expect_unchanged
	expect_no_temp .
}

test_safety__rerun_directory_form_is_idempotent()
{
	mkdir d
	mkfile a
	mkfile b
	run_hlink a b d
	expect_ok
	snap_save
	run_hlink a b d
	expect_ok
	run_hlink -f -t d a b
	expect_ok
	expect_unchanged
}

test_safety__rerun_through_another_name_of_the_inode()
{
	mkfile a
	ln a a2
	ln a b
	snap_save
	run_hlink a2 b
	expect_ok
	expect_unchanged
}

test_safety__same_entry_is_kept()
{
	mkfile a
	snap_save
	run_hlink a a
	expect_ok
	expect_unchanged
	run_hlink -f a ./a
	expect_ok
	expect_unchanged
	run_hlink -f a a
	expect_ok
	expect_unchanged
	run_hlink -f ./a "$SB/a"
	expect_ok
	expect_unchanged
	run_hlink -f a .
	expect_ok
	expect_unchanged
	expect_content a a
	expect_nlink a 1
}

test_safety__same_entry_through_a_symlinked_directory()
{
	mkdir d
	mkfile d/a
	ln -s d ld
	snap_save
	run_hlink -f d/a ld/a
	expect_ok
	expect_unchanged
	expect_content d/a d/a
}

test_safety__existing_dst_untouched_without_f()
{
	mkfile a
	mkfile b
	snap_save
	run_hlink a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	expect_unchanged
	expect_content b b
}

test_safety__existing_dst_in_directory_form_untouched()
{
	mkdir d
	mkfile a
	mkfile d/a old
	snap_save
	run_hlink a d
	expect_cannot d/a a "'d/a' already exists" "use -f to replace it"
	expect_unchanged
}

test_safety__existing_symlink_dst_untouched_without_f()
{
	mkfile a
	mkfile other
	ln -s other b
	snap_save
	run_hlink a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	expect_unchanged
	ln -s nowhere c
	snap_save
	run_hlink a c
	expect_cannot c a "'c' already exists" "use -f to replace it"
	expect_unchanged
}

test_safety__f_replaces()
{
	mkfile a
	mkfile b
	local old
	old=$(stat -c %i b)
	run_hlink -f a b
	expect_ok
	expect_same_inode b a
	expect_content b a
	expect_nlink a 2
	expect_no_temp .
	asserted
	[ "$(find . -inum "$old" | wc -l)" = 0 ] || fail "old 'b' still has a name"
}

test_safety__force_long()
{
	mkfile a
	mkfile b
	run_hlink --force a b
	expect_ok
	expect_same_inode b a
}

test_safety__f_replaces_a_symlink_not_its_target()
{
	mkfile a
	mkfile other
	ln -s other b
	run_hlink -f a b
	expect_ok
	expect_not_symlink b
	expect_same_inode b a
	expect_content other other
	expect_nlink other 1
	expect_no_temp .
}

test_safety__f_replaces_a_dangling_symlink()
{
	mkfile a
	ln -s nowhere b
	run_hlink -f a b
	expect_ok
	expect_same_inode b a
	expect_missing nowhere
}

test_safety__f_directory_form()
{
	mkdir d
	mkfile a
	mkfile b
	mkfile d/a old
	run_hlink -f -v a b d
	expect_status 0
	expect_stderr
	expect_stdout "'d/a' => 'a'" "'d/b' => 'b'"
	expect_same_inode d/a a
	expect_same_inode d/b b
	expect_no_temp d
}

test_safety__f_T_over_a_nonempty_directory_fails_clean()
{
	mkfile a
	mkdir d
	mkfile d/keep
	snap_save_loose
	run_hlink -f -T a d
	expect_cannot d a "'d' is a directory and cannot be replaced"
	expect_unchanged
	expect_no_temp .
}

test_safety__f_T_over_an_empty_directory_fails_clean()
{
	mkfile a
	mkdir d
	snap_save_loose
	run_hlink -f -T a d
	expect_cannot d a "'d' is a directory and cannot be replaced"
	expect_unchanged
	expect_no_temp .
}

test_safety__f_n_over_a_directory_in_directory_form()
{
	mkfile a
	mkdir -p d/a
	snap_save_loose
	run_hlink -f a d
	expect_cannot d/a a "'d/a' is a directory and cannot be replaced"
	expect_unchanged
	expect_no_temp . d
}

test_safety__f_failed_src_keeps_dst()
{
	mkfile b
	snap_save
	run_hlink -f missing b
	expect_cannot b missing "'missing' does not exist"
	expect_unchanged
	expect_no_temp .
}

test_safety__failed_operand_among_several()
{
	mkdir d x
	mkfile a
	mkfile c
	mkfile e
	mkfile d/c old-c
	mkfile x/f
	snap_save d/c c x
	run_hlink a missing c e d
	expect_status 1
	expect_stdout
	expect_stderr \
	    "hlink: cannot link 'd/missing' to 'missing': 'missing' does not exist" \
	    "hlink: cannot link 'd/c' to 'c': 'd/c' already exists" \
	    "hlink: hint: use -f to replace it"
	expect_same_inode d/a a
	expect_same_inode d/e e
	expect_missing d/missing
	expect_unchanged d/c c x
	expect_content d/c old-c
}

test_safety__failed_operand_among_several_with_f()
{
	mkdir d sub
	mkfile a
	mkfile e
	mkfile d/a old-a
	mkdir d/sub
	mkfile sub/x
	snap_save_loose d/sub sub
	run_hlink -f a missing sub e d
	expect_status 1
	expect_stdout
	expect_stderr \
	    "hlink: cannot link 'd/missing' to 'missing': 'missing' does not exist" \
	    "hlink: cannot link 'd/sub' to 'sub': 'sub' is a directory, and directories cannot be hard-linked" \
	    "hlink: hint: use -s to make a symbolic link instead"
	expect_same_inode d/a a
	expect_same_inode d/e e
	expect_unchanged d/sub sub
	expect_no_temp d
}

test_safety__src_is_never_changed()
{
	mkfile a
	mkdir d
	mkfile d/a
	snap_save_loose a
	run_hlink a d
	expect_status 1
	run_hlink -T a d
	expect_status 1
	run_hlink -f -T a d
	expect_status 1
	expect_unchanged a
}
