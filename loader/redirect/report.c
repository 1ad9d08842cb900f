/* `redirect status` and the bypass part of `stats`: configuration, sockets, counters. */
#define _GNU_SOURCE /* strerrorname_np */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
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

static uint64_t find_ino;
static char found_path[4096];

static int match_ino(const char *path, const struct stat *st, int type,
		     struct FTW *ftw __attribute__((unused)))
{
	if (type != FTW_D || st->st_ino != find_ino)
		return 0;
	snprintf(found_path, sizeof(found_path), "%s", path);
	return 1;
}

/* The cgroup directory of an id, by walking the cgroup2 mount; "?" when gone. */
static const char *cgroup_path(uint64_t cgid)
{
	char root[256];

	if (cgroup2_root(root, sizeof(root)))
		return "?";
	find_ino = cgid;
	if (nftw(root, match_ino, 16, FTW_PHYS | FTW_MOUNT) != 1)
		return "?";
	return found_path;
}

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

struct report {
	struct json *j;
};

/* The link's cgroup id: 0 once the cgroup is removed (the link then does nothing). */
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

	memset(snap, 0, sizeof(*snap));
	snap->cgid = cgid;
	if (map_fd < 0 || stats_fd < 0 || cfg_fd < 0 || bpf_map_lookup_elem(cfg_fd, &zero, &snap->cfg) ||
	    (err = percpu_sum(stats_fd, &zero, &snap->st, sizeof(snap->st)))) {
		err = err ? err : errno ? -errno : -ENOENT;
		pr_warn("failed to read redirect state in %s: %s (stale? 'netbpf redirect off')\n",
			dir, strerror(-err));
		goto out;
	}
	snap->sockets = count_sockets(map_fd);
	snap->attached = link_attached(link_fd, cgid);
	snap->cgroup = cgroup_path(cgid);
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

	if (err)
		return err;
	filter_str(&snap.cfg, filters, sizeof(filters));
	if (j) {
		json_obj_open(j);
		json_kv_u64(j, "cgroup_id", cgid);
		json_kv_str(j, "cgroup", snap.cgroup);
		json_kv_bool(j, "attached", snap.attached);
		json_kv_bool(j, "cross_netns", snap.cfg.cross_netns);
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
		json_obj_close(j);
		return 0;
	}
	printf("redirect: on for cgroup %s (id %" PRIu64 ")%s\n", snap.cgroup, cgid,
	       snap.attached ? "" : ", detached: the cgroup is gone ('netbpf redirect off' cleans up)");
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
	return 0;
}

int redirect_print_stats(const char *cgroup, struct json *j)
{
	struct report r = { .j = j };
	char dir[512];
	uint64_t cgid;
	int n;

	if (cgroup && (n = redirect_cgroup_dir(cgroup, &cgid, dir, sizeof(dir))))
		return n;
	if (j)
		json_arr_open(j);
	if (!cgroup)
		n = redirect_for_each_instance(report_one, &r);
	else
		n = access(dir, F_OK) ? 0 : report_one(dir, cgid, &r) ?: 1;
	if (j)
		json_arr_close(j);
	else if (n == 0)
		printf("redirect: off%s%s\n", cgroup ? " for cgroup " : "", cgroup ? cgroup : "");
	return n;
}
