#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "common/log.h"
#include "method.h"

const char *const method_names[METHOD__N] = { "fentry", "kprobe", "tracepoint" };
static const char *const prefixes[][2] = {
	[METHOD_FENTRY] = { "fentry_", "fexit_" },
	[METHOD_KPROBE] = { "kprobe_", "kretprobe_" },
	[METHOD_TRACEPOINT] = { "tp_", NULL },
};

int method_parse(const char *s)
{
	for (int m = 0; m < METHOD__N; m++)
		if (!strcmp(s, method_names[m]))
			return m;
	return -1;
}

static void note(int m, const char *reason)
{
	pr_info("%s: %s unavailable: %s\n", program_invocation_short_name, method_names[m], reason);
}

int method_next(unsigned offered, int prev)
{
	if (env.method != METHOD_AUTO) {
		if (prev >= 0)
			return -1;
		if (!(offered & 1u << env.method)) {
			note(env.method, "this tool has no program for it");
			return -1;
		}
		return env.method;
	}
	for (int m = prev + 1; m < METHOD__N; m++)
		if (offered & 1u << m)
			return m;
	return -1;
}

static bool tracefs_has(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", rel);
	if (!access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/%s", rel);
	return !access(path, F_OK);
}

bool method_available(int m, const char *tp)
{
	char rel[160];

	switch (m) {
	case METHOD_FENTRY:
		if (access("/sys/kernel/btf/vmlinux", R_OK)) {
			note(m, "no kernel BTF (/sys/kernel/btf/vmlinux)");
			return false;
		}
		return true;
	case METHOD_KPROBE:
		/* libbpf uses the kprobe PMU, else the legacy kprobe_events file. */
		if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) &&
		    !tracefs_has("kprobe_events")) {
			note(m, "kernel has no kprobes (no kprobe PMU, no kprobe_events)");
			return false;
		}
		return true;
	default:
		if (!tracefs_has("events")) {
			note(m, "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
			return false;
		}
		snprintf(rel, sizeof(rel), "events/%s/id", tp);
		if (!tracefs_has(rel)) {
			snprintf(rel, sizeof(rel), "kernel has no tracepoint %s", tp);
			note(m, rel);
			return false;
		}
		return true;
	}
}

static int prog_method(const char *name)
{
	for (int m = 0; m < METHOD__N; m++)
		for (int i = 0; i < 2 && prefixes[m][i]; i++)
			if (!strncmp(name, prefixes[m][i], strlen(prefixes[m][i])))
				return m;
	return -1;
}

void method_autoload(struct bpf_object *obj, int m)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		int pm = prog_method(bpf_program__name(p));

		if (pm >= 0)
			bpf_program__set_autoload(p, pm == m);
	}
}

void method_failed(int m, const char *stage, int err)
{
	char why[160];

	if (m == METHOD_FENTRY && !strcmp(stage, "load") && err == -EPERM)
		/* Root and still refused, with no verifier log: no trampolines in this kernel. */
		snprintf(why, sizeof(why), "kernel refuses BPF trampolines (%s)", strerror(-err));
	else if (!strcmp(stage, "load") && err == -EACCES)
		snprintf(why, sizeof(why), "the verifier rejected a program (-v shows its log)");
	else if (m == METHOD_FENTRY && (err == -ESRCH || err == -ENOENT))
		snprintf(why, sizeof(why), "traced function not in kernel BTF (%s)", strerror(-err));
	else if (m == METHOD_KPROBE && !strcmp(stage, "attach") && err == -ENOENT)
		snprintf(why, sizeof(why), "traced function not found or not traceable");
	else
		snprintf(why, sizeof(why), "%s failed: %s", stage, strerror(-err));
	note(m, why);
}

int method_none(void)
{
	pr_warn("%s: no attach method available on this kernel (reasons above)\n", program_invocation_short_name);
	return 1;
}
