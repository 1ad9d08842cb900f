#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>

#include "common/log.h"
#include "common/pin.h"
#include "datapath/state.h"

int state_save(const char *dir, struct nb_state *st)
{
	char path[512];
	__u32 key = 0;
	int fd, err = 0;

	st->version = NB_STATE_VERSION;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PIN_STATE, sizeof(key), sizeof(*st), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, st, 0) ||
	    pin_path(dir, PIN_STATE, path, sizeof(path)) || bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

int state_update(const char *dir, const struct nb_state *st)
{
	__u32 key = 0;
	int fd = pin_open_map(dir, PIN_STATE, sizeof(key), sizeof(*st)), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, st, 0))
		err = -errno;
	close(fd);
	return err;
}

int state_load(const char *dir, struct nb_state *st)
{
	__u32 key = 0;
	int fd = pin_open_map(dir, PIN_STATE, sizeof(key), sizeof(*st)), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, st))
		err = -errno;
	else if (st->version != NB_STATE_VERSION) {
		pr_warn("failed to use %s/%s: state format %u, this netbpf reads %u "
			"(pinned by another netbpf version: remove it with that version)\n",
			dir, PIN_STATE, st->version, NB_STATE_VERSION);
		err = -EPROTO;
	}
	close(fd);
	return err;
}

const char *tc_mode_name(__u32 mode)
{
	return mode == TC_MODE_TCX ? "tcx" : mode == TC_MODE_CLSACT ? "clsact" : "none";
}

const char *xdp_mode_name(__u32 xdp_flags)
{
	if (xdp_flags & XDP_FLAGS_DRV_MODE)
		return "native";
	if (xdp_flags & XDP_FLAGS_SKB_MODE)
		return "skb";
	if (xdp_flags & XDP_FLAGS_HW_MODE)
		return "hw";
	return "none";
}
