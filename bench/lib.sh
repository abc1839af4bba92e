# shellcheck shell=bash disable=SC2154,SC2034 # shared with the sourcing script
# bench/lib.sh: what run.sh, list.sh and tree.sh share.  Source it after
# setting here, top, hlink, tmpfs_base, disk_base and keep.

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench: %s\n' "$*" >&2; }

# bench_dirs NAME: tmp, tmpfs_work and disk_work, removed on every exit,
# and out (BENCH_OUT or tmp); warns when tmpfs or disk is not what it says.
bench_dirs()
{
	tmp='' tmpfs_work='' disk_work=''
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	tmpfs_work=$(mktemp -d "$tmpfs_base/$1.XXXXXX")
	disk_work=$(mktemp -d "$disk_base/$1.XXXXXX")
	out=${keep:-$tmp}
	mkdir -p "$out"
	[ "$(stat -f -c %T "$tmpfs_work")" = tmpfs ] ||
		note "warning: $tmpfs_base is $(fstype "$tmpfs_work"), not tmpfs"
	[ "$(stat -f -c %T "$disk_work")" != tmpfs ] ||
		note "warning: $disk_base is tmpfs, not a disk; set BENCH_DISK"
}

# shellcheck disable=SC2317 # called by the trap
bench_cleanup()
{
	rm -rf -- ${tmp:+"$tmp"} ${tmpfs_work:+"$tmpfs_work"} \
	    ${disk_work:+"$disk_work"}
}

# stat -f says "ext2/ext3" for ext4; findmnt names the mount's type.
fstype() { findmnt -n -o FSTYPE -T "$1" 2>/dev/null | head -n 1 || stat -f -c %T "$1"; }

# bench_hlink: builds hlink if need be and measures a copy of it, so that
# a rebuild during the run cannot swap (or half write) the binary.
bench_hlink()
{
	if [ ! -x "$hlink" ]; then
		note "building hlink: make -C $top"
		make -C "$top" >&2
	fi
	[ -x "$hlink" ] || die "no hlink at $hlink"
	hlink_shown=$hlink
	cp "$hlink" "$tmp/hlink"
	hlink=$tmp/hlink
}
