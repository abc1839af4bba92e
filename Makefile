# hlink Makefile.  Packagers: CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, PREFIX,
# DESTDIR, BINDIR and MANDIR are yours; what hlink itself needs is kept in
# the HL_ variables so that `make CFLAGS=...` drops none of it.

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g

HL_CPPFLAGS = -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L \
	-D_FILE_OFFSET_BITS=64 -DHLINK_VERSION='"$(VERSION)"'
HL_CFLAGS = -std=c99 -Wall -Wextra -Wpedantic -pthread
HL_LDLIBS = -pthread
# CI sets WERROR=-Werror; a release build never fails on a new warning.
WERROR =

CORE = hardlink diagnose messages quote path sys walk list tree fileeq dedup
CORE_OBJ = $(CORE:%=build/%.o)
OBJ = build/main.o build/options.o $(CORE_OBJ)

# Unit tests link the core and the option parser, never main.o, with these
# syscalls wrapped (see tests/unit/wrap.c).  With _FILE_OFFSET_BITS=64 glibc
# may call the 64 names; wrapping both makes either take.
WRAP = linkat renameat unlinkat symlinkat fstatat fstatat64 openat openat64 \
	geteuid
WRAP_LDFLAGS = $(WRAP:%=-Wl,--wrap=%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/%)
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_BIN = $(UNIT_SRC:tests/unit/%.c=build/asan/%)

CMOCKA_LIBS = -lcmocka

# Keep the ASan objects: they are intermediates of a pattern rule.
.SECONDARY:

.PHONY: all check check-unit check-asan check-integration check-man \
	install uninstall clean

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

build build/asan:
	mkdir -p $@

check: check-unit check-integration check-asan check-man

check-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

check-asan: $(ASAN_BIN)
	@for t in $(ASAN_BIN); do echo "== $$t (ASan+UBSan)"; \
		$$t || exit 1; done

check-integration: hlink
	HLINK="$(CURDIR)/hlink" bash tests/integration/run.sh

check-man:
	@out=$$(mandoc -Tlint -Wwarning man/hlink.1) && [ -z "$$out" ] || \
		{ echo "$$out"; echo "man/hlink.1: mandoc lint failed"; exit 1; }
	@echo "man/hlink.1: mandoc -Tlint -Wwarning clean"

# install-man and install-completions are in mk/release.mk.
install: hlink install-man install-completions
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 hlink $(DESTDIR)$(BINDIR)/hlink

uninstall: uninstall-man uninstall-completions
	rm -f $(DESTDIR)$(BINDIR)/hlink

clean:
	rm -rf build hlink

-include mk/release.mk
