# make bench-sniff [BENCH_SECONDS=10]: load check of netbpf sniff under wrk
# (a benchmark, not part of make test).
.PHONY: bench-sniff
bench-sniff: all $(BUILD)/tests/tiny_httpd
	$(Q)BUILD=$(BUILD) ./netns-tests/bench/sniff.sh
