#!/usr/bin/env bash
# bench/list.sh: "hlink --list FILE ROOT" against "find ROOT -xdev -samefile
# FILE", "find ROOT -xdev -inum N" and the floor, a program doing only the
# getdents64 walk (minimal_walk.c), on a tree of about $BENCH_LIST_ENTRIES
# entries on tmpfs and on a disk filesystem, in two cases:
#   early: FILE and its 3 other links in the first leaf directory the walk
#          reaches, so hlink can stop after a few directories;
#   worst: FILE's second name is outside ROOT, so the whole tree is read.
# Goals (from the issue), judged on the mean wall times, per filesystem:
#   1. worst: hlink within 1.2x of minimal_walk;
#   2. worst: hlink at least 4x faster than find -samefile;
#   3. early: hlink at least 200x faster than find -samefile.
# Then, for reading the numbers: syscalls per directory (strace -c) and
# user-space instructions (callgrind) of hlink and the floor, worst case.
#
# Needs bash, hyperfine, python3 (only to read hyperfine's JSON, as
# bench/run.sh), a C compiler, GNU find; strace and valgrind for the
# profile (skipped without them).  Warm caches: the tree is made just before
# and every command has warm-up runs; nothing drops the caches.
# Tunables (environment): HLINK, CC, FIND, BENCH_TMPFS, BENCH_DISK,
# BENCH_LIST_ENTRIES, BENCH_LIST_SHAPE, BENCH_LIST_ROUNDS, BENCH_LIST_RUNS,
# BENCH_LIST_FAST_RUNS, BENCH_LIST_WARMUP, BENCH_STYLE, BENCH_OUT.
# See bench/README.md.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

hlink=${HLINK:-$top/hlink}
cc=${CC:-cc}
find_bin=${FIND:-$(command -v find)}
tmpfs_base=${BENCH_TMPFS:-/dev/shm}
disk_base=${BENCH_DISK:-/var/tmp}
entries=${BENCH_LIST_ENTRIES:-200000}
rounds=${BENCH_LIST_ROUNDS:-5}
walk_runs=${BENCH_LIST_RUNS:-8}		# per round, commands that read the tree
fast_runs=${BENCH_LIST_FAST_RUNS:-50}	# per round, the early hlink and floor
warmup=${BENCH_LIST_WARMUP:-1}		# per hyperfine call
style=${BENCH_STYLE:-none}
keep=${BENCH_OUT:-}

# The goals, from the issue.
goal_walk=1.2		# worst: hlink / minimal_walk at most
goal_worst=4		# worst: find -samefile / hlink at least
goal_early=200		# early: find -samefile / hlink at least

# The tree: TOPS x SUBS x LEAVES leaf directories, FILES empty files in each
# (BENCH_LIST_SHAPE="TOPS SUBS LEAVES"; FILES follows from the entries).
read -r tops subs leaves <<<"${BENCH_LIST_SHAPE:-20 20 25}"
[ "$tops" -ge 1 ] && [ "$subs" -ge 1 ] && [ "$leaves" -ge 1 ] ||
	{ echo "bench: BENCH_LIST_SHAPE must be three numbers" >&2; exit 1; }
ndirs=$((1 + tops + tops * subs + tops * subs * leaves))	# with ROOT
nleaves=$((tops * subs * leaves))
files=$(((entries - (ndirs - 1) + nleaves / 2) / nleaves))
[ "$files" -ge 1 ] || files=1

for t in hyperfine python3 "$cc" "$find_bin"; do
	command -v "$t" >/dev/null || die "needs $t"
done
strace_bin=$(command -v strace || true)
valgrind_bin=$(command -v valgrind || true)
"$find_bin" --version 2>/dev/null | grep -q GNU ||
	note "warning: $find_bin is not GNU find"

# --- temp dirs, removed on every exit ------------------------------------
bench_dirs hlink-bench-list

# --- build ---------------------------------------------------------------
"$cc" -O2 -o "$tmp/minimal_walk" "$here/minimal_walk.c"
bench_hlink
minimal=$tmp/minimal_walk

# --- the tree ------------------------------------------------------------
# ROOT/tTTT/sSSS/lLLL/fFFFF: $tops x $subs x $leaves leaf directories holding
# $files empty files each.
make_tree() { # root
	local root=$1 t s l leaf
	local -a tnames snames lnames fnames paths
	mapfile -t tnames < <(seq -f 't%03g' 0 $((tops - 1)))
	mapfile -t snames < <(seq -f 's%03g' 0 $((subs - 1)))
	mapfile -t lnames < <(seq -f 'l%03g' 0 $((leaves - 1)))
	mapfile -t fnames < <(seq -f 'f%04g' 0 $((files - 1)))
	mkdir "$root"
	for t in "${tnames[@]}"; do
		paths=()
		for s in "${snames[@]}"; do
			for l in "${lnames[@]}"; do
				leaf=$root/$t/$s/$l
				paths+=("$leaf")
			done
		done
		mkdir -p "${paths[@]}"
		(
			cd "$root/$t"
			for s in "${snames[@]}"; do
				for l in "${lnames[@]}"; do
					printf '%s\0' "${fnames[@]/#/$s/$l/}"
				done
			done | xargs -0 touch --
		)
	done
}

# The first leaf directory the walk reaches: from ROOT, the first directory
# in readdir order (ls -f), down to one without subdirectories.
first_leaf() { # root
	local d=$1 e sub
	while :; do
		sub=''
		while IFS= read -r e; do
			case $e in . | ..) continue ;; esac
			if [ -d "$d/$e" ] && [ ! -L "$d/$e" ]; then sub=$e; break; fi
		done < <(ls -f -- "$d")
		[ -n "$sub" ] || break
		d=$d/$sub
	done
	printf '%s\n' "$d"
}

# hf STATS PREFIX SPEC...: each SPEC "name|runs|command"; $rounds rounds, in
# each one hyperfine call per command, the commands in an order rotated
# from round to round (so a drift in the machine's load is shared); the
# stats pool the rounds.  A command's runs are per round.
hf() {
	local stats=$1 prefix=$2 r i k n name runs cmd warned=0
	shift 2
	local -a specs=("$@") jsons=()
	n=${#specs[@]}
	for ((r = 0; r < rounds; r++)); do
		for ((i = 0; i < n; i++)); do
			k=$(((i + r) % n))
			IFS='|' read -r name runs cmd <<<"${specs[k]}"
			if ! hyperfine -N --style "$style" --warmup "$warmup" \
				--runs "$runs" -n "$name" \
				--export-json "$prefix-r$r-$name.json" "$cmd" \
				>"$prefix-r$r-$name.log" 2>&1; then
				cat "$prefix-r$r-$name.log" >&2
				return 1
			fi
			[ "$style" = none ] || cat "$prefix-r$r-$name.log"
			warned=$((warned + $(grep -c 'Warning:' "$prefix-r$r-$name.log" || true)))
			jsons+=("$prefix-r$r-$name.json")
		done
	done
	[ "$warned" -eq 0 ] || note "  hyperfine warned $warned times" \
		"(outliers, a slow first run: other work on the machine)"
	read_json 6 "${jsons[@]}" >"$stats"
}

# cpu_of FILE NAME: user + system mean, ms
cpu_of() { awk -v n="$2" '$1 == n { print $6 + $7; found = 1 } END { if (!found) print "n/a" }' "$1"; }

rows=()		# "case|fs|name|mean|sd|median|user|sys|x_min|find_x"
goals=()	# "N|PASS  text" ...
checks=()	# problems found when checking the commands' output

# judge G LABEL STATS A B LIMIT: is A's mean <= LIMIT * B's mean?  A miss by
# less than twice the standard error of the difference is called noise.
judge() {
	local g=$1 label=$2 stats=$3 a=$4 b=$5 limit=$6 ma sa na mb sb nb med shown extra
	ma=$(field_of "$stats" "$a" 2); sa=$(field_of "$stats" "$a" 3); na=$(field_of "$stats" "$a" 4)
	mb=$(field_of "$stats" "$b" 2); sb=$(field_of "$stats" "$b" 3); nb=$(field_of "$stats" "$b" 4)
	if [ "$ma" = n/a ] || [ "$mb" = n/a ]; then
		goals+=("$g|ERROR $label: no measurement")
		return 0
	fi
	# shown as the issue says it: a speed-up (B/A) when limit < 1
	if [ "$(awk -v l="$limit" 'BEGIN { print (l < 1) }')" = 1 ]; then
		shown="$(ratio "$mb" "$ma")x (goal >= $(awk -v l="$limit" 'BEGIN { printf "%g", 1 / l }')x"
		shown="$shown; median $(ratio "$(field_of "$stats" "$b" 5)" "$(field_of "$stats" "$a" 5)")x)"
	else
		shown="$(ratio "$ma" "$mb")x (goal <= ${limit}x"
		shown="$shown; median $(ratio "$(field_of "$stats" "$a" 5)" "$(field_of "$stats" "$b" 5)")x)"
	fi
	if [ "$(awk -v a="$ma" -v b="$mb" -v l="$limit" 'BEGIN { print (a <= l * b) }')" = 1 ]; then
		goals+=("$g|PASS  $label: $shown")
		return 0
	fi
	extra=$(awk -v ma="$ma" -v sa="$sa" -v na="$na" -v mb="$mb" -v sb="$sb" -v nb="$nb" -v l="$limit" 'BEGIN {
		over = ma - l * mb
		se = sqrt(sa * sa / na + l * l * sb * sb / nb)
		if (over < 2 * se)
			printf " -- within noise: %.3f ms over, 2 SE = %.3f ms", over, 2 * se
	}')
	goals+=("$g|MISS  $label: $shown$extra")
}

add_rows() { # case fs stats name...
	local c=$1 fs=$2 stats=$3 name m
	shift 3
	m=$(field_of "$stats" minimal 2)
	for name in "$@"; do
		rows+=("$c|$fs|$name|$(field_of "$stats" "$name" 2)|$(field_of "$stats" "$name" 3)|$(field_of "$stats" "$name" 5)|$(field_of "$stats" "$name" 6)|$(field_of "$stats" "$name" 7)|$(ratio "$(field_of "$stats" "$name" 2)" "$m")|$(ratio "$(field_of "$stats" find-samefile 2)" "$(field_of "$stats" "$name" 2)")")
	done
}

# check LABEL EXPECTED-FILE CMD...: CMD's sorted output is the file's
check() {
	local label=$1 want=$2 got=$tmp/check.out
	shift 2
	if ! "$@" 2>"$tmp/check.err" | LC_ALL=C sort >"$got"; then
		checks+=("$label: failed: $(head -n 1 "$tmp/check.err")")
	elif ! cmp -s "$want" "$got"; then
		checks+=("$label: printed $(wc -l <"$got") lines, expected $(wc -l <"$want")")
	fi
}

# --- one filesystem --------------------------------------------------------
bench_fs() { # fs dir
	local fs=$1 dir=$2 root early worst n t0 leaf i
	root=$dir/tree
	t0=$SECONDS
	make_tree "$root"
	# early: FILE and three more links in the first leaf the walk reaches
	leaf=$(first_leaf "$root")
	echo x >"$leaf/early0"
	for i in 1 2 3; do ln "$leaf/early0" "$leaf/early$i"; done
	early=$leaf/early0
	# worst: FILE outside ROOT, its one other name in a leaf inside
	mkdir "$dir/outside"
	echo x >"$dir/outside/w"
	ln "$dir/outside/w" "$root/t$(printf %03d $((tops / 2)))/s000/l000/w"
	worst=$dir/outside/w
	n=$("$minimal" "$root")
	nentries=$n
	note "$fs: tree of $n entries in $ndirs directories made in $((SECONDS - t0))s; first leaf ${leaf#"$root"/}"

	# The commands print what they should (checked once, untimed).
	printf '%s\n' "$leaf"/early[0-3] | LC_ALL=C sort >"$tmp/want-early"
	printf '%s\n' "$root/t$(printf %03d $((tops / 2)))/s000/l000/w" >"$tmp/want-worst"
	check "$fs early hlink" "$tmp/want-early" "$hlink" --list "$early" "$root"
	check "$fs early find -samefile" "$tmp/want-early" "$find_bin" "$root" -xdev -samefile "$early"
	check "$fs early find -inum" "$tmp/want-early" "$find_bin" "$root" -xdev -inum "$(stat -c %i "$early")"
	check "$fs worst hlink" "$tmp/want-worst" "$hlink" --list "$worst" "$root"
	check "$fs worst find -samefile" "$tmp/want-worst" "$find_bin" "$root" -xdev -samefile "$worst"
	check "$fs worst find -inum" "$tmp/want-worst" "$find_bin" "$root" -xdev -inum "$(stat -c %i "$worst")"
	[ "$n" -eq $((ndirs - 1 + nleaves * files + 5)) ] ||
		checks+=("$fs minimal_walk counted $n entries, expected $((ndirs - 1 + nleaves * files + 5))")

	note "$fs: worst case, $rounds rounds of ${warmup}+$walk_runs runs per command"
	if ! hf "$tmp/worst-$fs.txt" "$out/worst-$fs" \
		"hlink|$walk_runs|$(q "$hlink") --list $(q "$worst") $(q "$root")" \
		"minimal|$walk_runs|$(q "$minimal") $(q "$root")" \
		"find-samefile|$walk_runs|$(q "$find_bin") $(q "$root") -xdev -samefile $(q "$worst")" \
		"find-inum|$walk_runs|$(q "$find_bin") $(q "$root") -xdev -inum $(stat -c %i "$worst")"; then
		note "$fs: worst-case benchmark failed"
		: >"$tmp/worst-$fs.txt"
	fi
	add_rows worst "$fs" "$tmp/worst-$fs.txt" hlink minimal find-samefile find-inum
	judge 1 "worst case on $fs, hlink / minimal_walk" "$tmp/worst-$fs.txt" hlink minimal "$goal_walk"
	# CPU time (hyperfine's user + system means) moves less than wall time
	# on a loaded machine: beside goal 1, not judged
	goals+=("1|info  worst case on $fs, hlink / minimal_walk in user+system CPU time: $(ratio "$(cpu_of "$tmp/worst-$fs.txt" hlink)" "$(cpu_of "$tmp/worst-$fs.txt" minimal)")x")
	judge 2 "worst case on $fs, find -samefile / hlink" "$tmp/worst-$fs.txt" hlink find-samefile \
		"$(awk -v g="$goal_worst" 'BEGIN { print 1 / g }')"
	goals+=("2|info  worst case on $fs, the floor: find -samefile / minimal_walk = $(ratio "$(field_of "$tmp/worst-$fs.txt" find-samefile 2)" "$(field_of "$tmp/worst-$fs.txt" minimal 2)")x; within ${goal_walk}x of it, goal 2 needs >= $(awk -v a="$goal_worst" -v b="$goal_walk" 'BEGIN { printf "%g", a * b }')x")

	note "$fs: early case, $rounds rounds; hlink and the floor ${warmup}+$fast_runs runs, the walks ${warmup}+$walk_runs"
	# exec-floor: minimal_walk over the one leaf directory, about what
	# starting any such program costs (fork, exec, loader, libc)
	if ! hf "$tmp/early-$fs.txt" "$out/early-$fs" \
		"hlink|$fast_runs|$(q "$hlink") --list $(q "$early") $(q "$root")" \
		"exec-floor|$fast_runs|$(q "$minimal") $(q "$leaf")" \
		"minimal|$walk_runs|$(q "$minimal") $(q "$root")" \
		"find-samefile|$walk_runs|$(q "$find_bin") $(q "$root") -xdev -samefile $(q "$early")" \
		"find-inum|$walk_runs|$(q "$find_bin") $(q "$root") -xdev -inum $(stat -c %i "$early")"; then
		note "$fs: early-case benchmark failed"
		: >"$tmp/early-$fs.txt"
	fi
	add_rows early "$fs" "$tmp/early-$fs.txt" hlink exec-floor minimal find-samefile find-inum
	judge 3 "early case on $fs, find -samefile / hlink" "$tmp/early-$fs.txt" hlink find-samefile \
		"$(awk -v g="$goal_early" 'BEGIN { print 1 / g }')"
	goals+=("3|info  early case on $fs, the floor: find -samefile / exec-floor = $(ratio "$(field_of "$tmp/early-$fs.txt" find-samefile 2)" "$(field_of "$tmp/early-$fs.txt" exec-floor 2)")x (starting a process at all)")

	profile "$fs" "$root" "$worst"
}

# --- the profile: where the worst case's time goes -------------------------
prof=()		# lines for the profile section
nentries=0	# entries in the tree, as minimal_walk counts them
profile() { # fs root worst
	local fs=$1 root=$2 worst=$3 hs ms f
	if [ -n "$strace_bin" ]; then
		"$strace_bin" -f -c -S calls -o "$tmp/st-hlink" "$hlink" --list "$worst" "$root" >/dev/null 2>&1 || true
		"$strace_bin" -f -c -S calls -o "$tmp/st-min" "$minimal" "$root" >/dev/null 2>&1 || true
		prof+=("$fs, worst case, syscalls (strace -f -c), per directory of $ndirs:")
		prof+=("$(printf '  %-14s %10s %8s %10s %8s' syscall hlink /dir minimal /dir)")
		for f in $(awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "total" && $NF != "syscall" { print $NF }' "$tmp/st-hlink" "$tmp/st-min" | awk '!seen[$0]++'); do
			# strace -c: "% time  seconds  usecs/call  calls  [errors]  syscall"
			hs=$(awk -v s="$f" '$NF == s { print $4 }' "$tmp/st-hlink" | head -n 1)
			ms=$(awk -v s="$f" '$NF == s { print $4 }' "$tmp/st-min" | head -n 1)
			hs=${hs:-0} ms=${ms:-0}
			[ $((hs + ms)) -ge $((ndirs / 2)) ] || continue
			prof+=("$(printf '  %-14s %10s %8.2f %10s %8.2f' "$f" "$hs" "$(awk -v a="$hs" -v b="$ndirs" 'BEGIN { print a / b }')" "$ms" "$(awk -v a="$ms" -v b="$ndirs" 'BEGIN { print a / b }')")")
		done
		hs=$(awk '$NF == "total" { print $4 }' "$tmp/st-hlink")
		ms=$(awk '$NF == "total" { print $4 }' "$tmp/st-min")
		prof+=("$(printf '  %-14s %10s %8.2f %10s %8.2f' total "$hs" "$(awk -v a="$hs" -v b="$ndirs" 'BEGIN { print a / b }')" "$ms" "$(awk -v a="$ms" -v b="$ndirs" 'BEGIN { print a / b }')")")
	fi
	if [ -n "$valgrind_bin" ]; then
		local h m
		h=$(instructions "$tmp/cg-hlink-$fs" "$hlink" --list "$worst" "$root")
		m=$(instructions "$tmp/cg-min-$fs" "$minimal" "$root")
		prof+=("$fs, worst case, user-space instructions (callgrind): hlink $h, minimal $m, hlink/minimal $(ratio "$h" "$m")x; per entry: hlink $(awk -v a="$h" -v b="$nentries" 'BEGIN { printf "%.1f", a / b }'), minimal $(awk -v a="$m" -v b="$nentries" 'BEGIN { printf "%.1f", a / b }')")
		if [ "$fs" = tmpfs ] && command -v callgrind_annotate >/dev/null &&
			[ -s "$tmp/cg-hlink-$fs" ]; then
			prof+=("  hlink's own functions and libc's, by self cost (callgrind_annotate):")
			while IFS= read -r f; do prof+=("    $f"); done < <(
				callgrind_annotate "$tmp/cg-hlink-$fs" 2>/dev/null |
				awk '/file:function/ { f = 1; getline; next } f && NF' |
				sed -e 's| \[/[^]]*\]$||' -e 's|\./[^ ]*/sysdeps/[^ ]*/||' \
				    -e 's|\./[a-z]*/\./[a-z]*/||' | head -n 12)
		fi
	fi
}

instructions() { # out cmd...
	local f=$1
	shift
	env -i PATH=/usr/bin:/bin "$valgrind_bin" --tool=callgrind \
		--callgrind-out-file="$f" "$@" >/dev/null 2>"$tmp/cg.err" || {
		printf 'n/a'
		return
	}
	awk '/^summary:/ { print $2; exit } /^totals:/ { t = $2 } END { if (t != "") print t }' "$f" | head -n 1
}

# --- run -------------------------------------------------------------------
{
	printf 'hlink --list bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '  host:   %s, %s CPUs, load %s\n' "$(uname -sr)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	printf '  hlink:  %s (%s), run as a copy\n' "$hlink_shown" "$("$hlink" --version 2>/dev/null | head -n 1 || echo 'no --version')"
	printf '  find:   %s (%s)\n' "$find_bin" "$("$find_bin" --version 2>/dev/null | head -n 1)"
	printf '  tools:  %s, %s\n' "$(hyperfine --version)" "$("$cc" --version 2>/dev/null | head -n 1)"
	printf '  tree:   %s x %s x %s leaf directories, %s files each: %s entries, %s directories\n' \
		"$tops" "$subs" "$leaves" "$files" $((ndirs - 1 + nleaves * files)) "$ndirs"
	printf '  tmpfs:  %s (%s)\n' "$tmpfs_work" "$(fstype "$tmpfs_work")"
	printf '  disk:   %s (%s)\n' "$disk_work" "$(fstype "$disk_work")"
}

start=$SECONDS
bench_fs tmpfs "$tmpfs_work"
rm -rf -- "$tmpfs_work/tree"
bench_fs disk "$disk_work"

fmt() {
	case $1 in
	n/a | '') printf 'n/a' ;;
	*) awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.3f" : (v < 100 ? "%.2f" : "%.1f")), v }' ;;
	esac
}
echo
printf '%-6s %-6s %-14s %10s %8s %10s %9s %9s %10s %11s\n' \
	case fs command "mean ms" "sd" "median" "user ms" "sys ms" "x minimal" "samefile/x"
for r in "${rows[@]}"; do
	IFS='|' read -r c fs name m sd med u s xm fx <<<"$r"
	printf '%-6s %-6s %-14s %10s %8s %10s %9s %9s %10s %11s\n' "$c" "$fs" "$name" \
		"$(fmt "$m")" "$(fmt "$sd")" "$(fmt "$med")" "$(fmt "$u")" "$(fmt "$s")" "$xm" "$fx"
done
echo
echo "goals:"
printf '%s\n' "${goals[@]}" | sort -s -t '|' -k 1,1 | cut -d '|' -f 2-
if [ ${#checks[@]} -gt 0 ]; then
	echo
	echo "output checks that failed:"
	printf '  %s\n' "${checks[@]}"
fi
if [ ${#prof[@]} -gt 0 ]; then
	echo
	echo "profile:"
	printf '%s\n' "${prof[@]}"
fi
echo
printf 'took %ss; wall times vary on a shared machine: rerun before reading a few %% into them.\n' $((SECONDS - start))
[ -z "$keep" ] || printf 'hyperfine JSON kept in %s\n' "$keep"

status=0
for g in "${goals[@]}"; do
	case ${g#*|} in PASS* | info*) ;; *) status=1 ;; esac
done
[ ${#checks[@]} -eq 0 ] || status=1
exit $status
