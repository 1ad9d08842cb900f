/* Settings every tool passes to its BPF object through rodata (see common.bpf.h). */
#ifndef TOOLS_FILTER_H
#define TOOLS_FILTER_H

#ifndef __VMLINUX_H__ /* BPF objects have the types from vmlinux.h */
#include <linux/types.h>
#endif

struct tool_filter {
	__u32 tgid;    /* 0: every process */
	__u8 comm[16]; /* empty: every command name */
	__u8 ringbuf;  /* 0: kernel has no ring buffer, events go to the perf buffer */
};

#endif /* TOOLS_FILTER_H */
