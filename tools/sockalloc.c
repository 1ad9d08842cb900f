/* sockalloc: trace socket allocations with family, type and protocol. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "args.h"
#include "events.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "sockalloc.h"
#include "sockalloc.skel.h"

static const char doc[] =
	"Trace socket allocations (sock_alloc_file: socket, socketpair, accept)\n"
	"with family, type and protocol. Needs fentry or kprobe: there is no\n"
	"tracepoint there.\n"
	"\n"
	"EXAMPLES:\n"
	"  sockalloc             # every new socket\n"
	"  sockalloc -C curl -j  # curl's sockets as JSON lines\n"
	"  sockalloc -m kprobe   # force kprobes\n";

static const char *name(int v, const char *const *names, size_t n, char *buf, size_t len)
{
	if (v >= 0 && (size_t)v < n && names[v])
		return names[v];
	snprintf(buf, len, "%d", v);
	return buf;
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	static const char *const families[] = {
		[AF_UNIX] = "UNIX", [AF_INET] = "INET", [AF_INET6] = "INET6", [AF_NETLINK] = "NETLINK",
		[AF_PACKET] = "PACKET", [AF_VSOCK] = "VSOCK", [AF_XDP] = "XDP",
	};
	static const char *const types[] = {
		[SOCK_STREAM] = "STREAM", [SOCK_DGRAM] = "DGRAM", [SOCK_RAW] = "RAW",
		[SOCK_RDM] = "RDM", [SOCK_SEQPACKET] = "SEQPACKET", [SOCK_PACKET] = "PACKET",
	};
	const struct sock_event *e = data;
	char fb[8], tb[8];
	const char *family = name(e->family, families, sizeof(families) / sizeof(families[0]), fb, sizeof(fb));
	const char *type = name(e->type, types, sizeof(types) / sizeof(types[0]), tb, sizeof(tb));

	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_str(&jout, "family", family);
		json_kv_str(&jout, "type", type);
		json_kv_u64(&jout, "protocol", e->protocol);
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-16s %-8s %-9s %u\n", out_elapsed(), e->pid, e->comm, family, type, e->protocol);
	fflush(stdout);
}

static void configure(struct sockalloc_bpf *skel, int m __attribute__((unused)))
{
	args_apply(skel->obj, &skel->rodata->filter);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &args_method, 0, NULL, 0 }, { &args_task, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { NULL, NULL, NULL, doc, children, NULL, NULL };
	static const char *const hooks[METHOD__N] = { "fentry sock_alloc_file", "kprobe sock_alloc_file" };
	struct sockalloc_bpf *skel = NULL;
	int m, err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	METHOD_ATTACH(sockalloc_bpf, skel, m, M_FENTRY | M_KPROBE, NULL, configure);
	if (!skel)
		return method_none();
	if (!env.json)
		printf("%-9s %-7s %-16s %-8s %-9s %s\n", "TIME(s)", "PID", "COMM", "FAMILY", "TYPE", "PROTO");
	out_ready(hooks[m]);
	err = events_run(skel->obj, on_event);
	sockalloc_bpf__destroy(skel);
	return err ? 1 : 0;
}
