#include <stdint.h>
#include <string.h>

#include "common/hist.h"

/* The smallest and largest value slot i counts (slot 63 ends at UINT64_MAX). */
static __u64 hist_slot_lo(int i)
{
	return i ? 1ULL << i : 0;
}

static __u64 hist_slot_hi(int i)
{
	return i < 63 ? (1ULL << (i + 1)) - 1 : UINT64_MAX; /* 1ULL << 64 is undefined */
}

double hist_percentile(const __u64 slots[HIST_SLOTS], double pct)
{
	double want, cum = 0;
	__u64 total = 0;

	for (int i = 0; i < HIST_SLOTS; i++)
		total += slots[i];
	if (!total)
		return 0;
	want = total * pct / 100;
	for (int i = 0; i < HIST_SLOTS; i++) {
		if (slots[i] && cum + slots[i] >= want)
			return hist_slot_lo(i) + ((double)hist_slot_hi(i) + 1 - hist_slot_lo(i)) *
						 (want - cum) / slots[i];
		cum += slots[i];
	}
	return hist_slot_hi(HIST_SLOTS - 1);
}

void hist_print(FILE *f, const __u64 slots[HIST_SLOTS], const char *unit, const char *indent)
{
	int first = -1, last = -1;
	__u64 max = 0;
	char bar[41];

	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		first = first < 0 ? i : first;
		last = i;
		max = slots[i] > max ? slots[i] : max;
	}
	fprintf(f, "%s%24s : %-10s |%-40s|\n", indent, unit, "count", "distribution");
	for (int i = first; first >= 0 && i <= last; i++) {
		int w = slots[i] * 40 / max;

		memset(bar, '*', w);
		bar[w] = '\0';
		fprintf(f, "%s%10llu -> %-10llu : %-10llu |%-40s|\n", indent,
			(unsigned long long)hist_slot_lo(i), (unsigned long long)hist_slot_hi(i),
			(unsigned long long)slots[i], bar);
	}
}

void hist_json(struct json *j, const __u64 slots[HIST_SLOTS])
{
	json_arr_open(j);
	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		json_obj_open(j);
		json_kv_u64(j, "lo", hist_slot_lo(i));
		json_kv_u64(j, "hi", hist_slot_hi(i));
		json_kv_u64(j, "count", slots[i]);
		json_obj_close(j);
	}
	json_arr_close(j);
}
