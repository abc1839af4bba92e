# mk/release.mk: releasing hlink, and the checks a packager would run.
# Included at the end of the Makefile; see doc/RELEASE.md.
#
#   install-man install-completions   (run by `make install`)
#   fuzz fuzz-regress                  libFuzzer harnesses, tests/fuzz/
#   analyse (cppcheck clang-tidy) scan-build
#   valgrind valgrind-integration asan-integration tsan musl posix
#   check-completions
#   dist distcheck dist-reproducible packaging-check
#   release-check                      all but fuzz, scan-build and
#                                      valgrind-integration (slow)
#
# Everything is built under build/.  A variant build (sanitizers, musl,
# POSIX-only, packager's flags) runs the Makefile's own rules in a fresh
# copy of the distributed files, build/rel/NAME/, so its objects never
# mix with the main build's and the copy proves the file list complete.

# --- installing -----------------------------------------------------------

# Where each shell looks for completions under PREFIX; packagers may move
# them (Debian: ZSHCOMPDIR=/usr/share/zsh/vendor-completions) or install
# fewer (COMPLETIONS=bash).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
COMPLETIONS ?= bash zsh fish

# MANCOMPRESS=gzip, bzip2, xz or zstd installs hlink.1 compressed; empty
# (the default) installs it as it is, for packaging tools that compress
# it themselves.  gzip -n keeps the result byte-for-byte reproducible.
MANCOMPRESS ?=
MANCOMPRESS_CMD_gzip = gzip -9nc
MANCOMPRESS_CMD_bzip2 = bzip2 -9c
MANCOMPRESS_CMD_xz = xz -c
MANCOMPRESS_CMD_zstd = zstd -19qc
MANSUFFIX_gzip = .gz
MANSUFFIX_bzip2 = .bz2
MANSUFFIX_xz = .xz
MANSUFFIX_zstd = .zst
MANSUFFIXES = .gz .bz2 .xz .zst
MANPAGE = $(DESTDIR)$(MANDIR)/man1/hlink.1

.PHONY: install-man uninstall-man install-completions uninstall-completions \
	$(COMPLETIONS:%=install-completion-%) \
	$(COMPLETIONS:%=uninstall-completion-%)

# Whatever was installed before (another MANCOMPRESS) is replaced, so that
# man never finds two pages.
install-man:
	@case '$(MANCOMPRESS)' in ''|gzip|bzip2|xz|zstd) ;; *) \
		echo "MANCOMPRESS=$(MANCOMPRESS): use gzip, bzip2, xz or zstd" \
		    "(or nothing)" >&2; exit 1 ;; esac
	install -d $(DESTDIR)$(MANDIR)/man1
	rm -f $(MANPAGE) $(MANSUFFIXES:%=$(MANPAGE)%)
ifeq ($(MANCOMPRESS),)
	install -m 0644 man/hlink.1 $(MANPAGE)
else
	$(MANCOMPRESS_CMD_$(MANCOMPRESS)) <man/hlink.1 \
		>$(MANPAGE)$(MANSUFFIX_$(MANCOMPRESS))
	chmod 0644 $(MANPAGE)$(MANSUFFIX_$(MANCOMPRESS))
endif

uninstall-man:
	rm -f $(MANPAGE) $(MANSUFFIXES:%=$(MANPAGE)%)

install-completions: $(COMPLETIONS:%=install-completion-%)
uninstall-completions: $(COMPLETIONS:%=uninstall-completion-%)

install-completion-bash:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 contrib/completions/hlink.bash \
		$(DESTDIR)$(BASHCOMPDIR)/hlink
install-completion-zsh:
	install -d $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 contrib/completions/_hlink $(DESTDIR)$(ZSHCOMPDIR)/_hlink
install-completion-fish:
	install -d $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 contrib/completions/hlink.fish \
		$(DESTDIR)$(FISHCOMPDIR)/hlink.fish
uninstall-completion-bash:
	rm -f $(DESTDIR)$(BASHCOMPDIR)/hlink
uninstall-completion-zsh:
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_hlink
uninstall-completion-fish:
	rm -f $(DESTDIR)$(FISHCOMPDIR)/hlink.fish

# --- the distributed files --------------------------------------------------

DIST_NAME = hlink-$(VERSION)
DIST_TARBALL = $(DIST_NAME).tar.gz
DIST_FILES = Makefile README.md LICENSE .clang-tidy mk/release.mk \
	$(wildcard include/*.h src/*.c src/*.h man/hlink.1 doc/*.md \
	bench/*.c bench/*.sh bench/*.md \
	tests/unit/*.c tests/unit/*.h tests/integration/*.sh \
	tests/fuzz/*.c tests/fuzz/*.dict tests/fuzz/corpus/*/* \
	tests/fuzz/regress/*.md tests/fuzz/regress/*/* \
	tests/completions/*.sh tests/completions/*.zsh contrib/completions/*)
# Tracked by git but not shipped (an extended regular expression on the
# whole path): CI's own scripts.
DIST_EXCLUDE = \.gitignore|\.ci/.*

REL = build/rel
TAR ?= tar
# The variant builds fail on a warning; RELEASE_WERROR= lets one run on.
RELEASE_WERROR = -Werror

# $(call rel_copy,NAME): build/rel/NAME/, a fresh copy of DIST_FILES
define rel_copy
	@echo "== copy of the distributed files in $(REL)/$(1)"
	@rm -rf $(REL)/$(1) && mkdir -p $(REL)/$(1)
	@$(TAR) -cf - $(DIST_FILES) | $(TAR) -xf - -C $(REL)/$(1)
endef

# $(call integration,HLINK,LOG[,ENV]): the integration tests on HLINK;
# the PASS lines go to LOG only.
define integration
	@echo "== integration tests: $(1) $(3)"
	@$(3) HLINK=$(1) bash tests/integration/run.sh >$(2) 2>&1; rc=$$?; \
		grep -v '^PASS ' $(2); exit $$rc
endef

.PHONY: release-check fuzz fuzz-regress analyse cppcheck clang-tidy \
	scan-build valgrind valgrind-integration asan-integration tsan \
	musl musl-werror musl-build musl-replay musl-integration \
	posix posix-gcc posix-clang posix-musl \
	check-completions dist distcheck dist-reproducible packaging-check

release-check: fuzz-regress analyse valgrind asan-integration tsan musl \
	posix check-completions distcheck dist-reproducible packaging-check

# --- fuzzing ----------------------------------------------------------------

FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_TIME = 30
FUZZERS = options quote
FUZZ_SRC_options = tests/fuzz/fuzz_options.c src/options.c src/quote.c
FUZZ_SRC_quote = tests/fuzz/fuzz_quote.c src/quote.c
FUZZ_DEPS = include/hardlink.h src/options.h src/sys.h | build/fuzz

build/fuzz:
	mkdir -p $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c src/options.c src/quote.c $(FUZZ_DEPS)
	$(FUZZ_CC) $(HL_CPPFLAGS) $(HL_CFLAGS) $(FUZZ_FLAGS) -o $@ \
		$(FUZZ_SRC_$*)

# The same harnesses without libFuzzer, over files: any compiler, valgrind.
build/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c src/options.c \
		src/quote.c $(FUZZ_DEPS)
	$(CC) $(HL_CPPFLAGS) $(HL_CFLAGS) $(WERROR) -g -O1 -o $@ \
		tests/fuzz/replay.c $(FUZZ_SRC_$*)

# Each harness for FUZZ_TIME seconds, from its seeds and the corpus that
# earlier runs grew in build/fuzz/corpus/; a crash leaves its input in
# build/fuzz/artifacts/ and fails.  Found inputs that crashed go, once
# fixed, to tests/fuzz/regress/NAME/ (see its README.md).
fuzz: $(FUZZERS:%=build/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$f build/fuzz/artifacts/$$f; \
		dict=; [ -f tests/fuzz/$$f.dict ] && \
		    dict=-dict=tests/fuzz/$$f.dict; \
		regress=; [ -d tests/fuzz/regress/$$f ] && \
		    regress=tests/fuzz/regress/$$f; \
		echo "== fuzz_$$f for $(FUZZ_TIME) s"; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_TIME) \
		    -print_final_stats=1 -timeout=10 $$dict \
		    -artifact_prefix=build/fuzz/artifacts/$$f/ \
		    build/fuzz/corpus/$$f tests/fuzz/corpus/$$f $$regress \
		    >build/fuzz/fuzz_$$f.log 2>&1; rc=$$?; \
		if [ $$rc -ne 0 ]; then tail -n 60 build/fuzz/fuzz_$$f.log; \
		    echo "fuzz_$$f: FAILED (exit $$rc); the input is in" \
		        "build/fuzz/artifacts/$$f/"; exit 1; fi; \
		execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    build/fuzz/fuzz_$$f.log); \
		rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' \
		    build/fuzz/fuzz_$$f.log); \
		echo "fuzz_$$f: $$execs executions ($$rate/s), corpus" \
		    "$$(ls build/fuzz/corpus/$$f | wc -l) inputs, no crash"; \
	done

# The seeds and the regression inputs, once each: a quick test.
fuzz-regress: $(FUZZERS:%=build/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
		regress=; [ -d tests/fuzz/regress/$$f ] && \
		    regress=tests/fuzz/regress/$$f; \
		build/fuzz/fuzz_$$f -runs=0 tests/fuzz/corpus/$$f $$regress \
		    >build/fuzz/regress_$$f.log 2>&1 || \
		    { cat build/fuzz/regress_$$f.log; exit 1; }; \
		echo "fuzz_$$f: seeds and regression inputs pass"; \
	done

# --- analysers ----------------------------------------------------------------

CPPCHECK = cppcheck
CLANG_TIDY = clang-tidy
# readdirCalled (the POSIX fallback of hl_dir_next() in src/sys.c):
# cppcheck's posix library would have readdir_r(), which POSIX.1-2024
# made obsolescent and glibc deprecates.  readdir() is safe where one
# thread alone reads a DIR stream, as in hlink (each -r thread walks its
# own directories).  Nothing else is suppressed.
CPPCHECK_FLAGS = --enable=warning,portability,performance --std=c99 \
	--library=posix --inline-suppr --error-exitcode=1 --quiet \
	--suppress=readdirCalled -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L
ANALYSE_SRC = $(wildcard src/*.c) $(wildcard tests/fuzz/*.c)
# Each configuration of src/sys.c: as built on Linux, and the fallbacks.
ANALYSE_CONFIGS = -D__linux__ -DHL_POSIX_ONLY

analyse: cppcheck clang-tidy

cppcheck:
	@failed=0; for cfg in $(ANALYSE_CONFIGS); do \
		echo "== cppcheck $$cfg"; \
		$(CPPCHECK) $(CPPCHECK_FLAGS) $$cfg $(ANALYSE_SRC) || failed=1; \
	done; exit $$failed

# .clang-tidy holds the checks and why some are off.  clang-tidy counts
# the warnings it hid (those in system headers) on stderr: not shown.
clang-tidy:
	@mkdir -p build; failed=0; for cfg in '' -DHL_POSIX_ONLY; do \
		echo "== clang-tidy $$cfg"; \
		$(CLANG_TIDY) --quiet $(ANALYSE_SRC) -- $(HL_CPPFLAGS) -std=c99 \
		    $$cfg >build/clang-tidy.log 2>&1 || failed=1; \
		grep -v 'warnings\? generated\.$$' build/clang-tidy.log; \
	done; exit $$failed

# The path-sensitive analyser over the real build; clang-tidy's
# clang-analyzer-* runs the same engine, so CI does not run this too.
scan-build:
	$(call rel_copy,scan)
	scan-build --status-bugs -o $(CURDIR)/build/scan-build \
		$(MAKE) -C $(REL)/scan CC=clang hlink

# --- run-time checkers ------------------------------------------------------

VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes

# The unit tests (as `make check` builds them) and the fuzz harnesses over
# their seeds, under valgrind.
valgrind: $(UNIT_BIN) $(FUZZERS:%=build/fuzz/replay_%)
	@for t in $(UNIT_BIN); do \
		echo "== valgrind $$t"; \
		$(VALGRIND) $$t >$$t.valgrind.log 2>&1 || \
		    { cat $$t.valgrind.log; exit 1; }; \
		grep -h '^\[  PASSED  \]' $$t.valgrind.log; \
	done
	@for f in $(FUZZERS); do \
		echo "== valgrind build/fuzz/replay_$$f"; \
		$(VALGRIND) build/fuzz/replay_$$f tests/fuzz/corpus/$$f/* \
		    || exit 1; \
	done

# The integration tests with every hlink run under valgrind (memcheck,
# leaks included), through a wrapper that logs to files.  It finds what
# ASan cannot (reads of uninitialised memory) but takes some 10 minutes,
# so CI does not run it.  Only valgrind's reports are judged: a test that
# times hlink (test_force_race__dst_never_missing) cannot pass at
# valgrind's pace.
valgrind-integration: hlink
	rm -rf $(REL)/vg && mkdir -p $(REL)/vg/log && chmod 1777 $(REL)/vg/log
	printf '%s\n' '#!/bin/sh' 'exec $(VALGRIND) --error-exitcode=99 \
		--log-file=$(CURDIR)/$(REL)/vg/log/vg.%p $(CURDIR)/hlink "$$@"' \
		>$(REL)/vg/hlink && chmod 755 $(REL)/vg/hlink
	@echo "== integration tests, every hlink under valgrind"
	@HLINK=$(CURDIR)/$(REL)/vg/hlink bash tests/integration/run.sh \
		>$(REL)/vg/it.log 2>&1; grep '^FAIL' $(REL)/vg/it.log; \
		tail -n 1 $(REL)/vg/it.log
	@reports=$$(find $(REL)/vg/log -type f -size +0); \
	if [ -n "$$reports" ]; then cat $$reports; \
		echo "valgrind-integration: reports above"; exit 1; fi; \
	echo "valgrind-integration: no valgrind report"

SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
SAN_LOG = $(CURDIR)/$(REL)/asan/log

# The integration tests against hlink built with ASan and UBSan.  Reports
# go to files, so that a test's stderr stays as it expects, and any
# report fails the run, even when the test passed.  LeakSanitizer cannot
# run under ptrace, which the strace tests use, so the suite runs twice:
# first with leak detection off, where every test must pass; then with it
# on, where only leak reports count (a process under strace says that
# LeakSanitizer cannot run, and that is all it may say).
asan-integration:
	$(call rel_copy,asan)
	$(MAKE) -C $(REL)/asan --no-print-directory CFLAGS="-O1 -g $(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" WERROR=$(RELEASE_WERROR) hlink
	rm -rf $(SAN_LOG) && mkdir -p $(SAN_LOG)/errors $(SAN_LOG)/leaks && \
		chmod 1777 $(SAN_LOG)/errors $(SAN_LOG)/leaks
	$(call integration,$(CURDIR)/$(REL)/asan/hlink,$(REL)/asan/it.log,\
		ASAN_OPTIONS=log_path=$(SAN_LOG)/errors/san:detect_leaks=0 \
		UBSAN_OPTIONS=log_path=$(SAN_LOG)/errors/san:print_stacktrace=1)
	@if ls $(SAN_LOG)/errors/san* >/dev/null 2>&1; then \
		cat $(SAN_LOG)/errors/san*; \
		echo "asan-integration: sanitizer reports above"; exit 1; fi
	@echo "asan-integration: no ASan or UBSan report; now for leaks"
	@ASAN_OPTIONS=log_path=$(SAN_LOG)/leaks/san:detect_leaks=1 \
	    UBSAN_OPTIONS=log_path=$(SAN_LOG)/leaks/san:print_stacktrace=1 \
	    HLINK=$(CURDIR)/$(REL)/asan/hlink bash tests/integration/run.sh \
	    >$(REL)/asan/it-leaks.log 2>&1; \
	traced=0; for f in $(SAN_LOG)/leaks/san*; do \
		[ -e "$$f" ] || continue; \
		if grep -v '^==[0-9]*==HINT: ' "$$f" | grep -qv \
		    'LeakSanitizer has encountered a fatal error'; then \
			cat "$$f"; echo "asan-integration: leak report above"; \
			exit 1; fi; \
		grep -q 'does not work under ptrace' "$$f" || \
		    { cat "$$f"; exit 1; }; \
		traced=$$((traced + 1)); \
	done; \
	echo "asan-integration: no leak ($$traced processes under strace" \
	    "were not checked for leaks)"

# ThreadSanitizer over the tests of -r, the one mode with threads.  Only
# its reports are judged here (its own thread changes what a test that
# counts threads sees); the other runs judge the tests.
tsan:
	$(call rel_copy,tsan)
	$(MAKE) -C $(REL)/tsan --no-print-directory CC=clang \
		CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
		WERROR=$(RELEASE_WERROR) hlink
	rm -rf $(REL)/tsan/log && mkdir -p $(REL)/tsan/log && \
		chmod 1777 $(REL)/tsan/log
	@echo "== integration tests matching 'tree', under ThreadSanitizer"
	@TSAN_OPTIONS=log_path=$(CURDIR)/$(REL)/tsan/log/tsan \
	    HLINK=$(CURDIR)/$(REL)/tsan/hlink bash tests/integration/run.sh \
	    tree >$(REL)/tsan/it.log 2>&1; tail -n 1 $(REL)/tsan/it.log; \
	if tail -n 1 $(REL)/tsan/it.log | grep -q '^0 passed, 0 failed'; then \
		echo "tsan: no test of -r ran"; exit 1; fi; \
	if ls $(REL)/tsan/log/tsan* >/dev/null 2>&1; then \
		cat $(REL)/tsan/log/tsan*; echo "tsan: reports above"; exit 1; \
	fi; echo "tsan: no ThreadSanitizer report"

# --- portable builds --------------------------------------------------------

MUSL_CC = musl-gcc
# musl-gcc searches no glibc header directory, and so not the kernel's
# either: sys.c's <linux/fs.h> comes from links to those headers alone.
MULTIARCH = $(shell gcc -print-multiarch 2>/dev/null)

$(REL)/kernel-headers:
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm $@/asm

# hlink linked with musl: warning-free (musl-werror), and the integration
# tests on it (musl-integration).  The unit tests need cmocka, which
# Debian builds for glibc only; instead the option parser's fuzz harness
# replays its seeds and regression inputs (musl-replay), since musl's
# getopt_long() is not glibc's.  The three are independent: `make -k
# musl` (as CI runs it) reports each.
MUSL_KCPPFLAGS = -isystem $(CURDIR)/$(REL)/kernel-headers

musl: musl-werror musl-replay musl-integration

musl-werror: $(REL)/kernel-headers
	$(call rel_copy,musl-werror)
	$(MAKE) -C $(REL)/musl-werror --no-print-directory CC=$(MUSL_CC) \
		WERROR=$(RELEASE_WERROR) CPPFLAGS="$(MUSL_KCPPFLAGS)" hlink

musl-build: $(REL)/kernel-headers
	$(call rel_copy,musl)
	$(MAKE) -C $(REL)/musl --no-print-directory CC=$(MUSL_CC) WERROR= \
		CPPFLAGS="$(MUSL_KCPPFLAGS)" hlink
	@readelf -l $(REL)/musl/hlink | grep -q 'ld-musl' || \
		{ echo "musl: $(REL)/musl/hlink is not linked with musl"; exit 1; }
	cd $(REL)/musl && $(MUSL_CC) $(HL_CPPFLAGS) $(HL_CFLAGS) -g -O1 \
		-o replay_options tests/fuzz/replay.c $(FUZZ_SRC_options)

musl-replay: musl-build
	@echo "== $(REL)/musl/replay_options: the options harness on musl"
	@failed=0; for f in tests/fuzz/corpus/options/* \
	    $(wildcard tests/fuzz/regress/options/*); do \
		$(REL)/musl/replay_options "$$f" >/dev/null \
		    2>$(REL)/musl/replay.err || { echo "FAIL $$f (exit $$?)"; \
		    cat $(REL)/musl/replay.err; failed=1; }; \
	done; [ $$failed -eq 0 ] && echo "musl: the options harness passes" \
	    "its seeds and regression inputs"

musl-integration: musl-build
	$(call integration,$(CURDIR)/$(REL)/musl/hlink,$(REL)/musl/it.log)

# -DHL_POSIX_ONLY: the fallbacks that the BSDs and macOS get, under
# -std=c99 -D_POSIX_C_SOURCE=200809L and -Werror, with gcc, clang, and
# musl (whose headers declare nothing POSIX does not ask for, nor does
# this need the kernel's).  The gcc build runs the unit tests and the
# integration tests; those that need the Linux calls skip themselves
# (need_linux, with HLINK_POSIX_ONLY=1).
posix: posix-gcc posix-clang posix-musl

posix-gcc:
	$(call rel_copy,posix-gcc)
	$(MAKE) -C $(REL)/posix-gcc --no-print-directory CC=gcc \
		WERROR=$(RELEASE_WERROR) CPPFLAGS=-DHL_POSIX_ONLY hlink check-unit \
		>$(REL)/posix-gcc.log 2>&1 || { cat $(REL)/posix-gcc.log; exit 1; }
	@grep -h '^\[  PASSED  \]' $(REL)/posix-gcc.log
	@! grep -aq '/proc/' $(REL)/posix-gcc/hlink || \
		{ echo "posix: the -DHL_POSIX_ONLY binary still reads /proc"; \
		exit 1; }
	$(call integration,$(CURDIR)/$(REL)/posix-gcc/hlink,\
		$(REL)/posix-gcc/it.log,HLINK_POSIX_ONLY=1)

posix-clang posix-musl: posix-%:
	$(call rel_copy,posix-$*)
	$(MAKE) -C $(REL)/posix-$* --no-print-directory \
		CC=$(if $(filter musl,$*),$(MUSL_CC),clang) \
		WERROR=$(RELEASE_WERROR) CPPFLAGS=-DHL_POSIX_ONLY hlink

# --- completions --------------------------------------------------------------

check-completions: hlink
	HLINK=$(CURDIR)/hlink bash tests/completions/test.sh

# --- the release tarball ------------------------------------------------------

# The tarball holds DIST_FILES under hlink-VERSION/, and is the same bytes
# whenever it is made from the same files: names sorted, owner 0, modes
# normalised, every time SOURCE_DATE_EPOCH (by default the last commit's
# time, or in an unpacked tarball that of its Makefile), gzip -n.  Needs
# GNU tar (TAR=gtar on the BSDs).
dist:
	$(call rel_copy,dist/$(DIST_NAME))
	@epoch='$(SOURCE_DATE_EPOCH)'; \
	if [ -z "$$epoch" ]; then \
		epoch=$$({ [ -e .git ] && git log -1 --format=%ct 2>/dev/null; } \
		    || date -r Makefile +%s); \
	fi; \
	echo "$$epoch" >$(REL)/dist/epoch; \
	$(TAR) --sort=name --format=ustar --mtime="@$$epoch" --owner=0 \
	    --group=0 --numeric-owner --mode=u+rw,go-w,a+rX \
	    -C $(REL)/dist -cf - $(DIST_NAME) | gzip -9n >$(DIST_TARBALL).tmp \
	    && mv $(DIST_TARBALL).tmp $(DIST_TARBALL) && \
	echo "$(DIST_TARBALL): SOURCE_DATE_EPOCH=$$epoch" \
	    "sha256 $$(sha256sum <$(DIST_TARBALL) | cut -d' ' -f1)"

# What `make install PREFIX=/usr` puts in DESTDIR, by default.
DIST_INSTALLED = /usr/bin/hlink /usr/share/man/man1/hlink.1 \
	/usr/share/bash-completion/completions/hlink \
	/usr/share/zsh/site-functions/_hlink \
	/usr/share/fish/vendor_completions.d/hlink.fish

DC = $(REL)/distcheck
DC_SRC = $(DC)/$(DIST_NAME)
DC_ABS = $(CURDIR)/$(DC)

# The tarball, unpacked, must build and pass `make check` on its own,
# install exactly DIST_INSTALLED (modes 0755 and 0644) and the
# completions that work from there, uninstall all of it, compress the man
# page on request, and `make clean` back to what it unpacked.  In a git
# checkout, nothing tracked may be missing from it.
distcheck: dist
	rm -rf $(DC) && mkdir -p $(DC)
	$(TAR) -xzf $(DIST_TARBALL) -C $(DC)
	$(TAR) -tzf $(DIST_TARBALL) | sed -n 's,^$(DIST_NAME)/,,p' | \
		grep -v '/$$' | grep . | LC_ALL=C sort >$(DC)/shipped
	@if [ -e .git ] && command -v git >/dev/null; then \
		git ls-files | LC_ALL=C sort >$(DC)/tracked; \
		missing=$$(LC_ALL=C comm -23 $(DC)/tracked $(DC)/shipped | \
		    grep -v -x -E '$(DIST_EXCLUDE)'); \
		if [ -n "$$missing" ]; then echo "distcheck: tracked by git" \
		    "but not in $(DIST_TARBALL) (add to DIST_FILES):"; \
		    echo "$$missing"; exit 1; fi; \
		extra=$$(LC_ALL=C comm -13 $(DC)/tracked $(DC)/shipped); \
		[ -z "$$extra" ] || { echo "distcheck: warning: shipped but" \
		    "not tracked by git (commit them before a release):"; \
		    echo "$$extra" | sed 's/^/    /'; }; \
	fi
	$(MAKE) -C $(DC_SRC) --no-print-directory check
	$(MAKE) -C $(DC_SRC) --no-print-directory install PREFIX=/usr \
		DESTDIR=$(DC_ABS)/inst
	cd $(DC)/inst && find . ! -type d | sed 's,^\.,,' | LC_ALL=C sort \
		>../installed
	printf '%s\n' $(DIST_INSTALLED) | LC_ALL=C sort >$(DC)/expected
	diff -u $(DC)/expected $(DC)/installed
	cd $(DC)/inst && test "$$(stat -c %a usr/bin/hlink)" = 755 && \
		test -z "$$(find . -type f ! -path ./usr/bin/hlink ! -perm 0644)"
	test "$$($(DC)/inst/usr/bin/hlink --version)" = "hlink $(VERSION)"
	mkdir -p $(DC)/comp && \
		cp $(DC)/inst/usr/share/bash-completion/completions/hlink \
		    $(DC)/comp/hlink.bash && \
		cp $(DC)/inst/usr/share/zsh/site-functions/_hlink \
		    $(DC)/inst/usr/share/fish/vendor_completions.d/hlink.fish \
		    $(DC)/comp/
	HLINK=$(DC_ABS)/inst/usr/bin/hlink bash tests/completions/test.sh \
		$(DC)/comp >$(DC)/comp.log || { cat $(DC)/comp.log; exit 1; }
	$(MAKE) -C $(DC_SRC) --no-print-directory uninstall PREFIX=/usr \
		DESTDIR=$(DC_ABS)/inst
	test -z "$$(find $(DC)/inst ! -type d)"
	$(MAKE) -C $(DC_SRC) --no-print-directory install PREFIX=/usr \
		DESTDIR=$(DC_ABS)/gz MANCOMPRESS=gzip
	test -f $(DC)/gz/usr/share/man/man1/hlink.1.gz
	test ! -e $(DC)/gz/usr/share/man/man1/hlink.1
	gzip -dc $(DC)/gz/usr/share/man/man1/hlink.1.gz | cmp - man/hlink.1
	$(MAKE) -C $(DC_SRC) --no-print-directory clean
	cd $(DC_SRC) && find . ! -type d | sed 's,^\./,,' | LC_ALL=C sort \
		>../after-clean
	diff -u $(DC)/shipped $(DC)/after-clean
	@echo "distcheck: $(DIST_TARBALL) is ready for distribution"

# Made again from a copy with other mtimes and another umask, and from the
# unpacked tarball itself (no git there), it must be the same bytes; and
# every member must carry SOURCE_DATE_EPOCH.
dist-reproducible: dist
	@epoch=$$(cat $(REL)/dist/epoch); \
	a=$$(sha256sum <$(DIST_TARBALL) | cut -d' ' -f1); \
	when=$$(date -u -d "@$$epoch" '+%Y-%m-%d %H:%M:%S'); \
	bad=$$($(TAR) --utc --full-time -tvzf $(DIST_TARBALL) | \
	    awk -v w="$$when" '$$4 " " $$5 != w'); \
	if [ -n "$$bad" ]; then echo "dist-reproducible: members not dated" \
	    "$$when:"; echo "$$bad"; exit 1; fi; \
	rm -rf $(REL)/repro && mkdir -p $(REL)/repro/a $(REL)/repro/b && \
	$(TAR) -cf - $(DIST_FILES) | (umask 077; \
	    $(TAR) -xf - -m --no-same-permissions -C $(REL)/repro/a) && \
	(umask 077; $(MAKE) -C $(REL)/repro/a --no-print-directory \
	    SOURCE_DATE_EPOCH=$$epoch dist >/dev/null) && \
	$(TAR) -xzf $(DIST_TARBALL) -C $(REL)/repro/b && \
	(unset SOURCE_DATE_EPOCH; umask 002; \
	    $(MAKE) -C $(REL)/repro/b/$(DIST_NAME) --no-print-directory \
	    SOURCE_DATE_EPOCH= dist >/dev/null) || exit 1; \
	b=$$(sha256sum <$(REL)/repro/a/$(DIST_TARBALL) | cut -d' ' -f1); \
	c=$$(sha256sum <$(REL)/repro/b/$(DIST_NAME)/$(DIST_TARBALL) | \
	    cut -d' ' -f1); \
	echo "$(DIST_TARBALL) sha256, here:            $$a"; \
	echo "from a copy (umask 077, new mtimes):  $$b"; \
	echo "from the unpacked tarball (no git):   $$c"; \
	[ "$$a" = "$$b" ] && [ "$$a" = "$$c" ] || \
	    { echo "dist-reproducible: the tarballs differ"; exit 1; }; \
	echo "dist-reproducible: the same bytes, members dated $$when UTC"

# --- what a distribution's packager does ------------------------------------

PKG = $(REL)/pkg

# Debian's hardening flags (dpkg-buildflags, hardening=+all) arrive in
# the environment, as debhelper passes them: each must reach every compile
# and the link, and show in the binary (PIE, RELRO, BIND_NOW, stack
# protector, _FORTIFY_SOURCE); `make install` must not strip it.  Then
# make install runs as uid 65534 into a DESTDIR of its own: it succeeds
# only if it writes nowhere else.
packaging-check:
	$(call rel_copy,pkg)
	@command -v dpkg-buildflags >/dev/null || \
		{ echo "packaging-check: needs dpkg-buildflags (dpkg-dev)"; \
		exit 1; }
	@printf '%s\n' '#!/bin/sh' 'printf "%s\n" " $$* " >>"$$0.log"' \
		'exec $(CC) "$$@"' >$(PKG)/cc-log && chmod +x $(PKG)/cc-log
	@set -e; eval "$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all \
	    dpkg-buildflags --export=sh)"; \
	echo "== build with CFLAGS=\"$$CFLAGS\" CPPFLAGS=\"$$CPPFLAGS\"" \
	    "LDFLAGS=\"$$LDFLAGS\" in the environment"; \
	env -u MAKEFLAGS -u MFLAGS $(MAKE) -C $(PKG) --no-print-directory \
	    CC=$(CURDIR)/$(PKG)/cc-log hlink >$(PKG)/build.log 2>&1 || \
	    { cat $(PKG)/build.log; exit 1; }; \
	grep -q ' -c ' $(PKG)/cc-log.log && \
	    grep -q ' -o hlink ' $(PKG)/cc-log.log || \
	    { echo "packaging-check: no compile or no link seen"; exit 1; }; \
	for w in $$CFLAGS $$CPPFLAGS; do \
		grep ' -c ' $(PKG)/cc-log.log | grep -vqF -- " $$w " || \
		    continue; \
		echo "packaging-check: a compile lacks $$w"; exit 1; \
	done; \
	for w in $$CFLAGS $$LDFLAGS; do \
		grep ' -o hlink ' $(PKG)/cc-log.log | grep -qF -- " $$w " || \
		    { echo "packaging-check: the link lacks $$w"; exit 1; }; \
	done; \
	echo "packaging-check: every compile and the link got the flags"
	@set -e; b=$(PKG)/hlink; \
	readelf -h $$b | grep -q 'Type:.*DYN' || \
	    { echo "packaging-check: not PIE"; exit 1; }; \
	readelf -l $$b | grep -q GNU_RELRO || \
	    { echo "packaging-check: no RELRO"; exit 1; }; \
	readelf -d $$b | grep -Eq 'BIND_NOW|FLAGS.*NOW' || \
	    { echo "packaging-check: no BIND_NOW"; exit 1; }; \
	nm -D $$b | grep -q __stack_chk_fail || \
	    { echo "packaging-check: no stack protector"; exit 1; }; \
	nm -D $$b | grep -Eq '__[a-z]+_chk\b' || \
	    { echo "packaging-check: no _FORTIFY_SOURCE"; exit 1; }; \
	readelf -S $$b | grep -q '\.debug_info' || \
	    { echo "packaging-check: built without debug info"; exit 1; }; \
	echo "packaging-check: PIE, RELRO, BIND_NOW, stack protector," \
	    "fortified calls:" $$(nm -D $$b | grep -Eo '__[a-z]+_chk\b' | \
	    sort -u)
	@set -e; if [ "$$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; \
	then echo "packaging-check: SKIP the install as uid 65534: needs" \
	    "root and setpriv"; exit 0; fi; \
	d=$(CURDIR)/$(PKG)/destdir; rm -rf $$d; mkdir -p $$d; \
	chown 65534:65534 $$d; \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env -u MAKEFLAGS -u MFLAGS $(MAKE) -C $(PKG) \
	    --no-print-directory install PREFIX=/usr DESTDIR=$$d \
	    MANCOMPRESS=gzip >$(PKG)/install.log 2>&1 || \
	    { cat $(PKG)/install.log; echo "packaging-check: make install" \
	    "as uid 65534 failed: it writes outside DESTDIR?"; exit 1; }; \
	cmp $(PKG)/hlink $$d/usr/bin/hlink || \
	    { echo "packaging-check: the installed binary was changed" \
	    "(stripped?)"; exit 1; }; \
	echo "packaging-check: make install as uid 65534 wrote only in" \
	    "DESTDIR; the binary is installed as built"
