/* Which programs netbpf trace traces: by interface, cgroup, sniffer, all of them or id. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/datapath.h"
#include "common/log.h"
#include "common/pin.h"
#include "datapath/state.h"
#include "redirect/pins.h"
#include "redirect/redirect.h"
#include "trace/funcs.h"

/* The program netbpf sniff attaches to its packet socket (bpf/sniff/sniff.bpf.c). */
#define SNIFF_PROG_NAME "sniff_wire"

static int prog_add(struct trace_set *set, int fd, const char *hook, const char *where)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct trace_prog *p;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_warn("failed to read program info: %s\n", strerror(-err));
		close(fd);
		return err;
	}
	for (int i = 0; i < set->n_progs; i++) {
		if (set->progs[i].id == info.id) {
			close(fd);
			return 0;
		}
	}
	if (set->n_progs == TRACE_MAX_PROGS) {
		pr_warn("too many programs (at most %d)\n", TRACE_MAX_PROGS);
		close(fd);
		return -E2BIG;
	}
	p = &set->progs[set->n_progs++];
	p->fd = fd;
	p->id = info.id;
	p->type = info.type;
	p->hook = hook;
	snprintf(p->where, sizeof(p->where), "%s", where ? where : "");
	snprintf(p->name, sizeof(p->name), "%s", info.name);
	return 0;
}

int trace_add_datapath_dir(struct trace_set *set, const char *dir, const char *where)
{
	static const struct { const char *pin, *hook; } hooks[] = {
		{ PIN_XDP, "xdp" }, { PIN_TC_IN, "tc ingress" }, { PIN_TC_EG, "tc egress" },
	};
	struct nb_state st = {};
	int err, fd;

	err = state_load(dir, &st);
	if (err) {
		pr_warn("failed to read %s/%s: %s\n", dir, PIN_STATE, strerror(-err));
		return err;
	}
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		fd = datapath_hook_prog(dir, hooks[i].pin, i == 0 || st.tc_mode == TC_MODE_TCX, NULL);
		if (fd < 0) {
			pr_warn("failed to open %s/%s: %s\n", dir, hooks[i].pin, strerror(-fd));
			return fd;
		}
		err = prog_add(set, fd, hooks[i].hook, where);
		if (err)
			return err;
	}
	return 0;
}

int trace_add_iface(struct trace_set *set, const char *ifname)
{
	char dir[256];
	int err = datapath_dir(ifname, dir, sizeof(dir));

	return err ? err : trace_add_datapath_dir(set, dir, ifname);
}

/* The program a pinned link runs. */
static int link_prog(const char *path)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	int fd = bpf_obj_get(path), prog_fd;

	if (fd < 0)
		return -errno;
	prog_fd = bpf_obj_get_info_by_fd(fd, &li, &len) ? -errno : bpf_prog_get_fd_by_id(li.prog_id);
	if (prog_fd < 0)
		prog_fd = -errno;
	close(fd);
	return prog_fd;
}

static int redirect_add_dir(const char *dir, uint64_t cgid, void *ctx)
{
	char path[512], where[64];
	int fd, err;

	snprintf(where, sizeof(where), "cgroup %" PRIu64, cgid);
	snprintf(path, sizeof(path), "%s/%s", dir, REDIRECT_PIN_LINK);
	fd = link_prog(path);
	if (fd < 0) {
		pr_warn("failed to open %s: %s\n", path, strerror(-fd));
		return fd;
	}
	if ((err = prog_add(ctx, fd, "sockops", where)))
		return err;
	snprintf(path, sizeof(path), "%s/%s", dir, REDIRECT_PIN_VERDICT);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		pr_warn("failed to open %s: %s\n", path, strerror(-err));
		return err;
	}
	return prog_add(ctx, fd, "sk_msg", where);
}

/* Of every instance: one that is being turned off meanwhile is left out. */
static int redirect_add_any(const char *dir, uint64_t cgid, void *ctx)
{
	int err = redirect_add_dir(dir, cgid, ctx);

	return err == -ENOENT ? 0 : err;
}

int trace_add_redirect(struct trace_set *set, const char *cgroup)
{
	char dir[512];
	uint64_t cgid;
	int err;

	if ((err = pin_check_bpffs()))
		return err;
	if (!cgroup) {
		err = redirect_for_each_instance(redirect_add_any, set);
		if (err < 0)
			return err;
		if (!set->n_progs) {
			pr_warn("failed to find the bypass: redirect is on in no cgroup\n");
			return -ENOENT;
		}
		return 0;
	}
	if ((err = redirect_cgroup_dir(cgroup, &cgid, dir, sizeof(dir))))
		return err;
	if (access(dir, F_OK)) {
		pr_warn("failed to find the bypass: redirect is not on for cgroup %s\n", cgroup);
		return -ENOENT;
	}
	return redirect_add_dir(dir, cgid, set);
}

/* Whether process pid holds the program id (a sniffer keeps its filter's fd open). */
static bool pid_holds_prog(int pid, __u32 id)
{
	char path[320], line[128];
	struct dirent *de;
	bool found = false;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	if (!(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, de->d_name);
		if (de->d_name[0] == '.' || !(f = fopen(path, "r")))
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = !strncmp(line, "prog_id:", 8) && strtoul(line + 8, NULL, 10) == id;
		fclose(f);
	}
	closedir(d);
	return found;
}

/* The sniffer's filter is not pinned (it lives as long as its packet socket): it is
 * found by walking the loaded programs, as bpftool prog show does, by type and name. */
int trace_add_sniff(struct trace_set *set, int pid)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	char where[64];
	int fd, err, n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_PROG_TYPE_SOCKET_FILTER ||
		    strcmp(info.name, SNIFF_PROG_NAME) || (pid && !pid_holds_prog(pid, id))) {
			close(fd);
			continue;
		}
		if (pid)
			snprintf(where, sizeof(where), "pid %d", pid);
		else
			snprintf(where, sizeof(where), "packet socket");
		if ((err = prog_add(set, fd, "socket filter", where)))
			return err;
		n++;
	}
	if (!n) {
		if (pid)
			pr_warn("failed to find the sniffer: process %d holds no %s program\n", pid,
				SNIFF_PROG_NAME);
		else
			pr_warn("failed to find the sniffer: no %s program is loaded (is 'netbpf sniff' "
				"running?)\n", SNIFF_PROG_NAME);
		return -ENOENT;
	}
	return 0;
}

static int datapath_add_dir(const char *dir, uint64_t netns_ino, const char *ifname, void *ctx)
{
	char where[64];

	int err;

	snprintf(where, sizeof(where), "%s netns %" PRIu64, ifname, netns_ino);
	err = trace_add_datapath_dir(ctx, dir, where);
	/* An interface that is being taken down meanwhile is left out. */
	return err == -ENOENT ? 0 : err;
}

int trace_add_all(struct trace_set *set)
{
	int err, before;

	if ((err = pin_check_bpffs()))
		return err;
	if ((err = pin_for_each(0, datapath_add_dir, set)) < 0)
		return err;
	if ((err = redirect_for_each_instance(redirect_add_any, set)) < 0)
		return err;
	before = set->n_progs;
	err = trace_add_sniff(set, 0);
	if (err == -ENOENT && set->n_progs == before)
		err = 0; /* no sniffer running: not an error for --all (message printed) */
	if (err)
		return err;
	if (!set->n_progs) {
		pr_warn("failed to find any netbpf program: nothing is up, redirected or sniffed\n");
		return -ENOENT;
	}
	return 0;
}

int trace_add_prog_id(struct trace_set *set, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0) {
		fd = -errno;
		pr_warn("failed to open BPF program %u: %s\n", id, strerror(-fd));
		return fd;
	}
	return prog_add(set, fd, NULL, NULL);
}
