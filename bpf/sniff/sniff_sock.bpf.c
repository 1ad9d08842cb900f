// SPDX-License-Identifier: GPL-2.0
/*
 * Socket source of `netbpf sniff`: HTTP as processes send and receive it, for
 * traffic that never reaches a wire (the localhost bypass redirects it between
 * sockets). Syscall tracepoints, so no kprobe or trampoline is needed.
 *
 * fd -> socket: resolved on first use from the task's fd table (current->files)
 * and cached per (process, fd) together with the struct file and inode number it
 * resolved to. A cached entry is trusted only while the fd still points at that
 * file and inode, so sockets opened before the sniffer started are found without
 * a /proc scan (and without tracing accept4/connect), and dup2, close_range or
 * exec cannot leave a stale mapping behind.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sniff/sniff.bpf.h"

#define AF_INET     2
#define AF_INET6    10
#define SOCK_STREAM 1
#define S_IFMT      00170000
#define S_IFSOCK    0140000

const volatile __u32 targ_netns = 0;   /* inode of the sniffer's network namespace */
const volatile __s32 targ_ifindex = 0; /* connections whose packets arrive there; 0: any */
const volatile __u32 targ_self = 0;    /* the sniffer's own pid */

/* A read or write between sys_enter and sys_exit, per thread. */
struct inflight {
	__u64 buf;
	struct sniff_fd_key key;
	__u8 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SNIFF_MAX_FDS);
	__type(key, struct sniff_fd_key);
	__type(value, struct sniff_fd_val);
} sniff_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct inflight);
} sniff_inflight SEC(".maps");

struct event_buf {
	struct sniff_sock_event ev;
	__u8 data[SNIFF_SOCK_CAP];
};

/* Too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_buf);
} sniff_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} sniff_events SEC(".maps");

/* Before 5.17 the ifindex of a socket's input route lived in inet_sock. */
struct inet_sock___old {
	int rx_dst_ifindex;
} __attribute__((preserve_access_index));

static __always_inline struct file *fd_file(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline int sk_ifindex(struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_rx_dst_ifindex))
		return BPF_CORE_READ(sk, sk_rx_dst_ifindex);
	return BPF_CORE_READ((struct inet_sock___old *)sk, rx_dst_ifindex);
}

/* Returns 1 if v describes a socket worth caching (connected or not a TCP socket). */
static __always_inline int classify(struct file *file, struct sniff_fd_val *v)
{
	struct socket *sock;
	struct sock *sk;
	__u16 family;
	int ifindex;

	v->file = (__u64)file;
	v->ino = BPF_CORE_READ(file, f_inode, i_ino);
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 1;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sock, type) != SOCK_STREAM)
		return 1;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 1;
	if (BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != targ_netns)
		return 1;
	v->rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	/* Not connected yet: classify again once it is. */
	if (!v->rport)
		return 0;
	v->lport = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
	if (!port_wanted(bpf_ntohs(v->lport), bpf_ntohs(v->rport)))
		return 1;
	ifindex = sk_ifindex(sk);
	if (targ_ifindex && ifindex && ifindex != targ_ifindex)
		return 1;
	if (family == AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		v->laddr[10] = v->laddr[11] = 0xff;
		v->raddr[10] = v->raddr[11] = 0xff;
		__builtin_memcpy(&v->laddr[12], &la, 4);
		__builtin_memcpy(&v->raddr[12], &ra, 4);
	} else {
		BPF_CORE_READ_INTO(&v->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&v->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	v->wanted = 1;
	return 1;
}

static __always_inline int on_enter(int fd, __u64 buf, __u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sniff_fd_key key = { .pid = id >> 32, .fd = fd };
	struct inflight in = { .buf = buf, .kind = kind };
	struct sniff_fd_val *v, fresh = {};
	struct file *file;

	if (key.pid == targ_self || fd < 0)
		return 0;
	file = fd_file(fd);
	if (!file)
		return 0;
	v = bpf_map_lookup_elem(&sniff_fds, &key);
	if (!v || v->file != (__u64)file || v->ino != BPF_CORE_READ(file, f_inode, i_ino)) {
		if (!classify(file, &fresh)) {
			if (v)
				bpf_map_delete_elem(&sniff_fds, &key);
			return 0;
		}
		/* "Not wanted" is cached too: most fds read and written are not sockets. */
		bpf_map_update_elem(&sniff_fds, &key, &fresh, BPF_ANY);
		if (!fresh.wanted)
			return 0;
		v = bpf_map_lookup_elem(&sniff_fds, &key);
		if (!v)
			return 0;
	} else if (!v->wanted) {
		return 0;
	}
	in.key = key;
	__sync_fetch_and_add(&v->busy[kind & 1], 1);
	bpf_map_update_elem(&sniff_inflight, &id, &in, BPF_ANY);
	return 0;
}

/*
 * This read or write ended: were others on the same socket lost on the way (their
 * sniff_inflight entries evicted)? Two threads reading (or writing) one socket at
 * once also look like a loss: their bytes' order is unknown anyway.
 */
static __always_inline __s32 busy_lost(struct sniff_fd_val *v, __u8 kind)
{
	/* Not atomic (the return value of an atomic add needs -mcpu=v3): two calls
	 * ending at once at worst miss or invent a loss, which is one already. */
	__s32 old = v->busy[kind & 1];

	if (old <= 0)
		return 0; /* the entry was replaced while this call was in flight */
	v->busy[kind & 1] = old > 1 ? 0 : old - 1;
	return old - 1;
}

static __always_inline struct event_buf *event_start(const struct sniff_fd_key *key,
						     const struct sniff_fd_val *v, __u8 kind)
{
	__u32 zero = 0;
	struct event_buf *b = bpf_map_lookup_elem(&sniff_scratch, &zero);

	if (!b)
		return NULL;
	b->ev.ts_ns = bpf_ktime_get_ns();
	b->ev.ino = v->ino;
	b->ev.pid = key->pid;
	b->ev.fd = key->fd;
	b->ev.kind = kind;
	b->ev.lport = v->lport;
	b->ev.rport = v->rport;
	__builtin_memcpy(b->ev.laddr, v->laddr, 16);
	__builtin_memcpy(b->ev.raddr, v->raddr, 16);
	bpf_get_current_comm(b->ev.comm, sizeof(b->ev.comm));
	b->ev.len = 0;
	b->ev.cap = 0;
	return b;
}

static __always_inline void event_send(struct event_buf *b, __u32 cap)
{
	if (cap > SNIFF_SOCK_CAP)
		return;
	if (bpf_ringbuf_output(&sniff_events, b, sizeof(b->ev) + cap, 0))
		stat_inc(SNIFF_STAT_SOCK_LOST);
	else
		stat_inc(SNIFF_STAT_SOCK_EVENTS);
}

/*
 * Bytes [off, off + n) of the user buffer as one event; n <= SNIFF_SOCK_CAP. n is 64
 * bits wide so that the register checked is the one passed: with a __u32, clang may
 * test a zero-extended copy and pass the original, whose upper half the 6.1 verifier
 * does not know ("R2 min value is negative").
 */
static __always_inline int send_chunk(struct event_buf *b, __u64 buf, __u32 off, __u64 n)
{
	if (n > SNIFF_SOCK_CAP)
		return -1;
	b->ev.len = n;
	b->ev.cap = n;
	if (bpf_probe_read_user(b->data, n, (void *)(buf + off)))
		b->ev.cap = 0; /* not readable: user space sees a gap of len bytes */
	event_send(b, b->ev.cap);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *in = bpf_map_lookup_elem(&sniff_inflight, &id);
	struct sniff_fd_key key;
	struct sniff_fd_val *v;
	struct event_buf *b;
	__s32 lost;
	__u64 buf;
	__u32 off;
	__u8 kind;

	if (!in)
		return 0;
	buf = in->buf;
	kind = in->kind;
	key = in->key;
	v = bpf_map_lookup_elem(&sniff_fds, &key);
	bpf_map_delete_elem(&sniff_inflight, &id);
	if (!v)
		return 0;
	lost = busy_lost(v, kind);
	if (lost) {
		__u32 idx = SNIFF_STAT_SOCK_EVICTED;
		__u64 *cnt = bpf_map_lookup_elem(&sniff_stats, &idx);

		if (cnt)
			*cnt += lost;
		/* What was lost precedes this call's data: say so first. */
		if (v->http && v->wanted && (b = event_start(&key, v, kind)))
			event_send(b, 0);
	}
	if (!v->wanted || ret < 0 || (ret == 0 && kind != SNIFF_SOCK_IN))
		return 0;
	if (ret == 0) {
		if (v->http && (b = event_start(&key, v, SNIFF_SOCK_EOF)))
			event_send(b, 0);
		return 0;
	}
	b = event_start(&key, v, kind);
	if (!b)
		return 0;
	if (!v->http) {
		/* Only connections seen starting an HTTP message are followed. */
		char start[HTTP_START_LEN] = {};

		if (ret < (long)sizeof(start) || bpf_probe_read_user(start, sizeof(start), (void *)buf) ||
		    !http_start(start))
			return 0;
		v->http = 1;
	}
	for (int i = 0; i < SNIFF_SOCK_CHUNKS; i++) {
		off = i * SNIFF_SOCK_CAP;
		if ((long)off >= ret)
			return 0;
		if (send_chunk(b, buf, off, ret - off > SNIFF_SOCK_CAP ? SNIFF_SOCK_CAP : ret - off))
			return 0;
	}
	off = SNIFF_SOCK_CHUNKS * SNIFF_SOCK_CAP;
	if (ret > (long)off) {
		b->ev.len = ret - off;
		b->ev.cap = 0;
		event_send(b, 0);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int sniff_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], ctx->args[1], SNIFF_SOCK_IN);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int sniff_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], ctx->args[1], SNIFF_SOCK_IN);
}

SEC("tracepoint/syscalls/sys_enter_write")
int sniff_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], ctx->args[1], SNIFF_SOCK_OUT);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int sniff_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], ctx->args[1], SNIFF_SOCK_OUT);
}

SEC("tracepoint/syscalls/sys_exit_read")
int sniff_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int sniff_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_write")
int sniff_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int sniff_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

/* The end of a followed connection, as this process sees it. */
SEC("tracepoint/syscalls/sys_enter_close")
int sniff_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct sniff_fd_key key = { .pid = bpf_get_current_pid_tgid() >> 32, .fd = ctx->args[0] };
	struct sniff_fd_val *v = bpf_map_lookup_elem(&sniff_fds, &key);
	struct event_buf *b;

	if (!v)
		return 0;
	if (v->http && v->wanted && (b = event_start(&key, v, SNIFF_SOCK_CLOSE)))
		event_send(b, 0);
	bpf_map_delete_elem(&sniff_fds, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
