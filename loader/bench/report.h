/* Output of the benchmarks: the machine they ran on, tables, JSON, the plot. */
#ifndef NETBPF_BENCH_REPORT_H
#define NETBPF_BENCH_REPORT_H

#include <stddef.h>

#include "bench/redirect.h"
#include "bench/stats.h"
#include "common/json.h"

/* "Linux 6.18.44 x86_64, 2 CPUs (model)", for the head of every table. */
const char *bench_machine(void);
/* Opens the bench's JSON object: name, machine, load averages at start and end. */
void bench_json_head(struct json *j, const char *bench, double load_start, double load_end);
/* Size as the user writes it: 64, 1K, 16K, 1M. */
const char *bench_size_str(size_t size, char *buf, size_t len);

/* Median and min-max of the gain over the rounds; false when no round has both values. */
bool bench_gain_range(const struct bench_results *res, int p, int s, int metric, int m,
		      struct stats_range *out);

void bench_report_table(const struct bench_results *res);
void bench_report_json(const struct bench_results *res);
/* Speedup of each mode over plain against message size, as a PNG drawn by gnuplot. */
int bench_plot(const struct bench_results *res, const char *path);

#endif /* NETBPF_BENCH_REPORT_H */
