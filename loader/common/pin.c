#include <dirent.h>
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

int pin_check_bpffs(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC) {
		/* `ip netns exec` remounts /sys in a new mount namespace, losing bpffs. */
		pr_warn("no bpffs at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf; inside a "
			"namespace use 'nsenter --net=/run/netns/NAME', not 'ip netns exec')\n");
		return -ENOENT;
	}
	return 0;
}

uint64_t pin_netns_ino(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return 0;
	return st.st_ino;
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
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	int fd = pin_open(dir, name);

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.key_size != key_size ||
	    mi.value_size != value_size) {
		pr_warn("%s/%s is not the map this netbpf expects (key %u, value %u bytes; want %u, %u):"
			" made by another netbpf version? ('netbpf down' or 'redirect off' with that version)\n",
			dir, name, mi.key_size, mi.value_size, key_size, value_size);
		close(fd);
		return -EPROTO;
	}
	return fd;
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
