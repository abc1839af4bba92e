# lib.sh: helpers for the hlink integration tests, sourced by run.sh.
#
# Each test runs in a subshell whose current directory is a fresh sandbox
# ($SB).  $CAP is a private directory for captured output.  An expect_*
# that does not hold records a failure and the test goes on, so one run
# shows every difference; skip ends the test at once.
#
# The test body is strict: any command that fails outside a condition
# (if, while, ||, &&, !) fails the test at once, naming its file and
# line, and so does a test function that returns non-zero.  A command
# that is meant to fail is run through `run` (or `status=0; cmd ||
# status=$?`), which keeps its status for an expectation.

NOBODY_UID=65534
NOBODY_GID=65534

# --- recording ---------------------------------------------------------

# fail MSG [DETAIL...]: records a failure; DETAIL lines are indented.
fail()
{
	{
		printf '%s\n' "$1"
		shift
		local l
		for l in "$@"; do
			printf '%s\n' "$l" | sed 's/^/    /'
		done
	} >>"$CAP/fails"
}

# skip REASON: the test cannot run here; never a silent pass.
skip()
{
	printf '%s\n' "$*" >"$CAP/skip"
	exit 77
}

# on_exit CMD: a shell command the test's end runs (to kill a job)
on_exit()
{
	printf '%s\n' "$*" >>"$CAP/on_exit"
}

# hlink_is_musl: true when $HLINK is linked against musl (the release
# check builds one), whose strerror() texts differ from glibc's
hlink_is_musl()
{
	ldd "$HLINK" 2>/dev/null | grep -q musl
}

# enotsup_text: strerror(EOPNOTSUPP) as the libc hlink runs on words it
enotsup_text()
{
	if hlink_is_musl; then
		echo "Not supported"
	else
		echo "Operation not supported"
	fi
}

# build_shim NAME: compiles shim/NAME.c into $SB/NAME.so (or skips) and
# sets $PRELOAD to it, after ASan's runtime when hlink is built with ASan
# (which must come first in the list of libraries)
build_shim()
{
	local asan
	need_cmd cc
	# cc builds for glibc; a shim loaded into a musl hlink mixes two libcs
	! hlink_is_musl ||
	    skip "the LD_PRELOAD shims are built for glibc, and hlink is musl's"
	cc -shared -fPIC -o "$SB/$1.so" "$TESTS_DIR/shim/$1.c" -ldl ||
	    fail "cannot build the $1 shim"
	PRELOAD=$SB/$1.so
	asan=$(ldd "$HLINK" 2>/dev/null | awk '$1 ~ /^libasan/ { print $3 }')
	[ -z "$asan" ] || PRELOAD="$asan $PRELOAD"
	export PRELOAD
}

# spawn ARG...: runs ARG... in the background and returns, with its pid
# in $spawned, once it has exec'd.  Until then the child is a copy of the
# test's shell with its traps: a signal sent to it then would run the
# test's own ending in the child.
spawn()
{
	local shell
	shell=$(readlink /proc/$$/exe)
	"$@" &
	spawned=$!
	while [ "$(readlink "/proc/$spawned/exe" 2>/dev/null)" = "$shell" ]; do
		sleep 0.001
	done
}

# strict: from here on, a failing command ends the test as a failure,
# recorded with its place (run.sh calls this; so does in_ns's script)
strict()
{
	set -E
	trap 'strict_failed $? "${BASH_SOURCE[0]}" "$LINENO" "$BASH_COMMAND"' ERR
}

# strict_failed STATUS FILE LINE COMMAND: the ERR trap's work.  A failure
# inside a command substitution reports there and again where its value
# was used: the first line (the deepest) heads the test's FAIL line.
strict_failed()
{
	local where="in_ns script, line $3"
	# in_ns's script has no file; its lines count from its first
	[ -z "$2" ] || where="$(basename -- "$2"):$3"
	if [ "${FUNCNAME[1]-}" = run_one ]; then
		fail "the test returned status $1"
	else
		# a command's first line, shortened (in_ns's is a whole script)
		local cmd=${4%%$'\n'*}
		[ ${#cmd} -le 100 ] || cmd=${cmd:0:100}
		[ "$cmd" = "$4" ] || cmd="$cmd ..."
		fail "$where: '$cmd' failed (status $1)"
	fi
	exit 1
}

asserted()
{
	: >>"$CAP/asserted"
}

# shows a file's bytes with escapes and a '$' at each line end
visible()
{
	if [ -s "$1" ]; then
		LC_ALL=C sed -n 'l 0' "$1" | sed 's/^/  | /'
	else
		printf '  (empty)\n'
	fi
}

# --- running the program -------------------------------------------------

# run CMD [ARG...]: runs CMD with stdin from $CAP/in (or /dev/null),
# stdout and stderr into $CAP/out and $CAP/err; sets $status, $out, $err.
run()
{
	local in=/dev/null shim=${LD_PRELOAD-} cmd
	[ -e "$CAP/in" ] && in=$CAP/in
	# A shim (LD_PRELOAD=... run CMD) is for CMD alone, not for the
	# tools run here: under ASan they would report their own leaks.
	unset LD_PRELOAD
	# the braces take the shell's own "Segmentation fault" report
	status=0
	{ timeout 20 env ${shim:+LD_PRELOAD="$shim"} "$@" <"$in" \
	    >"$CAP/out" 2>"$CAP/err"; } 2>/dev/null || status=$?
	printf '%s\n' "$status" >"$CAP/status"
	# the command as it could be typed, "hlink" for $HLINK
	cmd=$(printf '%q ' "${@/#"$HLINK"/hlink}")
	printf '%s\n' "${cmd% }" >"$CAP/cmd"
	rm -f "$CAP/in"
	load_result
}

# reads what run left in $CAP (also after a run in another namespace)
load_result()
{
	status=$(cat "$CAP/status" 2>/dev/null)
	# (-0 output holds NULs, which a shell variable cannot)
	out=$(tr -d '\000' <"$CAP/out")
	err=$(cat "$CAP/err" 2>/dev/null)
	if [ "$status" = 124 ]; then
		fail "timed out: $(cat "$CAP/cmd")"
	elif [ "$status" -gt 128 ] 2>/dev/null; then
		fail "killed by signal $((status - 128)): $(cat "$CAP/cmd")"
	fi
}

run_hlink()
{
	run "$HLINK" "$@"
}

# run_hlink_input TEXT ARG...: TEXT (printf %b) is hlink's stdin
run_hlink_input()
{
	printf '%b' "$1" >"$CAP/in"
	shift
	run "$HLINK" "$@"
}

# run_hlink_nobody ARG...: hlink as uid/gid 65534, no groups
run_hlink_nobody()
{
	run setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups \
	    "$HLINK" "$@"
}

# --- expectations --------------------------------------------------------

expect_status()
{
	asserted
	[ "$status" = "$1" ] ||
	    fail "exit status: expected $1, got $status ($(cat "$CAP/cmd"))" \
	    "stderr:" "$(visible "$CAP/err")"
}

# expect_file_lines WHAT FILE LINE...: FILE holds exactly the LINEs
expect_file_lines()
{
	local what=$1 file=$2
	shift 2
	if [ $# -eq 0 ]; then
		: >"$CAP/expected"
	else
		printf '%s\n' "$@" >"$CAP/expected"
	fi
	expect_file_same "$what" "$file"
}

expect_file_same()
{
	asserted
	if ! cmp -s "$CAP/expected" "$2"; then
		fail "$1 differs ($(cat "$CAP/cmd"))" \
		    "expected:" "$(visible "$CAP/expected")" \
		    "actual:" "$(visible "$2")"
	fi
}

# expect_stdout [LINE...]: stdout is exactly these lines (none: empty)
expect_stdout()
{
	expect_file_lines stdout "$CAP/out" "$@"
}

expect_stderr()
{
	expect_file_lines stderr "$CAP/err" "$@"
}

# expect_stderr_raw STRING: stderr is exactly STRING (no newline added)
expect_stderr_raw()
{
	printf '%s' "$1" >"$CAP/expected"
	expect_file_same stderr "$CAP/err"
}

# expect_result STATUS STDERR-LINE...: status, these stderr lines, no stdout
expect_result()
{
	expect_status "$1"
	shift
	expect_stderr "$@"
	expect_stdout
}

# expect_ok: status 0 and nothing printed
expect_ok()
{
	expect_result 0
}

# expect_usage LINE: a usage error: LINE, the --help hint, exit 2
expect_usage()
{
	expect_result 2 "$1" "Try 'hlink --help' for more information."
}

# expect_cannot DST SRC WHY [HINT]: the one failure line (and hint), exit 1
expect_cannot()
{
	if [ $# -ge 4 ]; then
		expect_result 1 "hlink: cannot link '$1' to '$2': $3" \
		    "hlink: hint: $4"
	else
		expect_result 1 "hlink: cannot link '$1' to '$2': $3"
	fi
}

# --- the filesystem ------------------------------------------------------

ino()
{
	stat -c '%d:%i' -- "$1" 2>/dev/null
}

nlink()
{
	stat -c %h -- "$1"
}

same_inode()
{
	[ -e "$1" ] || [ -L "$1" ] || return 1
	[ "$(ino "$1")" = "$(ino "$2")" ]
}

expect_same_inode()
{
	asserted
	same_inode "$1" "$2" ||
	    fail "'$1' is not a hard link to '$2' ($(ino "$1") vs $(ino "$2"))"
}

expect_not_same_inode()
{
	asserted
	! same_inode "$1" "$2" || fail "'$1' is a hard link to '$2'"
}

expect_nlink()
{
	asserted
	[ "$(nlink "$1" 2>/dev/null)" = "$2" ] ||
	    fail "'$1': link count $(nlink "$1" 2>&1), expected $2"
}

expect_exists()
{
	asserted
	[ -e "$1" ] || [ -L "$1" ] || fail "'$1' does not exist"
}

expect_missing()
{
	asserted
	! [ -e "$1" ] && ! [ -L "$1" ] || fail "'$1' exists, it should not"
}

expect_content()
{
	asserted
	local got
	got=$(cat -- "$1" 2>&1)
	[ "$got" = "$2" ] || fail "'$1' holds '$got', expected '$2'"
}

# expect_symlink P [TARGET]: P is a symlink (holding TARGET)
expect_symlink()
{
	asserted
	if ! [ -L "$1" ]; then
		fail "'$1' is not a symbolic link"
	elif [ $# -ge 2 ] && [ "$(readlink -- "$1")" != "$2" ]; then
		fail "'$1' holds '$(readlink -- "$1")', expected '$2'"
	fi
}

expect_not_symlink()
{
	asserted
	! [ -L "$1" ] || fail "'$1' is a symbolic link -> '$(readlink -- "$1")'"
}

# expect_no_temp DIR...: no .hlink.* temp names left in the DIRs
expect_no_temp()
{
	asserted
	local d left
	for d in "$@"; do
		# a directory that cannot be read proves nothing
		if ! left=$(find "$d" -maxdepth 1 -name '.hlink.*' 2>&1); then
			fail "cannot look for temp files in '$d':" "$left"
		elif [ -n "$left" ]; then
			fail "temp files left in '$d':" "$left"
		fi
	done
}

# snapshot [DIR...]: every name with its inode, links, type, size, mode,
# owner, symlink target, and (unless $CAP/loose exists) its ctime and
# mtime: a link made and undone shows in the ctime.  -f makes its link
# under a temp name first, so a failed -f may touch times: snap_save_loose.
snapshot()
{
	local fmt='%p %i %n %y %s %m %U %l %C@ %T@\n'
	[ -e "$CAP/loose" ] && fmt='%p %i %n %y %s %m %U %l\n'
	[ $# -gt 0 ] || set -- .
	find "$@" -printf "$fmt" 2>&1 | LC_ALL=C sort
}

snap_save()
{
	rm -f "$CAP/loose"
	snapshot "$@" >"$CAP/snap"
}

snap_save_loose()
{
	: >"$CAP/loose"
	snapshot "$@" >"$CAP/snap"
}

# expect_unchanged [DIR...]: same snapshot as at the last snap_save
expect_unchanged()
{
	asserted
	snapshot "$@" >"$CAP/snap2"
	cmp -s "$CAP/snap" "$CAP/snap2" ||
	    fail "the filesystem changed ($(cat "$CAP/cmd"))" \
	    "$(diff "$CAP/snap" "$CAP/snap2" | sed -n 2,20p)"
}

# mount_point P: the mount point of the filesystem holding P (findmnt
# prints one line per mount stacked there: they are all the same place)
mount_point()
{
	findmnt -n -o TARGET --target "$1" | head -n 1
}

# --- the environment -----------------------------------------------------

need_root()
{
	[ "$(id -u)" = 0 ] || skip "needs root (running as uid $(id -u))"
}

need_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c, not installed"
	done
}

# need_nobody: root, setpriv, and a sandbox that uid 65534 can enter
need_nobody()
{
	need_root
	need_cmd setpriv
	setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups true \
	    2>/dev/null || skip "setpriv cannot switch to uid $NOBODY_UID"
	chmod 755 "$SB"
	local d=$SB
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID \
		    --clear-groups test -x "$d" ||
		    skip "uid $NOBODY_UID cannot search '$d'"
	done
}

# shm_sandbox: $SHM, a second sandbox on /dev/shm, on another filesystem
# than $SB (skips otherwise); removed with the test's sandbox.
shm_sandbox()
{
	[ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"
	SHM=$(mktemp -d /dev/shm/hlink-it.XXXXXX) ||
	    skip "cannot make a directory in /dev/shm"
	printf '%s\n' "$SHM" >>"$CAP/cleanup"
	if [ "$(stat -c %d "$SHM")" = "$(stat -c %d "$SB")" ]; then
		skip "/dev/shm and $SB are on the same filesystem"
	fi
}

# in_ns SCRIPT: runs SCRIPT in bash in a private mount namespace, with
# this library and $HLINK $SB $CAP; its mounts vanish with it.
# run_hlink in SCRIPT leaves its result for load_result.
in_ns()
{
	need_root
	need_cmd unshare
	unshare -m --propagation private true 2>/dev/null ||
	    skip "unshare -m does not work here"
	local rc=0
	HLINK=$HLINK SB=$SB CAP=$CAP LIB=$LIB \
	    unshare -m --propagation private bash -c \
	    'source "$LIB"; strict; cd "$SB"; '"$1" || rc=$?
	[ $rc -ne 77 ] || exit 77
	return $rc
}

# mount_tmpfs DIR [OPTS]: inside in_ns
mount_tmpfs()
{
	mkdir -p "$1" &&
	    mount -t tmpfs ${2:+-o "$2"} hlink-test "$1"
}

# mkfile NAME [CONTENT]: a regular file holding CONTENT (default: NAME)
mkfile()
{
	printf '%s\n' "${2-$1}" >"$1"
}

# expect_sorted out|err [LINE...]: that stream, sorted, is exactly these
# lines (for output whose order is readdir's, or the threads')
expect_sorted()
{
	local stream=$1
	shift
	if [ $# -eq 0 ]; then
		: >"$CAP/expected"
	else
		printf '%s\n' "$@" | LC_ALL=C sort >"$CAP/expected"
	fi
	LC_ALL=C sort "$CAP/$stream" >"$CAP/$stream.sorted"
	expect_file_same "std$stream (sorted)" "$CAP/$stream.sorted"
}

# need_linux: the test checks what only the Linux calls in src/sys.c can
# tell (mountinfo, FS_IOC_GETFLAGS, fs.protected_hardlinks); a binary
# built with -DHL_POSIX_ONLY is tested with HLINK_POSIX_ONLY=1.
need_linux()
{
	[ "${HLINK_POSIX_ONLY-}" != 1 ] ||
	    skip "needs the Linux calls; hlink was built with -DHL_POSIX_ONLY"
}

MKLINKS_C='
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
/* links argv[1] as argv[2]/0, argv[2]/1, ... until link(2) fails;
   prints how many it made; exit 0 when it stopped at EMLINK */
int
main(int argc, char **argv)
{
	char name[4096];
	long n;

	if (argc != 3)
		return 2;
	for (n = 0;; n++) {
		snprintf(name, sizeof name, "%s/%ld", argv[2], n);
		if (link(argv[1], name) != 0)
			break;
	}
	printf("%ld\n", n);
	return errno == EMLINK ? 0 : 1;
}
'

# build_mklinks: the helper $CAP/mklinks, which fills a file up to its
# link limit far faster than a shell loop of ln(1)
build_mklinks()
{
	need_cmd cc
	printf '%s' "$MKLINKS_C" >"$CAP/mklinks.c"
	cc -O -o "$CAP/mklinks" "$CAP/mklinks.c" 2>"$CAP/cc.err" ||
	    skip "cannot compile a C helper: $(head -n 1 "$CAP/cc.err")"
}

# ext4_image [SIZE]: an empty ext4 image in $CAP/img (16M), to mount
# inside in_ns
ext4_image()
{
	need_root
	need_cmd mkfs.ext4 truncate
	truncate -s "${1:-16M}" "$CAP/img" &&
	    mkfs.ext4 -q -F "$CAP/img" >/dev/null 2>&1 ||
	    skip "mkfs.ext4 failed"
}

# run_limited N ARG...: hlink ARG... under ulimit -n N, with only stdin,
# stdout and stderr open
run_limited()
{
	local n=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	run bash -c 'ulimit -n "$0" || exit 99
		for fd in /proc/$$/fd/*; do
			fd=${fd##*/}
			[ "$fd" -le 2 ] || eval "exec $fd>&-"
		done
		exec "$@"' "$n" "$HLINK" "$@"
}

# full_ext4 (inside in_ns, after ext4_image and build_mklinks): the image
# mounted on e, and e/f at its link limit, its other names in e/d; n set
# to its link count
full_ext4()
{
	mkdir e
	mount -o loop "$CAP/img" e 2>/dev/null ||
	    skip "cannot mount an ext4 image (no loop device?)"
	mkfile e/f
	mkdir e/d
	"$CAP/mklinks" e/f e/d >/dev/null ||
	    skip "link(2) did not stop at EMLINK"
	n=$(nlink e/f)
}
