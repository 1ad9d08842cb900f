#define _GNU_SOURCE /* setns */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "common/pin.h"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static uint64_t ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* The parent of pid from /proc/PID/stat ("pid (comm) state ppid ..."), 0 if unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the last ')' ends it */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

static int join_mntns(pid_t pid)
{
	char path[64];
	int ns_fd, cwd_fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ns_fd < 0 || setns(ns_fd, CLONE_NEWNS))
		err = -errno;
	else if (cwd_fd >= 0 && fchdir(cwd_fd))
		pr_debug("kept / as working directory: %s\n", strerror(errno));
	if (ns_fd >= 0)
		close(ns_fd);
	if (cwd_fd >= 0)
		close(cwd_fd);
	if (err)
		pr_warn("failed to join the mount namespace of pid %d for its bpffs: %s\n", pid,
			strerror(-err));
	else
		pr_debug("no bpffs in this mount namespace: using that of pid %d\n", pid);
	return err;
}

/*
 * `ip netns exec` runs commands in a mount namespace of its own whose /sys is a
 * fresh sysfs, without the bpffs (and without the cgroup2 mount under it). Pins
 * made in a bpffs mounted there would die with that namespace, so netbpf joins
 * the mount namespace of its nearest ancestor that has a bpffs at /sys/fs/bpf
 * (the shell that ran `ip netns exec`; at the latest pid 1) instead: pins,
 * cgroup paths and /sys/kernel/btf are then the host's, as under `nsenter --net`.
 * The network namespace stays the caller's; the working directory is kept, so
 * relative paths mean what the caller meant.
 */
static int join_ancestor_mntns(void)
{
	uint64_t self = ns_ino("/proc/self/ns/mnt");
	char ns[64], root[64];

	for (pid_t pid = getppid(); pid > 0; pid = pid == 1 ? 0 : parent_of(pid)) {
		snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", pid);
		snprintf(root, sizeof(root), "/proc/%d/root" PIN_BPFFS, pid);
		if (ns_ino(ns) != self && is_bpffs(root))
			return join_mntns(pid);
	}
	return -ENOENT;
}

int pin_check_bpffs(void)
{
	if (is_bpffs(PIN_BPFFS))
		return 0;
	if (!join_ancestor_mntns() && is_bpffs(PIN_BPFFS))
		return 0;
	pr_warn("no bpffs at " PIN_BPFFS " (mount -t bpf bpf " PIN_BPFFS ")\n");
	return -ENOENT;
}

uint64_t pin_netns_ino(void)
{
	return ns_ino("/proc/self/ns/net");
}

int pin_dir(const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, PIN_ROOT "/%" PRIu64 "_%s", pin_netns_ino(), ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pin_path(const char *dir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pin_mkdir(const char *dir)
{
	if (mkdir(PIN_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0700))
		return -errno;
	return 0;
}

int pin_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pin_path(dir, de->d_name, path, sizeof(path)) || unlink(path))
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !err)
		err = -errno;
	rmdir(PIN_ROOT); /* only succeeds once nothing else of netbpf is pinned */
	return err;
}

int pin_open(const char *dir, const char *name)
{
	char path[512];
	int fd;

	if (pin_path(dir, name, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int pin_open_map(const char *dir, const char *name, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = pin_open(dir, name), err;

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_warn("failed to inspect %s/%s: %s\n", dir, name, strerror(errno));
	} else if (info.key_size != key_size || info.value_size != value_size) {
		pr_warn("failed to use %s/%s: key/value size %u/%u, this netbpf expects %u/%u "
			"(pinned by another netbpf version: remove it with that version)\n",
			dir, name, info.key_size, info.value_size, key_size, value_size);
		err = -EPROTO;
	} else {
		return fd;
	}
	close(fd);
	return err;
}

int pin_for_each(int only_this_netns, pin_iter_fn fn, void *ctx)
{
	uint64_t self = pin_netns_ino(), ino;
	char dir[512], ifname[64];
	struct dirent *de;
	DIR *d = opendir(PIN_ROOT);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		/* Other users of PIN_ROOT (redirect/) do not have this form. */
		if (sscanf(de->d_name, "%" SCNu64 "_%63s", &ino, ifname) != 2)
			continue;
		if (only_this_netns && ino != self)
			continue;
		if (pin_path(PIN_ROOT, de->d_name, dir, sizeof(dir)))
			continue;
		err = fn(dir, ino, ifname, ctx);
	}
	closedir(d);
	return err;
}

int pin_clear_paths(struct bpf_object *obj)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj)
		if ((err = bpf_map__set_pin_path(map, NULL)))
			return err;
	return 0;
}
