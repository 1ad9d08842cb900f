# make bench-sniff [BENCH_SECONDS=10]: load check of netbpf sniff under wrk
# (a benchmark, not part of make test).
.PHONY: bench-sniff
bench-sniff: all $(BUILD)/tests/tiny_httpd
	$(Q)BUILD=$(BUILD) ./netns-tests/bench/sniff.sh

# make bench-sniff-cpu [BENCH_CPU=1]: the sniffer's parsing and JSON per exchange,
# without a network (netns-tests/bench/sniff_cpu.c), pinned to one CPU.
SNIFF_CPU_SRCS := netns-tests/bench/sniff_cpu.c $(wildcard loader/http/*.c) loader/sniff/out.c \
	loader/bench/stats.c
.PHONY: bench-sniff-cpu
$(BUILD)/bench/sniff_cpu: $(SNIFF_CPU_SRCS) $(COMMON_LIB) $(wildcard loader/http/*.h loader/sniff/*.h loader/bench/stats.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SNIFF_CPU_SRCS) $(COMMON_LIB) $(LDLIBS) -o $@
bench-sniff-cpu: $(BUILD)/bench/sniff_cpu
	$(Q)taskset -c $(or $(BENCH_CPU),1) $< >/dev/null
