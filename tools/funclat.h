/* funclat: one event per call of the traced function, or per USDT probe hit. */
#ifndef TOOLS_FUNCLAT_H
#define TOOLS_FUNCLAT_H

#define FUNCLAT_ARGS 3
#define FUNCLAT_SLOTS 64 /* log2 ns latency slots: common/hist.h's HIST_SLOTS */

struct call_event {
	__u64 args[FUNCLAT_ARGS];
	__s64 ret;      /* return value (calls only) */
	__u64 lat_ns;   /* entry to return (calls only) */
	__u32 pid;
	__u32 tid;
	__u32 nargs;    /* USDT: arguments the probe has (up to FUNCLAT_ARGS read) */
	__u8 comm[16];
};

#endif /* TOOLS_FUNCLAT_H */
