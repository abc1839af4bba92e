# t_messages.sh: the exact failure lines, and names escaped in them.

test_messages__src_missing()
{
	snap_save
	run_hlink nope b
	expect_cannot b nope "'nope' does not exist"
	run_hlink nodir/nope b
	expect_cannot b nodir/nope "'nodir/nope' does not exist"
	expect_unchanged
}

test_messages__src_dangling_symlink()
{
	ln -s nowhere s
	snap_save
	run_hlink s b
	expect_cannot b s "'s' is a dangling symbolic link" \
	    "use -P to link the symbolic link itself"
	run_hlink -L s b
	expect_cannot b s "'s' is a dangling symbolic link" \
	    "use -P to link the symbolic link itself"
	expect_unchanged
}

test_messages__dst_directory_missing()
{
	mkfile a
	snap_save
	run_hlink a nodir/b
	expect_cannot nodir/b a "directory 'nodir' does not exist"
	run_hlink a x/y/b
	expect_cannot x/y/b a "directory 'x/y' does not exist"
	expect_unchanged
}

test_messages__eexist()
{
	mkfile a
	mkfile b
	run_hlink a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
}

test_messages__enotdir_in_dst()
{
	mkfile a
	mkfile f
	mkdir d
	mkfile d/g
	snap_save
	run_hlink a f/b
	expect_cannot f/b a "'f' is not a directory"
	run_hlink a d/g/x/b
	expect_cannot d/g/x/b a "'d/g' is not a directory"
	expect_unchanged
}

test_messages__enotdir_in_src()
{
	mkfile f
	snap_save
	run_hlink f/x b
	expect_cannot b f/x "'f' is not a directory"
	expect_unchanged
}

test_messages__eloop_src()
{
	ln -s l1 l2
	ln -s l2 l1
	snap_save
	run_hlink l1 b
	expect_cannot b l1 "too many levels of symbolic links in 'l1'"
	expect_unchanged
}

test_messages__enametoolong_src()
{
	local long
	long=$(printf 'x%.0s' $(seq 300))
	snap_save
	run_hlink "$long" b
	expect_cannot b "$long" "'$long' or a name in it is too long"
	expect_unchanged
}

test_messages__enametoolong_dst()
{
	local long
	long=$(printf 'y%.0s' $(seq 300))
	mkfile a
	snap_save
	run_hlink a "$long"
	expect_cannot "$long" a "'$long' or a name in it is too long"
	expect_unchanged
}

test_messages__src_is_a_directory()
{
	mkdir d
	snap_save
	run_hlink d e
	expect_cannot e d "'d' is a directory, and directories cannot be hard-linked" \
	    "use -s to make a symbolic link instead"
	expect_unchanged
}

test_messages__target_not_a_directory()
{
	mkfile a
	mkfile b
	mkfile c
	run_hlink a b c
	expect_result 1 "hlink: target 'c' is not a directory"
}

test_messages__cannot_open_directory()
{
	mkfile a
	run_hlink -t nodir a
	expect_result 1 "hlink: cannot open directory 'nodir': No such file or directory"
	run_hlink --dst-dir=a a b
	expect_result 1 "hlink: cannot open directory 'a': Not a directory"
}

# escaping: each NAME (raw bytes) is shown as QUOTED
check_escape()
{
	local name=$1 quoted=$2
	run_hlink "$name" b
	expect_cannot b "$quoted" "'$quoted' does not exist"
	mkfile a
	run_hlink a "$name/x"
	expect_cannot "$quoted/x" a "directory '$quoted' does not exist"
	rm -f a
}

test_messages__escape_newline()
{
	check_escape $'a\nb' 'a\nb'
}

test_messages__escape_tab_and_cr()
{
	check_escape $'a\tb\rc' 'a\tb\rc'
}

test_messages__escape_esc()
{
	check_escape $'e\x1b[31mred' 'e\x1b[31mred'
}

test_messages__escape_other_controls()
{
	check_escape $'\x01\x7f\x1f' '\x01\x7f\x1f'
}

test_messages__escape_invalid_utf8()
{
	check_escape $'f\xff' 'f\xff'
	check_escape $'t\xc3' 't\xc3'
	check_escape $'o\xc0\xaf' 'o\xc0\xaf'
	check_escape $'s\xed\xa0\x80' 's\xed\xa0\x80'
}

test_messages__escape_c1_controls()
{
	check_escape $'c\xc2\x9b1m' 'c\xc2\x9b1m'
	check_escape $'c\xc2\x80' 'c\xc2\x80'
}

test_messages__escape_single_quote_and_backslash()
{
	check_escape "it's" "it\\'s"
	check_escape 'back\slash' 'back\\slash'
}

test_messages__valid_utf8_unchanged()
{
	check_escape 'café' 'café'
	check_escape '日本' '日本'
}

test_messages__escape_in_verbose_lines()
{
	mkfile $'n\nl'
	run_hlink -v $'n\nl' $'m\x1b'
	expect_status 0
	expect_stderr
	expect_stdout "'m\\x1b' => 'n\\nl'"
	expect_same_inode $'m\x1b' $'n\nl'
}

test_messages__escape_in_eexist_and_hint()
{
	mkfile "q'1"
	mkfile $'d\xff'
	run_hlink "q'1" $'d\xff'
	expect_cannot 'd\xff' "q\\'1" "'d\\xff' already exists" "use -f to replace it"
}

# a trailing slash names a directory: "f/" with f a regular file is not
# a directory, as for rename(2) and mv.  link(2) itself says EEXIST, as
# ln does; hlink gives the reason -f would meet too (and no -f hint, which
# could not help), and -f must not replace f.
test_messages__dst_trailing_slash_on_a_file()
{
	mkfile a
	mkfile f
	snap_save
	run_hlink a f/
	expect_cannot f/ a "'f' is not a directory"
	expect_unchanged
}

test_messages__f_dst_trailing_slash_on_a_file_keeps_it()
{
	mkfile a
	mkfile f
	snap_save_loose
	run_hlink -f a f/
	expect_cannot f/ a "'f' is not a directory"
	expect_unchanged
	expect_no_temp .
}

test_messages__src_trailing_slash_on_a_file()
{
	mkfile a
	snap_save
	run_hlink a/ z
	expect_cannot z a/ "'a' is not a directory"
	expect_unchanged
}

test_messages__dst_trailing_slash_missing()
{
	# "nb/" names a directory nb that does not exist; '.' does exist
	mkfile a
	snap_save
	run_hlink a nb/
	expect_cannot nb/ a "directory 'nb' does not exist"
	expect_unchanged
}

test_messages__escape_long_names_whole()
{
	# every byte escaped makes the quoted name four times as long
	local c q p pq
	c=$(printf '\x1b%.0s' $(seq 250))
	q=$(printf '\\x1b%.0s' $(seq 250))
	p="$c/$c/$c/$c/$c/$c/$c/$c/$c/$c/$c/$c/$c/$c/x"
	pq="$q/$q/$q/$q/$q/$q/$q/$q/$q/$q/$q/$q/$q/$q/x"
	run_hlink "$p" b
	expect_cannot b "$pq" "'$pq' does not exist"
}

test_messages__empty_dst()
{
	# linkat(2) says ENOENT for an empty name; '.' is there all the same
	mkfile a
	snap_save
	run_hlink a ''
	expect_cannot '' a "an empty name cannot name a link"
	expect_unchanged
}

# Each line reaches unbuffered stderr in one write(2): a line of another
# process (or of a -j worker) never comes between its pieces.
test_messages__one_write_per_line()
{
	need_cmd strace
	mkfile a
	mkfile b
	# glibc's stdio writes with write(2), musl's with writev(2)
	run strace -f -o "$CAP/trace" -e trace=write,writev "$HLINK" a b
	[ -s "$CAP/trace" ] || skip "strace traced nothing here"
	expect_cannot b a "'b' already exists" "use -f to replace it"
	local writes
	writes=$(grep -cE '^[0-9]* *writev?\(2,' "$CAP/trace" || true)
	# "cannot link 'b' to 'a': 'b' already exists" and its hint
	[ "$writes" = 2 ] || fail "$writes writes to stderr for 2 lines: $(grep -E 'writev?\(2' "$CAP/trace" | head -6)"
}
