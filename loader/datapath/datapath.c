#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/cgroup.h"
#include "datapath/datapath.h"
#include "common/log.h"
#include "common/pin.h"
#include "redirect/redirect.h"
#include "datapath/state.h"
#include "tc.skel.h"
#include "xdp.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Everything a partial `up` may have made, for one rollback path. */
struct install {
	char dir[256];
	bool dir_made;
	struct xdp *xdp;
	struct tc *tc;
	int links[3]; /* xdp, tc ingress, tc egress */
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
	/* Pinned so that status/trace find the programs the filters run. */
	if ((err = pin_fd(in->dir, PIN_TC_IN, in_fd)) || (err = pin_fd(in->dir, PIN_TC_EG, eg_fd)))
		return err;
	return 0;
}

static int enable_redirect(struct install *in, const char *cgroup)
{
	struct redirect_opts ro = { .cgroup = in->st.redirect_cgroup };
	int err;

	if (cgroup)
		snprintf(in->st.redirect_cgroup, sizeof(in->st.redirect_cgroup), "%s", cgroup);
	else if ((err = cgroup2_root(in->st.redirect_cgroup, sizeof(in->st.redirect_cgroup)))) {
		pr_warn("failed to find the cgroup v2 mount for --redirect (pass --cgroup PATH)\n");
		return err;
	}
	err = redirect_on(&ro);
	in->redirect_on = !err;
	return err;
}

static void rollback(struct install *in)
{
	struct bpf_prog_info info[2] = {};
	__u32 len = sizeof(info[0]);

	if (in->redirect_on)
		redirect_off(in->st.redirect_cgroup);

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
	xdp__destroy(in->xdp);
	tc__destroy(in->tc);
}

int datapath_up(const struct up_opts *o)
{
	struct install in = { .links = { -1, -1, -1 } };
	int err;

	if (pin_check_bpffs())
		return -ENOENT;
	if (access(VMLINUX_BTF, R_OK)) {
		pr_warn("kernel has no BTF (%s missing: needs CONFIG_DEBUG_INFO_BTF)\n", VMLINUX_BTF);
		return -ENOENT;
	}
	in.st.ifindex = if_nametoindex(o->ifname);
	if (!in.st.ifindex) {
		pr_warn("no interface '%s' in this network namespace\n", o->ifname);
		return -ENODEV;
	}
	if (pin_dir(o->ifname, in.dir, sizeof(in.dir))) {
		pr_warn("interface name too long: %s\n", o->ifname);
		return -ENAMETOOLONG;
	}
	if (!access(in.dir, F_OK)) {
		if (datapath_live(in.dir)) {
			pr_info("netbpf is already up on %s; 'netbpf down %s' first to change modes%s\n",
				o->ifname, o->ifname,
				o->redirect ? ", or 'netbpf redirect on' to add the bypass" : "");
			return 0;
		}
		pr_info("removing stale pins of an earlier %s\n", o->ifname);
		datapath_down(in.dir);
	}
	err = xdp_check_foreign(in.st.ifindex, o->ifname, o->force);
	if (err)
		return err;
	err = pin_mkdir(in.dir);
	if (err) {
		pr_warn("failed to create %s: %s%s\n", in.dir, strerror(-err), load_hint(err));
		return err;
	}
	in.dir_made = true;

	err = load_objects(&in);
	if (err)
		goto out;
	in.links[0] = xdp_attach(bpf_program__fd(in.xdp->progs.xdp_main), in.st.ifindex,
				 o->xdp_mode, &in.st.xdp_flags);
	if (in.links[0] < 0) {
		err = in.links[0];
		goto out;
	}
	err = pin_fd(in.dir, PIN_XDP, in.links[0]);
	if (err)
		goto out;
	err = attach_tc(&in, o->tc_mode);
	if (err)
		goto out;
	if (o->redirect && (err = enable_redirect(&in, o->cgroup)))
		goto out;
	in.st.netns_ino = pin_netns_ino();
	in.st.up_time = time(NULL);
	snprintf(in.st.ifname, sizeof(in.st.ifname), "%s", o->ifname);
	err = state_save(in.dir, &in.st);
	if (err) {
		pr_warn("failed to save state in %s: %s\n", in.dir, strerror(-err));
		goto out;
	}
	pr_info("netbpf up on %s: xdp %s, tc %s, pinned at %s%s%s\n", o->ifname,
		xdp_mode_name(in.st.xdp_flags), tc_mode_name(in.st.tc_mode), in.dir,
		in.redirect_on ? ", localhost bypass on for " : "", in.st.redirect_cgroup);
out:
	if (err)
		rollback(&in);
	release(&in);
	return err;
}

int datapath_hook_prog(const char *dir, const char *name, bool is_link, __u32 *link_id)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	int fd = pin_open(dir, name), prog_fd;

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

static __u32 pinned_prog_id(const char *dir, const char *name)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi), id = 0;
	int fd = datapath_hook_prog(dir, name, false, NULL);

	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &len))
		id = pi.id;
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

int datapath_down(const char *dir)
{
	struct nb_state st = {};
	int err;

	if (!state_load(dir, &st) && st.tc_mode == TC_MODE_CLSACT) {
		clsact_detach(&st, pinned_prog_id(dir, PIN_TC_IN), pinned_prog_id(dir, PIN_TC_EG));
	} else {
		detach_link(dir, PIN_TC_IN);
		detach_link(dir, PIN_TC_EG);
	}
	detach_link(dir, PIN_XDP);
	/* The bypass may have been turned off by hand since; that is fine. */
	if (st.redirect_cgroup[0] && redirect_off(st.redirect_cgroup) == -ENOENT)
		pr_debug("bypass of %s was already off\n", st.redirect_cgroup);
	err = pin_rmdir(dir);
	if (err)
		pr_warn("failed to remove %s: %s\n", dir, strerror(-err));
	return err;
}

bool datapath_live(const char *dir)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	int fd = pin_open(dir, PIN_XDP);
	bool live;

	if (fd < 0)
		return false;
	/* The kernel zeroes a link's ifindex when its device goes away. */
	live = !bpf_obj_get_info_by_fd(fd, &li, &len) && li.xdp.ifindex;
	close(fd);
	return live;
}

int datapath_dir(const char *ifname, char *dir, size_t len)
{
	if (pin_check_bpffs())
		return -ENOENT;
	if (pin_dir(ifname, dir, len) || access(dir, F_OK))
		goto not_up;
	/*
	 * Namespace inode numbers are reused: pins left by a namespace that died
	 * without `down` may carry this one's name. They describe nothing live.
	 */
	if (!datapath_live(dir)) {
		pr_debug("removing stale pins %s\n", dir);
		datapath_down(dir);
		goto not_up;
	}
	return 0;
not_up:
	pr_warn("netbpf is not up on '%s' in this network namespace\n", ifname);
	return -ENOENT;
}
