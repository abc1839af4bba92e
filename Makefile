# hlink Makefile (GNU make): build, test, install.  Packagers: CC, CFLAGS,
# CPPFLAGS, LDFLAGS, LDLIBS, PREFIX, DESTDIR and the *DIR variables are
# yours; what hlink itself needs is kept in the HL_ variables so that
# `make CFLAGS=...` drops none of it.  The release checks are scripts in
# tools/release/ (doc/RELEASE.md).

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g

HL_CPPFLAGS = -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L \
	-D_FILE_OFFSET_BITS=64 -DHLINK_VERSION='"$(VERSION)"'
HL_CFLAGS = -std=c99 -Wall -Wextra -Wpedantic -pthread
HL_LDLIBS = -pthread
# CI sets WERROR=-Werror; a release build never fails on a new warning.
WERROR =

CORE = hardlink diagnose messages output quote path sys temp memo dirstack \
	walk pool list tree copy fileeq dedup progress replica
CORE_OBJ = $(CORE:%=build/%.o)
OBJ = build/main.o build/options.o $(CORE_OBJ)

# Unit tests link the core and the option parser, never main.o, with these
# syscalls wrapped (see tests/unit/wrap.c).  With _FILE_OFFSET_BITS=64 glibc
# may call the 64 names; wrapping both makes either take.
WRAP = linkat renameat unlinkat symlinkat fstatat fstatat64 openat openat64 \
	fstatfs fstatfs64 geteuid copy_file_range pwrite pwrite64 access
WRAP_LDFLAGS = $(WRAP:%=-Wl,--wrap=%)
# test_copyfs runs on the Btrfs and XFS images of check-copyfs only.
UNIT_SRC = $(filter-out tests/unit/test_copyfs.c,$(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/%)
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_BIN = $(UNIT_SRC:tests/unit/%.c=build/asan/%)

CMOCKA_LIBS = -lcmocka

# Keep the ASan objects: they are intermediates of a pattern rule.
.SECONDARY:

.PHONY: all check check-unit check-asan check-integration check-man \
	check-copyfs check-floors install uninstall clean dist distcheck

all: hlink

hlink: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(HL_LDLIBS) $(LDLIBS)

build/%.o: src/%.c include/hardlink.h src/*.h | build
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) $(WERROR) $(CFLAGS) \
		-c -o $@ $<

build/wrap.o: tests/unit/wrap.c tests/unit/wrap.h include/hardlink.h | build
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) $(WERROR) $(CFLAGS) \
		-c -o $@ $<

build/sandbox.o: tests/unit/sandbox.c tests/unit/sandbox.h | build
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) $(WERROR) $(CFLAGS) \
		-c -o $@ $<

build/test_%: tests/unit/test_%.c build/wrap.o build/sandbox.o \
		build/options.o $(CORE_OBJ) tests/unit/wrap.h
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) $(WERROR) $(CFLAGS) \
		$(LDFLAGS) $(WRAP_LDFLAGS) -o $@ $< build/wrap.o build/sandbox.o \
		build/options.o $(CORE_OBJ) $(CMOCKA_LIBS) $(HL_LDLIBS) $(LDLIBS)

# The same unit tests, every object rebuilt with the sanitizers.
build/asan/%.o: src/%.c include/hardlink.h src/*.h | build/asan
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) -g -O1 $(ASAN_FLAGS) \
		-c -o $@ $<

build/asan/test_%: tests/unit/test_%.c tests/unit/wrap.c tests/unit/wrap.h \
		tests/unit/sandbox.c build/asan/options.o \
		$(CORE:%=build/asan/%.o) | build/asan
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) -g -O1 $(ASAN_FLAGS) \
		$(WRAP_LDFLAGS) -o $@ $< tests/unit/wrap.c tests/unit/sandbox.c \
		build/asan/options.o $(CORE:%=build/asan/%.o) \
		$(CMOCKA_LIBS) $(HL_LDLIBS)

# bench/copy_driver.c: the copy engine alone, for bench timings.
build/copy_driver: bench/copy_driver.c $(CORE_OBJ)
	$(CC) $(HL_CPPFLAGS) $(CPPFLAGS) $(HL_CFLAGS) $(WERROR) $(CFLAGS) \
		$(LDFLAGS) -o $@ bench/copy_driver.c $(CORE_OBJ) $(HL_LDLIBS) \
		$(LDLIBS)

build build/asan:
	mkdir -p $@

check: check-unit check-integration check-asan check-man check-copyfs \
	check-floors

check-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

check-asan: $(ASAN_BIN)
	@for t in $(ASAN_BIN); do echo "== $$t (ASan+UBSan)"; \
		$$t || exit 1; done

check-integration: hlink
	HLINK="$(CURDIR)/hlink" bash tests/integration/run.sh

# The clone and dedupe cases on Btrfs and XFS loop images; SKIPs with the
# reason where there is no root, unshare, loop device or mkfs.
check-copyfs: build/test_copyfs
	bash tests/copy/engine_fs.sh $(CURDIR)/build/test_copyfs

# The object files call only down the floors of STYLE.md (nm -u).
check-floors: hlink
	@sh tools/check-floors -q && echo "floors: no object calls up"

check-man:
	@out=$$(mandoc -Tlint -Wwarning man/hlink.1) && [ -z "$$out" ] || \
		{ echo "$$out"; echo "man/hlink.1: mandoc lint failed"; exit 1; }
	@echo "man/hlink.1: mandoc -Tlint -Wwarning clean"

# Nothing is stripped: that is the packager's choice.
install: hlink
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 hlink $(DESTDIR)$(BINDIR)/hlink
	install -m 0644 man/hlink.1 $(DESTDIR)$(MANDIR)/man1/hlink.1
	install -m 0644 contrib/completions/hlink.bash \
		$(DESTDIR)$(BASHCOMPDIR)/hlink
	install -m 0644 contrib/completions/_hlink $(DESTDIR)$(ZSHCOMPDIR)/_hlink
	install -m 0644 contrib/completions/hlink.fish \
		$(DESTDIR)$(FISHCOMPDIR)/hlink.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hlink $(DESTDIR)$(MANDIR)/man1/hlink.1 \
		$(DESTDIR)$(BASHCOMPDIR)/hlink $(DESTDIR)$(ZSHCOMPDIR)/_hlink \
		$(DESTDIR)$(FISHCOMPDIR)/hlink.fish

clean:
	rm -rf build hlink

# The reproducible tarball, and the proof that it builds, tests, installs
# and cleans on its own.
dist distcheck:
	bash tools/release/$@
