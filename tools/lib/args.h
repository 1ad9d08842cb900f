/* Command-line options shared by the tools (argp children) and the settings they fill. */
#ifndef TOOLS_ARGS_H
#define TOOLS_ARGS_H

#include <argp.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "filter.h"

/* --json -v --duration --count --perf-buffer -h: every tool */
extern const struct argp args_common;
/* --pid --comm: tools whose events run in the context of the process they describe */
extern const struct argp args_task;
/* --method: tools with more than one way to attach */
extern const struct argp args_method;
/* --port: TCP tools that filter on a port at either end of a socket */
extern const struct argp args_port;

/* log_setup() and argp_parse(); non-zero (2, a wrong command line): exit with it.
 * Numbers go through common/argval.h's arg_uint: decimal, so --pid 010 is 10. */
int args_parse(const struct argp *argp, int argc, char **argv);
/* Before load: --pid/--comm into the BPF filter, and the event buffer's kind. */
void args_apply(struct bpf_object *obj, struct tool_filter *f);

#endif /* TOOLS_ARGS_H */
