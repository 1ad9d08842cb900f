// SPDX-License-Identifier: GPL-2.0
/* Calls of a user-space function (uprobe + uretprobe: first arguments, return
 * value, latency into a log2 histogram), or hits of a USDT probe with its arguments. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "lib/common.bpf.h"
#include "lib/hist.bpf.h"
#include "funclat.h"

__u64 calls = 0; /* read by user space at the end */

struct entry {
	__u64 ts;
	__u64 args[FUNCLAT_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32); /* thread id; a recursive call overwrites its caller's entry */
	__type(value, struct entry);
} entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUNCLAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline void fill_task(struct call_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = id >> 32;
	e->tid = id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* BPF_KPROBE: libbpf 1.1 has no BPF_UPROBE; the register access is the same. */
SEC("uprobe")
int BPF_KPROBE(func_entry, __u64 a0, __u64 a1, __u64 a2)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct entry en = { .ts = bpf_ktime_get_ns(), .args = { a0, a1, a2 } };

	if (task_filtered_out())
		return 0;
	bpf_map_update_elem(&entries, &tid, &en, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(func_return, long ret)
{
	__u32 tid = bpf_get_current_pid_tgid(), slot;
	struct call_event e = {};
	struct entry *en;
	__u64 *count;

	en = bpf_map_lookup_elem(&entries, &tid);
	if (!en)
		return 0;
	e.lat_ns = bpf_ktime_get_ns() - en->ts;
	__builtin_memcpy(e.args, en->args, sizeof(e.args));
	bpf_map_delete_elem(&entries, &tid);
	e.ret = ret;
	e.nargs = FUNCLAT_ARGS;
	fill_task(&e);
	slot = hist_slot(e.lat_ns);
	count = bpf_map_lookup_elem(&hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	__sync_fetch_and_add(&calls, 1);
	emit(ctx, &e, sizeof(e));
	return 0;
}

SEC("usdt")
int usdt_hit(struct pt_regs *ctx)
{
	struct call_event e = {};
	long v;

	if (task_filtered_out())
		return 0;
	e.nargs = bpf_usdt_arg_cnt(ctx);
	for (int i = 0; i < FUNCLAT_ARGS; i++)
		if (i < e.nargs && !bpf_usdt_arg(ctx, i, &v))
			e.args[i] = v;
	fill_task(&e);
	__sync_fetch_and_add(&calls, 1);
	emit(ctx, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
