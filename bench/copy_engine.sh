#!/bin/bash
# copy_engine.sh: the copy engine (build/copy_driver) against cp, before
# the CLI calls it.  Inside a private mount namespace (root):
#   1. a clone of a 1 GiB file on XFS (reflink=1): driver clone against
#      cp --reflink=always;
#   2. a copy of a 1 GiB file from tmpfs to ext4: driver copy against
#      cp -p.
# hyperfine runs each BENCH_RUNS times (default 5) and the medians are
# printed.  Tunables: BENCH_RUNS, BENCH_SIZE_MB (default 1024).

set -e
here=$(cd "$(dirname "$0")" && pwd)
driver=${DRIVER:-$here/../build/copy_driver}
runs=${BENCH_RUNS:-5}
size=${BENCH_SIZE_MB:-1024}

skip() { echo "SKIP copy_engine: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root for mounts"
[ -x "$driver" ] || skip "no $driver (make build/copy_driver)"
for c in unshare hyperfine mkfs.xfs mkfs.ext4 jq; do
	command -v $c >/dev/null || skip "no $c"
done
if [ -z "$BENCH_INSIDE" ]; then
	BENCH_INSIDE=1 exec unshare -m --propagation private bash "$0" "$@"
fi

w=$(mktemp -d /tmp/hlink-bench-copy.XXXXXX)
trap 'umount "$w/xfs" "$w/ext4" "$w/tmpfs" 2>/dev/null; rm -rf "$w"' EXIT
mkdir "$w/xfs" "$w/ext4" "$w/tmpfs"
truncate -s $((size * 3))M "$w/xfs.img" "$w/ext4.img"
mkfs.xfs -q -f -m reflink=1 "$w/xfs.img"
mkfs.ext4 -q -F "$w/ext4.img"
mount -o loop "$w/xfs.img" "$w/xfs"
mount -o loop "$w/ext4.img" "$w/ext4"
mount -t tmpfs -o size=$((size + 64))M tmpfs "$w/tmpfs"
head -c $((size << 20)) /dev/urandom >"$w/tmpfs/big"
cp "$w/tmpfs/big" "$w/xfs/big"
sync

# Wall-clock median, and the mean CPU time (user + system), which the
# other load of a shared machine disturbs less.
median()
{
	jq -r '.results[] | "\(.command): median \(.median * 1000 | floor) ms (min \(.min * 1000 | floor), max \(.max * 1000 | floor)), cpu \((.user + .system) * 1000 | floor) ms"' "$1"
}

hyperfine -N -r "$runs" -w 1 --export-json "$w/clone.json" \
    -p "rm -f $w/xfs/c" \
    -n "driver clone" "$driver clone $w/xfs/big $w/xfs/c" \
    -n "cp --reflink=always" "cp --reflink=always $w/xfs/big $w/xfs/c" \
    >/dev/null 2>&1
echo "clone of ${size} MiB on XFS:"
median "$w/clone.json"

hyperfine -N -r "$runs" -w 1 --export-json "$w/copy.json" \
    -p "bash -c 'rm -f $w/ext4/c; sync'" \
    -n "driver copy" "$driver copy $w/tmpfs/big $w/ext4/c" \
    -n "cp -p" "cp -p $w/tmpfs/big $w/ext4/c" \
    >/dev/null 2>&1
echo "copy of ${size} MiB tmpfs -> ext4 (page cache; no fsync):"
median "$w/copy.json"
cmp "$w/tmpfs/big" "$w/ext4/c" && echo "contents checked: equal"
