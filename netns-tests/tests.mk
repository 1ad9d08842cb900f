# BPF programs of the tests only: attached with ip/tc as "someone else's", or
# loaded by a helper through their skeleton.
TEST_BPF_OBJS := $(patsubst netns-tests/progs/%.bpf.c,$(BUILD)/tests/%.bpf.o,$(wildcard netns-tests/progs/*.bpf.c))
TEST_SKELS    := $(TEST_BPF_OBJS:.bpf.o=.skel.h)
TEST_DEPS     += $(TEST_BPF_OBJS)

$(BUILD)/tests/%.skel.h: $(BUILD)/tests/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(BUILD)/tests/%.bpf.o: netns-tests/progs/%.bpf.c $(VMLINUX_H) | $(BUILD)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Test helper programs: netns-tests/helpers/X.c -> $(BUILD)/tests/X.
# They may include skeletons from $(BUILD) (netbpf's) and $(BUILD)/tests (the
# test-only objects above), and headers from bpf/ and loader/.
TEST_HELPER_SRCS := $(wildcard netns-tests/helpers/*.c)
TEST_HELPERS     := $(patsubst netns-tests/helpers/%.c,$(BUILD)/tests/%,$(TEST_HELPER_SRCS))
TEST_DEPS        += $(TEST_HELPERS)

$(BUILD)/tests:
	$(Q)mkdir -p $@

$(BUILD)/tests/%: netns-tests/helpers/%.c $(COMMON_LIB) | $(SKELS) $(TEST_SKELS) $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -MF $@.d -I$(BUILD)/tests -Inetns-tests/helpers $< \
		$(COMMON_LIB) $(LDLIBS) -lpthread -o $@

# Kernel BTF that lacks the packet header types: test_datapath_errors mounts it over
# /sys/kernel/btf/vmlinux to provoke a verifier rejection (made here: no objcopy in the VM).
TEST_DEPS += $(BUILD)/tests/foreign.btf
$(BUILD)/tests/foreign.btf: $(BUILD)/tests/foreign.bpf.o
	$(call msg,BTF,$@)
	$(Q)llvm-objcopy --dump-section .BTF=$@ $<
