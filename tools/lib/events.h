/* Events from BPF (common.bpf.h's emit()) to a callback, through the ring buffer or
 * the perf buffer, until Ctrl-C, --duration or --count. */
#ifndef TOOLS_EVENTS_H
#define TOOLS_EVENTS_H

#include <stddef.h>
#include <bpf/libbpf.h>

#include "filter.h"

typedef void (*event_fn)(const void *data, size_t size);

/* Before load (args_apply calls it): picks the buffer kind, tells the BPF side through f. */
void events_prepare(struct bpf_object *obj, struct tool_filter *f);
/* After load: delivers events to fn until the end; returns 0 or a negative errno. */
int events_run(struct bpf_object *obj, event_fn fn);
/* "ring buffer" or "perf buffer", for the ready line; NULL before events_prepare. */
const char *events_kind(void);

#endif /* TOOLS_EVENTS_H */
