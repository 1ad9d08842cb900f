/* BPF side of loader/common/hist.h: the slot of a value in a log2 histogram. */
#ifndef TOOLS_HIST_BPF_H
#define TOOLS_HIST_BPF_H

/* floor(log2(v)), 0 for 0: always below common/hist.h's HIST_SLOTS (64). */
static __always_inline __u32 hist_slot(__u64 v)
{
	__u32 r = 0;

	for (int i = 32; i > 0; i >>= 1) {
		if (v >= 1ULL << i) {
			v >>= i;
			r += i;
		}
	}
	return r;
}

#endif /* TOOLS_HIST_BPF_H */
