#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench/report.h"
#include "common/log.h"

/* One panel per family and placement: metrics that answer the same question share axes. */
static const struct family {
	const char *title;
	int metrics[4]; /* -1 ends the list */
} families[] = {
	{ "stream throughput", { M_ST_MBPS, M_SP_TP_MSGS, M_IPERF_GBPS, -1 } },
	{ "request/response rate", { M_RR_TPS, -1 } },
	{ "round-trip latency", { M_RR_P50, M_RR_P99, M_SP_PP_P50, -1 } },
};
#define N_FAMILIES (int)(sizeof(families) / sizeof(families[0]))

/* A colour per mode (index m - 1), told apart also in grey print by the dash per metric. */
static const char *const colours[BENCH_MAX_MODES - 1] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
};

static bool any_gain(const struct bench_results *res, int p, int k, int m)
{
	struct stats_range g;

	for (int s = 0; s < res->o->n_sizes; s++)
		if (bench_gain_range(res, p, s, k, m, &g))
			return true;
	return false;
}

static void write_data(FILE *f, const struct bench_results *res)
{
	const struct bench_redirect_opts *o = res->o;
	struct stats_range g;

	for (int p = 0; p < o->n_placements; p++) {
		for (int m = 1; m < o->n_modes; m++) {
			for (int k = 0; k < M_MAX; k++) {
				if (!any_gain(res, p, k, m))
					continue;
				fprintf(f, "$d%d_%d_%d << EOD\n", p, m, k);
				for (int s = 0; s < o->n_sizes; s++)
					if (bench_gain_range(res, p, s, k, m, &g))
						fprintf(f, "%zu %g %g %g\n", o->sizes[s], g.median, g.min, g.max);
				fprintf(f, "EOD\n");
			}
		}
	}
}

static void write_panel(FILE *f, const struct bench_results *res, int p, const struct family *fam)
{
	const struct bench_redirect_opts *o = res->o;
	int lines = 0;
	double lo = 0.5, hi = 2; /* 1.0, the reference, always in view and off the edges */
	struct stats_range g;

	for (int m = 1; m < o->n_modes; m++)
		for (int i = 0; fam->metrics[i] >= 0; i++)
			for (int s = 0; s < o->n_sizes; s++)
				if (bench_gain_range(res, p, s, fam->metrics[i], m, &g)) {
					lo = fmin(lo, g.min);
					hi = fmax(hi, g.max);
				}
	fprintf(f, "set yrange [%g:%g]\n", lo / 1.3, hi * 1.3);
	fprintf(f, "set title \"%s CPU: %s\"\n", bench_placements[o->placements[p]].name, fam->title);
	fprintf(f, "plot ");
	for (int m = 1; m < o->n_modes; m++) {
		for (int i = 0; fam->metrics[i] >= 0; i++) {
			int k = fam->metrics[i];

			if (!any_gain(res, p, k, m))
				continue;
			/* each metric (and mode) nudged sideways: bars at one size stay apart */
			fprintf(f, "%s$d%d_%d_%d using ($1*%g):2:3:4 with yerrorlines lw 2 pt %d ps 1.2 "
				"dt %d lc rgb '%s' title '%s: %s'", lines++ ? ", " : "", p, m, k,
				pow(1.07, i + 3 * (m - 1)), 5 + 2 * i, i + 1, colours[m - 1],
				o->modes[m].name, bench_metrics[k].label);
		}
	}
	/* a placement where nothing was measured (the bench stopped early) keeps its panel */
	fprintf(f, "%s\n", lines ? "" : "NaN notitle");
}

/* Families with a gain somewhere: the others get no column. */
static bool family_measured(const struct bench_results *res, const struct family *fam)
{
	for (int p = 0; p < res->o->n_placements; p++)
		for (int m = 1; m < res->o->n_modes; m++)
			for (int i = 0; fam->metrics[i] >= 0; i++)
				if (any_gain(res, p, fam->metrics[i], m))
					return true;
	return false;
}

int bench_plot(const struct bench_results *res, const char *path)
{
	const struct bench_redirect_opts *o = res->o;
	char when[32];
	time_t now = time(NULL);
	int status, cols = 0;
	size_t smin = SIZE_MAX, smax = 0;
	FILE *f;

	for (int s = 0; s < o->n_sizes; s++) {
		smin = o->sizes[s] < smin ? o->sizes[s] : smin;
		smax = o->sizes[s] > smax ? o->sizes[s] : smax;
	}

	for (int i = 0; i < N_FAMILIES; i++)
		cols += family_measured(res, &families[i]);
	if (!cols) {
		pr_warn("failed to draw %s: no gain was measured\n", path);
		return -1;
	}

	/* gnuplot reads the script on stdin; its errors reach our stderr */
	f = popen("gnuplot", "w");
	if (!f) {
		pr_warn("failed to run gnuplot: %s (install gnuplot-nox)\n", strerror(errno));
		return -1;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	write_data(f, res);
	fprintf(f, "set terminal pngcairo size %d,%d noenhanced font 'sans,10'\n"
		   "set output '%s'\n"
		   "set multiplot layout %d,%d title \"netbpf bench redirect: gain over plain loopback TCP, "
		   "median of %d rounds with min-max bars (> 1: better), against message size\\n%s, %s, load average %.2f-%.2f\" "
		   "font 'sans,12'\n"
		   "set logscale x 2\nset logscale y 2\nset grid\n"
		   "set ylabel 'gain (log scale)'\nset xrange [%g:%g]\n"
		   "set key below left Left reverse samplen 4 font 'sans,9'\n"
		   "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb 'black' front\n"
		   "set label 1 'plain TCP = 1.0' at graph 0.99, first 1 right offset 0, 0.6 front\n"
		   "set xtics (",
		520 * cols, 460 * o->n_placements + 60, path, o->n_placements, cols,
		o->rounds, bench_machine(), when, res->load_start[0], res->load_end[0],
		smin / 1.6, smax * 1.6);
	for (int s = 0; s < o->n_sizes; s++) {
		char sz[16];

		fprintf(f, "%s\"%s\" %zu", s ? ", " : "", bench_size_str(o->sizes[s], sz, sizeof(sz)),
			o->sizes[s]);
	}
	fprintf(f, ")\n");
	for (int p = 0; p < o->n_placements; p++)
		for (int i = 0; i < N_FAMILIES; i++)
			if (family_measured(res, &families[i]))
				write_panel(f, res, p, &families[i]);
	fprintf(f, "unset multiplot\n");
	status = pclose(f);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_warn("failed to draw %s: gnuplot failed\n", path);
		return -1;
	}
	pr_info("bench: plot written to %s\n", path);
	return 0;
}
