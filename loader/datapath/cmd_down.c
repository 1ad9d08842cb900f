#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf down IFACE | --all\n"
		"\n"
		"Removes exactly what 'netbpf up' installed on IFACE: its XDP link, its tc\n"
		"links or filters (and the clsact qdisc if netbpf created it and it is now\n"
		"empty) and its pins. Programs attached by others stay.\n"
		"\n"
		"  --all   every interface netbpf is up on in this network namespace\n"
		"\n"
		"Examples:\n"
		"  netbpf down veth0\n"
		"  netbpf down --all\n");
}

static int down_one(const char *dir, uint64_t netns_ino __attribute__((unused)), const char *ifname,
		    void *ctx __attribute__((unused)))
{
	int err = datapath_down(dir);

	if (!err)
		pr_info("netbpf down on %s\n", ifname);
	return err;
}

int do_down(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all",  no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool all = false;
	char dir[256];
	int c, err;

	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if ((all && optind != argc) || (!all && optind != argc - 1)) {
		pr_warn("down needs one interface or --all (see 'netbpf down --help')\n");
		return CMD_USAGE;
	}
	if (lock_take())
		return CMD_FAIL;
	if (all)
		err = pin_for_each(1, down_one, NULL);
	else if (!(err = datapath_dir(argv[optind], dir, sizeof(dir))))
		err = down_one(dir, 0, argv[optind], NULL);
	lock_release();
	return cmd_status(err);
}
