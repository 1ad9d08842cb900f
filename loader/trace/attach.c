#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "common/percpu.h"
#include "trace/attach.h"
#include "trace.skel.h"

#define ENOTSUPP 524 /* kernel-internal, seen by user space as is */

bool trace_refused(int err)
{
	return err == -EPERM || err == -EOPNOTSUPP || err == -ENOTSUPP;
}

/* Every map but rodata is the first instance's, so all instances count into one set. */
static int reuse_maps(struct trace *skel, struct trace *first)
{
	struct bpf_map *shared[] = {
		first->maps.trace_stats, first->maps.trace_frames, first->maps.trace_events,
	};
	struct bpf_map *mine[] = {
		skel->maps.trace_stats, skel->maps.trace_frames, skel->maps.trace_events,
	};
	int err;

	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		err = bpf_map__reuse_fd(mine[i], bpf_map__fd(shared[i]));
		if (err)
			return err;
	}
	return 0;
}

static int instance_load(struct tracer *t, const struct trace_func *f, __u32 sample)
{
	struct trace *skel = trace__open();
	int err;

	if (!skel)
		return -errno;
	t->objs[t->n++] = skel;
	skel->rodata->targ_func = t->n - 1;
	skel->rodata->targ_ret_bytes = f->ret_bytes;
	skel->rodata->targ_ctx = f->ctx;
	skel->rodata->targ_sample = f->main ? sample : 0;
	if ((err = bpf_program__set_attach_target(skel->progs.trace_entry, f->prog->fd, f->name)) ||
	    (err = bpf_program__set_attach_target(skel->progs.trace_exit, f->prog->fd, f->name)))
		return err;
	if (t->n > 1 && (err = reuse_maps(skel, t->objs[0])))
		return err;
	return trace__load(skel);
}

static int attach_one(struct bpf_program *prog, struct bpf_link **link)
{
	*link = bpf_program__attach(prog);
	return *link ? 0 : -errno;
}

/* fexit first: an exit without a recorded entry is ignored, the reverse is not. */
static int tracer_link(struct tracer *t)
{
	int err = 0;

	for (int i = 0; i < t->n && !err; i++)
		err = attach_one(t->objs[i]->progs.trace_exit, &t->objs[i]->links.trace_exit);
	for (int i = 0; i < t->n && !err; i++)
		err = attach_one(t->objs[i]->progs.trace_entry, &t->objs[i]->links.trace_entry);
	return err;
}

int tracer_attach(struct tracer *t, const struct trace_set *set, __u32 sample)
{
	const struct trace_func *f;
	int err = 0;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < set->n_funcs && !err; i++) {
		f = &set->funcs[i];
		err = instance_load(t, f, sample);
		/* A refusal shows on the first load (EPERM, empty log): the caller reports it. */
		if (err && !(i == 0 && trace_refused(err))) {
			pr_warn("failed to load the tracer of %s in program %u: %s\n", f->name,
				f->prog->id, strerror(-err));
			log_print_libbpf_tail(12);
		}
	}
	if (err)
		goto fail;
	err = tracer_link(t);
	if (err) {
		if (!trace_refused(err))
			pr_warn("failed to attach the tracers: %s\n", strerror(-err));
		goto fail;
	}
	t->stats_fd = bpf_map__fd(t->objs[0]->maps.trace_stats);
	t->events_fd = bpf_map__fd(t->objs[0]->maps.trace_events);
	return 0;
fail:
	tracer_detach(t);
	return err;
}

void tracer_detach(struct tracer *t)
{
	/* Entries first, so no run is left half counted; destroy takes the exits. */
	for (int i = 0; i < t->n; i++) {
		bpf_link__destroy(t->objs[i]->links.trace_entry);
		t->objs[i]->links.trace_entry = NULL;
	}
	for (int i = 0; i < t->n; i++)
		trace__destroy(t->objs[i]);
	t->n = 0;
}

int tracer_read(const struct tracer *t, int i, struct trace_func_stats *out)
{
	__u32 key = i;

	return percpu_sum(t->stats_fd, &key, out, sizeof(*out));
}

int tracer_prog_ids(const struct tracer *t, __u32 *ids, int max)
{
	struct bpf_prog_info info;
	struct bpf_program *progs[2];
	__u32 len;
	int n = 0;

	for (int i = 0; i < t->n; i++) {
		progs[0] = t->objs[i]->progs.trace_entry;
		progs[1] = t->objs[i]->progs.trace_exit;
		for (int k = 0; k < 2 && n < max; k++) {
			memset(&info, 0, sizeof(info));
			len = sizeof(info);
			if (!bpf_obj_get_info_by_fd(bpf_program__fd(progs[k]), &info, &len))
				ids[n++] = info.id;
		}
	}
	return n;
}
