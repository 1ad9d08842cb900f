/* tcprtt: log2 histograms of TCP's smoothed round-trip time, in microseconds. */
#ifndef TOOLS_TCPRTT_H
#define TOOLS_TCPRTT_H

#define TCPRTT_SLOTS 64 /* log2 us slots: common/hist.h's HIST_SLOTS */

/* One histogram per key: the local (-b) or remote (-B) address in addr.h's 16-byte
 * form, or all zero for the one histogram of everything. */
struct rtt_key {
	__u8 addr[16];
};

struct rtt_hist {
	__u64 sum_us;
	__u64 count;
	__u64 slots[TCPRTT_SLOTS];
};

#endif /* TOOLS_TCPRTT_H */
