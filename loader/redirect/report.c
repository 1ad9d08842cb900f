/* `redirect status` and the bypass part of `stats`: configuration, sockets, counters. */
#define _GNU_SOURCE /* strerrorname_np */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/addr.h"
#include "common/cgroup.h"
#include "common/log.h"
#include "common/percpu.h"
#include "common/pin.h"
#include "redirect/redirect.h"
#include "redirect/pins.h"
#include "bpf/redirect/redirect.h"

static int count_sockets(int map_fd)
{
	struct redirect_key k, next;
	int n = 0;

	for (void *prev = NULL; !bpf_map_get_next_key(map_fd, prev, &next); prev = &k) {
		k = next;
		n++;
	}
	return n;
}

static void filter_str(const struct redirect_config *c, char *buf, size_t len)
{
	char cidr[INET6_ADDRSTRLEN + 4];
	int plen = 0, off = 0;

	for (int i = 0; i < 4; i++)
		plen += __builtin_popcount(c->filter_mask6[i]);
	buf[0] = '\0';
	if (plen) {
		addr_format_cidr((const uint8_t *)c->filter_addr6, plen, cidr, sizeof(cidr));
		off = snprintf(buf, len, "addr %s", cidr);
	}
	if (c->filter_port)
		snprintf(buf + off, len - off, "%sport %u", off ? " " : "", c->filter_port);
}

static const char *const vote_names[] = { "none", "bypass", "tcp" };
static const char *const path_names[] = { "bypass", "probe", "tcp" };

static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n ? names[v] : "?";
}

/* Auto mode: each service's score and counters, one line or object each. */
static int report_services(int fd, struct json *j)
{
	struct redirect_svc_key k, next;
	struct redirect_svc v;
	int n = 0;

	if (j) {
		json_key(j, "services");
		json_arr_open(j);
	}
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &k) {
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue; /* removed meanwhile */
		if (j) {
			json_obj_open(j);
			json_kv_u64(j, "port", k.port);
			json_kv_u64(j, "netns_cookie", k.netns_cookie);
			json_kv_str(j, "path", v.score < 0 ? "tcp" : "bypass");
			json_kv_i64(j, "score", v.score);
			json_kv_u64(j, "conns", v.conns);
			json_kv_u64(j, "conns_bypassed", v.conns_bypassed);
			json_kv_u64(j, "conns_tcp", v.conns_tcp);
			json_kv_u64(j, "probes", v.probes);
			json_key(j, "votes");
			json_obj_open(j);
			for (int i = 0; i < 3; i++)
				json_kv_u64(j, vote_names[i], v.votes[i]);
			json_obj_close(j);
			json_kv_str(j, "last_vote", name_of(vote_names, 3, v.last_vote));
			json_kv_str(j, "oneway_vote", name_of(vote_names, 3, v.oneway_vote));
			json_key(j, "last_msgs");
			json_arr_open(j);
			json_u64(j, v.last_msgs[0]);
			json_u64(j, v.last_msgs[1]);
			json_arr_close(j);
			json_key(j, "last_bytes");
			json_arr_open(j);
			json_u64(j, v.last_bytes[0]);
			json_u64(j, v.last_bytes[1]);
			json_arr_close(j);
			json_obj_close(j);
		} else {
			if (!n)
				printf("  %-7s %-20s %-6s %5s %7s %8s %6s %6s  %-15s %s\n", "service",
				       "netns", "path", "score", "conns", "bypassed", "tcp", "probes",
				       "votes b/t/none", "last vote (msgs, bytes: to server / to client)");
			printf("  %-7u %-20llu %-6s %5d %7u %8llu %6llu %6llu  %4llu/%llu/%-6llu %s (%llu/%llu, %llu/%llu)\n",
			       k.port, (unsigned long long)k.netns_cookie, v.score < 0 ? "tcp" : "bypass",
			       v.score, v.conns, (unsigned long long)v.conns_bypassed,
			       (unsigned long long)v.conns_tcp, (unsigned long long)v.probes,
			       (unsigned long long)v.votes[RD_VOTE_BYPASS],
			       (unsigned long long)v.votes[RD_VOTE_TCP],
			       (unsigned long long)v.votes[RD_VOTE_NONE],
			       name_of(vote_names, 3, v.last_vote),
			       (unsigned long long)v.last_msgs[0], (unsigned long long)v.last_msgs[1],
			       (unsigned long long)v.last_bytes[0], (unsigned long long)v.last_bytes[1]);
		}
		n++;
	}
	if (j)
		json_arr_close(j);
	else if (!n)
		printf("  services       none yet\n");
	return n;
}

/* Auto mode: the connections that have not voted yet (open ones, mostly), with the
 * path their client end chose. The key is the server end's: local is the server. */
static void report_conns(int fd, struct json *j)
{
	char srv[INET6_ADDRSTRLEN], cli[INET6_ADDRSTRLEN];
	struct redirect_key k, next;
	struct redirect_conn v;
	int n = 0;

	if (j) {
		json_key(j, "connections");
		json_arr_open(j);
	}
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &k) {
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		addr_format((const uint8_t *)k.local_ip6, srv, sizeof(srv));
		addr_format((const uint8_t *)k.remote_ip6, cli, sizeof(cli));
		if (j) {
			json_obj_open(j);
			json_kv_str(j, "client", cli);
			json_kv_u64(j, "client_port", k.remote_port);
			json_kv_str(j, "server", srv);
			json_kv_u64(j, "server_port", k.local_port);
			json_kv_u64(j, "netns_cookie", k.netns_cookie);
			json_kv_str(j, "path", name_of(path_names, 3, v.path));
			json_kv_u64(j, "ends_closed", v.closed);
			json_obj_close(j);
		} else {
			if (!n)
				printf("  connections (not yet voted):\n");
			printf("    %s:%u -> %s:%u  %s%s\n", cli, k.remote_port, srv, k.local_port,
			       name_of(path_names, 3, v.path), v.closed ? ", one end closed" : "");
		}
		n++;
	}
	if (j)
		json_arr_close(j);
}

/* Auto mode's services and connections; -errno (message printed) when unreadable. */
static int report_policy(const char *dir, struct json *j)
{
	int svc_fd = pin_open_map(dir, REDIRECT_PIN_SERVICES, sizeof(struct redirect_svc_key),
				  sizeof(struct redirect_svc));
	int conns_fd = pin_open_map(dir, REDIRECT_PIN_CONNS, sizeof(struct redirect_key),
				    sizeof(struct redirect_conn));
	int err = 0;

	if (svc_fd < 0 || conns_fd < 0) {
		err = svc_fd < 0 ? svc_fd : conns_fd;
		if (err != -EPROTO) /* pin_open_map said why */
			pr_warn("failed to read the auto mode maps in %s: %s (stale? 'netbpf redirect off')\n",
				dir, strerror(-err));
	} else {
		report_services(svc_fd, j);
		report_conns(conns_fd, j);
	}
	redirect_close_fds((int[]){ svc_fd, conns_fd }, 2);
	return err;
}

struct report {
	struct json *j;
	int err; /* the first instance that could not be read */
};

/*
 * The link's cgroup id: 0 once the kernel released the removed cgroup's programs,
 * which it does (asynchronously) after the last socket created in it is gone.
 */
static bool link_attached(int link_fd, uint64_t cgid)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);

	return link_fd >= 0 && !bpf_obj_get_info_by_fd(link_fd, &li, &len) &&
	       li.cgroup.cgroup_id == cgid;
}

int redirect_snapshot(const char *dir, uint64_t cgid, struct redirect_snap *snap)
{
	int map_fd = pin_open_map(dir, REDIRECT_PIN_SOCKHASH, sizeof(struct redirect_key), sizeof(__u64));
	int stats_fd = pin_open_map(dir, REDIRECT_PIN_STATS, sizeof(__u32), sizeof(struct redirect_stats));
	int cfg_fd = pin_open_map(dir, REDIRECT_PIN_CONFIG, sizeof(__u32), sizeof(struct redirect_config));
	int link_fd = pin_open(dir, REDIRECT_PIN_LINK);
	__u32 zero = 0;
	int err = 0;

	static char path[4096];

	memset(snap, 0, sizeof(*snap));
	snap->cgid = cgid;
	if (map_fd < 0 || stats_fd < 0 || cfg_fd < 0) {
		err = map_fd < 0 ? map_fd : stats_fd < 0 ? stats_fd : cfg_fd;
		if (err != -EPROTO) /* pin_open_map said why */
			pr_warn("failed to open redirect pins in %s: %s (stale? 'netbpf redirect off --cgroup %" PRIu64 "')\n",
				dir, strerror(-err), cgid);
		goto out;
	}
	if (bpf_map_lookup_elem(cfg_fd, &zero, &snap->cfg) ||
	    (err = percpu_sum(stats_fd, &zero, &snap->st, sizeof(snap->st)))) {
		err = err ? err : -errno;
		pr_warn("failed to read redirect state in %s: %s\n", dir, strerror(-err));
		goto out;
	}
	snap->sockets = count_sockets(map_fd);
	snap->attached = link_attached(link_fd, cgid);
	snap->cgroup_removed = cgroup2_path_of_id(cgid, path, sizeof(path)) != 0;
	snap->cgroup = snap->cgroup_removed ? "?" : path;
out:
	redirect_close_fds((int[]){ map_fd, stats_fd, cfg_fd, link_fd }, 4);
	return err;
}

const char *redirect_errno_name(int e)
{
	const char *s = e ? strerrorname_np(e) : NULL;

	return s ? s : "other";
}

static int report_one(const char *dir, uint64_t cgid, void *ctx)
{
	struct json *j = ((struct report *)ctx)->j;
	struct redirect_snap snap;
	const struct redirect_stats *st = &snap.st;
	char filters[96];
	int err = redirect_snapshot(dir, cgid, &snap);
	bool auto_mode = snap.cfg.mode == REDIRECT_MODE_AUTO;

	if (err)
		return err;
	filter_str(&snap.cfg, filters, sizeof(filters));
	if (j) {
		json_obj_open(j);
		json_kv_u64(j, "cgroup_id", cgid);
		json_key(j, "cgroup");
		if (snap.cgroup_removed)
			json_null(j);
		else
			json_str(j, snap.cgroup);
		json_kv_bool(j, "attached", snap.attached);
		json_kv_bool(j, "cross_netns", snap.cfg.cross_netns);
		json_kv_str(j, "mode", auto_mode ? "auto" : "always");
		json_kv_u64(j, "apply_bytes", snap.cfg.apply_bytes);
		json_kv_u64(j, "keepalive_s", snap.cfg.keepalive_s);
		json_kv_str(j, "filters", filters);
		json_kv_u64(j, "sockets", snap.sockets);
		json_kv_u64(j, "inserted", st->inserted);
		json_kv_u64(j, "insert_failed", st->insert_failed);
		json_key(j, "insert_errors");
		json_obj_open(j);
		for (int e = 0; e < REDIRECT_ERRNO_SLOTS; e++)
			if (st->insert_errno[e])
				json_kv_u64(j, redirect_errno_name(e), st->insert_errno[e]);
		json_obj_close(j);
		json_kv_u64(j, "filtered", st->filtered);
		json_kv_u64(j, "msgs_redirected", st->msgs_redirected);
		json_kv_u64(j, "bytes_redirected", st->bytes_redirected);
		json_kv_u64(j, "conns_no_peer", st->conns_no_peer);
		json_kv_u64(j, "msgs_peer_gone", st->msgs_peer_gone);
		json_kv_u64(j, "bytes_peer_gone", st->bytes_peer_gone);
		json_kv_u64(j, "keepalive_failed", st->keepalive_failed);
		json_kv_u64(j, "conns_policy_tcp", st->conns_policy_tcp);
		json_kv_u64(j, "conns_probed", st->conns_probed);
		err = auto_mode ? report_policy(dir, j) : 0;
		json_obj_close(j);
		return err;
	}
	printf("redirect: on for cgroup %s (id %" PRIu64 ")%s\n",
	       snap.cgroup_removed ? "(removed)" : snap.cgroup, cgid,
	       !snap.attached ? ", detached: the cgroup is gone ('netbpf redirect off --cgroup ID' cleans up)" :
	       snap.cgroup_removed ? ", the cgroup is removed but sockets of it remain" : "");
	printf("  mode           %s\n", auto_mode ?
	       "auto (per service: bypass for request/response and bulk, TCP for small-message streams and short connections)" :
	       "always");
	printf("  scope          %s\n", snap.cfg.cross_netns ? "same and cross namespace" : "same namespace only");
	printf("  filters        %s\n", filters[0] ? filters : "none");
	if (snap.cfg.apply_bytes)
		printf("  apply bytes    %u (counters count verdicts)\n", snap.cfg.apply_bytes);
	if (snap.cfg.keepalive_s)
		printf("  keepalive      %u s (failed on %llu sockets)\n", snap.cfg.keepalive_s,
		       st->keepalive_failed);
	printf("  sockets now    %d\n", snap.sockets);
	printf("  inserted       %llu\n", st->inserted);
	printf("  insert failed  %llu", st->insert_failed);
	for (int e = 0; e < REDIRECT_ERRNO_SLOTS; e++)
		if (st->insert_errno[e])
			printf(" %s:%llu", redirect_errno_name(e), st->insert_errno[e]);
	printf("\n  filtered       %llu\n", st->filtered);
	printf("  redirected     %llu msgs, %llu bytes\n", st->msgs_redirected, st->bytes_redirected);
	printf("  no peer        %llu connections (left to TCP)\n", st->conns_no_peer);
	printf("  peer gone      %llu msgs, %llu bytes (sent by TCP)\n", st->msgs_peer_gone,
	       st->bytes_peer_gone);
	if (!auto_mode)
		return 0;
	printf("  policy         %llu connections left to TCP, %llu probes\n",
	       st->conns_policy_tcp, st->conns_probed);
	return report_policy(dir, NULL);
}

static int report_each(const char *dir, uint64_t cgid, void *ctx)
{
	struct report *r = ctx;
	int err = report_one(dir, cgid, r);

	if (err && !r->err)
		r->err = err;
	return 0;
}

int redirect_print_stats(const char *cgroup, struct json *j)
{
	struct report r = { .j = j };
	char dir[512];
	uint64_t cgid;
	int n;

	if (cgroup && (n = redirect_cgroup_dir(cgroup, &cgid, dir, sizeof(dir))))
		return n; /* before any output: --json prints nothing on errors */
	if (j)
		json_arr_open(j);
	if (!cgroup) {
		/* bpffs is shared: one unreadable instance (another netbpf version's) must
		 * not hide the others; it still makes the command fail. */
		n = redirect_for_each_instance(report_each, &r);
		if (n >= 0 && r.err)
			n = r.err;
	} else
		n = access(dir, F_OK) ? 0 : report_one(dir, cgid, &r) ?: 1;
	if (j)
		json_arr_close(j);
	else if (n == 0)
		printf("redirect: off%s%s\n", cgroup ? " for cgroup " : "", cgroup ? cgroup : "");
	return n;
}
