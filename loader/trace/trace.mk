# make bench-trace: per-packet cost of xdp_main untraced vs traced with fentry/fexit on
# all its functions (`netbpf trace --bench`). Needs a kernel that allows BPF trampolines;
# TRACE_BENCH_ARGS adds options (e.g. "--repeat 100000 --json").
TRACE_BENCH_ARGS ?=

.PHONY: bench-trace

bench-trace: $(BUILD)/netbpf
	$(Q)$(BUILD)/netbpf trace --bench $(TRACE_BENCH_ARGS)
