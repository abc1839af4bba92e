# t_privileged.sh: what needs root: permissions as another user (uid
# 65534 through setpriv), and faults on filesystems mounted for the test
# in a private mount namespace (unshare -m), where the mount point in a
# message is the directory mounted on.

# w/: a directory and w/a a file, both of uid 65534
nobody_files()
{
	need_nobody
	mkdir w
	mkfile w/a
	chown -R $NOBODY_UID:$NOBODY_GID w
}

test_privileged__no_write_permission_in_dst_dir()
{
	nobody_files
	mkdir ro
	chmod 555 ro
	snap_save
	run_hlink_nobody w/a ro/b
	expect_cannot ro/b w/a "no permission to write in directory 'ro'"
	run_hlink_nobody w/a ro
	expect_cannot ro/a w/a "no permission to write in directory 'ro'"
	run_hlink_nobody -t ro w/a
	expect_cannot ro/a w/a "no permission to write in directory 'ro'"
	expect_unchanged
}

test_privileged__f_without_write_permission_keeps_dst()
{
	nobody_files
	mkdir ro
	mkfile ro/b old
	chmod 555 ro
	snap_save
	run_hlink_nobody -f w/a ro/b
	expect_cannot ro/b w/a "no permission to write in directory 'ro'"
	expect_unchanged
	expect_no_temp ro
}

test_privileged__no_search_permission_in_src_path()
{
	nobody_files
	mkdir -p ns/sub
	mkfile ns/sub/f
	chown $NOBODY_UID ns/sub/f
	chmod 700 ns
	snap_save
	run_hlink_nobody ns/sub/f w/b
	expect_cannot w/b ns/sub/f "no permission to search directory 'ns'"
	expect_unchanged
	chmod 755 ns
	chmod 700 ns/sub
	snap_save
	run_hlink_nobody ns/sub/f w/b
	expect_cannot w/b ns/sub/f "no permission to search directory 'ns/sub'"
	expect_unchanged
}

test_privileged__no_search_permission_in_dst_path()
{
	nobody_files
	mkdir -p ns/sub
	chown $NOBODY_UID ns/sub
	chmod 700 ns
	snap_save
	run_hlink_nobody w/a ns/sub/b
	expect_cannot ns/sub/b w/a "no permission to search directory 'ns'"
	expect_unchanged
}

test_privileged__target_directory_that_cannot_be_opened()
{
	need_linux
	nobody_files
	mkdir closed
	chmod 000 closed
	snap_save
	run_hlink_nobody -t closed w/a
	expect_cannot closed/a w/a "no permission to search directory 'closed'"
	expect_unchanged
}

# rootf: a file of root's that uid 65534 may read but not write
other_owner_setup()
{
	nobody_files
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkfile rootf
	chmod 644 rootf
}

OTHER_WHY="'rootf' belongs to another user, and fs.protected_hardlinks forbids linking it"

test_privileged__other_users_file()
{
	need_linux
	other_owner_setup
	snap_save
	run_hlink_nobody rootf w/x
	expect_cannot w/x rootf "$OTHER_WHY" \
	    "use -s to make a symbolic link instead, or run as the file's owner"
	expect_unchanged
}

test_privileged__other_users_file_s_fallback()
{
	need_linux
	other_owner_setup
	run_hlink_nobody -s rootf w/x
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 'w/x': made a symbolic link instead: $OTHER_WHY"
	expect_symlink w/x "$SB/rootf"
	run_hlink_nobody -s -q --relative rootf w/y
	expect_ok
	expect_symlink w/y ../rootf
	run_hlink_nobody -s rootf w/x
	expect_ok
}

# --- faults on filesystems made for the test -------------------------------

test_privileged__erofs()
{
	in_ns '
		mount_tmpfs mnt size=1M || skip "cannot mount a tmpfs"
		mkfile mnt/a
		mkfile mnt/b old
		mount -o remount,ro mnt || skip "cannot remount the tmpfs read-only"
		snap_save mnt
		why="the filesystem at '\''$SB/mnt'\'' is read-only"
		run_hlink mnt/a mnt/c
		expect_cannot mnt/c mnt/a "$why"
		run_hlink -s mnt/a mnt/c
		expect_cannot mnt/c mnt/a "$why"
		run_hlink -f mnt/a mnt/b
		expect_cannot mnt/b mnt/a "$why"
		expect_unchanged mnt
	'
}

test_privileged__erofs_read_only_mount()
{
	need_linux
	mkdir src
	mkfile src/a
	in_ns '
		mkdir -p ro
		mount --bind src ro && mount -o remount,bind,ro ro ||
		    skip "cannot make a read-only bind mount"
		run_hlink ro/a ro/b
		expect_cannot ro/b ro/a "the filesystem at '\''$SB/ro'\'' is read-only"
	'
	expect_missing src/b
}

test_privileged__enospc()
{
	in_ns '
		# tmpfs counts the root, each file and each extra link
		mount_tmpfs mnt nr_inodes=3 || skip "cannot mount a tmpfs"
		mkfile mnt/a
		mkfile mnt/b old
		{ : >mnt/probe; } 2>/dev/null && skip "tmpfs nr_inodes=3 is not full"
		snap_save mnt
		why="no space left on the filesystem at '\''$SB/mnt'\''"
		run_hlink mnt/a mnt/c
		expect_cannot mnt/c mnt/a "$why"
		run_hlink -s mnt/a mnt/c
		expect_cannot mnt/c mnt/a "$why"
		run_hlink -f mnt/a mnt/b
		expect_cannot mnt/b mnt/a "$why"
		expect_unchanged mnt
		expect_no_temp mnt
	'
}

test_privileged__fs_without_hard_links()
{
	need_linux
	in_ns '
		mkdir mq
		mount -t mqueue hlink-test mq || skip "cannot mount an mqueue filesystem"
		touch mq/a || skip "cannot make a queue in the mqueue filesystem"
		snap_save mq
		run_hlink mq/a mq/b
		expect_cannot mq/b mq/a \
		    "the filesystem at '\''$SB/mq'\'' does not support hard links" \
		    "use -s to make a symbolic link instead"
		expect_unchanged mq
	'
}

test_privileged__fs_without_hard_links_s()
{
	need_linux
	# mqueue has no symlinks either: the fallback cannot be made, so the
	# operand must fail, leave nothing, and say so, with no hint at -s
	in_ns '
		mkdir mq
		mount -t mqueue hlink-test mq || skip "cannot mount an mqueue filesystem"
		touch mq/a || skip "cannot make a queue in the mqueue filesystem"
		ln -s x mq/probe 2>/dev/null && skip "mqueue takes symlinks here"
		snap_save mq
		run_hlink -s mq/a mq/b
		expect_status 1
		expect_stdout
		expect_unchanged mq
		expect_stderr "hlink: cannot link '\''mq/b'\'' to '\''mq/a'\'': the filesystem at '\''$SB/mq'\'' supports neither hard nor symbolic links"
		# from the mqueue to another filesystem: EXDEV, and the symlink
		# is made outside the mqueue
		mkdir out
		run_hlink -s -v mq/a out/a
		expect_status 0
		expect_stdout "'\''out/a'\'' -> '\''$SB/mq/a'\''"
		expect_stderr "hlink: '\''out/a'\'': made a symbolic link instead: '\''mq/a'\'' is on '\''$SB/mq'\'' and '\''out/a'\'' would be on '\''$(mount_point "$SB")'\'', another filesystem"
		expect_symlink out/a "$SB/mq/a"
	'
}


test_privileged__emlink()
{
	ext4_image
	build_mklinks
	in_ns '
		full_ext4
		max=$(getconf LINK_MAX e/f)
		[ "$n" = "$max" ] || fail "getconf LINK_MAX says $max, $n links made"
		why="'\''e/f'\'' already has $n links, the maximum ($max) for its filesystem"
		snap_save e
		run_hlink e/f e/x
		expect_cannot e/x e/f "$why" "use -s to make a symbolic link instead"
		expect_unchanged e
		run_hlink -s e/f e/x
		expect_status 0
		expect_stdout
		expect_stderr "hlink: '\''e/x'\'': made a symbolic link instead: $why"
		expect_symlink e/x "$SB/e/f"
		run_hlink -s e/f e/x
		expect_ok
		run_hlink -s -q -v e/f e/y
		expect_status 0
		expect_stderr
		expect_stdout "'\''e/y'\'' -> '\''$SB/e/f'\''"
	'
}

test_privileged__emlink_f_keeps_dst()
{
	ext4_image
	build_mklinks
	in_ns '
		full_ext4
		mkfile e/b old
		max=$(getconf LINK_MAX e/f)
		snap_save_loose e
		run_hlink -f e/f e/b
		expect_cannot e/b e/f \
		    "'\''e/f'\'' already has $n links, the maximum ($max) for its filesystem" \
		    "use -s to make a symbolic link instead"
		expect_unchanged e
		expect_no_temp e
	'
}

test_privileged__immutable_and_append_only()
{
	need_linux
	ext4_image
	build_mklinks
	need_cmd chattr
	in_ns '
		mkdir e
		mount -o loop "$CAP/img" e 2>/dev/null ||
		    skip "cannot mount an ext4 image (no loop device?)"
		mkfile e/i
		mkfile e/ap
		chattr +i e/i && chattr +a e/ap || skip "chattr failed"
		snap_save e
		run_hlink e/i e/x
		expect_cannot e/x e/i "'\''e/i'\'' is immutable or append-only" \
		    "see lsattr(1) and chattr(1)"
		run_hlink -s e/i e/x
		expect_cannot e/x e/i "'\''e/i'\'' is immutable or append-only" \
		    "see lsattr(1) and chattr(1)"
		run_hlink e/ap e/y
		expect_cannot e/y e/ap "'\''e/ap'\'' is immutable or append-only" \
		    "see lsattr(1) and chattr(1)"
		expect_unchanged e
		chattr -i e/i; chattr -a e/ap
	'
}

test_privileged__already_linked_in_unwritable_dir()
{
	# nothing to do needs no write permission: -f must not make a temp
	nobody_files
	mkdir ro
	ln w/a ro/a
	chmod 555 ro
	snap_save
	run_hlink_nobody -f w/a ro/a
	expect_ok
	run_hlink_nobody -f -t ro w/a
	expect_ok
	run_hlink_nobody -f ro/a ro/a
	expect_ok
	expect_unchanged
}

test_privileged__other_users_file_f()
{
	need_linux
	other_owner_setup
	mkfile w/x old
	chown $NOBODY_UID w/x
	snap_save_loose
	run_hlink_nobody -f rootf w/x
	expect_cannot w/x rootf "$OTHER_WHY" \
	    "use -s to make a symbolic link instead, or run as the file's owner"
	expect_unchanged
	expect_no_temp w
	run_hlink_nobody -s -f rootf w/x
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 'w/x': made a symbolic link instead: $OTHER_WHY"
	expect_symlink w/x "$SB/rootf"
	expect_no_temp w
}

test_privileged__f_over_another_users_file_in_a_sticky_dir()
{
	# rename(2) over another user's file in a sticky directory is EPERM:
	# neither the filesystem nor SRC is the cause, and -s cannot help.
	# The contract's EPERM rule says which cause it is: another user's
	# file, here in a sticky directory; no hint.
	nobody_files
	mkdir st
	chmod 1777 st
	mkfile st/b
	snap_save_loose
	local opt
	for opt in -f -sf; do
		run_hlink_nobody $opt w/a st/b
		expect_cannot st/b w/a "'st/b' belongs to another user, and only its owner may replace it in sticky directory 'st'"
		expect_unchanged
		expect_no_temp st
	done
}

# -f where the name or its directory is immutable or append-only: the
# reason, and no temporary name left (an append-only directory would take
# one and keep it: none is made there, so nothing changes at all)
test_privileged__replace_in_a_protected_directory()
{
	need_linux
	ext4_image
	need_cmd chattr
	in_ns '
		mkdir e
		mount -o loop "$CAP/img" e 2>/dev/null ||
		    skip "cannot mount an ext4 image (no loop device?)"
		mkdir e/ap e/q e/ii
		mkfile e/ap/a
		mkfile e/ap/b
		mkfile e/q/a
		mkfile e/q/b
		mkfile e/ii/y
		chattr +a e/ap && chattr +i e/q/b e/ii || skip "chattr failed"
		q="'\''"
		hint="see lsattr(1) and chattr(1)"
		snap_save e/ap e/ii
		for opt in -f "-f -s" "-f --dry-run"; do
			run_hlink $opt e/ap/a e/ap/b
			expect_cannot e/ap/b e/ap/a "directory ${q}e/ap$q is append-only: names can be added to it but not replaced" "$hint"
		done
		run_hlink e/q/a e/ii/x
		expect_cannot e/ii/x e/q/a "directory ${q}e/ii$q is immutable: no name in it can be made or replaced" "$hint"
		run_hlink -s e/q/a e/ii/x
		expect_cannot e/ii/x e/q/a "directory ${q}e/ii$q is immutable: no name in it can be made or replaced" "$hint"
		run_hlink -f e/q/a e/ii/y
		expect_cannot e/ii/y e/q/a "directory ${q}e/ii$q is immutable: no name in it can be made or replaced" "$hint"
		expect_unchanged e/ap e/ii
		snap_save_loose e/q
		run_hlink -f e/q/a e/q/b
		expect_cannot e/q/b e/q/a "${q}e/q/b$q is immutable or append-only, and cannot be replaced" "$hint"
		expect_unchanged e/q
		expect_no_temp e/ap e/q e/ii
		chattr -a e/ap; chattr -i e/q/b e/ii
	'
}
