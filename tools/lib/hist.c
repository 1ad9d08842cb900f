#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "output.h"

/* Rows from the first used slot to the last: empty ends say nothing. */
static int first_used(const __u64 *slots)
{
	for (int i = 0; i < HIST_SLOTS; i++)
		if (slots[i])
			return i;
	return HIST_SLOTS;
}

static int last_used(const __u64 *slots)
{
	int last = -1;

	for (int i = 0; i < HIST_SLOTS; i++)
		if (slots[i])
			last = i;
	return last;
}

static __u64 lo(int i) { return i ? 1ULL << i : 0; }
static __u64 hi(int i) { return (1ULL << (i + 1)) - 1; }

void hist_print(const __u64 *slots, const char *unit)
{
	int last = last_used(slots);
	__u64 max = 0;
	char bar[41];

	for (int i = 0; i <= last; i++)
		if (slots[i] > max)
			max = slots[i];
	printf("%24s : %-10s |%-40s|\n", unit, "count", "distribution");
	for (int i = first_used(slots); i <= last; i++) {
		int w = max ? (int)(slots[i] * 40 / max) : 0;

		memset(bar, '*', w);
		bar[w] = '\0';
		printf("%10llu -> %-10llu : %-10llu |%-40s|\n", (unsigned long long)lo(i),
		       (unsigned long long)hi(i), (unsigned long long)slots[i], bar);
	}
}

void hist_json(const __u64 *slots, const char *unit)
{
	int last = last_used(slots);

	json_obj_open(&jout);
	json_kv_str(&jout, "unit", unit);
	json_key(&jout, "buckets");
	json_arr_open(&jout);
	for (int i = first_used(slots); i <= last; i++) {
		json_obj_open(&jout);
		json_kv_u64(&jout, "lo", lo(i));
		json_kv_u64(&jout, "hi", hi(i));
		json_kv_u64(&jout, "count", slots[i]);
		json_obj_close(&jout);
	}
	json_arr_close(&jout);
	json_obj_close(&jout);
}
