#!/bin/bash
# test.sh: tests of the shell completions in contrib/completions/.
#
#   [HLINK=/abs/path/hlink] bash tests/completions/test.sh [DIR]
#
# DIR holds hlink.bash, _hlink and hlink.fish (default: contrib/completions;
# distcheck passes the installed copies' directory instead, laid out the
# same way).  Each shell's completion is driven as the shell itself
# drives it, in a sandbox holding the directories 'd1' and 'd 2' and the
# files 'f1', '-x', 'g1' and 'g*'.  With HLINK set, the options each shell offers are
# compared with those `hlink --help` lists, so neither can forget one.
#
# One line per check: PASS, FAIL or SKIP (a shell that is not installed);
# with COMPLETIONS_REQUIRE_ALL=1 (CI) a missing shell is a failure.  Exit
# status 1 when a check failed.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$(cd "${1:-$here/../../contrib/completions}" && pwd) || exit 2
for f in hlink.bash _hlink hlink.fish; do
	[ -f "$dir/$f" ] || { echo "test.sh: no $dir/$f" >&2; exit 2; }
done
export LC_ALL=C

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
fail()
{
	echo "FAIL $1"
	shift
	printf '    %s\n' "$@"
	failed=$((failed + 1))
}

# expect NAME EXPECTED ACTUAL: both are lists, one item per line, in
# any order
expect()
{
	local e a
	e=$(printf '%s\n' "$2" | sort)
	a=$(printf '%s\n' "$3" | sort)
	if [ "$e" = "$a" ]; then
		pass "$1"
	else
		fail "$1" "expected: $(printf '%s' "$e" | tr '\n' ' ')" \
		    "actual:   $(printf '%s' "$a" | tr '\n' ' ')"
	fi
}

lines() { printf '%s\n' "$@"; }

need_shell()
{
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${COMPLETIONS_REQUIRE_ALL-}" = 1 ]; then
		fail "$1: not installed, and COMPLETIONS_REQUIRE_ALL=1"
	else
		skip "$1" "not installed"
	fi
	return 1
}

sb=$(mktemp -d /tmp/hlink-comp.XXXXXX) || exit 2
trap 'rm -rf -- "$sb"' EXIT
mkdir "$sb/t" "$sb/empty" "$sb/bin" "$sb/xdg" || exit 2
cd "$sb/t" || exit 2
mkdir d1 'd 2'
: >f1
: >./-x
: >g1
: >'g*'
# fish loads a command's completions only once the command exists.
printf '#!/bin/sh\n' >"$sb/bin/hlink"
chmod +x "$sb/bin/hlink"

# --- what hlink --help lists -----------------------------------------------

help_long='' help_short=''
if [ -n "${HLINK-}" ]; then
	help=$("$HLINK" --help) || fail "hlink --help failed"
	help_long=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' |
	    sort -u)
	help_short=$(printf '%s\n' "$help" |
	    sed -n 's/^ *\(-[A-Za-z0-9]\),.*/\1/p' | sort -u)
fi

# compare_help SHELL OFFERED: OFFERED (options, one per line, '=' and
# descriptions already removed) against hlink --help
compare_help()
{
	local offered
	if [ -z "$help_long" ]; then
		skip "$1: options match hlink --help" "HLINK not set"
		return
	fi
	offered=$(printf '%s\n' "$2" | sort -u)
	expect "$1: options match hlink --help" \
	    "$(lines "$help_long" "$help_short" | sort -u)" "$offered"
}

# --- bash ----------------------------------------------------------------

# bash_complete WORD...: COMPREPLY for completing the last WORD, one per line
bash_complete()
{
	bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_hlink hlink "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$dir/hlink.bash" hlink "$@" | sort
}

test_bash()
{
	need_shell bash || return
	expect "bash: complete -p hlink" "complete -F _hlink hlink" \
	    "$(bash --norc -c 'source "$1" && complete -p hlink' bash \
	    "$dir/hlink.bash")"
	expect "bash: option prefix --fo" "$(lines --follow --force)" \
	    "$(bash_complete --fo)"
	expect "bash: option prefix --no-" \
	    "$(lines --no-dereference --no-follow --no-progress \
	    --no-target-directory)" \
	    "$(bash_complete --no-)"
	expect "bash: option prefix --sr" "--src-dir=" \
	    "$(bash_complete --sr)"
	expect "bash: -t takes a directory" "$(lines 'd 2' d1)" \
	    "$(bash_complete -t '')"
	expect "bash: --src-dir=, '=' a word break" "$(lines 'd 2' d1)" \
	    "$(bash_complete --src-dir = '')"
	expect "bash: --dst-dir=d, '=' a word break" "$(lines 'd 2' d1)" \
	    "$(bash_complete --dst-dir = d)"
	expect "bash: --target-directory=d, one word" \
	    "$(lines '--target-directory=d 2' --target-directory=d1)" \
	    "$(bash_complete --target-directory=d)"
	expect "bash: -j takes a number, no file" "" "$(bash_complete -j '')"
	expect "bash: --jobs=, '=' a word break" "" \
	    "$(bash_complete --jobs = '')"
	expect "bash: after --list, only its options" \
	    "$(lines --follow --help --no-follow --null --verbose --version)" \
	    "$(bash_complete --list f --)"
	expect "bash: operands are files" "f1" "$(bash_complete -f f)"
	expect "bash: names are not globbed" "$(lines 'g*' g1)" \
	    "$(bash_complete g)"
	expect "bash: after --, a leading - is a file" "-x" \
	    "$(bash_complete -- -)"
	compare_help bash "$(cd "$sb/empty" && bash_complete - | sed 's/=$//')"
	test_bash_loader
}

# bash-completion loads completions on demand from
# $XDG_DATA_DIRS/bash-completion/completions/NAME: the installed name works.
test_bash_loader()
{
	local bc=/usr/share/bash-completion/bash_completion
	if ! [ -f "$bc" ]; then
		if [ "${COMPLETIONS_REQUIRE_ALL-}" = 1 ]; then
			fail "bash: loaded on demand by bash-completion" \
			    "$bc is not installed"
		else
			skip "bash: loaded on demand by bash-completion" \
			    "$bc is not installed"
		fi
		return
	fi
	mkdir -p "$sb/share/bash-completion/completions"
	cp "$dir/hlink.bash" "$sb/share/bash-completion/completions/hlink"
	expect "bash: loaded on demand by bash-completion" \
	    "complete -F _hlink hlink" \
	    "$(XDG_DATA_DIRS=$sb/share:/usr/share BASH_COMPLETION_USER_DIR=/nonexistent \
	    bash --norc -c 'source "$1"; __load_completion hlink;
	    complete -p hlink' bash "$bc" 2>&1)"
	rm -rf "$sb/share"
}

# --- zsh -----------------------------------------------------------------

zsh_complete()
{
	timeout 30 zsh -f "$here/zsh-complete.zsh" "$dir" "hlink $1"
}

test_zsh()
{
	need_shell zsh || return
	if ! zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
		fail "zsh: the zsh/zpty module is missing"
		return
	fi
	expect "zsh: compinit binds _hlink to hlink" "_hlink" \
	    "$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit;
	    compinit -u -D; print -r -- $_comps[hlink]' zsh "$dir")"
	expect "zsh: option prefix --fo" "$(lines --follow --force)" \
	    "$(zsh_complete '--fo')"
	expect "zsh: -t takes a directory" "$(lines 'd\ 2' d1)" \
	    "$(zsh_complete '-t ')"
	expect "zsh: --src-dir= takes a directory" "$(lines 'd\ 2' d1)" \
	    "$(zsh_complete '--src-dir=')"
	expect "zsh: -j takes a number, no file" "" "$(zsh_complete '-j ')"
	expect "zsh: -f excludes -i" "" \
	    "$(zsh_complete '-f --inter')"
	expect "zsh: after --list, only its options" \
	    "$(lines --follow --help --no-follow --null --verbose --version)" \
	    "$(zsh_complete '--list --')"
	expect "zsh: operands are files" "f1" "$(zsh_complete 'f')"
	compare_help zsh "$(cd "$sb/empty" && zsh_complete '-')"
}

# --- fish ----------------------------------------------------------------

# fish_complete LINE: candidates without descriptions, completions found
# through $fish_complete_path as an installed file would be
fish_complete()
{
	# shellcheck disable=SC2016 # fish expands them
	PATH=$sb/bin:$PATH XDG_CONFIG_HOME=$sb/xdg XDG_DATA_HOME=$sb/xdg \
	    HLINK_COMP_DIR=$dir HLINK_COMP_LINE="hlink $1" fish -c '
	    set fish_complete_path $HLINK_COMP_DIR $fish_complete_path
	    complete -C"$HLINK_COMP_LINE"' | cut -f1
}

test_fish()
{
	need_shell fish || return
	expect "fish: option prefix --fo" "$(lines --follow --force)" \
	    "$(fish_complete '--fo')"
	expect "fish: -t takes a directory" "$(lines 'd 2/' d1/)" \
	    "$(fish_complete '-t ')"
	expect "fish: --src-dir= takes a directory" \
	    "$(lines '--src-dir=d 2/' --src-dir=d1/)" \
	    "$(fish_complete '--src-dir=')"
	expect "fish: -j takes a number, no file" "" "$(fish_complete '-j ')"
	expect "fish: after --list, only its options" \
	    "$(lines --follow --help --list --no-follow --null --verbose \
	    --version)" \
	    "$(fish_complete '--list --')"
	expect "fish: operands are files" "f1" "$(fish_complete 'f')"
	compare_help fish "$(cd "$sb/empty" && fish_complete '-')"
}

test_bash
test_zsh
test_fish
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
