#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf clean\n"
		"\n"
		"Removes the pins of interfaces that no longer exist, in any network\n"
		"namespace (their programs went away with the device). Live ones stay.\n"
		"With --json: {\"removed\":[{\"pin_dir\",\"ifname\",\"netns_ino\"}...]}.\n"
		"\n"
		"Examples:\n"
		"  ip link del veth0 && netbpf clean\n");
}

struct clean {
	struct json *j;
	int removed;
};

static int clean_one(const char *dir, uint64_t netns_ino, const char *ifname, void *ctx)
{
	struct clean *c = ctx;

	if (datapath_live(dir) || datapath_down(dir))
		return 0;
	c->removed++;
	if (!c->j) {
		printf("removed %s (%s in netns %" PRIu64 " is gone)\n", dir, ifname, netns_ino);
		return 0;
	}
	json_obj_open(c->j);
	json_kv_str(c->j, "pin_dir", dir);
	json_kv_str(c->j, "ifname", ifname);
	json_kv_u64(c->j, "netns_ino", netns_ino);
	json_obj_close(c->j);
	return 0;
}

int do_clean(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
	struct clean c = {};
	struct json j;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? CMD_OK : CMD_USAGE;
	}
	if (optind != argc) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (lock_take())
		return CMD_FAIL;
	json_init(&j, stdout);
	c.j = gopt.json ? &j : NULL;
	if (c.j) {
		json_obj_open(c.j);
		json_key(c.j, "removed");
		json_arr_open(c.j);
	}
	err = pin_for_each(0, clean_one, &c);
	lock_release();
	if (c.j) {
		json_arr_close(c.j);
		json_obj_close(c.j);
		json_end_line(c.j);
	} else if (!c.removed) {
		printf("nothing to clean\n");
	}
	return cmd_status(err);
}
