# t_changes.sh: a tree that changes while hlink works on it is reported
# as changed, never blamed on the filesystem.

# An entry that is a directory when linkat() runs and a symlink again
# when hlink asks why: not "the filesystem does not support hard links",
# and no -s hint, but what happened.
test_changes__entry_swapped_during_tree_is_a_change()
{
	build_shim swap_at_link
	mkdir -p src swapdir
	mkfile src/f
	ln -s f src/x
	HLINK_SHIM_NAME=x HLINK_SHIM_PARK=$SB/parked \
	    HLINK_SHIM_DIR=$SB/swapdir LD_PRELOAD=$PRELOAD \
	    run_hlink -r -j 1 src dst
	expect_cannot dst/x src/x \
	    "'src/x' changed while hlink was linking it (Operation not permitted)" \
	    "run hlink again once nothing else changes it"
	expect_same_inode src/f dst/f
	expect_missing dst/x
	expect_no_temp dst
}

# The same swap under -s: a change is no reason for a symlink.
test_changes__entry_swapped_is_no_reason_to_fall_back()
{
	build_shim swap_at_link
	mkdir swapdir
	ln -s nowhere x
	HLINK_SHIM_NAME=x HLINK_SHIM_PARK=$SB/parked \
	    HLINK_SHIM_DIR=$SB/swapdir LD_PRELOAD=$PRELOAD \
	    run_hlink -P -s x y
	expect_cannot y x \
	    "'x' changed while hlink was linking it (Operation not permitted)" \
	    "run hlink again once nothing else changes it"
	expect_missing y
}
