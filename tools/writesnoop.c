/* writesnoop: trace write(2) calls with fd, requested and written bytes, errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "events.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "writesnoop.h"
#include "writesnoop.skel.h"

static const char doc[] =
	"Trace write(2) calls: pid, thread, fd, bytes requested and written, errors\n"
	"(syscalls/sys_enter_write + sys_exit_write tracepoints, paired per thread).\n"
	"\n"
	"EXAMPLES:\n"
	"  writesnoop              # every write on the system\n"
	"  writesnoop -p 1234      # only process 1234\n"
	"  writesnoop -C nginx -j  # only nginx, as JSON lines\n"
	"  writesnoop -c 10        # stop after 10 writes\n";

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	const struct write_event *e = data;
	const char *error = e->ret < 0 ? strerrorname_np(-e->ret) : NULL;

	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_u64(&jout, "tid", e->tid);
		json_kv_i64(&jout, "fd", e->fd);
		json_kv_u64(&jout, "requested", e->requested);
		json_kv_u64(&jout, "written", e->ret < 0 ? 0 : e->ret);
		json_key(&jout, "error");
		json_str(&jout, error);
		json_kv_u64(&jout, "lat_ns", e->lat_ns);
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-7u %-16s %-4d %-10llu ", out_elapsed(), e->pid, e->tid, e->comm, e->fd,
	       (unsigned long long)e->requested);
	if (error)
		printf("%-10s", error);
	else
		printf("%-10lld", (long long)e->ret);
	printf(" %.1f\n", e->lat_ns / 1e3);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &args_task, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { NULL, NULL, NULL, doc, children, NULL, NULL };
	struct writesnoop_bpf *skel = NULL;
	int err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	if (!method_available(METHOD_TRACEPOINT, "syscalls/sys_enter_write"))
		return method_none();

	skel = writesnoop_bpf__open();
	if (!skel) {
		pr_warn("writesnoop: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->self_tgid = getpid();
	args_apply(skel->obj, &skel->rodata->filter);
	err = writesnoop_bpf__load(skel);
	if (err) {
		pr_warn("writesnoop: failed to load BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = writesnoop_bpf__attach(skel);
	if (err) {
		pr_warn("writesnoop: failed to attach to the write tracepoints: %s\n", strerror(-err));
		goto cleanup;
	}
	if (!env.json)
		printf("%-9s %-7s %-7s %-16s %-4s %-10s %-10s %s\n", "TIME(s)", "PID", "TID", "COMM", "FD",
		       "REQUESTED", "WRITTEN", "LAT(us)");
	out_ready("tracepoint syscalls/sys_enter_write + sys_exit_write");
	err = events_run(skel->obj, on_event);
cleanup:
	writesnoop_bpf__destroy(skel);
	return err ? 1 : 0;
}
