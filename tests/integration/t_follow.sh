# t_follow.sh: -L and -P when SRC is a symlink and DST is another name of
# that symlink's inode.
#
# foo is a file, sl2 a symlink to it, hlsl a second hard link of the
# symlink itself (ln -P sl2 hlsl).  Under -L (the default) the file to
# link is foo, and sl2 is not a name of foo: GNU ln (and cp -l) say
# "ln: failed to create hard link 'sl2': File exists" for `ln -L hlsl sl2`
# and make sl2 a name of foo with `ln -L -f hlsl sl2`.  Under -P the file
# to link is the symlink's inode, which sl2 already names.

# follow_setup: foo, sl2 -> foo, hlsl (sl2's inode)
follow_setup()
{
	mkfile foo
	ln -s foo sl2
	ln -P sl2 hlsl
	[ "$(ino hlsl)" = "$(ino sl2)" ] || skip "ln -P did not link the symlink"
}

test_follow__L_dst_a_name_of_the_symlink_exists()
{
	follow_setup
	snap_save
	run_hlink hlsl sl2
	expect_cannot sl2 hlsl "'sl2' already exists" "use -f to replace it"
	expect_unchanged
	run_hlink -L hlsl sl2
	expect_cannot sl2 hlsl "'sl2' already exists" "use -f to replace it"
	expect_unchanged
}

test_follow__L_f_replaces_with_the_file()
{
	follow_setup
	run_hlink -f hlsl sl2
	expect_ok
	expect_not_symlink sl2
	expect_same_inode sl2 foo
	expect_nlink foo 2
	expect_symlink hlsl foo
	expect_nlink hlsl 1
	expect_no_temp .
}

test_follow__L_i_asks_and_replaces_with_the_file()
{
	follow_setup
	snap_save
	run_hlink_input 'n\n' -i hlsl sl2
	expect_status 1
	expect_stderr_raw "hlink: replace 'sl2'? "
	expect_stdout
	expect_unchanged
	run_hlink_input 'y\n' -i hlsl sl2
	expect_status 0
	expect_stderr_raw "hlink: replace 'sl2'? "
	expect_same_inode sl2 foo
	expect_symlink hlsl foo
}

test_follow__L_dry_run_says_it_exists()
{
	follow_setup
	snap_save
	run_hlink --dry-run hlsl sl2
	expect_cannot sl2 hlsl "'sl2' already exists" "use -f to replace it"
	run_hlink --dry-run -v -f hlsl sl2
	expect_status 0
	expect_stderr
	expect_unchanged
}

test_follow__P_names_of_the_symlink_are_linked()
{
	follow_setup
	snap_save
	run_hlink -P hlsl sl2
	expect_ok
	run_hlink -P -f hlsl sl2
	expect_ok
	run_hlink --no-follow --dry-run hlsl sl2
	expect_ok
	expect_unchanged
}

# -s: a rerun finds DST a symlink that resolves to the file SRC resolves
# to, which is what -s would make (SPEC: "a rerun of -s that finds DST
# already a symlink resolving to SRC" succeeds and changes nothing)
test_follow__L_s_symlink_resolving_to_the_file_is_linked()
{
	follow_setup
	snap_save
	run_hlink -s hlsl sl2
	expect_ok
	expect_unchanged
}

# the same directory entry stays a success, and is never removed, also
# when -L would link the file a symlink SRC names
test_follow__L_same_entry_of_a_symlink()
{
	follow_setup
	mkdir d
	snap_save
	run_hlink sl2 sl2
	expect_ok
	run_hlink -f sl2 ./sl2
	expect_ok
	run_hlink -f sl2 d/../sl2
	expect_ok
	expect_unchanged
	expect_symlink sl2 foo
}

# -r on a SRCDIR that is not a directory links it as the plain form does
test_follow__r_on_a_name_of_the_symlink()
{
	follow_setup
	snap_save
	run_hlink -r hlsl sl2
	expect_cannot sl2 hlsl "'sl2' already exists" "use -f to replace it"
	expect_unchanged
	run_hlink -r -f hlsl sl2
	expect_ok
	expect_same_inode sl2 foo
}
