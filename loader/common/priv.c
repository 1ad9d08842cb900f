#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "common/log.h"
#include "common/priv.h"

#ifndef CAP_BPF
#define CAP_BPF 39 /* linux 5.8; Debian 12's uapi header has it, older ones do not */
#endif

int priv_check(void)
{
	/*
	 * CAP_SYS_ADMIN: pins under /sys/fs/bpf, bpf_prog_get_fd_by_id and joining pid
	 * 1's mount namespace; CAP_BPF and CAP_NET_ADMIN: loading and attaching.
	 */
	static const struct { int cap; const char *name; } need[] = {
		{ CAP_BPF, "CAP_BPF" }, { CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	};
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	char missing[64] = "";
	int off = 0;

	if (syscall(SYS_capget, &hdr, data)) {
		pr_warn("failed to read capabilities: %m\n");
		return -errno;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(data[need[i].cap / 32].effective & (1U << (need[i].cap % 32))))
			off += snprintf(missing + off, sizeof(missing) - off, "%s%s",
					off ? ", " : "", need[i].name);
	if (!off)
		return 0;
	pr_warn("needs root: missing %s\n", missing);
	return -EPERM;
}
