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

# read_json DIGITS FILE...: hyperfine JSON files -> "name mean sd runs
# median user system" (ms, DIGITS decimals) per command, the times of all
# files pooled; user and system are the means weighted by runs.
read_json() {
	python3 - "$@" <<'EOF'
import json, statistics, sys
digits, paths = int(sys.argv[1]), sys.argv[2:]
times, user, system = {}, {}, {}
for path in paths:
    for r in json.load(open(path))["results"]:
        n = len(r["times"])
        times.setdefault(r["command"], []).extend(r["times"])
        user[r["command"]] = user.get(r["command"], 0.0) + r["user"] * n
        system[r["command"]] = system.get(r["command"], 0.0) + r["system"] * n
def ms(x):
    return "%.*f" % (digits, x * 1e3)
for name, t in times.items():
    sd = statistics.stdev(t) if len(t) > 1 else 0.0
    print(name, ms(statistics.mean(t)), ms(sd), len(t),
          ms(statistics.median(t)), ms(user[name] / len(t)),
          ms(system[name] / len(t)))
EOF
}

q() { printf '%q' "$1"; }

# ratio A B: A / B with ratio_digits (3) decimals, or n/a.
ratio() {
	case "$1$2" in *n/a*) printf 'n/a' ;; *)
		awk -v a="$1" -v b="$2" -v d="${ratio_digits:-3}" \
		    'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }' ;;
	esac
}

# field_of FILE NAME FIELD -> a value from read_json's output (2 mean,
# 3 sd, 4 runs, 5 median, 6 user, 7 system), or n/a.
field_of() { awk -v n="$2" -v f="$3" '$1 == n { print $f; found = 1 } END { if (!found) print "n/a" }' "$1"; }
