/* Loading and attaching one instance of bpf/trace/trace.bpf.c per traced function. */
#ifndef NETBPF_TRACE_ATTACH_H
#define NETBPF_TRACE_ATTACH_H

#include <stdbool.h>

#include "trace/funcs.h"

struct trace;
struct ring_buffer;

struct tracer {
	struct trace *objs[TRACE_MAX_FUNCS];
	int n;
	int stats_fd; /* trace_stats, shared by every instance */
	int events_fd;
};

/* True when err (negative) from tracer_attach means the kernel has no usable BPF
 * trampolines (EPERM: locked down; ENOTSUPP/EOPNOTSUPP: no JIT or arch support). */
bool trace_refused(int err);

/*
 * Loads and attaches fentry+fexit on every function of set; sample > 0 makes the
 * main functions record every sample-th packet per CPU in the events ring buffer.
 * On error nothing stays attached; a refusal is returned without a message, which
 * is the caller's to print (it may fall back).
 */
int tracer_attach(struct tracer *t, const struct trace_set *set, __u32 sample);
/* Detaches and unloads every instance. */
void tracer_detach(struct tracer *t);
/* Sums the per-CPU statistics of function i. */
int tracer_read(const struct tracer *t, int i, struct trace_func_stats *out);
/* Ids of the tracing programs loaded, for `bpftool prog show` to compare. */
int tracer_prog_ids(const struct tracer *t, __u32 *ids, int max);

#endif /* NETBPF_TRACE_ATTACH_H */
