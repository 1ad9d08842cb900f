/* The settings of a tool's run, filled from the command line (args.c) and read by the
 * library (method.c, events.c) and the tool. */
#ifndef TOOLS_ENV_H
#define TOOLS_ENV_H

#include <stdbool.h>
#include <linux/types.h>

struct tool_env {
	bool json;
	bool perf_buffer;     /* use the perf buffer even where a ring buffer exists */
	unsigned duration;    /* seconds; 0 runs until Ctrl-C */
	unsigned long count;  /* stop after this many events; 0 never */
	__u32 pid;
	__u16 port;           /* either end; 0: every port */
	char comm[16];
	int method;           /* METHOD_AUTO or the one forced with --method */
};
extern struct tool_env env;

#endif /* TOOLS_ENV_H */
