/* Names for what traced functions return and see (verdicts, sockops ops, return slots). */
#ifndef NETBPF_TRACE_VALUES_H
#define NETBPF_TRACE_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/attach.h"

/* XDP_PASS, TC_ACT_SHOT, SK_PASS ... for a main function's return value; NULL otherwise. */
const char *trace_ret_name(const struct trace_func *f, long v);
/* A socket filter's return value is the number of bytes kept: 0 drops the packet. */
bool trace_ret_is_length(const struct trace_func *f);
/* The BPF_SOCK_OPS_* name of op, or op_N. */
void trace_op_key(int op, char *buf, size_t len);
/* Runs counted as returns. */
__u64 trace_ret_total(const struct trace_func_stats *s);
/* The name of return slot `slot` (a verdict, or the value). */
void trace_ret_key(const struct trace_func *f, int slot, char *buf, size_t len);

#endif /* NETBPF_TRACE_VALUES_H */
