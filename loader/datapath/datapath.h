/* Installing and removing the XDP + tc datapath on one interface. */
#ifndef NETBPF_DATAPATH_LOADER_H
#define NETBPF_DATAPATH_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "datapath/tc.h"
#include "datapath/xdp.h"

struct up_opts {
	const char *ifname;
	enum xdp_mode_opt xdp_mode;
	enum tc_mode_opt tc_mode;
	bool force;
	bool redirect;      /* also turn the localhost bypass on */
	const char *cgroup; /* for the bypass; NULL: the cgroup2 root */
};

/*
 * Attaches and pins everything, or nothing: every failure, and SIGINT/SIGTERM/
 * SIGHUP at any step, rolls back what this call made (and only that). Takes the
 * lock (common/lock.h).
 */
int datapath_up(const struct up_opts *o);
/* Removes what the pin directory describes, then the directory. Call with the lock. */
int datapath_down(const char *dir);
/*
 * The pin directory of ifname (in dir) when netbpf is up on the interface that
 * has this name now; -ENOENT otherwise, after removing pins that describe nothing
 * live (-EPROTO for another netbpf version's, message printed). Follows renames:
 * pins move to the interface's current name. Call with the lock.
 */
int datapath_find(const char *ifname, __u32 ifindex, char *dir, size_t len);
/* datapath_find() under the lock, printing why when netbpf is not up there. */
int datapath_dir(const char *ifname, char *dir, size_t len);
/*
 * A program fd for the hook pinned as name in dir: through the link (XDP, TCX;
 * its id into *link_id when not NULL) or the pinned program itself (clsact).
 */
int datapath_hook_prog(const char *dir, const char *name, bool is_link, __u32 *link_id);
/*
 * The ifindex that dir's finished install is attached to now; 0 when its device
 * is gone, its program was replaced, or its `up` never finished.
 */
__u32 datapath_live(const char *dir);
/* Turns the bypass off for the cgroup of that id (`down`, and a rolled-back `up`). */
void datapath_redirect_off(uint64_t cgid);

#endif /* NETBPF_DATAPATH_LOADER_H */
