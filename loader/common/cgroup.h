/* cgroup v2 helpers shared by the bypass and the bench. */
#ifndef NETBPF_CGROUP_H
#define NETBPF_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* The first cgroup2 mount point in /proc/mounts into buf; -ENOENT if none. */
int cgroup2_root(char *buf, size_t len);
/* The directory of the cgroup with id cgid (its inode number), by walking the
 * cgroup2 mount, into buf; -ENOENT once the cgroup is removed. */
int cgroup2_path_of_id(uint64_t cgid, char *buf, size_t len);

#endif /* NETBPF_CGROUP_H */
