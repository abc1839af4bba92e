# t_tree.sh: hlink -r SRCDIR DSTDIR: DSTDIR a replica of SRCDIR, its
# directories made (mode, owner as root, times set once full), every other
# entry hard-linked, symlinks as themselves.  The replica is compared with
# what `cp -al` makes of the same source, through find listings of both
# (type, links, mode, owner, group, symlink target, mtime to the
# nanosecond), and each non-directory must share its inode with the source.
#
# Where cp -al behaves in its own way the tests compare what must be equal
# and say why the rest differs: an unreadable directory (cp makes it, empty;
# hlink reports it and makes nothing), a mount point inside the source (cp
# descends and fails on every file; hlink makes an empty directory, or a
# symlink with -s, and says so), and a tree deeper than PATH_MAX (cp fails
# with ENAMETOOLONG; the replica is compared with the source itself).

# --- helpers ---------------------------------------------------------------

# tree_listing DIR: one NUL-ended record per name under DIR, DIR itself
# first (an empty name), sorted
tree_listing()
{
	(cd -- "$1" && find . -printf '%P %y %n %m %U %G %l %T@\0') |
	    LC_ALL=C sort -z
}

# expect_same_records WHAT FILE1 FILE2: two NUL-ended listings are equal
expect_same_records()
{
	asserted
	cmp -s "$2" "$3" ||
	    fail "$1 ($(cat "$CAP/cmd"))" \
	    "$(diff <(tr '\0' '\n' <"$2") <(tr '\0' '\n' <"$3") |
	    sed -n 1,24p | cut -c 1-160)"
}

# expect_same_tree A B: the listings of trees A and B are equal
expect_same_tree()
{
	tree_listing "$1" >"$CAP/list.a"
	tree_listing "$2" >"$CAP/list.b"
	expect_same_records "'$1' and '$2' differ" "$CAP/list.a" "$CAP/list.b"
}

# expect_inodes_shared SRC DST: every non-directory under SRC is under DST
# by the same name with the same device and inode, and DST has no other
expect_inodes_shared()
{
	(cd -- "$1" && find . ! -type d -printf '%P %D:%i\0') |
	    LC_ALL=C sort -z >"$CAP/ino.a"
	(cd -- "$2" && find . ! -type d -printf '%P %D:%i\0') |
	    LC_ALL=C sort -z >"$CAP/ino.b"
	expect_same_records "the non-directories of '$2' are not links to those of '$1'" \
	    "$CAP/ino.a" "$CAP/ino.b"
}

# expect_replica SRC DST: DST equals SRC (directories included) and
# shares every inode
expect_replica()
{
	expect_same_tree "$1" "$2"
	expect_inodes_shared "$1" "$2"
}

# cp_al SRC DST: GNU cp -al, its stderr in $CAP/cp.err; prints its status
cp_al()
{
	local rc=0
	cp -al -- "$1" "$2" 2>"$CAP/cp.err" || rc=$?
	echo $rc
}

# set_dir_times DIR...: distinct mtimes with nanoseconds, deepest first
# (making an entry changes its directory's mtime)
set_dir_times()
{
	local d n=0
	for d in "$@"; do
		n=$((n + 1))
		touch -h -d "2001-02-03 04:05:06.$((100000000 + n * 7654321))" -- "$d"
	done
}

# small_tree DIR: DIR/f, DIR/a/g, DIR/a/b/h, DIR/e (empty), times set
small_tree()
{
	mkdir -p "$1/a/b" "$1/e"
	mkfile "$1/f"
	mkfile "$1/a/g"
	mkfile "$1/a/b/h"
	set_dir_times "$1/a/b" "$1/a" "$1/e" "$1"
}

# every_type_tree DIR: each file type, hard links inside the tree, odd
# modes, owners and times on directories (root only)
every_type_tree()
{
	local s=$1
	mkdir -p "$s/empty" "$s/sub/deeper" "$s/sticky" "$s/sgid" "$s/ro" \
	    "$s/none/inner" "$s/owned"
	mkfile "$s/reg"
	: >"$s/emptyfile"
	mkfile "$s/sub/deeper/f"
	ln "$s/reg" "$s/sub/reg2"		# a hard link inside the source
	ln "$s/reg" "$s/sub/deeper/reg3"
	ln -s reg "$s/sl"
	ln -s /nonexistent/x "$s/dangling"
	ln -s sub "$s/sl_to_dir"		# never followed
	ln -s "$SB/$s/reg" "$s/sl_abs"
	ln -s .. "$s/sub/sl_up"
	ln "$s/sl" "$s/sub/sl_hardlinked"	# a hard link to a symlink
	mkfifo "$s/fifo"
	mknod "$s/chr" c 1 3
	mknod "$s/blk" b 7 250
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	    "$s/sock"
	chmod 4755 "$s/reg"
	chmod 1777 "$s/sticky"
	chmod 2750 "$s/sgid"
	chown 65534:12345 "$s/owned" "$s/sgid" "$s/sub/deeper/f"
	chmod 0000 "$s/none/inner"
	chmod 0500 "$s/ro"
	chmod 0311 "$s/none"
	set_dir_times "$s/none/inner" "$s/none" "$s/empty" "$s/sub/deeper" \
	    "$s/sub" "$s/sticky" "$s/sgid" "$s/ro" "$s/owned" "$s"
}

# odd_names DIR: names with spaces, a newline, a tab, leading dashes,
# quotes, a backslash, invalid UTF-8, valid UTF-8, as files and dirs
ODD_NAMES=(" sp ace" "-dash" "--" "$(printf 'new\nline')" "$(printf 'tab\there')"
    "it's" '"dq"' 'back\slash' "$(printf 'bad\377')" "$(printf 'caf\303\251')"
    '*' '$HOME' '.hidden' '..dots')
odd_names()
{
	local n
	mkdir -p "$1"
	for n in "${ODD_NAMES[@]}"; do
		mkdir -p -- "$1/d$n"
		mkfile "$1/d$n/$n" x
		mkfile "$1/$n" x
	done
	set_dir_times "$1"
}

# chain DIR NAME N: DIR/NAME/NAME/... N levels; prints the path
chain()
{
	local p=$1 i
	for ((i = 0; i < $3; i++)); do p=$p/$2; done
	mkdir -p "$p" && printf '%s\n' "$p"
}

# ns_helpers: the helpers above, for the shell that in_ns starts
ns_helpers()
{
	export -f tree_listing expect_same_records expect_same_tree \
	    expect_inodes_shared expect_replica cp_al set_dir_times \
	    small_tree expect_sorted
}

# --- what the replica is ------------------------------------------------------

test_tree__every_file_type_same_as_cp_al()
{
	need_root
	need_cmd python3
	every_type_tree s
	run_hlink -r s h
	expect_ok
	asserted
	[ "$(cp_al s c)" = 0 ] || fail "cp -al failed" "$(visible "$CAP/cp.err")"
	expect_same_tree h c
	expect_replica s h
	expect_inodes_shared s c
	# the symlinks are links of the symlinks, never of what they name
	expect_symlink h/sl_to_dir sub
	expect_symlink h/sub/sl_up ..
	expect_symlink h/dangling /nonexistent/x
	expect_same_inode h/sub/sl_hardlinked s/sl
	asserted
	[ -p h/fifo ] && [ -S h/sock ] && [ -c h/chr ] && [ -b h/blk ] ||
	    fail "a special file did not keep its type" "$(ls -l h)"
}

test_tree__same_as_cp_al_with_threads()
{
	need_root
	need_cmd python3
	every_type_tree s
	cp -al s c
	local j
	for j in 1 2 3; do
		run_hlink -r -j "$j" s "h$j"
		expect_ok
		expect_same_tree "h$j" c
		expect_inodes_shared s "h$j"
	done
	# -v: the same lines, whole, whatever the thread
	run_hlink -r -v -j 1 s v
	expect_status 0
	sed "s/^created directory 'v/created directory 'w/; s/^'v/'w/" \
	    "$CAP/out" | LC_ALL=C sort >"$CAP/v.sorted"
	run_hlink -r -v -j 3 s w
	expect_status 0
	expect_stderr
	LC_ALL=C sort "$CAP/out" >"$CAP/out.sorted"
	cp "$CAP/v.sorted" "$CAP/expected"
	expect_file_same "stdout of -v -j 3 (sorted)" "$CAP/out.sorted"
}

test_tree__directory_mode_owner_and_times()
{
	need_root
	mkdir -p s/a/b
	mkfile s/a/b/f
	chown 65534:12345 s/a
	chmod 2751 s/a
	chmod 1703 s/a/b
	chown 123:456 s/a/b
	# times with nanoseconds, and an mtime that making entries would change
	touch -d '1999-12-31 23:59:59.123456789' s/a/b
	touch -d '2000-01-01 00:00:00.987654321' s/a
	touch -d '1970-01-02 00:00:00.000000001' s
	run_hlink -r s h
	expect_ok
	asserted
	local p
	for p in "" /a /a/b; do
		[ "$(stat -c '%a %u %g %y' "h$p")" = "$(stat -c '%a %u %g %y' "s$p")" ] ||
		    fail "'h$p' is '$(stat -c '%a %u %g %y' "h$p")', expected '$(stat -c '%a %u %g %y' "s$p")'"
	done
	expect_replica s h
}

test_tree__hard_links_inside_the_source()
{
	mkdir -p s/x s/y
	mkfile s/x/f
	ln s/x/f s/y/g
	ln s/x/f s/h
	run_hlink -r s r
	expect_ok
	expect_same_inode r/x/f s/x/f
	expect_same_inode r/y/g s/x/f
	expect_same_inode r/h s/x/f
	expect_nlink s/x/f 6
}

test_tree__odd_names()
{
	odd_names s
	run_hlink -r -v -- s -r
	expect_status 0
	expect_stderr
	expect_replica s -r
	asserted
	[ "$(cp_al s c)" = 0 ] || fail "cp -al failed" "$(visible "$CAP/cp.err")"
	expect_same_tree -r c
	# -v: one line per directory and per link, names escaped
	local n q want=("created directory '-r'")
	for n in "${ODD_NAMES[@]}"; do
		q=$(printf '%s' "$n" | LC_ALL=C sed -e 's/\\/\\\\/g' \
		    -e "s/'/\\\\'/g" -e 's/\t/\\t/g' -e 's/\xff/\\xff/g' |
		    sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')
		want+=("created directory '-r/d$q'"
		    "'-r/d$q/$q' => 's/d$q/$q'"
		    "'-r/$q' => 's/$q'")
	done
	expect_sorted out "${want[@]}"
}

test_tree__empty_directories_and_an_empty_source()
{
	mkdir -p s/e1 s/e2/e3 empty
	set_dir_times s/e2/e3 s/e2 s/e1 s empty
	run_hlink -r s r
	expect_ok
	expect_replica s r
	run_hlink -r empty r2
	expect_ok
	expect_replica empty r2
}

test_tree__deep_tree_with_few_fds()
{
	need_cmd prlimit
	# 10,000 levels, a file every 1,000 and a side directory with a file;
	# paths far over PATH_MAX, so built 1,000 levels at a time
	local i k p
	mkdir s
	(
		cd s || exit 1
		for ((k = 0; k < 10; k++)); do
			mkfile f "$k"
			mkdir side
			mkfile side/g
			p=$(chain . d 1000) && cd "$p" || exit 1
		done
		mkfile bottom
	) || skip "cannot make a tree 10,000 levels deep"
	# 256 fds: far fewer than the levels (one thread: the bound is per
	# walk)
	run prlimit --nofile=256 "$HLINK" -r -j 1 s r
	expect_ok
	# and with the threads -j gives by default, under the usual soft limit
	run prlimit --nofile=1024 "$HLINK" -r s r2
	expect_ok
	# cp -al cannot (ENAMETOOLONG): compare with the source, by depth
	# and name, which a chain makes unique; directories by their
	# attributes, the rest by inode
	for i in s r r2; do
		(cd $i && find . \( -type d -printf '%d %f %y %n %m %U %G %T@\0' \) \
		    -o -printf '%d %f %y %n %l %D:%i\0') | LC_ALL=C sort -z \
		    >"$CAP/deep.$i"
	done
	asserted
	[ "$(tr -cd '\0' <"$CAP/deep.s" | wc -c)" = 10032 ] ||
	    fail "expected 10,032 names in the deep source, got $(tr -cd '\0' <"$CAP/deep.s" | wc -c)"
	expect_same_records "the deep replica (-j 1) differs from its source" \
	    "$CAP/deep.s" "$CAP/deep.r"
	expect_same_records "the deep replica (default -j) differs from its source" \
	    "$CAP/deep.s" "$CAP/deep.r2"
}

# A small RLIMIT_NOFILE: the walk shares what there is, whatever -j.
test_tree__deep_tree_under_a_small_fd_limit()
{
	need_cmd prlimit
	local p n j
	p=$(chain s d 100) || skip "cannot make a deep tree"
	mkfile "$p/f"
	mkdir s/d/side s/d/d/side2
	mkfile s/d/side/g
	for n in 20 32 48; do
		for j in 1 4; do
			rm -rf r
			run prlimit --nofile=$n "$HLINK" -r -j $j s r
			expect_ok
			expect_replica s r
		done
	done
}

# -j 16 (the most, and the default on 16 CPUs) with the usual soft limit
# of 1,024 fds: sixteen deep branches walked at once must not run out of
# fds ("open fds stay bounded").
test_tree__deep_branches_with_16_threads_and_1024_fds()
{
	need_cmd prlimit
	local b p
	mkdir s
	for b in $(seq 1 16); do
		p=$(chain "s/b$b" d 400) || skip "cannot make deep branches"
		mkfile "$p/f"
	done
	run prlimit --nofile=1024 "$HLINK" -r -j 16 s r
	expect_ok
	expect_replica s r
}

# Many directories for the workers to share; a crash or a lost entry
# shows in some of several runs.
test_tree__threads_many_runs()
{
	local a b f j n
	mkdir s
	for a in $(seq 1 40); do
		for b in 1 2 3 4; do
			mkdir -p "s/a$a/b$b"
			for f in 1 2 3; do : >"s/a$a/b$b/f$f"; done
		done
	done
	cp -al s c
	for j in 2 4 8 16; do
		for n in 1 2 3 4 5; do
			rm -rf r
			run_hlink -r -j "$j" s r
			expect_ok
			expect_same_tree r c
		done
	done
	expect_inodes_shared s r
}

# threads_started [taskset CPUS] ARG...: runs hlink ARG... under strace
# and prints how many threads it started.  A ThreadSanitizer build starts
# one more of its own with the first thread (its background thread), so
# that one is not counted.
threads_started()
{
	local pre=() n
	if [ "$1" = taskset ]; then
		pre=(taskset -c "$2")
		shift 2
	fi
	run strace -f -qq -e trace=clone,clone3 -o "$CAP/trace" \
	    "${pre[@]}" "$HLINK" "$@"
	expect_status 0
	expect_stderr
	n=$(grep -c 'clone' "$CAP/trace" || :)
	if [ "$n" -gt 0 ] && grep -q -a __tsan_init "$HLINK"; then
		n=$((n - 1))
	fi
	echo "$n"
}

# cpus_allowed: the CPUs this shell may run on, one per line
cpus_allowed()
{
	local r
	for r in $(taskset -cp $$ | sed 's/.*: //; s/,/ /g'); do
		case $r in
		*-*) seq "${r%-*}" "${r#*-}" ;;
		*) echo "$r" ;;
		esac
	done
}

# -j N: N threads, the calling one and N - 1 started, whatever the CPUs;
# the default: one per CPU of the affinity mask
test_tree__j_chooses_the_threads()
{
	need_linux
	need_cmd strace taskset
	strace -f -o /dev/null true 2>/dev/null ||
	    skip "strace cannot trace here (ptrace not permitted?)"
	mkdir -p s/a s/b s/c
	local j n one two
	one=$(cpus_allowed | head -n 1)
	two=$(cpus_allowed | head -n 2 | paste -s -d ,)
	for j in 1 2 3; do
		n=$(threads_started taskset "$one" -r -j "$j" s "r$j")
		asserted
		[ "$n" = $((j - 1)) ] ||
		    fail "-j $j on one CPU: $n threads started, expected $((j - 1))"
	done
	n=$(threads_started taskset "$one" -r s r0)
	asserted
	[ "$n" = 0 ] || fail "default -j on one CPU: $n threads started, expected 0"
	if [ "$two" != "$one" ]; then
		n=$(threads_started taskset "$two" -r s r01)
		asserted
		[ "$n" = 1 ] ||
		    fail "default -j on two CPUs: $n threads started, expected 1"
	fi
	# man page: "With -i or --dry-run, one thread is used, whatever -j says"
	n=$(threads_started taskset "$one" -r --dry-run -j 3 s rd)
	asserted
	[ "$n" = 0 ] || fail "--dry-run -j 3: $n threads started, expected 0"
	n=$(threads_started taskset "$one" -r -i -j 3 s ri)
	asserted
	[ "$n" = 0 ] || fail "-i -j 3: $n threads started, expected 0"
	expect_replica s ri
	# --jobs=N is -j N
	run_hlink -r --jobs=2 s r4
	expect_ok
	expect_replica s r4
}

test_tree__j_usage_errors()
{
	mkdir s
	local n
	for n in 0 -1 17 abc 2x ''; do
		run_hlink -r -j "$n" s r
		expect_usage "hlink: -j wants a number of threads from 1 to 16, not '$n'"
	done
	expect_missing r
}

# --- operand forms ------------------------------------------------------------

test_tree__dst_missing_is_the_replica()
{
	small_tree s
	run_hlink -r s r
	expect_ok
	expect_replica s r
}

test_tree__dst_a_directory_gets_basename()
{
	small_tree s
	mkdir d
	run_hlink -r s d
	expect_ok
	expect_replica s d/s
	expect_missing d/f
	# a trailing slash on either
	mkdir e
	run_hlink -r s/ e/
	expect_ok
	expect_replica s e/s
}

test_tree__T_makes_dst_itself_the_replica()
{
	small_tree s
	mkdir d
	run_hlink -r -T s d
	expect_ok
	expect_replica s d
	expect_missing d/s
}

test_tree__several_sources_and_t()
{
	small_tree s1
	mkdir -p s2/x
	mkfile s2/x/y
	mkfile plain
	mkdir d e
	run_hlink -r s1 s2 plain d
	expect_ok
	expect_replica s1 d/s1
	expect_replica s2 d/s2
	expect_same_inode d/plain plain
	run_hlink -r -v -t e s2 plain
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'e/s2'" "created directory 'e/s2/x'" \
	    "'e/s2/x/y' => 's2/x/y'" "'e/plain' => 'plain'"
	expect_replica s2 e/s2
}

test_tree__src_not_a_directory_is_linked()
{
	mkfile f
	mkfifo p
	run_hlink -r f g
	expect_ok
	expect_same_inode g f
	run_hlink -r -v p q
	expect_status 0
	expect_stdout "'q' => 'p'"
	expect_same_inode q p
}

test_tree__src_a_symlink_to_a_directory()
{
	small_tree s
	ln -s s sl
	# -L (the default) replicates the directory it names
	run_hlink -r sl r
	expect_ok
	expect_replica s r
	expect_not_symlink r
	# -P links the symlink itself
	run_hlink -r -P sl r2
	expect_ok
	expect_symlink r2 s
	expect_same_inode r2 sl
}

test_tree__src_dir_and_dst_dir()
{
	mkdir top out
	small_tree top/s
	run_hlink -r -v --src-dir=top --dst-dir=out s r
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'r'" "created directory 'r/a'" \
	    "created directory 'r/a/b'" "created directory 'r/e'" \
	    "'r/f' => 's/f'" "'r/a/g' => 's/a/g'" "'r/a/b/h' => 's/a/b/h'"
	expect_replica top/s out/r
	# the directory form through --dst-dir, shown as DIR/name
	mkdir out/d
	run_hlink -r -v --src-dir=top --dst-dir=out s d
	expect_status 0
	asserted
	grep -q -x "'d/s/a/b/h' => 's/a/b/h'" "$CAP/out" ||
	    fail "no line for d/s/a/b/h" "$(visible "$CAP/out")"
	expect_replica top/s out/d/s
}

test_tree__dash_names_as_operands()
{
	small_tree ./-s
	run_hlink -r -- -s -t
	expect_ok
	expect_replica -s -t
}

# --- options ------------------------------------------------------------------

test_tree__verbose_one_line_per_entry()
{
	small_tree s
	ln -s f s/sl
	run_hlink -r -v s r
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'r'" "created directory 'r/a'" \
	    "created directory 'r/a/b'" "created directory 'r/e'" \
	    "'r/f' => 's/f'" "'r/a/g' => 's/a/g'" "'r/a/b/h' => 's/a/b/h'" \
	    "'r/sl' => 's/sl'"
	# each directory's line comes before its entries' lines
	asserted
	[ "$(grep -n -x "created directory 'r/a/b'" "$CAP/out" | cut -d: -f1)" -lt \
	    "$(grep -n -x "'r/a/b/h' => 's/a/b/h'" "$CAP/out" | cut -d: -f1)" ] ||
	    fail "'r/a/b' announced after its entry" "$(visible "$CAP/out")"
}

test_tree__rerun_is_idempotent()
{
	small_tree s
	run_hlink -r -T s r
	expect_ok
	tree_listing r >"$CAP/first"
	run_hlink -r -T s r
	expect_ok
	# a rerun announces nothing: no directory was created, nothing linked
	run_hlink -r -T -v s r
	expect_ok
	run_hlink -r -T -f s r
	expect_ok
	tree_listing r >"$CAP/again"
	expect_same_records "the replica changed on a rerun" "$CAP/first" "$CAP/again"
	expect_replica s r
	# the directory form: the replica inside DIR, merged into
	mkdir d
	run_hlink -r s d
	expect_ok
	run_hlink -r -v s d
	expect_ok
	expect_replica s d/s
}

test_tree__merges_into_an_existing_replica()
{
	small_tree s
	mkdir -p r/a
	mkfile r/keep
	chmod 700 r/a
	run_hlink -r -T -v s r
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'r/a/b'" "created directory 'r/e'" \
	    "'r/f' => 's/f'" "'r/a/g' => 's/a/g'" "'r/a/b/h' => 's/a/b/h'"
	expect_content r/keep r/keep
	# the merged directories get the source's mode and times too
	asserted
	[ "$(stat -c '%a %y' r/a)" = "$(stat -c '%a %y' s/a)" ] ||
	    fail "r/a: '$(stat -c '%a %y' r/a)', expected '$(stat -c '%a %y' s/a)'"
}

test_tree__dry_run_changes_nothing()
{
	small_tree s
	ln -s f s/sl
	snap_save
	run_hlink -r --dry-run s r
	expect_status 0
	expect_stderr
	expect_sorted out "would create directory 'r'" \
	    "would create directory 'r/a'" "would create directory 'r/a/b'" \
	    "would create directory 'r/e'" "would link 'r/f' => 's/f'" \
	    "would link 'r/a/g' => 's/a/g'" "would link 'r/a/b/h' => 's/a/b/h'" \
	    "would link 'r/sl' => 's/sl'"
	expect_unchanged
	# into an existing replica missing one file, and with one in the way
	run_hlink -r -T s r
	expect_ok
	rm r/a/g r/f r/sl
	mkfile r/f other
	snap_save
	run_hlink -r -T --dry-run s r
	expect_status 1
	expect_stderr "hlink: cannot link 'r/f' to 's/f': 'r/f' already exists" \
	    "hlink: hint: use -f to replace it"
	expect_sorted out "would link 'r/a/g' => 's/a/g'" "would link 'r/sl' => 's/sl'"
	run_hlink -r -T --dry-run -v -f s r
	expect_status 0
	expect_stderr
	expect_sorted out "would link 'r/a/g' => 's/a/g'" \
	    "would replace 'r/f' => 's/f'" "would link 'r/sl' => 's/sl'"
	expect_unchanged
}

test_tree__dry_run_over_a_complete_replica_prints_nothing()
{
	small_tree s
	mkdir d
	run_hlink -r s d
	expect_ok
	snap_save
	run_hlink -r --dry-run s d
	expect_ok
	run_hlink -r --dry-run -T s d/s
	expect_ok
	expect_unchanged
}

test_tree__existing_file_fails_and_the_walk_goes_on()
{
	small_tree s
	mkdir -p r/a
	mkfile r/a/g other
	snap_save r/a/g
	run_hlink -r -T s r
	expect_cannot r/a/g s/a/g "'r/a/g' already exists" "use -f to replace it"
	expect_unchanged r/a/g
	expect_content r/a/g other
	expect_same_inode r/f s/f
	expect_same_inode r/a/b/h s/a/b/h
}

test_tree__f_replaces_atomically()
{
	small_tree s
	mkdir -p r/a/b
	mkfile r/a/g other
	mkfile r/f other
	run_hlink -r -T -f -v s r
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'r/e'" "'r/f' => 's/f'" \
	    "'r/a/g' => 's/a/g'" "'r/a/b/h' => 's/a/b/h'"
	expect_replica s r
	expect_no_temp r r/a r/a/b
}

test_tree__file_where_a_directory_goes()
{
	small_tree s
	mkdir r
	mkfile r/a not-a-dir
	run_hlink -r -T s r
	expect_result 1 "hlink: cannot make directory 'r/a': it exists and is not a directory"
	expect_content r/a not-a-dir
	expect_same_inode r/f s/f
	expect_exists r/e
	# -f replaces files, never a file by a directory
	run_hlink -r -T -f s r
	expect_result 1 "hlink: cannot make directory 'r/a': it exists and is not a directory"
	expect_content r/a not-a-dir
}

test_tree__symlink_in_the_replica_is_not_followed()
{
	small_tree s
	mkdir r outside
	ln -s ../outside r/a
	run_hlink -r -T s r
	expect_result 1 "hlink: cannot make directory 'r/a': it exists and is not a directory"
	asserted
	[ -z "$(ls -A outside)" ] || fail "hlink wrote through r/a into outside" "$(ls -A outside)"
	expect_symlink r/a ../outside
	run_hlink -r -T -f s r
	expect_status 1
	[ -z "$(ls -A outside)" ] || fail "hlink -f wrote through r/a into outside" "$(ls -A outside)"
}

test_tree__i_asks_for_each_existing_file()
{
	small_tree s
	mkdir -p r/a
	mkfile r/a/g other
	printf 'n\n' >"$CAP/in"
	run_hlink -r -T -i s r
	expect_status 1
	expect_stderr_raw "hlink: replace 'r/a/g'? "
	expect_content r/a/g other
	expect_same_inode r/a/b/h s/a/b/h
	printf 'y\n' >"$CAP/in"
	run_hlink -r -T -i -v s r
	expect_status 0
	expect_stderr_raw "hlink: replace 'r/a/g'? "
	expect_stdout "'r/a/g' => 's/a/g'"
	expect_replica s r
}

test_tree__dry_run_i_asks_nothing()
{
	small_tree s
	mkdir -p r/a
	mkfile r/a/g other
	snap_save
	printf 'y\n' >"$CAP/in"
	run_hlink -r -T -i --dry-run s r
	expect_status 0
	expect_stderr
	asserted
	grep -q -x "would ask to replace 'r/a/g' => 's/a/g'" "$CAP/out" ||
	    fail "no 'would ask to replace' line ($(cat "$CAP/cmd"))" \
	    "$(visible "$CAP/out")"
	expect_unchanged
}

test_tree__write_error_on_stdout()
{
	[ -w /dev/full ] || skip "no /dev/full"
	small_tree s
	asserted
	status=0
	"$HLINK" -r -v s r >/dev/full 2>"$CAP/err" || status=$?
	[ "$status" = 1 ] || fail "exit status $status on a full stdout, expected 1"
	grep -q '^hlink: write error: ' "$CAP/err" ||
	    fail "no write error reported" "$(visible "$CAP/err")"
}

# --- refusals -----------------------------------------------------------------

test_tree__into_itself()
{
	small_tree s
	ln -s s alias
	snap_save
	run_hlink -r s s/a/b/x
	expect_result 1 "hlink: cannot replicate 's' inside itself, as 's/a/b/x'"
	run_hlink -r s s
	expect_result 1 "hlink: cannot replicate 's' inside itself, as 's/s'"
	run_hlink -r -T s s/x
	expect_result 1 "hlink: cannot replicate 's' inside itself, as 's/x'"
	run_hlink -r s/ s/a
	expect_result 1 "hlink: cannot replicate 's/' inside itself, as 's/a/s'"
	run_hlink -r s alias/new
	expect_result 1 "hlink: cannot replicate 's' inside itself, as 'alias/new'"
	run_hlink -r "$SB/s" ./s/e/x
	expect_result 1 "hlink: cannot replicate '$SB/s' inside itself, as './s/e/x'"
	(cd s/a && run_hlink -r .. x)
	load_result
	expect_result 1 "hlink: cannot replicate '..' inside itself, as 'x'"
	expect_unchanged
}

# The replica named is the source itself.  SPEC allows two readings: the
# same directory entry, a success that changes nothing (as "hlink a a"), or
# a directory replicated into itself, an error before anything is made.
# Either way nothing may change.
# expect_onto_itself SHOWN: exit 0 and silent, or the refusal naming SHOWN
expect_onto_itself()
{
	expect_stdout
	asserted
	case $status:$err in
	0:) ;;
	"1:hlink: cannot replicate 's' inside itself, as '$1'") ;;
	*) fail "hlink -r onto SRC itself: exit $status ($(cat "$CAP/cmd"))" \
	    "$(visible "$CAP/err")" ;;
	esac
}

test_tree__onto_itself_changes_nothing()
{
	small_tree s
	snap_save_loose
	run_hlink -r -T s s
	expect_onto_itself s
	run_hlink -r s .
	expect_onto_itself ./s
	run_hlink -r -T -f s s
	expect_onto_itself s
	expect_unchanged
}

test_tree__src_missing()
{
	mkdir d
	run_hlink -r nope d/r
	expect_cannot d/r nope "'nope' does not exist"
	expect_missing d/r
}

test_tree__no_directory_for_the_replica()
{
	small_tree s
	run_hlink -r -T s nodir/r
	expect_result 1 "hlink: cannot make directory 'nodir/r': No such file or directory"
	expect_missing nodir
}

# --- another filesystem -------------------------------------------------------

tree_crossdev_setup()
{
	shm_sandbox
	need_cmd findmnt
	M1=$(mount_point "$SB")
	M2=$(mount_point "$SHM")
	[ -n "$M1" ] && [ -n "$M2" ] || skip "findmnt found no mount point"
	small_tree s
}

test_tree__cross_device_stops_before_anything()
{
	tree_crossdev_setup
	snap_save . "$SHM"
	run_hlink -r s "$SHM/r"
	expect_cannot "$SHM/r" s \
	    "'s' is on '$M1' and '$SHM/r' would be on '$M2', another filesystem" \
	    "use -s to make a symbolic link instead"
	run_hlink -r -v s "$SHM"
	expect_cannot "$SHM/s" s \
	    "'s' is on '$M1' and '$SHM/s' would be on '$M2', another filesystem" \
	    "use -s to make a symbolic link instead"
	run_hlink -r --dry-run s "$SHM/r"
	expect_cannot "$SHM/r" s \
	    "'s' is on '$M1' and '$SHM/r' would be on '$M2', another filesystem" \
	    "use -s to make a symbolic link instead"
	expect_unchanged . "$SHM"
}

test_tree__cross_device_s_makes_a_symlink_to_srcdir()
{
	tree_crossdev_setup
	run_hlink -r -s s "$SHM/r"
	expect_status 0
	expect_stdout
	expect_stderr "hlink: '$SHM/r': made a symbolic link instead: 's' is on '$M1' and '$SHM/r' would be on '$M2', another filesystem"
	expect_symlink "$SHM/r" "$SB/s"
	run_hlink -r -s -q -v s "$SHM/r2"
	expect_status 0
	expect_stderr
	expect_stdout "'$SHM/r2' -> '$SB/s'"
	# a rerun finds its symlink
	run_hlink -r -s s "$SHM/r"
	expect_ok
	expect_symlink "$SHM/r" "$SB/s"
}

# cp -al descends into a mount point and fails on each file (EXDEV), exit
# 1; hlink does not enter it: an empty directory with the mount point's own
# mode, owner and times (the same that cp gives its copy), and a notice.
# So the source's mount point holds only files here: cp makes no entry in
# its copy and the two trees can be compared whole.
tree_mount_point_case()
{
	mkdir -p s/m s/k
	mkfile s/f
	mkfile s/k/g
	mount_tmpfs s/m || skip "cannot mount a tmpfs"
	mkfile s/m/inner
	mkfile s/m/inner2
	chmod 750 s/m
	chown 65534:12345 s/m
	touch -d '2002-02-02 02:02:02.222222222' s/m
	set_dir_times s/k s
	run_hlink -r s h
	expect_result 0 "hlink: 's/m': another filesystem is mounted there, not entered: made the empty directory 'h/m'"
	asserted
	[ "$(cp_al s c)" = 1 ] ||
	    fail "cp -al into a mount point: expected exit 1 (EXDEV)" \
	    "$(visible "$CAP/cp.err")"
	expect_same_tree h c
	asserted
	[ -d h/m ] && [ -z "$(ls -A h/m)" ] || fail "'h/m' is not an empty directory"
	# -v: the directory is created; -q: no notice
	run_hlink -r -v s v
	expect_status 0
	expect_stderr "hlink: 's/m': another filesystem is mounted there, not entered: made the empty directory 'v/m'"
	expect_sorted out "created directory 'v'" "created directory 'v/m'" \
	    "created directory 'v/k'" "'v/f' => 's/f'" "'v/k/g' => 's/k/g'"
	run_hlink -r -q s q
	expect_ok
	expect_same_tree q c
	# -s: a symlink to the source's mount point
	run_hlink -r -s s y
	expect_result 0 "hlink: 's/m': another filesystem is mounted there, not entered: made a symbolic link 'y/m' instead"
	expect_symlink y/m "$SB/s/m"
	expect_same_inode y/k/g s/k/g
	run_hlink -r -s -q --relative s z
	expect_ok
	asserted
	[ "$(stat -L -c %d:%i z/m)" = "$(stat -c %d:%i s/m)" ] &&
	    [ "$(readlink z/m | cut -c 1)" != / ] ||
	    fail "z/m -> '$(readlink z/m)': not a relative symlink to s/m"
	run_hlink -r -s -q -j 2 s z2
	expect_ok
	expect_symlink z2/m "$SB/s/m"
	# -s, where the symlink cannot be made: a file holds its name
	mkdir y2
	mkfile y2/m
	run_hlink -r -T -s -q s y2
	expect_result 1 "hlink: cannot make symbolic link 'y2/m': File exists"
	expect_content y2/m y2/m
	expect_same_inode y2/k/g s/k/g
}

test_tree__mount_point_inside_is_not_entered()
{
	ns_helpers
	export -f tree_mount_point_case
	in_ns tree_mount_point_case
}

# A dry run makes nothing, so its notice must not say "made".
tree_mount_point_dry_run_case()
{
	mkdir -p s/m
	mkfile s/f
	mount_tmpfs s/m || skip "cannot mount a tmpfs"
	snap_save s
	run_hlink -r --dry-run s r
	expect_status 0
	expect_sorted out "would create directory 'r'" \
	    "would create directory 'r/m'" "would link 'r/f' => 's/f'"
	expect_missing r
	asserted
	! grep -q 'made' "$CAP/err" ||
	    fail "--dry-run says it made something" "$(visible "$CAP/err")"
	run_hlink -r --dry-run -s s r
	expect_status 0
	expect_sorted out "would create directory 'r'" \
	    "would make a symbolic link 'r/m' -> '$SB/s/m'" \
	    "would link 'r/f' => 's/f'"
	expect_missing r
	asserted
	! grep -q 'made' "$CAP/err" ||
	    fail "--dry-run -s says it made something" "$(visible "$CAP/err")"
}

test_tree__mount_point_dry_run()
{
	ns_helpers
	export -f tree_mount_point_dry_run_case
	in_ns tree_mount_point_dry_run_case
}

# A bind mount inside SRC is a mount point too: no file in it can be
# linked from outside it (linkat across mounts is EXDEV even on one
# filesystem), so it is not entered either.
tree_bind_mount_inside_case()
{
	mkdir -p s/k o
	mkfile s/f
	mkfile o/outside
	mount --bind o s/k || skip "cannot bind-mount here"
	run_hlink -r s r
	expect_result 0 "hlink: 's/k': another filesystem is mounted there, not entered: made the empty directory 'r/k'"
	expect_same_inode r/f s/f
	expect_missing r/k/outside
}

test_tree__bind_mount_inside_src_is_not_entered()
{
	need_linux
	ns_helpers
	export -f tree_bind_mount_inside_case
	in_ns tree_bind_mount_inside_case
}

# DSTDIR on another mount of the same filesystem: no link can be made
# there (EXDEV), so hlink -r stops before making anything, as it does for
# another filesystem, with the message that hlink SRC DST gives.
tree_dst_on_a_bind_mount_case()
{
	small_tree s
	mkdir d b
	mount --bind d b || skip "cannot bind-mount here"
	local m
	m=$(mount_point "$SB/s")
	run_hlink -r s b/r
	expect_cannot b/r s \
	    "'s' is on '$m' and 'b/r' would be on '$SB/b', another filesystem" \
	    "use -s to make a symbolic link instead"
	expect_missing d/r
}

test_tree__dst_on_a_bind_mount_stops_before_anything()
{
	need_linux
	ns_helpers
	export -f tree_dst_on_a_bind_mount_case
	in_ns tree_dst_on_a_bind_mount_case
}

# DSTDIR inside SRCDIR, named through a bind mount of SRCDIR: the check by
# path does not see it.  On a small tmpfs, so that a replica that grows
# into itself stops at the inode limit instead of filling the disk.
tree_into_itself_through_a_bind_mount_case()
{
	mount_tmpfs A nr_inodes=400 || skip "cannot mount a tmpfs"
	mkdir -p A/s/a A/b
	mkfile A/s/a/f
	mount --bind A/s A/b || skip "cannot bind-mount here"
	run_hlink -r A/s A/b/x
	# refused before it began: a bind mount is another mount, which
	# link(2) will not cross (EXDEV), so that is the reason given
	expect_cannot A/b/x A/s "'A/s' is on '$SB/A' and 'A/b/x' would be on '$SB/A/b', another filesystem" \
	    "use -s to make a symbolic link instead"
	expect_missing A/s/x
}

test_tree__into_itself_through_a_bind_mount()
{
	need_linux
	ns_helpers
	export -f tree_into_itself_through_a_bind_mount_case
	in_ns tree_into_itself_through_a_bind_mount_case
}

# An ext4 without the filetype feature: d_type is DT_UNKNOWN everywhere,
# so the walk must fstatat each entry, and never follow a symlink.
tree_no_d_type_case()
{
	mkdir e
	mount -o loop "$CAP/img" e 2>/dev/null ||
	    skip "cannot mount an ext4 image (no loop device?)"
	mkdir -p e/s/a/b e/outside
	mkfile e/s/a/b/f
	mkfile e/outside/o
	ln -s ../outside e/s/to_outside
	ln -s a e/s/to_a
	mkfifo e/s/p
	set_dir_times e/s/a/b e/s/a e/s
	run_hlink -r e/s e/r
	expect_ok
	expect_replica e/s e/r
	cp -al e/s e/c
	expect_same_tree e/r e/c
}

test_tree__filesystem_without_d_type()
{
	need_root
	need_cmd mkfs.ext4 truncate
	truncate -s 16M "$CAP/img" &&
	    mkfs.ext4 -q -F -O ^filetype "$CAP/img" >/dev/null 2>&1 ||
	    skip "mkfs.ext4 -O ^filetype failed"
	ns_helpers
	export -f tree_no_d_type_case
	in_ns tree_no_d_type_case
}

# --- permissions (uid 65534) --------------------------------------------------

# w/s, all of uid 65534: ok/f; locked (000), xonly (111), wonly (300):
# cannot be read; ronly (444): read, not searched, so i in it cannot be
# linked.  cp -al makes locked, xonly and wonly as empty directories; hlink
# reports them and makes nothing there (intended: it copies no directory
# it cannot read).  The rest must be equal.
test_tree__unreadable_directories_as_nobody()
{
	need_nobody
	mkdir -p w/s/ok w/s/locked/sub w/s/xonly w/s/wonly w/s/ronly
	mkfile w/s/ok/f
	mkfile w/s/locked/sub/g
	mkfile w/s/xonly/h
	mkfile w/s/ronly/i
	chmod 000 w/s/locked
	chmod 111 w/s/xonly
	chmod 300 w/s/wonly
	chmod 444 w/s/ronly
	chown -R $NOBODY_UID:$NOBODY_GID w
	cd w || skip "cannot cd w"
	run_hlink_nobody -r s r
	expect_status 1
	expect_stdout
	expect_sorted err \
	    "hlink: cannot link 'r/ronly/i' to 's/ronly/i': no permission to search directory 's/ronly'" \
	    "hlink: cannot read directory 's/locked': Permission denied" \
	    "hlink: cannot read directory 's/wonly': Permission denied" \
	    "hlink: cannot read directory 's/xonly': Permission denied"
	run setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups \
	    cp -al s c
	expect_status 1
	# the root's link count counts the subdirectories cp made: compare
	# the root by mode, owner and times only
	tree_listing r | grep -z -v '^ ' >"$CAP/r.list"
	tree_listing c | grep -z -v -E '^((locked|xonly|wonly) | )' >"$CAP/c.list"
	expect_same_records "hlink's and cp's replicas differ" "$CAP/r.list" "$CAP/c.list"
	asserted
	[ "$(stat -c '%a %U %y' r)" = "$(stat -c '%a %U %y' s)" ] ||
	    fail "r: '$(stat -c '%a %U %y' r)', expected '$(stat -c '%a %U %y' s)'"
	expect_missing r/locked
	expect_same_inode r/ok/f s/ok/f
	# the same with threads
	run_hlink_nobody -r -j 3 s r3
	expect_status 1
	expect_sorted err \
	    "hlink: cannot link 'r3/ronly/i' to 's/ronly/i': no permission to search directory 's/ronly'" \
	    "hlink: cannot read directory 's/locked': Permission denied" \
	    "hlink: cannot read directory 's/wonly': Permission denied" \
	    "hlink: cannot read directory 's/xonly': Permission denied"
}

# A file of root's in a tree of uid 65534: fs.protected_hardlinks forbids
# linking it, as for hlink FILE DST (cp -al fails there too); -s makes a
# symlink to it instead, with the notice.
test_tree__other_users_file_as_nobody()
{
	need_linux
	need_nobody
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ] ||
	    skip "fs.protected_hardlinks is not 1"
	mkdir -p w/s
	mkfile rootf
	chmod 644 rootf
	ln rootf w/s/rootf
	mkfile w/s/mine
	chown $NOBODY_UID:$NOBODY_GID w w/s w/s/mine
	cd w || skip "cannot cd w"
	local why="'s/rootf' belongs to another user, and fs.protected_hardlinks forbids linking it"
	run_hlink_nobody -r s r
	expect_result 1 "hlink: cannot link 'r/rootf' to 's/rootf': $why" \
	    "hlink: hint: use -s to make a symbolic link instead, or run as the file's owner"
	expect_same_inode r/mine s/mine
	expect_missing r/rootf
	run_hlink_nobody -r -s s r2
	expect_result 0 "hlink: 'r2/rootf': made a symbolic link instead: $why"
	expect_symlink r2/rootf "$SB/w/s/rootf"
	expect_same_inode r2/mine s/mine
}

test_tree__no_write_permission_for_the_replica()
{
	need_nobody
	mkdir -p w/s/a ro
	mkfile w/s/a/f
	chown -R $NOBODY_UID:$NOBODY_GID w
	chmod 555 ro
	snap_save
	run_hlink_nobody -r w/s ro/r
	expect_result 1 "hlink: cannot make directory 'ro/r': Permission denied"
	expect_unchanged
}

# A replica directory merged into that belongs to another user: it is
# filled, but its mode and times cannot be set; that is reported and
# counts as a failure (man page, DIAGNOSTICS, "Replicating a tree").
test_tree__attributes_that_cannot_be_set_as_nobody()
{
	need_nobody
	mkdir -p w/s/sub r/s
	mkfile w/s/f
	chown -R $NOBODY_UID:$NOBODY_GID w
	chmod 777 r/s
	run_hlink_nobody -r -T w/s r/s
	expect_result 1 "hlink: cannot set the mode, owner or times of 'r/s': Operation not permitted"
	expect_same_inode r/s/f w/s/f
	expect_exists r/s/sub
	asserted
	[ "$(stat -c %a r/s)" = 777 ] || fail "r/s changed its mode"
}

# A read-only source directory: its replica is filled first, then given
# the mode; a rerun as the same user finds everything linked.
test_tree__read_only_directories_as_nobody()
{
	need_nobody
	mkdir -p w/s/ro/sub
	mkfile w/s/ro/f
	mkfile w/s/ro/sub/g
	chmod 555 w/s/ro/sub w/s/ro
	chown -R $NOBODY_UID:$NOBODY_GID w
	cd w || skip "cannot cd w"
	run_hlink_nobody -r s r
	expect_ok
	expect_replica s r
	run_hlink_nobody -r -T s r
	expect_ok
}

# --- a tree that changes during the walk --------------------------------------
# -i makes hlink wait at a question, in the deepest directory of a chain of
# 70 (deeper than the 64 directories it keeps open, so its top ancestors
# are closed, their remaining entries in memory); the tree is changed
# while it waits, then the answer is y.

# run_paused ACTION ARG...: hlink ARG... waits at its first question;
# ACTION (a command) runs then; the answer is y.  Sets $status, $out, $err.
run_paused()
{
	local action=$1 i pid
	shift
	printf '%q ' hlink "$@" | sed 's/ $//' >"$CAP/cmd"
	mkfifo "$CAP/fifo"
	timeout 20 "$HLINK" "$@" <"$CAP/fifo" >"$CAP/out" 2>"$CAP/err" &
	pid=$!
	exec 3>"$CAP/fifo"
	for ((i = 0; i < 200; i++)); do
		grep -q 'replace' "$CAP/err" 2>/dev/null && break
		sleep 0.05
	done
	asserted
	grep -q 'replace' "$CAP/err" || fail "hlink did not ask ($(cat "$CAP/cmd"))"
	$action
	echo y >&3
	exec 3>&-
	local rc=0
	wait $pid || rc=$?
	printf '%s\n' $rc >"$CAP/status"
	load_result
}

# paused_tree: s/C/C/.../C (70 levels) with file p at the bottom, r the
# same chain with another p there (so -i asks); C is the first of a set of
# names in readdir order, Z the others.
paused_tree()
{
	local names
	mkdir probe
	for names in n0 n1 n2 n3 n4 n5; do mkdir "probe/$names"; done
	# shellcheck disable=SC2010 # ls -f is the readdir order, wanted here
	names=$(ls -f probe | grep -v -x -F -e . -e ..)
	C=$(printf '%s\n' "$names" | head -n 1)
	Z=$(printf '%s\n' "$names" | tail -n +2 | tr '\n' ' ')
	rm -rf probe
	DEEP=$(chain s "$C" 70) && chain r "$C" 70 >/dev/null ||
	    skip "cannot make a deep tree"
	mkfile "$DEEP/p" new
	mkfile "r/${DEEP#s/}/p" old
}

# a symlink to a directory outside, put where a directory was seen
swap_in_symlinks()
{
	local d z
	for d in $SWAP_DIRS; do
		for z in $Z; do
			rm -rf "${d:?}/$z"
			ln -s "$SB/outside" "$d/$z"
		done
	done
}

test_tree__symlink_swapped_in_is_not_followed()
{
	paused_tree
	mkdir outside
	mkfile outside/secret
	# s (closed while hlink waits) and s/C x8 (open) hold directories Z
	local d z any_after=0
	SWAP_DIRS="s s/$C/$C/$C/$C/$C/$C/$C/$C"
	for d in $SWAP_DIRS; do
		for z in $Z; do mkdir "$d/$z"; mkfile "$d/$z/zf"; done
		# those after C in readdir order are met after the question
		# shellcheck disable=SC2010 # ls -f is the readdir order, wanted here
		ls -f "$d" | grep -v -x -F -e . -e .. | sed -n "/^$C\$/,\$p" |
		    tail -n +2 >"$CAP/after"
		[ -s "$CAP/after" ] && any_after=1
	done
	[ $any_after = 1 ] || skip "readdir puts every Z before $C"
	run_paused swap_in_symlinks -r -i -T s r
	asserted
	[ -z "$(find r -name secret)" ] ||
	    fail "the walk followed a symlink out of s" "$(find r -name secret | head -n 3)"
	# each Z is a replica made before the swap, or the symlink linked as
	# itself, or reported; never anything else
	local line
	for d in $SWAP_DIRS; do
		for z in $Z; do
			line="hlink: cannot read directory '$d/$z': "
			if [ -L "r/${d#s}/$z" ]; then
				expect_same_inode "r/${d#s}/$z" "$d/$z"
			elif [ -d "r/${d#s}/$z" ]; then
				expect_content "r/${d#s}/$z/zf" "$d/$z/zf"
			else
				grep -q -F "$line" "$CAP/err" ||
				    fail "'$d/$z' neither replicated nor reported" \
				    "$(visible "$CAP/err")"
			fi
		done
	done
	expect_same_inode "r/${DEEP#s/}/p" "$DEEP/p"
}

# s/C moved out of s while hlink waits in it: climbing back through ".."
# leads to outside/, not s; the walk must notice, and link nothing of
# outside's (which holds the names that s has left to walk).
move_source_out()
{
	mv "s/$C" outside/moved
}

test_tree__source_directory_moved_during_the_walk()
{
	paused_tree
	mkdir outside
	local z
	for z in $Z; do
		mkdir "s/$z" "outside/$z"
		mkfile "s/$z/zf" in
		mkfile "outside/$z/zf" out
		mkfile "s/f$z" in
		mkfile "outside/f$z" out
	done
	run_paused move_source_out -r -i -T s r
	expect_status 1
	asserted
	grep -q -F "hlink: directory 's' changed while hlink was in it: not walked further" "$CAP/err" ||
	    fail "the moved directory is not reported" "$(visible "$CAP/err")"
	# (the moved chain itself holds p, linked before the move)
	(cd outside && find . -path ./moved -prune -o ! -type d \
	    -printf '%D:%i\n') | sort >"$CAP/out.inos"
	(cd r && find . ! -type d -printf '%D:%i\n') | sort >"$CAP/r.inos"
	[ -z "$(comm -12 "$CAP/out.inos" "$CAP/r.inos")" ] ||
	    fail "the replica holds links to files outside s" \
	    "$(cd r && find . -type f -exec grep -l out {} + | head -n 5)"
}

# r/C moved out of r while hlink waits: the replica's climb through ".."
# leads to outside/; nothing may be made there.
move_replica_out()
{
	mv "r/$C" outside/moved
}

test_tree__replica_directory_moved_during_the_walk()
{
	paused_tree
	mkdir outside
	local z
	for z in $Z; do mkdir "s/$z"; mkfile "s/f$z"; done
	run_paused move_replica_out -r -i -T s r
	expect_status 1
	asserted
	grep -q -F "hlink: directory 'r' changed while hlink was in it: not walked further" "$CAP/err" ||
	    fail "the moved replica directory is not reported" "$(visible "$CAP/err")"
	[ "$(ls -A outside)" = moved ] ||
	    fail "hlink made entries in outside/" "$(ls -A outside)"
}
