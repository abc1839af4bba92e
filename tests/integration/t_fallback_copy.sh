# t_fallback_copy.sh: --fallback=KIND[,KIND]... with clone and copy, on
# the sandbox's ext4, /dev/shm's tmpfs, and Btrfs, XFS and ext4 loop
# images in a private mount namespace; -r's replica across filesystems.

XDEV_WHY()	# SRC DST: the why of a link from the sandbox to $SHM
{
	printf "'%s' is on '%s' and '%s' would be on '%s', another filesystem" \
	    "$1" "$(mount_point "$SB")" "$2" "$(mount_point "$SHM")"
}

# a listing that cp -a's replica must match, name by name
tree_listing()
{
	(cd "$1" && find . -printf '%P %y %n %m %U %G %l %T@\n' | LC_ALL=C sort)
}

test_fallback_copy__copy_across_filesystems()
{
	shm_sandbox
	printf 'data\n' >a
	chmod 640 a
	touch -d '2001-02-03 04:05:06.5' a
	run_hlink --fallback=copy a "$SHM/b"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/b': made a copy instead: $(XDEV_WHY a "$SHM/b")"
	expect_content "$SHM/b" data
	[ "$(stat -c '%a %Y %y' "$SHM/b")" = "$(stat -c '%a %Y %y' a)" ] ||
	    fail "mode or times differ: $(stat -c '%a %y' "$SHM/b" a)"
	expect_no_temp "$SHM"
}

# -v adds its line; the notice is the one said without it, word for word.
test_fallback_copy__v_keeps_the_notice()
{
	shm_sandbox
	mkfile a
	mkfile b
	run_hlink -v --fallback=copy a b "$SHM"
	expect_status 0
	expect_stdout "'$SHM/a' <= 'a' (copy)" "'$SHM/b' <= 'b' (copy)"
	expect_stderr \
	    "hlink: '$SHM/a': made a copy instead: $(XDEV_WHY a "$SHM/a")" \
	    "hlink: '$SHM/b': made a copy instead: $(XDEV_WHY b "$SHM/b")"
}

# -q says nothing of the copies it makes, but a failure still names the
# mount points, which -q did not look up for the copies before it.
test_fallback_copy__q_failure_names_the_mount_points()
{
	need_cmd mkfifo
	shm_sandbox
	mkfile a
	mkfifo p
	run_hlink -q --fallback=copy a p "$SHM"
	expect_cannot "$SHM/p" p \
	    "$(XDEV_WHY p "$SHM/p"); copy: 'p' is not a regular file"
	expect_content "$SHM/a" a
	expect_missing "$SHM/p"
}

# Two mounts of one filesystem (one st_dev) in one run: each file's
# notice names its own mount point, from the run's one mount table.
test_fallback_copy__mount_points_of_one_run()
{
	need_linux
	mkdir -p src bound dst
	mkfile src/a
	mkfile bound/b
	mkfile src/c
	in_ns '
		mount --bind bound bound || skip "cannot bind-mount here"
		mount --bind dst dst || skip "cannot bind-mount here"
		run_hlink --fallback=copy src/a bound/b src/c dst
	'
	load_result
	local m
	m=$(mount_point "$SB")
	expect_status 0
	expect_stderr \
	    "hlink: 'dst/a': made a copy instead: 'src/a' is on '$m' and 'dst/a' would be on '$SB/dst', another filesystem" \
	    "hlink: 'dst/b': made a copy instead: 'bound/b' is on '$SB/bound' and 'dst/b' would be on '$SB/dst', another filesystem" \
	    "hlink: 'dst/c': made a copy instead: 'src/c' is on '$m' and 'dst/c' would be on '$SB/dst', another filesystem"
	expect_content dst/b bound/b
}

test_fallback_copy__v_and_q()
{
	shm_sandbox
	mkfile a
	run_hlink -v -q --fallback=copy a "$SHM/b"
	expect_status 0
	expect_stderr
	expect_stdout "'$SHM/b' <= 'a' (copy)"
	run_hlink -q --fallback=copy a "$SHM/c"
	expect_ok
	expect_content "$SHM/c" a
}

# A copy is not a link: a rerun is EEXIST, and -f replaces atomically.
test_fallback_copy__rerun_and_force()
{
	shm_sandbox
	mkfile a one
	run_hlink -q --fallback=copy a "$SHM/b"
	expect_ok
	run_hlink -q --fallback=copy a "$SHM/b"
	expect_cannot "$SHM/b" a "'$SHM/b' already exists" "use -f to replace it"
	mkfile a two
	local before
	before=$(ino "$SHM/b")
	run_hlink -q -f --fallback=copy a "$SHM/b"
	expect_ok
	expect_content "$SHM/b" two
	[ "$(ino "$SHM/b")" != "$before" ] || fail "-f wrote into the old DST"
	expect_no_temp "$SHM"
}

# -f never replaces a directory: said as a link says it, before a byte
# of the copy is written; the same in a replica.
test_fallback_copy__force_onto_a_directory()
{
	shm_sandbox
	head -c 3M /dev/zero >a
	mkdir "$SHM/dd"
	run_hlink -fT --fallback=copy a "$SHM/dd"
	expect_cannot "$SHM/dd" a "'$SHM/dd' is a directory and cannot be replaced"
	[ -d "$SHM/dd" ] || fail "the directory is gone"
	expect_no_temp "$SHM"
	mkdir -p s/d "$SHM/r/d/f"
	mkfile s/d/f
	run_hlink -q -rT -f --fallback=copy s "$SHM/r"
	expect_cannot "$SHM/r/d/f" s/d/f \
	    "'$SHM/r/d/f' is a directory and cannot be replaced"
	[ -d "$SHM/r/d/f" ] || fail "the directory is gone"
}

# In a sticky directory another user's DST is not replaced by a copy:
# the sentence -s gives.  And a directory that may not be written is
# named.  (fs.protected_hardlinks refuses nobody the link to root's file.)
test_fallback_copy__dst_side_refusals_as_nobody()
{
	need_nobody
	need_linux
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkfile a
	chmod 644 a
	mkdir t ro
	chmod 1777 t
	mkfile t/victim
	run_hlink_nobody -f --fallback=copy a t/victim
	expect_cannot t/victim a "'t/victim' belongs to another user, and only its owner may replace it in sticky directory 't'"
	expect_content t/victim t/victim
	expect_no_temp t
	run_hlink_nobody --fallback=copy a ro/x
	expect_cannot ro/x a "'a' belongs to another user, and fs.protected_hardlinks forbids linking it; copy: no permission to write in directory 'ro'"
	expect_missing ro/x
}

# mqueue takes no hard link and no write: the copy's step says so.
test_fallback_copy__mqueue_says_the_write_step()
{
	need_linux
	in_ns '
		mkdir q
		mount -t mqueue mq q 2>/dev/null || skip "cannot mount mqueue"
		touch q/q1
		m=$(cd q && pwd -P)
		run_hlink --fallback=copy q/q1 q/q2
		expect_cannot q/q2 q/q1 "the filesystem at '\''$m'\'' does not support hard links; copy: cannot write to the filesystem at '\''$m'\'': Invalid argument"
		expect_missing q/q2
	'
}

# set_acl FILE: user:1234:rw-, group::--- and user.hlink=v, written as
# extended attributes (no setfacl needed); skips where they cannot be.
set_acl()
{
	need_cmd python3
	python3 -c '
import os, struct, sys
acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i)
    for t, p, i in ((1, 6, 0xffffffff), (2, 6, 1234), (4, 0, 0xffffffff),
                    (0x10, 6, 0xffffffff), (0x20, 4, 0xffffffff)))
os.setxattr(sys.argv[1], "system.posix_acl_access", acl)
os.setxattr(sys.argv[1], "user.hlink", b"v")
' "$1" 2>/dev/null || skip "no ACLs or user xattrs on $(stat -f -c %T "$1")"
}

# xattrs FILE: "name=hex" per attribute, sorted
xattrs()
{
	python3 -c '
import os, sys
for n in sorted(os.listxattr(sys.argv[1])):
    print(n + "=" + os.getxattr(sys.argv[1], n).hex())
' "$1"
}

# A copy keeps SRC's ACL as cp -p does: the same attributes as cp -p's.
test_fallback_copy__copy_keeps_the_acl()
{
	need_linux
	shm_sandbox
	mkfile a
	set_acl a
	cp -p a "$SHM/c"
	run_hlink -q --fallback=copy a "$SHM/b"
	expect_ok
	local want got
	want=$(xattrs "$SHM/c")
	got=$(xattrs "$SHM/b")
	[[ $got == *system.posix_acl_access=* ]] || fail "no ACL: $got"
	[ "$got" = "$want" ] || fail "attributes: '$got', cp -p: '$want'"
	[ "$(stat -c %A "$SHM/b")" = "$(stat -c %A a)" ] ||
	    fail "mode: $(stat -c %A "$SHM/b" a)"
}

# A replica keeps every extended attribute, as cp -a does.
test_fallback_copy__replica_keeps_xattrs()
{
	need_linux
	shm_sandbox
	mkdir -p s/d
	mkfile s/d/f
	mkfile s/g
	set_acl s/d/f
	python3 -c 'import os; os.setxattr("s/g", "user.other", b"1")'
	cp -a s "$SHM/c"
	run_hlink -q -r --fallback=copy s "$SHM/r"
	expect_ok
	local f want got
	for f in d/f g; do
		want=$(xattrs "$SHM/c/$f")
		got=$(xattrs "$SHM/r/$f")
		[ -n "$got" ] || fail "$f: no attributes"
		[ "$got" = "$want" ] || fail "$f: '$got', cp -a: '$want'"
	done
}

# Without its ACL a copy would open the file to its group (the mode's
# group bits are the ACL's mask): where DST's filesystem has no ACLs
# (ramfs) the copy fails, as cp -p fails there, and nothing is left.
test_fallback_copy__acl_refused_is_a_failure()
{
	need_linux
	mkfile a
	set_acl a
	ENOTSUP_TEXT=$(enotsup_text)
	export ENOTSUP_TEXT
	in_ns '
		mkdir r
		mount -t ramfs ramfs r 2>/dev/null || skip "cannot mount ramfs"
		m=$(cd r && pwd -P)
		run_hlink --fallback=copy a r/b
		expect_cannot r/b a "'\''a'\'' is on '\''$(mount_point "$SB")'\'' and '\''r/b'\'' would be on '\''$m'\'', another filesystem; copy: cannot copy its ACL: $ENOTSUP_TEXT"
		expect_missing r/b
		expect_no_temp r
	'
}

test_fallback_copy__clone_passes_to_copy()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	shm_sandbox
	mkfile a
	run_hlink -v --fallback=clone,copy a "$SHM/b"
	expect_status 0
	expect_stdout "'$SHM/b' <= 'a' (copy)"
	expect_content "$SHM/b" a
	run_hlink --fallback=clone a "$SHM/c"
	expect_cannot "$SHM/c" a \
	    "$(XDEV_WHY a "$SHM/c"); clone: no clone across filesystems"
	expect_missing "$SHM/c"
	expect_no_temp "$SHM"
}

test_fallback_copy__directory_is_never_copied()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	mkdir d
	run_hlink --fallback=clone,copy d e
	expect_cannot e d "'d' is a directory, and directories cannot be hard-linked; clone: 'd' is not a regular file; copy: 'd' is not a regular file"
	expect_missing e
	run_hlink -q --fallback=copy,symlink d e
	expect_ok
	expect_symlink e "$SB/d"
}

# The errors the fallback must not hide are said as without it.
test_fallback_copy__no_fallback_for_errors()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	shm_sandbox
	run_hlink --fallback=copy missing "$SHM/b"
	expect_cannot "$SHM/b" missing "'missing' does not exist"
	mkfile a
	mkfile b
	run_hlink --fallback=clone,copy a b
	expect_cannot b a "'b' already exists" "use -f to replace it"
	expect_content b b
}

test_fallback_copy__dry_run_changes_nothing()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	shm_sandbox
	mkfile a
	snap_save . "$SHM"
	run_hlink --dry-run --fallback=clone,copy a "$SHM/b"
	expect_status 0
	expect_stdout "would make a copy '$SHM/b' <= 'a'"
	expect_stderr
	expect_unchanged . "$SHM"
	mkdir d
	run_hlink --dry-run --fallback=copy d "$SHM/e"
	expect_status 1
	expect_missing "$SHM/e"
}

test_fallback_copy__sparse_file_keeps_holes()
{
	shm_sandbox
	truncate -s 64M sparse
	printf x | dd of=sparse bs=1 seek=$((32 << 20)) conv=notrunc \
	    status=none
	run_hlink -q --fallback=copy sparse "$SHM/s"
	expect_ok
	cmp -s sparse "$SHM/s" || fail "the copy's content differs"
	local blocks
	blocks=$(stat -c %b "$SHM/s")
	[ "$blocks" -lt 1024 ] ||
	    fail "the copy of a 64 MiB sparse file has $blocks blocks"
}

# A file with a block for every byte (zeros too) is copied whole, as cp
# copies it: no hole is made of its zeros, and its size is its own.
test_fallback_copy__file_without_holes_is_copied_whole()
{
	shm_sandbox
	head -c $((1 << 20)) /dev/zero >zeros
	printf 'end' >>zeros
	head -c 4097 /dev/urandom >odd
	: >empty
	sync
	[ $(($(stat -c %b zeros) * 512)) -ge "$(stat -c %s zeros)" ] ||
	    skip "this filesystem made zeros a hole"
	run_hlink -q --fallback=copy zeros odd empty "$SHM"
	expect_ok
	local f
	for f in zeros odd empty; do
		cmp -s "$f" "$SHM/$f" || fail "the copy of $f differs"
	done
	[ "$(stat -c %s "$SHM/empty")" = 0 ] || fail "empty is not empty"
	[ $(($(stat -c %b "$SHM/zeros") * 512)) -ge $((1 << 20)) ] ||
	    fail "the copy of zeros has $(stat -c %b "$SHM/zeros") blocks"
}

# ENOSPC: the operand fails, the temporary is gone, DST as it was.
test_fallback_copy__enospc_keeps_dst()
{
	in_ns '
		mount_tmpfs small size=1M
		head -c 4M /dev/urandom >big
		mkfile small/b old
		snap_save_loose small
		run_hlink -f --fallback=copy big small/b
		expect_status 1
		[[ $err == *"no space left on the filesystem at '\''$SB/small'\''"* ]] ||
		    fail "no ENOSPC sentence: $err"
		expect_content small/b old
		expect_unchanged small
		expect_no_temp small
		run_hlink --fallback=copy big small/c
		expect_status 1
		expect_missing small/c
		expect_no_temp small
	'
}


# EMLINK on ext4 (no clones): clone passes, a copy is made.
test_fallback_copy__emlink_makes_a_copy()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	ext4_image
	build_mklinks
	in_ns '
		full_ext4
		[ "$n" -gt 1000 ] || skip "no link limit reached on ext4"
		run_hlink --fallback=clone,copy e/f e/x
		expect_status 0
		expect_stderr "hlink: '\''e/x'\'': made a copy instead: '\''e/f'\'' already has $n links, the maximum ($n) for its filesystem"
		expect_content e/x e/f
		expect_not_same_inode e/x e/f
		run_hlink --fallback=clone e/f e/y
		expect_status 1
		[[ $err == *"; clone: the filesystem at '\''$SB/e'\'' cannot clone" ]] ||
		    fail "no clone cause: $err"
		expect_missing e/y
	'
}

# fs.protected_hardlinks: nobody may not link root's file; a copy is
# nobody's own.
test_fallback_copy__protected_hardlinks_copy()
{
	need_nobody
	need_linux
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkfile a
	chmod 644 a
	mkdir out
	chmod 777 out
	run_hlink_nobody --fallback=copy a out/b
	expect_status 0
	[[ $err == *"made a copy instead: 'a' belongs to another user"* ]] ||
	    fail "notice: $err"
	[ "$(stat -c %u out/b)" = $NOBODY_UID ] || fail "the copy is not nobody's"
	expect_content out/b a
}

# mkfs FS IMG: a Btrfs or XFS (reflink) image of 300 MiB
fc_mkfs()
{
	truncate -s 300M "$2"
	case $1 in
	btrfs)	mkfs.btrfs -q -f "$2" ;;
	xfs)	mkfs.xfs -q -f -m reflink=1 "$2" ;;
	esac >"$CAP/mkfs.log" 2>&1 || skip "mkfs.$1 failed: $(tail -1 "$CAP/mkfs.log")"
}

# On a filesystem that shares blocks, nobody's fallback is a clone: the
# notice says so and filefrag sees shared extents.
clone_case()
{
	need_linux
	need_nobody
	need_cmd "mkfs.$1" filefrag
	fc_mkfs "$1" "$CAP/img"
	in_ns '
		mkdir m
		mount -o loop "$CAP/img" m 2>/dev/null ||
		    skip "cannot mount the '"$1"' image"
		chmod 777 m
		head -c 1M /dev/urandom >m/a
		chmod 644 m/a
		run_hlink_nobody -v --fallback=clone,copy m/a m/b
		expect_status 0
		expect_stdout "'\''m/b'\'' <= '\''m/a'\'' (clone)"
		[[ $err == *"made a clone instead: '\''m/a'\'' belongs to another user"* ]] ||
		    fail "notice: $err"
		cmp -s m/a m/b || fail "the clone differs"
		sync
		filefrag -v m/b | grep -q shared || fail "no shared extent in the clone"
		mkdir m/d
		run_hlink -q --fallback=clone,copy m/d m/e
		expect_status 1
	'
}

test_fallback_copy__clone_on_btrfs()
{
	clone_case btrfs
}

test_fallback_copy__clone_on_xfs()
{
	clone_case xfs
}

# On a filesystem that shares blocks, --fallback=copy still makes a full
# copy: no extent shared with SRC (copy_file_range() would clone there),
# and the space it takes is used.
full_copy_case()
{
	need_linux
	need_nobody
	need_cmd "mkfs.$1" filefrag df
	fc_mkfs "$1" "$CAP/img"
	in_ns '
		mkdir m
		mount -o loop "$CAP/img" m 2>/dev/null ||
		    skip "cannot mount the '"$1"' image"
		mkdir m/w
		chmod 777 m/w
		head -c 20M /dev/urandom >m/a
		chmod 644 m/a
		sync
		before=$(df -k --output=used m | tail -1)
		run_hlink_nobody -v --fallback=copy m/a m/w/c
		expect_status 0
		expect_stdout "'\''m/w/c'\'' <= '\''m/a'\'' (copy)"
		cmp -s m/a m/w/c || fail "the copy differs"
		sync
		after=$(df -k --output=used m | tail -1)
		! filefrag -v m/w/c | grep -q shared ||
		    fail "the copy shares extents: $(filefrag -v m/w/c)"
		[ $((after - before)) -ge 19000 ] ||
		    fail "the copy took $((after - before)) KiB, not 20 MiB"
	'
}

test_fallback_copy__full_copy_on_btrfs()
{
	full_copy_case btrfs
}

test_fallback_copy__full_copy_on_xfs()
{
	full_copy_case xfs
}

# -r across filesystems: the same tree as cp -a's, hard links kept,
# announced once.
test_fallback_copy__tree_like_cp_a()
{
	need_root
	shm_sandbox
	mkdir -p s/sub/deep s/empty
	printf 'a\n' >s/a
	ln s/a s/sub/a2
	ln -s a s/ln
	ln -s ../nowhere s/sub/dangling
	mkfifo s/fifo
	mknod s/null c 1 3
	head -c 200000 /dev/urandom >s/sub/deep/big
	truncate -s 8M s/sparse
	chmod 600 s/sub/deep/big
	chown 1:2 s/sub/a2
	chmod 750 s/sub
	touch -h -d '2001-01-01' s/ln s/sub/deep s/sub/deep/big
	run_hlink -r --fallback=copy s "$SHM/h"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/h': made a replica of copies instead: $(XDEV_WHY s "$SHM/h")"
	cp -a s "$SHM/c"
	tree_listing "$SHM/c" >"$CAP/expected"
	tree_listing "$SHM/h" >"$CAP/listing"
	expect_file_same "the replica's listing" "$CAP/listing"
	local f
	while IFS= read -r f; do
		cmp -s "$SHM/c/$f" "$SHM/h/$f" || fail "'$f' differs from cp -a's"
	done < <(cd s && find . -type f)
	expect_same_inode "$SHM/h/a" "$SHM/h/sub/a2"
	expect_not_same_inode "$SHM/h/a" s/a
}

test_fallback_copy__tree_jobs_keep_links()
{
	# clones are Linux calls: -DHL_POSIX_ONLY refuses the KIND
	need_linux
	shm_sandbox
	local i
	for ((i = 0; i < 36; i++)); do
		mkdir -p "s/d$((i % 9))/e$((i % 4))"
	done
	for ((i = 0; i < 300; i++)); do
		printf '%s\n' $i >"s/d$((i % 9))/e$((i % 4))/f$i"
		ln "s/d$((i % 9))/e$((i % 4))/f$i" "s/d$(((i + 4) % 9))/g$i"
	done
	run_hlink -r -j 4 -q --fallback=clone,copy s "$SHM/h"
	expect_ok
	cp -a s "$SHM/c"
	tree_listing "$SHM/c" >"$CAP/expected"
	tree_listing "$SHM/h" >"$CAP/listing"
	expect_file_same "the replica's listing" "$CAP/listing"
	expect_same_inode "$SHM/h/d0/e0/f0" "$SHM/h/d4/g0"
}

# --fallback=symlink first: DSTDIR a symlink, as -s makes it.
test_fallback_copy__tree_symlink_first()
{
	shm_sandbox
	mkdir s
	mkfile s/a
	run_hlink -r -q --fallback=symlink,copy s "$SHM/h"
	expect_ok
	expect_symlink "$SHM/h" "$SB/s"
}

# Within one filesystem a tree is still linked; a file that cannot be
# (a hard-link limit here: a directory SRC is never a file) is copied.
test_fallback_copy__tree_same_fs_links()
{
	mkdir s
	mkfile s/a
	run_hlink -r --fallback=copy s h
	expect_ok
	expect_same_inode h/a s/a
}

# A reader never finds DST missing or short while -f copies over it.
test_fallback_copy__force_reader_never_sees_partial()
{
	shm_sandbox
	head -c 8M /dev/urandom >big
	run_hlink -q --fallback=copy big "$SHM/dst"
	expect_ok
	(
		for ((i = 0; i < 30; i++)); do
			"$HLINK" -q -f --fallback=copy big "$SHM/dst" || echo bad
		done
	) >"$CAP/writer_out" 2>&1 &
	local writer=$! bad=0 size
	on_exit "kill $writer"
	while kill -0 "$writer" 2>/dev/null; do
		size=$(stat -c %s "$SHM/dst" 2>/dev/null) || size=missing
		[ "$size" = 8388608 ] || bad=$((bad + 1))
	done
	wait "$writer" || true
	[ "$bad" = 0 ] || fail "$bad looks found DST missing or short"
	[ ! -s "$CAP/writer_out" ] || fail "the writer failed: $(cat "$CAP/writer_out")"
	cmp -s big "$SHM/dst" || fail "DST differs from SRC"
	expect_no_temp "$SHM"
}

# SIGTERM midway through a large copy (a shim raises it after the first
# chunk): the temporary goes, hlink dies of the signal, DST never appears.
test_fallback_copy__sigterm_removes_the_temporary()
{
	shm_sandbox
	build_shim signal_at_copy
	head -c 40M /dev/urandom >big
	mkfile "$SHM/old" old
	status=0
	{ HLINK_SHIM_SIGNAL=15 LD_PRELOAD=$PRELOAD \
	    timeout 20 "$HLINK" -q --fallback=copy big "$SHM/b" \
	    >"$CAP/out" 2>"$CAP/err"; } 2>/dev/null || status=$?
	[ "$status" = 143 ] || fail "exit status $status, not 143 (SIGTERM)"
	expect_missing "$SHM/b"
	expect_no_temp "$SHM"
	status=0
	{ HLINK_SHIM_SIGNAL=15 LD_PRELOAD=$PRELOAD \
	    timeout 20 "$HLINK" -q -f --fallback=copy big "$SHM/old" \
	    >"$CAP/out" 2>"$CAP/err"; } 2>/dev/null || status=$?
	[ "$status" = 143 ] || fail "-f: exit status $status, not 143"
	expect_content "$SHM/old" old
	expect_no_temp "$SHM"
}

# -DHL_POSIX_ONLY: no clones, and --fallback=clone says so; a Linux
# build takes the KIND (a link needs no fallback here).
test_fallback_copy__clone_refused_only_in_posix_build()
{
	mkfile a
	run_hlink --fallback=clone,copy a b
	if [ "${HLINK_POSIX_ONLY-}" = 1 ]; then
		expect_usage "hlink: --fallback=clone: clones are not supported in this build"
		expect_missing b
	else
		expect_ok
		expect_same_inode a b
	fi
}

# A rerun of a replica: EEXIST for each entry without -f; with -f every
# entry replaced, symlinks, fifos and links between copies included.
test_fallback_copy__tree_rerun_with_force()
{
	shm_sandbox
	mkdir s
	mkfile s/a
	ln s/a s/a2
	ln -s a s/ln
	mkfifo s/fifo
	run_hlink -r -q --fallback=copy s "$SHM/h"
	expect_ok
	run_hlink -r -T -q --fallback=copy s "$SHM/h"
	expect_status 1
	[[ $err == *"'$SHM/h/ln' already exists"* ]] || fail "no EEXIST: $err"
	mkfile s/a changed
	run_hlink -r -T -q -f --fallback=copy s "$SHM/h"
	expect_ok
	expect_content "$SHM/h/a2" changed
	expect_same_inode "$SHM/h/a" "$SHM/h/a2"
	cp -a s "$SHM/c"
	tree_listing "$SHM/c" >"$CAP/expected"
	tree_listing "$SHM/h" >"$CAP/listing"
	expect_file_same "the replica's listing" "$CAP/listing"
	expect_no_temp "$SHM/h"
}

# expect_questions DST...: stderr is -i's question for each DST, once,
# in any order (the walk's)
expect_questions()
{
	local d
	asserted
	for d in "$@"; do printf "hlink: replace '%s'?\n" "$d"; done |
	    LC_ALL=C sort >"$CAP/expected"
	sed 's/? /?\n/g' "$CAP/err" | sed '/^$/d' | LC_ALL=C sort >"$CAP/asked"
	cmp -s "$CAP/expected" "$CAP/asked" ||
	    fail "not one question for each existing DST" \
	    "$(diff "$CAP/expected" "$CAP/asked")"
}

# -i in a replica across filesystems asks before each existing DST, as
# in a replica of links: "n" keeps it (exit 1), "y" replaces it
test_fallback_copy__tree_i_asks_for_each_existing_entry()
{
	shm_sandbox
	mkdir s
	mkfile s/a new
	ln -s a s/ln
	mkdir -p "$SHM/h"
	mkfile "$SHM/h/a" old
	ln -s elsewhere "$SHM/h/ln"
	printf 'n\nn\n' >"$CAP/in"
	run_hlink -r -T -q -i --fallback=copy s "$SHM/h"
	expect_status 1
	expect_questions "$SHM/h/a" "$SHM/h/ln"
	expect_content "$SHM/h/a" old
	expect_symlink "$SHM/h/ln" elsewhere
	printf 'y\ny\n' >"$CAP/in"
	run_hlink -r -T -q -i --fallback=copy s "$SHM/h"
	expect_status 0
	expect_questions "$SHM/h/a" "$SHM/h/ln"
	expect_content "$SHM/h/a" new
	expect_symlink "$SHM/h/ln" a
	expect_no_temp "$SHM/h"
}

# -r -T onto a mount point: DSTDIR itself is on another filesystem than
# SRCDIR, whatever its parent is on.  Without a fallback nothing is made;
# with copy one replica, announced once, its hard-link group kept; -s
# cannot make an existing directory a symlink, and says so.
tree_onto_a_mount_point_case()
{
	local m why
	mkdir -p s/d
	mkfile s/a
	ln s/a s/d/a2
	mount_tmpfs mp || skip "cannot mount a tmpfs"
	mount_tmpfs mp2 || skip "cannot mount a tmpfs"
	m=$(mount_point "$SB/s")
	why="'s' is on '$m' and 'mp' would be on '$SB/mp', another filesystem"
	run_hlink -r -T s mp
	expect_cannot mp s "$why" "use -s to make a symbolic link instead"
	asserted
	[ -z "$(ls -A mp)" ] || fail "something was made in mp: $(ls -A mp)"
	run_hlink -r -T --fallback=copy s mp
	expect_result 0 "hlink: 'mp': made a replica of copies instead: $why"
	expect_same_inode mp/a mp/d/a2
	expect_nlink mp/a 2
	expect_content mp/d/a2 s/a
	run_hlink -r -T -s s mp2
	expect_status 1
	expect_stdout
	asserted
	why="'s' is on '$m' and 'mp2' would be on '$SB/mp2', another filesystem"
	[ "$err" = "hlink: cannot link 'mp2' to 's': $why; symlink: cannot make 'mp2': Is a directory" ] ||
	    fail "-s onto a mount point: $err"
	[ -z "$(ls -A mp2)" ] || fail "something was made in mp2: $(ls -A mp2)"
	expect_not_symlink mp2
}

test_fallback_copy__tree_T_onto_a_mount_point()
{
	need_linux
	export -f tree_onto_a_mount_point_case
	in_ns tree_onto_a_mount_point_case
}

# At DSTDIR the fallback list is walked in order: a clone cannot cross
# from one filesystem to another of another kind, so it passes to the
# next KIND; when none is left, nothing is made and the failure gives
# the clone's reason too.  The notice names the KINDs in effect.
test_fallback_copy__tree_kinds_in_order()
{
	need_linux
	shm_sandbox
	mkdir s
	mkfile s/a
	ln s/a s/a2
	local why
	why=$(XDEV_WHY s "$SHM/r1")
	run_hlink -r --fallback=clone,symlink s "$SHM/r1"
	expect_result 0 "hlink: '$SHM/r1': made a symbolic link instead: $why"
	expect_symlink "$SHM/r1" "$SB/s"
	run_hlink -r --fallback=clone s "$SHM/r2"
	expect_cannot "$SHM/r2" s "$(XDEV_WHY s "$SHM/r2"); clone: no clone across filesystems"
	expect_missing "$SHM/r2"
	run_hlink -r --dry-run --fallback=clone s "$SHM/r2"
	expect_cannot "$SHM/r2" s "$(XDEV_WHY s "$SHM/r2"); clone: no clone across filesystems"
	run_hlink -r --fallback=clone,copy s "$SHM/r3"
	expect_result 0 "hlink: '$SHM/r3': made a replica of copies instead: $(XDEV_WHY s "$SHM/r3")"
	expect_same_inode "$SHM/r3/a" "$SHM/r3/a2"
	run_hlink -r --fallback=copy,clone s "$SHM/r4"
	expect_result 0 "hlink: '$SHM/r4': made a replica of copies instead: $(XDEV_WHY s "$SHM/r4")"
	expect_same_inode "$SHM/r4/a" "$SHM/r4/a2"
	run_hlink -r --fallback=clone,symlink,copy s "$SHM/r5"
	expect_status 0
	expect_symlink "$SHM/r5" "$SB/s"
}

# A refusal that makes nothing is all that is said: no notice of a
# replica before it.
tree_refusals_come_first_case()
{
	mount_tmpfs A nr_inodes=400 || skip "cannot mount a tmpfs"
	mount_tmpfs B || skip "cannot mount a tmpfs"
	mkdir -p A/s/a A/b
	mkfile A/s/a/f
	mount --bind A/s A/b || skip "cannot bind-mount here"
	run_hlink -r --fallback=copy A/s A/b/x
	expect_result 1 "hlink: cannot replicate 'A/s' inside itself, as 'A/b/x'"
	expect_missing A/s/x
	mkfile B/file
	run_hlink -r -T --fallback=copy A/s B/file
	expect_result 1 "hlink: cannot make directory 'B/file': it exists and is not a directory"
	run_hlink -r -T --dry-run --fallback=copy A/s B/file
	expect_result 1 "hlink: cannot make directory 'B/file': it exists and is not a directory"
	expect_content B/file B/file
}

test_fallback_copy__tree_refusals_come_first()
{
	need_linux
	export -f tree_refusals_come_first_case
	in_ns tree_refusals_come_first_case
}

# Two mounts of one filesystem that shares no blocks: clone does not
# apply, and the failure says the filesystem cannot clone.
tree_clone_on_one_tmpfs_case()
{
	mount_tmpfs A || skip "cannot mount a tmpfs"
	mkdir -p A/s A/d b
	mkfile A/s/f
	mount --bind A/d b || skip "cannot bind-mount here"
	run_hlink -r --fallback=clone A/s b/r
	expect_cannot b/r A/s "'A/s' is on '$SB/A' and 'b/r' would be on '$SB/b', another filesystem; clone: the filesystem at '$SB/b' cannot clone"
	expect_missing A/d/r
}

test_fallback_copy__tree_clone_on_a_filesystem_without_clones()
{
	need_linux
	export -f tree_clone_on_one_tmpfs_case
	in_ns tree_clone_on_one_tmpfs_case
}

# Two mounts of one filesystem that shares blocks: a clone can cross
# between them, so a clone KIND applies at DSTDIR and the replica is
# made of clones, its hard-link group kept.  FS is xfs (DSTDIR on a bind
# mount) or btrfs (DSTDIR in another subvolume).
tree_clones_case()
{
	local dst=$2
	mkdir m
	mount -o loop "$CAP/img" m 2>/dev/null || skip "cannot mount the $1 image"
	if [ "$1" = btrfs ]; then
		btrfs -q subvolume create m/v1 >/dev/null &&
		    btrfs -q subvolume create m/v2 >/dev/null ||
		    skip "cannot make btrfs subvolumes"
		mkdir m/v1/s
		dst=m/v2
	else
		mkdir -p m/v1/s m/v2 b
		mount --bind m/v2 b || skip "cannot bind-mount here"
		dst=b
	fi
	head -c 1M /dev/urandom >m/v1/s/a
	ln m/v1/s/a m/v1/s/a2
	run_hlink -r --fallback=clone m/v1/s "$dst/r1"
	expect_status 0
	expect_stdout
	asserted
	[[ $err == "hlink: '$dst/r1': made a replica of clones instead: "* ]] ||
	    fail "notice: $err"
	expect_same_inode "$dst/r1/a" "$dst/r1/a2"
	cmp -s m/v1/s/a "$dst/r1/a" || fail "the clone differs"
	sync
	filefrag -v "$dst/r1/a" | grep -q shared || fail "no shared extent in the clone"
	run_hlink -r --fallback=clone,copy m/v1/s "$dst/r2"
	expect_status 0
	asserted
	[[ $err == "hlink: '$dst/r2': made a replica of clones or copies instead: "* ]] ||
	    fail "notice: $err"
	expect_same_inode "$dst/r2/a" "$dst/r2/a2"
}

tree_clones_test()
{
	need_linux
	need_root
	need_cmd "mkfs.$1" filefrag
	fc_mkfs "$1" "$CAP/img"
	export -f tree_clones_case
	in_ns "tree_clones_case $1"
}

test_fallback_copy__tree_clones_across_btrfs_subvolumes()
{
	need_cmd btrfs
	tree_clones_test btrfs
}

test_fallback_copy__tree_clones_across_xfs_bind_mounts()
{
	tree_clones_test xfs
}

# Two XFS filesystems: each shares blocks, but no clone goes from one to
# the other, so clone passes to the next KIND at DSTDIR.
tree_two_xfs_case()
{
	mkdir m n
	mount -o loop "$CAP/img" m 2>/dev/null &&
	    mount -o loop "$CAP/img2" n 2>/dev/null ||
	    skip "cannot mount the xfs images"
	mkdir m/s
	mkfile m/s/a
	ln m/s/a m/s/a2
	run_hlink -r --fallback=clone m/s n/r1
	expect_cannot n/r1 m/s "'m/s' is on '$SB/m' and 'n/r1' would be on '$SB/n', another filesystem; clone: no clone across filesystems"
	expect_missing n/r1
	run_hlink -r --fallback=clone,copy m/s n/r2
	expect_result 0 "hlink: 'n/r2': made a replica of copies instead: 'm/s' is on '$SB/m' and 'n/r2' would be on '$SB/n', another filesystem"
	expect_same_inode n/r2/a n/r2/a2
}

test_fallback_copy__tree_no_clone_between_two_xfs()
{
	need_linux
	need_root
	need_cmd mkfs.xfs
	fc_mkfs xfs "$CAP/img"
	fc_mkfs xfs "$CAP/img2"
	export -f tree_two_xfs_case
	in_ns tree_two_xfs_case
}

# first_made DIR A B: "FIRST LATER" for a hard-link group {A, B} of a
# replica in DIR, FIRST being the one stdout shows made (an arrow "<="),
# whichever the walk met first
first_made()
{
	if grep -qF "'$1/$2' <= " "$CAP/out"; then
		echo "$2 $3"
	else
		echo "$3 $2"
	fi
}

# Hard links between symlinks, fifos, sockets and devices inside SRCDIR
# stay links in a replica across filesystems, as cp -a keeps them.
test_fallback_copy__tree_keeps_links_of_special_files()
{
	need_root
	need_cmd perl
	shm_sandbox
	mkdir -p s/d
	mkfifo s/p
	ln s/p s/p2
	ln s/p s/d/p3
	ln -s x s/l
	ln s/l s/l2
	mknod s/c c 1 3
	ln s/c s/d/c2
	perl -MIO::Socket::UNIX -e \
	    'IO::Socket::UNIX->new(Local => "s/sock", Listen => 1) or exit 1' ||
	    skip "cannot make a socket"
	ln s/sock s/sock2
	cp -a s "$SHM/c"
	local j
	for j in 1 4; do
		run_hlink -r -q -j $j --fallback=copy s "$SHM/h$j"
		expect_ok
		tree_listing "$SHM/c" >"$CAP/expected"
		tree_listing "$SHM/h$j" >"$CAP/listing"
		expect_file_same "the replica's listing (-j $j)" "$CAP/listing"
		expect_same_inode "$SHM/h$j/p" "$SHM/h$j/d/p3"
		expect_same_inode "$SHM/h$j/l" "$SHM/h$j/l2"
		expect_same_inode "$SHM/h$j/c" "$SHM/h$j/d/c2"
		expect_same_inode "$SHM/h$j/sock" "$SHM/h$j/sock2"
	done
}

# --dry-run of a replica foresees what the real run refuses: every entry
# that exists, without -f, in the real run's words, and exit status 1.
test_fallback_copy__tree_dry_run_foresees_existing_entries()
{
	shm_sandbox
	mkdir -p s/sub
	mkfile s/a
	ln s/a s/sub/a2
	ln -s a s/ln
	mkfifo s/fifo
	mkfile s/sub/new
	run_hlink -r -q --fallback=copy s "$SHM/h"
	expect_ok
	rm "$SHM/h/sub/new"
	snap_save "$SHM/h"
	run_hlink -r -T -q --dry-run --fallback=copy s "$SHM/h"
	expect_status 1
	expect_unchanged "$SHM/h"
	[[ $out == *"would make a copy '$SHM/h/sub/new' <= 's/sub/new'"* ]] ||
	    fail "no copy foreseen for the missing entry: $out"
	[[ $err == *"'$SHM/h/ln' already exists"* ]] ||
	    fail "no EEXIST foreseen: $err"
	LC_ALL=C sort "$CAP/err" >"$CAP/expected"
	run_hlink -r -T -q --fallback=copy s "$SHM/h"
	expect_status 1
	LC_ALL=C sort "$CAP/err" >"$CAP/real"
	expect_file_same "the real run's stderr (sorted), as the dry run's" \
	    "$CAP/real"
	# -f replaces them all, and only a directory in a file's place is
	# foreseen as it fails
	rm "$SHM/h/fifo"
	mkdir "$SHM/h/fifo"
	run_hlink -r -T -q -f --dry-run --fallback=copy s "$SHM/h"
	expect_status 1
	expect_stderr "hlink: cannot link '$SHM/h/fifo' to 's/fifo': '$SHM/h/fifo' is a directory and cannot be replaced"
	cp "$CAP/err" "$CAP/expected"
	run_hlink -r -T -q -f --fallback=copy s "$SHM/h"
	expect_status 1
	expect_file_same "the real run's stderr, as the dry run's" "$CAP/err"
}

# --dry-run says a later link of a hard-link group would be linked to the
# copy of the first, as the real run links it; -v says so after a run.
test_fallback_copy__tree_dry_run_links_later_members()
{
	shm_sandbox
	mkdir s
	mkfile s/a
	ln s/a s/b
	mkfifo s/p
	ln s/p s/q
	local f l g m opt
	for opt in --dry-run -v; do
		run_hlink -r -j 1 $opt --fallback=copy s "$SHM/h"
		expect_status 0
		read -r f l < <(first_made "$SHM/h" a b)
		read -r g m < <(first_made "$SHM/h" p q)
		if [ $opt = --dry-run ]; then
			expect_sorted out \
			    "would make a replica of copies '$SHM/h' <= 's'" \
			    "would create directory '$SHM/h'" \
			    "would make a copy '$SHM/h/$f' <= 's/$f'" \
			    "would link '$SHM/h/$l' => '$SHM/h/$f'" \
			    "would make a copy '$SHM/h/$g' <= 's/$g'" \
			    "would link '$SHM/h/$m' => '$SHM/h/$g'"
			expect_missing "$SHM/h"
		else
			expect_sorted out \
			    "created directory '$SHM/h'" \
			    "'$SHM/h/$f' <= 's/$f' (copy)" \
			    "'$SHM/h/$l' => '$SHM/h/$f'" \
			    "'$SHM/h/$g' <= 's/$g' (copy)" \
			    "'$SHM/h/$m' => '$SHM/h/$g'"
			expect_same_inode "$SHM/h/a" "$SHM/h/b"
			expect_same_inode "$SHM/h/p" "$SHM/h/q"
		fi
	done
}

# -v in a replica names what a later link of a group was linked to: the
# replica's copy, never SRC on the other filesystem; with -f, the same.
test_fallback_copy__tree_v_names_the_copy_linked_to()
{
	shm_sandbox
	mkdir -p s/d
	mkfile s/x
	ln s/x s/d/x2
	local f l
	run_hlink -r -v --fallback=copy s "$SHM/r"
	expect_status 0
	read -r f l < <(first_made "$SHM/r" x d/x2)
	expect_sorted out "created directory '$SHM/r'" \
	    "created directory '$SHM/r/d'" \
	    "'$SHM/r/$f' <= 's/$f' (copy)" \
	    "'$SHM/r/$l' => '$SHM/r/$f'"
	run_hlink -r -T -v -f --fallback=copy s "$SHM/r"
	expect_status 0
	read -r f l < <(first_made "$SHM/r" x d/x2)
	expect_sorted out "'$SHM/r/$f' <= 's/$f' (copy)" \
	    "'$SHM/r/$l' => '$SHM/r/$f'"
	expect_same_inode "$SHM/r/x" "$SHM/r/d/x2"
}

# A hard-link group deeper than PATH_MAX in a replica across filesystems
# is kept, from the top of the tree to its bottom and back.
test_fallback_copy__tree_deeper_than_path_max_keeps_links()
{
	shm_sandbox
	local name=ddddddddddddddddddddddddddddddddddddddd i j
	mkdir s
	(
		cd s || exit 1
		for ((i = 0; i < 120; i++)); do
			mkdir "$name" && cd "$name" || exit 1
		done
		mkfile leaf
		ln leaf leaf2
		mkfile deep
		ln deep "$SB/s/top"
		mkfifo p
		ln p p2
		mkfile lone
	) || skip "cannot make a tree deeper than PATH_MAX"
	for j in 1 4; do
		run_hlink -r -q -j $j --fallback=copy s "$SHM/r$j"
		expect_ok
		(
			cd "$SHM/r$j" || exit 1
			stat -c %i top
			for ((i = 0; i < 120; i++)); do cd "$name" || exit 1; done
			stat -c %i deep leaf leaf2
			stat -c '%i %F' p p2 lone
		) >"$CAP/inodes" 2>&1 || fail "the deep replica is incomplete" \
		    "$(cat "$CAP/inodes")"
		[ "$(sed -n 1,2p "$CAP/inodes" | sort -u | wc -l)" = 1 ] ||
		    fail "the group of top and bottom is split (-j $j)" \
		    "$(cat "$CAP/inodes")"
		[ "$(sed -n 3,4p "$CAP/inodes" | sort -u | wc -l)" = 1 ] ||
		    fail "the deep group is split (-j $j)" "$(cat "$CAP/inodes")"
		[ "$(sed -n 5,6p "$CAP/inodes" | sort -u | wc -l)" = 1 ] ||
		    fail "the deep fifos are split (-j $j)" "$(cat "$CAP/inodes")"
	done
}

# As a user, a device cannot be made (mknod EPERM): the failure says so,
# not that linking another user's file is forbidden.
test_fallback_copy__tree_device_as_a_user()
{
	need_nobody
	shm_sandbox
	mkdir s
	mknod s/cdev c 1 3
	mkfile s/a
	chmod 755 s
	chmod 777 "$SHM"
	run_hlink_nobody -r -q --fallback=copy s "$SHM/r"
	expect_cannot "$SHM/r/cdev" s/cdev \
	    "cannot create the special file '$SHM/r/cdev': Operation not permitted"
	expect_content "$SHM/r/a" s/a
	expect_missing "$SHM/r/cdev"
}

# No KIND works on an mqueue mount (no hard links, no symlinks, no
# clones): the failure names the link's cause and every KIND's reason,
# in the order tried, each labelled by its name in --fallback; -s alone
# keeps its one sentence.
test_fallback_copy__every_kind_named_when_none_works()
{
	need_linux
	in_ns '
		mkdir mq
		mount -t mqueue hlink-test mq || skip "cannot mount an mqueue filesystem"
		touch mq/a || skip "cannot make a queue in the mqueue filesystem"
		ln -s x mq/probe 2>/dev/null && skip "mqueue takes symlinks here"
		# the clone makes and removes a temporary: mq'"'"'s times change
		snap_save_loose mq
		m="'\''$SB/mq'\''"
		nolinks="the filesystem at $m does not support hard links"
		noclone="clone: the filesystem at $m cannot clone"
		nosym="symlink: the filesystem at $m does not support symbolic links"
		run_hlink --fallback=clone,symlink mq/a mq/b
		expect_cannot mq/b mq/a "$nolinks; $noclone; $nosym"
		run_hlink --fallback=symlink,clone mq/a mq/b
		expect_cannot mq/b mq/a "$nolinks; $nosym; $noclone"
		cd mq
		run_hlink -q --fallback=clone,symlink a b
		expect_cannot b a "$nolinks; $noclone; $nosym"
		cd ..
		run_hlink --fallback=symlink mq/a mq/b
		expect_cannot mq/b mq/a \
		    "the filesystem at $m supports neither hard nor symbolic links"
		expect_unchanged mq
	'
}

# --dry-run foresees fs.protected_hardlinks as the real run meets it:
# with a fallback the KIND that would be made, without one the failure.
test_fallback_copy__dry_run_foresees_protected_hardlinks()
{
	need_nobody
	need_linux
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkfile a
	chmod 644 a
	mkdir out
	chmod 777 out
	snap_save .
	run_hlink_nobody --dry-run --fallback=copy a out/b
	expect_status 0
	expect_stdout "would make a copy 'out/b' <= 'a'"
	expect_stderr
	run_hlink_nobody --dry-run -s a out/b
	expect_status 0
	expect_stdout "would make a symbolic link 'out/b' -> '$SB/a'"
	run_hlink_nobody --dry-run a out/b
	expect_cannot out/b a "'a' belongs to another user, and fs.protected_hardlinks forbids linking it" \
	    "use -s to make a symbolic link instead, or run as the file's owner"
	expect_unchanged .
	# the real runs say the same
	run_hlink_nobody a out/b
	expect_cannot out/b a "'a' belongs to another user, and fs.protected_hardlinks forbids linking it" \
	    "use -s to make a symbolic link instead, or run as the file's owner"
	run_hlink_nobody -q --fallback=copy a out/b
	expect_ok
	expect_content out/b a
}

# --dry-run foresees that a SRC the user cannot read cannot be copied:
# the failure of the real run, word for word, exit 1.
test_fallback_copy__dry_run_foresees_unreadable_src()
{
	need_nobody
	shm_sandbox
	mkfile secret
	chmod 600 secret
	chmod 755 "$SHM"
	mkdir "$SHM/w"
	chmod 777 "$SHM/w"
	snap_save . "$SHM"
	run_hlink_nobody --dry-run --fallback=copy secret "$SHM/w/x"
	expect_cannot "$SHM/w/x" secret \
	    "$(XDEV_WHY secret "$SHM/w/x"); copy: cannot read 'secret': Permission denied"
	cp "$CAP/err" "$CAP/dry.err"
	expect_unchanged . "$SHM"
	run_hlink_nobody --fallback=copy secret "$SHM/w/x"
	expect_status 1
	cp "$CAP/dry.err" "$CAP/expected"
	expect_file_same "the real run's stderr" "$CAP/err"
	expect_missing "$SHM/w/x"
	# a symlink first needs no reading: it would be made
	run_hlink_nobody --dry-run --fallback=symlink,copy secret "$SHM/w/x"
	expect_status 0
	expect_stdout "would make a symbolic link '$SHM/w/x' -> '$SB/secret'"
}

# --dry-run foresees EMLINK on ext4, whose limit pathconf() knows; on
# tmpfs, which has none (glibc's pathconf() says 127), it foresees a link.
test_fallback_copy__dry_run_foresees_emlink()
{
	need_linux
	# musl's pathconf() says 8 links for every filesystem: no limit known
	hlink_is_musl && skip "musl knows no filesystem's link limit"
	ext4_image
	build_mklinks
	in_ns '
		full_ext4
		[ "$n" -gt 1000 ] || skip "no link limit reached on ext4"
		snap_save e
		run_hlink --dry-run --fallback=copy e/f e/x
		expect_status 0
		expect_stdout "would make a copy '\''e/x'\'' <= '\''e/f'\''"
		run_hlink --dry-run e/f e/x
		expect_cannot e/x e/f \
		    "'\''e/f'\'' already has $n links, the maximum ($n) for its filesystem" \
		    "use -s to make a symbolic link instead"
		expect_unchanged e
		mount_tmpfs t
		mkfile t/f
		for i in $(seq 1 200); do ln t/f "t/$i"; done
		run_hlink --dry-run t/f t/x
		expect_status 0
		expect_stdout "would link '\''t/x'\'' => '\''t/f'\''"
		run_hlink t/f t/x
		expect_ok
		expect_same_inode t/x t/f
	'
}
