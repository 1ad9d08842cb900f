#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "redirect/pins.h"
#include "redirect/redirect.h"

const struct bench_placement_info bench_placements[PL_MAX] = {
	[PL_SAME]     = { "same",     0,  0, "client and server on CPU 0" },
	[PL_CROSS]    = { "cross",    0,  1, "client on CPU 0, server on CPU 1" },
	[PL_UNPINNED] = { "unpinned", -1, -1, "not pinned (rounds mix same- and cross-CPU)" },
};

struct run_ctx {
	const struct bench_redirect_opts *o;
	struct bench_results *res;
	struct bench_sandbox sb;
	pid_t holders[BENCH_MAX_MODES];
	bool bypass_on[BENCH_MAX_MODES];
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
			const char *rm = o->modes[m].redirect_mode;
			const char *args[] = { "redirect", "on", "--cgroup", cg,
					       rm ? "--mode" : NULL, rm, NULL };

			c->bypass_on[m] = !run_self(args);
			if (!c->bypass_on[m])
				pr_warn("failed to turn the bypass on: 'netbpf redirect on --cgroup %s%s%s' failed\n",
					cg, rm ? " --mode " : "", rm ? rm : "");
		}
		free((void *)cg);
		if ((o->modes[m].holder_cmd && c->holders[m] < 0) ||
		    (!o->modes[m].holder_cmd && !c->bypass_on[m]))
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
		if (c->bypass_on[m]) {
			const char *args[] = { "redirect", "off", "--cgroup",
					       sandbox_path(&c->sb, c->o->modes[m].name), NULL };

			if (run_self(args))
				pr_warn("failed to turn the bypass off ('netbpf redirect off --cgroup %s')\n",
					args[3]);
		}
	}
	sandbox_destroy(&c->sb);
}

/* Where one run goes in the results: placement (index into o->placements), size, mode, round. */
struct run_at {
	int p, s, m, r;
};

/* One line per run, also for a run that failed (v NAN): the count always reaches the total. */
static void progress(struct run_ctx *c, const struct run_at *at, const char *what,
		     const char *fmt, double v)
{
	const struct bench_redirect_opts *o = c->o;
	char sz[16], val[48];

	if (isnan(v))
		snprintf(val, sizeof(val), "failed (not counted)");
	else
		snprintf(val, sizeof(val), fmt, v);
	pr_info("bench: [%3d/%d] %-8s %5s %-11s %-8s round %d/%d: %s\n", ++c->done, c->total,
		bench_placements[o->placements[at->p]].name, bench_size_str(o->sizes[at->s], sz, sizeof(sz)),
		what, o->modes[at->m].name, at->r + 1, o->rounds, val);
}

static void run_own(struct run_ctx *c, const struct run_at *at, enum bench_test t)
{
	const struct bench_redirect_opts *o = c->o;
	const struct bench_placement_info *pl = &bench_placements[o->placements[at->p]];
	int s = at->s, m = at->m, r = at->r;
	struct bench_load_opts lo = {
		.test = t, .msg_size = o->sizes[s], .duration_s = o->duration_s,
		.cpu_client = pl->cpu_client, .cpu_server = pl->cpu_server,
		.port = (t == BENCH_RR ? BENCH_RR_PORT : BENCH_STREAM_PORT) + s,
	};
	struct bench_load_result lr;
	double (*v)[BENCH_MAX_MODES][BENCH_MAX_ROUNDS] = c->res->v[at->p][s];
	int err = bench_load_run(&lo, &lr);

	if (err || !lr.verified) {
		pr_warn("%s run of %s, %s, %zu bytes: %s (%.1f MB/s, not counted)\n",
			t == BENCH_RR ? "request/response" : "stream", o->modes[m].name, pl->name, o->sizes[s],
			lr.error, lr.elapsed_s > 0 ? lr.bytes / lr.elapsed_s / 1e6 : 0.0);
		if (lr.stalled)
			c->res->stalls++;
		else if (!err)
			c->res->corrupted++;
		else
			c->res->failures++;
		progress(c, at, t == BENCH_RR ? "rr" : "stream", "", NAN);
		bench_load_free(&lr);
		return;
	}
	/* a bypassed connection puts only its handshake and teardown on lo (under 10 packets);
	 * more means the bypass was not there, e.g. turned off from outside the bench */
	if (o->modes[m].bypass_all && lr.lo_packets > 64) {
		pr_warn("%s run of %s, %s, %zu bytes: lo carried %llu packets for %llu messages: "
			"the bypass was not in effect (not counted)\n", t == BENCH_RR ? "request/response" :
			"stream", o->modes[m].name, pl->name, o->sizes[s],
			(unsigned long long)lr.lo_packets, (unsigned long long)lr.msgs);
		c->res->not_bypassed++;
		progress(c, at, t == BENCH_RR ? "rr" : "stream", "", NAN);
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
		progress(c, at, "rr", "%.0f trans/s", v[M_RR_TPS][m][r]);
	} else {
		v[M_ST_MBPS][m][r] = lr.bytes / lr.elapsed_s / 1e6;
		v[M_ST_MSGS][m][r] = lr.msgs / lr.elapsed_s;
		v[M_ST_WAITS][m][r] = lr.msgs ? lr.rx_waits * 1000.0 / lr.msgs : NAN;
		progress(c, at, "stream", "%.1f MB/s", v[M_ST_MBPS][m][r]);
	}
	bench_load_free(&lr);
}

static void run_external(struct run_ctx *c, const struct run_at *at)
{
	const struct bench_redirect_opts *o = c->o;
	const struct bench_placement_info *pl = &bench_placements[o->placements[at->p]];
	int s = at->s, m = at->m, r = at->r;
	struct ext_opts eo = { .msg_size = o->sizes[s], .duration_s = o->duration_s,
			       .cpu_client = pl->cpu_client, .cpu_server = pl->cpu_server, .service = s };
	double (*v)[BENCH_MAX_MODES][BENCH_MAX_ROUNDS] = c->res->v[at->p][s];
	double a, b;

	/* a failed tool leaves NAN, as a run that was not measured */
	if (ext_sockperf_supports(o->sizes[s])) {
		if (ext_sockperf_pingpong(&eo, &a, &b))
			a = b = NAN;
		v[M_SP_PP_P50][m][r] = a;
		v[M_SP_PP_P99][m][r] = b;
		progress(c, at, "sockperf pp", "p50 %.1f us", a);
		if (ext_sockperf_throughput(&eo, &a))
			a = NAN;
		v[M_SP_TP_MSGS][m][r] = a;
		progress(c, at, "sockperf tp", "%.0f msg/s", a);
	} else {
		c->done += 2;
	}
	if (ext_iperf3(&eo, &a))
		a = NAN;
	v[M_IPERF_GBPS][m][r] = a;
	progress(c, at, "iperf3", "%.2f Gbit/s", a);
}

/* The mode's bypass still runs in its cgroup. One turned off from outside (`redirect off`
 * without --cgroup turns off every cgroup's) would make its rounds plain TCP under its name. */
static bool bypass_still_on(struct run_ctx *c, int m)
{
	struct redirect_snap snap;
	char dir[PATH_MAX];
	uint64_t cgid;

	if (!c->bypass_on[m])
		return true; /* plain, or a --variant: nothing of ours to look at */
	if (redirect_cgroup_dir(sandbox_path(&c->sb, c->o->modes[m].name), &cgid, dir, sizeof(dir)) ||
	    access(dir, F_OK))
		return false;
	return !redirect_snapshot(dir, cgid, &snap) && snap.attached;
}

/* One mode's tests in one round. False when its bypass was gone afterwards: the round's
 * values are dropped, and the bench stops (every later round would be plain TCP too). */
static bool run_mode(struct run_ctx *c, const struct run_at *at)
{
	const struct bench_redirect_opts *o = c->o;

	if (o->rr)
		run_own(c, at, BENCH_RR);
	if (o->stream && !exiting)
		run_own(c, at, BENCH_STREAM);
	if (o->external && !exiting)
		run_external(c, at);
	if (bypass_still_on(c, at->m))
		return true;
	pr_warn("the bypass of mode %s is gone from its cgroup (turned off from outside the bench?): "
		"its round %d in placement %s not counted; stopping\n", o->modes[at->m].name, at->r + 1,
		bench_placements[o->placements[at->p]].name);
	for (int k = 0; k < M_MAX; k++)
		c->res->v[at->p][at->s][k][at->m][at->r] = NAN;
	c->res->not_bypassed++;
	return false;
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
	bool going = true;

	c.res = malloc(sizeof(*c.res));
	if (!c.res)
		return 1;
	for (size_t i = 0; i < sizeof(c.res->v) / sizeof(double); i++)
		((double *)c.res->v)[i] = NAN;
	c.res->o = o;
	c.res->failures = c.res->corrupted = c.res->stalls = c.res->not_bypassed = 0;
	c.res->verified_runs = 0;
	c.res->verified_bytes = 0;
	steps = o->rr + o->stream + (o->external ? 3 : 0);
	c.total = o->n_placements * o->n_sizes * o->rounds * o->n_modes * steps;
	read_loadavg(c.res->load_start);
	pr_info("bench: %d runs of %.1f s in a cgroup and network namespace of its own "
		"(about %.0f s); load average %.2f\n", c.total, o->duration_s,
		c.total * o->duration_s * 1.1, c.res->load_start[0]);
	if (sandbox_netns() || modes_setup(&c))
		goto out;
	for (int s = 0; s < o->n_sizes && !exiting && going; s++) {
		for (int p = 0; p < o->n_placements && !exiting && going; p++) {
			for (int r = 0; r < o->rounds && !exiting && going; r++) {
				/* every mode once per round, back to back in the same placement;
				 * which goes first alternates, so drift in the machine's load
				 * favours none */
				for (int i = 0; i < o->n_modes && !exiting && going; i++) {
					struct run_at at = { p, s, r % 2 ? o->n_modes - 1 - i : i, r };

					if (sandbox_enter(&c.sb, o->modes[at.m].name))
						goto out;
					going = run_mode(&c, &at);
				}
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
	if (c.res->corrupted || c.res->failures || c.res->not_bypassed) {
		pr_warn("%d runs moved corrupted data, %d failed, %d were not bypassed (see above)\n",
			c.res->corrupted, c.res->failures, c.res->not_bypassed);
		goto out;
	}
	ret = 0;
out:
	modes_teardown(&c);
	free(c.res);
	return ret;
}
