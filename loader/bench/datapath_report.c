/* The datapath bench's report: the table with each stage's cost, the targets of
 * issue 18, and the JSON form. */
#include <math.h>
#include <stdio.h>
#include <bpf/bpf.h>

#include "bench/datapath_progs.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "common/json.h"

static struct stats_range range_of(const double *v, int n)
{
	double ok[MAX_ROUNDS];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			ok[k++] = v[i];
	return stats_range(ok, k);
}

static double median_of(struct dp *d, const struct bench_datapath_opts *o, int prog, int pkt)
{
	return range_of(d->ns[prog][pkt], o->rounds).median;
}

/* ns/packet over that of the empty program of the same hook and packet, round by round. */
static struct stats_range ratio_range(struct dp *d, const struct bench_datapath_opts *o, int prog,
				      int pkt)
{
	double r[MAX_ROUNDS];

	for (int i = 0; i < o->rounds; i++)
		r[i] = d->ns[prog][pkt][i] / d->ns[floor_of(prog)][pkt][i];
	return range_of(r, o->rounds);
}

static double ratio_of(struct dp *d, const struct bench_datapath_opts *o, int prog, int pkt)
{
	return ratio_range(d, o, prog, pkt).median;
}

/* The targets of issue 18, each with the figures it is judged on. */
static void report_targets(struct dp *d, const struct bench_datapath_opts *o)
{
	static const int xdps[] = { PROG_XDP0, PROG_XDP, PROG_XDP1K, PROG_XDP1K4, PROG_OLD0, PROG_OLD,
				    PROG_OLD1K };
	double worst;

	printf("\ntargets (median of the per-round ratios, min-max):\n");
	for (size_t i = 0; i < sizeof(xdps) / sizeof(xdps[0]); i++) {
		worst = 0;
		printf("  %-18s <= 1.50x xdp floor:", prog_names[xdps[i]]);
		for (int k = 0; k < N_PKTS; k++) {
			struct stats_range r = ratio_range(d, o, xdps[i], k);

			worst = r.median > worst ? r.median : worst;
			printf(" %s %.2fx (%.2f-%.2f)", pkt_keys[k], r.median, r.min, r.max);
		}
		printf("  %s\n", worst <= 1.5 ? "met" : "MISSED");
	}
	for (size_t i = 0; i < sizeof(xdps) / sizeof(xdps[0]); i++) {
		if (expect[xdps[i]][PKT_DENY] != XDP_DROP)
			continue;
		double den = median_of(d, o, xdps[i], PKT_DENY), pass = median_of(d, o, xdps[i], PKT_TCP4);

		printf("  %-18s denied <= passed: %.0f vs %.0f ns  %s\n", prog_names[xdps[i]], den, pass,
		       den <= pass ? "met" : "MISSED");
	}
	worst = 0;
	printf("  %-18s <= 1.30x tc floor:", prog_names[PROG_TC]);
	for (int k = 0; k < N_PKTS; k++) {
		struct stats_range r = ratio_range(d, o, PROG_TC, k);

		worst = r.median > worst ? r.median : worst;
		printf(" %s %.2fx (%.2f-%.2f)", pkt_keys[k], r.median, r.min, r.max);
	}
	printf("  %s\n", worst <= 1.3 ? "met" : "MISSED");
}

void dp_report_table(struct dp *d, const struct bench_datapath_opts *o, const double la[2])
{
	printf("netbpf bench datapath: %s\n", bench_machine());
	printf("load average %.2f at start, %.2f at end; BPF_PROG_TEST_RUN repeat %d, %d rounds; "
	       "ns/packet median (min-max); x floor = over the empty program of the same hook, "
	       "median of the rounds' ratios; "
	       "stats = BPF_ENABLE_STATS run_time_ns/run_cnt\n\n",
	       la[0], la[1], o->repeat, o->rounds);
	printf("%-16s %-18s %8s %-15s %8s %9s\n", "packet", "program", "ns/pkt", "(min-max)",
	       "x floor", "stats ns");
	for (int k = 0; k < N_PKTS; k++) {
		for (int p = 0; p < N_PROGS; p++) {
			struct stats_range r = range_of(d->ns[p][k], o->rounds);
			struct stats_range s = range_of(d->stats_ns[p][k], o->rounds);
			char mm[32];

			snprintf(mm, sizeof(mm), "(%.0f-%.0f)", r.min, r.max);
			printf("%-16s %-18s %8.0f %-15s %7.2fx %9.1f\n", pkt_names[k], prog_names[p],
			       r.median, mm, ratio_of(d, o, p, k), s.median);
		}
	}
	printf("\ntail-call chain vs bpf2bpf pipeline (same stages, 1 rule), ns/packet:");
	for (int k = 0; k < N_PKTS; k++) {
		double a = median_of(d, o, PROG_XDP, k), b = median_of(d, o, PROG_TAIL, k);

		printf("%s %s %+.0f (%.2fx)", k ? "," : "", pkt_names[k], b - a, b / a);
	}
	printf("\n");
	/* Each stage's cost is what cutting the pipeline after it adds to the cut before. */
	printf("stage costs, ns/packet (pipeline with no rules cut after each stage):\n");
	for (int k = 0; k < N_PKTS; k++) {
		double fl = median_of(d, o, PROG_FLOOR, k);
		double cut[] = { fl, median_of(d, o, PROG_S_L2, k), median_of(d, o, PROG_S_L3, k),
				 median_of(d, o, PROG_S_L4, k), median_of(d, o, PROG_S_MATCH, k),
				 median_of(d, o, PROG_XDP0, k) };

		printf("  %-16s 5 empty calls %+.0f; parse_l2 %+.0f, parse_l3 %+.0f, parse_l4 %+.0f, "
		       "match_rules %+.0f, account %+.0f\n", pkt_names[k],
		       median_of(d, o, PROG_S_CALLS, k) - fl, cut[1] - cut[0], cut[2] - cut[1],
		       cut[3] - cut[2], cut[4] - cut[3], cut[5] - cut[4]);
	}
	report_targets(d, o);
}

void dp_report_json(struct dp *d, const struct bench_datapath_opts *o, const double la[2])
{
	struct json j;

	bench_json_head(&j, "datapath", la[0], la[1]);
	json_kv_u64(&j, "repeat", o->repeat);
	json_kv_u64(&j, "rounds", o->rounds);
	json_key(&j, "results");
	json_arr_open(&j);
	for (int k = 0; k < N_PKTS; k++) {
		for (int p = 0; p < N_PROGS; p++) {
			struct stats_range r = range_of(d->ns[p][k], o->rounds);

			json_obj_open(&j);
			json_kv_str(&j, "packet", pkt_keys[k]);
			json_kv_str(&j, "program", prog_keys[p]);
			json_kv_i64(&j, "verdict", (int)expect[p][k]);
			json_kv_double(&j, "ns_median", r.median);
			json_kv_double(&j, "ns_min", r.min);
			json_kv_double(&j, "ns_max", r.max);
			json_kv_str(&j, "floor", prog_keys[floor_of(p)]);
			json_kv_double(&j, "floor_ratio", ratio_of(d, o, p, k));
			json_kv_double(&j, "stats_ns_median", range_of(d->stats_ns[p][k], o->rounds).median);
			json_obj_close(&j);
		}
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end_line(&j);
}

