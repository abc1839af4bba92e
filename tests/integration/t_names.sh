# t_names.sh: names that would disguise themselves in a message.

# A right-to-left override makes 'gpj.exe' show as 'exe.jpg' unless the
# override itself is escaped, as a control byte is.
test_names__right_to_left_override_escaped()
{
	local name=$'\xe2\x80\xaegpj.exe'

	run_hlink "$name" b
	expect_cannot b '\xe2\x80\xaegpj.exe' \
	    "'\\xe2\\x80\\xaegpj.exe' does not exist"
}

test_names__isolates_and_zero_width_escaped()
{
	mkfile a
	mkfile $'x\xe2\x81\xa7y\xe2\x80\x8b'
	run_hlink a $'x\xe2\x81\xa7y\xe2\x80\x8b'
	expect_cannot 'x\xe2\x81\xa7y\xe2\x80\x8b' a \
	    "'x\\xe2\\x81\\xa7y\\xe2\\x80\\x8b' already exists" \
	    "use -f to replace it"
}

# Ordinary non-ASCII text is shown as it is.
test_names__plain_unicode_kept()
{
	mkfile a
	mkfile $'caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5'
	run_hlink a $'caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5'
	expect_cannot $'caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5' a \
	    $'\'caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5\' already exists' \
	    "use -f to replace it"
}
