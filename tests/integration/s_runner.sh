# shellcheck disable=SC2050	# constant tests, on purpose
# s_runner.sh: tests of the test runner itself (run.sh --selftest).
#
# Each test_red__* must FAIL, each test_green__* must PASS, each
# test_skip__* must SKIP.  In a red test, the line marked "# FAILS HERE"
# (or, in a helper, the line after "# FAILS HERE (test name)") must be
# the line its FAIL report names.

test_green__asserts_and_holds()
{
	mkfile f
	expect_exists f
}

test_green__expected_failure_through_run()
{
	# a command meant to fail, kept for an expectation
	run false
	expect_status 1
}

test_green__failure_in_a_condition()
{
	if false; then :; fi
	false || :
	! true || :
	[ 1 = 2 ] && fail "cannot happen"
	expect_missing nothing
}

test_skip__skips()
{
	skip "the runner's self-test"
}

test_red__assert_then_failing_bracket()
{
	expect_missing nothing
	[ 1 = 2 ]	# FAILS HERE
}

test_red__assert_then_failing_command()
{
	expect_missing nothing
	ls /nonexistent-hlink-selftest 2>/dev/null	# FAILS HERE
	expect_missing nothing-either
}

test_red__failing_setup_in_a_helper()
{
	selftest_helper_that_fails
	expect_missing nothing
}

selftest_helper_that_fails()
{
	# FAILS HERE (test_red__failing_setup_in_a_helper)
	mkdir /nonexistent-hlink-selftest/d 2>/dev/null
}

test_red__returns_non_zero()
{
	expect_missing nothing
	return 3
}

test_red__failing_command_substitution()
{
	local x
	x=$(cat /nonexistent-hlink-selftest 2>/dev/null)	# FAILS HERE
	expect_missing "$x-nothing"
}

test_red__failed_expectation()
{
	mkfile f
	expect_missing f
}

test_red__no_expectation()
{
	mkfile f
}

test_red__unexpected_status()
{
	run false
	expect_status 0
}
