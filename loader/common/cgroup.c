#include <errno.h>
#include <stdio.h>
#include <string.h>

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
