/* Installing and removing the XDP + tc datapath on one interface. */
#ifndef NETBPF_DATAPATH_LOADER_H
#define NETBPF_DATAPATH_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "tc.h"
#include "xdp.h"

struct up_opts {
	const char *ifname;
	enum xdp_mode_opt xdp_mode;
	enum tc_mode_opt tc_mode;
	bool force;
	bool redirect;      /* also turn the localhost bypass on */
	const char *cgroup; /* for the bypass; NULL: the cgroup2 root */
};

/* Attaches and pins everything, or nothing: every failure rolls back. */
int datapath_up(const struct up_opts *o);
/* Removes what the pin directory describes, then the directory. */
int datapath_down(const char *dir);
/* The pin directory of ifname; prints an error unless netbpf is up there. */
int datapath_dir(const char *ifname, char *dir, size_t len);
/* True when dir's XDP link is still attached to a live interface. */
bool datapath_live(const char *dir);

#endif /* NETBPF_DATAPATH_LOADER_H */
