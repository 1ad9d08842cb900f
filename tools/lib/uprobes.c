#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "uprobes.h"

struct bpf_link *uprobe_attach(struct bpf_program *prog, pid_t pid, const char *binary,
			       const char *func, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = func, .retprobe = retprobe);
	struct bpf_link *link;

	link = bpf_program__attach_uprobe_opts(prog, pid, binary, 0, &opts);
	if (!link)
		pr_warn("%s: failed to attach %s to %s:%s: %s%s\n", program_invocation_short_name,
			retprobe ? "uretprobe" : "uprobe", binary, func, strerror(errno),
			errno == ENOENT ? " (no such file or symbol; is the binary stripped?)" : "");
	return link;
}

struct bpf_link *usdt_attach(struct bpf_program *prog, pid_t pid, const char *binary,
			     const char *provider, const char *name)
{
	struct bpf_link *link;

	link = bpf_program__attach_usdt(prog, pid, binary, provider, name, NULL);
	if (!link)
		pr_warn("%s: failed to attach USDT %s:%s in %s: %s%s\n", program_invocation_short_name,
			provider, name, binary, strerror(errno),
			errno == ENOENT ? " (no such file or probe; see 'readelf -n')" : "");
	return link;
}

static bool base_matches(const char *path, const char *prefix)
{
	const char *base = strrchr(path, '/');

	return base && !strncmp(base + 1, prefix, strlen(prefix));
}

static int from_maps(const char *prefix, pid_t pid, char *out, size_t len)
{
	char maps[64], line[PATH_MAX + 128];
	int err = -ENOENT;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');

		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (base_matches(path, prefix)) {
			/* Through the process's root: right even inside a container. */
			snprintf(out, len, "/proc/%d/root%s", pid, path);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

static int from_dirs(const char *prefix, char *out, size_t len)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		char best[NAME_MAX + 1] = "";

		if (!d)
			continue;
		/* Prefer the versioned file (libssl.so.3) that programs load, not the dev link. */
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, prefix, strlen(prefix)) && strlen(e->d_name) > strlen(best))
				snprintf(best, sizeof(best), "%s", e->d_name);
		closedir(d);
		if (best[0]) {
			snprintf(out, len, "%s/%s", dirs[i], best);
			return 0;
		}
	}
	return -ENOENT;
}

int uprobe_find_lib(const char *soname_prefix, pid_t pid, char *out, size_t len)
{
	int err = pid > 0 ? from_maps(soname_prefix, pid, out, len) : from_dirs(soname_prefix, out, len);

	if (err)
		pr_warn("%s: failed to find %s%s: %s\n", program_invocation_short_name, soname_prefix,
			pid > 0 ? " in the process's mappings" : " in the library directories", strerror(-err));
	return err;
}
