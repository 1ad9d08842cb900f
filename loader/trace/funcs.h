/*
 * What `netbpf trace` traces: target programs (from an interface's pins or an id)
 * and their functions, discovered from each program's own BTF.
 */
#ifndef NETBPF_TRACE_FUNCS_H
#define NETBPF_TRACE_FUNCS_H

#include <stdbool.h>
#include <linux/bpf.h>

#include "bpf/trace/trace.h"

#define TRACE_MAX_PROGS 64
#define TRACE_NAME_LEN  128

struct trace_prog {
	int fd;
	__u32 id;
	__u32 type;                    /* enum bpf_prog_type: names the verdicts */
	char name[TRACE_NAME_LEN];     /* full name from BTF (the kernel keeps 15 chars) */
	const char *hook;              /* "xdp", "tc ingress", "tc egress", "sockops", "sk_msg",
					* "socket filter"; NULL for --prog */
	char where[64];                /* what it is attached to: "va netns 4026532..", "cgroup 47259",
					* "pid 1234"; empty for --prog */
	bool tail_call_target;         /* in a PROG_ARRAY: may be entered by bpf_tail_call */
};

struct trace_func {
	struct trace_prog *prog;
	char name[TRACE_NAME_LEN];
	bool main;                     /* the program's entry, func_info[0] */
	__u32 ret_bytes;               /* 0: returns void */
	enum trace_ctx ctx;            /* main functions only: arg0 as a packet */
};

struct trace_set {
	struct trace_prog progs[TRACE_MAX_PROGS];
	int n_progs;
	struct trace_func funcs[TRACE_MAX_FUNCS];
	int n_funcs;
};

/* Adds the XDP, tc ingress and tc egress programs netbpf attached to ifname. */
int trace_add_iface(struct trace_set *set, const char *ifname);
/* Adds the datapath programs pinned in one interface directory of `up`. */
int trace_add_datapath_dir(struct trace_set *set, const char *dir, const char *where);
/* Adds the sockops and sk_msg programs of the bypass of cgroup (path or id; NULL:
 * every cgroup with the bypass on; -ENOENT with a message when there is none). */
int trace_add_redirect(struct trace_set *set, const char *cgroup);
/* Adds the socket filter of every running `netbpf sniff` (pid 0), or of the one
 * with that pid; -ENOENT with a message when there is none. */
int trace_add_sniff(struct trace_set *set, int pid);
/* Adds every program netbpf installed on this host: the datapath in every
 * namespace, the bypass in every cgroup, every sniffer. -ENOENT when none. */
int trace_add_all(struct trace_set *set);
/* Adds any loaded program by id. */
int trace_add_prog_id(struct trace_set *set, __u32 id);
/* Lists every function of every program from its BTF func_info. */
int trace_discover(struct trace_set *set);
/*
 * Keeps only the functions named in names[] (a name is traced in every program
 * that has it). A 15-character name, as the kernel truncates program names, also
 * matches the one function it is the start of. Unknown or ambiguous names are an
 * error that lists the candidates.
 */
int trace_select(struct trace_set *set, char **names, int n);
void trace_set_close(struct trace_set *set);

#endif /* NETBPF_TRACE_FUNCS_H */
