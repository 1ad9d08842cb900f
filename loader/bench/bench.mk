# make bench: both benchmarks in a few minutes; tables and the plot in $(BUILD)/bench/.
# BENCH_ARGS adds options to the redirect bench (e.g. BENCH_ARGS="--rounds 5 --placement cross").
# Both ends pinned, on one CPU and on two, each reported apart: unpinned rounds mix the two.
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

# make bench-apps: redis, nginx and PostgreSQL with their own load generators, plain and
# bypassed in alternating rounds per CPU placement, results checked identical. Installs the
# Debian packages it needs (services not started) first. BENCH_APPS_ARGS adds options
# (--rounds N, --placement LIST, --apps LIST, --duration S, --mode LIST).
BENCH_APPS_ARGS ?=

.PHONY: bench-apps

bench-apps: deps $(BUILD)/netbpf
	$(Q)./netns-tests/bench/apps-deps.sh
	$(Q)mkdir -p $(BENCH_DIR)
	$(call msg,BENCH,$(BENCH_DIR)/apps.txt)
	$(Q)rc=0; BUILD=$(BUILD) ./netns-tests/bench/apps.sh $(BENCH_APPS_ARGS) > $(BENCH_DIR)/apps.txt || rc=$$?; \
		cat $(BENCH_DIR)/apps.txt; exit $$rc
