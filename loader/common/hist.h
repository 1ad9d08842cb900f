/* Log2 histograms filled by BPF: slot i counts values in [2^i, 2^(i+1)), 0 in slot 0. */
#ifndef NETBPF_HIST_H
#define NETBPF_HIST_H

#include <stdio.h>
#include <linux/types.h>

#include "common/json.h"

#define HIST_SLOTS 64

/* The pct-th percentile, interpolated linearly inside its slot; 0 when empty. */
double hist_percentile(const __u64 slots[HIST_SLOTS], double pct);
/* bcc's text form: a header naming unit, then one bar per slot from the first used to
 * the last, each line starting with indent. */
void hist_print(FILE *f, const __u64 slots[HIST_SLOTS], const char *unit, const char *indent);
/* [{"lo":..,"hi":..,"count":..}, ...] of the used slots, as the current JSON value. */
void hist_json(struct json *j, const __u64 slots[HIST_SLOTS]);

#endif /* NETBPF_HIST_H */
