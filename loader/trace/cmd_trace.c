/* netbpf trace: fentry/fexit on the datapath programs and their bpf2bpf subfunctions. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "common/argval.h"
#include "common/clock.h"
#include "cmd.h"
#include "common/log.h"
#include "common/priv.h"
#include "common/signals.h"
#include "trace/attach.h"
#include "trace/report.h"
#include "trace/runstats.h"

/* What is traced: one of these. */
enum trace_target {
	TARGET_NONE,
	TARGET_IFACE,    /* IFACE: the datapath of `up` */
	TARGET_REDIRECT, /* redirect: the bypass's sockops and sk_msg programs */
	TARGET_SNIFF,    /* sniff: the socket filter of `netbpf sniff` */
	TARGET_ALL,      /* --all */
	TARGET_PROGS,    /* --prog ID... */
};

struct trace_opts {
	enum trace_target what;
	const char *ifname;
	const char *cgroup;  /* redirect --cgroup; NULL: every cgroup with the bypass */
	int pid;             /* sniff --pid; 0: every sniffer */
	__u32 prog_ids[TRACE_MAX_PROGS];
	int n_prog_ids;
	char *funcs[TRACE_MAX_FUNCS];
	int n_funcs;
	double duration_s;  /* 0: until Ctrl-C */
	double interval_s;  /* 0: only the final report */
	__u32 sample;       /* --packets: every Nth packet per CPU; 0: none */
	bool require_fentry;
	bool stats;         /* BPF_ENABLE_STATS figures without trying fentry */
	char target[64];
};

static int on_event(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(struct trace_pkt_event))
		report_packet(ctx, data, gopt.json);
	return 0;
}

/* What is being reported: fentry statistics (t) or BPF_ENABLE_STATS figures (rs). */
struct run {
	const struct trace_set *set;
	const struct tracer *t;
	const struct runstats *rs;
	struct ring_buffer *rb; /* --packets events */
};

static void report(const struct run *r, double elapsed, bool final)
{
	if (r->t)
		report_funcs(r->set, r->t, elapsed, final, gopt.json);
	else
		report_runstats(r->set, r->rs, elapsed, final, gopt.json);
}

/* Waits for the next report or the end, printing packet events meanwhile. */
static void run_loop(const struct trace_opts *o, const struct run *r)
{
	double start = (clock_ns(CLOCK_MONOTONIC) / 1e9), next = start + o->interval_s, end = start + o->duration_s, now, until;
	int ms;

	while (!exiting) {
		now = (clock_ns(CLOCK_MONOTONIC) / 1e9);
		if (o->duration_s && now >= end)
			break;
		if (o->interval_s && now >= next) {
			report(r, now - start, false);
			next += o->interval_s;
			continue;
		}
		until = o->duration_s ? end : now + 1;
		if (o->interval_s && next < until)
			until = next;
		ms = (int)((until - now) * 1000) + 1;
		if (r->rb)
			ring_buffer__poll(r->rb, ms > 100 ? 100 : ms);
		else
			poll(NULL, 0, ms);
	}
	if (r->rb)
		ring_buffer__consume(r->rb);
	report(r, (clock_ns(CLOCK_MONOTONIC) / 1e9) - start, true);
}

static int trace_runstats(const struct trace_opts *o, const struct trace_set *set)
{
	struct runstats rs = { .enable_fd = -1 };
	struct run r = { .set = set, .rs = &rs };
	int err = runstats_start(&rs, set);

	if (err)
		return err;
	report_ready_runstats(set, o->target, gopt.json);
	run_loop(o, &r);
	runstats_stop(&rs);
	return 0;
}

static int trace_run(const struct trace_opts *o, struct trace_set *set)
{
	struct tracer t;
	struct run r = { .set = set, .t = &t };
	int err;

	if (o->stats)
		return trace_runstats(o, set);
	err = tracer_attach(&t, set, o->sample);
	if (err && trace_refused(err)) {
		if (o->require_fentry) {
			pr_warn("fentry unavailable: kernel refuses BPF trampolines (%s loading fentry "
				"on %s); --require-fentry\n", strerror(-err), set->funcs[0].name);
			return err;
		}
		pr_warn("fentry unavailable: kernel refuses BPF trampolines (%s loading fentry on "
			"%s); showing BPF_ENABLE_STATS figures of the main programs instead\n",
			strerror(-err), set->funcs[0].name);
		return trace_runstats(o, set);
	}
	if (err)
		return err;
	if (o->sample) {
		bool any = false;

		for (int i = 0; i < set->n_funcs; i++)
			any |= set->funcs[i].ctx != TRACE_CTX_NONE;
		if (!any)
			pr_info("--packets: no traced main function takes a packet; no packet events\n");
		r.rb = ring_buffer__new(t.events_fd, on_event, set, NULL);
		if (!r.rb) {
			err = -errno;
			pr_warn("failed to open the packet event ring buffer: %s\n", strerror(-err));
			goto out;
		}
	}
	report_ready(set, o->target, &t, gopt.json);
	run_loop(o, &r);
out:
	ring_buffer__free(r.rb);
	tracer_detach(&t);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf trace IFACE [--func NAME]... [--json] [--duration S] [--interval S]\n"
		"                    [--packets[=N]] [--require-fentry] [--stats]\n"
		"       netbpf trace redirect [--cgroup PATH] [options as above]\n"
		"       netbpf trace sniff [--pid PID] [options as above]\n"
		"       netbpf trace --all [options as above]\n"
		"       netbpf trace --prog ID [--prog ID]... [options as above]\n"
		"\n"
		"Attaches fentry and fexit to netbpf's programs and to each of their bpf2bpf\n"
		"subfunctions (found in the programs' BTF): those on IFACE (XDP, tc ingress, tc\n"
		"egress), the bypass's sockops and sk_msg programs (redirect), the socket filter\n"
		"of a running 'netbpf sniff' (sniff), all of them anywhere on this host (--all),\n"
		"or any programs given by id. Shows per function the calls, the latency from\n"
		"entry to exit (mean, p50, p99; log2 histogram at the end) and the return values,\n"
		"named where they are verdicts (XDP_*, TC_ACT_*, SK_PASS/SK_DROP; a socket\n"
		"filter's as kept (bytes)/dropped); a sockops program's calls also per callback\n"
		"(BPF_SOCK_OPS_*_CB). Counts are totals since the start. Stopping (Ctrl-C,\n"
		"--duration) detaches the tracer only.\n"
		"Where the kernel refuses BPF trampolines, shows the kernel's BPF_ENABLE_STATS\n"
		"figures (runs, run time, mean) of the main programs instead.\n"
		"\n"
		"Options:\n"
		"  --func NAME       trace only functions called NAME (repeatable); a name of 15\n"
		"                    characters as the kernel shows it also finds the full one\n"
		"  --prog ID         trace a loaded BPF program by id (repeatable), netbpf's or not\n"
		"  --all             every program netbpf installed on this host\n"
		"  --cgroup PATH     redirect: the bypass of this cgroup (path or id; default:\n"
		"                    of every cgroup that has it)\n"
		"  --pid PID         sniff: the filter of this sniffer (default: every one)\n"
		"  --duration S      stop after S seconds (default: at Ctrl-C)\n"
		"  --interval S      print the totals every S seconds (default 1; 0: only at the end)\n"
		"  --packets[=N]     print every Nth packet per CPU (default every one) with its\n"
		"                    addresses, ports, verdict and latency\n"
		"  --require-fentry  fail instead of falling back to BPF_ENABLE_STATS\n"
		"  --stats           BPF_ENABLE_STATS figures only, without fentry (the fallback)\n"
		"  --json            one JSON object per line (see docs/trace.md)\n"
		"\n"
		"What tracing costs per packet: 'netbpf bench trace'.\n"
		"\n"
		"Examples:\n"
		"  netbpf trace veth0 --duration 10\n"
		"  netbpf trace veth0 --func parse_l3 --func match_rules --interval 2\n"
		"  netbpf trace veth0 --packets=100 --json\n"
		"  netbpf trace redirect --cgroup /sys/fs/cgroup/app --func rd_peer_lookup\n"
		"  netbpf trace sniff --duration 5 --json\n"
		"  netbpf trace --all --stats\n"
		"  netbpf trace --prog 42\n");
}

/* The positional word (IFACE, redirect, sniff) against --all and --prog: exactly one. */
static int parse_target(int argc, char **argv, struct trace_opts *o)
{
	int targets = (o->what == TARGET_ALL) + (o->n_prog_ids > 0) + (optind < argc);

	if (optind < argc) {
		o->ifname = argv[optind++];
		o->what = !strcmp(o->ifname, "redirect") ? TARGET_REDIRECT :
			  !strcmp(o->ifname, "sniff") ? TARGET_SNIFF : TARGET_IFACE;
	} else if (o->n_prog_ids) {
		o->what = TARGET_PROGS;
	}
	if (optind < argc || targets != 1) {
		pr_warn("trace needs one of IFACE, redirect, sniff, --all or --prog ID "
			"(see 'netbpf trace --help')\n");
		return CMD_USAGE;
	}
	if (o->cgroup && o->what != TARGET_REDIRECT) {
		pr_warn("--cgroup goes with 'trace redirect'\n");
		return CMD_USAGE;
	}
	if (o->pid && o->what != TARGET_SNIFF) {
		pr_warn("--pid goes with 'trace sniff'\n");
		return CMD_USAGE;
	}
	return CMD_RUN;
}

static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	static const struct option opts[] = {
		{ "func", required_argument, NULL, 'f' },
		{ "prog", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "packets", optional_argument, NULL, 'P' },
		{ "require-fentry", no_argument, NULL, 'R' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "f:p:jd:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (o->n_funcs == TRACE_MAX_FUNCS) {
				pr_warn("too many --func (at most %d)\n", TRACE_MAX_FUNCS);
				return CMD_USAGE;
			}
			o->funcs[o->n_funcs++] = optarg;
			break;
		case 'p':
			if (arg_uint(optarg, "program id", 1, UINT32_MAX, &v))
				return CMD_USAGE;
			if (o->n_prog_ids == TRACE_MAX_PROGS) {
				pr_warn("too many --prog (at most %d)\n", TRACE_MAX_PROGS);
				return CMD_USAGE;
			}
			o->prog_ids[o->n_prog_ids++] = v;
			break;
		case 'a': o->what = TARGET_ALL; break;
		case 'c': o->cgroup = optarg; break;
		case 'I':
			if (arg_uint(optarg, "pid", 1, INT32_MAX, &v))
				return CMD_USAGE;
			o->pid = v;
			break;
		case 'j': gopt.json = true; break;
		case 'd': if (arg_seconds(optarg, "duration", 0, 1e6, &o->duration_s)) return CMD_USAGE; break;
		case 'i': if (arg_seconds(optarg, "interval", 0, 1e6, &o->interval_s)) return CMD_USAGE; break;
		case 'P':
			v = 1;
			if (optarg && arg_uint(optarg, "--packets sampling", 1, UINT32_MAX, &v))
				return CMD_USAGE;
			o->sample = v;
			break;
		case 'R': o->require_fentry = true; break;
		case 'S': o->stats = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	return parse_target(argc, argv, o);
}

static int add_targets(struct trace_opts *o, struct trace_set *set)
{
	int err = 0;

	switch (o->what) {
	case TARGET_IFACE:
		snprintf(o->target, sizeof(o->target), "%s", o->ifname);
		return trace_add_iface(set, o->ifname);
	case TARGET_REDIRECT:
		snprintf(o->target, sizeof(o->target), "redirect%s%.40s", o->cgroup ? " " : "",
			 o->cgroup ? o->cgroup : "");
		return trace_add_redirect(set, o->cgroup);
	case TARGET_SNIFF:
		snprintf(o->target, sizeof(o->target), "sniff");
		return trace_add_sniff(set, o->pid);
	case TARGET_ALL:
		snprintf(o->target, sizeof(o->target), "--all");
		return trace_add_all(set);
	default:
		snprintf(o->target, sizeof(o->target), "prog %u%s", o->prog_ids[0],
			 o->n_prog_ids > 1 ? " ..." : "");
		for (int i = 0; i < o->n_prog_ids && !err; i++)
			err = trace_add_prog_id(set, o->prog_ids[i]);
		return err;
	}
}

int do_trace(int argc, char **argv)
{
	struct trace_opts o = { .interval_s = 1 };
	struct trace_set *set;
	int err = parse_opts(argc, argv, &o);

	if (err != CMD_RUN)
		return err;
	if (priv_check())
		return CMD_FAIL;
	set = calloc(1, sizeof(*set));
	if (!set) {
		pr_warn("failed to allocate the trace set: %s\n", strerror(ENOMEM));
		return CMD_FAIL;
	}
	err = add_targets(&o, set);
	if (!err)
		err = trace_discover(set);
	if (!err)
		err = trace_select(set, o.funcs, o.n_funcs);
	if (err)
		goto out;
	signals_catch();
	err = trace_run(&o, set);
out:
	trace_set_close(set);
	free(set);
	return cmd_status(err);
}
