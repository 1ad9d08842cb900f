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

static int read_stats(int fd, struct redirect_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct redirect_stats *v;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return -errno;
	}
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpu; c++) {
		__u64 *dst = (__u64 *)sum, *src = (__u64 *)&v[c];

		for (size_t i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	free(v);
	return 0;
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
	if (bpf_map_lookup_elem(cfg_fd, &zero, &snap->cfg) || (err = read_stats(stats_fd, &snap->st))) {
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
		json_kv_u64(j, "apply_bytes", snap.cfg.apply_bytes);
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
		json_obj_close(j);
		return 0;
	}
	printf("redirect: on for cgroup %s (id %" PRIu64 ")%s\n",
	       snap.cgroup_removed ? "(removed)" : snap.cgroup, cgid,
	       !snap.attached ? ", detached: the cgroup is gone ('netbpf redirect off --cgroup ID' cleans up)" :
	       snap.cgroup_removed ? ", the cgroup is removed but sockets of it remain" : "");
	printf("  scope          %s\n", snap.cfg.cross_netns ? "same and cross namespace" : "same namespace only");
	printf("  filters        %s\n", filters[0] ? filters : "none");
	if (snap.cfg.apply_bytes)
		printf("  apply bytes    %u (counters count verdicts)\n", snap.cfg.apply_bytes);
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
