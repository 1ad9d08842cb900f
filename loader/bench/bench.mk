# make bench: both benchmarks in a few minutes; tables and the plot in $(BUILD)/bench/.
# BENCH_ARGS adds options to the redirect bench (e.g. BENCH_ARGS="--rounds 5 --pin").
# Not pinned by default: on small VMs cross-CPU wake-ups then dominate every figure.
BENCH_DIR  := $(BUILD)/bench
BENCH_ARGS ?=

.PHONY: bench

bench: deps $(BUILD)/netbpf
	$(Q)mkdir -p $(BENCH_DIR)
	$(call msg,BENCH,$(BENCH_DIR)/redirect.txt)
	$(Q)$(BUILD)/netbpf bench redirect --external --plot $(BENCH_DIR)/redirect.png \
		$(BENCH_ARGS) > $(BENCH_DIR)/redirect.txt.tmp && mv $(BENCH_DIR)/redirect.txt.tmp $(BENCH_DIR)/redirect.txt
	$(call msg,BENCH,$(BENCH_DIR)/datapath.txt)
	$(Q)$(BUILD)/netbpf bench datapath > $(BENCH_DIR)/datapath.txt.tmp && \
		mv $(BENCH_DIR)/datapath.txt.tmp $(BENCH_DIR)/datapath.txt
	$(Q)cat $(BENCH_DIR)/redirect.txt $(BENCH_DIR)/datapath.txt
