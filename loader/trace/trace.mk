# make bench-trace: per-packet cost of xdp_main untraced vs traced with fentry/fexit on
# all its functions (`netbpf bench trace`). Needs a kernel that allows BPF trampolines;
# TRACE_BENCH_ARGS adds options (e.g. "--repeat 100000 --json").
TRACE_BENCH_ARGS ?=

.PHONY: bench-trace

bench-trace: $(BUILD)/netbpf
	$(Q)$(BUILD)/netbpf bench trace $(TRACE_BENCH_ARGS)
