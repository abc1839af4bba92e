#!/usr/bin/env bash
# bench/tree.sh: "hlink -r SRC DST" against "cp -al", "rsync -a
# --link-dest", "find | cpio -pdlm" and the floor, minimal_tree.c (only the
# mkdirat, linkat, fchmod and futimens calls the job needs), single-threaded
# and with two threads, on a tree of about $BENCH_TREE_FILES files over
# about 5,000 directories, on tmpfs and on a disk filesystem.
# Goals (from the issue), judged on the mean wall times, per filesystem:
#   1. hlink (its default -j) within 1.2x of minimal_tree -t 2;
#   2. hlink at least 3.5x faster than cp -al on tmpfs, 1.8x on disk;
#   3. hlink's peak memory (/usr/bin/time %M) does not grow with the number
#      of files: the 100,000-file tree costs at most 10% (+256 KiB) more
#      than a 10,000-file one.
#
# Needs bash, hyperfine, python3 (makes the tree and reads hyperfine's
# JSON), a C compiler, GNU find; rsync, cpio and /usr/bin/time (GNU time)
# for their rows, installed with apt-get when missing and run as root
# (BENCH_NO_INSTALL=1 skips that; a missing one's row is left out).
# Tunables (environment): HLINK, CC, BENCH_TMPFS, BENCH_DISK,
# BENCH_TREE_FILES, BENCH_TREE_SMALL, BENCH_TREE_ROUNDS, BENCH_TREE_RUNS,
# BENCH_STYLE, BENCH_OUT, BENCH_NO_INSTALL.  See bench/README.md.

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
nfiles=${BENCH_TREE_FILES:-100000}
nsmall=${BENCH_TREE_SMALL:-10000}
rounds=${BENCH_TREE_ROUNDS:-2}
runs=${BENCH_TREE_RUNS:-3}	# per round; round 1 also has a warm-up run
style=${BENCH_STYLE:-none}
keep=${BENCH_OUT:-}

goal_floor=1.2		# hlink / minimal_tree -t 2, at most
goal_cp_tmpfs=3.5	# cp -al / hlink, at least, on tmpfs
goal_cp_disk=1.8	# the same on disk
goal_mem=1.10		# peak RSS, big tree / small tree, at most (+256 KiB)

for t in hyperfine python3 "$cc" find; do
	command -v "$t" >/dev/null || die "needs $t"
done
# The comparison tools, installed if missing (the issue asks for them).
missing=()
command -v rsync >/dev/null || missing+=(rsync)
command -v cpio >/dev/null || missing+=(cpio)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ] && [ -z "${BENCH_NO_INSTALL:-}" ] &&
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	note "installing ${missing[*]} with apt-get"
	apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1 &&
		apt-get install -y "${missing[@]}" >/dev/null 2>&1; } ||
		note "apt-get install ${missing[*]} failed"
fi
have_rsync=$(command -v rsync || true)
have_cpio=$(command -v cpio || true)
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || gnu_time=

# --- temp dirs, removed on every exit ------------------------------------
bench_dirs hlink-bench-tree

# --- build ---------------------------------------------------------------
"$cc" -O2 -pthread -o "$tmp/minimal_tree" "$here/minimal_tree.c"
bench_hlink
minimal=$tmp/minimal_tree
if "$hlink" --help | grep -q -- '--jobs'; then
	has_jobs=1
else
	has_jobs=
	note "warning: this hlink has no -j; its rows use one thread"
fi

# --- the tree ------------------------------------------------------------
# ROOT/tT/mM/lL/fNNNNN: 10 top directories, 10 middle ones in each, and
# leaves in each middle one; 20 empty files in every middle and leaf
# directory.  100,000 files: 49 leaves per middle directory, 5,010
# directories with ROOT; 10,000 files: 4 leaves, 510 directories.  The
# directories' mtimes are set to a fixed past time once the tree is made,
# so that a replica's can be checked.
make_tree() { # root nfiles
	python3 - "$1" "$2" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per_dir, tops, mids = 20, 10, 10
leaves = max(0, (n // per_dir - tops * mids) // (tops * mids))
os.mkdir(root)
dirs = [root]
def files(d):
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    for i in range(per_dir):
        os.close(os.open("f%05d" % i, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    os.close(fd)
for t in range(tops):
    td = "%s/t%d" % (root, t)
    os.mkdir(td); dirs.append(td)
    for m in range(mids):
        md = "%s/m%d" % (td, m)
        os.mkdir(md); dirs.append(md); files(md)
        for l in range(leaves):
            ld = "%s/l%02d" % (md, l)
            os.mkdir(ld); dirs.append(ld); files(ld)
for d in reversed(dirs):
    os.utime(d, (1000000000, 1000000000.123456789))
EOF
}

# count ROOT -> "DIRS FILES"
count() { find "$1" -printf '%y\n' | awk '$1 == "d" { d++ } $1 != "d" { f++ } END { print d + 0, f + 0 }'; }

# check NAME SRC DST: DST is a replica of SRC: the directories with SRC's
# modes and mtimes, every file a link to SRC's (names and inodes)
checks=()
check() {
	local name=$1 src=$2 dst=$3 a b
	a=$(cd "$src" && find . \( -type d -printf '%P %m %T@\n' \) -o -printf '%P %i\n' | LC_ALL=C sort | md5sum)
	b=$(cd "$dst" && find . \( -type d -printf '%P %m %T@\n' \) -o -printf '%P %i\n' | LC_ALL=C sort | md5sum)
	if [ "$a" = "$b" ]; then
		checks+=("ok      $name: the replica matches the source")
	else
		checks+=("FAILED  $name: the replica differs from the source")
	fi
}

# hf STATS PREFIX DST NAME CMD...: $rounds rounds of one hyperfine call
# with every command, the order rotated each round; the destination is
# removed (and the disk synced) before every run, outside the timing.
hf() {
	local stats=$1 prefix=$2 dst=$3 r i k n warm warned=0
	shift 3
	local -a names=() cmds=() args jsons=()
	while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
	n=${#names[@]}
	for ((r = 0; r < rounds; r++)); do
		args=()
		for ((i = 0; i < n; i++)); do
			k=$(((i + r) % n))
			args+=(-n "${names[k]}" "${cmds[k]}")
		done
		warm=0
		[ $r -gt 0 ] || warm=1
		if ! hyperfine --style "$style" --warmup "$warm" --runs "$runs" \
			--prepare "rm -rf '$dst' && sync" \
			--export-json "$prefix-r$r.json" "${args[@]}" \
			>"$prefix-r$r.log" 2>&1; then
			cat "$prefix-r$r.log" >&2
			return 1
		fi
		[ "$style" = none ] || cat "$prefix-r$r.log"
		warned=$((warned + $(grep -c 'Warning:' "$prefix-r$r.log" || true)))
		jsons+=("$prefix-r$r.json")
	done
	[ "$warned" -eq 0 ] || note "  hyperfine warned $warned times"
	read_json 3 "${jsons[@]}" >"$stats"
}

rows=()		# "fs|name|mean|sd|median|user|sys|n"
goals=()
judge_at_most() { # label stats a b limit: mean(a) <= limit * mean(b)
	local ma mb r
	ma=$(field_of "$2" "$3" 2); mb=$(field_of "$2" "$4" 2)
	r=$(ratio "$ma" "$mb")
	if [ "$r" = n/a ]; then goals+=("ERROR $1: no measurement"); return; fi
	if awk -v r="$r" -v l="$5" 'BEGIN { exit !(r <= l) }'; then
		goals+=("PASS  $1: ${r}x (limit ${5}x; median $(ratio "$(field_of "$2" "$3" 5)" "$(field_of "$2" "$4" 5)")x)")
	else
		goals+=("MISS  $1: ${r}x (limit ${5}x; median $(ratio "$(field_of "$2" "$3" 5)" "$(field_of "$2" "$4" 5)")x)")
	fi
}
judge_at_least() { # label stats a b limit: mean(b) >= limit * mean(a)
	local ma mb r
	ma=$(field_of "$2" "$3" 2); mb=$(field_of "$2" "$4" 2)
	r=$(ratio "$mb" "$ma")
	if [ "$r" = n/a ]; then goals+=("ERROR $1: no measurement"); return; fi
	if awk -v r="$r" -v l="$5" 'BEGIN { exit !(r >= l) }'; then
		goals+=("PASS  $1: ${r}x faster (goal ${5}x; median $(ratio "$(field_of "$2" "$4" 5)" "$(field_of "$2" "$3" 5)")x)")
	else
		goals+=("MISS  $1: ${r}x faster (goal ${5}x; median $(ratio "$(field_of "$2" "$4" 5)" "$(field_of "$2" "$3" 5)")x)")
	fi
}

bench_fs() { # fs dir
	local fs=$1 src=$2/src dst=$2/dst stats=$tmp/stats-$1.txt
	local -a specs
	note "$fs: making the tree ($nfiles files)"
	make_tree "$src" "$nfiles"
	sync
	read -r tree_dirs tree_files < <(count "$src")
	note "$fs: $tree_dirs directories, $tree_files files in $(fstype "$src")"
	# each command's output, checked once
	"$hlink" -r "$src" "$dst" && check "hlink -r on $fs" "$src" "$dst"
	rm -rf "$dst"
	"$minimal" -t 2 "$src" "$dst" >/dev/null && check "minimal_tree -t 2 on $fs" "$src" "$dst"
	rm -rf "$dst"
	specs=(hlink "$(q "$hlink") -r $(q "$src") $(q "$dst")")
	[ -z "$has_jobs" ] ||
		specs+=("hlink-j1" "$(q "$hlink") -r -j 1 $(q "$src") $(q "$dst")")
	specs+=(minimal-t2 "$(q "$minimal") -t 2 $(q "$src") $(q "$dst") >/dev/null"
		minimal "$(q "$minimal") $(q "$src") $(q "$dst") >/dev/null"
		cp-al "cp -al $(q "$src") $(q "$dst")")
	[ -z "$have_rsync" ] ||
		specs+=(rsync "rsync -a --link-dest=$(q "$src") $(q "$src")/ $(q "$dst")/")
	[ -z "$have_cpio" ] ||
		specs+=(cpio "cd $(q "$src") && find . -depth -print0 | cpio -0pdlm --quiet $(q "$dst")")
	note "$fs: hyperfine, $rounds rounds of $runs runs of $((${#specs[@]} / 2)) commands (+1 warm-up each in the first)"
	if ! hf "$stats" "$out/tree-$fs" "$dst" "${specs[@]}"; then
		note "$fs: benchmark failed"
		: >"$stats"
	fi
	local name
	for ((i = 0; i < ${#specs[@]}; i += 2)); do
		name=${specs[i]}
		rows+=("$fs|$name|$(field_of "$stats" "$name" 2)|$(field_of "$stats" "$name" 3)|$(field_of "$stats" "$name" 5)|$(field_of "$stats" "$name" 6)|$(field_of "$stats" "$name" 7)|$(field_of "$stats" "$name" 4)")
	done
	judge_at_most "hlink within ${goal_floor}x of minimal_tree -t 2 on $fs" "$stats" hlink minimal-t2 "$goal_floor"
	if [ "$fs" = tmpfs ]; then
		judge_at_least "hlink faster than cp -al on $fs" "$stats" hlink cp-al "$goal_cp_tmpfs"
	else
		judge_at_least "hlink faster than cp -al on $fs" "$stats" hlink cp-al "$goal_cp_disk"
	fi
	[ -z "$has_jobs" ] ||
		goals+=("info  hlink -j 1 / minimal_tree (one thread each) on $fs: $(ratio "$(field_of "$stats" hlink-j1 2)" "$(field_of "$stats" minimal 2)")x")
	# what the calls themselves allow: no program making them is faster
	# than the floor, so goal 2 needs cp -al this much slower than it
	goals+=("info  cp -al / minimal_tree -t 2 on $fs: $(ratio "$(field_of "$stats" cp-al 2)" "$(field_of "$stats" minimal-t2 2)")x (the most any program making these calls can gain over cp -al here)")
	rm -rf "$dst"
}

# --- memory ----------------------------------------------------------------
# peak RSS (KiB) of 3 runs, the largest; the destination removed before each
peak() { # dst cmd...
	local dst=$1 i m max=0
	shift
	for i in 1 2 3; do
		rm -rf "$dst"
		m=$("$gnu_time" -f %M "$@" 2>&1 >/dev/null | tail -n 1)
		[ "$m" -gt "$max" ] && max=$m
	done
	rm -rf "$dst"
	echo "$max"
}

mem=()
bench_memory() { # dir (tmpfs)
	local small=$1/small big=$1/src dst=$1/mdst s b
	[ -n "$gnu_time" ] || { goals+=("ERROR memory: no /usr/bin/time"); return; }
	make_tree "$small" "$nsmall"
	note "memory: /usr/bin/time -f %M, $nsmall and $nfiles files"
	for v in "hlink|$hlink -r" "hlink-j1|$hlink -r -j 1" "minimal-t2|$minimal -t 2" "cp-al|cp -al"; do
		IFS='|' read -r name cmd <<<"$v"
		[ -n "$has_jobs" ] || [ "$name" != hlink-j1 ] || continue
		# shellcheck disable=SC2086 # cmd is words
		s=$(peak "$dst" $cmd "$small" "$dst")
		# shellcheck disable=SC2086
		b=$(peak "$dst" $cmd "$big" "$dst")
		mem+=("$name|$s|$b")
		case $name in hlink | hlink-j1)
			if awk -v s="$s" -v b="$b" -v l="$goal_mem" 'BEGIN { exit !(b <= s * l + 256) }'; then
				goals+=("PASS  $name peak memory: $s KiB with $nsmall files, $b KiB with $nfiles ($(ratio "$b" "$s")x; limit ${goal_mem}x + 256 KiB)")
			else
				goals+=("MISS  $name peak memory: $s KiB with $nsmall files, $b KiB with $nfiles ($(ratio "$b" "$s")x; limit ${goal_mem}x + 256 KiB)")
			fi ;;
		esac
	done
}

# --- run ---------------------------------------------------------------------
{
	printf 'hlink tree bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '  host:      %s, %s CPUs, load %s\n' "$(uname -sr)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	printf '  hlink:     %s (%s), run as a copy\n' "$hlink_shown" "$("$hlink" --version 2>/dev/null | head -n 1)"
	printf '  cp:        %s\n' "$(cp --version | head -n 1)"
	printf '  rsync:     %s\n' "${have_rsync:+$(rsync --version | head -n 1)}"
	printf '  cpio:      %s\n' "${have_cpio:+$(cpio --version | head -n 1)}"
	printf '  cc:        %s\n' "$("$cc" --version 2>/dev/null | head -n 1)"
	printf '  tools:     %s\n' "$(hyperfine --version)"
}

start=$SECONDS
bench_fs tmpfs "$tmpfs_work"
bench_memory "$tmpfs_work"
rm -rf "$tmpfs_work/src" "$tmpfs_work/small"
bench_fs disk "$disk_work"

echo
printf '%-6s %-11s %10s %8s %10s %9s %9s %5s %8s %8s\n' fs command 'mean ms' 'sd' 'median' 'user' 'sys' runs 'x floor' 'cp/x'
for r in "${rows[@]}"; do
	IFS='|' read -r fs name m sd med u sy n <<<"$r"
	floor=$(awk -F'|' -v fs="$fs" '$1 == fs && $2 == "minimal-t2" { print $3 }' < <(printf '%s\n' "${rows[@]}"))
	cpm=$(awk -F'|' -v fs="$fs" '$1 == fs && $2 == "cp-al" { print $3 }' < <(printf '%s\n' "${rows[@]}"))
	printf '%-6s %-11s %10s %8s %10s %9s %9s %5s %8s %8s\n' "$fs" "$name" "$m" "$sd" "$med" "$u" "$sy" "$n" \
		"$(ratio "$m" "$floor")" "$(ratio "$cpm" "$m")"
done
echo
printf '%-11s %14s %14s\n' 'peak RSS' "$nsmall files" "$nfiles files"
for r in "${mem[@]}"; do
	IFS='|' read -r name s b <<<"$r"
	printf '%-11s %10s KiB %10s KiB\n' "$name" "$s" "$b"
done
echo
echo "checks:"
printf '  %s\n' "${checks[@]}"
echo
echo "goals:"
printf '  %s\n' "${goals[@]}"
echo
printf 'took %ss; wall times vary on a shared machine.\n' $((SECONDS - start))
[ -z "$keep" ] || printf 'hyperfine JSON kept in %s\n' "$keep"

status=0
for g in "${goals[@]}" "${checks[@]}"; do
	case $g in PASS* | info* | ok*) ;; *) status=1 ;; esac
done
exit $status
