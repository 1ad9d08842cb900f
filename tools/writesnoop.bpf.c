// SPDX-License-Identifier: GPL-2.0
/* write(2) from the syscall tracepoints: entry saves fd, count and time per thread,
 * exit pairs them with the result. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "lib/common.bpf.h"
#include "writesnoop.h"

/* The tool's own output is writes too: never trace them (it would feed itself). */
const volatile __u32 self_tgid = 0;

struct pending {
	__u64 ts;
	__u64 count;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32); /* thread id: a thread has at most one write in flight */
	__type(value, struct pending);
} pending SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int tp_write_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id;
	struct pending p = {};

	if (id >> 32 == self_tgid || task_filtered_out())
		return 0;
	p.ts = bpf_ktime_get_ns();
	p.fd = ctx->args[0];
	p.count = ctx->args[2];
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int tp_write_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id;
	struct write_event e = {};
	struct pending *p;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	e.lat_ns = bpf_ktime_get_ns() - p->ts;
	e.ret = ctx->ret;
	e.requested = p->count;
	e.fd = p->fd;
	e.pid = id >> 32;
	e.tid = tid;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_map_delete_elem(&pending, &tid);
	emit(ctx, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
