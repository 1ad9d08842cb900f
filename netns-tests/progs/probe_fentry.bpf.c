// SPDX-License-Identifier: GPL-2.0
/* Counts nanosleep() calls of one process through an fentry program: the
 * smallest proof that the running kernel accepts BPF trampolines
 * (tests/probe_fentry). A syscall entry point is the target because it is always
 * called through the syscall table, never inlined, and it is in the BTF of every
 * kernel (unlike __x64_sys_getpid, which pahole drops as an alias). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 targ_tgid;
__u64 hits;

SEC("fentry/__x64_sys_nanosleep")
int BPF_PROG(probe_nanosleep)
{
	if (bpf_get_current_pid_tgid() >> 32 == targ_tgid)
		__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
