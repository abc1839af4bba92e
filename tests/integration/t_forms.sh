# t_forms.sh: the three operand forms, -T, -t and -n.

test_forms__src_dst_dst_is_a_directory()
{
	mkfile a
	mkdir d
	run_hlink -v a d
	expect_status 0
	expect_stdout "'d/a' => 'a'"
	expect_stderr
	expect_same_inode d/a a
}

test_forms__src_dst_dst_is_a_symlink_to_a_directory()
{
	mkfile a
	mkdir d
	ln -s d ld
	run_hlink a ld
	expect_ok
	expect_same_inode d/a a
	expect_symlink ld d
}

test_forms__many_srcs_into_dir()
{
	mkdir -p d x
	mkfile a
	mkfile b
	mkfile x/c
	run_hlink -v a b x/c d
	expect_status 0
	expect_stderr
	expect_stdout "'d/a' => 'a'" "'d/b' => 'b'" "'d/c' => 'x/c'"
	expect_same_inode d/a a
	expect_same_inode d/b b
	expect_same_inode d/c x/c
}

test_forms__many_srcs_into_dir_with_trailing_slash()
{
	mkdir d
	mkfile a
	mkfile b
	run_hlink a b d/
	expect_status 0
	expect_stderr
	expect_same_inode d/a a
	expect_same_inode d/b b
}

test_forms__many_srcs_last_is_a_file()
{
	mkfile a
	mkfile b
	mkfile c
	snap_save
	run_hlink a b c
	expect_result 1 "hlink: target 'c' is not a directory"
	expect_unchanged
}

test_forms__many_srcs_last_is_missing()
{
	mkfile a
	mkfile b
	snap_save
	run_hlink a b nodir
	expect_result 1 "hlink: cannot open directory 'nodir': No such file or directory"
	expect_unchanged
}

test_forms__t_dir()
{
	mkdir d
	mkfile a
	mkfile b
	run_hlink -v -t d a b
	expect_status 0
	expect_stderr
	expect_stdout "'d/a' => 'a'" "'d/b' => 'b'"
	expect_same_inode d/a a
	expect_same_inode d/b b
}

test_forms__target_directory_long()
{
	mkdir d
	mkfile a
	run_hlink --target-directory=d a
	expect_ok
	expect_same_inode d/a a
	mkfile b
	run_hlink --target-directory d b
	expect_ok
	expect_same_inode d/b b
}

test_forms__t_dir_single_src()
{
	mkdir d
	mkfile a
	run_hlink a -t d
	expect_ok
	expect_same_inode d/a a
}

test_forms__t_dir_is_a_file()
{
	mkfile a
	mkfile f
	snap_save
	run_hlink -t f a
	expect_result 1 "hlink: target 'f' is not a directory"
	expect_unchanged
}

test_forms__t_dir_missing()
{
	mkfile a
	snap_save
	run_hlink -t nodir a
	expect_result 1 "hlink: cannot open directory 'nodir': No such file or directory"
	expect_unchanged
}

test_forms__T_dst_is_a_new_name()
{
	mkfile a
	run_hlink -T a b
	expect_ok
	expect_same_inode b a
}

test_forms__T_dst_is_a_directory()
{
	mkfile a
	mkdir d
	snap_save
	run_hlink -T a d
	expect_cannot d a "'d' already exists" "use -f to replace it"
	expect_unchanged
}

test_forms__T_dst_is_a_symlink_to_a_directory()
{
	mkfile a
	mkdir d
	ln -s d ld
	snap_save
	run_hlink -T a ld
	expect_cannot ld a "'ld' already exists" "use -f to replace it"
	expect_unchanged
}

test_forms__T_long()
{
	mkfile a
	mkdir d
	run_hlink --no-target-directory a d/b
	expect_ok
	expect_same_inode d/b a
}

test_forms__n_dst_symlink_to_dir_is_a_file()
{
	mkfile a
	mkdir d
	ln -s d ld
	snap_save
	run_hlink -n a ld
	expect_cannot ld a "'ld' already exists" "use -f to replace it"
	expect_unchanged
	run_hlink --no-dereference a ld
	expect_cannot ld a "'ld' already exists" "use -f to replace it"
	expect_unchanged
}

test_forms__n_f_replaces_the_symlink_not_the_directory()
{
	mkfile a
	mkdir d
	ln -s d ld
	run_hlink -n -f a ld
	expect_ok
	expect_not_symlink ld
	expect_same_inode ld a
	expect_missing d/a
	asserted
	[ -d d ] && [ -z "$(ls -A d)" ] || fail "'d' changed: $(ls -A d)"
	expect_no_temp . d
}

test_forms__n_with_a_real_directory_still_links_inside()
{
	mkfile a
	mkdir d
	run_hlink -n a d
	expect_ok
	expect_same_inode d/a a
}
