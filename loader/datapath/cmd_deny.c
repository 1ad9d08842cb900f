#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/addr.h"
#include "common/argval.h"
#include "cmd.h"
#include "datapath/datapath.h"
#include "bpf/datapath/datapath.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf deny add IFACE CIDR [port N] [proto tcp|udp]\n"
		"       netbpf deny del IFACE CIDR [port N] [proto tcp|udp]\n"
		"       netbpf deny list IFACE [--json]\n"
		"\n"
		"XDP drops packets arriving on IFACE whose source address is in CIDR (IPv4 or\n"
		"IPv6) and, if given, whose destination port is N and transport protocol\n"
		"matches. 'list' shows each rule with the packets and bytes it dropped.\n"
		"\n"
		"Examples:\n"
		"  netbpf deny add veth0 10.0.0.0/8\n"
		"  netbpf deny add veth0 fd00::/64 port 22 proto tcp\n"
		"  netbpf deny list veth0\n");
}

/* CIDR [port N] [proto tcp|udp] from argv. */
static int parse_rule(int argc, char **argv, struct nb_deny_key *k)
{
	unsigned long long port;
	int plen;

	memset(k, 0, sizeof(*k));
	if (argc < 1 || addr_parse_cidr(argv[0], k->addr, &plen)) {
		pr_warn("invalid CIDR '%s'\n", argc ? argv[0] : "");
		return -1;
	}
	k->prefixlen = NB_DENY_KEY_FIXED_BITS + plen;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			pr_warn("'%s' needs a value\n", argv[i]);
			return -1;
		}
		if (!strcmp(argv[i], "port")) {
			if (arg_uint(argv[i + 1], "port", 1, 65535, &port))
				return -1;
			k->port = htons(port);
		} else if (!strcmp(argv[i], "proto")) {
			if (!strcmp(argv[i + 1], "tcp"))
				k->proto = IPPROTO_TCP;
			else if (!strcmp(argv[i + 1], "udp"))
				k->proto = IPPROTO_UDP;
			else {
				pr_warn("invalid proto '%s' (tcp or udp)\n", argv[i + 1]);
				return -1;
			}
		} else {
			pr_warn("unknown rule word '%s' (port, proto)\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static const char *proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "any";
}

static int list_rules(int fd)
{
	struct nb_deny_key key, next;
	struct nb_deny_val val;
	char cidr[64];
	struct json j;
	void *prev = NULL;

	json_init(&j, stdout);
	if (gopt.json)
		json_arr_open(&j);
	else
		printf("%-44s %-6s %-5s %10s %12s\n", "CIDR", "PORT", "PROTO", "PACKETS", "BYTES");
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		addr_format_cidr(key.addr, key.prefixlen - NB_DENY_KEY_FIXED_BITS, cidr, sizeof(cidr));
		if (gopt.json) {
			json_obj_open(&j);
			json_kv_str(&j, "cidr", cidr);
			json_kv_u64(&j, "port", ntohs(key.port));
			json_kv_str(&j, "proto", proto_name(key.proto));
			json_kv_u64(&j, "packets", val.packets);
			json_kv_u64(&j, "bytes", val.bytes);
			json_obj_close(&j);
		} else {
			printf("%-44s %-6u %-5s %10llu %12llu\n", cidr, ntohs(key.port),
			       proto_name(key.proto), (unsigned long long)val.packets,
			       (unsigned long long)val.bytes);
		}
	}
	if (gopt.json) {
		json_arr_close(&j);
		json_end_line(&j);
	}
	return 0;
}

/* --json, --help and the positional words of deny VERB: IFACE, then the rule if key. */
static int parse_args(int argc, char **argv, const char *verb, struct nb_deny_key *key)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool want_rule = key;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': gopt.json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (argc - optind < 1 + want_rule || (!want_rule && optind + 1 != argc)) {
		pr_warn("deny %s needs IFACE%s (see 'netbpf deny --help')\n", verb,
			want_rule ? " CIDR [port N] [proto tcp|udp]" : " only");
		return CMD_USAGE;
	}
	if (want_rule && parse_rule(argc - optind - 1, argv + optind + 1, key))
		return CMD_USAGE;
	return CMD_RUN;
}

/* The rule map of the interface named at argv[optind]; negative errno, reported. */
static int open_rules(char **argv)
{
	char dir[256];
	int fd, err;

	err = datapath_dir(argv[optind], dir, sizeof(dir));
	if (err)
		return err;
	fd = pin_open_map(dir, PIN_DENY, sizeof(struct nb_deny_key), sizeof(struct nb_deny_val));
	if (fd < 0 && fd != -EPROTO) /* -EPROTO: pin_open_map said why */
		pr_warn("failed to open %s/%s: %s\n", dir, PIN_DENY, strerror(-fd));
	return fd;
}

/* add and del: the same command line, one map operation apart. */
static int edit_rule(int argc, char **argv, bool add)
{
	struct nb_deny_val val = {};
	struct nb_deny_key key;
	int ret = parse_args(argc, argv, add ? "add" : "del", &key), fd, err = 0;

	if (ret != CMD_RUN)
		return ret;
	if (lock_take())
		return CMD_FAIL;
	fd = open_rules(argv);
	if (fd < 0) {
		lock_release();
		return CMD_FAIL;
	}
	if (add ? bpf_map_update_elem(fd, &key, &val, BPF_NOEXIST) : bpf_map_delete_elem(fd, &key)) {
		err = -errno;
		pr_warn("failed to %s rule: %s\n", add ? "add" : "delete",
			err == -EEXIST ? "the rule exists already" :
			err == -ENOENT ? "no such rule" : strerror(-err));
	}
	close(fd);
	lock_release();
	return cmd_status(err);
}

static int do_deny_add(int argc, char **argv)
{
	return edit_rule(argc, argv, true);
}

static int do_deny_del(int argc, char **argv)
{
	return edit_rule(argc, argv, false);
}

static int do_deny_list(int argc, char **argv)
{
	int ret = parse_args(argc, argv, "list", NULL), fd, err;

	if (ret != CMD_RUN)
		return ret;
	if (lock_take())
		return CMD_FAIL;
	fd = open_rules(argv);
	if (fd < 0) {
		lock_release();
		return CMD_FAIL;
	}
	err = list_rules(fd);
	close(fd);
	lock_release();
	return cmd_status(err);
}

int do_deny(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ .name = "add",  .run = do_deny_add },
		{ .name = "del",  .run = do_deny_del },
		{ .name = "list", .run = do_deny_list },
	};

	return cmd_select(cmds, CMD_COUNT(cmds), "deny command", argc - 1, argv + 1, usage);
}
