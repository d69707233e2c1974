# kvmprep — one Makefile, pkg-config for every library, objects in build/.
#
#   make            build the tools (build/bin/kvmprep-*)
#   make run        install what is missing, build, run kvmprep-validate here
#   make check      install what is missing, build, run every test
#   make fuzz       run each libFuzzer harness (tests/fuzz/) FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
PKG_CONFIG ?= pkg-config

PKGS      := libpci libudev libnl-3.0 libnl-route-3.0 libkmod json-c
TEST_PKGS := cmocka
# A tool that needs fewer libraries than PKGS lists its own: each library
# costs every run its loading (kvmprep-validate: libpci with libudev and
# zlib are a tenth of its run, for nothing it calls). The tools link with
# --gc-sections, so the lib/ functions a tool never calls do not pull
# their libraries in; a call added later fails the link until it is listed.
PKGS_validate := json-c

# pkg-config is only asked when a target needs to compile (not for clean/deps)
ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)
LIBS_validate := $(shell $(PKG_CONFIG) --libs $(PKGS_validate) 2>/dev/null)
endif

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter
CFLAGS    ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -DKP_VERSION='"$(VERSION)"' \
              -Ilib $(PKG_CFLAGS) -ffunction-sections -fdata-sections
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC   := $(sort $(wildcard lib/*.c))
TOOLS     := $(sort $(patsubst tools/%/main.c,%,$(wildcard tools/*/main.c)))
BINS      := $(addprefix $(BUILD)/bin/kvmprep-,$(TOOLS))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SAN_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests-san/%,$(UNIT_SRC))
FAKEHOST_SRC := $(sort $(wildcard tests/fakehost/*.c))
FAKEHOST_SO  := $(if $(FAKEHOST_SRC),$(BUILD)/fakehost/libkpfakehost.so)
TEST_HELPERS_SRC := $(sort $(wildcard tests/helpers/*.c))
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(TEST_HELPERS_SRC))
# libFuzzer harnesses: clang, the library built again with coverage and
# ASan+UBSan (tests/README.md, "Fuzzing")
CLANG     ?= clang
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -DKP_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS) \
             -Wall -Wno-unused-parameter -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60

.PHONY: all deps run check unit unit-san install clean tests-build fuzz fuzz-build
.DEFAULT_GOAL := all

all: $(BINS)

deps:
	./scripts/deps

# ---- library ----------------------------------------------------------
$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -MMD -c -o $@ $<

$(BUILD)/libkvmprep.a: $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
	ar rcs $@ $^

$(BUILD)/san/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/san/lib
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/san/libkvmprep.a: $(patsubst lib/%.c,$(BUILD)/san/lib/%.o,$(LIB_SRC))
	ar rcs $@ $^

# ---- tools: tools/NAME/*.c -> build/bin/kvmprep-NAME ------------------
define TOOL_RULES
$(BUILD)/tools/$(1)/%.o: tools/$(1)/%.c $(wildcard lib/*.h) $(wildcard tools/$(1)/*.h) | $(BUILD)/tools/$(1)
	$$(CC) $$(ALL_CFLAGS) -Itools/$(1) -c -o $$@ $$<
$(BUILD)/bin/kvmprep-$(1): $(patsubst tools/$(1)/%.c,$(BUILD)/tools/$(1)/%.o,$(wildcard tools/$(1)/*.c)) $(BUILD)/libkvmprep.a | $(BUILD)/bin
	$$(CC) $$(ALL_CFLAGS) -Wl,--gc-sections -o $$@ $$^ $$(or $$(LIBS_$(1)),$$(PKG_LIBS))
$(BUILD)/tools/$(1):
	mkdir -p $$@
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULES,$(t))))

# ---- tests ------------------------------------------------------------
# A unit test may test a tool's own file: tests/unit/test_X.c lists the
# tool sources it needs in a line "// tool-sources: tools/validate/checks.c".
tool_srcs = $(shell sed -n 's|^// tool-sources: ||p' $(1))
# and the link flags it needs in a line "// ldflags: -Wl,--wrap=nl_send_auto"
# (link-time wrapping of a library call, tests/unit/test_vfnl.c)
test_ldflags = $(shell sed -n 's|^// ldflags: ||p' $(1))

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkvmprep.a $(wildcard lib/*.h) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itools -o $@ $< $(call tool_srcs,$<) $(BUILD)/libkvmprep.a $(PKG_LIBS) $(TEST_LIBS) $(call test_ldflags,$<)

$(BUILD)/tests-san/%: tests/unit/%.c $(BUILD)/san/libkvmprep.a $(wildcard lib/*.h) | $(BUILD)/tests-san
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(TEST_CFLAGS) -Itools -o $@ $< $(call tool_srcs,$<) $(BUILD)/san/libkvmprep.a $(PKG_LIBS) $(TEST_LIBS) $(call test_ldflags,$<)

$(BUILD)/fakehost/libkpfakehost.so: $(FAKEHOST_SRC) $(wildcard tests/fakehost/*.h) | $(BUILD)/fakehost
	$(CC) -std=gnu11 $(WARN) -O2 -g -D_GNU_SOURCE -fPIC -shared -o $@ $(FAKEHOST_SRC) -ldl

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/libkvmprep.a | $(BUILD)/helpers
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libkvmprep.a $(PKG_LIBS)

$(BUILD)/fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/fuzz/lib
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/libkvmprep.a: $(patsubst lib/%.c,$(BUILD)/fuzz/lib/%.o,$(LIB_SRC))
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/libkvmprep.a
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libkvmprep.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# each harness FUZZ_SECONDS on its corpus (tests/fuzz/run); make check runs
# them for a few seconds each through tests/run
fuzz: fuzz-build
	BUILD=$(BUILD) ./tests/fuzz/run $(FUZZ_SECONDS)

# kvmprep-bridge with its netlink changes wrapped for fault injection
# (tests/net/nlfault.c); production binaries never contain the wrapper.
BRIDGE_FAULT := $(if $(wildcard tools/bridge/main.c),$(BUILD)/tests/kvmprep-bridge-fault)
$(BUILD)/tests/kvmprep-bridge-fault: $(wildcard tools/bridge/*.c) $(wildcard tools/bridge/*.h) tests/net/nlfault.c $(BUILD)/libkvmprep.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Itools/bridge -Wl,--wrap=nl_send_sync -o $@ $(wildcard tools/bridge/*.c) tests/net/nlfault.c $(BUILD)/libkvmprep.a $(PKG_LIBS)

unit: $(UNIT_BINS)
unit-san: $(SAN_BINS)

tests-build: all $(UNIT_BINS) $(SAN_BINS) $(FAKEHOST_SO) $(TEST_HELPERS) $(BRIDGE_FAULT) $(FUZZ_BINS)

check: deps
	$(MAKE) -j$$(nproc) tests-build
	./tests/run

# Exit 1 means "a check failed": an answer, not a failure of make run.
run: deps
	$(MAKE) all
	./$(BUILD)/bin/kvmprep-validate; rc=$$?; [ $$rc -le 1 ]

# ---- install ----------------------------------------------------------
# The boot units installed for the first time are enabled as their preset
# says (contrib/systemd/80-kvmprep.preset: the four boot steps; each does
# nothing without its configuration): PRESET=yes runs `systemctl preset` on
# them (with --root=$(DESTDIR) when staged). Default: yes for a direct
# install into systemd's own search path (PREFIX /usr or /usr/local, no
# DESTDIR), else no (a package applies the preset from its install
# scripts). A unit already installed is left as the administrator set it.
PRESET ?= $(if $(DESTDIR),no,$(if $(filter /usr /usr/local,$(PREFIX)),yes,no))
install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 tests/fakehost/capture $(DESTDIR)$(PREFIX)/bin/kvmprep-capture
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	for m in doc/*.1; do [ -e "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	for c in contrib/completion/kvmprep-*; do [ -e "$$c" ] && install -m 0644 "$$c" $(DESTDIR)$(PREFIX)/share/bash-completion/completions/; done; true
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/systemd/system-preset
	install -m 0644 contrib/systemd/80-kvmprep.preset $(DESTDIR)$(PREFIX)/lib/systemd/system-preset/
	new=; for u in contrib/systemd/*.service; do [ -e "$$u" ] || continue; \
		d=$(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename "$$u"); \
		[ -e "$$d" ] || case $$u in *@.service) ;; *) new="$$new $$(basename "$$u")" ;; esac; \
		sed 's|@BINDIR@|$(PREFIX)/bin|g' "$$u" >"$$d"; done; \
	if [ "$(PRESET)" != yes ] || [ -z "$$new" ]; then :; \
	elif ! command -v systemctl >/dev/null; then echo "install: no systemctl: not enabled:$$new"; \
	else echo "systemctl preset$$new"; systemctl $(if $(DESTDIR),--root=$(DESTDIR)) preset $$new; fi
	install -d $(DESTDIR)$(PREFIX)/lib/udev/rules.d
	for u in contrib/udev/61-kvmprep-mdev.rules; do [ -e "$$u" ] || continue; \
		sed 's|@BINDIR@|$(PREFIX)/bin|g' "$$u" >$(DESTDIR)$(PREFIX)/lib/udev/rules.d/$$(basename "$$u"); done

clean:
	rm -rf $(BUILD)

$(BUILD)/lib $(BUILD)/san/lib $(BUILD)/bin $(BUILD)/tests $(BUILD)/tests-san $(BUILD)/fakehost $(BUILD)/helpers $(BUILD)/fuzz/lib:
	mkdir -p $@

-include $(wildcard $(BUILD)/lib/*.d)
