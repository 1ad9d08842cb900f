// SPDX-License-Identifier: GPL-2.0
/* Socket allocations at sock_alloc_file(), by fentry or kprobe. There is no
 * tracepoint there: a kernel without either gets nothing. Fields are read with CO-RE
 * so the layout of struct socket and struct sock comes from the running kernel. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lib/common.bpf.h"
#include "sockalloc.h"

static __always_inline int on_alloc(void *ctx, struct socket *sock)
{
	struct sock_event e = {};
	struct sock *sk;

	if (task_filtered_out())
		return 0;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.type = BPF_CORE_READ(sock, type);
	sk = BPF_CORE_READ(sock, sk);
	/* accept() allocates the file before the new sock is grafted: ask the ops. */
	if (sk) {
		e.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		e.protocol = BPF_CORE_READ(sk, sk_protocol);
	} else {
		e.family = BPF_CORE_READ(sock, ops, family);
	}
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	emit(ctx, &e, sizeof(e));
	return 0;
}

SEC("fentry/sock_alloc_file")
int BPF_PROG(fentry_sock_alloc_file, struct socket *sock)
{
	return on_alloc(ctx, sock);
}

SEC("kprobe/sock_alloc_file")
int BPF_KPROBE(kprobe_sock_alloc_file, struct socket *sock)
{
	return on_alloc(ctx, sock);
}

char LICENSE[] SEC("license") = "GPL";
