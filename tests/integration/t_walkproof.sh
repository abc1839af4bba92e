# t_walkproof.sh: a walk that proves where it is.  A directory whose fd
# was closed to save descriptors and is reopened through ".." must be the
# same directory, not one that got its inode number since (issue 9).

# The attack runs on an ext4 image (lib.sh's ext4_image): ext4 reuses a
# freed inode number at once.

# The attack, as a script the shim runs while hlink is deep below
# src/P with P's fd closed: P/C moved out, P removed, directories made
# in other/ until one has P's inode number, filled with look-alikes of
# P's entries (files f1..f20 and directories e1..e20 holding x, each a
# link to $LOOKALIKE), and C moved into it.  The inode found is written
# to reused, for the test to know the attack was staged.
# shellcheck disable=SC2016,SC2089 # a script for bash, expanded there
ATTACK_SH='set -e
cd "$SB/e"
ino=$(stat -c %i src/P)
mv src/P/C parkC
rm -rf src/P
i=0
while :; do
	i=$((i + 1))
	mkdir other/q$i
	[ "$(stat -c %i other/q$i)" != "$ino" ] || break
	[ $i -lt 5000 ] || exit 1
done
q=other/q$i
for n in $(seq 1 20); do
	ln "$LOOKALIKE" $q/f$n
	mkdir $q/e$n
	ln "$LOOKALIKE" $q/e$n/x
done
mv parkC $q/C
echo "$q" >"$SB/reused"
'

# walk_attack_tree: src/P holding f1..f20, e1..e20 and C, with C/d/d/...
# 70 levels deep and a directory hold at the bottom (where the shim
# strikes); other/ for the attacker; other/foreign the look-alikes' inode
walk_attack_tree()
{
	local p=e/src/P/C i
	mkdir -p e/src/P e/other
	for i in $(seq 1 20); do
		mkfile "e/src/P/f$i"
		mkdir "e/src/P/e$i"
	done
	for i in $(seq 1 70); do p=$p/d; done
	mkdir -p "$p/hold"
	mkfile "$p/hold/deep"
	mkfile e/other/foreign foreign
	printf '%s\n' "$ATTACK_SH" >"$CAP/attack.sh"
}

# staged_attack ARGS...: inside in_ns, the tree of walk_attack_tree on an
# ext4 image, and hlink ARGS under 16 descriptors with the shim running
# the attack when hlink opens "hold"; the result loaded, and the attack
# proven staged
staged_attack()
{
	mkdir e
	mount -o loop "$CAP/img" e 2>/dev/null ||
	    skip "cannot mount an ext4 image (no loop device?)"
	walk_attack_tree
	(
		ulimit -n 16
		LOOKALIKE=$SB/e/other/foreign SB=$SB \
		    HLINK_SHIM_AT=hold HLINK_SHIM_RUN="bash $CAP/attack.sh" \
		    LD_PRELOAD=$PRELOAD run_hlink "$@"
	)
	load_result
	[ -s "$SB/reused" ] || fail "the attack was not staged"
}

# in_ns_attack SCRIPT: SCRIPT in a namespace where staged_attack runs
in_ns_attack()
{
	need_linux	# the file handle; POSIX has device and inode only
	build_shim run_at_open
	ext4_image 32M
	export CAP ATTACK_SH
	export -f walk_attack_tree staged_attack
	in_ns "$1"
}

# -r deep below src/P, with few descriptors: P's replacement is not
# taken for P, nothing of it reaches the replica, and the run says the
# tree changed.
test_walkproof__inode_reuse_under_r()
{
	in_ns_attack '
		staged_attack -r -j 1 e/src e/dst
		expect_status 1
		expect_stderr "hlink: directory '\''e/src/P'\'' changed while hlink was in it: not walked further"
		foreign=$(stat -c %i e/other/foreign)
		leak=$(find e/dst -inum "$foreign")
		[ -z "$leak" ] || fail "foreign files linked into the replica:" "$leak"
		expect_exists e/dst/P/C/d/d/d/d/d/d/d/d/d/d
	'
}

# --list deep below src/P: names in P's replacement are not listed.
test_walkproof__inode_reuse_under_list()
{
	in_ns_attack '
		staged_attack --list e/other/foreign e/src
		expect_status 1
		expect_stdout
		expect_stderr "hlink: directory '\''e/src/P'\'' changed while hlink was in it: not walked further"
	'
}

# --list under a small RLIMIT_NOFILE, in a tree deeper than it: every
# name, exit 0 (it kept 64 directories open, and ran out at 68 and below).
test_walkproof__list_under_small_fd_limit()
{
	local p=t i
	for i in $(seq 1 100); do p=$p/d; done
	mkdir -p "$p" t/a
	mkfile t/a/f
	ln t/a/f "$p/g"
	ln t/a/f t/h
	(
		ulimit -n 12
		run_hlink --list t/a/f t
	)
	load_result
	expect_status 0
	expect_sorted out t/a/f "$p/g" t/h
	expect_stderr
}

# -T with a new DSTDIR: its parent swapped for a symlink into SRC just
# before the replica's root is made.  The parent was resolved once, as an
# fd, so the replica is where the checks found the parent, never in SRC.
test_walkproof__dstdir_parent_swapped_for_a_symlink()
{
	build_shim run_at_open
	mkdir src p
	mkfile src/f
	HLINK_SHIM_AT=new HLINK_SHIM_RUN="mv p p.orig && ln -s src p" \
	    LD_PRELOAD=$PRELOAD run_hlink -r -j 1 -T src p/new
	[ -L p ] || fail "the parent was not swapped"
	expect_missing src/new
	[ "$(ls -A src)" = f ] || fail "entries made in src:" "$(ls -A src)"
	expect_status 0
	expect_same_inode src/f p.orig/new/f
}

# -r at ulimit -n 4 to 8 (below 4 the dynamic loader itself fails): a
# complete replica, or, where the descriptors are too few, one line
# saying so and nothing made.  At 7 and up the job fits.
test_walkproof__r_with_few_descriptors()
{
	local n p=src i
	for i in $(seq 1 12); do
		p=$p/d
		mkdir -p "$p/s"
		mkfile "$p/f$i"
		mkfile "$p/s/g$i"
	done
	for n in 4 5 6 7 8; do
		rm -rf dst
		run_limited $n -r -j 1 src dst
		if [ "$status" = 0 ]; then
			expect_stderr
			[ "$(cd src && find . | sort)" = "$(cd dst && find . | sort)" ] ||
			    fail "ulimit -n $n: the replica differs from src"
			expect_same_inode "$p/s/g12" "${p/src/dst}/s/g12"
		else
			expect_status 1
			expect_stderr "hlink: cannot replicate 'src': too few file descriptors are free (-r needs 4 besides those open; see ulimit -n)"
			expect_missing dst
			[ $n -lt 7 ] || fail "ulimit -n $n: refused, but the job fits"
		fi
	done
}
