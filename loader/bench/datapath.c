#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/datapath.h"
#include "bench/datapath_progs.h"
#include "common/log.h"
#include "common/signals.h"

static int prog_stats(int fd, __u64 *run_ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*run_ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

/*
 * One measurement. Without our stats fd: test_run's own average, and whether the
 * kernel counted the runs anyway (another process holds BPF_ENABLE_STATS, which is
 * global). With it: test_run's average with the stats on, and the stats' average
 * over the same runs.
 */
static int measure(struct dp *d, int prog, int pkt, int repeat, int round, bool stats_on)
{
	struct pkt *p = &d->pkt[pkt];
	__u8 out[PKT_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->b, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
	__u64 ns0 = 0, c0 = 0, ns1 = 0, c1 = 0;
	int stats_ok = !prog_stats(d->fd[prog], &ns0, &c0);

	if (bpf_prog_test_run_opts(d->fd[prog], &t)) {
		pr_warn("failed to run %s on %s: %s\n", prog_names[prog], pkt_names[pkt], strerror(errno));
		return -1;
	}
	if (t.retval != expect[prog][pkt]) {
		pr_warn("%s returned %d on %s, expected %d: wrong verdict\n", prog_names[prog],
			(int)t.retval, pkt_names[pkt], (int)expect[prog][pkt]);
		return -1;
	}
	stats_ok = stats_ok && !prog_stats(d->fd[prog], &ns1, &c1) && c1 > c0;
	if (!stats_on) {
		d->ns[prog][pkt][round] = t.duration;
		d->stats_foreign += stats_ok;
		return 0;
	}
	d->ns_stats_on[prog][pkt][round] = t.duration;
	d->stats_ns[prog][pkt][round] = stats_ok ? (double)(ns1 - ns0) / (c1 - c0) : NAN;
	return 0;
}

/* Every program on every packet once, in an order rotated by the round so that drift
 * in the machine's load favours no program. */
static int pass(struct dp *d, const struct bench_datapath_opts *o, int r, bool stats_on)
{
	for (int k = 0; k < N_PKTS; k++)
		for (int i = 0; i < N_PROGS; i++)
			if (measure(d, (i + r) % N_PROGS, k, o->repeat, r, stats_on))
				return -1;
	return 0;
}

int bench_datapath(const struct bench_datapath_opts *o)
{
	struct dp *d = calloc(1, sizeof(*d));
	double la[2] = { NAN, NAN };
	int stats_fd = -1, ret = 1;

	if (!d)
		return 1;
	getloadavg(&la[0], 1);
	if (dp_load(d))
		goto out;
	/*
	 * Each round times every program with the kernel's run-time stats off, then
	 * again with them on for the cross-check: they cost every run of every
	 * program (~70 ns on a VM), which would hide most of a program's own cost.
	 */
	for (int r = 0; r < o->rounds && !exiting; r++) {
		if (pass(d, o, r, false))
			goto out;
		/* kernel-side timing stays on only while this fd is open */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0 && !r)
			pr_info("bench: BPF_ENABLE_STATS unavailable (%s): no cross-check\n",
				strerror(errno));
		if (stats_fd >= 0) {
			if (pass(d, o, r, true))
				goto out;
			d->has_stats = true;
			close(stats_fd);
			stats_fd = -1;
		}
		pr_info("bench: round %d/%d done\n", r + 1, o->rounds);
	}
	getloadavg(&la[1], 1);
	if (o->json)
		dp_report_json(d, o, la);
	else
		dp_report_table(d, o, la);
	ret = 0;
out:
	if (stats_fd >= 0)
		close(stats_fd);
	dp_destroy(d);
	free(d);
	return ret;
}
