/* BPF side of the tools library: the --pid/--comm filter and one event sink that is
 * a ring buffer where the kernel has one (5.8+) and a perf buffer elsewhere. */
#ifndef TOOLS_COMMON_BPF_H
#define TOOLS_COMMON_BPF_H

#include "lib/filter.h"
#include "lib/inet.bpf.h"

/* Set before load; the verifier then sees constants and drops the unused paths,
 * including the ring buffer calls on kernels without one. */
const volatile struct tool_filter filter = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events_pb SEC(".maps");

static __always_inline bool task_filtered_out(void)
{
	char comm[16];

	if (filter.tgid && (bpf_get_current_pid_tgid() >> 32) != filter.tgid)
		return true;
	if (!filter.comm[0])
		return false;
	bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
	for (int i = 0; i < sizeof(comm); i++) {
		if (comm[i] != filter.comm[i])
			return true;
		if (!comm[i])
			break;
	}
	return false;
}

static __always_inline long emit(void *ctx, void *data, __u64 size)
{
	if (filter.ringbuf)
		return bpf_ringbuf_output(&events_rb, data, size, 0);
	return bpf_perf_event_output(ctx, &events_pb, BPF_F_CURRENT_CPU, data, size);
}

#endif /* TOOLS_COMMON_BPF_H */
