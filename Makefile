# cvbench build. `make` builds build/cvbench and the static build/cvb-agent;
# `make check` builds and runs the unit and integration tests;
# `make install PREFIX=/usr/local` installs the tools. CI sets WERROR=-Werror.

VERSION := 0.1.0
GIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
PREFIX ?= /usr/local
BUILD ?= build

CC ?= gcc
CFLAGS ?= -O2 -g
WERROR ?=
PKGS := libcjson hwloc libvirt libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Messages are cut to their buffers on purpose, hence no -Wformat-truncation.
CVB_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-truncation $(WERROR) \
	-D_GNU_SOURCE -DCVB_VERSION='"$(VERSION)"' -DCVB_GIT='"$(GIT)"' $(PKG_CFLAGS)

# The layers, bottom up: the flow config -> plan -> run -> backend -> samples
# -> stats -> record -> report, with cli on top. Each folder is compiled with
# the include paths of its own layer and those below it only, so an include
# that points up fails to build.
INC_lib := -Ilib
INC_host := $(INC_lib) -Ihost
INC_workloads := -Iworkloads
INC_backends := -Ilib -Ihost -Ibackends
INC_stats := $(INC_lib) -Iharness/stats
INC_plan := $(INC_backends) $(INC_workloads) -Iharness/stats -Iharness/plan
INC_run := $(INC_plan) -Iharness/run
INC_record := $(INC_run) -Iharness/record
INC_report := $(INC_record) -Iharness/report
INC_session := $(INC_report) -Iharness/session
INC_cli := $(INC_session) -Iharness/cli
INC_ALL := $(INC_cli)

LIB_SRC := $(wildcard lib/*.c)
HOST_SRC := $(wildcard host/*.c)
HARNESS_SRC := $(filter-out harness/cli/main.c,$(wildcard harness/*/*.c))
BACKEND_SRC := $(wildcard backends/*.c)
WORKLOAD_SRC := $(filter-out workloads/agent_main.c,$(wildcard workloads/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)

CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC) $(HOST_SRC) $(HARNESS_SRC) $(BACKEND_SRC))
WORKLOAD_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WORKLOAD_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all check check-cgroup2 unit-tests install clean format guest
all: $(BUILD)/cvbench $(BUILD)/cvb-agent

# Each object gets its folder's include paths (INC_<layer> above).
$(BUILD)/obj/lib/%.o: INC := $(INC_lib)
$(BUILD)/obj/host/%.o: INC := $(INC_host)
$(BUILD)/obj/workloads/%.o: INC := $(INC_workloads)
$(BUILD)/obj/backends/%.o: INC := $(INC_backends)
$(BUILD)/obj/harness/stats/%.o: INC := $(INC_stats)
$(BUILD)/obj/harness/plan/%.o: INC := $(INC_plan)
$(BUILD)/obj/harness/run/%.o: INC := $(INC_run)
$(BUILD)/obj/harness/record/%.o: INC := $(INC_record)
$(BUILD)/obj/harness/report/%.o: INC := $(INC_report)
$(BUILD)/obj/harness/session/%.o: INC := $(INC_session)
$(BUILD)/obj/harness/cli/%.o: INC := $(INC_cli)
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CVB_CFLAGS) $(INC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libcvbcore.a: $(CORE_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/libworkloads.a: $(WORKLOAD_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/cvbench: $(BUILD)/obj/harness/cli/main.o $(BUILD)/libcvbcore.a $(BUILD)/libworkloads.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The agent is static: the same file runs on the host, as a container's PID 1
# and as a VM's /init, with no loader or libraries to bring along.
$(BUILD)/cvb-agent: $(BUILD)/obj/workloads/agent_main.o $(BUILD)/libworkloads.a
	$(CC) $(CFLAGS) -static -o $@ $^ -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcvbcore.a $(BUILD)/libworkloads.a
	@mkdir -p $(dir $@)
	$(CC) $(CVB_CFLAGS) $(INC_ALL) $(CFLAGS) -Itests/unit -o $@ $^ $(PKG_LIBS) -lcmocka -lm

# The VM backend's guest: a Debian cloud kernel (downloaded, not installed)
# and an initramfs whose /init is the same static agent.
guest: $(BUILD)/cvb-agent
	scripts/build-guest.sh --out $(BUILD)/guest

# The container tests on a pure cgroup v2 kernel: the guest above, booted
# under QEMU TCG with an initramfs of cvbench and the tests.
check-cgroup2: all guest
	scripts/test-cgroup2-guest.sh --build $(BUILD)

unit-tests: $(UNIT_BIN)

check: all unit-tests
	scripts/check-layers.sh
	tests/run.sh $(BUILD)

# `make print-VAR` prints a variable (scripts/check-layers.sh reads INC_*).
print-%:
	@echo '$($*)'

install: all
	install -D -m 0755 $(BUILD)/cvbench $(DESTDIR)$(PREFIX)/bin/cvbench
	install -D -m 0755 $(BUILD)/cvb-agent $(DESTDIR)$(PREFIX)/libexec/cvbench/cvb-agent
	install -D -m 0644 results/cvbench-results.schema.json \
		$(DESTDIR)$(PREFIX)/share/cvbench/cvbench-results.schema.json
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/cvbench/plots plots/*.gp
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/cvbench/matrices matrices/*.json

format:
	clang-format -i lib/*.[ch] host/*.[ch] harness/*/*.[ch] backends/*.[ch] workloads/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)

# Sanitizers: `make sanitize` builds the harness and the unit tests with
# ASan+UBSan in their own directory and runs them, then a short native and
# container run (scripts/sanitize.sh), failing on any report. The agent stays
# the normal static one ($(BUILD)/cvb-agent): a static binary cannot be ASan'd.
# No -Werror here: gcc's flow warnings (-Wrestrict, -Wstringop-*) misfire on
# instrumented code; the normal build is the warnings' gate.
SAN_BUILD ?= build-sanitize
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

.PHONY: sanitize sanitize-build
sanitize-build: $(BUILD)/cvb-agent
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS='$(SAN_CFLAGS)' WERROR= $(SAN_BUILD)/cvbench unit-tests
	cp $(BUILD)/cvb-agent $(SAN_BUILD)/cvb-agent

sanitize: sanitize-build
	scripts/sanitize.sh $(SAN_BUILD)

# Fuzzing: `make fuzz` builds libFuzzer targets for the parsers of what
# comes from outside (tests/fuzz/fuzz_*.c: agent protocol, matrix files,
# results files, json_fast against cJSON) into $(FUZZ_BUILD)/fuzz/, with
# the sources they need compiled by clang here (libFuzzer does not link
# with gcc-built objects). `make fuzz-smoke` runs each from its seed corpus
# tests/fuzz/corpus/<target>/ for FUZZ_SECONDS (scripts/fuzz.sh).
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_SAN := -Wno-unknown-warning-option -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: fuzz fuzz-libs fuzz-smoke
fuzz-libs:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) WERROR= \
		CFLAGS='-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)' \
		$(FUZZ_BUILD)/libcvbcore.a $(FUZZ_BUILD)/libworkloads.a

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c fuzz-libs
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CVB_CFLAGS) $(INC_ALL) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
		$(FUZZ_BUILD)/libcvbcore.a $(FUZZ_BUILD)/libworkloads.a $(PKG_LIBS) -lm

fuzz: $(FUZZ_BIN)

fuzz-smoke: fuzz
	scripts/fuzz.sh --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
