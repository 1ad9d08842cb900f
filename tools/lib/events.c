#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "events.h"
#include "common/log.h"
#include "common/signals.h"

static bool prepared, use_ringbuf;
static event_fn handler;
static unsigned long seen;

void events_prepare(struct bpf_object *obj, struct tool_filter *f)
{
	prepared = true;
	use_ringbuf = !env.perf_buffer && libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0;
	f->ringbuf = use_ringbuf;
	/* The unused map is not created; libbpf poisons its (dead) references. */
	bpf_map__set_autocreate(bpf_object__find_map_by_name(obj, use_ringbuf ? "events_pb" : "events_rb"), false);
}

const char *events_kind(void)
{
	if (!prepared)
		return NULL;
	return use_ringbuf ? "ring buffer" : "perf buffer";
}

static int deliver(void *ctx __attribute__((unused)), void *data, size_t size)
{
	handler(data, size);
	if (env.count && ++seen >= env.count) {
		exiting = 1;
		return -EINTR; /* stop consuming: later events are past the bound */
	}
	return 0;
}

static void perf_deliver(void *ctx, int cpu __attribute__((unused)), void *data, __u32 size)
{
	if (!exiting)
		deliver(ctx, data, size);
}

static void perf_lost(void *ctx __attribute__((unused)), int cpu, __u64 n)
{
	pr_warn("%s: lost %llu events on CPU %d\n", program_invocation_short_name, (unsigned long long)n, cpu);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int events_run(struct bpf_object *obj, event_fn fn)
{
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	double end = env.duration ? now() + env.duration : 0;
	int err = 0;

	handler = fn;
	if (use_ringbuf)
		rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events_rb")), deliver, NULL, NULL);
	else
		pb = perf_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events_pb")), 64,
				      perf_deliver, perf_lost, NULL, NULL);
	if (!rb && !pb) {
		err = -errno;
		pr_warn("%s: failed to open the %s: %s\n", program_invocation_short_name, events_kind(), strerror(errno));
		return err;
	}
	signals_catch();
	while (!exiting && (!end || now() < end)) {
		err = rb ? ring_buffer__poll(rb, 100) : perf_buffer__poll(pb, 100);
		if (err == -EINTR || exiting) {
			err = 0;
			break;
		}
		if (err < 0) {
			pr_warn("%s: failed to poll events: %s\n", program_invocation_short_name, strerror(-err));
			break;
		}
		err = 0;
	}
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	return err;
}
