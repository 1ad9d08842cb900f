#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "bench/report.h"
#include "common/log.h"

/* The metrics worth a line: rates and the tail, not every percentile. */
static const int plotted[] = { M_RR_TPS, M_RR_P99, M_ST_MBPS, M_SP_TP_MSGS, M_IPERF_GBPS };

int bench_plot(const struct bench_results *res, const char *path)
{
	const struct bench_redirect_opts *o = res->o;
	struct stats_range g;
	int status, lines = 0;
	FILE *p;

	/* gnuplot reads the script on stdin; its errors reach our stderr */
	p = popen("gnuplot", "w");
	if (!p) {
		pr_warn("failed to run gnuplot: %s (install gnuplot-nox)\n", strerror(errno));
		return -1;
	}
	for (int m = 1; m < o->n_modes; m++) {
		for (size_t i = 0; i < sizeof(plotted) / sizeof(plotted[0]); i++) {
			fprintf(p, "$d%d_%zu << EOD\n", m, i);
			for (int s = 0; s < o->n_sizes; s++)
				if (bench_gain_range(res, s, plotted[i], m, &g))
					fprintf(p, "%zu %g %g %g\n", o->sizes[s], g.median, g.min, g.max);
			fprintf(p, "EOD\n");
		}
	}
	fprintf(p, "set terminal pngcairo size 900,560 noenhanced\n"
		   "set output '%s'\n"
		   "set title \"gain over plain loopback TCP (median, min-max over rounds)\\n%s, load average %.2f\"\n"
		   "set logscale x 2\nset xlabel 'message size, bytes'\n"
		   "set ylabel 'gain, log scale (> 1: better than plain TCP)'\n"
		   "set grid\nset key outside right\nset logscale y 2\nset offsets graph 0.05, graph 0.05, 0, 0\n"
		   "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2\n"
		   "set xtics (", path, bench_machine(), res->load_start[0]);
	for (int s = 0; s < o->n_sizes; s++) {
		char sz[16];

		fprintf(p, "%s\"%s\" %zu", s ? ", " : "", bench_size_str(o->sizes[s], sz, sizeof(sz)),
			o->sizes[s]);
	}
	fprintf(p, ")\nplot ");
	for (int m = 1; m < o->n_modes; m++) {
		for (size_t i = 0; i < sizeof(plotted) / sizeof(plotted[0]); i++) {
			bool any = false;

			for (int s = 0; s < o->n_sizes; s++)
				any |= bench_gain_range(res, s, plotted[i], m, &g);
			if (!any)
				continue;
			fprintf(p, "%s$d%d_%zu using 1:2:3:4 with yerrorlines lw 2 title '%s %s'",
				lines++ ? ", " : "", m, i, o->modes[m].name, bench_metrics[plotted[i]].label);
		}
	}
	fprintf(p, "%s\n", lines ? "" : "1 title 'nothing measured'");
	status = pclose(p);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_warn("failed to draw %s: gnuplot failed\n", path);
		return -1;
	}
	pr_info("bench: plot written to %s\n", path);
	return 0;
}
