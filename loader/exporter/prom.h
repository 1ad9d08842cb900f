/*
 * The Prometheus text exposition format (version 0.0.4): a family's HELP and
 * TYPE lines, then its samples, each family's samples together.
 */
#ifndef NETBPF_PROM_H
#define NETBPF_PROM_H

#include <stdint.h>
#include <stdio.h>

enum prom_type { PROM_COUNTER, PROM_GAUGE };

/* "# HELP name help" and "# TYPE name counter|gauge". */
void prom_family(FILE *f, const char *name, enum prom_type type, const char *help);

/*
 * One sample: name{k1="v1",k2="v2"} value. labels holds nlabels key/value
 * pairs (keys are literals; values are escaped).
 */
void prom_sample(FILE *f, const char *name, const char *const *labels, int nlabels, uint64_t value);
void prom_sample_double(FILE *f, const char *name, const char *const *labels, int nlabels,
			double value);

#endif /* NETBPF_PROM_H */
