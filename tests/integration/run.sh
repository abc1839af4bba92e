#!/bin/bash
# run.sh: the hlink integration tests.
#
#   HLINK=/abs/path/hlink bash tests/integration/run.sh [FILTER]
#
# Sources lib.sh and every t_*.sh beside it and runs each function
# test_<area>__<case> in a subshell, in a fresh mktemp -d sandbox that is
# removed afterwards.  FILTER (an extended regex) selects the files whose
# name matches it, or else the tests whose name matches it.  One line per
# test: PASS name, FAIL name: why, SKIP name: reason; then a summary line.
# Exit status 1 when a test failed, 2 when the suite could not start.

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
		"$1"
		exit 0
	)
}

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
