# t_signals.sh: a signal while a temporary name exists removes it, and
# hlink dies of that signal.

# run_signalled ARG...: as run, but a death by signal is a status to check
run_signalled()
{
	local shim=${LD_PRELOAD-} cmd
	unset LD_PRELOAD	# for the command alone, as in run
	status=0
	{ timeout 20 env ${shim:+LD_PRELOAD="$shim"} "$@" </dev/null \
	    >"$CAP/out" 2>"$CAP/err"; } 2>/dev/null || status=$?
	cmd=$(printf '%q ' "${@/#"$HLINK"/hlink}")
	printf '%s\n' "${cmd% }" >"$CAP/cmd"
}

# expect_no_temp_below DIR: no .hlink.* name anywhere below DIR
expect_no_temp_below()
{
	asserted
	local left
	[ -d "$1" ] || fail "expect_no_temp_below: no directory '$1'"
	left=$(find "$1" -name '.hlink.*') || fail "find failed in '$1'"
	[ -z "$left" ] || fail "temporary names left below '$1':" "$left"
}

# signal_during_force SIG: -f is hit by SIG with its temporary name made
signal_during_force()
{
	local sig=$1 num
	num=$(kill -l "$sig")
	build_shim signal_at_rename
	mkfile a
	echo old >b
	snap_save_loose
	HLINK_SHIM_SIGNAL=$num LD_PRELOAD=$PRELOAD \
	    run_signalled env --default-signal "$HLINK" -f a b
	expect_status $((128 + num))
	expect_content b old
	expect_not_same_inode a b
	expect_no_temp_below .
}

test_signals__term_during_force()
{
	signal_during_force TERM
}

test_signals__int_during_force()
{
	signal_during_force INT
}

test_signals__hup_during_force()
{
	signal_during_force HUP
}

test_signals__pipe_during_force()
{
	signal_during_force PIPE
}

# The fifth rename of a -r -f -j 2 run, in whichever worker makes it.
test_signals__term_during_tree_force_with_threads()
{
	local i
	build_shim signal_at_rename
	mkdir -p src/d1 src/d2 dst
	for i in 1 2 3 4 5 6 7 8; do
		echo "$i" >"src/d1/f$i"
		echo "$i" >"src/d2/f$i"
	done
	cp -a src dst/
	HLINK_SHIM_SIGNAL=15 HLINK_SHIM_AT=5 \
	    LD_PRELOAD=$PRELOAD \
	    run_signalled env --default-signal "$HLINK" -r -f -j 2 src dst
	expect_status 143
	expect_no_temp_below dst
}

# A signal ignored when hlink starts (nohup) stays ignored: the run ends
# normally and its temporary name is renamed into place.
test_signals__ignored_signal_stays_ignored()
{
	build_shim signal_at_rename
	mkfile a
	echo old >b
	HLINK_SHIM_SIGNAL=1 LD_PRELOAD=$PRELOAD \
	    run env --ignore-signal=HUP "$HLINK" -f a b
	expect_ok
	expect_same_inode a b
	expect_no_temp_below .
}

# Signals at random moments of a long -f run: every name keeps either
# its old or its new inode, and no temporary name survives.
test_signals__random_moments_during_force()
{
	local round n=400 i status
	mkdir src dst
	for i in $(seq $n); do
		echo "s$i" >"src/f$i"
	done
	for round in 1 2 3 4 5 6; do
		for i in $(seq $n); do
			echo "d$i" >"dst/f$i"
		done
		spawn env --default-signal "$HLINK" -f -t dst src/*
		sleep "0.00$((RANDOM % 9 + 1))"
		kill -TERM $spawned 2>/dev/null || true
		status=0
		wait $spawned || status=$?
		[ $status -eq 0 ] || [ $status -eq 143 ] ||
		    fail "round $round: exit status $status"
		expect_no_temp_below dst
	done
	[ "$(ls dst | wc -l)" -eq $n ] || fail "names went missing in dst"
}
