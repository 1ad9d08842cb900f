# netbpf build. Pattern: bpf/X.bpf.c -> build/X.bpf.o -> build/X.skel.h -> loader objects.
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

# vmlinux.h comes from the running kernel's BTF unless VMLINUX_H names one.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H   ?= $(BUILD)/vmlinux.h

# BPF objects see vmlinux.h, never the host's uapi headers, except for the arch
# directory that bpf_helpers/usdt need (asm/types.h); -idirafter keeps it last.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BUILD) -Ibpf -idirafter /usr/include/x86_64-linux-gnu
CFLAGS  ?= -g -O2
CFLAGS  += -Wall -Wextra -Werror -Wno-unused-parameter -std=gnu11 -I$(BUILD) -Iloader -Ibpf
LDLIBS  += -lbpf -lelf -lz -lmnl -lm

DEB_PKGS := clang llvm libbpf-dev libelf-dev zlib1g-dev libmnl-dev libpcap-dev bpftool \
	iproute2 iputils-ping netcat-openbsd tshark curl gnuplot-nox linux-libc-dev systemtap-sdt-dev openssl sockperf iperf3 \
	qemu-system-x86 busybox-static cpio xz-utils zstd libclang-rt-14-dev wrk jq

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LOADER_SRCS))

.DELETE_ON_ERROR:
# Objects are inputs of skeletons and of bpftool/tests: keep them.
.SECONDARY:
.PHONY: all deps demo test clean

all: $(BUILD)/netbpf

# Fresh machines lack the toolchain; install it once (CI and `make demo/test` call this).
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD) $(BUILD)/loader:
	$(Q)mkdir -p $@

$(VMLINUX_H): | $(BUILD)
	$(Q)test -r $(VMLINUX_BTF) || { echo "netbpf: no kernel BTF at $(VMLINUX_BTF); pass VMLINUX_H=path/to/vmlinux.h" >&2; exit 1; }
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) $(wildcard bpf/*.h bpf/lib/*.h) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(BUILD)/loader/%.o: loader/%.c $(SKELS) $(wildcard loader/*.h bpf/*.h) | $(BUILD)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/netbpf: $(LOADER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Each area owns its own fragment (tools, test helpers, vmtest, fuzz, bench):
# add a file, not lines here.
include $(sort $(wildcard tools/*.mk netns-tests/*.mk loader/*.mk bpf/*.mk))

demo: deps all $(BUILD)/tests/tcpxfer
	$(Q)BUILD=$(BUILD) ./netns-tests/demo.sh

# The host suite, then the same tests in each of $(KERNELS) under qemu (VMTEST=0
# skips those); one failure anywhere does not stop the rest, and the last line
# totals them all.
# Here, after the include, TEST_DEPS holds what every fragment added.
test vmtest: deps all $(TEST_DEPS)
test: $(if $(filter 1,$(VMTEST)),$(VMTEST_KERNEL_FILES))
	$(Q)$(VMTEST_RUN) host $(if $(filter 1,$(VMTEST)),$(KERNELS))

clean:
	$(Q)rm -rf $(BUILD)
