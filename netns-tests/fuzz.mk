# Fuzzing of the HTTP parser (loader/http/):
#   make fuzz [FUZZ_SECONDS=60]   libFuzzer run, new inputs kept in $(BUILD)/fuzz/corpus
#   $(BUILD)/fuzz/http_replay     the seed corpus under ASan/UBSan, run by `make test`
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -Wall -Werror -iquote loader -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_SRCS    := netns-tests/fuzz/http_fuzz.c $(wildcard loader/http/*.c)
FUZZ_HDRS    := $(wildcard loader/http/*.h)
FUZZ_CORPUS  := netns-tests/fuzz/corpus
TEST_DEPS    += $(BUILD)/fuzz/http_replay

.PHONY: fuzz

$(BUILD)/fuzz:
	$(Q)mkdir -p $@ $@/corpus

$(BUILD)/fuzz/http_fuzz: $(FUZZ_SRCS) $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(FUZZ_SRCS) -o $@

$(BUILD)/fuzz/http_replay: $(FUZZ_SRCS) netns-tests/fuzz/replay_main.c $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address,undefined $(FUZZ_SRCS) \
		netns-tests/fuzz/replay_main.c -o $@

# The first corpus directory receives new inputs: keep the committed seeds read-only.
fuzz: $(BUILD)/fuzz/http_fuzz
	$(Q)$< -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix=$(BUILD)/fuzz/ -print_final_stats=1 \
		$(BUILD)/fuzz/corpus $(FUZZ_CORPUS)
