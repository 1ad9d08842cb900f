// SPDX-License-Identifier: GPL-2.0
/* Plaintext of TLS traffic: uprobes on libssl's SSL_read/SSL_write (and the _ex
 * variants, which OpenSSL's own BIOs use) remember the buffer, uretprobes copy what
 * was transferred. SSL_do_handshake's duration too. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lib/common.bpf.h"
#include "sslsniff.h"

struct call {
	__u64 ts;
	__u64 buf;      /* user buffer */
	__u64 out_len;  /* _ex variants: size_t * receiving the byte count */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32); /* thread id */
	__type(value, struct call);
} calls SEC(".maps");

/* Events are too big for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ssl_event);
} scratch SEC(".maps");

static __always_inline int enter(void *buf, void *out_len)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct call c = { .ts = bpf_ktime_get_ns(), .buf = (__u64)buf, .out_len = (__u64)out_len };

	if (task_filtered_out())
		return 0;
	bpf_map_update_elem(&calls, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int leave(struct pt_regs *ctx, enum ssl_op op)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, zero = 0;
	struct ssl_event *e;
	struct call *c;
	__s64 len = (int)PT_REGS_RC(ctx); /* all five return int: upper bits are junk */
	__u32 copy;

	c = bpf_map_lookup_elem(&calls, &tid);
	if (!c)
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		goto out;
	/* _ex: returns 1 on success, the count is in *out_len. */
	if (c->out_len && op != SSL_OP_HANDSHAKE) {
		size_t n = 0;

		if (len == 1 && !bpf_probe_read_user(&n, sizeof(n), (void *)c->out_len))
			len = n;
		else
			len = 0;
	}
	if (op != SSL_OP_HANDSHAKE && len <= 0) /* nothing moved (error, would block) */
		goto out;
	e->lat_ns = bpf_ktime_get_ns() - c->ts;
	e->len = len;
	e->op = op;
	e->pid = id >> 32;
	e->tid = tid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	copy = 0;
	if (op != SSL_OP_HANDSHAKE) {
		copy = len < SSL_DATA_MAX ? len : SSL_DATA_MAX;
		if (bpf_probe_read_user(e->data, copy, (void *)c->buf))
			copy = 0;
	}
	e->copied = copy;
	emit(ctx, e, offsetof(struct ssl_event, data) + copy);
out:
	bpf_map_delete_elem(&calls, &tid);
	return 0;
}

/* BPF_KPROBE: libbpf 1.1 has no BPF_UPROBE; the register access is the same. */
SEC("uprobe")
int BPF_KPROBE(read_enter, void *ssl, void *buf)
{
	return enter(buf, NULL);
}

SEC("uprobe")
int BPF_KPROBE(write_enter, void *ssl, void *buf)
{
	return enter(buf, NULL);
}

SEC("uprobe")
int BPF_KPROBE(read_ex_enter, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return enter(buf, readbytes);
}

SEC("uprobe")
int BPF_KPROBE(write_ex_enter, void *ssl, void *buf, size_t num, size_t *written)
{
	return enter(buf, written);
}

SEC("uprobe")
int BPF_KPROBE(handshake_enter)
{
	return enter(NULL, NULL);
}

SEC("uretprobe")
int read_return(struct pt_regs *ctx)
{
	return leave(ctx, SSL_OP_READ);
}

SEC("uretprobe")
int write_return(struct pt_regs *ctx)
{
	return leave(ctx, SSL_OP_WRITE);
}

SEC("uretprobe")
int handshake_return(struct pt_regs *ctx)
{
	return leave(ctx, SSL_OP_HANDSHAKE);
}

char LICENSE[] SEC("license") = "GPL";
