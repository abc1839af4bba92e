# t_dedup.sh: --dedup ROOT..., identical files made links of one inode.

# dd_summary RELINKED GROUPS FILES FREED HELD: the summary line
dd_summary()
{
	printf 'hlink: %s relinked in %s of %s scanned; %s freed, %s still held by names outside the roots' \
	    "$1" "$2" "$3" "$4" "$5"
}

# dd_bytes N: N bytes as the summary writes them (5 bytes, 4.0 KiB)
dd_bytes()
{
	awk -v n="$1" 'BEGIN {
		if (n < 1024) { printf "%d byte%s", n, n == 1 ? "" : "s"; exit }
		split("KiB MiB GiB TiB PiB", u, " ")
		for (i = 0; n >= 1024 && i < 5; i++) n /= 1024
		printf "%.1f %s", n, u[i] }'
}

# dd_space FILE...: the bytes (st_size) of the FILEs, as dd_bytes
dd_space()
{
	dd_bytes "$(stat -c %s -- "$@" | awk '{ s += $1 } END { print s }')"
}

# manifest DIR...: every path's type, inode, link count, times and content
manifest()
{
	find "$@" -printf '%p %y %i %n %T@ %C@ %m %U\n' | LC_ALL=C sort
	find "$@" -type f -exec md5sum {} + | LC_ALL=C sort -k 2
}

# contents DIR...: every file's content hash (what must never change)
contents()
{
	find "$@" -type f -exec md5sum {} + | LC_ALL=C sort -k 2
}

expect_linked()
{
	local f
	for f in "${@:2}"; do
		expect_same_inode "$f" "$1"
	done
}

test_dedup__copies_become_links_and_a_second_run_does_nothing()
{
	mkdir -p r/a r/b
	mkfile r/a/x hello
	cp r/a/x r/b/y
	mkfile r/b/z other
	touch -d 2001-01-01 r/a/x
	run_hlink --dedup -v r
	expect_status 0
	expect_stdout "'r/b/y' => 'r/a/x'"
	expect_stderr "$(dd_summary "1 name" "1 group" "3 files" "6 bytes" \
	    "0 bytes")"
	expect_same_inode r/b/y r/a/x
	expect_not_same_inode r/b/z r/a/x
	expect_content r/b/y hello
	expect_no_temp r/a
	expect_no_temp r/b
	run_hlink --dedup -v r
	expect_status 0
	expect_stdout
	expect_stderr "$(dd_summary "0 names" "0 groups" "3 files" \
	    "0 bytes" "0 bytes")"
}

test_dedup__quiet_prints_nothing()
{
	mkdir r
	mkfile r/a x
	mkfile r/b x
	run_hlink --dedup -q r
	expect_ok
	expect_same_inode r/a r/b
}

test_dedup__usage_errors()
{
	mkdir r
	run_hlink --dedup
	expect_usage "hlink: missing ROOT operand"
	run_hlink --dedup -f r
	expect_usage "hlink: option '--force' cannot be used with --dedup"
	run_hlink --dedup -r r
	expect_usage "hlink: option '--recursive' cannot be used with --dedup"
	run_hlink --clone r r2
	expect_usage "hlink: option '--clone' requires --dedup"
	run_hlink --dedup --min-size=1X r
	expect_usage "hlink: invalid --min-size: '1X' (a number of bytes, with K, M, G or T for powers of 1024)"
	run_hlink --content-only r r2
	expect_usage "hlink: option '--content-only' requires --dedup"
}

test_dedup__mode_owner_and_xattrs_keep_files_apart()
{
	need_linux
	need_root
	mkdir r
	mkfile r/a same
	mkfile r/b same
	mkfile r/c same
	mkfile r/d same
	mkfile r/e same
	chmod 600 r/b
	chown 1:1 r/c
	chgrp 2 r/d
	if command -v setfattr >/dev/null 2>&1; then
		setfattr -n user.k -v v r/e 2>/dev/null
	else
		python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.k", b"v")' \
		    r/e 2>/dev/null
	fi || skip "cannot set a user xattr here"
	run_hlink --dedup r
	expect_status 0
	local f g
	for f in a b c d e; do
		for g in a b c d e; do
			[ $f = $g ] || expect_not_same_inode r/$f r/$g
		done
	done
	run_hlink --dedup --content-only r
	expect_status 0
	expect_linked r/a r/b r/c r/d r/e
}

test_dedup__same_xattrs_are_linked()
{
	mkdir r
	mkfile r/a same
	mkfile r/b same
	local f
	for f in r/a r/b; do
		python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.k", b"v")' \
		    $f 2>/dev/null || skip "cannot set a user xattr here"
	done
	run_hlink --dedup r
	expect_status 0
	expect_same_inode r/a r/b
}

test_dedup__respect_time()
{
	mkdir r
	mkfile r/a same
	mkfile r/b same
	touch -d '2001-01-01' r/a
	run_hlink --dedup --respect-time r
	expect_status 0
	expect_not_same_inode r/a r/b
	run_hlink --dedup r
	expect_status 0
	expect_same_inode r/a r/b
}

test_dedup__kept_inode_has_a_name_outside_the_root()
{
	mkdir r
	mkfile r/a same
	mkfile r/b same
	ln r/b outside
	run_hlink --dedup -v r
	expect_status 0
	expect_stdout "'r/a' => 'r/b'"
	expect_linked outside r/a r/b
	expect_stderr "$(dd_summary "1 name" "1 group" "2 files" "5 bytes" \
	    "0 bytes")"
}

test_dedup__held_by_names_outside()
{
	mkdir r
	mkfile r/a same
	mkfile r/b same
	ln r/a out1
	ln r/a out2
	ln r/b out3
	run_hlink --dedup r
	expect_status 0
	expect_linked out1 r/a r/b
	expect_nlink out3 1
	expect_stderr "$(dd_summary "1 name" "1 group" "2 files" "0 bytes" \
	    "5 bytes")"
}

test_dedup__kept_inode_has_most_links_then_is_oldest()
{
	mkdir -p r/s t
	mkfile r/a same
	mkfile r/b same
	ln r/b r/s/b2
	run_hlink --dedup r
	expect_status 0
	expect_linked r/b r/a r/s/b2
	mkfile t/new same
	mkfile t/old same
	touch -d '2001-01-01' t/old
	local want
	want=$(ino t/old)
	run_hlink --dedup t
	expect_status 0
	asserted
	[ "$(ino t/new)" = "$want" ] || fail "the oldest file was not kept"
}

test_dedup__link_groups_merge_in_one_run()
{
	mkdir -p r/x r/y
	mkfile r/x/a same
	ln r/x/a r/x/b
	ln r/x/a r/y/c
	mkfile r/y/d same
	ln r/y/d r/y/e
	mkfile r/f same
	run_hlink --dedup r
	expect_status 0
	expect_linked r/x/a r/x/b r/y/c r/y/d r/y/e r/f
	expect_nlink r/f 6
	run_hlink --dedup -v r
	expect_status 0
	expect_stdout
}

# dd_variants: same-size files differing in one byte at each place
test_dedup__one_byte_differences_never_linked()
{
	mkdir r
	local size pos
	for size in 10 9000 1048576; do
		head -c $size /dev/urandom >r/base.$size
		for pos in 0 $((size / 2)) $((size - 1)); do
			cp r/base.$size r/v.$size.$pos
			printf '\x00' | dd of=r/v.$size.$pos bs=1 seek=$pos \
			    conv=notrunc status=none
			cmp -s r/base.$size r/v.$size.$pos ||
			    continue
			printf '\x01' | dd of=r/v.$size.$pos bs=1 seek=$pos \
			    conv=notrunc status=none
		done
		cp r/base.$size r/copy.$size
	done
	run_hlink --dedup r
	expect_status 0
	for size in 10 9000 1048576; do
		expect_same_inode r/copy.$size r/base.$size
		for pos in 0 $((size / 2)) $((size - 1)); do
			expect_not_same_inode r/v.$size.$pos r/base.$size
		done
	done
}

test_dedup__empty_files_and_size_limits()
{
	mkdir r
	: >r/e1
	: >r/e2
	head -c 1024 /dev/zero >r/k1
	cp r/k1 r/k2
	head -c 2048 /dev/zero >r/m1
	cp r/m1 r/m2
	run_hlink --dedup --min-size=1k --max-size=1K r
	expect_status 0
	expect_same_inode r/k1 r/k2
	expect_not_same_inode r/m1 r/m2
	expect_not_same_inode r/e1 r/e2
	run_hlink --dedup --max-size=0 r
	expect_not_same_inode r/e1 r/e2
	run_hlink --dedup --min-size=0 r
	expect_status 0
	expect_same_inode r/e1 r/e2
	expect_same_inode r/m1 r/m2
}

test_dedup__symlinks_below_a_root_are_never_followed()
{
	mkdir -p r elsewhere
	mkfile elsewhere/a same
	mkfile r/b same
	ln -s ../elsewhere r/link
	ln -s ../elsewhere/a r/flink
	run_hlink --dedup r
	expect_status 0
	expect_not_same_inode elsewhere/a r/b
	expect_symlink r/flink ../elsewhere/a
}

test_dedup__a_root_symlink_is_followed()
{
	mkdir -p real
	mkfile real/a same
	mkfile real/b same
	touch -d 2001-01-01 real/a
	ln -s real r
	run_hlink --dedup -v r
	expect_status 0
	expect_stdout "'r/b' => 'r/a'"
	expect_same_inode real/a real/b
}

test_dedup__overlapping_roots_count_a_name_once()
{
	mkdir -p r/s
	mkfile r/a same
	mkfile r/s/b same
	ln r/a r/s/c
	run_hlink --dedup -v r r r/s r/s/b r/a
	expect_status 0
	asserted
	case $out in
	"'r/s/b' => 'r/a'" | "'r/s/b' => 'r/s/c'") ;;
	*) fail "unexpected stdout" "$out" ;;
	esac
	expect_stderr "$(dd_summary "1 name" "1 group" "3 files" "5 bytes" \
	    "0 bytes")"
	expect_linked r/a r/s/b r/s/c
	expect_nlink r/a 3
}

test_dedup__file_roots()
{
	mkfile a same
	mkfile b same
	mkfile c same
	run_hlink --dedup -v a b
	expect_status 0
	expect_stdout "'b' => 'a'"
	expect_same_inode a b
	expect_not_same_inode a c
}

test_dedup__never_links_across_filesystems()
{
	shm_sandbox
	mkdir r
	mkfile r/a same
	mkfile "$SHM/b" same
	mkfile "$SHM/c" same
	run_hlink --dedup r "$SHM"
	expect_status 0
	expect_not_same_inode r/a "$SHM/b"
	expect_same_inode "$SHM/b" "$SHM/c"
}

test_dedup__a_filesystem_below_a_root_is_not_entered()
{
	export -f dd_summary
	in_ns '
		mkdir -p r/m
		mkfile r/a same
		mount_tmpfs r/m || skip "cannot mount a tmpfs"
		mkfile r/m/b same
		mkfile r/m/c same
		run_hlink --dedup r
		expect_status 0
		expect_not_same_inode r/m/b r/m/c
		expect_not_same_inode r/a r/m/b
		expect_stderr \
		    "hlink: '\''r/m'\'': another filesystem is mounted there, not entered" \
		    "$(dd_summary "0 names" "0 groups" "1 file" "0 bytes" "0 bytes")"
	'
}

test_dedup__emlink_makes_the_next_file_the_kept_one()
{
	need_cmd mkfs.ext4
	in_ns '
		truncate -s 64M img && mkfs.ext4 -q -N 70000 img ||
		    skip "cannot make an ext4 image"
		mkdir m && mount -o loop img m || skip "cannot mount ext4"
		mkdir m/r m/links
		for f in a b c d; do mkfile m/r/$f same; done
		touch -d 2001-01-01 m/r/a
		# a gets 64999 names, one short of ext4 limit
		ln m/r/a m/links/0 || exit 1
		(cd m/links && seq 1 64997 | xargs -n 5000 sh -c \
		    "for n; do ln 0 \$n; done" sh) || exit 1
		run_hlink --dedup m/r
		expect_status 0
		expect_nlink m/r/a 65000
		on_a=0
		for f in b c d; do
			[ "$(ino m/r/$f)" = "$(ino m/r/a)" ] && on_a=$((on_a + 1))
		done
		asserted
		[ $on_a = 1 ] || fail "$on_a of b c d linked to a, not 1"
		[ "$(stat -c %i m/r/b m/r/c m/r/d | sort -u | wc -l)" = 2 ] ||
		    fail "the rest of the set did not go to one kept file"
		for f in b c d; do expect_content m/r/$f same; done
		expect_no_temp m/r
		umount m
	'
}

test_dedup__dry_run_changes_nothing()
{
	mkdir -p r/s
	mkfile r/a same
	mkfile r/s/b same
	mkfile r/c same
	touch -d 2001-01-01 r/a
	sleep 0.01
	manifest r >"$CAP/before"
	run_hlink --dedup --dry-run r
	expect_status 0
	expect_sorted out "would link 'r/c' => 'r/a'" \
	    "would link 'r/s/b' => 'r/a'"
	asserted
	manifest r >"$CAP/after"
	cmp -s "$CAP/before" "$CAP/after" ||
	    fail "--dry-run changed the tree" \
	    "$(diff "$CAP/before" "$CAP/after")"
	expect_stderr "hlink: 2 names would be relinked in 1 group of 3 files scanned; 10 bytes would be freed, 0 bytes would still be held by names outside the roots"
}

test_dedup__unreadable_files_and_directories()
{
	need_nobody
	mkdir -p r/closed r/open
	mkfile r/open/a same
	mkfile r/open/b same
	mkfile r/open/c same
	mkfile r/closed/d same
	chmod 600 r/open/c
	chmod 700 r/closed
	chmod 777 r/open
	chown -R $NOBODY_UID:$NOBODY_GID r/open/a r/open/b
	chmod 755 r
	run_hlink_nobody --dedup --content-only r
	expect_status 1
	expect_same_inode r/open/a r/open/b
	expect_not_same_inode r/open/a r/open/c
	asserted
	grep -q "^hlink: cannot read directory 'r/closed': Permission denied$" \
	    "$CAP/err" || fail "no message for r/closed" "$err"
	grep -q "^hlink: cannot read 'r/open/c': Permission denied$" \
	    "$CAP/err" || fail "no message for r/open/c" "$err"
}

test_dedup__jobs_give_the_same_grouping()
{
	mkdir a b
	local i
	for i in $(seq 1 60); do
		printf '%s\n' $((i % 7)) >a/f$i
		head -c $((i % 3 + 5000)) /dev/zero >a/z$i
	done
	cp -a a/. b/
	run_hlink --dedup -j 1 a
	expect_status 0
	run_hlink --dedup -j 2 b
	expect_status 0
	(cd a && find . -type f -printf '%i %p\n' | sort -n |
	    awk '{ print $2 }' ) >"$CAP/a.list"
	group_list a >"$CAP/a.groups"
	group_list b >"$CAP/b.groups"
	asserted
	cmp -s "$CAP/a.groups" "$CAP/b.groups" ||
	    fail "-j 1 and -j 2 grouped differently" \
	    "$(diff "$CAP/a.groups" "$CAP/b.groups")"
	[ "$(wc -l <"$CAP/a.groups")" = 10 ] ||
	    fail "expected 10 groups" "$(cat "$CAP/a.groups")"
}

# group_list DIR: each inode's names, one sorted line per inode
group_list()
{
	(cd "$1" && find . -type f -printf '%i %p\n') |
	    awk '{ n[$1] = n[$1] " " $2 } END { for (i in n) print n[i] }' |
	    while read -r line; do
		printf '%s\n' $line | sort | tr '\n' ' '
		echo
	    done | sort
}

test_dedup__many_files()
{
	need_cmd cc
	mkdir r
	cat >"$CAP/gen.c" <<'EOF'
#include <stdio.h>
#include <sys/stat.h>
int main(void) {
	char p[64];
	for (int d = 0; d < 100; d++) {
		snprintf(p, sizeof p, "r/d%d", d);
		mkdir(p, 0755);
		for (int i = 0; i < 1000; i++) {
			snprintf(p, sizeof p, "r/d%d/f%d", d, i);
			FILE *f = fopen(p, "w");
			if (!f) return 1;
			int n = d * 1000 + i;
			fprintf(f, "%d\n", n % 10 == 9 ? n - 1 : n);
			fclose(f);
		}
	}
	return 0;
}
EOF
	cc -O1 -o "$CAP/gen" "$CAP/gen.c" || skip "cannot compile the generator"
	"$CAP/gen" || fail "the generator failed"
	run_hlink --dedup r
	expect_status 0
	# every file is small: each frees the space of one
	expect_stderr "$(dd_summary "10000 names" "10000 groups" "100000 files" \
	    "$(awk 'BEGIN { s = 0; for (i = 8; i < 100000; i += 10) s += length(i "") + 1; printf "%.1f KiB", s / 1024 }')" \
	    "0 bytes")"
	expect_same_inode r/d0/f8 r/d0/f9
	expect_same_inode r/d50/f8 r/d50/f9
	expect_not_same_inode r/d0/f7 r/d0/f8
}

test_dedup__signals_never_lose_a_name()
{
	mkdir r
	local i n
	for i in $(seq 1 3000); do
		printf '%s\n' $((i % 500)) >r/f$i
	done
	contents r >"$CAP/before"
	for sig in TERM KILL TERM KILL TERM; do
		spawn "$HLINK" --dedup -q r
		sleep 0.0$((RANDOM % 9 + 1))
		kill -s $sig $spawned 2>/dev/null || true
		status=0
		wait $spawned 2>/dev/null || status=$?
		# SIGTERM removes the temporary name; SIGKILL may leave one
		if [ $sig = TERM ]; then
			n=$(find r -name '.hlink.*' | wc -l)
			[ "$n" -eq 0 ] || fail "$n temporary names left by SIGTERM"
		fi
		find r -name '.hlink.*' -delete
	done
	asserted
	contents r >"$CAP/after"
	cmp -s "$CAP/before" "$CAP/after" ||
	    fail "a name lost its content" \
	    "$(diff "$CAP/before" "$CAP/after" | head)"
	run_hlink --dedup -q r
	expect_ok
	expect_same_inode r/f1 r/f501
}

# held_dedup CHANGE: --dedup on r/a, r/b, r/c (one content, r/a oldest,
# so kept), held by the shim at its first rename; the first name it
# renames over is $first, the other $other; CHANGE ("other" or "kept")
# says which file gets "more" appended while hlink is held.  Then hlink
# goes on, and its result is loaded.
held_dedup()
{
	build_shim hold_rename
	mkdir r hold
	mkfifo hold/go
	mkfile r/a same
	mkfile r/b same
	mkfile r/c same
	touch -d 2001-01-01 r/a
	HOLD_DIR=$SB/hold LD_PRELOAD=$PRELOAD "$HLINK" --dedup r \
	    >"$CAP/out" 2>"$CAP/err" &
	local pid=$! i=0
	on_exit "kill $pid"
	while ! [ -e hold/name ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	first=$(cat hold/name 2>/dev/null)
	case $first in
	b) other=c ;;
	c) other=b ;;
	*) skip "hlink was not held at its first rename ('$first')" ;;
	esac
	if [ "$1" = kept ]; then echo more >>r/a; else echo more >>r/$other; fi
	echo >hold/go
	status=0
	wait $pid || status=$?
	printf 'hlink --dedup r (held, the %s file changed)\n' "$1" >"$CAP/cmd"
	printf "%s\n" "$status" >"$CAP/status"
	load_result
}

test_dedup__a_file_changed_after_the_comparison_is_skipped()
{
	local first other
	held_dedup other
	expect_status 1
	expect_stderr "hlink: 'r/$other' changed since it was compared: skipped" \
	    "$(dd_summary "1 name" "1 group" "3 files" "5 bytes" "0 bytes")"
	expect_same_inode r/$first r/a
	expect_not_same_inode r/$other r/a
	expect_content r/$other "$(printf 'same\nmore')"
}

# The kept file changed after the set's first link: the names not yet
# linked keep their own bytes (the kept file is looked at before every
# link, not once per set, so a later name never gets bytes it did not have)
test_dedup__a_kept_file_changed_mid_set_stops_the_set()
{
	local first other
	held_dedup kept
	expect_status 1
	expect_stderr "hlink: 'r/a' changed since it was compared: skipped" \
	    "$(dd_summary "1 name" "1 group" "3 files" "5 bytes" "0 bytes")"
	expect_same_inode r/$first r/a
	expect_not_same_inode r/$other r/a
	expect_content r/$other same
}

# The kept file rewritten after hlink's own first link to it, with its
# size and its mtime kept: that link changed its ctime, which is taken
# again right after, so that the rewrite still shows in the ctime, and
# the names not yet linked keep their own bytes.  (The shim holds hlink
# at its second look at r/a after its first rename: the look just after
# that link is the first.)
test_dedup__a_kept_file_rewritten_quietly_mid_set_stops_the_set()
{
	build_shim hold_stat
	mkdir r hold
	mkfifo hold/go
	local f i=0 linked=0
	for f in a b c d; do mkfile r/$f same; done
	touch -d 2001-01-01 r/a
	HOLD_DIR=$SB/hold HOLD_NAME=a HOLD_COUNT=2 LD_PRELOAD=$PRELOAD \
	    "$HLINK" --dedup r >"$CAP/out" 2>"$CAP/err" &
	local pid=$!
	on_exit "kill $pid"
	while ! [ -e hold/held ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -e hold/held ] || skip "hlink was not held at its look at r/a"
	printf 'SAME\n' | dd of=r/a conv=notrunc status=none
	touch -d 2001-01-01 r/a
	echo >hold/go
	status=0
	wait $pid || status=$?
	printf 'hlink --dedup r (held, r/a rewritten quietly)\n' >"$CAP/cmd"
	printf "%s\n" "$status" >"$CAP/status"
	load_result
	expect_status 1
	expect_stderr "hlink: 'r/a' changed since it was compared: skipped" \
	    "$(dd_summary "1 name" "1 group" "4 files" "5 bytes" "0 bytes")"
	for f in b c d; do
		if same_inode r/$f r/a; then
			linked=$((linked + 1))
		else
			expect_content r/$f same
		fi
	done
	asserted
	[ $linked = 1 ] || fail "$linked names linked to r/a, expected 1"
}

# shared_flag FILE: does filefrag -v mark FILE's first extent shared?
shared_flag()
{
	filefrag -v "$1" | awk '$1 == "0:" { print ($NF ~ /shared/) ? "yes" : "no"; exit }'
}

# clone_on FS MKFS...: inside in_ns, --dedup --clone on a loop image of
# FS: blocks shared after, inodes, contents and names unchanged, a
# second run changing nothing.
clone_on()
{
	local fs=$1
	shift
	rm -f img && truncate -s 300M img || exit 1
	"$@" img >mkfs.log 2>&1 || skip "$fs: $* failed: $(tail -1 mkfs.log)"
	mkdir -p m && mount -o loop img m || skip "cannot mount $fs"
	mkdir m/r m/r/s
	head -c 300000 /dev/urandom >m/r/a
	# byte 150000 made "a" here and "x" in e: random, it was "x" once in 256
	printf a | dd of=m/r/a bs=1 seek=150000 conv=notrunc 2>/dev/null
	cp --reflink=never m/r/a m/r/s/b && cp --reflink=never m/r/a m/r/c
	ln m/r/c m/r/d
	cp --reflink=never m/r/a m/r/e && printf x | dd of=m/r/e bs=1 seek=150000 conv=notrunc 2>/dev/null
	chmod 600 m/r/c
	sync
	find m/r -type f -printf "%p %i %m\n" | LC_ALL=C sort >before.ino
	contents m/r >before.md5
	asserted
	[ "$(shared_flag m/r/s/b)" = no ] || fail "$fs: shared before the run"
	run_hlink --dedup --clone -v --content-only m/r
	expect_status 0
	# c is kept: it has the most links
	expect_sorted out "'m/r/a' == 'm/r/c'" "'m/r/s/b' == 'm/r/c'"
	expect_stderr "hlink: 2 files now share blocks with their kept file in 1 group of 5 files scanned; 585.9 KiB shared"
	sync
	for f in a s/b c d; do
		[ "$(shared_flag m/r/$f)" = yes ] ||
		    fail "$fs: m/r/$f shares no block after the run"
	done
	[ "$(shared_flag m/r/e)" = no ] || fail "$fs: m/r/e (different) shared"
	find m/r -type f -printf "%p %i %m\n" | LC_ALL=C sort >after.ino
	cmp -s before.ino after.ino ||
	    fail "$fs: an inode or a mode changed" "$(diff before.ino after.ino)"
	contents m/r >after.md5
	cmp -s before.md5 after.md5 || fail "$fs: a content changed"
	expect_nlink m/r/d 2
	# shared already (FIEMAP): nothing to do, nothing said
	manifest m/r >before.all
	run_hlink --dedup --clone -v --content-only m/r
	expect_status 0
	expect_stdout
	expect_stderr "hlink: 0 files now share blocks with their kept file in 0 groups of 5 files scanned; 0 bytes shared"
	manifest m/r >after.all
	cmp -s before.all after.all ||
	    fail "$fs: the second run changed something" "$(diff before.all after.all)"
	umount m
}

test_dedup__clone_shares_blocks_on_btrfs_and_xfs()
{
	need_linux
	need_cmd filefrag
	need_cmd mkfs.btrfs
	need_cmd mkfs.xfs
	export -f manifest contents shared_flag clone_on
	in_ns '
		clone_on btrfs mkfs.btrfs -q
		clone_on xfs mkfs.xfs -q -m reflink=1
	'
}

# --clone where the filesystem cannot share blocks: exit 1, nothing changed
test_dedup__clone_refused_on_tmpfs_and_ext4()
{
	need_linux
	need_cmd mkfs.ext4
	export -f manifest
	in_ns '
		mount_tmpfs t || skip "cannot mount a tmpfs"
		truncate -s 32M img && mkfs.ext4 -q img ||
		    skip "cannot make an ext4 image"
		mkdir e && mount -o loop img e || skip "cannot mount ext4"
		for d in t e; do
			mkdir $d/r
			mkfile $d/r/a same
			mkfile $d/r/b same
			mkfile $d/r/c same
		done
		for d in t:tmpfs e:ext2/ext3/ext4; do
			manifest ${d%%:*} >before
			run_hlink --dedup --clone -v ${d%%:*}/r
			expect_status 1
			expect_stdout
			expect_stderr "hlink: --clone: ${d#*:} cannot share blocks between files ($(enotsup_text)): nothing changed" \
			    "hlink: 0 files now share blocks with their kept file in 0 groups of 3 files scanned; 0 bytes shared"
			manifest ${d%%:*} >after
			asserted
			cmp -s before after || fail "${d#*:}: something changed"
		done
		umount t e
	'
}

# mount_ext4: inside in_ns, the image of ext4_image mounted at e, where
# chattr works whatever filesystem the sandbox is on
mount_ext4()
{
	mkdir e
	mount -o loop "$CAP/img" e 2>/dev/null ||
	    skip "cannot mount an ext4 image (no loop device?)"
}

# A name that cannot be replaced (here immutable, with a second name)
# fails alone, each of its names with the reason: hlink's own temporary
# link to the kept file changed that file's ctime, which is no change by
# anyone else, and the rest of the set is relinked, on every run.
test_dedup__a_name_that_cannot_be_replaced_fails_alone()
{
	need_linux
	need_cmd chattr
	ext4_image
	export DD_SUMMARY DD_AGAIN
	DD_SUMMARY=$(dd_summary "2 names" "1 group" "5 files" "10 bytes" \
	    "0 bytes")
	DD_AGAIN=$(dd_summary "0 names" "0 groups" "5 files" "0 bytes" \
	    "0 bytes")
	in_ns "$(declare -f mount_ext4)"'
		mount_ext4
		mkdir -p e/r/s e/out
		for f in a b s/c s/d; do mkfile e/r/$f same; done
		ln e/r/a e/out/a	# kept: it has a name outside the root
		ln e/r/b e/r/s/b2
		chattr +i e/r/b || skip "chattr failed"
		why="is immutable or append-only, and cannot be replaced"
		hint="hlink: hint: see lsattr(1) and chattr(1)"
		q="'\''"
		for summary in "$DD_SUMMARY" "$DD_AGAIN"; do
			run_hlink --dedup e/r
			# the second run keeps the inode by its first name found,
			# of a, s/c and s/d in readdir order
			sed -i "s#to ${q}e/r/s/[cd]$q#to ${q}e/r/a$q#" "$CAP/err"
			expect_status 1
			expect_stderr \
			    "hlink: cannot link ${q}e/r/b$q to ${q}e/r/a$q: ${q}e/r/b$q $why" \
			    "$hint" \
			    "hlink: cannot link ${q}e/r/s/b2$q to ${q}e/r/a$q: ${q}e/r/s/b2$q $why" \
			    "$hint" "$summary"
		done
		chattr -i e/r/b
		expect_same_inode e/r/s/c e/r/a
		expect_same_inode e/r/s/d e/r/a
		expect_same_inode e/r/s/b2 e/r/b
		expect_not_same_inode e/r/b e/r/a
		expect_no_temp e/r e/r/s
	'
}

# The same for a name another user owns in a sticky directory, as nobody
test_dedup__a_name_in_a_sticky_directory_fails_alone()
{
	need_nobody
	mkdir -p r/s
	chmod 1777 r
	local f
	for f in a b s/c s/d; do mkfile r/$f same; done
	chown -R $NOBODY_UID:$NOBODY_GID r/a r/s
	chown 65533:$NOBODY_GID r/b
	touch -d 2001-01-01 r/a
	run_hlink_nobody --dedup --content-only r
	expect_status 1
	expect_stderr "hlink: cannot link 'r/b' to 'r/a': 'r/b' belongs to another user, and only its owner may replace it in sticky directory 'r'" \
	    "$(dd_summary "2 names" "1 group" "4 files" "10 bytes" "0 bytes")"
	expect_linked r/a r/s/c r/s/d
	expect_not_same_inode r/b r/a
	expect_no_temp r r/s
}

# An append-only directory would take the temporary name and then keep
# it: hlink makes none there, and says why; nothing changes, not even a
# ctime.
test_dedup__an_append_only_directory_gets_no_temporary_name()
{
	need_linux
	need_cmd chattr
	ext4_image
	export DD_SUMMARY
	DD_SUMMARY=$(dd_summary "0 names" "0 groups" "2 files" "0 bytes" \
	    "0 bytes")
	in_ns "$(declare -f mount_ext4)"'
		mount_ext4
		mkdir e/r
		mkfile e/r/a same
		mkfile e/r/b same
		touch -d 2001-01-01 e/r/a
		chattr +a e/r || skip "chattr failed"
		snap_save e/r
		run_hlink --dedup e/r
		expect_status 1
		expect_stderr "hlink: cannot link '\''e/r/b'\'' to '\''e/r/a'\'': directory '\''e/r'\'' is append-only: names can be added to it but not replaced" \
		    "hlink: hint: see lsattr(1) and chattr(1)" "$DD_SUMMARY"
		expect_unchanged e/r
		expect_no_temp e/r
		chattr -a e/r
	'
}

# --dedup's hints name no linking option: -s is a usage error there
test_dedup__hints_name_no_linking_option()
{
	need_nobody
	need_linux
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkdir w
	chmod 777 w
	mkfile w/a same
	mkfile w/b same
	touch -d 2001-01-01 w/a
	run_hlink_nobody --dedup w
	expect_result 1 "hlink: cannot link 'w/b' to 'w/a': 'w/a' belongs to another user, and fs.protected_hardlinks forbids linking it" \
	    "hlink: hint: run as the file's owner" \
	    "$(dd_summary "0 names" "0 groups" "2 files" "0 bytes" "0 bytes")"
	expect_not_same_inode w/b w/a
}

# A temporary name that cannot be removed after all (the shim refuses
# its rename and its removal, as a directory made append-only meanwhile
# would) is named on stderr, by --dedup and by -f.
test_dedup__a_temporary_name_left_behind_is_named()
{
	# the POSIX build diagnoses EPERM with a probe under temporary
	# names, which the shim would keep too
	need_linux
	build_shim keep_temp
	mkdir r
	mkfile r/a same
	mkfile r/b same
	touch -d 2001-01-01 r/a
	LD_PRELOAD=$PRELOAD run_hlink --dedup r
	local left
	left=$(cd r && find . -name '.hlink.*' | sed 's|^\./||')
	[ "$(printf '%s\n' "$left" | wc -l)" = 1 ] && [ -n "$left" ] ||
	    fail "expected one temporary name left, found: '$left'"
	expect_status 1
	expect_stderr "hlink: cannot link 'r/b' to 'r/a': Operation not permitted" \
	    "hlink: cannot remove temporary name 'r/$left': Operation not permitted" \
	    "$(dd_summary "0 names" "0 groups" "2 files" "0 bytes" "0 bytes")"
	rm -f "r/$left"
	LD_PRELOAD=$PRELOAD run_hlink -f r/a r/b
	left=$(cd r && find . -name '.hlink.*' | sed 's|^\./||')
	expect_result 1 "hlink: cannot link 'r/b' to 'r/a': Operation not permitted" \
	    "hlink: cannot remove temporary name 'r/$left': Operation not permitted"
	rm -f "r/$left"
	expect_not_same_inode r/b r/a
}

# --- descriptors and depth ---------------------------------------------------

# dd_inodes DIR NAME: how many inodes the files called NAME below DIR
# have (find walks trees deeper than PATH_MAX; a shell cannot)
dd_inodes()
{
	find "$1" -type f -name "$2" -printf '%i\n' | sort -u | wc -l
}

# The audit's case: 11 levels, more than ulimit -n 10 leaves.  At ulimit
# -n 4 to 10: every copy linked, or (too few descriptors) one line saying
# so and nothing changed.  At 7 (4 free) and up the job fits.
test_dedup__few_descriptors_and_a_tree_deeper_than_them()
{
	local n p=t/a/b/c/d/e/f/g/h/i/j
	mkdir -p $p t/a/b/c/s
	mkfile t/top same
	mkfile t/a/b/c/s/mid same
	mkfile $p/f1 same
	mkfile $p/f2 same
	mkfile $p/g1 other
	mkfile t/a/b/g2 other
	touch -d 2001-01-01 t/top t/a/b/g2
	for n in 4 5 6 7 8 10; do
		for j in "-j 1" "-j 2"; do
			rm -rf r
			cp -a t r
			manifest r >"$CAP/before"
			# shellcheck disable=SC2086 # $j is two words
			run_limited $n --dedup $j r
			if [ "$status" = 0 ]; then
				expect_stderr "$(dd_summary "4 names" "2 groups" \
				    "6 files" "21 bytes" "0 bytes")"
				expect_linked r/top r/a/b/c/s/mid "${p/t/r}/f1" \
				    "${p/t/r}/f2"
				expect_linked r/a/b/g2 "${p/t/r}/g1"
			else
				expect_status 1
				expect_stderr "hlink: cannot deduplicate: too few file descriptors are free (--dedup needs 4 besides those open; see ulimit -n)"
				manifest r >"$CAP/after"
				cmp -s "$CAP/before" "$CAP/after" ||
				    fail "ulimit -n $n: refused, but changed"
				[ $n -lt 7 ] ||
				    fail "ulimit -n $n $j: refused, but the job fits"
			fi
		done
	done
}

# 1,500 nested directories under ulimit -n 1024, a file at every level
# (three contents): every one linked, whatever the depth of its name and
# of its kept file; with --clone too (tmpfs cannot: said once, nothing
# done, no per-file error)
test_dedup__a_tree_deeper_than_the_fd_limit()
{
	local p=r i
	for ((i = 0; i < 1500; i++)); do p=$p/d; done
	mkdir -p "$p" || skip "cannot make a tree 1,500 levels deep"
	p=r
	for ((i = 0; i <= 1500; i++)); do
		printf '%s\n' $((i % 3)) >"$p/x"
		p=$p/d
	done
	run_limited 1024 --dedup r
	expect_stderr "$(dd_summary "1498 names" "3 groups" "1501 files" \
	    "2.9 KiB" "0 bytes")"
	asserted
	[ "$(dd_inodes r x)" = 3 ] ||
	    fail "expected 3 inodes, got $(dd_inodes r x)"
}

# 3,000 levels: paths of 6,000 bytes and more, past PATH_MAX, and a small
# fd limit: the files at every 500th level are compared and linked like
# any other, by their directories' fds, never by their whole path.
test_dedup__paths_longer_than_path_max()
{
	local k
	mkdir r
	(
		cd r || exit 1
		for ((k = 0; k < 6; k++)); do
			mkfile x same
			mkfile "y$k" "other $((k % 2))"
			p=$(for ((i = 0; i < 500; i++)); do printf d/; done) &&
			    mkdir -p "$p" && cd "$p" || exit 1
		done
		mkfile x same
		touch -d 2001-01-01 x
	) || skip "cannot make a tree 3,000 levels deep"
	run_limited 16 --dedup r
	expect_stderr "$(dd_summary "10 names" "3 groups" "13 files" \
	    "62 bytes" "0 bytes")"
	asserted
	[ "$(dd_inodes r x)" = 1 ] ||
	    fail "the x files are $(dd_inodes r x) inodes, not 1"
	[ "$(find r -type f -name 'y*' -printf '%i\n' | sort -u | wc -l)" = 2 ] ||
	    fail "the y files are not 2 inodes"
	[ "$(find r -type f -name x -links 7 | wc -l)" = 7 ] ||
	    fail "not every x has 7 links"
	run_hlink --dedup r
	expect_stderr "$(dd_summary "0 names" "0 groups" "13 files" \
	    "0 bytes" "0 bytes")"
}

# A name whose directory cannot be reopened for its link (moved away
# after the comparison, while hlink is held at the set's first link) is
# reported as the file it is, not as a directory.
test_dedup__a_name_that_cannot_be_reopened_is_a_file()
{
	build_shim hold_rename
	mkdir -p r/sub hold
	mkfifo hold/go
	mkfile r/a same
	mkfile r/b same
	mkfile r/sub/f3 same
	touch -d 2001-01-01 r/a
	HOLD_DIR=$SB/hold LD_PRELOAD=$PRELOAD "$HLINK" --dedup r \
	    >"$CAP/out" 2>"$CAP/err" &
	local pid=$! i=0
	on_exit "kill $pid"
	while ! [ -e hold/name ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -e hold/name ] || skip "hlink was not held at its first rename"
	mv r/sub r/moved
	echo >hold/go
	status=0
	wait $pid || status=$?
	printf 'hlink --dedup r (held, r/sub moved away)\n' >"$CAP/cmd"
	printf "%s\n" "$status" >"$CAP/status"
	load_result
	expect_status 1
	expect_stderr "hlink: cannot read 'r/sub/f3': No such file or directory" \
	    "$(dd_summary "1 name" "1 group" "3 files" "5 bytes" "0 bytes")"
	expect_same_inode r/b r/a
	expect_not_same_inode r/moved/f3 r/a
}

# Each path is its ROOT joined with the path below it, file ROOTs too:
# no ROOT lends another its spelling of a directory they share.
test_dedup__file_roots_are_spelled_as_given()
{
	mkdir -p o s/d
	mkfile x q
	mkfile y q
	touch -d 2001-01-01 x
	run_hlink --dedup -v --dry-run ./x y
	expect_status 0
	expect_stdout "would link 'y' => './x'"
	run_hlink --dedup -v --dry-run y "$SB/x"
	expect_status 0
	expect_stdout "would link 'y' => '$SB/x'"
	# a ROOT that is a symlink to a file names the file it resolves to
	mkfile s/d/1 z
	mkfile s/d/2 z
	touch -d 2001-01-01 s/d/1
	ln -s ../s/d/2 o/l
	run_hlink --dedup -v --dry-run o/l s/d/1
	expect_status 0
	expect_stdout "would link '$(cd s/d && pwd -P)/2' => 's/d/1'"
	run_hlink --dedup -v ./x y x ./y
	expect_status 0
	expect_stdout "'y' => './x'"
	expect_same_inode x y
}

# A mount point given as a ROOT of its own is entered: no notice for it.
test_dedup__a_mount_point_that_is_a_root_gets_no_notice()
{
	export -f dd_summary
	in_ns '
		mkdir -p r/m r/n
		mkfile r/a same
		mount_tmpfs r/m || skip "cannot mount a tmpfs"
		mount_tmpfs r/n || skip "cannot mount a tmpfs"
		mkfile r/m/b same
		mkfile r/m/c same
		run_hlink --dedup r r/m
		expect_status 0
		expect_same_inode r/m/b r/m/c
		expect_not_same_inode r/a r/m/b
		expect_stderr \
		    "hlink: '\''r/n'\'': another filesystem is mounted there, not entered" \
		    "$(dd_summary "1 name" "1 group" "3 files" \
		    "$(stat -c %s r/m/b | awk "{ print \$1 \" bytes\" }")" \
		    "0 bytes")"
	'
}

# A group is a set with a name relinked: a dry run, which cannot foresee
# fs.protected_hardlinks' refusal, counts one; the run whose only link is
# refused counts none, and says why.
test_dedup__groups_are_sets_with_a_name_relinked()
{
	need_nobody
	mkdir r
	mkfile r/a same
	mkfile r/b same
	touch -d 2001-01-01 r/a
	chmod 755 r
	run_hlink_nobody --dedup --dry-run --content-only r
	expect_status 0
	expect_stderr "hlink: 1 name would be relinked in 1 group of 2 files scanned; 5 bytes would be freed, 0 bytes would still be held by names outside the roots"
	run_hlink_nobody --dedup --content-only r
	expect_status 1
	asserted
	[ "$(tail -n 1 "$CAP/err")" = "$(dd_summary "0 names" "0 groups" \
	    "2 files" "0 bytes" "0 bytes")" ] ||
	    fail "not the summary of no group" "$err"
	expect_not_same_inode r/a r/b
}

# The dry run foresees where the kept file reaches the link limit, as the
# real run meets EMLINK there: the same lines, the same summary.
test_dedup__dry_run_foresees_the_link_limit()
{
	# musl's pathconf() says 8 links for every filesystem: no limit known
	hlink_is_musl && skip "musl knows no filesystem's link limit"
	need_cmd mkfs.ext4
	build_mklinks
	ext4_image 64M
	export -f dd_bytes dd_space
	in_ns '
		mkdir m && mount -o loop "$CAP/img" m || skip "cannot mount ext4"
		mkdir m/r m/links
		for f in a d1 d2 d3 d4; do mkfile m/r/$f same; done
		touch -d 2001-01-01 m/r/a
		"$CAP/mklinks" m/r/a m/links >/dev/null
		# a now has 65000 names, the limit: two fewer leave room for 2
		rm m/links/0 m/links/1
		run_hlink --dedup --dry-run m/r
		expect_status 0
		cp "$CAP/out" dry.out
		sed "s/would be relinked/relinked/; s/would be freed/freed/; s/would still be/still/" \
		    "$CAP/err" >dry.err
		run_hlink --dedup -v m/r
		expect_status 0
		sed "s/^/would link /" "$CAP/out" >real.out
		asserted
		cmp -s dry.out real.out ||
		    fail "the dry run foresaw other links" "$(diff dry.out real.out || true)"
		cmp -s dry.err "$CAP/err" ||
		    fail "the dry run foresaw another summary" \
		    "$(cat dry.err "$CAP/err")"
		[ "$(grep -c "=> .m/r/a.$" real.out)" = 2 ] ||
		    fail "not 2 names linked to m/r/a" "$(cat real.out)"
		expect_nlink m/r/a 65000
		umount m
	'
}

# A small file whose bytes Btrfs keeps inline has no block to share: it
# is left alone, counted nowhere, and no run claims to have shared it.
test_dedup__clone_leaves_inline_files_alone()
{
	need_linux
	need_cmd mkfs.btrfs
	in_ns '
		truncate -s 300M img || exit 1
		mkfs.btrfs -q img >mkfs.log 2>&1 ||
		    skip "mkfs.btrfs failed: $(tail -1 mkfs.log)"
		mkdir -p b && mount -o loop img b || skip "cannot mount btrfs"
		mkdir b/s
		printf tiny >b/s/1
		printf tiny >b/s/2
		sync
		filefrag -v b/s/1 | grep -q inline ||
		    skip "btrfs did not keep the tiny file inline"
		for i in 1 2; do
			run_hlink --dedup --clone -v b/s
			expect_status 0
			expect_stdout
			expect_stderr "hlink: 0 files now share blocks with their kept file in 0 groups of 2 files scanned; 0 bytes shared"
		done
		run_hlink --dedup --clone --dry-run b/s
		expect_status 0
		expect_stdout
		umount b
	'
}

# "freed" counts sizes, as util-linux hardlink, jdupes and rdfind do: a
# sparse file's too, though df sees less come free.
test_dedup__bytes_freed_are_sizes()
{
	mkdir r
	truncate -s 1M r/a
	printf x | dd of=r/a bs=1 seek=1000 conv=notrunc status=none
	cp --sparse=always r/a r/b
	touch -d 2001-01-01 r/a
	run_hlink --dedup r
	expect_status 0
	expect_stderr "$(dd_summary "1 name" "1 group" "2 files" "1.0 MiB" \
	    "0 bytes")"
	expect_same_inode r/a r/b
}

# The progress line moves while one class of files is compared, not only
# when the class is done: reads slowed by a shim, two 4 MiB files.
test_dedup__progress_moves_within_a_class()
{
	build_shim slow_pread
	mkdir r
	head -c 4M /dev/urandom >r/a
	cp r/a r/b
	run env HLINK_SHIM_SLEEP_MS=100 LD_PRELOAD="$PRELOAD" "$HLINK" \
	    --dedup --progress r
	expect_status 0
	asserted
	grep -qE '^hlink: 2 files walked, ([0-9.]+ KiB|[0-7]\.[0-9] MiB) of 8.0 MiB compared' \
	    "$CAP/err" ||
	    fail "no progress line shows part of the class compared" "$err"
}

# The man page lists every usage error of --dedup, its synopsis every
# option --dedup takes, and --help's -q says what -q does to --dedup.
test_dedup__usage_errors_and_options_are_documented()
{
	need_cmd mandoc
	local man=$TESTS_DIR/../../man/hlink.1 line re opt
	[ -f "$man" ] || skip "no man page beside the tests"
	mandoc -Tascii -O width=400 "$man" | col -b >"$CAP/man.txt"
	mkdir r
	for args in "--dedup" "--dedup -f r" "--clone r r2" \
	    "--dedup --min-size=1X r" "--dedup --max-size=x r"; do
		# shellcheck disable=SC2086
		run_hlink $args
		expect_status 2
		line=$(head -n 1 "$CAP/err")
		# a quoted word is the man page's placeholder
		re=$(printf '%s\n' "$line" |
		    sed -e 's/[].[*^$\\]/\\&/g' -e "s/'[^']*'/'[^']*'/g")
		asserted
		grep -q -- "$re" "$CAP/man.txt" ||
		    fail "the man page lacks the usage error: $line"
	done
	awk '/^SYNOPSIS/ { s = 1 } /^DESCRIPTION/ { s = 0 } s' "$CAP/man.txt" |
	    tr '\n' ' ' | grep -o 'hlink --dedup[^]]*\(][^h]*\)*' >"$CAP/syn" || true
	for opt in --clone --progress --no-progress --content-only \
	    --respect-time --min-size --max-size --dry-run; do
		asserted
		grep -q -- "$opt" "$CAP/syn" ||
		    fail "the --dedup synopsis lacks $opt" "$(cat "$CAP/syn")"
	done
	run_hlink --help
	expect_status 0
	asserted
	printf '%s\n' "$out" | grep -A1 -- '-q, --quiet' | grep -q -- '--dedup' ||
	    fail "--help's -q says nothing of --dedup" \
	    "$(printf '%s\n' "$out" | grep -A1 -- '-q, --quiet')"
}
