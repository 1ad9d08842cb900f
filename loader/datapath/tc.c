#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_sched.h>

#include "common/log.h"
#include "datapath/tc.h"

/* enum bpf_attach_type values from kernel 6.6; Debian 12's uapi headers predate them. */
#define NB_BPF_TCX_INGRESS 46
#define NB_BPF_TCX_EGRESS  47

int tcx_attach(int prog_fd, int ifindex, bool ingress)
{
	int fd = bpf_link_create(prog_fd, ifindex,
				 ingress ? NB_BPF_TCX_INGRESS : NB_BPF_TCX_EGRESS, NULL);

	return fd < 0 ? -errno : fd;
}

static int clsact_attach_one(int ifindex, enum bpf_tc_attach_point point, int prog_fd,
			     __u32 *handle, __u32 *prio)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	/* Handle and priority 0: the kernel picks free ones, libbpf reports them. */
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = *handle, .priority = *prio);
	int err = bpf_tc_attach(&hook, &opts);

	if (err)
		return err;
	*handle = opts.handle;
	*prio = opts.priority;
	return 0;
}

static void clsact_detach_one(int ifindex, enum bpf_tc_attach_point point, __u32 handle,
			      __u32 prio, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);

	if (bpf_tc_query(&hook, &opts) || opts.prog_id != prog_id) {
		pr_debug("tc filter %x:%u is no longer ours, left alone\n", handle, prio);
		return;
	}
	opts.prog_id = 0;
	opts.flags = 0;
	opts.prog_fd = 0;
	if (bpf_tc_detach(&hook, &opts))
		pr_warn("failed to remove tc filter %x:%u on ifindex %d\n", handle, prio, ifindex);
}

int clsact_attach(int ifindex, int ingress_fd, int egress_fd, struct nb_state *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	__u32 handle = 0, prio = 0;
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_warn("failed to create clsact qdisc: %s\n", strerror(-err));
		return err;
	}
	st->qdisc_created = !err;
	err = clsact_attach_one(ifindex, BPF_TC_INGRESS, ingress_fd, &handle, &prio);
	if (err)
		goto fail;
	/* Same handle and priority on egress keeps the state to one pair. */
	err = clsact_attach_one(ifindex, BPF_TC_EGRESS, egress_fd, &handle, &prio);
	if (err) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(ingress_fd, &info, &len))
			clsact_detach_one(ifindex, BPF_TC_INGRESS, handle, prio, info.id);
		goto fail;
	}
	st->tc_handle = handle;
	st->tc_prio = prio;
	return 0;
fail:
	pr_warn("failed to attach tc filter: %s\n", strerror(-err));
	if (st->qdisc_created)
		bpf_tc_hook_destroy(&hook);
	return err;
}

int clsact_detach(const struct nb_state *st, __u32 ingress_id, __u32 egress_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int in, eg;

	clsact_detach_one(st->ifindex, BPF_TC_INGRESS, st->tc_handle, st->tc_prio, ingress_id);
	clsact_detach_one(st->ifindex, BPF_TC_EGRESS, st->tc_handle, st->tc_prio, egress_id);
	if (!st->qdisc_created)
		return 0;
	in = tc_filter_count(st->ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	eg = tc_filter_count(st->ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	if (in == 0 && eg == 0)
		return bpf_tc_hook_destroy(&hook);
	pr_debug("clsact qdisc still has filters of others (%d ingress, %d egress): kept\n", in, eg);
	return 0;
}
