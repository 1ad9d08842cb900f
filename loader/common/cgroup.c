#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cgroup.h"

int cgroup2_root(char *buf, size_t len)
{
	char dev[64], dir[4096], type[32];
	FILE *f = fopen("/proc/mounts", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %4095s %31s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

static uint64_t find_ino;
static char *found_buf;
static size_t found_len;

static int match_ino(const char *path, const struct stat *st, int type,
		     struct FTW *ftw __attribute__((unused)))
{
	if (type != FTW_D || st->st_ino != find_ino)
		return 0;
	snprintf(found_buf, found_len, "%s", path);
	return 1;
}

int cgroup2_path_of_id(uint64_t cgid, char *buf, size_t len)
{
	char root[256];
	int err = cgroup2_root(root, sizeof(root));

	if (err)
		return err;
	find_ino = cgid;
	found_buf = buf;
	found_len = len;
	return nftw(root, match_ino, 16, FTW_PHYS | FTW_MOUNT) == 1 ? 0 : -ENOENT;
}
