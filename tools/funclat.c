/* funclat: calls, arguments, return values and latency of a user-space function,
 * or hits and arguments of a USDT probe. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "args.h"
#include "events.h"
#include "common/hist.h"
#include "common/log.h"
#include "output.h"
#include "uprobes.h"
#include "funclat.h"
#include "funclat.skel.h"

_Static_assert(FUNCLAT_SLOTS == HIST_SLOTS, "funclat latencies are common/hist.h histograms");

static const char doc[] =
	"Count the calls of a user-space function, with a log2 histogram of their\n"
	"latency (uprobe + uretprobe), or the hits of a USDT probe (--usdt).\n"
	"With -a, print every call with its first three arguments and return\n"
	"value (or every probe hit with the probe's arguments).\n"
	"\n"
	"EXAMPLES:\n"
	"  funclat /lib/x86_64-linux-gnu/libc.so.6:malloc -d 5  # for 5 s\n"
	"  funclat -a -p 1234 ./server:handle_request  # each call of pid 1234\n"
	"  funclat --usdt netbpf_test:work_done -a ./usdt_target\n";

static struct {
	bool calls;
	char *usdt;   /* PROVIDER:NAME, split in place */
	char *name;   /* NAME part of usdt */
	char *binary;
	char *func;
} opt;

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *colon;

	switch (key) {
	case 'a': opt.calls = true; break;
	case 'U':
		opt.usdt = arg;
		colon = strchr(arg, ':');
		if (!colon || colon == arg || !colon[1])
			argp_failure(state, 2, 0, "--usdt wants PROVIDER:NAME, not '%s'", arg);
		*colon = '\0';
		opt.name = colon + 1;
		break;
	case ARGP_KEY_ARG:
		if (opt.binary)
			argp_usage(state);
		opt.binary = arg;
		break;
	case ARGP_KEY_END:
		if (!opt.binary)
			argp_failure(state, 2, 0, "which function? (BINARY:FUNC, see -h)");
		colon = strrchr(opt.binary, ':');
		if (!opt.usdt) {
			if (!colon || colon == opt.binary || !colon[1])
				argp_failure(state, 2, 0, "'%s' is not BINARY:FUNC", opt.binary);
			*colon = '\0';
			opt.func = colon + 1;
		}
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	const struct call_event *e = data;
	unsigned n = e->nargs < FUNCLAT_ARGS ? e->nargs : FUNCLAT_ARGS;

	if (!opt.calls)
		return;
	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_u64(&jout, "tid", e->tid);
		json_key(&jout, "args");
		json_arr_open(&jout);
		for (unsigned i = 0; i < n; i++)
			json_i64(&jout, e->args[i]);
		json_arr_close(&jout);
		if (!opt.usdt) {
			json_kv_i64(&jout, "ret", e->ret);
			json_kv_u64(&jout, "lat_ns", e->lat_ns);
		}
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-7u %-16s", out_elapsed(), e->pid, e->tid, e->comm);
	for (unsigned i = 0; i < FUNCLAT_ARGS; i++)
		if (i < n)
			printf(" %-18lld", (long long)e->args[i]);
		else
			printf(" %-18s", "-");
	if (!opt.usdt)
		printf(" %-18lld %llu", (long long)e->ret, (unsigned long long)e->lat_ns);
	printf("\n");
	fflush(stdout);
}

static int summary(struct funclat_bpf *skel)
{
	__u64 slots[HIST_SLOTS] = {};
	int fd = bpf_map__fd(skel->maps.hist);

	for (__u32 i = 0; i < HIST_SLOTS; i++)
		if (bpf_map_lookup_elem(fd, &i, &slots[i]))
			return -errno;
	if (env.json) {
		json_obj_open(&jout);
		json_kv_u64(&jout, opt.usdt ? "hits" : "calls", skel->bss->calls);
		if (!opt.usdt) {
			json_key(&jout, "hist");
			json_obj_open(&jout);
			json_kv_str(&jout, "unit", "nsecs");
			json_key(&jout, "buckets");
			hist_json(&jout, slots);
			json_obj_close(&jout);
		}
		out_json_end();
		return 0;
	}
	printf("%llu %s\n", (unsigned long long)skel->bss->calls, opt.usdt ? "hits" : "calls");
	if (!opt.usdt && skel->bss->calls)
		hist_print(stdout, slots, "nsecs", "");
	return 0;
}

static int attach(struct funclat_bpf *skel)
{
	pid_t pid = env.pid ? (pid_t)env.pid : -1;

	if (opt.usdt) {
		skel->links.usdt_hit = usdt_attach(skel->progs.usdt_hit, pid, opt.binary, opt.usdt, opt.name);
		return skel->links.usdt_hit ? 0 : -1;
	}
	skel->links.func_entry = uprobe_attach(skel->progs.func_entry, pid, opt.binary, opt.func, false);
	if (!skel->links.func_entry)
		return -1;
	skel->links.func_return = uprobe_attach(skel->progs.func_return, pid, opt.binary, opt.func, true);
	return skel->links.func_return ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "calls", 'a', NULL, 0, "Print every call (or probe hit) with its arguments", 0 },
		{ "usdt", 'U', "PROVIDER:NAME", 0, "Attach to this USDT probe of BINARY instead", 0 },
		{},
	};
	static const struct argp_child children[] = {
		{ &args_task, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { opts, parse_arg, "BINARY:FUNC | --usdt PROVIDER:NAME BINARY", doc,
					  children, NULL, NULL };
	struct funclat_bpf *skel;
	char how[512];
	int err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	skel = funclat_bpf__open();
	if (!skel) {
		pr_warn("funclat: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	args_apply(skel->obj, &skel->rodata->filter);
	bpf_program__set_autoload(skel->progs.usdt_hit, opt.usdt);
	bpf_program__set_autoload(skel->progs.func_entry, !opt.usdt);
	bpf_program__set_autoload(skel->progs.func_return, !opt.usdt);
	err = funclat_bpf__load(skel);
	if (err) {
		pr_warn("funclat: failed to load BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = attach(skel);
	if (err)
		goto cleanup;
	if (opt.usdt)
		snprintf(how, sizeof(how), "usdt %s:%s in %s", opt.usdt, opt.name, opt.binary);
	else
		snprintf(how, sizeof(how), "uprobe+uretprobe %s:%s", opt.binary, opt.func);
	if (opt.calls && !env.json)
		printf("%-9s %-7s %-7s %-16s %-18s %-18s %-18s%s\n", "TIME(s)", "PID", "TID", "COMM", "ARG0", "ARG1",
		       "ARG2", opt.usdt ? "" : " RET                LAT(ns)");
	out_ready(how);
	err = events_run(skel->obj, on_event);
	if (!err)
		err = summary(skel);
cleanup:
	funclat_bpf__destroy(skel);
	return err ? 1 : 0;
}
