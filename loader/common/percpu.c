#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/percpu.h"

int percpu_sum(int fd, const void *key, void *out, size_t size)
{
	/* The kernel copies each CPU's value rounded up to 8 bytes. */
	size_t stride = (size + 7) & ~(size_t)7, words = size / sizeof(uint64_t);
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	uint64_t *sum = out;
	char *all;

	memset(out, 0, size);
	if (ncpu < 0)
		return ncpu;
	all = calloc(ncpu, stride);
	if (!all)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, all)) {
		err = -errno;
	} else {
		for (int c = 0; c < ncpu; c++) {
			const uint64_t *v = (const uint64_t *)(all + c * stride);

			for (size_t i = 0; i < words; i++)
				sum[i] += v[i];
		}
	}
	free(all);
	return err;
}
