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

# Test helper programs: netns-tests/helpers/X.c, or the .c files of a folder
# netns-tests/helpers/X/ (a helper with several parts) -> $(BUILD)/tests/X.
# They may include skeletons from $(BUILD) (netbpf's) and $(BUILD)/tests (the
# test-only objects above), and headers from bpf/ and loader/.
TEST_HELPER_SRCS := $(wildcard netns-tests/helpers/*.c)
TEST_HELPER_DIRS := $(patsubst %/,%,$(wildcard netns-tests/helpers/*/))
TEST_HELPERS     := $(patsubst netns-tests/helpers/%.c,$(BUILD)/tests/%,$(TEST_HELPER_SRCS)) \
	$(patsubst netns-tests/helpers/%,$(BUILD)/tests/%,$(TEST_HELPER_DIRS))
TEST_DEPS        += $(TEST_HELPERS)

$(BUILD)/tests:
	$(Q)mkdir -p $@

TEST_HELPER_CC = $(CC) $(CFLAGS) -I$(BUILD)/tests -Inetns-tests/helpers

$(BUILD)/tests/%: netns-tests/helpers/%.c $(COMMON_LIB) | $(SKELS) $(TEST_SKELS) $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(TEST_HELPER_CC) -MMD -MP -MF $@.d $< $(COMMON_LIB) $(LDLIBS) -lpthread -o $@

# A folder's helper depends on every file of the folder (one -MF cannot serve several
# sources); it includes only its own headers and loader/common's.
.SECONDEXPANSION:
$(patsubst netns-tests/helpers/%,$(BUILD)/tests/%,$(TEST_HELPER_DIRS)): $(BUILD)/tests/%: \
		$$(wildcard netns-tests/helpers/$$*/*) $(COMMON_LIB) | $(SKELS) $(TEST_SKELS) $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(TEST_HELPER_CC) $(filter %.c %.o,$^) $(COMMON_LIB) $(LDLIBS) -lpthread -o $@

# parser_test adds deny rules as `netbpf deny add` does, and runs the datapath's
# programs: the folder rule's list does not see those skeletons and headers.
$(BUILD)/tests/parser_test: $(BUILD)/loader/datapath/rules.o $(BUILD)/xdp.skel.h \
	$(BUILD)/tc.skel.h bpf/datapath/datapath.h loader/datapath/rules.h

# Kernel BTF that lacks the packet header types: test_datapath_errors mounts it over
# /sys/kernel/btf/vmlinux to provoke a verifier rejection (made here: no objcopy in the VM).
TEST_DEPS += $(BUILD)/tests/foreign.btf
$(BUILD)/tests/foreign.btf: $(BUILD)/tests/foreign.bpf.o
	$(call msg,BTF,$@)
	$(Q)llvm-objcopy --dump-section .BTF=$@ $<
