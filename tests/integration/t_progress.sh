# t_progress.sh: the progress line of SPEC.md's "Long runs".  On a
# terminal (script(1) gives one) a run that lasts a second draws
# "\rLINE\033[K" on stderr, erases it with "\r\033[K" before any other
# line and at the end; --progress without a terminal prints plain lines;
# --no-progress never draws.  The runs are made long by a shim that
# sleeps in every linkat(), not by a big tree, so that they last long
# enough on a fast machine; no assertion depends on how long they take.

# --- helpers ---------------------------------------------------------------

# slow_tree N [MS]: src/ holding N files in two directories, and
# ${slow[@]}, the words that run hlink with the shim: MS (40) per link
slow_tree()
{
	build_shim slow_link
	slow=(env HLINK_SHIM_SLEEP_MS="${2:-40}" LD_PRELOAD="$PRELOAD"
	    "$HLINK")
	mkdir -p src/a src/b
	local i
	for ((i = 0; i < $1; i++)); do
		if ((i % 2 == 0)); then mkfile "src/a/$i"; else mkfile "src/b/$i"; fi
	done
}

# on_tty CMD...: CMD (words, quoted here) on a pseudo-terminal; what the
# terminal received goes to $CAP/tty, the status to $status
on_tty()
{
	need_cmd script
	local cmd
	cmd=$(printf '%q ' "$@")
	status=0
	# script(1) hands "$cmd" to $SHELL, or to /bin/sh when it is unset,
	# and dash cannot read what printf %q writes for bash, e.g. $'\n'
	SHELL=$BASH TTYLOG=$CAP/tty timeout 30 script -qfec "$cmd" /dev/null \
	    </dev/null \
	    >"$CAP/tty" || status=$?
	printf '%s\n' "${cmd//"$HLINK"/hlink}" >"$CAP/cmd"
}


# visible_lines: each line of $CAP/tty as the screen keeps it (what
# follows its last erase), "\r" of the terminal's "\r\n" dropped
visible_lines()
{
	sed -e 's/\r$//' -e 's/.*\r\x1b\[K//' "$CAP/tty"
}

expect_drawn()
{
	asserted
	grep -qaE $'\rhlink: [0-9]+ files?(, [0-9]+ director(y|ies))?\x1b\\[K' \
	    "$CAP/tty" ||
	    fail "no progress line drawn: $(cat "$CAP/cmd")" \
	    "$(visible "$CAP/tty" | tail -3)"
}

expect_tty_empty()
{
	asserted
	[ ! -s "$CAP/tty" ] ||
	    fail "the terminal got output: $(cat "$CAP/cmd")" \
	    "$(visible "$CAP/tty" | tail -3)"
}

# --- on a terminal ---------------------------------------------------------

test_progress__tree_drawn_and_erased()
{
	slow_tree 60
	on_tty "${slow[@]}" -r -j 1 src dst
	expect_status 0
	expect_drawn
	asserted
	# the last bytes the terminal got erase the line
	[ "$(tail -c 4 "$CAP/tty" | od -An -c | tr -d ' ')" = '\r033[K' ] ||
	    fail "the progress line is left on the screen" \
	    "$(tail -c 80 "$CAP/tty" >"$CAP/tail"; visible "$CAP/tail")"
	[ -z "$(visible_lines)" ] ||
	    fail "text left on the screen" "$(visible "$CAP/tty")"
	expect_same_inode src/a/20 dst/a/20
}

test_progress__never_in_a_verbose_line()
{
	slow_tree 60
	on_tty "${slow[@]}" -r -v -j 2 src dst
	expect_status 0
	expect_drawn
	visible_lines >"$CAP/screen"
	asserted
	grep -v -e "^'dst/[ab]/[0-9]*' => 'src/[ab]/[0-9]*'\$" \
	    -e "^created directory 'dst\(/[ab]\)\?'\$" "$CAP/screen" \
	    >"$CAP/other" || true
	[ ! -s "$CAP/other" ] ||
	    fail "-v lines mixed with the progress line" \
	    "$(visible "$CAP/other" | head -5)"
	[ "$(grep -c ' => ' "$CAP/screen")" = 60 ] ||
	    fail "not 60 -v lines on the screen" "$(visible "$CAP/screen")"
}

test_progress__failure_line_erases_it()
{
	slow_tree 40
	mkdir -p dst/src/a
	mkfile dst/src/a/30 other
	on_tty "${slow[@]}" -r -j 1 src dst
	expect_status 1
	expect_drawn
	asserted
	visible_lines >"$CAP/screen"
	[ "$(cat "$CAP/screen")" = "hlink: cannot link 'dst/src/a/30' to \
'src/a/30': 'dst/src/a/30' already exists
hlink: hint: use -f to replace it" ] ||
	    fail "the failure is not alone on its lines" \
	    "$(visible "$CAP/screen")"
}

# SIGTERM while the line shows: the handler erases it before hlink dies,
# so that the shell's report of the job ("Terminated") stands alone.  The
# shell on the terminal waits until script(1) has logged a drawn line,
# then kills.
test_progress__signal_erases_it()
{
	slow_tree 400
	# shellcheck disable=SC2016
	on_tty sh -c '"$@" & p=$!
	    until grep -qa "hlink: [0-9]" "$TTYLOG"; do sleep 0.05; done
	    kill -TERM $p; wait $p; echo "status $?" >"$TTYLOG.status"' \
	    sh "${slow[@]}" -r -j 1 src dst
	expect_status 0
	expect_drawn
	asserted
	[ "$(cat "$CAP/tty.status")" = "status 143" ] ||
	    fail "hlink did not die of SIGTERM" "$(cat "$CAP/tty.status")"
	# the line erased, then the shell's own word on the job alone
	[ "$(visible_lines)" = Terminated ] ||
	    fail "the progress line is left on the screen" \
	    "$(visible "$CAP/tty")"
}

# a line that wrapped could not be erased by "\r": it is cut to one row
test_progress__cut_to_the_terminal_width()
{
	need_linux
	slow_tree 40
	on_tty bash -c 'stty cols 12 && exec "$@"' bash "${slow[@]}" -r -j 1 \
	    src dst
	expect_status 0
	asserted
	grep -qa $'\rhlink: [0-9][0-9] f\x1b\\[K' "$CAP/tty" ||
	    fail "no line cut to 11 columns" "$(visible "$CAP/tty" | tail -3)"
	! grep -qaE $'\rhlink: [^\x1b]{5}' "$CAP/tty" ||
	    fail "a line wider than 11 columns" "$(visible "$CAP/tty" | tail -3)"
}

test_progress__short_run_draws_nothing()
{
	mkdir src
	mkfile src/f
	on_tty "$HLINK" -r src dst
	expect_status 0
	expect_tty_empty
	expect_same_inode src/f dst/f
}

test_progress__no_progress_on_terminal()
{
	slow_tree 40
	on_tty "${slow[@]}" -r -j 1 --progress --no-progress src dst
	expect_status 0
	expect_tty_empty
	expect_same_inode src/b/11 dst/b/11
}

# --- without a terminal ------------------------------------------------------

test_progress__not_a_terminal_draws_nothing()
{
	slow_tree 40
	run "${slow[@]}" -r -j 1 src dst
	expect_result 0
}

test_progress__plain_lines_with_progress()
{
	slow_tree 40
	run "${slow[@]}" -r -j 1 --no-progress --progress src dst
	expect_status 0
	expect_stdout
	asserted
	grep -qE '^hlink: [0-9]+ files?(, [0-9]+ director(y|ies))?$' \
	    "$CAP/err" || fail "no plain progress line" "$(visible "$CAP/err")"
	! grep -q $'[\r\x1b]' "$CAP/err" ||
	    fail "terminal controls without a terminal" \
	    "$(visible "$CAP/err")"
	[ "$(tail -c 1 "$CAP/err" | od -An -c | tr -d ' ')" = '\n' ] ||
	    fail "the last plain line is not ended" "$(visible "$CAP/err")"
}

test_progress__plain_form_accepts_it()
{
	mkfile a
	run_hlink --progress a b
	expect_result 0
	expect_same_inode a b
	run_hlink --no-progress a c
	expect_result 0
}

test_progress__usage_error_with_list()
{
	mkfile a
	run_hlink --list --progress a
	expect_usage "hlink: option '--progress' cannot be used with --list"
	run_hlink --no-progress --list a
	expect_usage "hlink: option '--no-progress' cannot be used with --list"
}

# 2>&1 into a file: stdout is block-buffered there, and a plain line must
# still fall between two -v lines, never inside one
test_progress__plain_lines_between_verbose_lines()
{
	slow_tree 600 4
	asserted
	"${slow[@]}" -r -v -j 1 --progress src dst2 >"$CAP/both" 2>&1 ||
	    fail "hlink failed: $(head -1 "$CAP/both")"
	grep -q '^hlink: [0-9]* files' "$CAP/both" ||
	    fail "no plain progress line" "$(visible "$CAP/both" | tail -3)"
	grep -v -e "^'dst2/[ab]/[0-9]*' => 'src/[ab]/[0-9]*'\$" \
	    -e "^created directory 'dst2\(/[ab]\)\?'\$" \
	    -e '^hlink: [0-9]* files\(, [0-9]* director\(y\|ies\)\)\?$' \
	    "$CAP/both" >"$CAP/other" || true
	[ ! -s "$CAP/other" ] ||
	    fail "a progress line inside a -v line" \
	    "$(visible "$CAP/other" | head -5)"
}

# --dedup: files walked, bytes compared of bytes to compare, names
# relinked; drawn while the relinking is slowed, erased before the
# summary line, and no -v line shares its line.
test_progress__dedup_drawn_and_erased()
{
	local i
	slow_tree 0 60
	mkdir r
	for i in $(seq 1 40); do
		echo same >"r/f$i"
	done
	on_tty "${slow[@]}" --dedup -v -j 1 r
	expect_status 0
	asserted
	grep -qaE $'\rhlink: 40 files walked, [0-9.]+ [A-Za-z]+ of [0-9.]+ [A-Za-z]+ compared, [0-9]+ names? relinked\x1b\\[K' \
	    "$CAP/tty" ||
	    fail "no --dedup progress line drawn" \
	    "$(visible "$CAP/tty" | tail -3)"
	visible_lines >"$CAP/screen"
	grep -v -e "^'r/f[0-9]*' => 'r/f[0-9]*'\$" \
	    -e '^hlink: 39 names relinked in 1 group of 40 files scanned' \
	    "$CAP/screen" >"$CAP/other" || true
	[ ! -s "$CAP/other" ] ||
	    fail "progress text left on a line" \
	    "$(visible "$CAP/other" | head -5)"
	[ "$(grep -c ' => ' "$CAP/screen")" = 39 ] ||
	    fail "not 39 -v lines" "$(visible "$CAP/screen" | head -5)"
}

# --- copies ----------------------------------------------------------------

# slow_copies N: N files of 4 MiB, big1 ... bigN, and ${slowc[@]}, the
# words that run hlink with a shim that makes each copy last about two
# seconds (64 KiB a step, 30 ms a step); $SHM is another filesystem
slow_copies()
{
	shm_sandbox
	build_shim slow_copy
	slowc=(env HLINK_SHIM_SLEEP_MS=30 LD_PRELOAD="$PRELOAD" "$HLINK")
	local i
	for ((i = 1; i <= $1; i++)); do
		head -c $((4 << 20)) /dev/urandom >"big$i"
	done
}

# A copy in the plain forms: the bytes copied of SRC's size, from the
# copy's start; the file counted once done, and the total then grows by
# the next copy's size.
test_progress__copy_shows_bytes_of_total()
{
	slow_copies 2
	on_tty "${slowc[@]}" -q --fallback=copy big1 big2 "$SHM"
	expect_status 0
	asserted
	grep -qaE $'\rhlink: 0 files, [0-9.]+ (B|KiB|MiB) of 4\\.0 MiB copied\x1b\\[K' \
	    "$CAP/tty" ||
	    fail "no line with the first copy's bytes of its size" \
	    "$(visible "$CAP/tty" | tail -3)"
	grep -qaE $'\rhlink: 1 file, [0-9.]+ MiB of 8\\.0 MiB copied\x1b\\[K' \
	    "$CAP/tty" ||
	    fail "no line with the first file counted and the second copy's bytes" \
	    "$(visible "$CAP/tty" | tail -3)"
	[ -z "$(visible_lines)" ] ||
	    fail "text left on the screen" "$(visible "$CAP/tty" | tail -3)"
	cmp -s big2 "$SHM/big2" || fail "the copy of big2 differs"
}

# A replica across filesystems (-r): its files counted, and the bytes
# copied without a total (the tree's is not known).
test_progress__replica_counts_files_and_bytes()
{
	slow_copies 3
	mkdir -p s/a s/b
	mv big1 s/a/
	mv big2 big3 s/b/
	on_tty "${slowc[@]}" -r -q -j 1 --fallback=copy s "$SHM/r"
	expect_status 0
	asserted
	grep -qaE $'\rhlink: [1-9][0-9]* files?(, [0-9]+ director(y|ies))?, [0-9.]+ (B|KiB|MiB) copied\x1b\\[K' \
	    "$CAP/tty" ||
	    fail "no line with the replica's files and bytes copied" \
	    "$(visible "$CAP/tty" | tail -3)"
	! grep -qa ' of [0-9.]* [KMG]*i*B copied' "$CAP/tty" ||
	    fail "a total shown for a tree" "$(visible "$CAP/tty" | tail -3)"
	cmp -s s/b/big3 "$SHM/r/b/big3" || fail "the copy of big3 differs"
}

# --progress without a terminal: the plain line has the copy's bytes too.
test_progress__plain_line_of_a_copy()
{
	slow_copies 1
	run "${slowc[@]}" -q --progress --fallback=copy big1 "$SHM/c"
	expect_status 0
	expect_stdout
	asserted
	grep -qE '^hlink: 0 files, [0-9.]+ (B|KiB|MiB) of 4\.0 MiB copied$' \
	    "$CAP/err" || fail "no plain line with the copy's bytes" \
	    "$(visible "$CAP/err")"
	! grep -q $'[\r\x1b]' "$CAP/err" ||
	    fail "terminal controls without a terminal" "$(visible "$CAP/err")"
	cmp -s big1 "$SHM/c" || fail "the copy differs"
}
