#!/usr/bin/env bash
# bench/dedup.sh: "hlink --dedup ROOT" against util-linux hardlink (default
# and -c), jdupes -rL and -rHL, rdfind -makehardlinks true and the floor,
# minimal_dedup.c, on four datasets made by dedup_data.c (mixed, links,
# large, onesize), on tmpfs and on a disk filesystem; every run's result
# is checked (every name's bytes, the bytes left un-deduplicated); then
# peak memory per file on a tree of $BENCH_DEDUP_MEM_FILES small files.
# Goals (issue 11): hlink faster than every peer on every scenario and
# filesystem, within 1.25x of the floor; on links nothing left that one
# run could free; on onesize at least 10x faster than util-linux hardlink;
# peak memory per file at most the leanest peer's.
#
# hlink is run only when "$HLINK --help" mentions --dedup; otherwise its
# rows say it was skipped and the goals are not judged.
# Needs bash, hyperfine, python3 (reads hyperfine's JSON), a C compiler,
# GNU time (/usr/bin/time) for the memory table; hardlink, jdupes and
# rdfind for their rows (a missing one is left out).
# Tunables (environment): HLINK, CC, BENCH_QUICK, BENCH_TMPFS, BENCH_DISK,
# BENCH_DEDUP_*, BENCH_OUT.  See bench/README.md.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
ratio_digits=2

hlink=${HLINK:-$top/hlink}
cc=${CC:-cc}
tmpfs_base=${BENCH_TMPFS:-/dev/shm}
disk_base=${BENCH_DISK:-/var/tmp}
keep=${BENCH_OUT:-}
if [ -n "${BENCH_QUICK:-}" ]; then q_div=10 q_runs=2; else q_div=1 q_runs=3; fi
n_mixed=${BENCH_DEDUP_FILES:-$((40000 / q_div))}
n_large=${BENCH_DEDUP_LARGE_FILES:-8}
s_large=${BENCH_DEDUP_LARGE_SIZE:-$((41943040 / q_div))}
n_one=${BENCH_DEDUP_ONESIZE_FILES:-$((5000 / q_div))}
s_one=${BENCH_DEDUP_ONESIZE_SIZE:-65536}
n_mem=${BENCH_DEDUP_MEM_FILES:-$((1000000 / q_div))}
runs=${BENCH_DEDUP_RUNS:-$q_runs}	# per round
rounds=${BENCH_DEDUP_ROUNDS:-2}
mem_timeout=${BENCH_DEDUP_MEM_TIMEOUT:-300}
slow=${BENCH_DEDUP_SLOW:-15}	# s: a tool whose first run took longer runs once
scenarios=${BENCH_DEDUP_SCENARIOS:-mixed links large onesize}
filesystems=${BENCH_DEDUP_FS:-tmpfs disk}
do_mem=${BENCH_DEDUP_MEM:-1}

goal_floor=1.25		# hlink / floor, at most
goal_onesize=10		# hardlink / hlink on onesize, at least

for t in hyperfine python3 "$cc"; do
	command -v "$t" >/dev/null || die "needs $t"
done
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || gnu_time=

bench_dirs hlink-bench-dedup
"$cc" -O2 -o "$tmp/minimal_dedup" "$here/minimal_dedup.c"
"$cc" -O2 -o "$tmp/dedup_data" "$here/dedup_data.c" -lm
data=$tmp/dedup_data
if [ -x "$hlink" ] || [ -z "${HLINK:-}" ]; then bench_hlink; fi
has_dedup=
if [ -x "$hlink" ] && "$hlink" --help 2>&1 | grep -q -- --dedup; then
	has_dedup=1
fi

# name|command; ROOT is appended.  Each peer's defaults: see README.md.
tools=()
if [ -n "$has_dedup" ]; then
	tools+=("hlink|$hlink --dedup -q" "hlink-c|$hlink --dedup -q --content-only")
fi
tools+=("floor|$tmp/minimal_dedup")
if command -v hardlink >/dev/null; then
	tools+=("hardlink|hardlink -q" "hardlink-c|hardlink -q -c")
fi
if command -v jdupes >/dev/null; then
	tools+=("jdupes-L|jdupes -q -rL" "jdupes-HL|jdupes -q -rHL")
fi
if command -v rdfind >/dev/null; then
	tools+=("rdfind|rdfind -makeresultsfile false -makehardlinks true")
fi
peers="hardlink hardlink-c jdupes-L jdupes-HL rdfind"

# The prepare step of every timed run, a script so hyperfine can run it
# without a shell: checks the tree the previous run left (appending the
# result to LOG), then makes the tree afresh (and syncs a disk, so no run
# pays for the previous one's writeback).
cat >"$tmp/prep" <<EOF
#!/bin/sh
# prep LOG DIR SCENARIO N SIZE MANIFEST SYNC
set -e
if [ -e "\$2" ]; then "$data" check "\$2" "\$6" >>"\$1" 2>>"\$1.err"; fi
rm -rf "\$2"
"$data" gen "\$3" "\$2" "\$4" "\$5" -
[ "\$7" = 0 ] || sync
EOF
chmod +x "$tmp/prep"

sizes_of() { # scenario -> "N SIZE"
	case $1 in
	mixed | links) echo "$n_mixed 0" ;;
	large) echo "$n_large $s_large" ;;
	onesize) echo "$n_one $s_one" ;;
	mem) echo "$n_mem 0" ;;
	esac
}

now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }

results=()	# fs|scen|tool|median|mean|runs|status|left_root|left_fs|cpu
dedupable=()	# fs|scen|root bytes|fs bytes|names
goals=()

# summarize LOG -> "STATUS LEFT_ROOT LEFT_FS CHECKS" over every check line
summarize() {
	awk '{ n++; if ($1 != "OK") bad = 1; if ($4 > r) r = $4; if ($5 > f) f = $5 }
	    END { print (n && !bad ? "OK" : "WRONG"), r + 0, f + 0, n + 0 }' "$1"
}

bench_scenario() { # fs dir scenario
	local fs=$1 d=$2/$3 scen=$3 n size man=$tmp/$3.manifest sync=0
	local entry name cmd log t0 t1 probe st lr lf nc stats cpu
	read -r n size < <(sizes_of "$scen")
	[ "$fs" = tmpfs ] || sync=1
	rm -rf "$d"
	"$data" gen "$scen" "$d" "$n" "$size" "$man"
	read -r st _ _ lr lf < <("$data" check "$d" "$man")
	[ "$st" = OK ] || die "$scen: the fresh tree does not check"
	dedupable+=("$fs|$scen|$lr|$lf|$(wc -l <"$man")")
	note "$fs $scen: $(wc -l <"$man") names, $(du -sm "$d" | cut -f1) MB, dedupable under root $lr bytes, freeable $lf"
	local -a order=()
	# a first run of each, timed by the clock and checked like the others;
	# a tool slower than $slow s keeps that one run
	for entry in "${tools[@]}"; do
		name=${entry%%|*} cmd=${entry#*|}
		log=$out/check-$fs-$scen-$name.log
		: >"$log"
		rm -rf "$d"
		"$tmp/prep" "$log" "$d" "$scen" "$n" "$size" "$man" "$sync"
		t0=$(now_ms)
		# shellcheck disable=SC2086 # cmd is words
		$cmd "$d/root" >/dev/null 2>"$out/stderr-$fs-$scen-$name.txt" || true
		t1=$(now_ms)
		probe=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		"$data" check "$d" "$man" >>"$log" 2>>"$log.err"
		rm -rf "$d"
		if awk -v p="$probe" -v s="$slow" 'BEGIN { exit !(p > s * 1000) }'; then
			note "  $name: ${probe} ms, over ${slow} s: that one run only"
			read -r st lr lf nc < <(summarize "$log")
			results+=("$fs|$scen|$name|$probe|$probe|1|$st|$lr|$lf|n/a")
		else
			order+=("$entry")
		fi
	done
	# $rounds hyperfine calls per tool, the order reversed every other round
	local r i k m=${#order[@]}
	for ((r = 0; r < rounds; r++)); do
		for ((i = 0; i < m; i++)); do
			k=$i
			[ $((r % 2)) = 0 ] || k=$((m - 1 - i))
			name=${order[k]%%|*} cmd=${order[k]#*|}
			log=$out/check-$fs-$scen-$name.log
			stats=$out/hf-$fs-$scen-$name
			rm -rf "$d"
			hyperfine -N --style none --runs "$runs" --warmup 0 \
			    --prepare "$tmp/prep $log $d $scen $n $size $man $sync" \
			    --export-json "$stats-r$r.json" -n "$name" "$cmd $d/root" \
			    >"$stats-r$r.log" 2>&1 || { cat "$stats-r$r.log" >&2; echo "FAILED" >>"$log"; }
			"$data" check "$d" "$man" >>"$log" 2>>"$log.err"
		done
	done
	for entry in "${order[@]}"; do
		name=${entry%%|*}
		log=$out/check-$fs-$scen-$name.log
		stats=$out/hf-$fs-$scen-$name
		read_json 1 "$stats"-r*.json >"$stats.txt" 2>/dev/null || : >"$stats.txt"
		read -r st lr lf nc < <(summarize "$log")
		[ "$nc" -eq $((1 + rounds * (runs + 1) - rounds)) ] || st=WRONG	# a check missing
		cpu=$(awk -v u="$(field_of "$stats.txt" "$name" 6)" -v s="$(field_of "$stats.txt" "$name" 7)" \
		    'BEGIN { if (u == "n/a" || s == "n/a") print "n/a"; else printf "%.1f", u + s }')
		results+=("$fs|$scen|$name|$(field_of "$stats.txt" "$name" 5)|$(field_of "$stats.txt" "$name" 2)|$(field_of "$stats.txt" "$name" 4)|$st|$lr|$lf|$cpu")
		note "  $name: median $(field_of "$stats.txt" "$name" 5) ms, $st, left $lr / $lf"
	done
	rm -rf "$d"
}

res() { # fs scen tool field(4 median 5 mean 6 runs 7 status 8 lr 9 lf 10 cpu)
	printf '%s\n' "${results[@]}" | awk -F'|' -v f="$1" -v s="$2" -v t="$3" -v k="$4" \
	    '$1 == f && $2 == s && $3 == t { print $k; found = 1 } END { if (!found) print "n/a" }'
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f%%", 100 * a / b }'; }

table() { # fs scen
	local fs=$1 scen=$2 row name dr df nn hm fm
	row=$(printf '%s\n' "${dedupable[@]}" | awk -F'|' -v f="$fs" -v s="$scen" '$1 == f && $2 == s')
	IFS='|' read -r _ _ dr df nn <<<"$row"
	hm=$(res "$fs" "$scen" hlink 4)
	fm=$(res "$fs" "$scen" floor 4)
	echo
	echo "### $scen on $fs ($(fstype "$(fs_dir "$fs")")): $nn names; dedupable under ROOT $dr bytes; freeable on the filesystem $df bytes"
	echo
	echo "| tool | median ms | mean ms | cpu ms | runs | x hlink | x floor | left under ROOT | % | left on fs | % | verified |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	[ -n "$has_dedup" ] || echo "| hlink | hlink has no --dedup: skipped | | | | | | | | | | |"
	for entry in "${tools[@]}"; do
		name=${entry%%|*}
		IFS='|' read -r _ _ _ med mean n st lr lf cpu <<<"$(printf '%s\n' "${results[@]}" | awk -F'|' -v f="$fs" -v s="$scen" -v t="$name" '$1 == f && $2 == s && $3 == t')"
		[ -n "${med:-}" ] || continue
		echo "| $name | $med | $mean | $cpu | $n | $(ratio "$med" "$hm") | $(ratio "$med" "$fm") | $lr | $(pct "$lr" "$dr") | $lf | $(pct "$lf" "$df") | $st |"
	done
}

fs_dir() { if [ "$1" = tmpfs ]; then echo "$tmpfs_work"; else echo "$disk_work"; fi; }

judge() { # fs scen
	local fs=$1 scen=$2 hm hst best bestn m p r lf hd
	hm=$(res "$fs" "$scen" hlink 4)
	hst=$(res "$fs" "$scen" hlink 7)
	if [ -z "$has_dedup" ]; then
		goals+=("SKIP    $scen/$fs: hlink has no --dedup, goals not judged")
		return
	fi
	if [ "$hst" != OK ]; then
		goals+=("MISSED  $scen/$fs: hlink's result is $hst")
		return
	fi
	best='' bestn=''
	for p in $peers; do
		m=$(res "$fs" "$scen" "$p" 4)
		[ "$m" != n/a ] || continue
		if [ -z "$best" ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$m bestn=$p
		fi
	done
	if [ -n "$best" ]; then
		r=$(ratio "$best" "$hm")
		if awk -v a="$hm" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			goals+=("MET     $scen/$fs: faster than every peer (fastest peer $bestn ${r}x hlink's median)")
		else
			goals+=("MISSED  $scen/$fs: faster than every peer (fastest peer $bestn ${r}x hlink's median)")
		fi
	fi
	r=$(ratio "$hm" "$(res "$fs" "$scen" floor 4)")
	if awk -v r="$r" -v l="$goal_floor" 'BEGIN { exit !(r != "n/a" && r <= l) }'; then
		goals+=("MET     $scen/$fs: within ${goal_floor}x of the floor (${r}x)")
	else
		goals+=("MISSED  $scen/$fs: within ${goal_floor}x of the floor (${r}x)")
	fi
	if [ "$scen" = links ]; then
		lf=$(res "$fs" "$scen" hlink 9)
		if [ "$lf" = 0 ]; then
			goals+=("MET     links/$fs: nothing left that one run could free")
		else
			goals+=("MISSED  links/$fs: $lf bytes left that one run could free")
		fi
	fi
	if [ "$scen" = onesize ]; then
		hd=$(res "$fs" "$scen" hardlink 4)
		r=$(ratio "$hd" "$hm")
		if awk -v r="$r" -v l="$goal_onesize" 'BEGIN { exit !(r != "n/a" && r >= l) }'; then
			goals+=("MET     onesize/$fs: ${r}x faster than util-linux hardlink (goal ${goal_onesize}x)")
		else
			goals+=("MISSED  onesize/$fs: ${r}x faster than util-linux hardlink (goal ${goal_onesize}x)")
		fi
	fi
}

# --- memory ------------------------------------------------------------------
mem=()		# name|empty KiB|full KiB|bytes per file|status
bench_memory() { # dir (tmpfs)
	local d=$1/mem empty=$1/empty man=$tmp/mem.manifest n e f st
	n=$n_mem
	[ -n "$gnu_time" ] || { goals+=("SKIP    memory: no /usr/bin/time"); return; }
	mkdir -p "$empty/root"
	rm -rf "$d"
	"$data" gen mem "$d" "$n" 0 "$man"
	note "memory: $n files, $(du -sm "$d" | cut -f1) MB"
	for entry in "${tools[@]}"; do
		name=${entry%%|*} cmd=${entry#*|}
		# shellcheck disable=SC2086 # cmd is words
		e=$(cd "$tmp" && "$gnu_time" -f %M $cmd "$empty/root" 2>&1 >/dev/null | tail -n 1)
		[ -e "$d" ] || "$data" gen mem "$d" "$n" 0 -
		# shellcheck disable=SC2086
		f=$(cd "$tmp" && "$gnu_time" -f %M timeout "$mem_timeout" $cmd "$d/root" 2>&1 >/dev/null | tail -n 1)
		read -r st _ <<<"$("$data" check "$d" "$man")"
		rm -rf "$d"
		mem+=("$name|$e|$f|$(awk -v e="$e" -v f="$f" -v n="$n" 'BEGIN { printf "%.1f", (f - e) * 1024 / n }')|$st")
		note "  $name: $e KiB empty, $f KiB with $n files, $st"
	done
	local hb best bestn
	if [ -z "$has_dedup" ]; then
		goals+=("SKIP    memory: hlink has no --dedup, goal not judged")
		return
	fi
	hb=$(printf '%s\n' "${mem[@]}" | awk -F'|' '$1 == "hlink" { print $4 }')
	read -r best bestn < <(printf '%s\n' "${mem[@]}" | awk -F'|' -v p=" $peers " \
	    'index(p, " " $1 " ") && $5 == "OK" && (b == "" || $4 < b) { b = $4; n = $1 } END { print b, n }')
	if awk -v h="$hb" -v b="$best" 'BEGIN { exit !(h <= b) }'; then
		goals+=("MET     memory: hlink $hb bytes/file, leanest peer $bestn $best")
	else
		goals+=("MISSED  memory: hlink $hb bytes/file, leanest peer $bestn $best")
	fi
}

# --- run -----------------------------------------------------------------------
{
	printf 'hlink --dedup bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '  host:     %s, %s CPUs, load %s\n' "$(uname -sr)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	if [ -n "$has_dedup" ]; then
		printf '  hlink:    %s (%s), run as a copy\n' "$hlink_shown" "$("$hlink" --version 2>/dev/null | head -n 1)"
	else
		printf '  hlink:    %s has no --dedup: skipped\n' "${hlink_shown:-$hlink}"
	fi
	printf '  hardlink: %s\n' "$(hardlink --version 2>/dev/null | head -n 1)"
	printf '  jdupes:   %s\n' "$(jdupes -v 2>/dev/null | head -n 1)"
	printf '  rdfind:   %s\n' "$(rdfind -v 2>/dev/null | head -n 1)"
	printf '  tools:    %s; %s runs per tool, a first run checked and untimed by hyperfine; tools over %s s run once\n' "$(hyperfine --version)" "$runs" "$slow"
	[ -z "${BENCH_QUICK:-}" ] || printf '  BENCH_QUICK: sizes divided by 10\n'
}

start=$SECONDS
for fs in $filesystems; do
	for scen in $scenarios; do
		bench_scenario "$fs" "$(fs_dir "$fs")" "$scen"
	done
done
[ "$do_mem" = 0 ] || bench_memory "$tmpfs_work"

for fs in $filesystems; do
	for scen in $scenarios; do
		table "$fs" "$scen"
		judge "$fs" "$scen"
	done
done
if [ ${#mem[@]} -gt 0 ]; then
	echo
	echo "### peak memory, $n_mem small files on tmpfs (/usr/bin/time %M)"
	echo
	echo "| tool | empty tree KiB | full tree KiB | bytes per file | verified |"
	echo "| --- | ---: | ---: | ---: | --- |"
	[ -n "$has_dedup" ] || echo "| hlink | hlink has no --dedup: skipped | | | |"
	for r in "${mem[@]}"; do
		IFS='|' read -r name e f b st <<<"$r"
		echo "| $name | $e | $f | $b | $st |"
	done
fi
echo
echo "goals:"
printf '  %s\n' "${goals[@]}"
echo
printf 'took %ss; wall times vary on a shared machine.\n' $((SECONDS - start))
[ -z "$keep" ] || printf 'hyperfine JSON and check logs kept in %s\n' "$keep"

status=0
for g in "${goals[@]}"; do
	case $g in MISSED*) status=1 ;; esac
done
for r in "${results[@]}"; do
	case $r in *"|hlink|"*"|WRONG|"* | *"|floor|"*"|WRONG|"*) status=1 ;; esac
done
exit $status
