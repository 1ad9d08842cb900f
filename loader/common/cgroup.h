/* cgroup v2 helpers shared by the bypass and the bench. */
#ifndef NETBPF_CGROUP_H
#define NETBPF_CGROUP_H

#include <stddef.h>

/* The first cgroup2 mount point in /proc/mounts into buf; -ENOENT if none. */
int cgroup2_root(char *buf, size_t len);

#endif /* NETBPF_CGROUP_H */
