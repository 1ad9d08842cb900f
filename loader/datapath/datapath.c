/* What is installed where: finding, checking and removing an interface's pins. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"
#include "datapath/datapath.h"
#include "datapath/state.h"
#include "redirect/redirect.h"

void datapath_redirect_off(uint64_t cgid)
{
	char id[24];

	snprintf(id, sizeof(id), "%" PRIu64, cgid);
	/* The bypass may have been turned off by hand since; that is fine. */
	if (redirect_off(id) == -ENOENT)
		pr_debug("bypass of cgroup %s was already off\n", id);
}

int datapath_hook_prog(const char *dir, const char *name, bool is_link, __u32 *link_id)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	int fd = pin_open(dir, name), prog_fd;

	/* After `up --force` the XDP program is attached by netlink and pinned itself. */
	if (fd == -ENOENT && !strcmp(name, PIN_XDP))
		return pin_open(dir, PIN_XDP_PROG);
	if (fd < 0 || !is_link)
		return fd;
	prog_fd = bpf_obj_get_info_by_fd(fd, &li, &len) ? -errno : bpf_prog_get_fd_by_id(li.prog_id);
	if (prog_fd < 0)
		prog_fd = -errno;
	else if (link_id)
		*link_id = li.id;
	close(fd);
	return prog_fd;
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &pi, &len) ? pi.id : 0;
}

static __u32 pinned_prog_id(const char *dir, const char *name)
{
	int fd = datapath_hook_prog(dir, name, false, NULL);
	__u32 id = prog_id_of(fd);

	if (fd >= 0)
		close(fd);
	return id;
}

/* Forces a pinned link off its hook, whoever else holds a reference to it. */
static void detach_link(const char *dir, const char *name)
{
	int fd = pin_open(dir, name);

	if (fd < 0)
		return;
	if (bpf_link_detach(fd))
		pr_debug("detach of %s/%s: %s\n", dir, name, strerror(errno));
	close(fd);
}

/* A netlink-attached program of ours comes off only if it is still the one attached. */
static void detach_xdp_prog(const char *dir, const struct nb_state *st)
{
	int fd = pin_open(dir, PIN_XDP_PROG);

	if (fd < 0)
		return;
	if (xdp_replace(st->ifindex, st->xdp_flags, fd, -1))
		pr_debug("XDP program of ifindex %u is no longer ours, left alone\n", st->ifindex);
	close(fd);
}

/* The ifindex dir's XDP link is attached to; 0 when none. Reads no state: works on any version's pins. */
static __u32 link_ifindex(const char *dir)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li), ifindex = 0;
	int fd = pin_open(dir, PIN_XDP);

	/* The kernel zeroes a link's ifindex when its device goes away. */
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &li, &len))
		ifindex = li.xdp.ifindex;
	if (fd >= 0)
		close(fd);
	return ifindex;
}

/* state_load() without its message, for callers that only ask what the pins are. */
static int state_peek(const char *dir, struct nb_state *st)
{
	int level = log_level, err;

	log_level = -1; /* below warnings: nothing printed */
	err = state_load(dir, st);
	log_level = level;
	return err;
}

/*
 * Pins of another netbpf version are left alone while their XDP link is attached
 * (someone uses them; state_load says why, -EPROTO). Once their device is gone
 * nothing of them is attached any more and they go like any stale pins: else a
 * namespace that reuses the dead one's inode number could never use that name.
 */
static int foreign_in_use(const char *dir)
{
	struct nb_state st;

	if (state_peek(dir, &st) != -EPROTO || !link_ifindex(dir))
		return 0;
	return state_load(dir, &st);
}

int datapath_down(const char *dir)
{
	struct nb_state st = {};
	int err;

	if ((err = foreign_in_use(dir)))
		return err;
	/* Without a readable state only links can be found. */
	err = state_peek(dir, &st);
	if (!err && st.tc_mode == TC_MODE_CLSACT) {
		clsact_detach(&st, pinned_prog_id(dir, PIN_TC_IN), pinned_prog_id(dir, PIN_TC_EG));
	} else {
		detach_link(dir, PIN_TC_IN);
		detach_link(dir, PIN_TC_EG);
	}
	if (!err && st.xdp_netlink)
		detach_xdp_prog(dir, &st);
	if (err)
		memset(&st, 0, sizeof(st)); /* another version's: nothing in it is ours */
	detach_link(dir, PIN_XDP);
	if (st.redirect_cgid)
		datapath_redirect_off(st.redirect_cgid);
	err = pin_rmdir(dir);
	if (err)
		pr_warn("failed to remove %s: %s\n", dir, strerror(-err));
	return err;
}

__u32 datapath_live(const char *dir)
{
	struct nb_state st = {};
	__u32 ifindex = 0;
	const char *mode;
	int fd;

	/* An `up` that never finished (killed) is not live, whatever it attached. */
	if (state_peek(dir, &st) || !st.up_time)
		return 0;
	if (!st.xdp_netlink)
		return link_ifindex(dir);
	fd = pin_open(dir, PIN_XDP_PROG);
	if (fd >= 0 && prog_id_of(fd) == xdp_query(st.ifindex, &mode))
		ifindex = st.ifindex;
	if (fd >= 0)
		close(fd);
	return ifindex;
}

struct by_ifindex {
	__u32 ifindex;
	char dir[256];
};

static int match_ifindex(const char *dir, uint64_t netns_ino __attribute__((unused)),
			 const char *ifname __attribute__((unused)), void *ctx)
{
	struct by_ifindex *m = ctx;

	if (datapath_live(dir) != m->ifindex)
		return 0;
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	return 1;
}

/* Pins are named after the interface; after a rename they move to the new name. */
static int move_pins(const char *from, const char *ifname, char *to, size_t len)
{
	struct nb_state st;
	int err;

	if ((err = pin_dir(ifname, to, len)))
		return err;
	if (rename(from, to)) {
		err = -errno;
		pr_warn("failed to move %s to %s: %s\n", from, to, strerror(errno));
		return err;
	}
	pr_info("pins of renamed interface %s moved to %s\n", ifname, to);
	if (!state_load(to, &st)) {
		snprintf(st.ifname, sizeof(st.ifname), "%s", ifname);
		state_update(to, &st);
	}
	return 0;
}

int datapath_find(const char *ifname, __u32 ifindex, char *dir, size_t len)
{
	struct by_ifindex m = { .ifindex = ifindex };
	char name[IF_NAMESIZE], moved[256];
	__u32 at;

	int err;

	if (pin_dir(ifname, dir, len))
		return -ENAMETOOLONG;
	if (!access(dir, F_OK)) {
		if ((err = foreign_in_use(dir)))
			return err;
		at = datapath_live(dir);
		if (at == ifindex)
			return 0;
		if (at && if_indextoname(at, name)) {
			/* Ours under this name, but the interface was renamed since. */
			move_pins(dir, name, moved, sizeof(moved));
		} else {
			/*
			 * Namespace inode numbers are reused and `up` can be killed: pins left
			 * by a namespace that died without `down` or by an unfinished `up`
			 * describe nothing live (and the lock says no `up` is working on them).
			 */
			pr_debug("removing stale pins %s\n", dir);
			datapath_down(dir);
		}
	}
	/* This interface, renamed to ifname: its pins still carry its old name. */
	if (pin_for_each(1, match_ifindex, &m) == 1)
		return move_pins(m.dir, ifname, dir, len);
	return -ENOENT;
}

int datapath_dir(const char *ifname, char *dir, size_t len)
{
	__u32 ifindex;
	int err;

	if ((err = lock_take()))
		return err;
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("no interface '%s' in this network namespace\n", ifname);
		err = -ENODEV;
	} else if ((err = datapath_find(ifname, ifindex, dir, len)) && err != -EPROTO) {
		pr_warn("netbpf is not up on '%s' in this network namespace\n", ifname);
	}
	lock_release();
	return err;
}
