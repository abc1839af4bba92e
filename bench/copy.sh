#!/usr/bin/env bash
# bench/copy.sh: copies and clones where no hard link can be made
# (issue 12, item 7), hlink --fallback against cp.  Inside a private mount
# namespace (root): a tmpfs, an ext4 loop image and an XFS loop image
# (reflink=1), all under $BENCH_DISK for the images.  Scenarios:
#   large   one 1 GiB file, tmpfs -> ext4: hlink --fallback=copy against
#           cp -p and cp --reflink=auto -p;
#   small   100,000 small files (0-8 KiB), tmpfs -> ext4, through xargs
#           into one directory (-t DIR): the same three;
#   tree    a tree of 100,000 small files in 1,000 directories, tmpfs ->
#           ext4: hlink -r --fallback=copy -j 2 against cp -a;
#   clone   one 1 GiB file on XFS, root's and mode 0644, cloned by uid
#           65534, whom fs.protected_hardlinks refuses the hard link:
#           hlink --fallback=clone against cp --reflink=always (both
#           through setpriv).
# Every result is checked once before it is timed: contents (cmp, diff
# -r), attributes (mode, owner, mtime), and for the clone the extents
# filefrag -v calls shared.  hyperfine times each command BENCH_RUNS
# times (5; 3 with BENCH_QUICK) after a warm-up, removing the result and
# syncing before each run (so that one run's writeback is not the next
# one's), in BENCH_ROUNDS rounds (3; 1 with BENCH_QUICK) that rotate the
# order of the commands; the table gives the medians of the pooled times
# and their ratios.
#
# hlink's rows run only when `$HLINK --help` mentions --fallback; until
# then the peers run alone and the goals say "not judged".
#
# Goals (issue 12): a copy at most 1.05x cp -p's time, for the large file
# and for the small ones; the tree with -j 2 faster than cp -a; a clone
# as fast as cp --reflink=always (at most 1.05x, the noise of one run).
#
# Tunables (environment): HLINK, BENCH_QUICK (sizes / 8, 10,000 files),
# BENCH_RUNS, BENCH_ROUNDS, BENCH_SIZE_MB (1024), BENCH_FILES (100000), BENCH_DISK
# (/var/tmp), BENCH_OUT (keep the JSON there), BENCH_SCENARIOS (the
# scenarios to run, by name, separated by spaces or commas; all of them).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
hlink=${HLINK:-$top/hlink}
disk_base=${BENCH_DISK:-/var/tmp}
if [ -n "${BENCH_QUICK:-}" ]; then
	size_mb=${BENCH_SIZE_MB:-128} nfiles=${BENCH_FILES:-10000}
	runs=${BENCH_RUNS:-3} rounds=${BENCH_ROUNDS:-1}
else
	size_mb=${BENCH_SIZE_MB:-1024} nfiles=${BENCH_FILES:-100000}
	runs=${BENCH_RUNS:-5} rounds=${BENCH_ROUNDS:-3}
fi
scenarios=" ${BENCH_SCENARIOS:-large small tree clone} "
scenarios=${scenarios//,/ }
goal_copy=1.05		# hlink / cp -p, at most (large and small)
goal_clone=1.05		# hlink / cp --reflink=always, at most
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench: %s\n' "$*" >&2; }
# wanted NAME: whether scenario NAME is among BENCH_SCENARIOS
wanted() { [[ $scenarios == *" $1 "* ]]; }

[ "$(id -u)" = 0 ] || die "needs root (mounts in a private namespace)"
for c in unshare hyperfine jq mkfs.ext4 mkfs.xfs setpriv filefrag xargs; do
	command -v "$c" >/dev/null || die "needs $c"
done
if [ -z "${BENCH_INSIDE:-}" ]; then
	BENCH_INSIDE=1 exec unshare -m --propagation private bash "$0" "$@"
fi
[ -x "$hlink" ] || die "no hlink at $hlink (make)"
cp "$hlink" /tmp/hlink-bench-copy.$$	# a rebuild cannot swap it
hlink=/tmp/hlink-bench-copy.$$
chmod 755 "$hlink"
has_fallback=
"$hlink" --help 2>/dev/null | grep -q -- '--fallback' && has_fallback=1

w=$(mktemp -d "$disk_base/hlink-bench-copy.XXXXXX")
cleanup()
{
	cd /
	umount "$w/xfs" "$w/ext4" "$w/tmpfs" 2>/dev/null || true
	rm -rf "$w" "$hlink"
}
trap cleanup EXIT
chmod 755 "$w"
mkdir "$w/xfs" "$w/ext4" "$w/tmpfs" "$w/json"
truncate -s $((size_mb * 3 + 2048))M "$w/ext4.img"
truncate -s $((size_mb * 3 + 512))M "$w/xfs.img"
mkfs.ext4 -q -F -N $((nfiles * 3 + 65536)) "$w/ext4.img"
mkfs.xfs -q -f -m reflink=1 "$w/xfs.img"
mount -o loop "$w/ext4.img" "$w/ext4"
mount -o loop "$w/xfs.img" "$w/xfs"
mount -t tmpfs -o size=$((size_mb + nfiles * 24 / 1024 + 256))M,nr_inodes=$((nfiles * 3 + 4096)) \
    tmpfs "$w/tmpfs"
T=$w/tmpfs E=$w/ext4 X=$w/xfs

# --- the data ------------------------------------------------------------

# make_data: $T/big (random, mode 0640, an old mtime), $T/small/ and
# $T/tree/ (small files of 0-8 KiB, modes 0644, 0600 and 0755, one symlink
# per directory of the tree), and $w/small.list (NUL-ended names).
make_data()
{
	head -c $((size_mb << 20)) /dev/urandom >"$T/big"
	chmod 640 "$T/big"
	touch -d '2021-03-04 05:06:07.123456789' "$T/big"
	python3 - "$T" "$nfiles" <<'PY'
import os, sys
top, n = sys.argv[1], int(sys.argv[2])
modes = (0o644, 0o600, 0o755)
def fill(path, i):
    with open(path, "wb") as f:
        f.write(os.urandom((i * 37) % 8193))
    os.chmod(path, modes[i % 3])
    os.utime(path, ns=(1600000000 * 10**9 + i, 1600000000 * 10**9 + i * 7))
os.mkdir(os.path.join(top, "small"))
for i in range(n):
    fill(os.path.join(top, "small", "f%06d" % i), i)
dirs = max(1, n // 100)
for d in range(dirs):
    os.makedirs(os.path.join(top, "tree", "d%02d" % (d % 10), "e%04d" % d))
for i in range(n):
    d = i % dirs
    fill(os.path.join(top, "tree", "d%02d" % (d % 10), "e%04d" % d,
                      "f%06d" % i), i)
for d in range(dirs):
    p = os.path.join(top, "tree", "d%02d" % (d % 10), "e%04d" % d)
    os.symlink("f%06d" % d, os.path.join(p, "link"))
    os.utime(os.path.join(p, "link"), ns=(1500000000 * 10**9,) * 2,
             follow_symlinks=False)
    os.utime(p, ns=(1400000000 * 10**9 + d,) * 2)
PY
	(cd "$T/small" && find . -type f -printf '%P\0') >"$w/small.list"
	# the clone's source: root's, 0644, on XFS; uid 65534 owns out/
	cp -p "$T/big" "$X/big"
	chmod 644 "$X/big"
	mkdir "$X/out" && chown 65534:65534 "$X/out"
	sync
}

# --- checking a result -----------------------------------------------------

bad=()		# "scenario/command: what is wrong"
scen=''	# the scenario under way

# attrs FILE: mode, owner, group, mtime to the nanosecond
attrs() { stat -c '%a %u %g %.9Y' -- "$1"; }

check_file()	# NAME SRC DST [noattrs]
{
	local name=$1 src=$2 dst=$3
	[ -f "$dst" ] || { bad+=("$scen/$name: no $dst"); return; }
	cmp -s "$src" "$dst" || bad+=("$scen/$name: contents differ")
	[ "$(stat -c %d:%i "$src")" != "$(stat -c %d:%i "$dst")" ] ||
		bad+=("$scen/$name: a hard link, not a copy")
	[ -n "${4:-}" ] || [ "$(attrs "$src")" = "$(attrs "$dst")" ] ||
		bad+=("$scen/$name: attributes $(attrs "$dst"), source $(attrs "$src")")
}

# listing DIR [MINDEPTH]: every name below DIR (and DIR, unless MINDEPTH
# is 1), its type, mode, owner, size (not for directories: that is the
# filesystem's), mtime and symlink target
listing()
{
	(cd "$1" && { find . -mindepth "${2:-0}" -type d \
	    -printf '%P d %m %U %G %T@\n';
	    find . ! -type d -printf '%P %y %m %U %G %s %T@ %l\n'; } |
	    LC_ALL=C sort)
}

check_tree()	# NAME SRC DST [MINDEPTH]
{
	local name=$1
	if ! diff <(listing "$2" "${4:-0}") <(listing "$3" "${4:-0}") \
	    >"$w/diff" 2>&1; then
		bad+=("$scen/$name: listing differs from the source's ($(grep -c '^[<>]' "$w/diff") lines)")
		head -6 "$w/diff" | sed 's/^/    /' >&2
	fi
	diff -r -q --no-dereference "$2" "$3" >/dev/null 2>&1 ||
		bad+=("$scen/$name: contents differ")
}

# check_clone NAME: out/c is a clone of big: equal, and its extents shared
check_clone()
{
	local name=$1 shared
	check_file "$name" "$X/big" "$X/out/c" noattrs
	shared=$(filefrag -v "$X/out/c" 2>/dev/null | grep -c shared || true)
	[ "$shared" -gt 0 ] ||
		bad+=("$scen/$name: no extent is shared (filefrag -v)")
}

# once NAME PREPARE CMD CHECK...: one run of CMD, then its check
once()
{
	local name=$1 prep=$2 cmd=$3
	shift 3
	bash -c "$prep"
	if ! (cd "$cwd" && $cmd) >/dev/null 2>"$w/err"; then
		bad+=("$scen/$name: failed: $(head -1 "$w/err")")
		return
	fi
	"$@"
}

# --- timing ----------------------------------------------------------------

table=$w/table		# the markdown rows
medians=$w/medians	# "scenario<TAB>name<TAB>median"
: >"$table"
: >"$medians"

# time_scenario KEY TITLE PREPARE NAME CMD [NAME CMD]...: hyperfine over
# the commands (the first is the baseline) in $rounds rounds, each with
# the commands in another order (a burst of load then falls on each in
# turn), the times pooled; rows added to the table
time_scenario()
{
	local key=$1 title=$2 prep=$3 names=() cmds=() args i r k
	shift 3
	while [ $# -gt 0 ]; do
		names+=("$1")
		cmds+=("$2")
		shift 2
	done
	for ((r = 0; r < rounds; r++)); do
		args=()
		for ((i = 0; i < ${#names[@]}; i++)); do
			k=$(((i + r) % ${#names[@]}))
			args+=(-n "${names[k]}" "${cmds[k]}")
		done
		(cd "$cwd" && hyperfine -N -w 1 -r "$runs" \
		    -p "bash -c '$prep'" --export-json "$w/json/$key.$r.json" \
		    "${args[@]}" >/dev/null 2>&1) ||
			{ note "$key: hyperfine failed"; return; }
	done
	[ -z "${BENCH_OUT:-}" ] || { mkdir -p "$BENCH_OUT" &&
	    cp "$w/json/$key".*.json "$BENCH_OUT/"; }
	pooled "$w/json/$key".*.json | while IFS=$'\t' read -r n med min max count; do
		printf '%s\t%s\t%s\n' "$key" "$n" "$med" >>"$medians"
	done
	for n in "${names[@]}"; do
		row "$key" "$title" "$n" "${names[0]}"
	done
}

# pooled JSON...: "name<TAB>median<TAB>min<TAB>max<TAB>runs<TAB>cpu" per
# command, over the times of every round; cpu is the mean user + system
# time, which the machine's other load moves less than the wall time
pooled()
{
	python3 - "$@" <<'PY'
import json, statistics, sys
times, cpu = {}, {}
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
        cpu[r["command"]] = cpu.get(r["command"], 0.0) + \
            (r["user"] + r["system"]) * len(r["times"])
for name, t in times.items():
    print("%s\t%.4f\t%.4f\t%.4f\t%d\t%.4f" % (name, statistics.median(t),
          min(t), max(t), len(t), cpu[name] / len(t)))
PY
}

# row KEY TITLE NAME BASE: one table row, in the order the commands were given
row()
{
	local med base line
	line=$(pooled "$w/json/$1".*.json | awk -F'\t' -v n="$3" '$1 == n')
	med=$(median_of "$1" "$3")
	base=$(median_of "$1" "$4")
	printf '| %s | `%s` | %.3f | %.3f | %.3f | %d | %.3f | %.3f | %s |\n' \
	    "$2" "$3" "$med" "$(cut -f3 <<<"$line")" "$(cut -f4 <<<"$line")" \
	    "$(cut -f5 <<<"$line")" "$(cut -f6 <<<"$line")" \
	    "$(awk -v a="$med" -v b="$base" 'BEGIN { print a / b }')" \
	    "$(verdict "$1/$3")" >>"$table"
}

# verdict NAME: "ok", or what the check found wrong with NAME's result
verdict()
{
	local b out=''
	for b in "${bad[@]+"${bad[@]}"}"; do
		case $b in "$1: "*) out="${out:+$out; }${b#"$1: "}" ;; esac
	done
	printf '%s' "${out:-ok}"
}

median_of() { awk -F'\t' -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3 }' "$medians"; }

# goal TEXT KEY NAME BASE OP LIMIT: one line, met or missed
goal()
{
	local text=$1 a b r
	wanted "$2" || return 0
	a=$(median_of "$2" "$3")
	b=$(median_of "$2" "$4")
	if [ -z "$has_fallback" ]; then
		printf -- '- %s: not judged (hlink has no --fallback yet)\n' "$text"
		return
	fi
	if [ -z "$a" ] || [ -z "$b" ]; then
		printf -- '- %s: MISSED (no time)\n' "$text"
		return
	fi
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	if [ "$(verdict "$2/$3")" != ok ]; then
		printf -- '- %s: MISSED (wrong result: %s), ratio %s\n' "$text" \
		    "$(verdict "$2/$3")" "$r"
	elif awk -v r="$r" -v l="$6" -v op="$5" \
	    'BEGIN { exit !(op == "<=" ? r <= l : r < l) }'; then
		printf -- '- %s: MET, %s %s %s\n' "$text" "$r" "$5" "$6"
	else
		printf -- '- %s: MISSED, %s, not %s %s\n' "$text" "$r" "$5" "$6"
	fi
}

# --- the scenarios ---------------------------------------------------------

hl_q="$hlink -q"
note "making the data: ${size_mb} MiB, $nfiles small files, a tree of $nfiles"
make_data
cwd=$w

# large: one file, tmpfs -> ext4
if wanted large; then
	scen=large
	prep="rm -f $E/big.dst; sync"
	once "cp -p" "$prep" "cp -p $T/big $E/big.dst" check_file "cp -p" "$T/big" "$E/big.dst"
	once "cp --reflink=auto -p" "$prep" "cp --reflink=auto -p $T/big $E/big.dst" \
	    check_file "cp --reflink=auto -p" "$T/big" "$E/big.dst"
	large=("cp -p" "cp -p $T/big $E/big.dst"
	    "cp --reflink=auto -p" "cp --reflink=auto -p $T/big $E/big.dst")
	if [ -n "$has_fallback" ]; then
		once "hlink --fallback=copy" "$prep" "$hl_q --fallback=copy $T/big $E/big.dst" \
		    check_file "hlink --fallback=copy" "$T/big" "$E/big.dst"
		large+=("hlink --fallback=copy" "$hl_q --fallback=copy $T/big $E/big.dst")
	fi
	note "timing: large"
	time_scenario large "${size_mb} MiB file, tmpfs -> ext4" "$prep" "${large[@]}"
fi

# small: many files into one directory, through xargs (-t DIR)
if wanted small; then
	cwd=$T/small
	scen=small
	prep="rm -rf $E/small.dst; mkdir $E/small.dst; sync"
	xa="xargs -0 -a $w/small.list"
	# (the directory is the prepare's, not a copy)
	check_small() { check_tree "$1" "$T/small" "$E/small.dst" 1; }
	once "cp -p" "$prep" "$xa cp -p -t $E/small.dst" check_small "cp -p"
	once "cp --reflink=auto -p" "$prep" "$xa cp --reflink=auto -p -t $E/small.dst" \
	    check_small "cp --reflink=auto -p"
	small=("cp -p" "$xa cp -p -t $E/small.dst"
	    "cp --reflink=auto -p" "$xa cp --reflink=auto -p -t $E/small.dst")
	if [ -n "$has_fallback" ]; then
		once "hlink --fallback=copy" "$prep" "$xa $hl_q --fallback=copy -t $E/small.dst" \
		    check_small "hlink --fallback=copy"
		small+=("hlink --fallback=copy" "$xa $hl_q --fallback=copy -t $E/small.dst")
	fi
	note "timing: small"
	time_scenario small "$nfiles small files, tmpfs -> ext4" "$prep" "${small[@]}"
	cwd=$w
fi

# tree: -r across filesystems against cp -a
if wanted tree; then
	scen=tree
	prep="rm -rf $E/tree.dst; sync"
	once "cp -a" "$prep" "cp -a $T/tree $E/tree.dst" check_tree "cp -a" "$T/tree" "$E/tree.dst"
	tree=("cp -a" "cp -a $T/tree $E/tree.dst")
	if [ -n "$has_fallback" ]; then
		hr="$hl_q -r --fallback=copy"
		once "hlink -r --fallback=copy -j 2" "$prep" "$hr -j 2 $T/tree $E/tree.dst" \
		    check_tree "hlink -r --fallback=copy -j 2" "$T/tree" "$E/tree.dst"
		once "hlink -r --fallback=copy -j 1" "$prep" "$hr -j 1 $T/tree $E/tree.dst" \
		    check_tree "hlink -r --fallback=copy -j 1" "$T/tree" "$E/tree.dst"
		tree+=("hlink -r --fallback=copy -j 2" "$hr -j 2 $T/tree $E/tree.dst"
		    "hlink -r --fallback=copy -j 1" "$hr -j 1 $T/tree $E/tree.dst")
	fi
	note "timing: tree"
	time_scenario tree "tree of $nfiles files, tmpfs -> ext4" "$prep" "${tree[@]}"
fi

# clone: on XFS, as uid 65534, who may not hard-link root's 0644 file
if wanted clone; then
	scen=clone
	prep="rm -f $X/out/c"
	as=${nobody[*]}
	if [ "$(cat /proc/sys/fs/protected_hardlinks)" != 1 ]; then
		note "fs.protected_hardlinks is not 1: the hard link would succeed; no clone rows"
	else
		once "cp --reflink=always" "$prep" "$as cp --reflink=always $X/big $X/out/c" \
		    check_clone "cp --reflink=always"
		clone=("cp --reflink=always" "$as cp --reflink=always $X/big $X/out/c")
		if [ -n "$has_fallback" ]; then
			once "hlink --fallback=clone" "$prep" \
			    "$as $hl_q --fallback=clone $X/big $X/out/c" \
			    check_clone "hlink --fallback=clone"
			clone+=("hlink --fallback=clone" "$as $hl_q --fallback=clone $X/big $X/out/c")
		fi
		note "timing: clone"
		time_scenario clone "${size_mb} MiB clone on XFS (uid 65534)" "$prep" "${clone[@]}"
	fi
fi

# --- the report --------------------------------------------------------------

printf '\n## hlink --fallback: copies and clones (bench/copy.sh)\n\n'
peers_only=' (no --fallback yet: peers only)'
[ -z "$has_fallback" ] || peers_only=''
printf 'hlink: %s%s; %d rounds of %d runs per command, each after a warm-up;\n' \
    "${HLINK:-$top/hlink}" "$peers_only" "$rounds" "$runs"
printf 'medians of the pooled times, in seconds; cpu: mean user + system.\n\n'
printf '| scenario | command | median | min | max | runs | cpu | / first | result |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n'
cat "$table"
printf '\nGoals:\n\n'
goal "copy of a ${size_mb} MiB file at most ${goal_copy}x cp -p" large \
    "hlink --fallback=copy" "cp -p" "<=" "$goal_copy"
goal "copy of $nfiles small files at most ${goal_copy}x cp -p" small \
    "hlink --fallback=copy" "cp -p" "<=" "$goal_copy"
goal "tree with -j 2 faster than cp -a" tree \
    "hlink -r --fallback=copy -j 2" "cp -a" "<" 1
goal "clone as fast as cp --reflink=always (at most ${goal_clone}x)" clone \
    "hlink --fallback=clone" "cp --reflink=always" "<=" "$goal_clone"
if [ ${#bad[@]} -gt 0 ]; then
	printf '\nWrong results:\n\n'
	printf -- '- %s\n' "${bad[@]}"
	exit 1
fi
