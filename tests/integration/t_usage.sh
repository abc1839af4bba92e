# t_usage.sh: command lines of the wrong shape: one line, the --help
# hint, exit 2, and nothing changed.

# usage_case LINE ARG...: hlink ARG... is a usage error saying LINE
usage_case()
{
	local line=$1
	shift
	snap_save
	run_hlink "$@"
	expect_usage "$line"
	expect_unchanged
}

usage_files()
{
	mkfile a
	mkfile b
	mkdir d
}

test_usage__no_operand()
{
	usage_files
	usage_case "hlink: missing file operand"
	usage_case "hlink: missing file operand" -f -v
}

test_usage__one_operand()
{
	usage_files
	usage_case "hlink: missing destination file operand after 'a'" a
	usage_case "hlink: missing destination file operand after 'd'" -f d
}

test_usage__t_without_src()
{
	usage_files
	usage_case "hlink: missing file operand" -t d
	usage_case "hlink: missing file operand" --target-directory=d
}

test_usage__T_with_three_operands()
{
	usage_files
	usage_case "hlink: extra operand 'd'" -T a b d
	usage_case "hlink: extra operand 'd'" --no-target-directory a b d
}

test_usage__T_with_t()
{
	usage_files
	usage_case "hlink: cannot combine --target-directory (-t) and --no-target-directory (-T)" \
	    -T -t d a
	usage_case "hlink: cannot combine --target-directory (-t) and --no-target-directory (-T)" \
	    -t d -T a
}

test_usage__relative_without_s()
{
	usage_files
	usage_case "hlink: --relative requires -s (--symlink-fallback)" --relative a c
	usage_case "hlink: --relative requires -s (--symlink-fallback)" --relative -f a b
}

test_usage__unknown_long_option()
{
	usage_files
	usage_case "hlink: unrecognized option '--foo'" --foo a c
}

test_usage__unknown_short_option()
{
	usage_files
	usage_case "hlink: invalid option -- 'x'" -x a c
	usage_case "hlink: invalid option -- 'x'" -vx a c
}

test_usage__missing_option_argument()
{
	usage_files
	usage_case "hlink: option '--src-dir' requires an argument" a c --src-dir
	usage_case "hlink: option '--dst-dir' requires an argument" a c --dst-dir
	usage_case "hlink: option '--target-directory' requires an argument" \
	    a --target-directory
	usage_case "hlink: option requires an argument -- 't'" a -t
}

# man page, EXIT STATUS 2: "an option ... with one it does not take"
test_usage__option_with_an_argument_it_does_not_take()
{
	usage_files
	usage_case "hlink: option '--force' doesn't allow an argument" \
	    --force=yes a c
	usage_case "hlink: option '--dry-run' doesn't allow an argument" \
	    --dry-run=1 a c
}

# man page, -j: "Without -r, -j has no effect, but its number is checked
# all the same."
test_usage__j_without_r_is_checked()
{
	usage_files
	usage_case "hlink: -j wants a number of threads from 1 to 16, not '17'" \
	    -j 17 a c
	run_hlink -j 2 a c
	expect_ok
	expect_same_inode c a
}

# --list is a mode of its own: the link options mean nothing there.
test_usage__list_shapes()
{
	usage_files
	usage_case "hlink: missing file operand" --list
	usage_case "hlink: option '--force' cannot be used with --list" \
	    --list -f a
	usage_case "hlink: option '--recursive' cannot be used with --list" \
	    --list -r a
	usage_case "hlink: -0 (--null) requires --list" -0 a b
}
