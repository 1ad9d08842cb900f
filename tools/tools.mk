# tools/: tools/X.bpf.c -> $(BUILD)/tools/X.bpf.o -> X.skel.h (skeleton X_bpf), and
# tools/X.c + the helper library tools/lib/*.c + loader/common (shared, not copied:
# $(COMMON_LIB)) -> $(BUILD)/tools/X. Test programs of the tools:
# tools/testbin/X.c -> $(BUILD)/tools/testbin/X.

TOOLS_NAMES    := $(patsubst tools/%.bpf.c,%,$(wildcard tools/*.bpf.c))
TOOLS_BINS     := $(addprefix $(BUILD)/tools/,$(TOOLS_NAMES))
TOOLS_LIB_OBJS := $(patsubst tools/lib/%.c,$(BUILD)/tools/lib/%.o,$(wildcard tools/lib/*.c))
TOOLS_TESTBINS := $(patsubst tools/testbin/%.c,$(BUILD)/tools/testbin/%,$(wildcard tools/testbin/*.c))
TOOLS_CFLAGS    = $(CFLAGS) -D_GNU_SOURCE -Itools -Itools/lib -I$(BUILD)/tools

all: $(TOOLS_BINS)
TEST_DEPS += $(TOOLS_BINS) $(TOOLS_TESTBINS)

$(BUILD)/tools $(BUILD)/tools/lib $(BUILD)/tools/testbin:
	$(Q)mkdir -p $@

$(BUILD)/tools/%.bpf.o: tools/%.bpf.c $(VMLINUX_H) $(wildcard tools/*.h tools/lib/*.h) | $(BUILD)/tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itools -c $< -o $@

$(BUILD)/tools/%.skel.h: $(BUILD)/tools/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Header dependencies come from the .d files (DEPFLAGS), loader/common's included.
$(BUILD)/tools/lib/%.o: tools/lib/%.c | $(BUILD)/tools/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: tools/%.c $(BUILD)/tools/%.skel.h | $(BUILD)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TOOLS_BINS): $(BUILD)/tools/%: $(BUILD)/tools/%.o $(TOOLS_LIB_OBJS) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $^ $(LDLIBS) -o $@

# No optimisation: the traced functions must stay real calls with their symbols.
$(BUILD)/tools/testbin/%: tools/testbin/%.c | $(BUILD)/tools/testbin
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O0 -Wall -Werror -o $@ $<
