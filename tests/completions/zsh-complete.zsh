#!/bin/zsh -f
# zsh-complete.zsh DIR LINE: prints, one per line, the candidates that
# zsh's completion system offers for LINE followed by a Tab, with DIR
# first in $fpath.  Completion needs the line editor, so a child zsh
# runs on a pseudo-terminal (zsh/zpty); in it compadd is wrapped to
# append every candidate that matches to a file.
emulate -L zsh
zmodload zsh/zpty || exit 2

dir=$1 line=$2
out=$(mktemp) || exit 2

# Waits until the child has printed $1 (at most 10 s).
wait_for()
{
	local chunk all
	integer i
	for (( i = 0; i < 100; i++ )); do
		while zpty -r -t hz chunk 2>/dev/null; do
			all+=$chunk
		done
		[[ $all == *$1* ]] && return 0
		sleep 0.1
	done
	print -u2 "zsh-complete: timed out waiting for the child zsh"
	return 1
}

zpty hz zsh -f -i || exit 2
# Only now: the shell that zpty forks would run an EXIT trap as well.
trap 'rm -f -- $out' EXIT
# What is typed must hold no Tab but the one that asks for completion.
zpty -w hz "PS1='> ' RPS1= ; unsetopt AUTO_LIST BEEP"
zpty -w hz "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# Calls that return matches in an array (-O -A -D) are the completion
# functions' own bookkeeping; only calls that add candidates are recorded.
zpty -w hz "compadd() { if (( \${@[(I)-[OAD]]} )); then builtin compadd \"\$@\"; return; fi; local -a h; builtin compadd -O h \"\$@\"; (( \$#h )) && print -rl -- \$h >> ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w hz "print READY"'$((6*7))'
wait_for READY42 || exit 2
zpty -w -n hz "$line"$'\t'
zpty -w -n hz $'\C-u'
zpty -w hz "print DONE"'$((6*7))'
wait_for DONE42 || exit 2
zpty -w hz 'exit'
zpty -d hz
sort -u -- $out
