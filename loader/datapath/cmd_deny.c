#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "datapath/rules.h"
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
		"       netbpf deny save IFACE\n"
		"\n"
		"XDP drops packets arriving on IFACE whose source address is in CIDR (IPv4 or\n"
		"IPv6) and, if given, whose destination port is N and transport protocol\n"
		"matches. 'list' shows each rule with the packets and bytes it dropped;\n"
		"'save' prints the rules as 'up --config' reads them (netbpf-up(8)).\n"
		"\n"
		"Examples:\n"
		"  netbpf deny add veth0 10.0.0.0/8\n"
		"  netbpf deny add veth0 fd00::/64 port 22 proto tcp\n"
		"  netbpf deny list veth0\n"
		"  netbpf deny save eth0 > /etc/netbpf/eth0.conf\n");
}

/* One "deny CIDR [port N] [proto P]" line per rule: the config file's form. */
static void save_rule(const struct nb_deny_key *k, const char *cidr)
{
	printf("deny %s", cidr);
	if (k->port)
		printf(" port %u", ntohs(k->port));
	if (k->proto)
		printf(" proto %s", rule_proto_name(k->proto));
	printf("\n");
}

static int list_rules(int fd, bool save)
{
	struct nb_deny_key key, next;
	struct nb_deny_val val;
	char cidr[64];
	struct json j;
	void *prev = NULL;

	json_init(&j, stdout);
	if (save)
		printf("# netbpf deny rules (netbpf deny save); netbpf up IFACE --config FILE applies them\n");
	else if (gopt.json)
		json_arr_open(&j);
	else
		printf("%-44s %-6s %-5s %10s %12s\n", "CIDR", "PORT", "PROTO", "PACKETS", "BYTES");
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (rule_is_marker(&key) || bpf_map_lookup_elem(fd, &key, &val))
			continue;
		rule_format_prefix(&key, cidr, sizeof(cidr));
		if (save) {
			save_rule(&key, cidr);
		} else if (gopt.json) {
			json_obj_open(&j);
			json_kv_str(&j, "cidr", cidr);
			json_kv_u64(&j, "port", ntohs(key.port));
			json_kv_str(&j, "proto", rule_proto_name(key.proto));
			json_kv_u64(&j, "packets", val.packets);
			json_kv_u64(&j, "bytes", val.bytes);
			json_obj_close(&j);
		} else {
			printf("%-44s %-6u %-5s %10llu %12llu\n", cidr, ntohs(key.port),
			       rule_proto_name(key.proto), (unsigned long long)val.packets,
			       (unsigned long long)val.bytes);
		}
	}
	if (gopt.json && !save) {
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
	if (want_rule) {
		const char *err = rule_parse(argc - optind - 1, argv + optind + 1, key);

		if (err) {
			pr_warn("%s\n", err);
			return CMD_USAGE;
		}
	}
	return CMD_RUN;
}

/* The pinned map name of the interface named at argv[optind]; negative errno, reported. */
static int open_map(char **argv, const char *name, __u32 key_size, __u32 value_size)
{
	char dir[256];
	int fd, err;

	err = datapath_dir(argv[optind], dir, sizeof(dir));
	if (err)
		return err;
	fd = pin_open_map(dir, name, key_size, value_size);
	if (fd < 0 && fd != -EPROTO) /* -EPROTO: pin_open_map said why */
		pr_warn("failed to open %s/%s: %s\n", dir, name, strerror(-fd));
	return fd;
}

static int open_rules(char **argv)
{
	return open_map(argv, PIN_DENY, sizeof(struct nb_deny_key), sizeof(struct nb_deny_val));
}

/* add and del: the same command line, one map operation apart. */
static int edit_rule(int argc, char **argv, bool add)
{
	struct nb_deny_key key;
	struct rule_maps m;
	int ret = parse_args(argc, argv, add ? "add" : "del", &key), err = 0;

	if (ret != CMD_RUN)
		return ret;
	if (lock_take())
		return CMD_FAIL;
	m.deny = open_rules(argv);
	if (m.deny < 0) {
		lock_release();
		return CMD_FAIL;
	}
	m.kinds = open_map(argv, PIN_DENY_KINDS, sizeof(__u32), sizeof(__u32));
	if (m.kinds < 0) {
		close(m.deny);
		lock_release();
		return CMD_FAIL;
	}
	err = add ? rule_add(&m, &key) : rule_del(&m, &key);
	if (err) {
		pr_warn("failed to %s rule: %s\n", add ? "add" : "delete",
			err == -EEXIST ? "the rule exists already" :
			err == -ENOENT ? "no such rule" : strerror(-err));
	}
	close(m.kinds);
	close(m.deny);
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

static int show_rules(int argc, char **argv, bool save)
{
	int ret = parse_args(argc, argv, save ? "save" : "list", NULL), fd, err;

	if (ret != CMD_RUN)
		return ret;
	if (lock_take())
		return CMD_FAIL;
	fd = open_rules(argv);
	if (fd < 0) {
		lock_release();
		return CMD_FAIL;
	}
	err = list_rules(fd, save);
	close(fd);
	lock_release();
	return cmd_status(err);
}

static int do_deny_list(int argc, char **argv)
{
	return show_rules(argc, argv, false);
}

static int do_deny_save(int argc, char **argv)
{
	return show_rules(argc, argv, true);
}

int do_deny(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ .name = "add",  .run = do_deny_add },
		{ .name = "del",  .run = do_deny_del },
		{ .name = "list", .run = do_deny_list },
		{ .name = "save", .run = do_deny_save },
	};

	return cmd_select(cmds, CMD_COUNT(cmds), "deny command", argc - 1, argv + 1, usage);
}
