#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/report.h"

/* What bench redirect measures (enum bench_metric), described where it is reported. */
const struct bench_metric_info bench_metrics[M_MAX] = {
	[M_RR_TPS]     = { "rr_tps",        "rr trans/s",        false },
	[M_RR_P50]     = { "rr_p50_us",     "rr p50 us",         true },
	[M_RR_P99]     = { "rr_p99_us",     "rr p99 us",         true },
	[M_RR_P999]    = { "rr_p999_us",    "rr p99.9 us",       true },
	[M_ST_MBPS]    = { "stream_mbps",   "stream MB/s",       false },
	[M_ST_MSGS]    = { "stream_msgs",   "stream msg/s",      false },
	[M_ST_WAITS]   = { "stream_rx_waits_per_1k", "stream rx waits/1k", true },
	[M_SP_PP_P50]  = { "sockperf_pp_p50_us", "sockperf pp p50 us", true },
	[M_SP_PP_P99]  = { "sockperf_pp_p99_us", "sockperf pp p99 us", true },
	[M_SP_TP_MSGS] = { "sockperf_tp_msgs",   "sockperf tp msg/s",  false },
	[M_IPERF_GBPS] = { "iperf3_gbps",   "iperf3 Gbit/s",     false },
};

static void cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown CPU");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon[strcspn(colon, "\n")] = 0;
			snprintf(buf, len, "%s", colon + 2);
			break;
		}
	}
	if (f)
		fclose(f);
}

const char *bench_machine(void)
{
	static char buf[512];
	char model[256];
	struct utsname u;

	uname(&u);
	cpu_model(model, sizeof(model));
	snprintf(buf, sizeof(buf), "Linux %s %s, %ld CPUs (%s)", u.release, u.machine,
		 sysconf(_SC_NPROCESSORS_ONLN), model);
	return buf;
}

void bench_json_head(struct json *j, const char *bench, double load_start, double load_end)
{
	char model[256];
	struct utsname u;

	uname(&u);
	cpu_model(model, sizeof(model));
	json_init(j, stdout);
	json_obj_open(j);
	json_kv_str(j, "bench", bench);
	json_key(j, "load_avg");
	json_obj_open(j);
	json_kv_double(j, "start", load_start);
	json_kv_double(j, "end", load_end);
	json_obj_close(j);
	json_key(j, "machine");
	json_obj_open(j);
	json_kv_str(j, "kernel", u.release);
	json_kv_str(j, "arch", u.machine);
	json_kv_u64(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_kv_str(j, "cpu_model", model);
	json_obj_close(j);
}

const char *bench_size_str(size_t size, char *buf, size_t len)
{
	if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(buf, len, "%zuM", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%zuK", size >> 10);
	else
		snprintf(buf, len, "%zu", size);
	return buf;
}

/* Gain of mode m over plain in placement p (index into o->placements) in one round, > 1 when
 * the mode is better; NAN if unmeasured. */
static double bench_gain(const struct bench_results *res, int p, int s, int metric, int m, int round)
{
	double plain = res->v[p][s][metric][0][round], v = res->v[p][s][metric][m][round];

	if (isnan(plain) || isnan(v) || plain <= 0 || v <= 0)
		return NAN;
	return bench_metrics[metric].lower_better ? plain / v : v / plain;
}

bool bench_gain_range(const struct bench_results *res, int p, int s, int metric, int m,
		      struct stats_range *out)
{
	double g[BENCH_MAX_ROUNDS];
	size_t n = 0;

	for (int r = 0; r < res->o->rounds; r++) {
		double x = bench_gain(res, p, s, metric, m, r);

		if (!isnan(x))
			g[n++] = x;
	}
	*out = stats_range(g, n);
	return n > 0;
}

/* Median over the rounds that produced a value. */
static double mode_median(const struct bench_results *res, int p, int s, int metric, int m)
{
	double v[BENCH_MAX_ROUNDS];
	size_t n = 0;

	for (int r = 0; r < res->o->rounds; r++)
		if (!isnan(res->v[p][s][metric][m][r]))
			v[n++] = res->v[p][s][metric][m][r];
	return n ? stats_range(v, n).median : NAN;
}

static const char *human(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 10)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

/* Within the spread of the rounds the bypass neither wins nor loses. */
static const char *verdict(const struct stats_range *g)
{
	if (g->min > 1.0)
		return "better";
	if (g->max < 1.0)
		return "WORSE";
	return "~same";
}

static bool metric_measured(const struct bench_results *res, int metric)
{
	for (int p = 0; p < res->o->n_placements; p++)
		for (int s = 0; s < res->o->n_sizes; s++)
			if (!isnan(mode_median(res, p, s, metric, 0)))
				return true;
	return false;
}

static void print_head(const struct bench_results *res)
{
	const struct bench_redirect_opts *o = res->o;
	char when[64];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	printf("netbpf bench redirect: %s, %s\n", bench_machine(), when);
	printf("load average %.2f %.2f %.2f at start, %.2f %.2f %.2f at end (other work shares the machine)\n",
	       res->load_start[0], res->load_start[1], res->load_start[2],
	       res->load_end[0], res->load_end[1], res->load_end[2]);
	printf("%d rounds of %.1f s per test and placement; in each round every mode runs once, "
	       "back to back, in the same placement\n", o->rounds, o->duration_s);
	printf("gain = mode vs plain TCP (> 1: better), median of the per-round ratios (min-max over rounds)\n");
}

static void print_placement_head(const struct bench_results *res, int p)
{
	const struct bench_redirect_opts *o = res->o;

	printf("\nplacement %s: %s\n", bench_placements[o->placements[p]].name,
	       bench_placements[o->placements[p]].desc);
	printf("%-5s %-19s %9s", "size", "metric", "plain");
	for (int m = 1; m < o->n_modes; m++)
		printf(" | %9s %-20s %-6s", o->modes[m].name, "gain (min-max)", "");
	printf("\n");
}

/* Why iperf3 and the bench's stream test can disagree at one message size. */
static void print_stream_note(const struct bench_results *res)
{
	if (!res->o->stream || !metric_measured(res, M_IPERF_GBPS))
		return;
	printf("\nstream vs iperf3: the bench's stream writes SIZE bytes per blocking send() with TCP_NODELAY\n"
	       "and reads with blocking recv() into a max(SIZE, 256K) buffer; iperf3 -l SIZE writes SIZE bytes\n"
	       "per write() on a non-blocking socket without TCP_NODELAY and reads SIZE bytes per read() after\n"
	       "select(). Same sizes, different waits: where they disagree, see docs/bench-results.md.\n");
}

void bench_report_table(const struct bench_results *res)
{
	const struct bench_redirect_opts *o = res->o;
	char sz[16], a[24], b[24], gain[48];
	struct stats_range g;

	print_head(res);
	for (int p = 0; p < o->n_placements; p++) {
		print_placement_head(res, p);
		for (int s = 0; s < o->n_sizes; s++) {
			for (int k = 0; k < M_MAX; k++) {
				if (!metric_measured(res, k))
					continue;
				printf("%-5s %-19s %9s", bench_size_str(o->sizes[s], sz, sizeof(sz)),
				       bench_metrics[k].label, human(mode_median(res, p, s, k, 0), a, sizeof(a)));
				for (int m = 1; m < o->n_modes; m++) {
					bool ok = bench_gain_range(res, p, s, k, m, &g);

					if (ok)
						snprintf(gain, sizeof(gain), "%.2fx (%.2f-%.2f)", g.median, g.min, g.max);
					printf(" | %9s %-20s %-6s", human(mode_median(res, p, s, k, m), b, sizeof(b)),
					       ok ? gain : "-", ok ? verdict(&g) : "");
				}
				printf("\n");
			}
		}
	}
	printf("\ndata: %d runs verified (%.1f MB checksummed at both ends), %d corrupted, %d failed, "
	       "%d stalled (not counted)\n", res->verified_runs, res->verified_bytes / 1e6,
	       res->corrupted, res->failures, res->stalls);
	if (res->not_bypassed)
		printf("%d runs or rounds of a bypass mode were not bypassed (lo carried them, or the "
		       "bypass was gone from its cgroup): not counted\n", res->not_bypassed);
	for (int p = 0; p < o->n_placements; p++) {
		for (int m = 1; m < o->n_modes; m++) {
			int n = 0;

			printf("%s, %s: WORSE than plain TCP (every round) on:", o->modes[m].name,
			       bench_placements[o->placements[p]].name);
			for (int s = 0; s < o->n_sizes; s++)
				for (int k = 0; k < M_MAX; k++)
					if (bench_gain_range(res, p, s, k, m, &g) && g.max < 1.0)
						printf("%s %s %s (%.2fx)", n++ ? "," : "", bench_metrics[k].label,
						       bench_size_str(o->sizes[s], sz, sizeof(sz)), g.median);
			printf("%s\n", n ? "" : " nothing");
		}
	}
	print_stream_note(res);
}

/* One result row: a placement, size and metric with every mode's rounds and gain. */
static void json_result(struct json *j, const struct bench_results *res, int p, int s, int k)
{
	const struct bench_redirect_opts *o = res->o;
	struct stats_range g;

	json_obj_open(j);
	json_kv_str(j, "placement", bench_placements[o->placements[p]].name);
	json_kv_u64(j, "size", o->sizes[s]);
	json_kv_str(j, "metric", bench_metrics[k].key);
	json_kv_bool(j, "lower_better", bench_metrics[k].lower_better);
	json_key(j, "modes");
	json_arr_open(j);
	for (int m = 0; m < o->n_modes; m++) {
		json_obj_open(j);
		json_kv_str(j, "name", o->modes[m].name);
		json_kv_double(j, "median", mode_median(res, p, s, k, m));
		json_key(j, "rounds");
		json_arr_open(j);
		for (int r = 0; r < o->rounds; r++)
			json_double(j, res->v[p][s][k][m][r]);
		json_arr_close(j);
		if (m && bench_gain_range(res, p, s, k, m, &g)) {
			json_key(j, "gain");
			json_obj_open(j);
			json_kv_double(j, "median", g.median);
			json_kv_double(j, "min", g.min);
			json_kv_double(j, "max", g.max);
			json_obj_close(j);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void bench_report_json(const struct bench_results *res)
{
	const struct bench_redirect_opts *o = res->o;
	struct json j;

	bench_json_head(&j, "redirect", res->load_start[0], res->load_end[0]);
	json_kv_double(&j, "duration_s", o->duration_s);
	json_kv_u64(&j, "rounds", o->rounds);
	json_key(&j, "placements");
	json_arr_open(&j);
	for (int p = 0; p < o->n_placements; p++) {
		const struct bench_placement_info *pl = &bench_placements[o->placements[p]];

		json_obj_open(&j);
		json_kv_str(&j, "name", pl->name);
		json_kv_i64(&j, "cpu_client", pl->cpu_client);
		json_kv_i64(&j, "cpu_server", pl->cpu_server);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_kv_u64(&j, "corrupted", res->corrupted);
	json_kv_u64(&j, "failures", res->failures);
	json_kv_u64(&j, "stalls", res->stalls);
	json_kv_u64(&j, "not_bypassed", res->not_bypassed);
	json_kv_u64(&j, "verified_runs", res->verified_runs);
	json_kv_u64(&j, "verified_bytes", res->verified_bytes);
	json_key(&j, "results");
	json_arr_open(&j);
	for (int p = 0; p < o->n_placements; p++)
		for (int s = 0; s < o->n_sizes; s++)
			for (int k = 0; k < M_MAX; k++)
				if (metric_measured(res, k))
					json_result(&j, res, p, s, k);
	json_arr_close(&j);
	json_obj_close(&j);
	json_end_line(&j);
}
