# tools/release/lib.sh: what the release checks share; each check sources
# it.  Every check runs under `set -euo pipefail`, so any command that
# fails (a pipe's first stage included) fails the check; a command whose
# failure is expected is written `if ! cmd` or `cmd || fail ...`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
check=$(basename "$0")

VERSION=$(sed -n 's/^VERSION = *//p' Makefile)
REL=build/rel
TAR=${TAR:-tar}
MAKE=${MAKE:-make}
# The variant builds fail on a warning; RELEASE_WERROR= lets one go on.
RELEASE_WERROR=${RELEASE_WERROR--Werror}
# As the Makefile's HL_ variables, for what is built outside it.
HL_FLAGS=(-Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64
	"-DHLINK_VERSION=\"$VERSION\"" -std=c99 -Wall -Wextra -Wpedantic
	-pthread)
FUZZERS=(options quote)
# make inside a check is never the caller's make -k or -j
unset MAKEFLAGS MFLAGS

fail() { echo "$check: FAILED: $*" >&2; exit 1; }
say() { echo "== $*"; }

# dist_files: the files the tarball ships, one a line, sorted
dist_files()
{
	local f
	for f in Makefile README.md LICENSE .clang-tidy include/*.h src/*.c \
	    src/*.h man/hlink.1 doc/*.md bench/*.c bench/*.sh bench/*.md \
	    tests/unit/*.c tests/unit/*.h tests/integration/*.sh \
	    tests/integration/shim/*.c tests/copy/*.sh \
	    tests/fuzz/*.c tests/fuzz/*.dict tests/fuzz/corpus/*/* \
	    tests/fuzz/regress/*.md tests/fuzz/regress/*/* \
	    tests/completions/*.sh tests/completions/*.zsh \
	    contrib/completions/* tools/release/* tools/check-floors; do
		if [ -f "$f" ]; then printf '%s\n' "$f"; fi
	done | LC_ALL=C sort
}

# rel_copy NAME: build/rel/NAME, a fresh copy of the distributed files, so
# that a variant build never mixes with the main one and proves the list
# complete
rel_copy()
{
	local d=$REL/$1
	say "copy of the distributed files in $d"
	rm -rf "$d"
	mkdir -p "$d"
	dist_files | $TAR -cf - -T - | $TAR -xf - -C "$d"
}

# integration HLINK LOG [FILTER]: the integration tests on HLINK (absolute),
# environment as the caller set it; all but the PASS lines shown.  Fails
# unless the suite exits 0 and its summary says tests ran and none failed.
integration()
{
	local hlink=$1 log=$2 rc=0 summary
	say "integration tests on $hlink${3:+ matching '$3'}"
	HLINK=$hlink bash tests/integration/run.sh ${3:+"$3"} >"$log" 2>&1 ||
	    rc=$?
	grep -v '^PASS ' "$log" || true	# grep -v finding nothing is fine
	summary=$(tail -n 1 "$log")
	[ "$rc" -eq 0 ] || fail "integration tests on $hlink: exit $rc ($summary)"
	case $summary in
	0\ passed*) fail "no integration test passed ($summary)" ;;
	*\ passed,\ 0\ failed,*) ;;
	*) fail "integration tests: unexpected summary '$summary'" ;;
	esac
}

# build_fuzzer CC KIND NAME: build/fuzz/KIND_NAME, KIND fuzz (libFuzzer)
# or replay (over files, any compiler)
build_fuzzer()
{
	local cc=$1 kind=$2 name=$3 src=(tests/fuzz/fuzz_$3.c src/quote.c)
	[ "$name" = options ] && src+=(src/options.c)
	mkdir -p build/fuzz
	if [ "$kind" = fuzz ]; then
		$cc "${HL_FLAGS[@]}" -g -O1 -fsanitize=fuzzer,address,undefined \
		    -fno-sanitize-recover=all -o "build/fuzz/fuzz_$name" "${src[@]}"
	else
		$cc "${HL_FLAGS[@]}" -Werror -g -O1 -o "build/fuzz/replay_$name" \
		    tests/fuzz/replay.c "${src[@]}"
	fi
}

# kernel_headers: a directory of links to the kernel's headers alone, for
# musl-gcc, which searches no glibc header directory
kernel_headers()
{
	local d=$root/$REL/kernel-headers arch
	arch=$(gcc -print-multiarch)
	mkdir -p "$d"
	ln -sfn /usr/include/linux "$d/linux"
	ln -sfn /usr/include/asm-generic "$d/asm-generic"
	ln -sfn "/usr/include/$arch/asm" "$d/asm"
	echo "$d"
}
