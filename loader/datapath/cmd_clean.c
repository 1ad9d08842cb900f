#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "common/log.h"
#include "common/pin.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf clean\n"
		"\n"
		"Removes the pins of interfaces that no longer exist, in any network\n"
		"namespace (their programs went away with the device). Live ones stay.\n"
		"\n"
		"Examples:\n"
		"  ip link del veth0 && netbpf clean\n");
}

static int clean_one(const char *dir, uint64_t netns_ino, const char *ifname, void *ctx)
{
	if (datapath_live(dir))
		return 0;
	if (!datapath_down(dir)) {
		printf("removed %s (%s in netns %" PRIu64 " is gone)\n", dir, ifname, netns_ino);
		(*(int *)ctx)++;
	}
	return 0;
}

int do_clean(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
	int removed = 0, c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		usage(c == 'h' ? stdout : stderr);
		return c == 'h' ? CMD_OK : CMD_USAGE;
	}
	if (optind != argc) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (pin_check_bpffs())
		return CMD_FAIL;
	err = pin_for_each(0, clean_one, &removed);
	if (!removed)
		printf("nothing to clean\n");
	return cmd_status(err);
}
