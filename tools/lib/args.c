#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "events.h"
#include "common/argval.h"
#include "common/log.h"
#include "method.h"

enum { OPT_PERF_BUFFER = 0x100, OPT_DURATION, OPT_COUNT };

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	unsigned long long v;

	switch (key) {
	case 'j': env.json = true; break;
	case 'v': log_level = 2; break;
	case OPT_PERF_BUFFER: env.perf_buffer = true; break;
	case 'd':
		if (arg_uint(arg, "duration", 1, 86400, &v))
			return EINVAL;
		env.duration = v;
		break;
	case 'c':
		if (arg_uint(arg, "count", 1, ~0UL, &v))
			return EINVAL;
		env.count = v;
		break;
	case 'h': argp_state_help(state, stdout, ARGP_HELP_STD_HELP); break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option common_opts[] = {
	{ "json", 'j', NULL, 0, "One JSON object per line on stdout", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "count", 'c', "N", 0, "Stop after N events", 0 },
	{ "perf-buffer", OPT_PERF_BUFFER, NULL, 0, "Use the perf buffer even where a ring buffer exists", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};
const struct argp args_common = { common_opts, parse_common, NULL, NULL, NULL, NULL, NULL };

static error_t parse_task(int key, char *arg, struct argp_state *state)
{
	unsigned long long v;

	switch (key) {
	case 'p':
		if (arg_uint(arg, "pid", 1, 0x3fffffff, &v))
			return EINVAL;
		env.pid = v;
		break;
	case 'C':
		if (strlen(arg) >= sizeof(env.comm))
			argp_failure(state, 2, 0, "--comm '%s' is longer than a kernel comm (15)", arg);
		strcpy(env.comm, arg);
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option task_opts[] = {
	{ "pid", 'p', "PID", 0, "Only process PID (its threads included)", 0 },
	{ "comm", 'C', "NAME", 0, "Only processes whose command name is NAME", 0 },
	{},
};
const struct argp args_task = { task_opts, parse_task, NULL, NULL, NULL, NULL, NULL };

static error_t parse_method(int key, char *arg, struct argp_state *state)
{
	if (key != 'm')
		return ARGP_ERR_UNKNOWN;
	env.method = method_parse(arg);
	if (env.method < 0)
		argp_failure(state, 2, 0, "unknown method '%s' (fentry, kprobe or tracepoint)", arg);
	return 0;
}

static const struct argp_option method_opts[] = {
	{ "method", 'm', "METHOD", 0, "fentry, kprobe or tracepoint (default: the best that works)", 0 },
	{},
};
const struct argp args_method = { method_opts, parse_method, NULL, NULL, NULL, NULL, NULL };

static error_t parse_port(int key, char *arg, struct argp_state *state __attribute__((unused)))
{
	unsigned long long v;

	if (key != 'P')
		return ARGP_ERR_UNKNOWN;
	if (arg_uint(arg, "port", 1, 65535, &v))
		return EINVAL;
	env.port = v;
	return 0;
}

static const struct argp_option port_opts[] = {
	{ "port", 'P', "PORT", 0, "Only sockets with PORT at either end", 0 },
	{},
};
const struct argp args_port = { port_opts, parse_port, NULL, NULL, NULL, NULL, NULL };

int args_parse(const struct argp *argp, int argc, char **argv)
{
	log_setup();
	argp_err_exit_status = 2; /* argp's own usage errors exit like netbpf's: 2 */
	return argp_parse(argp, argc, argv, 0, NULL, NULL) ? 2 : 0;
}

void args_apply(struct bpf_object *obj, struct tool_filter *f)
{
	pr_debug("filter: pid %u comm '%s'\n", env.pid, env.comm);
	f->tgid = env.pid;
	memcpy(f->comm, env.comm, sizeof(f->comm));
	events_prepare(obj, f);
}
