/* `up`: loads, attaches and pins the datapath on one interface, or rolls back. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"
#include "common/steps.h"
#include "datapath/datapath.h"
#include "datapath/state.h"
#include "redirect/redirect.h"
#include "tc.skel.h"
#include "xdp.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Everything a partial `up` may have made, for one rollback path. */
struct install {
	char dir[256];
	bool dir_made;
	struct xdp *xdp;
	struct tc *tc;
	int links[3];      /* xdp, tc ingress, tc egress */
	int foreign_fd;    /* --force: the program ours replaces in place, put back on failure */
	__u32 foreign_flags;
	bool xdp_replaced;
	struct nb_state st;
	bool clsact;
	bool redirect_on;
};

static const char *load_hint(int err)
{
	if (err == -EPERM || err == -EACCES)
		return " (netbpf needs root: CAP_BPF, CAP_NET_ADMIN)";
	return "";
}

static int pin_fd(const char *dir, const char *name, int fd)
{
	char path[512];
	int err = pin_path(dir, name, path, sizeof(path));

	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	if (err)
		pr_warn("failed to pin %s/%s: %s\n", dir, name, strerror(-err));
	return err;
}

static int step(const char *name)
{
	return steps_check("bring netbpf up", name);
}

static int load_objects(struct install *in)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = in->dir);
	int err;

	in->xdp = xdp__open_opts(&opts);
	err = in->xdp ? 0 : -errno;
	if (!err) {
		in->tc = tc__open_opts(&opts);
		err = in->tc ? 0 : -errno;
	}
	if (err) {
		pr_warn("failed to open BPF objects: %s\n", strerror(-err));
		return err;
	}
	/* The tc object finds netbpf_stats pinned by the XDP load and reuses it. */
	err = xdp__load(in->xdp);
	if (!err)
		err = tc__load(in->tc);
	if (err) {
		pr_warn("failed to load BPF programs: %s%s\n", strerror(-err), load_hint(err));
		log_print_libbpf_tail(12);
	}
	return err;
}

static int attach_tc(struct install *in, enum tc_mode_opt mode)
{
	int in_fd = bpf_program__fd(in->tc->progs.tc_ingress);
	int eg_fd = bpf_program__fd(in->tc->progs.tc_egress);
	int err;

	if (mode != TC_OPT_CLSACT) {
		in->links[1] = tcx_attach(in_fd, in->st.ifindex, true);
		if (in->links[1] >= 0) {
			in->links[2] = tcx_attach(eg_fd, in->st.ifindex, false);
			if (in->links[2] < 0) {
				pr_warn("failed to attach tc egress (tcx): %s\n", strerror(-in->links[2]));
				return in->links[2];
			}
			in->st.tc_mode = TC_MODE_TCX;
			if ((err = pin_fd(in->dir, PIN_TC_IN, in->links[1])) ||
			    (err = pin_fd(in->dir, PIN_TC_EG, in->links[2])))
				return err;
			return 0;
		}
		if (mode == TC_OPT_TCX || in->links[1] != -EINVAL) {
			pr_warn("failed to attach tc ingress (tcx): %s%s\n", strerror(-in->links[1]),
				in->links[1] == -EINVAL ? " (kernel without TCX: try --tc clsact)" : "");
			return in->links[1];
		}
		pr_debug("kernel has no TCX, using clsact\n");
	}
	err = clsact_attach(in->st.ifindex, in_fd, eg_fd, &in->st);
	if (err)
		return err;
	in->clsact = true;
	in->st.tc_mode = TC_MODE_CLSACT;
	/* Recorded now: if this process dies before the end, `down` still finds the filters. */
	if ((err = state_update(in->dir, &in->st))) {
		pr_warn("failed to save state in %s: %s\n", in->dir, strerror(-err));
		return err;
	}
	/* Pinned so that status/trace find the programs the filters run. */
	if ((err = pin_fd(in->dir, PIN_TC_IN, in_fd)) || (err = pin_fd(in->dir, PIN_TC_EG, eg_fd)))
		return err;
	return 0;
}

/*
 * Last of the hooks, so that with --force every failure before it leaves the
 * replaced program running: the swap itself is one atomic netlink request.
 */
static int attach_xdp(struct install *in, const char *ifname, enum xdp_mode_opt mode)
{
	int prog_fd = bpf_program__fd(in->xdp->progs.xdp_main), err;

	if (in->foreign_fd < 0) {
		in->links[0] = xdp_attach(prog_fd, in->st.ifindex, mode, &in->st.xdp_flags);
		if (in->links[0] < 0)
			return in->links[0];
		return pin_fd(in->dir, PIN_XDP, in->links[0]);
	}
	err = xdp_replace(in->st.ifindex, in->foreign_flags, in->foreign_fd, prog_fd);
	if (err) {
		pr_warn("failed to replace the XDP program of %s: %s%s\n", ifname, strerror(-err),
			err == -EBUSY ? " (held by a bpf_link; stop its owner)" :
			err == -EEXIST ? " (it changed meanwhile)" : "");
		return err;
	}
	in->xdp_replaced = true;
	in->st.xdp_flags = in->foreign_flags;
	in->st.xdp_netlink = 1;
	pr_info("replaced the foreign XDP program of %s (--force)\n", ifname);
	if ((err = state_update(in->dir, &in->st))) {
		pr_warn("failed to save state in %s: %s\n", in->dir, strerror(-err));
		return err;
	}
	return pin_fd(in->dir, PIN_XDP_PROG, prog_fd);
}

static int enable_redirect(struct install *in, const char *cgroup)
{
	struct redirect_opts ro = { .cgroup = cgroup };
	uint64_t cgid;
	char rdir[512];
	int err;

	/* Kept by id: a path may be relative, renamed or longer than any fixed field. */
	if ((err = redirect_cgroup_dir(cgroup, &cgid, rdir, sizeof(rdir))) ||
	    (err = redirect_on(&ro)))
		return err;
	in->redirect_on = true;
	in->st.redirect_cgid = cgid;
	if ((err = state_update(in->dir, &in->st)))
		pr_warn("failed to save state in %s: %s\n", in->dir, strerror(-err));
	return err;
}

/* Undoes exactly what this `up` made, in reverse order. */
static void rollback(struct install *in)
{
	struct bpf_prog_info info[2] = {};
	__u32 len = sizeof(info[0]);
	int err;

	if (in->redirect_on)
		datapath_redirect_off(in->st.redirect_cgid);
	if (in->xdp_replaced &&
	    (err = xdp_replace(in->st.ifindex, in->foreign_flags,
			       bpf_program__fd(in->xdp->progs.xdp_main), in->foreign_fd)))
		pr_warn("failed to put the replaced XDP program back: %s\n", strerror(-err));
	if (in->clsact) {
		bpf_obj_get_info_by_fd(bpf_program__fd(in->tc->progs.tc_ingress), &info[0], &len);
		len = sizeof(info[1]);
		bpf_obj_get_info_by_fd(bpf_program__fd(in->tc->progs.tc_egress), &info[1], &len);
		clsact_detach(&in->st, info[0].id, info[1].id);
	}
	/* Unpinned first, so closing the fd drops the last reference and detaches. */
	if (in->dir_made)
		pin_rmdir(in->dir);
}

static void release(struct install *in)
{
	for (int i = 0; i < 3; i++)
		if (in->links[i] >= 0)
			close(in->links[i]);
	if (in->foreign_fd >= 0)
		close(in->foreign_fd);
	xdp__destroy(in->xdp);
	tc__destroy(in->tc);
}

/* The steps of `up`, each followed by a check for a signal or an injected failure. */
static int install(struct install *in, const struct up_opts *o)
{
	int err;

	if ((err = pin_mkdir(in->dir))) {
		pr_warn("failed to create %s: %s%s\n", in->dir, strerror(-err), load_hint(err));
		return err;
	}
	in->dir_made = true;
	if ((err = step("mkdir")))
		return err;
	/* Saved first, completed last: up_time 0 marks an `up` that has not finished. */
	in->st.netns_ino = pin_netns_ino();
	snprintf(in->st.ifname, sizeof(in->st.ifname), "%s", o->ifname);
	if ((err = state_save(in->dir, &in->st))) {
		pr_warn("failed to save state in %s: %s\n", in->dir, strerror(-err));
		return err;
	}
	if ((err = step("state")) || (err = load_objects(in)) || (err = step("load")))
		return err;
	if ((err = attach_tc(in, o->tc_mode)) || (err = step("tc")))
		return err;
	if ((err = attach_xdp(in, o->ifname, o->xdp_mode)) || (err = step("xdp")))
		return err;
	if (o->redirect && ((err = enable_redirect(in, o->cgroup)) || (err = step("redirect"))))
		return err;
	in->st.up_time = time(NULL);
	if ((err = state_update(in->dir, &in->st))) {
		pr_warn("failed to save state in %s: %s\n", in->dir, strerror(-err));
		return err;
	}
	return step("commit");
}

static int up_locked(struct install *in, const struct up_opts *o)
{
	int err;

	if (access(VMLINUX_BTF, R_OK)) {
		pr_warn("kernel has no BTF (%s missing: needs CONFIG_DEBUG_INFO_BTF)\n", VMLINUX_BTF);
		return -ENOENT;
	}
	in->st.ifindex = if_nametoindex(o->ifname);
	if (!in->st.ifindex) {
		pr_warn("no interface '%s' in this network namespace\n", o->ifname);
		return -ENODEV;
	}
	err = datapath_find(o->ifname, in->st.ifindex, in->dir, sizeof(in->dir));
	if (err == -ENAMETOOLONG)
		pr_warn("interface name too long: %s\n", o->ifname);
	if (err == -ENAMETOOLONG || err == -EPROTO)
		return err;
	if (!err) {
		pr_info("netbpf is already up on %s; 'netbpf down %s' first to change modes%s\n",
			o->ifname, o->ifname,
			o->redirect ? ", or 'netbpf redirect on' to add the bypass" : "");
		return 0;
	}
	err = xdp_check_foreign(in->st.ifindex, o->ifname, o->force, &in->foreign_fd,
				&in->foreign_flags);
	if (err)
		return err;
	steps_begin();
	err = install(in, o);
	if (err)
		rollback(in);
	else
		pr_info("netbpf up on %s: xdp %s, tc %s, pinned at %s%s\n", o->ifname,
			xdp_mode_name(in->st.xdp_flags), tc_mode_name(in->st.tc_mode), in->dir,
			in->redirect_on ? ", localhost bypass on" : "");
	release(in);
	steps_end(); /* a signal held off acts now, with nothing half done */
	return err;
}

int datapath_up(const struct up_opts *o)
{
	struct install in = { .links = { -1, -1, -1 }, .foreign_fd = -1 };
	int err;

	if ((err = lock_take()))
		return err;
	err = up_locked(&in, o);
	lock_release();
	return err;
}
