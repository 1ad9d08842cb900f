/*
 * The pins of one cgroup's bypass (layout in redirect.h): made and removed by
 * redirect.c, read by report.c and the exporter.
 */
#ifndef NETBPF_REDIRECT_PINS_H
#define NETBPF_REDIRECT_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/redirect/redirect.h"

#define REDIRECT_PIN_LINK     "sockops_link"
#define REDIRECT_PIN_VERDICT  "verdict"
#define REDIRECT_PIN_SOCKHASH "sockhash"
#define REDIRECT_PIN_STATS    "stats"
#define REDIRECT_PIN_CONFIG   "config"
#define REDIRECT_PIN_SERVICES "services"
#define REDIRECT_PIN_CONNS    "conns"

/* Calls fn for every cgroup with the bypass on; stops at fn's first error. */
typedef int (*redirect_instance_fn)(const char *dir, uint64_t cgid, void *ctx);
/* The number of cgroups, or fn's error, or -errno. */
int redirect_for_each_instance(redirect_instance_fn fn, void *ctx);

/* One cgroup's bypass as read from its pins, for status and the exporter. */
struct redirect_snap {
	uint64_t cgid;
	const char *cgroup;   /* path, "?" once removed (static storage: copy before the next call) */
	bool cgroup_removed;  /* no cgroup of that id any more: only the id names it */
	bool attached;        /* the sockops link still runs in that cgroup */
	int sockets;          /* sockets in the SOCKHASH now */
	struct redirect_config cfg;
	struct redirect_stats st; /* summed over CPUs */
};

/* 0, or -errno with a message printed (pins missing or unreadable). */
int redirect_snapshot(const char *dir, uint64_t cgid, struct redirect_snap *snap);
/* "EEXIST" for an insert_errno[] slot; "other" for slot 0. */
const char *redirect_errno_name(int e);

/* Closes those of n fds that are open (>= 0). */
void redirect_close_fds(const int *fds, int n);

#endif /* NETBPF_REDIRECT_PINS_H */
