#!/bin/bash
# engine_fs.sh TEST...: runs each cmocka TEST (build/test_copyfs) with
# HL_TEST_DIR on a Btrfs and on an XFS (reflink=1) loop image, made in a
# private mount namespace so that nothing outside sees the mounts.  Prints
# "SKIP engine_fs: <reason>" and exits 0 where it cannot run.  Exit 1 when
# a test fails.

skip()
{
	printf 'SKIP engine_fs: %s\n' "$*"
	exit 0
}

[ $# -gt 0 ] || { echo "usage: $0 TEST..." >&2; exit 2; }

if [ -z "$HL_ENGINE_FS_INSIDE" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root for loop mounts"
	for c in unshare mount losetup truncate mkfs.btrfs mkfs.xfs; do
		command -v "$c" >/dev/null 2>&1 || skip "no $c"
	done
	[ -e /dev/loop-control ] || skip "no /dev/loop-control"
	unshare -m --propagation private true 2>/dev/null ||
	    skip "unshare -m does not work here"
	HL_ENGINE_FS_INSIDE=1 exec unshare -m --propagation private \
	    bash "$0" "$@"
fi

work=$(mktemp -d /tmp/hlink-engine-fs.XXXXXX) || exit 1
cleanup()
{
	umount "$work/mnt" "$work/small" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/mnt" "$work/small"
# A 1 MiB tmpfs: a real ENOSPC for a 4 MiB copy.
mount -t tmpfs -o size=1M tmpfs "$work/small" ||
    { echo "SKIP engine_fs: cannot mount a tmpfs"; exit 0; }

# run_on FSNAME MKFS...: makes a 300 MiB image (XFS needs that much),
# mounts it and runs every test there.
run_on()
{
	local fs=$1 t rc=0
	shift
	rm -f "$work/img"
	truncate -s 300M "$work/img"
	"$@" "$work/img" >"$work/mkfs.log" 2>&1 ||
	    { echo "SKIP engine_fs $fs: $* failed: $(tail -1 "$work/mkfs.log")"
	    return 0; }
	mount -o loop "$work/img" "$work/mnt" 2>"$work/mount.log" ||
	    { echo "SKIP engine_fs $fs: mount failed: $(cat "$work/mount.log")"
	    return 0; }
	for t in "${TESTS[@]}"; do
		echo "== $t on $fs"
		# rmdir of an emptied small dir is the test's proof that no
		# temporary was left there.
		mkdir "$work/small/$fs"
		HL_TEST_DIR="$work/mnt" HL_TEST_SMALL="$work/small/$fs" "$t" ||
		    rc=1
		rm -rf "$work/small/$fs"
	done
	umount "$work/mnt"
	return $rc
}

TESTS=("$@")
status=0
run_on btrfs mkfs.btrfs -q -f || status=1
run_on xfs mkfs.xfs -q -f -m reflink=1 || status=1
exit $status
