/*
 * The pins of one cgroup's bypass (layout in redirect.h): made and removed by
 * redirect.c, read by redirect_report.c.
 */
#ifndef NETBPF_REDIRECT_PINS_H
#define NETBPF_REDIRECT_PINS_H

#include <stddef.h>
#include <stdint.h>

#define REDIRECT_PIN_LINK     "sockops_link"
#define REDIRECT_PIN_VERDICT  "verdict"
#define REDIRECT_PIN_SOCKHASH "sockhash"
#define REDIRECT_PIN_STATS    "stats"
#define REDIRECT_PIN_CONFIG   "config"

/* The id of a cgroup v2 directory (NULL: the root) and its pin directory into dir;
 * 0 or -errno (message printed when the cgroup is not usable). */
int redirect_cgroup_dir(const char *cgroup, uint64_t *cgid, char *dir, size_t len);

/* Calls fn for every cgroup with the bypass on; stops at fn's first error. */
typedef int (*redirect_instance_fn)(const char *dir, uint64_t cgid, void *ctx);
/* The number of cgroups, or fn's error, or -errno. */
int redirect_for_each_instance(redirect_instance_fn fn, void *ctx);

/* Closes those of n fds that are open (>= 0). */
void redirect_close_fds(const int *fds, int n);

#endif /* NETBPF_REDIRECT_PINS_H */
