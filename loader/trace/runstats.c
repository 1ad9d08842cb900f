#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/log.h"
#include "trace/runstats.h"

static int prog_figures(int fd, __u64 *cnt, __u64 *ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

int runstats_start(struct runstats *r, const struct trace_set *set)
{
	int err;

	r->enable_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (r->enable_fd < 0) {
		err = -errno;
		pr_warn("failed to enable BPF run-time statistics: %s\n", strerror(-err));
		return err;
	}
	for (int i = 0; i < set->n_progs; i++) {
		err = prog_figures(set->progs[i].fd, &r->cnt0[i], &r->ns0[i]);
		if (err) {
			runstats_stop(r);
			return err;
		}
	}
	return 0;
}

int runstats_read(const struct runstats *r, const struct trace_set *set, int i,
		  struct runstats_delta *d)
{
	__u64 cnt, ns;
	int err = prog_figures(set->progs[i].fd, &cnt, &ns);

	if (err)
		return err;
	d->runs = cnt - r->cnt0[i];
	d->run_time_ns = ns - r->ns0[i];
	return 0;
}

void runstats_stop(struct runstats *r)
{
	if (r->enable_fd >= 0)
		close(r->enable_fd);
	r->enable_fd = -1;
}
