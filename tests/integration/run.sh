#!/bin/bash
# run.sh: the hlink integration tests.
#
#   HLINK=/abs/path/hlink bash tests/integration/run.sh [FILTER]
#   HLINK=/abs/path/hlink bash tests/integration/run.sh --selftest
#
# Sources lib.sh and every t_*.sh beside it and runs each function
# test_<area>__<case> in a subshell, in a fresh mktemp -d sandbox that is
# removed afterwards.  FILTER (an extended regex) selects the files whose
# name matches it, or else the tests whose name matches it.  One line per
# test: PASS name, FAIL name: why, SKIP name: reason; then a summary line.
# Exit status 1 when a test failed, 2 when the suite could not start.
#
# A test fails when an expectation does not hold, when it checked none,
# when a command in it fails outside a condition (its file:line is
# reported), or when it returns non-zero.  Before the suite, the runner
# tests itself on s_*.sh (about a second): a runner that would
# let those tests pass stops the run with status 2.  --selftest runs only
# that, and shows each case.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB=$here/lib.sh
filter=${1-}

if [ -z "${HLINK-}" ]; then
	echo "run.sh: set HLINK to the absolute path of the hlink binary" >&2
	exit 2
fi
case $HLINK in
/*) ;;
*)	echo "run.sh: HLINK must be an absolute path: '$HLINK'" >&2
	exit 2 ;;
esac
if ! [ -f "$HLINK" ] || ! [ -x "$HLINK" ]; then
	echo "run.sh: '$HLINK' is not an executable file" >&2
	exit 2
fi
# messages are compared in English, and tools see bytes
export LC_ALL=C
export HLINK LIB TESTS_DIR=$here

# shellcheck source=lib.sh
source "$LIB"

# prints the test functions a file defines, in file order
tests_in()
{
	sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*$/\1/p' "$1"
}

# the subshell's exit: decides the result, prints its line, cleans up
finish()
{
	local rc=$? name=$TEST_NAME result d
	trap - ERR
	set +E
	cd /
	if [ -s "$CAP/on_exit" ]; then
		# shellcheck disable=SC1091
		source "$CAP/on_exit" >/dev/null 2>&1
	fi
	if [ -s "$CAP/fails" ]; then
		result=1
		printf 'FAIL %s: %s\n' "$name" "$(head -n 1 "$CAP/fails")"
		tail -n +2 "$CAP/fails" | sed 's/^/    /'
	elif [ $rc -eq 77 ] && [ -s "$CAP/skip" ]; then
		result=77
		printf 'SKIP %s: %s\n' "$name" "$(head -n 1 "$CAP/skip")"
	elif [ $rc -ne 0 ]; then
		result=1
		printf 'FAIL %s: the test exited with status %s\n' "$name" "$rc"
	elif ! [ -e "$CAP/asserted" ]; then
		result=1
		printf 'FAIL %s: no expectation was checked\n' "$name"
	else
		result=0
		printf 'PASS %s\n' "$name"
	fi
	if [ -s "$CAP/cleanup" ]; then
		while IFS= read -r d; do
			rm -rf -- "$d"
		done <"$CAP/cleanup"
	fi
	rm -rf -- "$SB" "$CAP"
	exit $result
}

run_one()
{
	(
		TEST_NAME=$1
		SB=$(mktemp -d /tmp/hlink-it.XXXXXX) || exit 1
		CAP=$(mktemp -d /tmp/hlink-cap.XXXXXX) || exit 1
		trap finish EXIT
		trap 'exit 1' INT TERM
		cd "$SB" || exit 1
		strict
		"$1"
		exit 0
	)
}

# selftest_case NAME FILE: runs one self-test case, checks its outcome
# against its name (test_red__, test_green__, test_skip__) and a red
# case's reported line against its "# FAILS HERE" mark in FILE; counts
# a wrong one in $bad.  Never call it (nor run_one) as a condition
# (`f || ...`): bash turns the ERR trap off in all that a condition runs.
selftest_case()
{
	local name=$1 file=$2 line want got mark
	line=$(run_one "$name" 2>&1)
	case $name in
	test_red__*) want=FAIL ;;
	test_green__*) want=PASS ;;
	*) want=SKIP ;;
	esac
	got=${line%% *}
	if [ "$got" != "$want" ]; then
		printf 'selftest: %s: expected %s, got: %s\n' "$name" "$want" "$line"
		bad=$((bad + 1))
		return
	fi
	# the marked line of the function (if any) must be the one named
	mark=$(awk -v f="$name" '
	    $0 ~ "^" f "\\(\\)" { on = 1 }
	    on && /^}/ { exit }
	    on && /# FAILS HERE/ { print NR; exit }' "$file")
	# or, in a helper it calls, the line after "# FAILS HERE (NAME)"
	if [ -z "$mark" ]; then
		mark=$(grep -n -F "# FAILS HERE ($name)" "$file" | cut -d: -f1)
		[ -z "$mark" ] || mark=$((mark + 1))
	fi
	if [ -n "$mark" ] && [[ $line != *"$(basename "$file"):$mark:"* ]]; then
		printf 'selftest: %s: FAIL line does not name %s:%s: %s\n' \
		    "$name" "$(basename "$file")" "$mark" "$line"
		bad=$((bad + 1))
		return
	fi
	[ -z "$verbose" ] || printf '%s (expected)\n' "$line"
}

selftest()
{
	local file name n=0 bad=0
	for file in "$here"/s_*.sh; do
		# shellcheck disable=SC1090
		source "$file"
		for name in $(tests_in "$file"); do
			n=$((n + 1))
			selftest_case "$name" "$file"
		done
	done
	if [ $n -eq 0 ] || [ $bad -ne 0 ]; then
		echo "run.sh: the runner's self-test failed ($bad of $n cases):" \
		    "its results cannot be trusted" >&2
		selftest_ok=
		return
	fi
	echo "runner self-test: $n cases gave the results they must"
	selftest_ok=1
}

verbose='' selftest_ok=''
if [ "$filter" = --selftest ]; then
	verbose=1
	selftest
	[ -n "$selftest_ok" ] || exit 1
	exit 0
fi
selftest
[ -n "$selftest_ok" ] || exit 2

passed=0 failed=0 skipped=0
declare -A seen
for file in "$here"/t_*.sh; do
	[ -e "$file" ] || continue
	base=$(basename "$file" .sh)
	names=$(tests_in "$file")
	for name in $names; do
		if [ -n "${seen[$name]-}" ]; then
			echo "run.sh: $name is defined in ${seen[$name]} and $base" >&2
			exit 2
		fi
		seen[$name]=$base
	done
	if [ -n "$filter" ] && ! [[ $base =~ $filter ]]; then
		names=$(printf '%s\n' $names | grep -E -- "$filter")
	fi
	[ -n "$names" ] || continue
	# shellcheck disable=SC1090
	source "$file"
	for name in $names; do
		run_one "$name"
		case $? in
		0)	passed=$((passed + 1)) ;;
		77)	skipped=$((skipped + 1)) ;;
		*)	failed=$((failed + 1)) ;;
		esac
	done
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
