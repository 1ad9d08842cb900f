#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/external.h"
#include "bench/load.h"
#include "common/log.h"
#include "common/signals.h"

/* Port ranges, one port per service: sockperf ping-pong and throughput differ in their
 * traffic (request/response, one-way) and so are services of their own. */
#define SOCKPERF_PP_PORT 11100
#define SOCKPERF_TP_PORT 11200
#define IPERF_PORT       5300
#define SOCKPERF_MAX  65506
#define OUT_MAX       (256u << 10)

/* fork + exec with the child pinned to cpu (-1: not pinned) as taskset does it, before
 * exec, so every thread the tool starts stays there; stdout to out_fd (-1: null). */
static pid_t spawn(char *const argv[], int cpu, int out_fd)
{
	pid_t pid;

	fflush(NULL); /* the child must not write our buffered output again */
	pid = fork();

	if (pid != 0)
		return pid;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	int null = open("/dev/null", O_WRONLY);
	dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	execvp(argv[0], argv);
	_exit(127);
}

/* A listener on 127.0.0.1:port in our namespace, from /proc/net/tcp (state 0A). Polling
 * this instead of connecting keeps probe connections out of the peers' statistics. */
static bool listening(int port)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/net/tcp", "r");
	bool found = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), ":%04X", port);
	while (!found && fgets(line, sizeof(line), f)) {
		char local[64], st[8];

		if (sscanf(line, "%*d: %63s %*s %7s", local, st) == 2)
			found = strstr(local, want) && !strcmp(st, "0A");
	}
	fclose(f);
	return found;
}

static pid_t server_start(char *const argv[], int port, int cpu)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	pid_t pid = spawn(argv, cpu, -1);

	if (pid < 0)
		return -1;
	for (int i = 0; i < 500 && !exiting; i++) {
		if (listening(port))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		nanosleep(&pause, NULL);
	}
	pr_warn("failed to start %s: not listening on port %d (is it installed?)\n", argv[0], port);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void server_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* Runs a client to completion, its stdout in a malloc'ed string. */
static char *client_run(char *const argv[], int cpu)
{
	char *out = malloc(OUT_MAX);
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (!out || pipe2(fds, O_CLOEXEC)) {
		free(out);
		return NULL;
	}
	pid = spawn(argv, cpu, fds[1]);
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], out + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	close(fds[0]);
	out[len] = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_warn("%s failed\n", argv[0]);
		free(out);
		return NULL;
	}
	return out;
}

/* The number after the first `key` in s, NAN when absent. */
static double number_after(const char *s, const char *key)
{
	const char *p = s ? strstr(s, key) : NULL;

	return p ? strtod(p + strlen(key), NULL) : NAN;
}

static void fmt_int(char *buf, size_t len, long v)
{
	snprintf(buf, len, "%ld", v);
}

static long whole_seconds(double s)
{
	return s < 1 ? 1 : lround(s);
}

static bool on_path(const char *tool)
{
	char buf[PATH_MAX];
	const char *path = getenv("PATH");

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, tool) < (int)sizeof(buf) &&
		    !access(buf, X_OK))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

bool ext_available(void)
{
	static const char *const tools[] = { "sockperf", "iperf3" };

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (!on_path(tools[i])) {
			pr_warn("--external needs %s: not found on PATH (apt-get install sockperf iperf3)\n",
				tools[i]);
			return false;
		}
	}
	return true;
}

bool ext_sockperf_supports(size_t msg_size)
{
	return msg_size >= 14 && msg_size <= 65536;
}

static char *sockperf(const struct ext_opts *o, const char *mode, int port_nr, bool full_rtt)
{
	char port[16], size[16], secs[16];
	char *srv[] = { "sockperf", "sr", "--tcp", "-i", "127.0.0.1", "-p", port, NULL };
	char *cli[] = { "sockperf", (char *)mode, "--tcp", "-i", "127.0.0.1", "-p", port,
			"-m", size, "-t", secs, full_rtt ? "--full-rtt" : NULL, NULL };
	char *out;
	pid_t s;

	fmt_int(port, sizeof(port), port_nr);
	fmt_int(size, sizeof(size), o->msg_size > SOCKPERF_MAX ? SOCKPERF_MAX : (long)o->msg_size);
	fmt_int(secs, sizeof(secs), whole_seconds(o->duration_s));
	s = server_start(srv, port_nr, o->cpu_server);
	if (s < 0)
		return NULL;
	out = client_run(cli, o->cpu_client);
	server_stop(s);
	return out;
}

int ext_sockperf_pingpong(const struct ext_opts *o, double *p50_us, double *p99_us)
{
	char *out = sockperf(o, "pp", SOCKPERF_PP_PORT + o->service, true);

	*p50_us = number_after(out, "percentile 50.000 =");
	*p99_us = number_after(out, "percentile 99.000 =");
	free(out);
	return isnan(*p50_us) || isnan(*p99_us) ? -1 : 0;
}

int ext_sockperf_throughput(const struct ext_opts *o, double *msgs)
{
	char *out = sockperf(o, "tp", SOCKPERF_TP_PORT + o->service, false);

	*msgs = number_after(out, "Message Rate is ");
	free(out);
	return isnan(*msgs) ? -1 : 0;
}

int ext_iperf3(const struct ext_opts *o, double *gbps)
{
	char port[16], len[16], secs[16];
	/* -B: a dual-stack listener would be in /proc/net/tcp6, not where listening() looks */
	char *srv[] = { "iperf3", "-s", "-B", "127.0.0.1", "-p", port, NULL };
	char *cli[] = { "iperf3", "-c", "127.0.0.1", "-p", port, "-t", secs, "-l", len, "-J", NULL };
	char *out, *sum;
	pid_t s;

	fmt_int(port, sizeof(port), IPERF_PORT + o->service);
	fmt_int(len, sizeof(len), o->msg_size);
	fmt_int(secs, sizeof(secs), whole_seconds(o->duration_s));
	s = server_start(srv, IPERF_PORT + o->service, o->cpu_server);
	if (s < 0)
		return -1;
	out = client_run(cli, o->cpu_client);
	server_stop(s);
	sum = out ? strstr(out, "\"sum_received\"") : NULL;
	*gbps = number_after(sum, "\"bits_per_second\":") / 1e9;
	free(out);
	return isnan(*gbps) ? -1 : 0;
}
