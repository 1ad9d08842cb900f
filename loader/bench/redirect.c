#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/external.h"
#include "bench/load.h"
#include "bench/redirect.h"
#include "bench/report.h"
#include "bench/sandbox.h"
#include "bench/stats.h"
#include "common/log.h"
#include "common/signals.h"

struct run_ctx {
	const struct bench_redirect_opts *o;
	struct bench_results *res;
	struct bench_sandbox sb;
	pid_t holders[BENCH_MAX_MODES];
	bool redirect_attached;
	int done, total;
};

/* Runs `netbpf ARGS...` (this binary) and waits; its stderr goes to ours. */
static int run_self(const char *const *args)
{
	char *argv[16] = { "netbpf" };
	int i, status;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(NULL); /* or the child's exit would print our buffered table again */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A --variant holder: started with NETBPF_BENCH_CGROUP set, it attaches its bypass to that
 * cgroup, prints a line when ready and keeps it attached until SIGTERM. */
static pid_t holder_start(const char *cmd, const char *cgroup)
{
	struct pollfd pfd;
	int fds[2];
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* its own process group: SIGTERM reaches what the shell started, too */
		setpgid(0, 0);
		dup2(fds[1], STDOUT_FILENO);
		setenv("NETBPF_BENCH_CGROUP", cgroup, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	if (pid < 0 || poll(&pfd, 1, 10000) != 1 || read(fds[0], &c, 1) != 1) {
		pr_warn("failed to start variant '%s': it did not report ready\n", cmd);
		if (pid > 0) {
			kill(-pid, SIGTERM);
			waitpid(pid, NULL, 0);
		}
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	return pid;
}

static int modes_setup(struct run_ctx *c)
{
	const char *names[BENCH_MAX_MODES];
	const struct bench_redirect_opts *o = c->o;

	for (int m = 0; m < o->n_modes; m++)
		names[m] = o->modes[m].name;
	if (sandbox_create(&c->sb, names, o->n_modes))
		return -1;
	for (int m = 1; m < o->n_modes; m++) {
		const char *cg = strdup(sandbox_path(&c->sb, o->modes[m].name));

		if (!cg)
			return -1;
		if (o->modes[m].holder_cmd) {
			c->holders[m] = holder_start(o->modes[m].holder_cmd, cg);
		} else {
			const char *args[] = { "redirect", "on", "--cgroup", cg, NULL };

			c->redirect_attached = !run_self(args);
			if (!c->redirect_attached)
				pr_warn("failed to turn the bypass on: 'netbpf redirect on --cgroup %s' failed\n", cg);
		}
		free((void *)cg);
		if ((o->modes[m].holder_cmd && c->holders[m] < 0) ||
		    (!o->modes[m].holder_cmd && !c->redirect_attached))
			return -1;
	}
	return 0;
}

static void modes_teardown(struct run_ctx *c)
{
	for (int m = 1; m < c->o->n_modes; m++) {
		if (c->holders[m] > 0) {
			kill(-c->holders[m], SIGTERM);
			waitpid(c->holders[m], NULL, 0);
		}
	}
	if (c->redirect_attached) {
		const char *args[] = { "redirect", "off", "--cgroup", NULL, NULL };

		args[3] = sandbox_path(&c->sb, "bypass");
		if (run_self(args))
			pr_warn("failed to turn the bypass off ('netbpf redirect off')\n");
	}
	sandbox_destroy(&c->sb);
}

static void progress(struct run_ctx *c, size_t size, const char *what, int m, int r,
		     const char *fmt, double v)
{
	char sz[16], val[48];

	snprintf(val, sizeof(val), fmt, v);
	pr_info("bench: [%3d/%d] %5s %-11s %-8s round %d/%d: %s\n", ++c->done, c->total,
		bench_size_str(size, sz, sizeof(sz)), what, c->o->modes[m].name, r + 1, c->o->rounds, val);
}

static void run_own(struct run_ctx *c, int s, int m, int r, enum bench_test t)
{
	const struct bench_redirect_opts *o = c->o;
	struct bench_load_opts lo = {
		.test = t, .msg_size = o->sizes[s], .duration_s = o->duration_s,
		.cpu_client = o->pin ? 0 : -1, .cpu_server = o->pin ? 1 : -1,
	};
	struct bench_load_result lr;
	double (*v)[BENCH_MAX_MODES][BENCH_MAX_ROUNDS] = c->res->v[s];
	int err = bench_load_run(&lo, &lr);

	if (err || !lr.verified) {
		pr_warn("%s run of %s, %zu bytes: %s (%.1f MB/s, not counted)\n",
			t == BENCH_RR ? "request/response" : "stream", o->modes[m].name, o->sizes[s],
			lr.error, lr.elapsed_s > 0 ? lr.bytes / lr.elapsed_s / 1e6 : 0.0);
		if (lr.stalled)
			c->res->stalls++;
		else if (!err)
			c->res->corrupted++;
		else
			c->res->failures++;
		c->done++;
		bench_load_free(&lr);
		return;
	}
	c->res->verified_runs++;
	c->res->verified_bytes += lr.bytes;
	if (t == BENCH_RR) {
		v[M_RR_TPS][m][r] = lr.msgs / lr.elapsed_s;
		v[M_RR_P50][m][r] = stats_percentile(lr.lat_ns, lr.n_lat, 50) / 1e3;
		v[M_RR_P99][m][r] = stats_percentile_sorted(lr.lat_ns, lr.n_lat, 99) / 1e3;
		v[M_RR_P999][m][r] = stats_percentile_sorted(lr.lat_ns, lr.n_lat, 99.9) / 1e3;
		progress(c, o->sizes[s], "rr", m, r, "%.0f trans/s", v[M_RR_TPS][m][r]);
	} else {
		v[M_ST_MBPS][m][r] = lr.bytes / lr.elapsed_s / 1e6;
		v[M_ST_MSGS][m][r] = lr.msgs / lr.elapsed_s;
		v[M_ST_WAITS][m][r] = lr.msgs ? lr.rx_waits * 1000.0 / lr.msgs : NAN;
		progress(c, o->sizes[s], "stream", m, r, "%.1f MB/s", v[M_ST_MBPS][m][r]);
	}
	bench_load_free(&lr);
}

static void run_external(struct run_ctx *c, int s, int m, int r)
{
	const struct bench_redirect_opts *o = c->o;
	struct ext_opts eo = { .msg_size = o->sizes[s], .duration_s = o->duration_s, .pin = o->pin };
	double (*v)[BENCH_MAX_MODES][BENCH_MAX_ROUNDS] = c->res->v[s];
	double a, b;

	if (ext_sockperf_supports(o->sizes[s])) {
		if (!ext_sockperf_pingpong(&eo, &a, &b)) {
			v[M_SP_PP_P50][m][r] = a;
			v[M_SP_PP_P99][m][r] = b;
			progress(c, o->sizes[s], "sockperf pp", m, r, "p50 %.1f us", a);
		} else {
			c->done++;
		}
		if (!ext_sockperf_throughput(&eo, &a)) {
			v[M_SP_TP_MSGS][m][r] = a;
			progress(c, o->sizes[s], "sockperf tp", m, r, "%.0f msg/s", a);
		} else {
			c->done++;
		}
	} else {
		c->done += 2;
	}
	if (!ext_iperf3(&eo, &a)) {
		v[M_IPERF_GBPS][m][r] = a;
		progress(c, o->sizes[s], "iperf3", m, r, "%.2f Gbit/s", a);
	} else {
		c->done++;
	}
}

static void read_loadavg(double la[3])
{
	if (getloadavg(la, 3) != 3)
		la[0] = la[1] = la[2] = NAN;
}

int bench_redirect(const struct bench_redirect_opts *o)
{
	struct run_ctx c = { .o = o };
	int ret = 1, steps;

	c.res = malloc(sizeof(*c.res));
	if (!c.res)
		return 1;
	for (size_t i = 0; i < sizeof(c.res->v) / sizeof(double); i++)
		((double *)c.res->v)[i] = NAN;
	c.res->o = o;
	c.res->failures = c.res->corrupted = c.res->stalls = 0;
	c.res->verified_runs = 0;
	c.res->verified_bytes = 0;
	steps = o->rr + o->stream + (o->external ? 3 : 0);
	c.total = o->n_sizes * o->rounds * o->n_modes * steps;
	read_loadavg(c.res->load_start);
	pr_info("bench: %d runs of %.1f s in a cgroup and network namespace of its own "
		"(about %.0f s); load average %.2f\n", c.total, o->duration_s,
		c.total * o->duration_s * 1.1, c.res->load_start[0]);
	if (sandbox_netns() || modes_setup(&c))
		goto out;
	for (int s = 0; s < o->n_sizes && !exiting; s++) {
		for (int r = 0; r < o->rounds && !exiting; r++) {
			/* alternate which mode goes first: drift in the machine's load
			 * then favours neither */
			for (int i = 0; i < o->n_modes && !exiting; i++) {
				int m = r % 2 ? o->n_modes - 1 - i : i;

				if (sandbox_enter(&c.sb, o->modes[m].name))
					goto out;
				if (o->rr)
					run_own(&c, s, m, r, BENCH_RR);
				if (o->stream && !exiting)
					run_own(&c, s, m, r, BENCH_STREAM);
				if (o->external && !exiting)
					run_external(&c, s, m, r);
			}
		}
	}
	if (exiting) {
		pr_warn("interrupted: cleaning up\n");
		goto out;
	}
	read_loadavg(c.res->load_end);
	if (o->json)
		bench_report_json(c.res);
	else
		bench_report_table(c.res);
	if (o->plot && bench_plot(c.res, o->plot))
		goto out;
	if (c.res->stalls)
		pr_warn("%d runs stalled (see above): not counted in the figures\n", c.res->stalls);
	if (c.res->corrupted || c.res->failures) {
		pr_warn("%d runs moved corrupted data, %d failed (see above)\n", c.res->corrupted,
			c.res->failures);
		goto out;
	}
	ret = 0;
out:
	modes_teardown(&c);
	free(c.res);
	return ret;
}
