# t_readme.sh: the examples of the README and the man page, as printed,
# so that the pages a new user reads first cannot drift from the program.
# Examples that depend on the machine (/home, /dev/shm, /srv) are covered
# by the tests of their messages in t_crossdev.sh and t_forms.sh.

test_readme__link_count_rises()
{
	mkfile report.txt
	asserted
	[ "$(nlink report.txt)" = 1 ] || fail "a new file has $(nlink report.txt) links"
	run_hlink report.txt final.txt
	expect_ok
	expect_nlink report.txt 2
	# "Running the same command again succeeds and changes nothing"
	snap_save
	run_hlink report.txt final.txt
	expect_ok
	expect_unchanged
}

test_readme__t_verbose()
{
	mkdir backup
	mkfile a.txt
	mkfile b.txt
	run_hlink -v -t backup a.txt b.txt
	expect_status 0
	expect_stderr
	expect_stdout "'backup/a.txt' => 'a.txt'" "'backup/b.txt' => 'b.txt'"
}

test_readme__src_dir_and_dst_dir()
{
	mkdir -p rel/1.0 rel/1.1
	mkfile rel/1.0/index.html
	mkfile rel/1.0/style.css
	run_hlink --src-dir=rel/1.0 --dst-dir=rel/1.1 index.html style.css .
	expect_ok
	expect_same_inode rel/1.1/index.html rel/1.0/index.html
	expect_same_inode rel/1.1/style.css rel/1.0/style.css
}

test_readme__existing_destination()
{
	mkfile draft.txt
	mkfile final.txt
	run_hlink draft.txt final.txt
	expect_result 1 \
	    "hlink: cannot link 'final.txt' to 'draft.txt': 'final.txt' already exists" \
	    "hlink: hint: use -f to replace it"
	run_hlink --dry-run -f draft.txt final.txt
	expect_status 0
	expect_stderr
	expect_stdout "would replace 'final.txt' => 'draft.txt'"
	expect_not_same_inode final.txt draft.txt
	run_hlink -f draft.txt final.txt
	expect_ok
	expect_same_inode final.txt draft.txt
}

test_readme__a_directory()
{
	mkdir photos
	run_hlink photos album
	expect_result 1 \
	    "hlink: cannot link 'album' to 'photos': 'photos' is a directory, and directories cannot be hard-linked" \
	    "hlink: hint: use -s to make a symbolic link instead"
	run_hlink -sqv --relative photos album
	expect_status 0
	expect_stderr
	expect_stdout "'album' -> 'photos'"
	expect_symlink album photos
}

test_readme__not_a_copy()
{
	echo draft >a
	run_hlink a b
	expect_ok
	echo final >>b
	expect_content a "draft
final"
}

# the -r examples: a tree with photos/a.jpg and photos/2025/b.jpg
test_readme__r_verbose_rerun_and_dry_run()
{
	mkdir -p photos/2025 backup
	mkfile photos/a.jpg
	mkfile photos/2025/b.jpg
	run_hlink -rv photos backup
	expect_status 0
	expect_stderr
	expect_sorted out "created directory 'backup/photos'" \
	    "'backup/photos/a.jpg' => 'photos/a.jpg'" \
	    "created directory 'backup/photos/2025'" \
	    "'backup/photos/2025/b.jpg' => 'photos/2025/b.jpg'"
	run_hlink -rvT photos backup/photos
	expect_ok
	run_hlink -r --dry-run photos copy
	expect_status 0
	expect_stderr
	expect_sorted out "would create directory 'copy'" \
	    "would link 'copy/a.jpg' => 'photos/a.jpg'" \
	    "would create directory 'copy/2025'" \
	    "would link 'copy/2025/b.jpg' => 'photos/2025/b.jpg'"
	expect_missing copy
}

test_readme__list_verbose()
{
	mkfile report.txt
	ln report.txt final.txt
	run_hlink --list -v report.txt .
	expect_status 0
	expect_sorted out ./report.txt ./final.txt
	expect_stderr "hlink: found 2 of 2 names"
	run_hlink --list -0 report.txt .
	expect_status 0
	asserted
	[ "$(tr '\0' '\n' <"$CAP/out" | LC_ALL=C sort | tr '\n' ' ')" = "./final.txt ./report.txt " ] ||
	    fail "--list -0: not the two names, NUL-terminated" "$(visible "$CAP/out")"
}

# the man page's EXAMPLES: operands in the wrong order
test_readme__operands_in_the_wrong_order()
{
	mkfile report.txt
	run_hlink new.txt report.txt
	expect_result 1 \
	    "hlink: cannot link 'report.txt' to 'new.txt': 'new.txt' does not exist"
	run_hlink report.txt new.txt
	expect_ok
	expect_same_inode new.txt report.txt
}
