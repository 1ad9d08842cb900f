#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/report.h"
#include "bench/stats.h"
#include "common/json.h"
#include "common/log.h"
#include "common/pkt.h"
#include "common/pin.h"
#include "trace/attach.h"
#include "bench/trace.h"
#include "trace/funcs.h"
#include "xdp.skel.h"

#define ROUNDS 3

struct bench_result {
	double untraced_ns[ROUNDS], traced_ns[ROUNDS];
	__u64 main_calls;
	int n_funcs;
};

/* Ethernet, IPv4 192.0.2.1 -> 192.0.2.2, TCP 40000 -> 80 SYN, 10 bytes of payload:
 * the full parse path (l2, l3, l4, rules, account) and XDP_PASS. */
static void bench_pkt(struct pkt *p)
{
	pkt_eth(p, ETH_P_IP);
	pkt_ip4(p, IPPROTO_TCP, "192.0.2.1", NULL, 0, 0);
	pkt_tcp(p, 40000, 80, TH_SYN);
	pkt_zeros(p, 10);
}

static int run_ns(int fd, int repeat, double *ns)
{
	struct pkt p;

	bench_pkt(&p);
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p.b, .data_size_in = p.len, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &t)) {
		int err = -errno;

		pr_warn("failed to run xdp_main (BPF_PROG_TEST_RUN): %s\n", strerror(-err));
		return err;
	}
	if (t.retval != XDP_PASS) {
		pr_warn("xdp_main returned %u, expected XDP_PASS: the bench packet is wrong\n", t.retval);
		return -EINVAL;
	}
	*ns = t.duration; /* the kernel's mean over the repeats */
	return 0;
}

static void print_result(const struct bench_result *r, int repeat, bool json)
{
	struct stats_range u = stats_range(r->untraced_ns, ROUNDS);
	struct stats_range t = stats_range(r->traced_ns, ROUNDS);
	double per_func = (t.median - u.median) / r->n_funcs;
	struct json j;

	if (json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_kv_str(&j, "bench", "trace");
		json_kv_u64(&j, "repeat", repeat);
		json_kv_u64(&j, "rounds", ROUNDS);
		json_kv_u64(&j, "functions", r->n_funcs);
		json_kv_double(&j, "untraced_ns", u.median);
		json_kv_double(&j, "untraced_min_ns", u.min);
		json_kv_double(&j, "untraced_max_ns", u.max);
		json_kv_double(&j, "traced_ns", t.median);
		json_kv_double(&j, "traced_min_ns", t.min);
		json_kv_double(&j, "traced_max_ns", t.max);
		json_kv_double(&j, "ratio", t.median / u.median);
		json_kv_double(&j, "per_function_ns", per_func);
		json_kv_u64(&j, "traced_main_calls", r->main_calls);
		json_obj_close(&j);
		json_end_line(&j);
		return;
	}
	printf("netbpf bench trace: %s\n", bench_machine());
	printf("xdp_main on a 64-byte TCP/IPv4 packet, BPF_PROG_TEST_RUN repeat %d, %d rounds "
	       "alternating; ns/packet median (min-max)\n", repeat, ROUNDS);
	printf("  untraced %9.1f (%.1f-%.1f)\n", u.median, u.min, u.max);
	printf("  traced   %9.1f (%.1f-%.1f)  fentry+fexit on %d functions; xdp_main counted "
	       "%llu runs\n", t.median, t.min, t.max, r->n_funcs, (unsigned long long)r->main_calls);
	printf("  ratio    %9.2fx, +%.1f ns per traced function\n", t.median / u.median, per_func);
}

/*
 * A traced measurement loads its own tracers: once detached, a tracing program
 * whose target is a BPF program cannot be attached again (the kernel takes a new
 * target only for freplace programs).
 */
static int measure(const struct trace_set *set, int fd, int repeat, bool traced, double *ns,
		   __u64 *main_calls)
{
	struct trace_func_stats s;
	struct tracer t;
	int err;

	if (!traced)
		return run_ns(fd, repeat, ns);
	err = tracer_attach(&t, set, 0);
	if (err) {
		if (trace_refused(err))
			pr_warn("cannot measure the traced cost: kernel refuses BPF trampolines (%s)\n",
				strerror(-err));
		return err;
	}
	err = run_ns(fd, repeat, ns);
	if (!err)
		err = tracer_read(&t, 0, &s); /* function 0 is xdp_main */
	if (!err)
		*main_calls += s.calls;
	tracer_detach(&t);
	return err;
}

static int bench_rounds(int fd, int repeat, const struct trace_set *set, struct bench_result *r)
{
	int err = 0;
	bool first;

	for (int i = 0; i < ROUNDS && !err; i++) {
		/* Alternating which side runs first: a drift in the load favours neither. */
		first = i % 2;
		err = measure(set, fd, repeat, first, first ? &r->traced_ns[i] : &r->untraced_ns[i],
			      &r->main_calls);
		if (!err)
			err = measure(set, fd, repeat, !first,
				      first ? &r->untraced_ns[i] : &r->traced_ns[i], &r->main_calls);
	}
	return err;
}

int trace_bench(int repeat, bool json)
{
	struct bench_result r = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct trace_set *set = calloc(1, sizeof(*set));
	struct xdp *xdp = xdp__open();
	int fd, err = -ENOMEM;

	if (!set || !xdp)
		goto out;
	err = pin_clear_paths(xdp->obj) ?: xdp__load(xdp);
	if (err) {
		pr_warn("failed to load xdp_main: %s\n", strerror(-err));
		goto out;
	}
	fd = bpf_program__fd(xdp->progs.xdp_main);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || trace_add_prog_id(set, info.id) ||
	    trace_discover(set)) {
		err = -EINVAL;
		goto out;
	}
	r.n_funcs = set->n_funcs;
	err = bench_rounds(fd, repeat, set, &r);
	if (!err)
		print_result(&r, repeat, json);
out:
	if (set)
		trace_set_close(set);
	free(set);
	xdp__destroy(xdp);
	return err;
}
