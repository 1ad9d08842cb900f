# netbpf build. Pattern: bpf/<area>/X.bpf.c -> build/X.bpf.o -> build/X.skel.h, and
# loader/<area>/Y.c -> build/loader/<area>/Y.o -> build/netbpf.
# `make V=1` shows the commands; `make BUILD=dir` builds out of tree (helpers of
# parallel work use their own dir so builds never race).

BUILD    ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
V        ?= 0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The release is debian/changelog's; a git checkout adds the commit
# (0.2.0+g1a2b3c4, "-dirty" with uncommitted changes) so a binary names its source.
RELEASE := $(shell awk -F'[()]' 'NR == 1 { sub(/-[^-]*$$/, "", $$2); print $$2 }' debian/changelog)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
VERSION ?= $(RELEASE)$(if $(GIT_REV),+g$(GIT_REV))

# vmlinux.h comes from the running kernel's BTF unless VMLINUX_H names one.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H   ?= $(BUILD)/vmlinux.h

# BPF objects see vmlinux.h, never the host's uapi headers, except for the arch
# directory that bpf_helpers/usdt need (asm/types.h); -idirafter keeps it last.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BUILD) -iquote bpf -idirafter /usr/include/x86_64-linux-gnu
# Includes name their folder: "common/log.h" (loader/), "bpf/redirect/redirect.h"
# (the structs BPF shares with user space); -iquote keeps <bpf/...> libbpf's.
CFLAGS  ?= -g -O2
CFLAGS  += -Wall -Wextra -Werror -std=gnu11 -I$(BUILD) -iquote loader -iquote .
# Every object records the headers it includes (skeletons too): make rebuilds
# exactly what a change touches.
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)
LDLIBS  += -lbpf -lelf -lz -lmnl -lm

DEB_PKGS := clang llvm libbpf-dev libelf-dev zlib1g-dev libmnl-dev libpcap-dev bpftool \
	iproute2 iputils-ping netcat-openbsd tshark curl gnuplot-nox linux-libc-dev systemtap-sdt-dev openssl sockperf iperf3 \
	qemu-system-x86 busybox-static cpio xz-utils zstd libclang-rt-14-dev wrk jq pandoc \
	libmicrohttpd-dev prometheus debhelper dpkg-dev lintian

# bpf/lib/ holds headers only; every other folder of bpf/ is one subsystem.
BPF_DIRS    := $(filter-out bpf/lib/,$(wildcard bpf/*/))
BPF_SRCS    := $(wildcard $(addsuffix *.bpf.c,$(BPF_DIRS)))
BPF_NAMES   := $(notdir $(BPF_SRCS:.bpf.c=))
BPF_OBJS    := $(BPF_NAMES:%=$(BUILD)/%.bpf.o)
SKELS       := $(BPF_NAMES:%=$(BUILD)/%.skel.h)
LOADER_SRCS := $(wildcard loader/*.c loader/*/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LOADER_SRCS))
# loader/common/ as an archive: the tools and the test helpers link it too, and take
# only the modules they use.
COMMON_OBJS := $(filter $(BUILD)/loader/common/%,$(LOADER_OBJS))
COMMON_LIB  := $(BUILD)/libcommon.a
vpath %.bpf.c $(BPF_DIRS)

.DELETE_ON_ERROR:
# Objects are inputs of skeletons and of bpftool/tests: keep them.
.SECONDARY:
.PHONY: all deps demo test clean

all: $(BUILD)/netbpf

# Fresh machines lack the toolchain; install it once (CI and `make demo/test` call this).
# policy-rc.d 101 keeps the packages' services (prometheus, the bench's servers)
# from starting system-wide: tests start their own, inside their namespaces.
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		prc=/usr/sbin/policy-rc.d; \
		if [ ! -e $$prc ]; then printf '#!/bin/sh\nexit 101\n' > $$prc && chmod 755 $$prc; \
			trap "rm -f $$prc" EXIT; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD):
	$(Q)mkdir -p $@

$(VMLINUX_H): | $(BUILD)
	$(Q)test -r $(VMLINUX_BTF) || { echo "netbpf: no kernel BTF at $(VMLINUX_BTF); pass VMLINUX_H=path/to/vmlinux.h" >&2; exit 1; }
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/%.bpf.o: %.bpf.c $(VMLINUX_H) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

# The bypass reads the old value of atomic adds (which of a connection's ends closed
# last): BPF ISA v3, kernel 5.12 and later.
$(BUILD)/sockmap.bpf.o: BPF_CFLAGS += -mcpu=v3

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Skeletons are order-only: the first build needs them all, and after it each
# object's .d file names the ones it really includes.
$(BUILD)/loader/%.o: loader/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# Rebuilt only when the version string changes, not on every make.
$(BUILD)/version.stamp: FORCE | $(BUILD)
	$(Q)[ "$$(cat $@ 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" > $@
$(BUILD)/loader/common/version.o: $(BUILD)/version.stamp
$(BUILD)/loader/common/version.o: CFLAGS += -DNETBPF_VERSION='"$(VERSION)"'
.PHONY: FORCE

$(COMMON_LIB): $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/netbpf: $(filter-out $(COMMON_OBJS),$(LOADER_OBJS)) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Each area owns its own fragment (tools, test helpers, vmtest, fuzz, bench):
# add a file, not lines here.
include $(sort $(wildcard tools/*.mk netns-tests/*.mk loader/*.mk loader/*/*.mk bpf/*.mk docs/*.mk))
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

demo: deps all $(BUILD)/tests/tcpxfer
	$(Q)BUILD=$(BUILD) ./netns-tests/demo/demo.sh

# The host suite, then the same tests in each of $(KERNELS) under qemu (VMTEST=0
# skips those); one failure anywhere does not stop the rest, and the last line
# totals them all.
# Here, after the include, TEST_DEPS holds what every fragment added.
test vmtest: deps all $(TEST_DEPS)
test: $(if $(filter 1,$(VMTEST)),$(VMTEST_KERNEL_FILES))
	$(Q)$(VMTEST_RUN) host $(if $(filter 1,$(VMTEST)),$(KERNELS))

clean:
	$(Q)rm -rf $(BUILD)
