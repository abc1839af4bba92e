# t_list.sh: hlink --list FILE [ROOT]...: every name of FILE's inode under
# the ROOTs, raw, one per line (-0: NUL-ended), as ROOT joined with the
# path below it; never into another filesystem; stops at FILE's link count.
#
# The walk order is the filesystem's readdir order, so most tests compare
# the output sorted (expect_sorted out); the tests of where the walk stops
# read that order with `ls -f` first and build their expectations from it.

# --- helpers ---------------------------------------------------------------

# expect_found N M: the last stderr line is the -v count
expect_found()
{
	asserted
	local last
	last=$(tail -n 1 "$CAP/err")
	[ "$last" = "hlink: found $1 of $2 names" ] ||
	    fail "last stderr line: '$last', expected 'hlink: found $1 of $2 names' ($(cat "$CAP/cmd"))" \
	    "stderr:" "$(visible "$CAP/err")"
}

# readdir_order DIR: DIR's entries in readdir order, without . and ..
readdir_order()
{
	# shellcheck disable=SC2010 # ls -f is the readdir order, wanted here
	ls -f -- "$1" | grep -v -x -F -e . -e ..
}

# ns_helpers: the helpers above, for the shell that in_ns starts
ns_helpers()
{
	export -f expect_sorted expect_found
}

# need_strace: strace that can trace here (ptrace may be forbidden)
need_strace()
{
	need_cmd strace
	strace -f -o /dev/null true 2>/dev/null ||
	    skip "strace cannot trace here (ptrace not permitted?)"
}

# run_traced ARG...: hlink ARG... under strace -e trace=openat; the trace
# in $CAP/trace, the result as run_hlink's
run_traced()
{
	run strace -f -qq -e trace=openat -o "$CAP/trace" "$HLINK" "$@"
}

# traced_dirs_opened: the names in $CAP/trace opened relative to a dir fd,
# sorted (the walk opens every directory it enters that way)
traced_dirs_opened()
{
	sed -n 's/^\([0-9]* *\)\{0,1\}openat([0-9][0-9]*, "\([^"]*\)".*/\2/p' \
	    "$CAP/trace" | LC_ALL=C sort
}

# scattered: f with six other links at several depths and in several
# directories, plus decoys (another file, a copy, a symlink to f)
scattered()
{
	mkdir -p a/b/c/d/e x y/z empty
	mkfile f
	ln f a/f1
	ln f a/b/c/f2
	ln f a/b/c/d/e/f3
	ln f x/f4
	ln f y/z/f5
	ln f y/f6
	mkfile other
	cp f a/b/copy
	ln -s ../f x/symlink
	ln other a/b/c/d/other2
}
SCATTERED="f a/f1 a/b/c/f2 a/b/c/d/e/f3 x/f4 y/z/f5 y/f6"

# prefixed PREFIX NAME...: prints PREFIX NAME for each NAME
prefixed()
{
	local p=$1 n
	shift
	for n in "$@"; do
		printf '%s%s\n' "$p" "$n"
	done
}

# --- what is printed ---------------------------------------------------------

test_list__links_scattered_across_directories_and_depths()
{
	scattered
	run_hlink --list f .
	expect_status 0
	expect_stderr
	# shellcheck disable=SC2086
	mapfile -t want < <(prefixed ./ $SCATTERED)
	expect_sorted out "${want[@]}"
	# from another link, and as the verbose count
	run_hlink --list -v a/b/c/d/e/f3 .
	expect_status 0
	expect_sorted out "${want[@]}"
	expect_stderr "hlink: found 7 of 7 names"
	# each name once
	asserted
	[ -z "$(LC_ALL=C sort "$CAP/out" | uniq -d)" ] ||
	    fail "a name printed twice" "$(visible "$CAP/out")"
}

test_list__names_are_root_joined_with_the_path_below()
{
	scattered
	run_hlink --list f a
	expect_status 0
	expect_sorted out a/f1 a/b/c/f2 a/b/c/d/e/f3
	run_hlink --list f a/
	expect_status 0
	expect_sorted out a/f1 a/b/c/f2 a/b/c/d/e/f3
	run_hlink --list f ./y//
	expect_status 0
	expect_sorted out ./y//z/f5 ./y//f6
	run_hlink --list f "$SB/x"
	expect_status 0
	expect_sorted out "$SB/x/f4"
	cd a/b || skip "cannot cd a/b"
	run_hlink --list ../../f ..
	expect_status 0
	expect_sorted out ../f1 ../b/c/f2 ../b/c/d/e/f3
}

test_list__several_roots_in_order()
{
	scattered
	run_hlink --list -v f x y
	expect_status 0
	# x's one name comes before y's two, whatever y's readdir order
	asserted
	[ "$(head -n 1 "$CAP/out")" = x/f4 ] ||
	    fail "the first ROOT's names are not printed first" "$(visible "$CAP/out")"
	expect_sorted out x/f4 y/z/f5 y/f6
	expect_found 3 7
}

test_list__root_a_symlink_to_a_directory()
{
	scattered
	ln -s a/b al
	run_hlink --list f al
	expect_status 0
	expect_stderr
	expect_sorted out al/c/f2 al/c/d/e/f3
}

test_list__newlines_and_quotes_printed_raw_and_null()
{
	mkdir "$(printf 'new\nline')" "we're"
	mkfile f
	ln f "$(printf 'new\nline/a\nb')"
	ln f "we're/\"q\" \\x"
	# (load_result's $(cat) warns of the NULs: not a test failure)
	run_hlink --list -0 f . 2>/dev/null
	expect_status 0
	expect_stderr
	printf '%s\0' ./f "$(printf './new\nline/a\nb')" "./we're/\"q\" \\x" |
	    LC_ALL=C sort -z >"$CAP/expected"
	LC_ALL=C sort -z "$CAP/out" >"$CAP/out.sorted"
	expect_file_same "stdout of -0 (sorted)" "$CAP/out.sorted"
	asserted
	[ "$(tr -cd '\0' <"$CAP/out" | wc -c)" = 3 ] ||
	    fail "-0: expected 3 NULs" "$(visible "$CAP/out")"
	run_hlink --list --null -v f . 2>/dev/null
	expect_status 0
	expect_found 3 3
	asserted
	[ "$(tr -cd '\0' <"$CAP/out" | wc -c)" = 3 ] ||
	    fail "--null: expected 3 NULs" "$(visible "$CAP/out")"
	# without -0 the names are printed as they are, newline and all
	run_hlink --list f .
	expect_status 0
	printf '%s\n' ./f "$(printf './new\nline/a\nb')" "./we're/\"q\" \\x" \
	    >"$CAP/expected.raw"
	asserted
	[ "$(LC_ALL=C sort "$CAP/out")" = "$(LC_ALL=C sort "$CAP/expected.raw")" ] ||
	    fail "names not printed raw" "$(visible "$CAP/out")"
	# and xargs -0 takes them back
	asserted
	"$HLINK" --list -0 f . | xargs -0 stat -c %i >"$CAP/inos" 2>&1
	[ "$(LC_ALL=C sort -u "$CAP/inos")" = "$(stat -c %i f)" ] ||
	    fail "xargs -0 stat does not give f's inode for every name" \
	    "$(visible "$CAP/inos")"
}

test_list__file_a_symlink_L_and_P()
{
	mkdir d s
	mkfile d/t
	ln d/t d/t2
	ln -s ../d/t d/sl	# resolves to d/t from s/ too
	ln -P d/sl s/sl2	# a hard link to the symlink itself
	ln -s ../d/t s/other	# another symlink to t: neither t's name nor sl's
	run_hlink --list -v d/sl .
	expect_status 0
	expect_sorted out ./d/t ./d/t2
	expect_found 2 2
	run_hlink --list -L d/sl .
	expect_status 0
	expect_sorted out ./d/t ./d/t2
	run_hlink --list --follow s/sl2 .
	expect_status 0
	expect_sorted out ./d/t ./d/t2
	run_hlink --list -P -v d/sl .
	expect_status 0
	expect_sorted out ./d/sl ./s/sl2
	expect_found 2 2
	run_hlink --list --no-follow s/sl2 .
	expect_status 0
	expect_sorted out ./d/sl ./s/sl2
	# -P on a regular file changes nothing
	run_hlink --list -P d/t .
	expect_status 0
	expect_sorted out ./d/t ./d/t2
}

test_list__symlinks_are_not_followed()
{
	mkdir -p real/sub walk
	mkfile real/sub/f
	ln real/sub/f walk/g
	ln -s ../real walk/to_real	# the walk must not go through it
	ln -s ../real/sub/f walk/to_f
	run_hlink --list -v walk/g walk
	expect_status 0
	expect_stdout walk/g
	expect_found 1 2
}

test_list__link_count_one()
{
	mkdir -p d/e
	mkfile d/e/only
	mkfile d/other
	run_hlink --list -v d/e/only .
	expect_status 0
	expect_stdout ./d/e/only
	expect_stderr "hlink: found 1 of 1 names"
	run_hlink --list d/e/only d
	expect_status 0
	expect_stdout d/e/only
	expect_stderr
	# a ROOT beside it: nothing, and that is a search run through
	mkdir elsewhere
	run_hlink --list -v d/e/only elsewhere
	expect_status 0
	expect_stdout
	expect_stderr "hlink: found 0 of 1 names"
}

test_list__name_outside_root_reads_the_whole_root()
{
	scattered
	run_hlink --list -v f a
	expect_status 0
	expect_sorted out a/f1 a/b/c/f2 a/b/c/d/e/f3
	expect_found 3 7
}

test_list__no_root_searches_the_whole_filesystem()
{
	# a small filesystem of its own, so the search is short
	ns_helpers
	in_ns '
		mount_tmpfs "m p" || skip "cannot mount a tmpfs"
		mkdir -p "m p/a/b" "m p/c"
		mkfile "m p/a/b/f"
		ln "m p/a/b/f" "m p/c/g"
		ln "m p/a/b/f" "m p/h"
		mkfile outside
		cd "m p/a" || exit 1
		run_hlink --list -v b/f
		expect_status 0
		expect_sorted out "$SB/m p/a/b/f" "$SB/m p/c/g" "$SB/m p/h"
		expect_found 3 3
		cd "$SB" || exit 1
		run_hlink --list "m p/c/g"
		expect_status 0
		expect_stderr
		expect_sorted out "$SB/m p/a/b/f" "$SB/m p/c/g" "$SB/m p/h"
	'
}

test_list__verbose_count_is_the_last_line()
{
	need_nobody
	scattered
	mkdir locked
	chmod 000 locked
	run_hlink_nobody --list -v f .
	expect_status 1
	expect_found 7 7
	asserted
	[ "$(wc -l <"$CAP/err")" = 2 ] && grep -q -x \
	    "hlink: cannot read directory './locked': Permission denied" "$CAP/err" ||
	    fail "stderr: expected the skipped directory, then the count" \
	    "$(visible "$CAP/err")"
}

# --- bad input ---------------------------------------------------------------

test_list__file_missing()
{
	mkdir d
	run_hlink --list nope d
	expect_result 1 "hlink: cannot read 'nope': No such file or directory"
	run_hlink --list nope
	expect_result 1 "hlink: cannot read 'nope': No such file or directory"
	run_hlink --list -v d/nope d
	expect_result 1 "hlink: cannot read 'd/nope': No such file or directory"
	# a dangling symlink: missing with -L, itself with -P
	ln -s nowhere dang
	run_hlink --list dang .
	expect_result 1 "hlink: cannot read 'dang': No such file or directory"
	run_hlink --list -P dang .
	expect_status 0
	expect_stdout ./dang
}

test_list__root_not_a_directory()
{
	mkfile f
	mkdir d
	ln -s f fl
	run_hlink --list f f
	expect_result 1 "hlink: 'f' is not a directory"
	run_hlink --list f fl
	expect_result 1 "hlink: 'fl' is not a directory"
	run_hlink --list f nodir
	expect_result 1 "hlink: cannot read directory 'nodir': No such file or directory"
	# every ROOT is checked before the search: no half answer
	run_hlink --list f . f
	expect_result 1 "hlink: 'f' is not a directory"
	run_hlink --list -v f d nodir
	expect_result 1 "hlink: cannot read directory 'nodir': No such file or directory"
}

test_list__root_on_another_filesystem()
{
	shm_sandbox
	mkfile f
	mkfile "$SHM/g"
	run_hlink --list f "$SHM"
	expect_result 1 "hlink: '$SHM' is on another filesystem than 'f'"
	run_hlink --list f . "$SHM"
	expect_result 1 "hlink: '$SHM' is on another filesystem than 'f'"
	run_hlink --list "$SHM/g" .
	expect_result 1 "hlink: '.' is on another filesystem than '$SHM/g'"
}

test_list__usage_errors()
{
	mkfile f
	run_hlink --list
	expect_usage "hlink: missing file operand"
	run_hlink --list -0 -v
	expect_usage "hlink: missing file operand"
	run_hlink --list -f f .
	expect_usage "hlink: option '--force' cannot be used with --list"
	run_hlink --list -s f .
	expect_usage "hlink: option '--symlink-fallback' cannot be used with --list"
	run_hlink --list -t . f
	expect_usage "hlink: option '--target-directory' cannot be used with --list"
	run_hlink --dry-run --list f
	expect_usage "hlink: option '--dry-run' cannot be used with --list"
	run_hlink -0 f g
	expect_usage "hlink: -0 (--null) requires --list"
	run_hlink --null f g
	expect_usage "hlink: -0 (--null) requires --list"
	expect_missing g
}

test_list__write_error()
{
	[ -w /dev/full ] || skip "no /dev/full"
	mkfile f
	asserted
	status=0
	"$HLINK" --list f . >/dev/full 2>"$CAP/err" || status=$?
	[ "$status" = 1 ] || fail "exit status $status on a full stdout, expected 1"
	grep -q '^hlink: write error: ' "$CAP/err" ||
	    fail "no write error reported" "$(visible "$CAP/err")"
}

# --- unreadable directories ----------------------------------------------------

test_list__unreadable_directory_named_and_skipped()
{
	need_nobody
	mkdir -p ok locked/sub
	mkfile ok/f
	ln ok/f locked/sub/g
	ln ok/f ok/h
	chmod 000 locked
	run_hlink_nobody --list ok/f .
	expect_status 1
	expect_stderr "hlink: cannot read directory './locked': Permission denied"
	expect_sorted out ./ok/f ./ok/h
	# execute-only: may be searched, not read
	chmod 111 locked
	run_hlink_nobody --list -v ok/f .
	expect_status 1
	expect_sorted out ./ok/f ./ok/h
	asserted
	grep -q -x "hlink: cannot read directory './locked': Permission denied" "$CAP/err" ||
	    fail "the unreadable directory is not named" "$(visible "$CAP/err")"
	expect_found 2 3
	# an unreadable ROOT
	chmod 000 locked
	run_hlink_nobody --list ok/f locked
	expect_result 1 "hlink: cannot read directory 'locked': Permission denied"
	# FILE in a directory that cannot be searched
	run_hlink_nobody --list locked/sub/g .
	expect_result 1 "hlink: cannot read 'locked/sub/g': Permission denied"
}

# A directory that can be read but not searched (r--): its entries are
# listed, but a candidate in it cannot be fstatat()ed, so it cannot be
# confirmed; the list is then short and the exit status must say so.
test_list__readable_unsearchable_directory_is_not_silent()
{
	need_nobody
	mkdir ok rd
	mkfile ok/f
	ln ok/f rd/g
	chmod 444 rd
	run_hlink_nobody --list -v ok/f .
	expect_sorted out ./ok/f
	expect_status 1
	asserted
	grep -q "'./rd'" "$CAP/err" ||
	    fail "the directory whose entries could not be checked is not named" \
	    "$(visible "$CAP/err")"
}

# --- where the walk stops ------------------------------------------------------

# t/: FILE l0 and its links l1 l2, and 30 leaf directories created before
# and after them (so that some follow the links in readdir order, whether
# it is hash order, creation order or its reverse)
stop_tree()
{
	mkdir t
	local i
	for i in $(seq -w 0 14); do mkdir "t/d$i"; mkfile "t/d$i/x"; done
	mkfile t/l0
	ln t/l0 t/l1
	ln t/l0 t/l2
	for i in $(seq -w 15 29); do mkdir "t/d$i"; mkfile "t/d$i/x"; done
	# the directories before the last link, and those after it
	readdir_order t >"$CAP/order"
	local last
	last=$(grep -n -x 'l[012]' "$CAP/order" | tail -n 1 | cut -d: -f1)
	head -n "$last" "$CAP/order" | grep -x 'd[0-9]*' | LC_ALL=C sort \
	    >"$CAP/before" || :
	tail -n +"$((last + 1))" "$CAP/order" | grep -x 'd[0-9]*' \
	    >"$CAP/after" || :
	grep -x 'l[012]' "$CAP/order" | sed 's|^|t/|' >"$CAP/links"
	[ -s "$CAP/before" ] ||
	    skip "readdir order puts every link in t before its directories"
}

test_list__stops_at_the_link_count_strace()
{
	need_linux	# d_type, to put subdirectories last
	need_strace
	stop_tree
	run_traced --list -v t/l0 t
	expect_status 0
	expect_found 3 3
	mapfile -t want <"$CAP/links"
	expect_stdout "${want[@]}"
	# t's own entries come before its subdirectories, even those that
	# readdir gives first: the links are found with none opened
	traced_dirs_opened >"$CAP/opened"
	: >"$CAP/expected"
	expect_file_same "directories opened (none)" "$CAP/opened"
	# the worst case: one name outside ROOT, so every directory is read
	ln t/l0 outside
	run_traced --list -v t/l0 t
	expect_status 0
	expect_found 3 4
	traced_dirs_opened >"$CAP/opened"
	seq -f 'd%02g' 0 29 >"$CAP/expected"
	expect_file_same "directories opened (all of them)" "$CAP/opened"
}

test_list__stops_before_unreadable_directories_after_the_last_link()
{
	need_linux	# d_type, to put subdirectories last
	need_nobody
	stop_tree
	local d
	# every subdirectory locked, those readdir gives before a link too:
	# t's own names are looked at first, so none is needed
	while IFS= read -r d; do chmod 000 "t/$d"; done \
	    < <(cat "$CAP/before" "$CAP/after")
	run_hlink_nobody --list t/l0 t
	mapfile -t want <"$CAP/links"
	expect_stdout "${want[@]}"
	expect_status 0
	expect_stderr
}

test_list__second_root_never_opened_once_all_are_found()
{
	need_strace
	mkdir -p A B
	mkfile A/f
	ln A/f A/g
	local i
	for i in $(seq 1 50); do mkdir "B/d$i"; done
	run_traced --list -v A/f A B
	expect_status 0
	expect_sorted out A/f A/g
	expect_found 2 2
	asserted
	! grep -q '"B' "$CAP/trace" && ! grep -q '"d[0-9]' "$CAP/trace" ||
	    fail "B was opened after every name was found" \
	    "$(grep -e '"B' -e '"d[0-9]' "$CAP/trace" | head -n 5)"
}

# --- other filesystems ---------------------------------------------------------

# In a private mount namespace: FILE on a tmpfs A, a second tmpfs B mounted
# on "A/tree/m p" (a space, escaped in mountinfo).  B holds a file with
# FILE's inode number (tmpfs numbers its inodes from 1, per mount, on
# Linux >= 5.9; where that fails only the rest is checked) and a directory
# uid 65534 cannot read, which would be reported if B were entered.
test_list__another_filesystem_under_root_is_not_entered()
{
	need_nobody
	ns_helpers
	in_ns '
		mount_tmpfs A || skip "cannot mount a tmpfs"
		mkdir -p A/tree/x A/tree/y "A/tree/m p"
		mkfile A/tree/x/f
		ln A/tree/x/f A/tree/y/g
		ln A/tree/x/f A/out
		mount_tmpfs "A/tree/m p" || skip "cannot mount a second tmpfs"
		mkdir "A/tree/m p/locked"
		chmod 000 "A/tree/m p/locked"
		want=$(stat -c %i A/tree/x/f)
		n=0
		while [ $n -lt 1000 ]; do
			n=$((n + 1))
			: >"A/tree/m p/n$n"
			[ "$(stat -c %i "A/tree/m p/n$n")" -lt "$want" ] || break
		done
		if [ "$(stat -c %i "A/tree/m p/n$n")" = "$want" ]; then
			echo same >"$CAP/same_ino"
		fi
		run_hlink_nobody --list -v A/tree/x/f A/tree
		expect_status 0
		expect_sorted out A/tree/x/f A/tree/y/g
		expect_stderr "hlink: found 2 of 3 names"
		run_hlink_nobody --list A/tree/x/f "A/tree/m p"
		expect_result 1 "hlink: '\''A/tree/m p'\'' is on another filesystem than '\''A/tree/x/f'\''"
		# no ROOT: from the mount point of A
		run_hlink_nobody --list -v A/tree/y/g
		expect_status 0
		expect_sorted out "$SB/A/tree/x/f" "$SB/A/tree/y/g" "$SB/A/out"
		expect_stderr "hlink: found 3 of 3 names"
		# the covered directory, reached through a bind mount of A
		# (which does not carry B): the mount point entry has its
		# inode number but is not a name of it
		mkdir A2
		mount --bind A A2 || skip "cannot bind-mount here"
		run_hlink --list -v "A2/tree/m p" A/tree
		expect_status 0
		expect_stdout
		expect_found 0 2
		run_hlink --list -v "A2/tree/m p" A2/tree
		expect_status 0
		expect_stdout "A2/tree/m p"
		expect_found 1 2
	'
	# the expectations above were checked in the namespace's shell; where
	# no file in B got FILE's inode number, the first of them proves less
	[ -e "$CAP/same_ino" ] ||
	    printf '%s\n' "note: no file in B got FILE's inode number" >&2
}

# A bind mount of a directory of the same filesystem, inside ROOT: the
# names seen through it are the same links again.  Counting them towards
# the link count stops the search before the real names are printed.
test_list__bind_mount_inside_root_hides_no_link()
{
	need_linux
	mkdir -p t/a t/b
	mkfile t/a/f
	ln t/a/f t/a/g
	in_ns '
		mount --bind t/a t/b || skip "cannot bind-mount here"
		run_hlink --list -v t/a/f t
	'
	load_result
	expect_status 0
	asserted
	grep -q -x t/a/f "$CAP/out" && grep -q -x t/a/g "$CAP/out" ||
	    fail "t/a/f and t/a/g are not both listed" "$(visible "$CAP/out")" \
	    "stderr:" "$(visible "$CAP/err")"
}

# ROOTs that overlap: the man page says each name is printed once, under
# the first ROOT that reaches it, and a name seen twice must not take the
# place of another link.
test_list__overlapping_roots_hide_no_link()
{
	mkdir -p a/b/c d
	mkfile a/f
	ln a/f a/b/c/g
	ln a/f d/h
	run_hlink --list -v a/f a/b .
	expect_status 0
	expect_sorted out a/b/c/g ./a/f ./d/h
	expect_stderr "hlink: found 3 of 3 names"
	run_hlink --list a/f a a
	expect_status 0
	expect_sorted out a/b/c/g a/f
	expect_stderr
}

# man page: "-q is accepted and changes nothing" with --list
test_list__q_changes_nothing()
{
	mkdir -p a/b
	mkfile a/f
	ln a/f a/b/g
	run_hlink --list -v a/f a
	expect_status 0
	cp "$CAP/out" "$CAP/out.plain"
	cp "$CAP/err" "$CAP/err.plain"
	run_hlink --list -q -v a/f a
	expect_status 0
	cp "$CAP/out.plain" "$CAP/expected"
	expect_file_same stdout "$CAP/out"
	cp "$CAP/err.plain" "$CAP/expected"
	expect_file_same stderr "$CAP/err"
	expect_sorted out a/f a/b/g
}

# An ext4 without the filetype feature: every d_type is DT_UNKNOWN, and the
# walk must fstatat to know a directory (and not follow a symlink).
test_list__filesystem_without_d_type()
{
	need_root
	need_cmd mkfs.ext4 truncate
	truncate -s 16M "$CAP/img" &&
	    mkfs.ext4 -q -F -O ^filetype "$CAP/img" >/dev/null 2>&1 ||
	    skip "mkfs.ext4 -O ^filetype failed"
	ns_helpers
	in_ns '
		mkdir e
		mount -o loop "$CAP/img" e 2>/dev/null ||
		    skip "cannot mount an ext4 image (no loop device?)"
		mkdir -p e/r/a/b e/r/c/d e/other
		mkfile e/r/a/b/f
		ln e/r/a/b/f e/r/c/d/g
		ln e/r/a/b/f e/r/h
		ln e/r/a/b/f e/other/i
		ln -s a e/r/sym
		ln -s ../other e/r/c/symother
		run_hlink --list -v e/r/h e/r
		expect_status 0
		expect_sorted out e/r/a/b/f e/r/c/d/g e/r/h
		expect_found 3 4
		run_hlink --list e/r/h
		expect_status 0
		expect_sorted out "$SB/e/r/a/b/f" "$SB/e/r/c/d/g" "$SB/e/r/h" "$SB/e/other/i"
	'
}

# --- deep trees ------------------------------------------------------------------
# The walk keeps 64 directories open; deeper, ancestors are read into
# memory, closed, and reopened on the way back.

# chain DIR NAME N: DIR/NAME/NAME/... N levels deep; prints the path
chain()
{
	local p=$1 i
	for ((i = 0; i < $3; i++)); do p=$p/$2; done
	mkdir -p "$p" && printf '%s\n' "$p"
}

test_list__two_deep_branches()
{
	local pa pb
	mkdir t
	pa=$(chain t/a d 70) && pb=$(chain t/b d 70) || skip "cannot make a deep tree"
	mkfile "$pa/f"
	ln "$pa/f" "$pb/g"
	mkfile "$pb/other"
	run_hlink --list -v "$pa/f" t
	expect_status 0
	expect_sorted out "$pa/f" "$pb/g"
	expect_found 2 2
}

# Where the filesystem's readdir gives ".." after a subdirectory (ext4's
# hash order does, for some names), an ancestor read into memory holds
# "..": the walk must never take it, nor print a name outside ROOT.  The
# tree is W/R/N/N/... 64 levels (ROOT R is then the one ancestor read into
# memory), with FILE's second link in W, under a name that readdir gives
# before R, so that a walk gone up through ".." finds it at once.
test_list__deep_tree_never_leaves_root()
{
	local n found='' p o
	for n in e a b c g h k m p q r s u v w z d; do
		mkdir -p "probe/$n"
		if readdir_order_all probe | awk -v n="$n" '
		    $0 == n { seen = 1 } $0 == ".." { exit !seen }'; then
			found=$n
			break
		fi
		rm -rf probe
	done
	rm -rf probe
	[ -n "$found" ] ||
	    skip "readdir here gives '..' before any one subdirectory tried"
	mkdir -p W/R
	p=$(chain W/R "$found" 64) || skip "cannot make a deep tree"
	mkfile "$p/f"
	for o in k o1 o2 o3 o4 o5 o6 o7 o8 o9; do
		ln "$p/f" "W/$o"
		readdir_order W | head -n 1 | grep -q -x -F "$o" && break
		rm "W/$o"
	done
	[ -e "W/$o" ] || ln "$p/f" "W/$o"
	run_hlink --list -v "$p/f" W/R
	expect_status 0
	expect_stdout "$p/f"
	expect_found 1 2
}

# readdir_order_all DIR: DIR's entries in readdir order, . and .. included
readdir_order_all()
{
	ls -f -- "$1"
}
