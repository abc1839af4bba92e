# t_force_race.sh: -f never lets DST go missing, even for a moment.

RACE_ROUNDS=${RACE_ROUNDS:-2000}

test_force_race__dst_never_missing()
{
	mkfile a
	mkfile b
	ln a dst
	# the writer: replaces dst from a and b in turn, counts failures
	(
		bad=0
		for ((i = 0; i < RACE_ROUNDS; i++)); do
			if ((i % 2)); then s=a; else s=b; fi
			"$HLINK" -f "$s" dst || bad=$((bad + 1))
		done
		echo "$bad" >"$CAP/writer_bad"
	) >"$CAP/writer_out" 2>"$CAP/writer_err" &
	local writer=$!
	on_exit "kill $writer"
	# the reader: checks dst until the writer is done (at most 40 s)
	local checks=0 misses=0 deadline=$((SECONDS + 40))
	while kill -0 "$writer" 2>/dev/null; do
		[ -e dst ] || misses=$((misses + 1))
		checks=$((checks + 1))
		if ((SECONDS > deadline)); then
			kill "$writer"
			fail "the writer did not finish $RACE_ROUNDS rounds in 40 s"
			break
		fi
	done
	wait "$writer"
	asserted
	[ "$misses" = 0 ] || fail "dst was missing $misses times in $checks checks"
	[ "$(cat "$CAP/writer_bad" 2>/dev/null)" = 0 ] ||
	    fail "hlink -f failed $(cat "$CAP/writer_bad" 2>/dev/null) of $RACE_ROUNDS times" \
	    "$(head -n 5 "$CAP/writer_err")"
	[ -s "$CAP/writer_out" ] && fail "hlink -f printed on stdout" \
	    "$(head -n 5 "$CAP/writer_out")"
	[ -s "$CAP/writer_err" ] && fail "hlink -f printed on stderr" \
	    "$(head -n 5 "$CAP/writer_err")"
	# the last round (i = RACE_ROUNDS - 1) linked a or b
	local last=b
	((RACE_ROUNDS % 2 == 0)) && last=a
	expect_same_inode dst $last
	expect_nlink $last 2
	expect_no_temp .
	((checks >= 1000)) ||
	    fail "the reader only checked $checks times: the race was not exercised"
}

test_force_race__readers_see_whole_files()
{
	# a reader that opens dst must always get one of the two contents
	printf 'A%.0s' $(seq 4096) >a
	printf 'B%.0s' $(seq 4096) >b
	ln a dst
	(
		for ((i = 0; i < 600; i++)); do
			if ((i % 2)); then s=a; else s=b; fi
			"$HLINK" -f "$s" dst
		done
	) >/dev/null 2>&1 &
	local writer=$!
	on_exit "kill $writer"
	local reads=0 bad=0 c deadline=$((SECONDS + 30))
	local A B
	A=$(cat a)
	B=$(cat b)
	while kill -0 "$writer" 2>/dev/null && ((SECONDS < deadline)); do
		c=$(cat dst 2>/dev/null)
		[ "$c" = "$A" ] || [ "$c" = "$B" ] || bad=$((bad + 1))
		reads=$((reads + 1))
	done
	wait "$writer"
	asserted
	[ "$bad" = 0 ] || fail "$bad of $reads reads of dst failed or were partial"
	((reads >= 50)) || fail "only $reads reads: the race was not exercised"
	expect_no_temp .
}

test_force_race__concurrent_writers_leave_no_temp()
{
	# when another hlink -f made DST SRC's inode first, rename(2) of the
	# temp name over it succeeds and does nothing: the temp must still go
	mkfile a
	mkfile b
	local i deadline=$((SECONDS + 20))
	for ((i = 0; i < 200 && SECONDS < deadline; i++)); do
		ln -f b dst
		"$HLINK" -f a dst &
		"$HLINK" -f a dst &
		"$HLINK" -f a dst &
		wait
	done
	expect_same_inode dst a
	expect_nlink a 2
	expect_no_temp .
}
