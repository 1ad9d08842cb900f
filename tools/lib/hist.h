/* Log2 histograms filled by BPF (bucket i counts values in [2^i, 2^(i+1)), 0 in bucket 0). */
#ifndef TOOLS_HIST_H
#define TOOLS_HIST_H

#ifndef __VMLINUX_H__ /* BPF objects have the types from vmlinux.h */
#include <linux/types.h>
#endif

#define HIST_SLOTS 64

/* Text bars like bcc's, or one JSON object {"unit":..., "buckets":[{"lo","hi","count"}]}
 * as the value of the current JSON key. */
void hist_print(const __u64 *slots, const char *unit);
void hist_json(const __u64 *slots, const char *unit);

#endif /* TOOLS_HIST_H */
