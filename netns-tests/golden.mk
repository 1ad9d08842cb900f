# Golden test of the HTTP parser (loader/http/ linked alone, under ASan/UBSan):
#   $(BUILD)/golden/http_golden netns-tests/golden/http.golden   run by test_sniff_golden
#   make golden-gen   rewrites the table from gen.js (needs node: llhttp decides the framing)
GOLDEN_SRCS := netns-tests/golden/golden.c $(wildcard loader/http/*.c)
TEST_DEPS   += $(BUILD)/golden/http_golden

.PHONY: golden-gen

$(BUILD)/golden/http_golden: $(GOLDEN_SRCS) $(wildcard loader/http/*.h)
	$(call msg,GOLDCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address,undefined $(GOLDEN_SRCS) -o $@

golden-gen:
	$(Q)node netns-tests/golden/gen.js > netns-tests/golden/http.golden.tmp && \
		mv netns-tests/golden/http.golden.tmp netns-tests/golden/http.golden
