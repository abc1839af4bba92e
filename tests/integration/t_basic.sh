# t_basic.sh: the plain case, --help and --version.

test_basic__link_new_name()
{
	mkfile a
	run_hlink a b
	expect_ok
	expect_same_inode b a
	expect_nlink a 2
	expect_content b a
	expect_no_temp .
}

test_basic__src_and_dst_in_subdirs()
{
	mkdir -p x/y z
	mkfile x/y/a
	run_hlink x/y/a z/b
	expect_ok
	expect_same_inode z/b x/y/a
}

test_basic__absolute_operands()
{
	mkfile a
	mkdir d
	run_hlink "$SB/a" "$SB/d/b"
	expect_ok
	expect_same_inode d/b a
}

test_basic__src_is_a_symlink_to_a_file_by_default_follows()
{
	mkfile f
	ln -s f s
	run_hlink s l
	expect_ok
	expect_same_inode l f
	expect_not_symlink l
}

test_basic__special_files()
{
	mkfifo p
	run_hlink p q
	expect_ok
	expect_same_inode q p
	asserted
	[ -p q ] || fail "'q' is not a fifo"
}

test_basic__help_to_stdout()
{
	local opt
	for opt in -h --help; do
		run_hlink $opt
		expect_status 0
		expect_stderr
		asserted
		[ -n "$out" ] || fail "$opt printed nothing on stdout"
		case $out in
		*hlink*) ;;
		*) fail "$opt: stdout does not name hlink" ;;
		esac
	done
}

test_basic__version_to_stdout()
{
	local opt
	for opt in -V --version; do
		run_hlink $opt
		expect_status 0
		expect_stderr
		asserted
		[ "$(head -n 1 "$CAP/out")" = "hlink 0.1.0" ] ||
		    fail "$opt: first line '$(head -n 1 "$CAP/out")', expected 'hlink 0.1.0'"
	done
}

test_basic__help_changes_nothing()
{
	mkfile a
	snap_save
	run_hlink --help a b
	expect_status 0
	expect_unchanged
}
