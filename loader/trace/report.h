/* Output of `netbpf trace`: text tables or JSON lines (schemas in docs/trace.md). */
#ifndef NETBPF_TRACE_REPORT_H
#define NETBPF_TRACE_REPORT_H

#include <stdbool.h>

#include "trace/attach.h"
#include "trace/runstats.h"

/* The line tests wait for: printed once everything is attached. */
void report_ready(const struct trace_set *set, const char *target, const struct tracer *t,
		  bool json);
void report_ready_runstats(const struct trace_set *set, const char *target, bool json);
/* Totals since the start; final adds the latency histograms (text). */
void report_funcs(const struct trace_set *set, const struct tracer *t, double elapsed_s,
		  bool final, bool json);
void report_runstats(const struct trace_set *set, const struct runstats *r, double elapsed_s,
		     bool final, bool json);
void report_packet(const struct trace_set *set, const struct trace_pkt_event *ev, bool json);

#endif /* NETBPF_TRACE_REPORT_H */
