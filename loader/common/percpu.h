/* Per-CPU counters: one value per possible CPU, added up in user space. */
#ifndef NETBPF_PERCPU_H
#define NETBPF_PERCPU_H

#include <stddef.h>

/* Looks key up in the per-CPU map fd and adds the CPUs' values into out (size bytes):
 * a value that is nothing but __u64 counters, so it adds up as an array of them.
 * 0, or a negative errno with out zeroed. */
int percpu_sum(int fd, const void *key, void *out, size_t size);

#endif /* NETBPF_PERCPU_H */
