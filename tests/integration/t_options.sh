# t_options.sh: -L/-P, --src-dir/--dst-dir, -v, -q, --dry-run, -i.

# a file f, a symlink s -> f
symlink_src()
{
	mkfile f
	ln -s f s
}

test_options__L_links_what_the_symlink_resolves_to()
{
	symlink_src
	run_hlink -L s l
	expect_ok
	expect_same_inode l f
	run_hlink --follow s l2
	expect_ok
	expect_same_inode l2 f
}

test_options__P_links_the_symlink_itself()
{
	symlink_src
	run_hlink -P s l
	expect_ok
	expect_symlink l f
	expect_same_inode l s
	expect_nlink f 1
	run_hlink --no-follow s l2
	expect_ok
	expect_symlink l2 f
	expect_same_inode l2 s
}

test_options__L_P_last_wins()
{
	symlink_src
	run_hlink -L -P s l1
	expect_ok
	expect_symlink l1 f
	expect_same_inode l1 s
	run_hlink -P -L s l2
	expect_ok
	expect_not_symlink l2
	expect_same_inode l2 f
	run_hlink -P --follow -L --no-follow s l3
	expect_ok
	expect_same_inode l3 s
}

test_options__P_with_a_dangling_symlink()
{
	ln -s nowhere s
	run_hlink -P s l
	expect_ok
	expect_symlink l nowhere
	expect_same_inode l s
}

test_options__src_dir_relative_src()
{
	mkdir sd
	mkfile sd/f in-sd
	mkfile f in-cwd
	run_hlink --src-dir=sd f out
	expect_ok
	expect_same_inode out sd/f
	expect_content out in-sd
}

test_options__src_dir_absolute_src_ignores_it()
{
	mkdir sd
	mkfile sd/f in-sd
	mkfile f in-cwd
	run_hlink --src-dir=sd "$SB/f" out
	expect_ok
	expect_same_inode out f
	expect_content out in-cwd
}

test_options__src_dir_absolute_dir()
{
	mkdir sd
	mkfile sd/f
	mkdir elsewhere
	cd elsewhere || skip "cannot cd elsewhere"
	run_hlink --src-dir="$SB/sd" f out
	expect_ok
	expect_same_inode out "$SB/sd/f"
}

test_options__src_dir_with_many_srcs()
{
	mkdir sd d
	mkfile sd/a
	mkfile sd/b
	run_hlink --src-dir=sd a b d
	expect_ok
	expect_same_inode d/a sd/a
	expect_same_inode d/b sd/b
}

test_options__dst_dir_relative_dst()
{
	mkdir dd
	mkfile a
	run_hlink --dst-dir=dd a b
	expect_ok
	expect_same_inode dd/b a
	expect_missing b
}

test_options__dst_dir_absolute_dst_ignores_it()
{
	mkdir dd
	mkfile a
	run_hlink --dst-dir=dd a "$SB/b"
	expect_ok
	expect_same_inode b a
	expect_missing dd/b
}

test_options__dst_dir_with_t()
{
	mkdir -p dd/sub sub
	mkfile a
	run_hlink --dst-dir=dd -t sub a
	expect_ok
	expect_same_inode dd/sub/a a
	expect_missing sub/a
}

test_options__dst_dir_with_target_directory_operand()
{
	mkdir -p dd/sub sub
	mkfile a
	mkfile b
	run_hlink --dst-dir=dd a b sub
	expect_ok
	expect_same_inode dd/sub/a a
	expect_same_inode dd/sub/b b
	expect_missing sub/a
}

test_options__dst_dir_with_dst_a_directory_in_it()
{
	mkdir -p dd/sub
	mkfile a
	run_hlink --dst-dir=dd a sub
	expect_ok
	expect_same_inode dd/sub/a a
}

test_options__src_dir_and_dst_dir()
{
	mkdir sd dd
	mkfile sd/f
	run_hlink --src-dir=sd --dst-dir=dd f g
	expect_ok
	expect_same_inode dd/g sd/f
}

test_options__src_dir_missing()
{
	mkfile a
	snap_save
	run_hlink --src-dir=nodir a b
	expect_result 1 "hlink: cannot open directory 'nodir': No such file or directory"
	expect_unchanged
}

test_options__dst_dir_missing()
{
	mkfile a
	snap_save
	run_hlink --dst-dir=nodir a b
	expect_result 1 "hlink: cannot open directory 'nodir': No such file or directory"
	expect_unchanged
}

test_options__src_dir_is_a_file()
{
	mkfile a
	snap_save
	run_hlink --src-dir=a a b
	expect_result 1 "hlink: cannot open directory 'a': Not a directory"
	expect_unchanged
}

test_options__v_one_line_per_link()
{
	mkfile a
	run_hlink -v a b
	expect_status 0
	expect_stderr
	expect_stdout "'b' => 'a'"
	run_hlink --verbose a c
	expect_status 0
	expect_stdout "'c' => 'a'"
}

test_options__v_nothing_when_already_linked()
{
	mkfile a
	ln a b
	run_hlink -v a b
	expect_ok
	run_hlink -v -f a b
	expect_ok
}

test_options__v_replace()
{
	mkfile a
	mkfile b
	run_hlink -v -f a b
	expect_status 0
	expect_stderr
	expect_stdout "'b' => 'a'"
	expect_same_inode b a
}

test_options__v_only_the_links_made()
{
	mkdir d
	mkfile a
	mkfile c
	run_hlink -v a missing c d
	expect_status 1
	expect_stdout "'d/a' => 'a'" "'d/c' => 'c'"
	expect_stderr "hlink: cannot link 'd/missing' to 'missing': 'missing' does not exist"
}

test_options__q_does_not_hide_errors()
{
	mkfile a
	mkfile b
	run_hlink -q a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	run_hlink --quiet missing c
	expect_cannot c missing "'missing' does not exist"
}

test_options__q_plain_link_prints_nothing()
{
	mkfile a
	run_hlink -q a b
	expect_ok
	expect_same_inode b a
}

test_options__dry_run_link()
{
	mkfile a
	snap_save
	run_hlink --dry-run a b
	expect_status 0
	expect_stderr
	expect_stdout "would link 'b' => 'a'"
	expect_unchanged
}

test_options__dry_run_replace()
{
	mkfile a
	mkfile b
	snap_save
	run_hlink --dry-run -f a b
	expect_status 0
	expect_stderr
	expect_stdout "would replace 'b' => 'a'"
	expect_unchanged
}

# A dry run reads no answer: it says it would ask.
test_options__dry_run_interactive_asks_nothing()
{
	mkfile a
	mkfile b
	snap_save
	run_hlink_input 'y\n' --dry-run -i a b
	expect_status 0
	expect_stderr
	expect_stdout "would ask to replace 'b' => 'a'"
	expect_unchanged
}

test_options__dry_run_directory_form()
{
	mkdir d
	mkfile a
	mkfile b
	snap_save
	run_hlink --dry-run -v a b d
	expect_status 0
	expect_stderr
	expect_stdout "would link 'd/a' => 'a'" "would link 'd/b' => 'b'"
	expect_unchanged
}

test_options__dry_run_already_linked()
{
	mkfile a
	ln a b
	snap_save
	run_hlink --dry-run a b
	expect_ok
	run_hlink --dry-run -f a b
	expect_ok
	expect_unchanged
}

test_options__dry_run_predicted_failures()
{
	mkfile a
	mkfile b
	mkdir d
	snap_save
	run_hlink --dry-run missing c
	expect_cannot c missing "'missing' does not exist"
	run_hlink --dry-run a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	run_hlink --dry-run d e
	expect_cannot e d "'d' is a directory, and directories cannot be hard-linked" \
	    "use -s to make a symbolic link instead"
	expect_unchanged
}

test_options__dry_run_symlink_fallback()
{
	mkdir d
	snap_save
	run_hlink --dry-run -s d e
	expect_status 0
	expect_stdout "would make a symbolic link 'e' -> '$SB/d'"
	expect_unchanged
}

test_options__dry_run_some_fail()
{
	mkdir d
	mkfile a
	snap_save
	run_hlink --dry-run a missing d
	expect_status 1
	expect_stdout "would link 'd/a' => 'a'"
	expect_stderr "hlink: cannot link 'd/missing' to 'missing': 'missing' does not exist"
	expect_unchanged
}

# -i: a is the source, b an existing other file
interactive_pair()
{
	mkfile a
	mkfile b
}

test_options__i_yes_replaces()
{
	local reply
	for reply in 'y\n' 'Y\n' 'yes\n' 'y'; do
		interactive_pair
		run_hlink_input "$reply" -i a b
		expect_status 0
		expect_stderr_raw "hlink: replace 'b'? "
		expect_stdout
		expect_same_inode b a
		expect_no_temp .
		rm -f a b
	done
}

test_options__i_no_keeps_dst()
{
	local reply
	for reply in 'n\n' 'N\n' '\n' 'maybe\n' ' y\n'; do
		interactive_pair
		snap_save
		run_hlink_input "$reply" -i a b
		expect_status 1
		expect_stderr_raw "hlink: replace 'b'? "
		expect_stdout
		expect_unchanged
		rm -f a b
	done
}

test_options__i_eof_keeps_dst()
{
	interactive_pair
	snap_save
	run_hlink --interactive a b
	expect_status 1
	expect_stderr_raw "hlink: replace 'b'? "
	expect_stdout
	expect_unchanged
}

test_options__i_yes_verbose()
{
	interactive_pair
	run_hlink_input 'y\n' -i -v a b
	expect_status 0
	expect_stderr_raw "hlink: replace 'b'? "
	expect_stdout "'b' => 'a'"
	expect_same_inode b a
}

test_options__i_one_reply_per_operand()
{
	mkdir d
	mkfile a
	mkfile b
	mkfile c
	mkfile d/a old-a
	mkfile d/b old-b
	mkfile d/c old-c
	run_hlink_input 'y\nn\ny\n' -i a b c d
	expect_status 1
	expect_stderr_raw "hlink: replace 'd/a'? hlink: replace 'd/b'? hlink: replace 'd/c'? "
	expect_stdout
	expect_same_inode d/a a
	expect_content d/b old-b
	expect_same_inode d/c c
	expect_no_temp d
}

test_options__i_no_prompt_when_dst_is_new_or_already_linked()
{
	mkfile a
	run_hlink_input 'n\n' -i a b
	expect_ok
	expect_same_inode b a
	run_hlink_input 'n\n' -i a b
	expect_ok
	expect_same_inode b a
}

test_options__f_i_last_wins()
{
	interactive_pair
	run_hlink_input 'n\n' -f -i a b
	expect_status 1
	expect_stderr_raw "hlink: replace 'b'? "
	expect_not_same_inode b a
	run_hlink_input 'n\n' -i -f a b
	expect_ok
	expect_same_inode b a
	rm b
	mkfile b
	run_hlink_input 'n\n' --interactive --force a b
	expect_ok
	expect_same_inode b a
}
