// SPDX-License-Identifier: GPL-2.0
/*
 * Someone else's tracing programs with a shared subfunction, as the seed
 * case has it (a handle_new_connection() called from two probes): two raw
 * tracepoint programs, on syscall entry and exit, each call the global
 * handle_new_connection() for the getppid() calls of one process. `netbpf trace
 * --prog` must find the subfunction in each program's BTF and show its calls,
 * latency and return value (which tells the two callers apart), and `(void)` for
 * note_connection(). __noinline: real bpf2bpf subprograms for fentry to attach to.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_getppid 110 /* x86_64 */

const volatile __u32 targ_pid;

__u64 handled; /* calls of handle_new_connection, read back by the helper */

/* Global: verified on its own, with scalars only. Returns the caller's number. */
__noinline int handle_new_connection(__u32 caller, __u64 id)
{
	if (id != NR_getppid)
		return -1;
	__sync_fetch_and_add(&handled, 1);
	return caller;
}

/* Static: 6.1's verifier takes only scalar-returning global functions. */
static __noinline void note_connection(__u32 caller)
{
	if (caller == 2)
		__sync_fetch_and_add(&handled, 0);
}

static __always_inline bool ours(void)
{
	return bpf_get_current_pid_tgid() >> 32 == targ_pid;
}

SEC("raw_tp/sys_enter")
int seed_enter(struct bpf_raw_tracepoint_args *ctx)
{
	if (ours() && ctx->args[1] == NR_getppid)
		handle_new_connection(1, ctx->args[1]);
	return 0;
}

SEC("raw_tp/sys_exit")
int seed_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	long nr = -1;

	if (!ours())
		return 0;
	/* sys_exit's args[1] is the return value: the syscall number is in the registers. */
	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax);
	if (nr == NR_getppid && handle_new_connection(2, nr) == 2)
		note_connection(2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
