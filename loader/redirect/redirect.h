/*
 * The localhost TCP bypass (bpf/redirect/sockmap.bpf.c): turn it on for a cgroup, off,
 * and report it. Used by `netbpf redirect`, and meant for `up --redirect`,
 * `down` and `stats`.
 *
 * Pin layout: /sys/fs/bpf/netbpf/redirect/<cgroup id>/ holds
 *   sockops_link  the sockops program's cgroup link (attached while it exists)
 *   verdict       the sk_msg program, attached to the SOCKHASH
 *   sockhash      the SOCKHASH (keys: struct redirect_key, values: socket cookies)
 *   stats         per-CPU struct redirect_stats
 *   config        the object's .rodata: struct redirect_config
 *   services      auto mode: struct redirect_svc per struct redirect_svc_key
 *   conns         auto mode: struct redirect_conn of connections not yet voted
 */
#ifndef NETBPF_REDIRECT_LOADER_H
#define NETBPF_REDIRECT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json.h"

#define REDIRECT_PIN_ROOT "/sys/fs/bpf/netbpf/redirect"

/*
 * Every cgroup argument below names a cgroup v2 directory by path, or by id (its
 * inode number, digits only: a directory named so is written ./N). Only an id
 * reaches the bypass of a cgroup that has been removed.
 */
struct redirect_opts {
	const char *cgroup;      /* cgroup path or id; NULL: the cgroup2 mount root */
	bool cross_netns;        /* also bypass connections between two namespaces */
	const char *filter_addr; /* "ADDR[/PLEN]", IPv4 or IPv6: local address range; NULL: any */
	uint16_t filter_port;    /* local or remote port; 0: any */
	uint32_t apply_bytes;    /* bytes one redirect verdict covers; 0: every message */
	uint32_t keepalive_s;    /* SO_KEEPALIVE idle and interval of bypassed sockets; 0: off */
	int mode;                /* enum redirect_mode (bpf/redirect/redirect.h); 0: auto */
};

/* The id of a cgroup (NULL: the root) and its pin directory into dir; 0 or
 * -errno (message printed when the cgroup is not usable). */
int redirect_cgroup_dir(const char *cgroup, uint64_t *cgid, char *dir, size_t len);

/*
 * Loads and attaches the bypass for o->cgroup. Fails (-EEXIST) when it is
 * already on there. Prints its own error message; returns 0 or -errno, and
 * leaves nothing attached or pinned on failure.
 */
int redirect_on(const struct redirect_opts *o);

/*
 * Detaches the bypass from cgroup (NULL: from every cgroup) and removes its
 * pins. Connections already bypassed keep flowing through it until they close:
 * each holds the programs and maps it uses. Returns 0, -ENOENT when cgroup
 * given and not redirected, or another -errno (message printed).
 */
int redirect_off(const char *cgroup);

/*
 * Reports cgroup (NULL: every cgroup with the bypass on): configuration, sockets
 * in the SOCKHASH now, and counters. With j, writes one JSON array value, one
 * object per cgroup (the caller writes the key first, e.g. json_key(j,
 * "redirect")); otherwise human-readable text on stdout ("redirect: off" when
 * there is none). Returns the number of cgroups reported, or -errno.
 */
int redirect_print_stats(const char *cgroup, struct json *j);

#endif /* NETBPF_REDIRECT_LOADER_H */
