#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"
#include "datapath/state.h"

/* One hook as the kernel sees it now. */
struct hook_view {
	const char *hook;
	const char *mode;
	__u32 link_id;
	__u32 prog_id;
	char prog_name[BPF_OBJ_NAME_LEN];
	char tag[2 * BPF_TAG_SIZE + 1];
};

/* The program behind a pinned hook: a link (XDP, TCX) or, for clsact, the program. */
static void hook_view(const char *dir, const char *name, bool is_link, struct hook_view *v)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);
	int fd = datapath_hook_prog(dir, name, is_link, &v->link_id);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
		v->prog_id = pi.id;
		snprintf(v->prog_name, sizeof(v->prog_name), "%s", pi.name);
		for (int i = 0; i < BPF_TAG_SIZE; i++)
			sprintf(v->tag + 2 * i, "%02x", pi.tag[i]);
	}
	close(fd);
}

static void print_json(struct json *j, const struct nb_state *st, const char *dir,
		       const struct hook_view *v, bool xdp_ours)
{
	json_obj_open(j);
	json_kv_str(j, "ifname", st->ifname);
	json_kv_u64(j, "ifindex", st->ifindex);
	json_kv_u64(j, "netns_ino", st->netns_ino);
	json_kv_str(j, "pin_dir", dir);
	json_kv_u64(j, "up_time", st->up_time);
	json_kv_bool(j, "xdp_attached", xdp_ours);
	if (st->tc_mode == TC_MODE_CLSACT) {
		json_kv_u64(j, "tc_handle", st->tc_handle);
		json_kv_u64(j, "tc_priority", st->tc_prio);
	}
	json_key(j, "hooks");
	json_arr_open(j);
	for (int i = 0; i < 3; i++) {
		json_obj_open(j);
		json_kv_str(j, "hook", v[i].hook);
		json_kv_str(j, "mode", v[i].mode);
		json_kv_str(j, "prog_name", v[i].prog_name);
		json_kv_u64(j, "prog_id", v[i].prog_id);
		json_kv_str(j, "tag", v[i].tag);
		json_kv_u64(j, "link_id", v[i].link_id);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void print_text(const struct nb_state *st, const char *dir, const struct hook_view *v,
		       bool xdp_ours)
{
	printf("%s (ifindex %u) pinned at %s%s\n", st->ifname, st->ifindex, dir,
	       xdp_ours ? "" : "  [XDP no longer attached]");
	printf("  %-11s %-7s %-11s %6s  %-16s %s\n", "HOOK", "MODE", "PROG", "ID", "TAG", "LINK");
	for (int i = 0; i < 3; i++) {
		printf("  %-11s %-7s %-11s %6u  %-16s ", v[i].hook, v[i].mode, v[i].prog_name,
		       v[i].prog_id, v[i].tag);
		if (v[i].link_id)
			printf("%u\n", v[i].link_id);
		else
			printf("filter %x:%u\n", st->tc_handle, st->tc_prio);
	}
}

static int status_one(const char *dir, uint64_t netns_ino __attribute__((unused)),
		      const char *ifname __attribute__((unused)), void *ctx)
{
	struct json *j = ctx;
	struct nb_state st = {};
	struct hook_view v[3] = {
		{ .hook = "xdp" }, { .hook = "tc ingress" }, { .hook = "tc egress" },
	};
	bool tcx, xdp_ours;
	const char *mode;
	int err = state_load(dir, &st);

	if (err) {
		pr_warn("failed to read %s/%s: %s (try 'netbpf clean')\n", dir, PIN_STATE, strerror(-err));
		return err;
	}
	tcx = st.tc_mode == TC_MODE_TCX;
	hook_view(dir, PIN_XDP, true, &v[0]);
	hook_view(dir, PIN_TC_IN, tcx, &v[1]);
	hook_view(dir, PIN_TC_EG, tcx, &v[2]);
	xdp_ours = v[0].prog_id && xdp_query(st.ifindex, &mode) == v[0].prog_id;
	v[0].mode = xdp_ours ? mode : xdp_mode_name(st.xdp_flags);
	v[1].mode = v[2].mode = tc_mode_name(st.tc_mode);
	if (j)
		print_json(j, &st, dir, v, xdp_ours);
	else
		print_text(&st, dir, v, xdp_ours);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf status [IFACE] [--json]\n"
		"\n"
		"Shows, per interface netbpf is up on in this network namespace, the XDP and\n"
		"tc modes, programs (name, id, tag), link ids or tc filter, and the pin path.\n"
		"\n"
		"Examples:\n"
		"  netbpf status\n"
		"  netbpf status veth0 --json\n");
}

int do_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct json j;
	char dir[256];
	int c, err;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': gopt.json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind < argc - 1) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (lock_take())
		return CMD_FAIL;
	/* Errors found before any output leave stdout empty, also with --json. */
	if (optind == argc - 1 && datapath_dir(argv[optind], dir, sizeof(dir))) {
		lock_release();
		return CMD_FAIL;
	}
	json_init(&j, stdout);
	if (gopt.json)
		json_arr_open(&j);
	if (optind == argc - 1)
		err = status_one(dir, 0, argv[optind], gopt.json ? &j : NULL);
	else
		err = pin_for_each(1, status_one, gopt.json ? &j : NULL);
	lock_release();
	if (gopt.json) {
		json_arr_close(&j);
		json_end_line(&j);
	}
	return cmd_status(err);
}
