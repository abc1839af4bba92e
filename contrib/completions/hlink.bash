# bash completion for hlink(1)                           -*- shell-script -*-
#
# Installed as $(PREFIX)/share/bash-completion/completions/hlink, where
# bash-completion loads it the first time hlink is completed; it needs
# nothing from bash-completion, and can be sourced from ~/.bashrc too.

_hlink_options='-L --follow -P --no-follow --src-dir= --dst-dir=
	-s --symlink-fallback --fallback= --relative -f --force -i --interactive
	-n --no-dereference -T --no-target-directory -t --target-directory=
	-v --verbose -q --quiet --dry-run -r --recursive -j --jobs= --list
	-0 --null --dedup --min-size= --max-size= --content-only --respect-time --clone
	--progress --no-progress
	-h --help -V --version'

# Options that still mean something after --list.
_hlink_list_options='-L --follow -P --no-follow -v --verbose -0 --null
	-h --help -V --version'

# _hlink_add: appends each line of stdin to COMPREPLY, as it is (no word
# splitting, no globbing; a read loop, as bash 3.2 has no mapfile)
_hlink_add()
{
	local line
	while IFS= read -r line; do
		COMPREPLY+=("$line")
	done
}

# _hlink_dirs WORD: directories whose name starts with WORD
_hlink_dirs()
{
	compopt -o filenames 2>/dev/null
	_hlink_add < <(compgen -d -- "$1")
}

# _hlink_files WORD: files and directories whose name starts with WORD
_hlink_files()
{
	compopt -o filenames 2>/dev/null
	_hlink_add < <(compgen -f -- "$1")
}

_hlink()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' word opts i
	local list=false after_dashes=false

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--)	after_dashes=true; break ;;
		--list)	list=true ;;
		esac
	done
	if $after_dashes; then
		_hlink_files "$cur"
		return
	fi

	# The argument of -t, --target-directory, --src-dir and --dst-dir;
	# -j and --jobs take a number: nothing to offer.  COMP_WORDBREAKS
	# usually holds '=', so '--src-dir=x' comes as three words, '--src-dir'
	# '=' 'x', and '--src-dir=' as two, the second '='.
	case $prev in
	-t | --target-directory | --src-dir | --dst-dir)
		[[ $cur == = ]] && cur=
		_hlink_dirs "$cur"
		return
		;;
	-j | --jobs | --min-size | --max-size)
		return
		;;
	=)
		word=${COMP_WORDS[COMP_CWORD - 2]}
		case $word in
		--target-directory | --src-dir | --dst-dir)
			_hlink_dirs "$cur"
			return
			;;
		--jobs | --min-size | --max-size)
			return
			;;
		esac
		;;
	esac
	case $cur in
	--jobs=* | --min-size=* | --max-size=*)
		return
		;;
	--target-directory=* | --src-dir=* | --dst-dir=*)
		# '=' not in COMP_WORDBREAKS: the word is whole.
		word=${cur%%=*}=
		_hlink_dirs "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/$word}")
		return
		;;
	-*)
		opts=$_hlink_options
		$list && opts=$_hlink_list_options
		_hlink_add < <(compgen -W "$opts" -- "$cur")
		# '--src-dir=' wants its argument right after the '='.
		if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return
		;;
	esac
	_hlink_files "$cur"
}

complete -F _hlink hlink
