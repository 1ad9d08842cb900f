/* connguard: deny or audit outbound connect() by destination prefix and port,
 * optionally for one cgroup, with the BPF LSM hook socket_connect; every decision
 * is an event. Where BPF LSM cannot run, --fallback-audit reports without blocking. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "common/addr.h"
#include "common/argval.h"
#include "args.h"
#include "events.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "connguard.h"
#include "connguard.skel.h"

#define LSM_FILE "/sys/kernel/security/lsm"
#define TRACEPOINT "sock/inet_sock_set_state"
#define MAX_RULES 1024 /* the map's max_entries */

static const char doc[] =
	"Enforce a connect() policy with the BPF LSM hook socket_connect: connect()\n"
	"to a --deny destination fails with EPERM, one to an --audit destination is\n"
	"allowed; both are reported (pid, comm, cgroup, address, port, verdict).\n"
	"RULE is ADDR[/PLEN][,PORT] (IPv4 or IPv6; no PORT: every port); a rule with\n"
	"the port wins over one without, then the longest prefix. Every inet socket\n"
	"(TCP, UDP) is checked. Needs 'bpf' among the active LSMs (" LSM_FILE ");\n"
	"else it says which boot parameter adds it and exits 1, unless\n"
	"--fallback-audit: then it only reports (verdict would-deny for deny rules),\n"
	"through fentry or kprobe on inet_stream_connect, else the " TRACEPOINT "\n"
	"tracepoint (TCP only). --method picks one of those report-only ways.\n"
	"\n"
	"EXAMPLES:\n"
	"  connguard --deny 10.0.0.0/8 --audit 0.0.0.0/0,25     # deny 10/8, watch SMTP\n"
	"  connguard --deny ::/0,443 --cgroup /sys/fs/cgroup/app # one cgroup, HTTPS\n"
	"  connguard --fallback-audit --deny 192.0.2.1 -j       # report where it cannot block\n";

static struct {
	struct guard_key rules[MAX_RULES];
	__u8 kinds[MAX_RULES];
	int n;
	const char *cgroup;
	__u64 cgroup_id;
	bool fallback;
} opt;

/* EINVAL after arg_uint said why, else 0; argp_failure exits on the rest. */
static int add_rule(struct argp_state *state, char *arg, __u8 kind)
{
	struct guard_key *k = &opt.rules[opt.n];
	char *comma = strrchr(arg, ',');
	unsigned long long port;
	int plen;

	if (opt.n == MAX_RULES)
		argp_failure(state, 2, 0, "more than %d rules", MAX_RULES);
	if (comma) {
		*comma = '\0';
		if (arg_uint(comma + 1, "port", 1, 65535, &port))
			return EINVAL;
		k->port = htons(port);
	}
	if (addr_parse_cidr(arg, k->addr, &plen))
		argp_failure(state, 2, 0, "invalid rule '%s' (expected ADDR[/PLEN][,PORT])", arg);
	k->prefixlen = 16 + plen;
	opt.kinds[opt.n++] = kind;
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct stat st;

	switch (key) {
	case 'D': return add_rule(state, arg, RULE_DENY);
	case 'A': return add_rule(state, arg, RULE_AUDIT);
	case 'F': opt.fallback = true; break;
	case 'g':
		/* On cgroup v2 the inode number is the id bpf_get_current_cgroup_id() gives. */
		if (stat(arg, &st) || !S_ISDIR(st.st_mode))
			argp_failure(state, 2, 0, "--cgroup '%s' is not a cgroup v2 directory", arg);
		opt.cgroup = arg;
		opt.cgroup_id = st.st_ino;
		break;
	case ARGP_KEY_END:
		if (!opt.n)
			argp_failure(state, 2, 0, "no rule: give --deny or --audit (see -h)");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	static const char *const verdicts[] = {
		[VERDICT_DENY] = "deny", [VERDICT_AUDIT] = "audit", [VERDICT_WOULD_DENY] = "would-deny",
	};
	const struct guard_event *e = data;
	const char *verdict = e->verdict < 4 && verdicts[e->verdict] ? verdicts[e->verdict] : "?";
	char addr[INET6_ADDRSTRLEN];

	out_addr16(e->addr, addr, sizeof(addr));
	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_u64(&jout, "cgroup_id", e->cgroup_id);
		json_kv_u64(&jout, "ip", strchr(addr, ':') ? 6 : 4);
		json_kv_str(&jout, "daddr", addr);
		json_kv_u64(&jout, "dport", e->port);
		json_kv_str(&jout, "verdict", verdict);
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-16s %-10llu %-10s %-39s %u\n", out_elapsed(), e->pid, e->comm,
	       (unsigned long long)e->cgroup_id, verdict, addr, e->port);
	fflush(stdout);
}

static void configure(struct connguard_bpf *skel, int m)
{
	skel->rodata->targ_cgroup_id = opt.cgroup_id;
	args_apply(skel->obj, &skel->rodata->filter);
	bpf_program__set_autoload(skel->progs.lsm_connect, m == METHOD__N);
}

static int fill_rules(struct connguard_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.rules);

	for (int i = 0; i < opt.n; i++)
		if (bpf_map_update_elem(fd, &opt.rules[i], &opt.kinds[i], BPF_ANY)) {
			pr_warn("connguard: failed to add rule %d: %s\n", i + 1, strerror(errno));
			return -1;
		}
	return 0;
}

/* Whether bpf is an active LSM (else says why). It must be known: without it an LSM
 * program loads and attaches all the same, and never runs. */
static bool lsm_active(void)
{
	char list[256] = "", copy[256], *tok, *save;
	FILE *f = fopen(LSM_FILE, "r");

	if (!f) {
		pr_warn("connguard: failed to read %s: %s (mount -t securityfs securityfs /sys/kernel/security)\n",
			LSM_FILE, strerror(errno));
		return false;
	}
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	strcpy(copy, list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return true;
	pr_warn("connguard: BPF LSM is not active ('bpf' not in %s: %s); boot with lsm=%s%sbpf\n", LSM_FILE, list,
		list, list[0] ? "," : "");
	return false;
}

/* The LSM hook, rules in place before it attaches. NULL after saying why. */
static struct connguard_bpf *open_lsm(void)
{
	struct connguard_bpf *skel = connguard_bpf__open();
	int err;

	if (!skel) {
		pr_warn("connguard: failed to open BPF object: %s\n", strerror(errno));
		return NULL;
	}
	method_autoload(skel->obj, -1);
	configure(skel, METHOD__N);
	err = connguard_bpf__load(skel);
	if (err == -EPERM)
		pr_warn("connguard: kernel refuses BPF trampolines, which LSM programs need (%s)\n", strerror(-err));
	else if (err)
		pr_warn("connguard: failed to load the LSM program: %s\n", strerror(-err));
	if (!err && !(err = fill_rules(skel))) {
		err = connguard_bpf__attach(skel);
		if (err)
			pr_warn("connguard: failed to attach lsm/socket_connect: %s\n", strerror(-err));
	}
	if (!err)
		return skel;
	connguard_bpf__destroy(skel);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "deny", 'D', "RULE", 0, "connect() to RULE fails with EPERM (repeatable)", 0 },
		{ "audit", 'A', "RULE", 0, "connect() to RULE is allowed and reported (repeatable)", 0 },
		{ "cgroup", 'g', "PATH", 0, "Only processes in this cgroup v2 directory (not its children)", 0 },
		{ "fallback-audit", 'F', NULL, 0, "Without BPF LSM, report only (cannot block)", 0 },
		{},
	};
	static const struct argp_child children[] = { { &args_method, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {} };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct connguard_bpf *skel = NULL;
	char how[128];
	int m = METHOD__N, err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	if (env.method == METHOD_AUTO && lsm_active())
		skel = open_lsm();
	if (!skel && env.method == METHOD_AUTO && !opt.fallback)
		return 1;
	if (!skel) {
		METHOD_ATTACH(connguard_bpf, skel, m, M_FENTRY | M_KPROBE | M_TRACEPOINT, TRACEPOINT, configure);
		if (!skel)
			return method_none();
		err = fill_rules(skel);
		if (err)
			goto cleanup;
	}
	if (!env.json)
		printf("%-9s %-7s %-16s %-10s %-10s %-39s %s\n", "TIME(s)", "PID", "COMM", "CGROUP", "VERDICT", "DADDR",
		       "DPORT");
	if (m == METHOD__N)
		snprintf(how, sizeof(how), "lsm socket_connect, enforcing");
	else if (m == METHOD_TRACEPOINT)
		snprintf(how, sizeof(how), "tracepoint %s, report only: cannot block", TRACEPOINT);
	else
		snprintf(how, sizeof(how), "%s inet_stream_connect, report only: cannot block", method_names[m]);
	out_ready(how);
	err = events_run(skel->obj, on_event);
cleanup:
	connguard_bpf__destroy(skel);
	return err ? 1 : 0;
}
