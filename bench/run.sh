#!/usr/bin/env bash
# bench/run.sh: hlink against GNU ln and against the floor, a dynamically
# linked program that only calls linkat (minimal_link.c, minimal_loop.c).
#
# Measures, on tmpfs and on a disk filesystem:
#   - wall time of one "hlink a b" (hyperfine), goal: no slower than "ln a b";
#   - wall time of "hlink -t DIR" over $BENCH_FILES files, goal: within 1.1x
#     of minimal_loop, also compared with "ln -t DIR";
#   - user-space instructions of one "hlink a b" (callgrind), goal: at most
#     1.25x minimal_link.
# Plus, for reading the -t numbers, instructions and syscalls of the -t runs.
#
# Needs bash, hyperfine, valgrind, python3 (only to read hyperfine's JSON;
# the machine has it, and it saves adding jq), and strace if present.
# Tunables (environment): HLINK, LN, CC, BENCH_TMPFS, BENCH_DISK,
# BENCH_FILES, BENCH_SINGLE_RUNS, BENCH_SINGLE_WARMUP, BENCH_MANY_RUNS,
# BENCH_MANY_WARMUP, BENCH_ROUNDS, BENCH_STYLE, BENCH_LOCALE, BENCH_OUT (a
# directory to keep the JSON).
# See bench/README.md.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

hlink=${HLINK:-$top/hlink}
ln_bin=${LN:-$(command -v ln)}
cc=${CC:-cc}
tmpfs_base=${BENCH_TMPFS:-/dev/shm}
disk_base=${BENCH_DISK:-/var/tmp}
nfiles=${BENCH_FILES:-10000}
single_runs=${BENCH_SINGLE_RUNS:-300}
single_warmup=${BENCH_SINGLE_WARMUP:-10}
many_runs=${BENCH_MANY_RUNS:-60}
many_warmup=${BENCH_MANY_WARMUP:-2}
# A UTF-8 locale, where GNU ln's locale set-up costs it ~2.7x the floor;
# glibc >= 2.35 always has C.UTF-8.
utf8_locale=${BENCH_LOCALE:-C.UTF-8}
keep=${BENCH_OUT:-}
rounds=${BENCH_ROUNDS:-6}
style=${BENCH_STYLE:-none}	# hyperfine --style; "basic" shows each benchmark

# The goals, from the issue.
goal_instr=1.25
goal_many=1.10

for t in hyperfine valgrind python3 make "$cc"; do
	command -v "$t" >/dev/null || die "needs $t"
done
valgrind_bin=$(command -v valgrind)
strace_bin=$(command -v strace || true)

# --- temp dirs, removed on every exit ------------------------------------
bench_dirs hlink-bench

# --- build ---------------------------------------------------------------
# -O2 and dynamic linking, as hlink is built by default.
"$cc" -O2 -o "$tmp/minimal_link" "$here/minimal_link.c"
"$cc" -O2 -o "$tmp/minimal_loop" "$here/minimal_loop.c"
bench_hlink
minimal_link=$tmp/minimal_link
minimal_loop=$tmp/minimal_loop

if command -v readelf >/dev/null; then
	for b in "$hlink" "$minimal_link"; do
		readelf -l "$b" 2>/dev/null | grep -q INTERP ||
			note "warning: $b is not dynamically linked; the comparison is unfair"
	done
fi

# hyperfine in $rounds rounds, each with a share of the runs and the three
# commands in a rotated order, so that a drift in the machine's load does not
# land on one command (hyperfine runs all of one command's runs before the
# next's); the stats pool the rounds' times.
hf() { # stats json-prefix runs warmup prepare name cmd name cmd name cmd
	local stats=$1 prefix=$2 runs=$3 warmup=$4 prepare=$5 per r i k warned=0
	local -a names cmds args jsons=()
	shift 5
	names=("$1" "$3" "$5")
	cmds=("$2" "$4" "$6")
	per=$(((runs + rounds - 1) / rounds))
	for ((r = 0; r < rounds; r++)); do
		args=()
		for ((i = 0; i < 3; i++)); do
			k=$(((i + r) % 3))
			args+=(-n "${names[k]}" "${cmds[k]}")
		done
		# hyperfine's output is kept back unless asked for or failing;
		# its warnings are counted.
		if ! hyperfine -N --style "$style" --warmup "$warmup" \
			--runs "$per" --prepare "$prepare" \
			--export-json "$prefix-r$r.json" "${args[@]}" \
			>"$prefix-r$r.log" 2>&1; then
			# The -t commands are 60 KiB long: cut them.
			cut -c 1-300 "$prefix-r$r.log" >&2
			return 1
		fi
		[ "$style" = none ] || cat "$prefix-r$r.log"
		warned=$((warned + $(grep -c 'Warning:' "$prefix-r$r.log" || true)))
		jsons+=("$prefix-r$r.json")
	done
	[ "$warned" -eq 0 ] || note "  hyperfine warned $warned times" \
		"(outliers, a slow first run: other work on the machine)"
	read_json 6 "${jsons[@]}" >"$stats"
}

rows=()     # "measure|fs|hlink|ln|minimal"
goals=()    # "N|PASS  text", "N|MISS  text", "N|ERROR text", N the goal
add_row() { rows+=("$1|$2|$3|$4|$5"); }

# One time comparison: is A's mean <= limit * B's mean?  When A misses by less
# than twice the standard error of the difference, say so: on a shared
# machine that is noise, not a verdict.
judge_time() { # goal label stats nameA nameB limit
	local g=$1 label=$2 stats=$3 a=$4 b=$5 limit=$6 ma sa na mb sb nb note med
	ma=$(field_of "$stats" "$a" 2); sa=$(field_of "$stats" "$a" 3); na=$(field_of "$stats" "$a" 4)
	mb=$(field_of "$stats" "$b" 2); sb=$(field_of "$stats" "$b" 3); nb=$(field_of "$stats" "$b" 4)
	if [ "$ma" = n/a ] || [ "$mb" = n/a ]; then
		goals+=("$g|ERROR $label: no measurement")
		return 0
	fi
	# The ratio of the medians, less moved by bursts of load, goes beside.
	med="median $(ratio "$(field_of "$stats" "$a" 5)" "$(field_of "$stats" "$b" 5)")x"
	if [ "$(awk -v a="$ma" -v b="$mb" -v l="$limit" 'BEGIN { print (a <= l * b) }')" = 1 ]; then
		goals+=("$g|PASS  $label: $(ratio "$ma" "$mb")x (limit ${limit}x; $med)")
		return 0
	fi
	note=$(awk -v ma="$ma" -v sa="$sa" -v na="$na" -v mb="$mb" -v sb="$sb" -v nb="$nb" -v l="$limit" 'BEGIN {
		over = ma - l * mb
		se = sqrt(sa * sa / na + l * l * sb * sb / nb)
		if (over < 2 * se)
			printf "; within noise: %.3f ms over, 2 SE = %.3f ms", over, 2 * se
	}')
	goals+=("$g|MISS  $label: $(ratio "$ma" "$mb")x (limit ${limit}x; $med$note)")
}

# --- (a) one link, wall time ---------------------------------------------
bench_single() { # fs dir
	local fs=$1 dir=$2/single stats=$tmp/single-$1.txt
	mkdir -p "$dir"
	echo x >"$dir/a"
	note "$fs: one link, hyperfine, $rounds rounds of ${single_warmup}+$((single_runs / rounds)) runs each"
	if ! (cd "$dir" && hf "$stats" "$out/single-$fs" \
		"$single_runs" "$single_warmup" 'rm -f b' \
		hlink "$(q "$hlink") a b" \
		ln "$(q "$ln_bin") a b" \
		minimal "$(q "$minimal_link") a b"); then
		note "$fs: one-link benchmark failed (BENCH_STYLE=basic shows which command)"
		: >"$stats"
	fi
	add_row "single link wall time (ms)" "$fs" \
		"$(field_of "$stats" hlink 2)" "$(field_of "$stats" ln 2)" \
		"$(field_of "$stats" minimal 2)"
	judge_time 2 "one link on $fs, hlink/ln wall time" "$stats" hlink ln 1.0
}

# --- (b) -t DIR over many files, wall time -------------------------------
make_files() { # dir
	mkdir -p "$1/src" "$1/t"
	(cd "$1/src" && touch -- "${files[@]}")
}

# The same names in every directory: 00000 00001 ...; as an array for
# running the programs directly, as one string for hyperfine.
mapfile -t files < <(seq -f '%05g' 0 $((nfiles - 1)))
file_list="${files[*]}"

check_arg_size() { # list
	# hyperfine gets each command as one argument, and Linux caps one
	# argument at MAX_ARG_STRLEN (32 pages, 128 KiB); the benchmarked
	# program then gets nfiles arguments, capped in total by ARG_MAX.
	local len=${#1} argmax
	argmax=$(getconf ARG_MAX)
	[ $((len + 200)) -lt 131072 ] ||
		die "file list is $len bytes, over one argument's 128 KiB; lower BENCH_FILES"
	[ $((3 * len + nfiles * 8 + 65536)) -lt "$argmax" ] ||
		die "file list is too long for ARG_MAX=$argmax; lower BENCH_FILES"
}

bench_many() { # fs dir
	local fs=$1 dir=$2/many stats=$tmp/many-$1.txt list=$file_list
	make_files "$dir"
	check_arg_size "$list"
	note "$fs: -t over $nfiles files, hyperfine, $rounds rounds of ${many_warmup}+$((many_runs / rounds)) runs each"
	# Names relative to the source directory keep the command line short;
	# the prepare step empties the target directory before every run.
	if (cd "$dir/src" && hf "$stats" "$out/many-$fs" \
		"$many_runs" "$many_warmup" 'find ../t -mindepth 1 -delete' \
		hlink "$(q "$hlink") -t ../t $list" \
		ln "$(q "$ln_bin") -t ../t $list" \
		minimal "$(q "$minimal_loop") ../t $list"); then
		# Check hlink's work once: every file linked into t.
		find "$dir/t" -mindepth 1 -delete
		(cd "$dir/src" && "$hlink" -t ../t "${files[@]}") ||
			note "warning: hlink -t failed"
		[ "$(find "$dir/t" -type f -links 2 | wc -l)" -eq "$nfiles" ] ||
			note "warning: hlink -t did not make $nfiles links"
	else
		note "$fs: -t benchmark failed (BENCH_STYLE=basic shows which command)"
		: >"$stats"
	fi
	add_row "-t $nfiles files wall time (ms)" "$fs" \
		"$(field_of "$stats" hlink 2)" "$(field_of "$stats" ln 2)" \
		"$(field_of "$stats" minimal 2)"
	judge_time 3 "-t $nfiles files on $fs, hlink/minimal wall time" "$stats" hlink minimal "$goal_many"
}

# --- (c) instructions (callgrind) and syscalls (strace) ------------------
# Run in a clean environment, so the counts do not depend on the caller's
# locale or environment size; "$@" after the env assignments.
instructions() { # label envassign... -- cmd...
	local label=$1 envs=() f=$tmp/cg.out n
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$f"
	if ! env -i PATH=/usr/bin:/bin "${envs[@]}" "$valgrind_bin" --tool=callgrind \
		--callgrind-out-file="$f" "$@" >/dev/null 2>"$tmp/cg.err"; then
		note "$label: failed under valgrind:"
		grep -v '^==' "$tmp/cg.err" >&2 || true
		printf 'n/a'
		return
	fi
	n=$(awk '/^summary:/ { print $2; exit } /^totals:/ { t = $2 } END { if (t != "") print t }' "$f" | head -n 1)
	printf '%s' "${n:-n/a}"
}

bench_instr_single() { # fs dir locale-label envassign...
	local fs=$1 dir=$2/single label=$3 h l m
	shift 3
	h=$(cd "$dir" && rm -f b && instructions hlink "$@" -- "$hlink" a b)
	l=$(cd "$dir" && rm -f b && instructions ln "$@" -- "$ln_bin" a b)
	m=$(cd "$dir" && rm -f b && instructions minimal "$@" -- "$minimal_link" a b)
	rm -f "$dir/b"
	add_row "instructions, one link, $label" "$fs" "$h" "$l" "$m"
	if [ "$h" = n/a ] || [ "$m" = n/a ]; then
		goals+=("1|ERROR one link on $fs ($label), hlink/minimal instructions: no count")
	elif [ "$(awk -v r="$(ratio "$h" "$m")" -v l="$goal_instr" 'BEGIN { print (r <= l) }')" = 1 ]; then
		goals+=("1|PASS  one link on $fs ($label), hlink/minimal instructions: $(ratio "$h" "$m")x (limit ${goal_instr}x; ln $(ratio "$l" "$m")x)")
	else
		goals+=("1|MISS  one link on $fs ($label), hlink/minimal instructions: $(ratio "$h" "$m")x (limit ${goal_instr}x; ln $(ratio "$l" "$m")x)")
	fi
}

bench_instr_many() { # fs dir
	local fs=$1 dir=$2/many h l m
	find "$dir/t" -mindepth 1 -delete
	h=$(cd "$dir/src" && instructions hlink -- "$hlink" -t ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	l=$(cd "$dir/src" && instructions ln -- "$ln_bin" -t ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	m=$(cd "$dir/src" && instructions minimal -- "$minimal_loop" ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	add_row "instructions, -t $nfiles files" "$fs" "$h" "$l" "$m"
}

syscalls() { # cmd... -> number of syscalls (strace -c total)
	local f=$tmp/strace.out
	if ! env -i PATH=/usr/bin:/bin "$strace_bin" -f -c -o "$f" "$@" >/dev/null 2>&1; then
		printf 'n/a'
		return
	fi
	awk '$NF == "total" { print $4 }' "$f"
}

bench_syscalls_many() { # fs dir
	local fs=$1 dir=$2/many h l m
	[ -n "$strace_bin" ] || return 0
	find "$dir/t" -mindepth 1 -delete
	h=$(cd "$dir/src" && syscalls "$hlink" -t ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	l=$(cd "$dir/src" && syscalls "$ln_bin" -t ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	m=$(cd "$dir/src" && syscalls "$minimal_loop" ../t "${files[@]}")
	find "$dir/t" -mindepth 1 -delete
	add_row "syscalls, -t $nfiles files" "$fs" "$h" "$l" "$m"
}

# --- run -----------------------------------------------------------------
{
	printf 'hlink bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '  host:      %s, %s CPUs, load %s\n' "$(uname -sr)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	printf '  hlink:     %s (%s), run as a copy\n' "$hlink_shown" "$("$hlink" --version 2>/dev/null | head -n 1 || echo 'no --version')"
	printf '  ln:        %s (%s)\n' "$ln_bin" "$("$ln_bin" --version 2>/dev/null | head -n 1 || echo '?')"
	printf '  cc:        %s\n' "$("$cc" --version 2>/dev/null | head -n 1)"
	printf '  tools:     %s, %s\n' "$(hyperfine --version)" "$(valgrind --version)"
	printf '  tmpfs:     %s (%s)\n' "$tmpfs_work" "$(fstype "$tmpfs_work")"
	printf '  disk:      %s (%s)\n' "$disk_work" "$(fstype "$disk_work")"
}

start=$SECONDS
for fs in tmpfs disk; do
	if [ $fs = tmpfs ]; then dir=$tmpfs_work; else dir=$disk_work; fi
	bench_single "$fs" "$dir"
	bench_many "$fs" "$dir"
	note "$fs: callgrind and strace"
	bench_instr_single "$fs" "$dir" "env -i" --
	bench_instr_single "$fs" "$dir" "LANG=$utf8_locale" "LANG=$utf8_locale" --
	bench_instr_many "$fs" "$dir"
	bench_syscalls_many "$fs" "$dir"
done

# --- the table -----------------------------------------------------------
fmt() {
	case $1 in
	n/a | '') printf 'n/a' ;;
	*.*) awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.3f" : "%.2f"), v }' ;;
	*) printf '%s' "$1" ;;
	esac
}
echo
printf '%-40s %-6s %12s %12s %12s %10s %9s %8s\n' \
	measure fs hlink ln minimal hlink/min hlink/ln ln/min
for r in "${rows[@]}"; do
	IFS='|' read -r m fs h l n <<<"$r"
	printf '%-40s %-6s %12s %12s %12s %10s %9s %8s\n' "$m" "$fs" \
		"$(fmt "$h")" "$(fmt "$l")" "$(fmt "$n")" \
		"$(ratio "$h" "$n")" "$(ratio "$h" "$l")" "$(ratio "$l" "$n")"
done
echo
echo "goals:"
# The -t comparison with ln has no limit; print it beside goal 3.
for fs in tmpfs disk; do
	s=$tmp/many-$fs.txt
	[ -s "$s" ] || continue
	goals+=("3|info  -t $nfiles files on $fs, hlink/ln wall time: $(ratio "$(field_of "$s" hlink 2)" "$(field_of "$s" ln 2)")x (compared, no limit)")
done
printf '%s\n' "${goals[@]}" | sort -s -t '|' -k 1,1 | cut -d '|' -f 2-
echo
printf 'took %ss; wall times vary on a shared machine, instruction counts repeat.\n' $((SECONDS - start))
if [ -n "$keep" ]; then
	printf 'hyperfine JSON kept in %s\n' "$keep"
fi

status=0
for g in "${goals[@]}"; do
	case ${g#*|} in PASS* | info*) ;; *) status=1 ;; esac
done
exit $status
