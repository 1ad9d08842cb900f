#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/sandbox.h"
#include "common/cgroup.h"
#include "common/log.h"

/* The cgroup v2 path of this process, from the "0::/path" line. */
static int own_cgroup(const char *root, char *buf, size_t len)
{
	char line[PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			ret = snprintf(buf, len, "%s%s", root,
				       strcmp(line + 3, "/") ? line + 3 : "") < (int)len ? 0 : -1;
		}
	}
	fclose(f);
	return ret;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

int sandbox_create(struct bench_sandbox *sb, const char *const *names, int n)
{
	char root[PATH_MAX];

	sb->dir[0] = 0;
	if (cgroup2_root(root, sizeof(root)) || own_cgroup(root, sb->home, sizeof(sb->home))) {
		pr_warn("failed to find the cgroup2 mount: %s\n", "not in /proc/mounts");
		return -1;
	}
	if (snprintf(sb->dir, sizeof(sb->dir), "%s/netbpf-bench-%d", root, getpid()) >=
	    (int)sizeof(sb->dir) - 64) {
		pr_warn("failed to create the bench cgroup: path under %s too long\n", root);
		sb->dir[0] = 0;
		return -1;
	}
	if (mkdir(sb->dir, 0755)) {
		pr_warn("failed to create cgroup %s: %s\n", sb->dir, strerror(errno));
		sb->dir[0] = 0;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *p = sandbox_path(sb, names[i]);

		if (mkdir(p, 0755)) {
			pr_warn("failed to create cgroup %s: %s\n", p, strerror(errno));
			sandbox_destroy(sb);
			return -1;
		}
	}
	return 0;
}

const char *sandbox_path(const struct bench_sandbox *sb, const char *name)
{
	static char path[PATH_MAX + 64];

	/* names are ours and short; sandbox_create leaves 64 bytes for them */
	if (snprintf(path, sizeof(path), "%s/%s", sb->dir, name) >= (int)sizeof(path))
		path[0] = 0;
	return path;
}

int sandbox_enter(const struct bench_sandbox *sb, const char *name)
{
	char procs[PATH_MAX + 96], pid[24];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", name ? sandbox_path(sb, name) : sb->home);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(procs, pid)) {
		pr_warn("failed to move the bench into %s: %s\n", procs, strerror(errno));
		return -1;
	}
	return 0;
}

/* rmdir fails with EBUSY until killed tasks have exited: retry for a second. */
static void rmdir_wait(const char *path)
{
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };

	for (int i = 0; i < 50; i++) {
		if (!rmdir(path) || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	pr_warn("failed to remove cgroup %s: %s\n", path, strerror(errno));
}

void sandbox_destroy(struct bench_sandbox *sb)
{
	char path[PATH_MAX + 32];
	struct dirent *de;
	DIR *d;

	if (!sb->dir[0])
		return;
	sandbox_enter(sb, NULL);
	/* cgroup.kill (5.14+) ends peers we started that are still there */
	snprintf(path, sizeof(path), "%s/cgroup.kill", sb->dir);
	write_str(path, "1");
	d = opendir(sb->dir);
	while (d && (de = readdir(d))) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			rmdir_wait(sandbox_path(sb, de->d_name));
	}
	if (d)
		closedir(d);
	rmdir_wait(sb->dir);
	sb->dir[0] = 0;
}

int sandbox_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (unshare(CLONE_NEWNET)) {
		pr_warn("failed to create a network namespace: %s\n", strerror(errno));
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr))) {
		pr_warn("failed to bring up lo in the bench namespace: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
