/* sslsniff: plaintext of TLS traffic through libssl, and handshake latency. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "events.h"
#include "common/log.h"
#include "output.h"
#include "uprobes.h"
#include "sslsniff.h"
#include "sslsniff.skel.h"

static const char doc[] =
	"Show the plaintext of TLS traffic: uprobes on libssl's SSL_read and\n"
	"SSL_write (and their _ex variants), and how long SSL_do_handshake took.\n"
	"libssl comes from --lib, else from the mappings of --pid, else from the\n"
	"library directories. Data is shown escaped (\\r \\n \\xNN), at most 4096\n"
	"bytes per call.\n"
	"\n"
	"EXAMPLES:\n"
	"  sslsniff                # every process using the system's libssl\n"
	"  sslsniff -p 1234        # the libssl process 1234 maps, its calls only\n"
	"  sslsniff -C curl -j     # curl's TLS plaintext as JSON lines\n"
	"  sslsniff -l /opt/ssl/lib/libssl.so.3\n";

static const char *const ops[] = { "READ", "WRITE", "HANDSHAKE" };
static char lib[PATH_MAX];

static error_t parse_arg(int key, char *arg, struct argp_state *state __attribute__((unused)))
{
	if (key != 'l')
		return ARGP_ERR_UNKNOWN;
	snprintf(lib, sizeof(lib), "%s", arg);
	return 0;
}

/* Printable ASCII stays, the rest becomes \r \n \t or \xNN: one line, valid JSON. */
static void escape(const __u8 *data, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		__u8 c = data[i];

		if (c == '\r' || c == '\n' || c == '\t' || c == '\\')
			out += sprintf(out, "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
		else if (c >= 0x20 && c < 0x7f)
			*out++ = c;
		else
			out += sprintf(out, "\\x%02x", c);
	}
	*out = '\0';
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	static char text[4 * SSL_DATA_MAX + 1];
	const struct ssl_event *e = data;
	size_t n = e->copied < SSL_DATA_MAX ? e->copied : SSL_DATA_MAX;
	const char *op = e->op < 3 ? ops[e->op] : "?";

	escape(e->data, n, text);
	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_u64(&jout, "tid", e->tid);
		json_kv_str(&jout, "op", op);
		json_kv_i64(&jout, "len", e->len);
		json_kv_u64(&jout, "lat_ns", e->lat_ns);
		if (e->op != SSL_OP_HANDSHAKE)
			json_kv_str(&jout, "data", text);
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-16s %-9s %-6d %-9.1f %s\n", out_elapsed(), e->pid, e->comm, op, e->len,
	       e->lat_ns / 1e3, text);
	fflush(stdout);
}

#define HOOKS 5

static int attach(struct sslsniff_bpf *skel, pid_t pid, struct bpf_link **links)
{
	/* The _ex variants share the return programs: the entry noted where the count goes. */
	const struct {
		const char *func;
		struct bpf_program *enter, *leave;
	} hooks[HOOKS] = {
		{ "SSL_read", skel->progs.read_enter, skel->progs.read_return },
		{ "SSL_write", skel->progs.write_enter, skel->progs.write_return },
		{ "SSL_read_ex", skel->progs.read_ex_enter, skel->progs.read_return },
		{ "SSL_write_ex", skel->progs.write_ex_enter, skel->progs.write_return },
		{ "SSL_do_handshake", skel->progs.handshake_enter, skel->progs.handshake_return },
	};

	for (int i = 0; i < HOOKS; i++) {
		links[2 * i] = uprobe_attach(hooks[i].enter, pid, lib, hooks[i].func, false);
		links[2 * i + 1] = uprobe_attach(hooks[i].leave, pid, lib, hooks[i].func, true);
		if (!links[2 * i] || !links[2 * i + 1])
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "lib", 'l', "PATH", 0, "The libssl to trace", 0 },
		{},
	};
	static const struct argp_child children[] = {
		{ &args_task, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct sslsniff_bpf *skel;
	struct bpf_link *links[2 * HOOKS] = {};
	pid_t pid;
	char how[PATH_MAX + 32];
	int err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	pid = env.pid ? (pid_t)env.pid : -1;
	if (!lib[0] && uprobe_find_lib("libssl.so", pid, lib, sizeof(lib)))
		return 1;
	skel = sslsniff_bpf__open();
	if (!skel) {
		pr_warn("sslsniff: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	args_apply(skel->obj, &skel->rodata->filter);
	err = sslsniff_bpf__load(skel);
	if (err) {
		pr_warn("sslsniff: failed to load BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = attach(skel, pid, links);
	if (err)
		goto cleanup;
	if (!env.json)
		printf("%-9s %-7s %-16s %-9s %-6s %-9s %s\n", "TIME(s)", "PID", "COMM", "OP", "LEN", "LAT(us)", "DATA");
	snprintf(how, sizeof(how), "uprobes on %s", lib);
	out_ready(how);
	err = events_run(skel->obj, on_event);
cleanup:
	for (int i = 0; i < 2 * HOOKS; i++)
		bpf_link__destroy(links[i]);
	sslsniff_bpf__destroy(skel);
	return err ? 1 : 0;
}
