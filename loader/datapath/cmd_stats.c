#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/argval.h"
#include "cmd.h"
#include "datapath/datapath.h"
#include "bpf/datapath/datapath.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/signals.h"
#include "common/pin.h"
#include "redirect/redirect.h"
#include "datapath/state.h"
#include "datapath/stats.h"

static void json_counters(struct json *j, const char *key, const struct nb_counter *c,
			  const char *const *names, int n)
{
	json_key(j, key);
	json_obj_open(j);
	for (int i = 0; i < n; i++) {
		json_key(j, names[i]);
		json_obj_open(j);
		json_kv_u64(j, "packets", c[i].packets);
		json_kv_u64(j, "bytes", c[i].bytes);
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void print_json(const char *ifname, const struct nb_hook_stats *s, const char *redirect_cg)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j);
	json_kv_str(&j, "ifname", ifname);
	json_kv_u64(&j, "time", time(NULL));
	json_key(&j, "hooks");
	json_obj_open(&j);
	for (int h = 0; h < NB_HOOK_MAX; h++) {
		json_key(&j, nb_hook_names[h]);
		json_obj_open(&j);
		json_counters(&j, "l3", s[h].l3, nb_l3_names, NB_L3_MAX);
		json_counters(&j, "l4", s[h].l4, nb_l4_names, NB_L4_MAX);
		json_counters(&j, "verdict", s[h].verdict, nb_verdict_names, NB_VERDICT_MAX);
		json_obj_close(&j);
	}
	json_obj_close(&j);
	if (redirect_cg) {
		json_key(&j, "redirect");
		redirect_print_stats(redirect_cg, &j);
	}
	json_obj_close(&j);
	json_end_line(&j);
}

static void text_rows(const char *hook, const struct nb_counter *c, const char *const *names,
		      int n, bool always)
{
	for (int i = 0; i < n; i++)
		if (always || c[i].packets)
			printf("%-11s %-13s %12llu %14llu\n", hook, names[i],
			       (unsigned long long)c[i].packets, (unsigned long long)c[i].bytes);
}

/* One row per non-zero class; verdicts always, so a zero drop count is visible. */
static void print_text(const char *ifname, const struct nb_hook_stats *s, const char *redirect_cg)
{
	printf("%s\n%-11s %-13s %12s %14s\n", ifname, "HOOK", "CLASS", "PACKETS", "BYTES");
	for (int h = 0; h < NB_HOOK_MAX; h++) {
		text_rows(nb_hook_names[h], s[h].l3, nb_l3_names, NB_L3_MAX, false);
		text_rows(nb_hook_names[h], s[h].l4, nb_l4_names, NB_L4_MAX, false);
		text_rows(nb_hook_names[h], s[h].verdict, nb_verdict_names, NB_VERDICT_MAX, true);
	}
	if (redirect_cg)
		redirect_print_stats(redirect_cg, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf stats IFACE [--json] [--watch SECS]\n"
		"\n"
		"Packets and bytes per hook (xdp, tc-ingress, tc-egress), per network and\n"
		"transport class and per verdict, summed over CPUs. Classes with no packets\n"
		"are left out of the table (not of --json). After `up --redirect`, the\n"
		"localhost bypass counters follow.\n"
		"\n"
		"  --watch SECS   print again every SECS seconds until Ctrl-C\n"
		"\n"
		"Examples:\n"
		"  netbpf stats veth0\n"
		"  netbpf stats veth0 --json --watch 1\n");
}

/*
 * The interface's counters and its bypass (by cgroup id, as redirect_print_stats()
 * takes it), looked up under the lock: a concurrent `down` cannot remove the pins
 * between the lookup and the open, and the fd keeps the map readable after one.
 */
static int open_stats(const char *ifname, char *bypass, size_t len)
{
	struct nb_state st = {};
	char dir[256];
	int fd;

	if ((fd = lock_take()))
		return fd;
	if ((fd = datapath_dir(ifname, dir, sizeof(dir))))
		goto out;
	fd = pin_open_map(dir, PIN_STATS, sizeof(__u32), sizeof(struct nb_hook_stats));
	if (fd < 0 && fd != -EPROTO)
		pr_warn("failed to open %s/%s: %s\n", dir, PIN_STATS, strerror(-fd));
	if (fd >= 0 && !state_load(dir, &st) && st.redirect_cgid)
		snprintf(bypass, len, "%llu", (unsigned long long)st.redirect_cgid);
out:
	lock_release();
	return fd;
}

int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",  no_argument,       NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help",  no_argument,       NULL, 'h' },
		{},
	};
	struct nb_hook_stats sum[NB_HOOK_MAX];
	char bypass[24] = "";
	double watch = 0;
	int c, fd, err;

	while ((c = getopt_long(argc, argv, "jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': gopt.json = true; break;
		case 'w':
			if (arg_seconds(optarg, "--watch interval", 0.001, 86400, &watch))
				return CMD_USAGE;
			break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("stats needs exactly one interface (see 'netbpf stats --help')\n");
		return CMD_USAGE;
	}
	fd = open_stats(argv[optind], bypass, sizeof(bypass));
	if (fd < 0)
		return CMD_FAIL;
	signals_catch();
	do {
		err = datapath_stats_read(fd, sum);
		if (err) {
			pr_warn("failed to read counters: %s\n", strerror(-err));
			break;
		}
		if (gopt.json)
			print_json(argv[optind], sum, bypass[0] ? bypass : NULL);
		else
			print_text(argv[optind], sum, bypass[0] ? bypass : NULL);
		fflush(stdout);
		if (watch > 0 && !exiting)
			usleep(watch * 1e6);
	} while (watch > 0 && !exiting);
	close(fd);
	return cmd_status(err);
}
