# t_crossdev.sh: SRC in the sandbox, DST on /dev/shm (tmpfs, another
# filesystem): EXDEV, and the -s fallback.

# sets $SHM, $M1 (the sandbox's mount point), $M2 (/dev/shm's), file a
crossdev_setup()
{
	shm_sandbox
	need_cmd findmnt
	M1=$(mount_point "$SB")
	M2=$(mount_point "$SHM")
	[ -n "$M1" ] && [ -n "$M2" ] || skip "findmnt found no mount point"
	mkfile a
}

xdev_why()
{
	printf "'%s' is on '%s' and '%s' would be on '%s', another filesystem" \
	    "$1" "$M1" "$2" "$M2"
}

XDEV_HINT="use -s to make a symbolic link instead"

test_crossdev__exdev_without_s()
{
	crossdev_setup
	snap_save . "$SHM"
	run_hlink a "$SHM/a"
	expect_cannot "$SHM/a" a "$(xdev_why a "$SHM/a")" "$XDEV_HINT"
	expect_unchanged . "$SHM"
}

test_crossdev__exdev_directory_form()
{
	crossdev_setup
	mkfile b
	snap_save . "$SHM"
	run_hlink a b "$SHM"
	expect_status 1
	expect_stdout
	expect_stderr \
	    "hlink: cannot link '$SHM/a' to 'a': $(xdev_why a "$SHM/a")" \
	    "hlink: hint: $XDEV_HINT" \
	    "hlink: cannot link '$SHM/b' to 'b': $(xdev_why b "$SHM/b")" \
	    "hlink: hint: $XDEV_HINT"
	expect_unchanged . "$SHM"
}

test_crossdev__exdev_mount_points_from_the_other_side()
{
	crossdev_setup
	mkfile "$SHM/z"
	snap_save . "$SHM"
	run_hlink "$SHM/z" z
	expect_status 1
	expect_stdout
	expect_stderr \
	    "hlink: cannot link 'z' to '$SHM/z': '$SHM/z' is on '$M2' and 'z' would be on '$M1', another filesystem" \
	    "hlink: hint: $XDEV_HINT"
	expect_unchanged . "$SHM"
}

test_crossdev__s_makes_an_absolute_symlink()
{
	crossdev_setup
	run_hlink -s a "$SHM/a"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/a': made a symbolic link instead: $(xdev_why a "$SHM/a")"
	expect_symlink "$SHM/a" "$SB/a"
	asserted
	[ "$(cd / && stat -L -c %i "$SHM/a")" = "$(stat -c %i a)" ] ||
	    fail "'$SHM/a' does not resolve to a from /"
	[ "$(cd "$SHM" && cat a)" = a ] ||
	    fail "'$SHM/a' does not resolve to a from $SHM"
}

test_crossdev__s_v()
{
	crossdev_setup
	run_hlink -s -v a "$SHM/a"
	expect_status 0
	expect_stdout "'$SHM/a' -> '$SB/a'"
	expect_stderr "hlink: '$SHM/a': made a symbolic link instead: $(xdev_why a "$SHM/a")"
}

test_crossdev__s_relative()
{
	crossdev_setup
	mkdir "$SHM/sub"
	run_hlink -s --relative a "$SHM/sub/a"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/sub/a': made a symbolic link instead: $(xdev_why a "$SHM/sub/a")"
	expect_symlink "$SHM/sub/a"
	local t
	t=$(readlink "$SHM/sub/a")
	asserted
	case $t in
	/*) fail "--relative made an absolute symlink: '$t'" ;;
	esac
	[ "$(cd "$SHM/sub" && realpath -e "$t" 2>&1)" = "$SB/a" ] ||
	    fail "'$t' from $SHM/sub is not $SB/a"
	[ "$(cd / && stat -L -c %i "$SHM/sub/a")" = "$(stat -c %i a)" ] ||
	    fail "'$SHM/sub/a' does not resolve to a from /"
	[ "$(cd "$HOME" 2>/dev/null || cd /usr; cat "$SHM/sub/a")" = a ] ||
	    fail "'$SHM/sub/a' does not read as a from another directory"
}

test_crossdev__s_relative_src_from_another_cwd()
{
	crossdev_setup
	mkdir -p x/y
	mkfile x/y/f
	cd x || skip "cannot cd x"
	run_hlink -s -q --relative y/f "$SHM/f"
	expect_ok
	expect_symlink "$SHM/f"
	asserted
	[ "$(cd / && stat -L -c %i "$SHM/f")" = "$(stat -c %i "$SB/x/y/f")" ] ||
	    fail "'$SHM/f' does not resolve to x/y/f"
	run_hlink -s -q y/f "$SHM/g"
	expect_ok
	expect_symlink "$SHM/g" "$SB/x/y/f"
}

test_crossdev__s_q_prints_nothing()
{
	crossdev_setup
	run_hlink -s -q a "$SHM/a"
	expect_ok
	expect_symlink "$SHM/a" "$SB/a"
}

test_crossdev__s_rerun_is_idempotent()
{
	crossdev_setup
	run_hlink -s -q a "$SHM/a"
	expect_ok
	snap_save . "$SHM"
	run_hlink -s a "$SHM/a"
	expect_ok
	run_hlink -s -v a "$SHM/a"
	expect_ok
	run_hlink -s -f a "$SHM/a"
	expect_ok
	expect_unchanged . "$SHM"
}

test_crossdev__s_relative_rerun_is_idempotent()
{
	crossdev_setup
	run_hlink -s -q --relative a "$SHM/a"
	expect_ok
	snap_save . "$SHM"
	run_hlink -s --relative a "$SHM/a"
	expect_ok
	expect_unchanged . "$SHM"
}

test_crossdev__s_src_a_directory()
{
	crossdev_setup
	mkdir d
	mkfile d/f
	run_hlink -s d "$SHM/d"
	expect_status 0
	expect_stdout
	expect_symlink "$SHM/d" "$SB/d"
	expect_content "$SHM/d/f" d/f
	# both causes hold; hlink names the first it meets, the filesystems
	expect_stderr "hlink: '$SHM/d': made a symbolic link instead: $(xdev_why d "$SHM/d")"
}

test_crossdev__s_no_fallback_for_missing_src()
{
	crossdev_setup
	snap_save . "$SHM"
	run_hlink -s missing "$SHM/m"
	expect_cannot "$SHM/m" missing "'missing' does not exist"
	expect_unchanged . "$SHM"
}

test_crossdev__s_no_fallback_for_missing_dst_dir()
{
	crossdev_setup
	snap_save . "$SHM"
	run_hlink -s a "$SHM/nodir/a"
	expect_cannot "$SHM/nodir/a" a "directory '$SHM/nodir' does not exist"
	expect_unchanged . "$SHM"
}

test_crossdev__s_no_fallback_for_eexist()
{
	crossdev_setup
	mkfile "$SHM/b"
	snap_save . "$SHM"
	run_hlink -s a "$SHM/b"
	expect_cannot "$SHM/b" a "'$SHM/b' already exists" "use -f to replace it"
	expect_unchanged . "$SHM"
	expect_content "$SHM/b" "$SHM/b"
}

test_crossdev__s_f_replaces_with_a_symlink()
{
	crossdev_setup
	mkfile "$SHM/b" old
	run_hlink -s -f a "$SHM/b"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/b': made a symbolic link instead: $(xdev_why a "$SHM/b")"
	expect_symlink "$SHM/b" "$SB/a"
	expect_no_temp "$SHM"
}

test_crossdev__f_without_s_keeps_dst()
{
	crossdev_setup
	mkfile "$SHM/b" old
	snap_save_loose . "$SHM"
	run_hlink -f a "$SHM/b"
	expect_cannot "$SHM/b" a "$(xdev_why a "$SHM/b")" "$XDEV_HINT"
	expect_unchanged . "$SHM"
	expect_no_temp "$SHM"
}

test_crossdev__dry_run_s()
{
	crossdev_setup
	snap_save . "$SHM"
	run_hlink --dry-run -s a "$SHM/a"
	expect_status 0
	expect_stdout "would make a symbolic link '$SHM/a' -> '$SB/a'"
	expect_unchanged . "$SHM"
	run_hlink --dry-run a "$SHM/a"
	expect_cannot "$SHM/a" a "$(xdev_why a "$SHM/a")" "$XDEV_HINT"
	expect_unchanged . "$SHM"
}

test_crossdev__bind_mount_is_another_mount()
{
	need_linux
	mkdir -p src dst
	mkfile src/a
	in_ns '
		mount --bind dst dst || skip "cannot bind-mount here"
		run_hlink src/a dst/a
	'
	load_result
	local m
	m=$(mount_point "$SB")
	expect_cannot dst/a src/a \
	    "'src/a' is on '$m' and 'dst/a' would be on '$SB/dst', another filesystem" \
	    "use -s to make a symbolic link instead"
	expect_missing dst/a
}

test_crossdev__s_L_symlink_target_is_the_resolved_file()
{
	crossdev_setup
	mkdir real
	mkfile real/f
	ln -s real alias
	ln -s alias/f s1
	ln -s s1 s2
	run_hlink -s -q s2 "$SHM/x"
	expect_ok
	expect_symlink "$SHM/x" "$SB/real/f"
}

test_crossdev__s_P_symlink_target_is_the_symlink_itself()
{
	crossdev_setup
	mkdir real
	mkfile real/f
	ln -s f real/s
	ln -s real alias
	run_hlink -s -q -P alias/s "$SHM/x"
	expect_ok
	expect_symlink "$SHM/x" "$SB/real/s"
}

test_crossdev__exdev_src_a_symlink_into_the_other_fs()
{
	crossdev_setup
	mkfile "$SHM/z"
	ln -s "$SHM/z" zl
	snap_save
	run_hlink zl x
	expect_cannot x zl \
	    "'zl' is on '$M2' and 'x' would be on '$M1', another filesystem" \
	    "$XDEV_HINT"
	expect_unchanged
	run_hlink -P zl x
	expect_ok
	expect_same_inode x zl
}
