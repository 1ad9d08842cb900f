#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/rules.h"
#include "common/percpu.h"
#include "common/pin.h"
#include "parser_test.h"

struct xdp *xs;
struct tc *ts;
int failures, cases;

void reset_stats(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct nb_hook_stats *zero = calloc(ncpu, sizeof(*zero));

	for (__u32 h = 0; h < NB_HOOK_MAX; h++)
		bpf_map_update_elem(bpf_map__fd(xs->maps.netbpf_stats), &h, zero, 0);
	free(zero);
}

void read_stats(int fd, __u32 hook, struct nb_hook_stats *sum)
{
	int err = percpu_sum(fd, &hook, sum, sizeof(*sum));

	if (err)
		fprintf(stderr, "parser_test: failed to read counters: %s\n", strerror(-err));
}

int run(int prog_fd, struct pkt *p, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len, .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	*retval = o.retval;
	return err ? -errno : 0;
}

void expect_xdp(const char *name, struct pkt *p, int l3, int l4, int verdict)
{
	struct nb_hook_stats s;
	__u32 ret;
	int err;

	cases++;
	reset_stats();
	err = run(bpf_program__fd(xs->progs.xdp_main), p, &ret);
	CHECK(!err, "test run failed: %s", strerror(-err));
	CHECK(ret == (verdict == NB_DROP ? XDP_DROP : XDP_PASS), "verdict %u", ret);
	read_stats(bpf_map__fd(xs->maps.netbpf_stats), NB_HOOK_XDP, &s);
	CHECK(s.l3[l3].packets == 1 && s.l3[l3].bytes == p->len, "l3[%d] = %llu/%llu bytes", l3,
	      s.l3[l3].packets, s.l3[l3].bytes);
	for (int i = 0; i < NB_L4_MAX; i++)
		CHECK(s.l4[i].packets == (i == l4), "l4[%d] = %llu, expected l4[%d]", i, s.l4[i].packets, l4);
	CHECK(s.verdict[verdict].packets == 1, "verdict counter %d = %llu", verdict,
	      s.verdict[verdict].packets);
	printf("ok - %s\n", name);
}

static struct rule_maps rule_maps(void)
{
	return (struct rule_maps){ .deny = bpf_map__fd(xs->maps.netbpf_deny),
				   .kinds = bpf_map__fd(xs->maps.netbpf_deny_kinds) };
}

/* Its kind too, and the marker of a rule with a proto or port. */
void add_rule(const char *cidr, __u8 proto, __u16 port)
{
	struct nb_deny_key k = { .proto = proto, .port = htons(port) };
	struct rule_maps m = rule_maps();
	int err = rule_set_prefix(&k, cidr);

	if (!err)
		err = rule_add(&m, &k);
	if (err) {
		fprintf(stderr, "parser_test: failed to add rule %s: %s\n", cidr, strerror(-err));
		exit(1);
	}
}

void del_rule(const char *cidr, __u8 proto, __u16 port)
{
	struct nb_deny_key k = { .proto = proto, .port = htons(port) };
	struct rule_maps m = rule_maps();

	if (rule_set_prefix(&k, cidr) || rule_del(&m, &k)) {
		fprintf(stderr, "parser_test: failed to delete rule %s\n", cidr);
		exit(1);
	}
}

int main(void)
{
	xs = xdp__open();
	ts = tc__open();
	if (!xs || !ts || pin_clear_paths(xs->obj) || pin_clear_paths(ts->obj) || xdp__load(xs) ||
	    tc__load(ts)) {
		fprintf(stderr, "parser_test: failed to load programs: %s\n", strerror(errno));
		return 1;
	}
	test_rule_kinds();
	test_parsing();
	test_fail_closed();
	test_truncation();
	test_garbage();
	test_tc();
	printf("%d cases, %d failed\n", cases, failures);
	xdp__destroy(xs);
	tc__destroy(ts);
	return failures ? 1 : 0;
}
