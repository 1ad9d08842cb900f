#define _GNU_SOURCE /* strerrorname_np */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "log.h"
#include "pin.h"
#include "redirect.h"
/* bpf/redirect.h: the same file name as ours, so by path */
#include "sockmap.h"
#include "sockmap.skel.h"

#define PIN_LINK     "sockops_link"
#define PIN_VERDICT  "verdict"
#define PIN_SOCKHASH "sockhash"
#define PIN_RSTATS   "stats"
#define PIN_CONFIG   "config"

/* Opens a cgroup v2 directory (NULL: the root); its inode number is the cgroup id. */
static int cgroup_open(const char *path, uint64_t *id)
{
	char root[256];
	struct statfs sfs;
	struct stat st;
	int fd, err;

	if (!path) {
		if (cgroup2_root(root, sizeof(root))) {
			pr_warn("failed to find the cgroup v2 mount in /proc/mounts (pass --cgroup PATH)\n");
			return -ENOENT;
		}
		path = root;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("failed to open cgroup %s: %s\n", path, strerror(errno));
		return err;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC || fstat(fd, &st)) {
		pr_warn("failed to use cgroup %s: not a cgroup v2 directory\n", path);
		close(fd);
		return -EINVAL;
	}
	*id = st.st_ino;
	return fd;
}

static int instance_dir(uint64_t cgid, char *buf, size_t len)
{
	int n = snprintf(buf, len, REDIRECT_PIN_ROOT "/%" PRIu64, cgid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* "ADDR[/PLEN]" to a v4-mapped or v6 address and mask, network order. */
static int parse_filter_addr(const char *s, struct redirect_config *cfg)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct in6_addr a6 = {};
	struct in_addr a4;
	long plen, max;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		a6.s6_addr32[2] = htonl(0xffff);
		a6.s6_addr32[3] = a4.s_addr;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, &a6) == 1) {
		max = 128;
	} else {
		return -EINVAL;
	}
	plen = max;
	if (slash) {
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (errno || *end || end == slash || plen < 0 || plen > max)
			return -EINVAL;
	}
	plen += 128 - max;
	for (int i = 0; i < 4; i++) {
		long bits = plen - 32 * i;
		uint32_t m = bits >= 32 ? ~0U : bits <= 0 ? 0 : ~0U << (32 - bits);

		cfg->filter_mask6[i] = htonl(m);
		cfg->filter_addr6[i] = a6.s6_addr32[i] & cfg->filter_mask6[i];
	}
	return 0;
}

static int pin_in(struct bpf_map *map, const char *dir, const char *name)
{
	char path[512];
	int err = pin_path(dir, name, path, sizeof(path));

	return err ? err : bpf_map__pin(map, path);
}

int redirect_on(const struct redirect_opts *o)
{
	struct bpf_link *link = NULL;
	struct sockmap *skel = NULL;
	char dir[512], path[512];
	bool made_dir = false;
	uint64_t cgid;
	int cg_fd, err;

	if ((err = pin_check_bpffs()))
		return err;
	cg_fd = cgroup_open(o->cgroup, &cgid);
	if (cg_fd < 0)
		return cg_fd;
	if ((err = instance_dir(cgid, dir, sizeof(dir))))
		goto out;
	if (!access(dir, F_OK)) {
		pr_warn("failed to turn redirect on: already on for cgroup %s (see 'netbpf redirect status')\n",
			o->cgroup ? o->cgroup : "root");
		err = -EEXIST;
		goto out;
	}

	skel = sockmap__open();
	if (!skel) {
		err = -errno;
		pr_warn("failed to open the sockmap BPF object: %s\n", strerror(-err));
		goto out;
	}
	skel->rodata->rd_cfg.cross_netns = o->cross_netns;
	skel->rodata->rd_cfg.filter_port = o->filter_port;
	skel->rodata->rd_cfg.apply_bytes = o->apply_bytes;
	if (o->filter_addr && parse_filter_addr(o->filter_addr, (struct redirect_config *)&skel->rodata->rd_cfg)) {
		pr_warn("failed to parse address filter '%s': expected ADDR[/PLEN], IPv4 or IPv6\n",
			o->filter_addr);
		err = -EINVAL;
		goto out;
	}
	if ((err = sockmap__load(skel))) {
		pr_warn("failed to load the sockmap BPF object: %s (-v shows the verifier log)\n",
			strerror(-err));
		goto out;
	}
	/* The verdict must be on the map before the first insert: a socket takes the
	 * map's programs when it joins and keeps them. */
	if (bpf_prog_attach(bpf_program__fd(skel->progs.rd_verdict),
			    bpf_map__fd(skel->maps.rd_sockhash), BPF_SK_MSG_VERDICT, 0)) {
		err = -errno;
		pr_warn("failed to attach the sk_msg verdict to the SOCKHASH: %s\n", strerror(-err));
		goto out;
	}
	/* Twice: a concurrent 'off' of another cgroup may remove the emptied root. */
	for (int i = 0; i < 2 && !made_dir; i++) {
		if ((err = pin_mkdir(REDIRECT_PIN_ROOT)) && err != -EEXIST)
			goto pin_fail;
		err = mkdir(dir, 0700) ? -errno : 0;
		made_dir = !err;
	}
	if (err)
		goto pin_fail;
	if ((err = pin_in(skel->maps.rd_sockhash, dir, PIN_SOCKHASH)) ||
	    (err = pin_in(skel->maps.rd_stats, dir, PIN_RSTATS)) ||
	    (err = pin_in(skel->maps.rodata, dir, PIN_CONFIG)) ||
	    (err = pin_path(dir, PIN_VERDICT, path, sizeof(path))) ||
	    (err = bpf_program__pin(skel->progs.rd_verdict, path)))
		goto pin_fail;

	link = bpf_program__attach_cgroup(skel->progs.rd_insert, cg_fd);
	if (!link) {
		err = -errno;
		pr_warn("failed to attach sockops to cgroup %s: %s\n",
			o->cgroup ? o->cgroup : "root", strerror(-err));
		goto out;
	}
	if ((err = pin_path(dir, PIN_LINK, path, sizeof(path))) || (err = bpf_link__pin(link, path)))
		goto pin_fail;
	pr_debug("redirect on: cgroup id %" PRIu64 ", pins in %s\n", cgid, dir);
	goto out;

pin_fail:
	pr_warn("failed to pin redirect objects in %s: %s\n", dir, strerror(-err));
out:
	if (err && made_dir)
		pin_rmdir(dir);
	/* On success the pinned link keeps the attachment; on failure this detaches. */
	bpf_link__destroy(link);
	sockmap__destroy(skel);
	close(cg_fd);
	return err;
}

static void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int off_dir(const char *dir)
{
	int link_fd = pin_open(dir, PIN_LINK);
	int prog_fd = pin_open(dir, PIN_VERDICT);
	int map_fd = pin_open(dir, PIN_SOCKHASH);
	int err = 0;

	/* Explicit detach: an open fd elsewhere (bpftool) must not keep inserting. */
	if (link_fd >= 0 && bpf_link_detach(link_fd) && errno != ENOLINK)
		err = -errno;
	if (prog_fd >= 0 && map_fd >= 0 &&
	    bpf_prog_detach2(prog_fd, map_fd, BPF_SK_MSG_VERDICT) && errno != ENOENT && !err)
		err = -errno;
	if (err)
		pr_warn("failed to detach redirect programs of %s: %s\n", dir, strerror(-err));
	else if ((err = pin_rmdir(dir)))
		pr_warn("failed to remove pins in %s: %s\n", dir, strerror(-err));
	close_fds((int[]){ link_fd, prog_fd, map_fd }, 3);
	return err;
}

typedef int (*instance_fn)(const char *dir, uint64_t cgid, void *ctx);

static int for_each_instance(instance_fn fn, void *ctx)
{
	char dir[512];
	struct dirent *de;
	DIR *d = opendir(REDIRECT_PIN_ROOT);
	uint64_t cgid;
	int err = 0, n = 0;
	char *end;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		cgid = strtoull(de->d_name, &end, 10);
		if (de->d_name[0] == '.' || *end || instance_dir(cgid, dir, sizeof(dir)))
			continue;
		err = fn(dir, cgid, ctx);
		n++;
	}
	closedir(d);
	return err ? err : n;
}

static int off_one(const char *dir, uint64_t cgid, void *ctx)
{
	return off_dir(dir);
}

int redirect_off(const char *cgroup)
{
	uint64_t cgid;
	char dir[512];
	int fd, err;

	if (!cgroup) {
		err = for_each_instance(off_one, NULL);
	} else {
		fd = cgroup_open(cgroup, &cgid);
		if (fd < 0)
			return fd;
		close(fd);
		if ((err = instance_dir(cgid, dir, sizeof(dir))))
			return err;
		if (access(dir, F_OK)) {
			pr_warn("failed to turn redirect off: it is not on for cgroup %s\n", cgroup);
			return -ENOENT;
		}
		err = off_dir(dir);
	}
	rmdir(REDIRECT_PIN_ROOT); /* only when empty; other cgroups may still have theirs */
	return err < 0 ? err : 0;
}

/* --- status ---------------------------------------------------------------- */

static uint64_t find_ino;
static char found_path[4096];

static int match_ino(const char *path, const struct stat *st, int type, struct FTW *ftw)
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

static const char *errno_name(int e)
{
	const char *s = e ? strerrorname_np(e) : NULL;

	return s ? s : "other";
}

static void filter_str(const struct redirect_config *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int plen = 0, off = 0;
	bool v4;

	for (int i = 0; i < 4; i++)
		plen += __builtin_popcount(c->filter_mask6[i]);
	buf[0] = '\0';
	if (plen) {
		v4 = plen >= 96 && c->filter_addr6[2] == htonl(0xffff) && !c->filter_addr6[0] &&
		     !c->filter_addr6[1];
		if (v4)
			inet_ntop(AF_INET, &c->filter_addr6[3], a, sizeof(a));
		else
			inet_ntop(AF_INET6, c->filter_addr6, a, sizeof(a));
		off = snprintf(buf, len, "addr %s/%d", a, v4 ? plen - 96 : plen);
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

static int report_one(const char *dir, uint64_t cgid, void *ctx)
{
	struct json *j = ((struct report *)ctx)->j;
	int map_fd = pin_open(dir, PIN_SOCKHASH);
	int stats_fd = pin_open(dir, PIN_RSTATS);
	int cfg_fd = pin_open(dir, PIN_CONFIG);
	int link_fd = pin_open(dir, PIN_LINK);
	struct redirect_config cfg = {};
	struct redirect_stats st = {};
	const char *cg = cgroup_path(cgid);
	bool attached = link_attached(link_fd, cgid);
	char filters[96];
	__u32 zero = 0;
	int err = 0, nsock;

	if (map_fd < 0 || stats_fd < 0 || cfg_fd < 0 || bpf_map_lookup_elem(cfg_fd, &zero, &cfg) ||
	    (err = read_stats(stats_fd, &st))) {
		pr_warn("failed to read redirect state in %s: %s (stale? 'netbpf redirect off')\n",
			dir, strerror(err ? -err : errno ? errno : ENOENT));
		err = err ? err : -ENOENT;
		goto out;
	}
	nsock = count_sockets(map_fd);
	filter_str(&cfg, filters, sizeof(filters));
	if (j) {
		json_obj_open(j);
		json_kv_u64(j, "cgroup_id", cgid);
		json_kv_str(j, "cgroup", cg);
		json_kv_bool(j, "attached", attached);
		json_kv_bool(j, "cross_netns", cfg.cross_netns);
		json_kv_u64(j, "apply_bytes", cfg.apply_bytes);
		json_kv_str(j, "filters", filters);
		json_kv_u64(j, "sockets", nsock);
		json_kv_u64(j, "inserted", st.inserted);
		json_kv_u64(j, "insert_failed", st.insert_failed);
		json_key(j, "insert_errors");
		json_obj_open(j);
		for (int e = 0; e < REDIRECT_ERRNO_SLOTS; e++)
			if (st.insert_errno[e])
				json_kv_u64(j, errno_name(e), st.insert_errno[e]);
		json_obj_close(j);
		json_kv_u64(j, "filtered", st.filtered);
		json_kv_u64(j, "msgs_redirected", st.msgs_redirected);
		json_kv_u64(j, "bytes_redirected", st.bytes_redirected);
		json_kv_u64(j, "conns_no_peer", st.conns_no_peer);
		json_kv_u64(j, "msgs_peer_gone", st.msgs_peer_gone);
		json_kv_u64(j, "bytes_peer_gone", st.bytes_peer_gone);
		json_obj_close(j);
		goto out;
	}
	printf("redirect: on for cgroup %s (id %" PRIu64 ")%s\n", cg, cgid,
	       attached ? "" : ", detached: the cgroup is gone ('netbpf redirect off' cleans up)");
	printf("  scope          %s\n", cfg.cross_netns ? "same and cross namespace" : "same namespace only");
	printf("  filters        %s\n", filters[0] ? filters : "none");
	if (cfg.apply_bytes)
		printf("  apply bytes    %u (counters count verdicts)\n", cfg.apply_bytes);
	printf("  sockets now    %d\n", nsock);
	printf("  inserted       %llu\n", st.inserted);
	printf("  insert failed  %llu", st.insert_failed);
	for (int e = 0; e < REDIRECT_ERRNO_SLOTS; e++)
		if (st.insert_errno[e])
			printf(" %s:%llu", errno_name(e), st.insert_errno[e]);
	printf("\n  filtered       %llu\n", st.filtered);
	printf("  redirected     %llu msgs, %llu bytes\n", st.msgs_redirected, st.bytes_redirected);
	printf("  no peer        %llu connections (left to TCP)\n", st.conns_no_peer);
	printf("  peer gone      %llu msgs, %llu bytes (sent by TCP)\n", st.msgs_peer_gone,
	       st.bytes_peer_gone);
out:
	close_fds((int[]){ map_fd, stats_fd, cfg_fd, link_fd }, 4);
	return err;
}

int redirect_print_stats(const char *cgroup, struct json *j)
{
	struct report r = { .j = j };
	char dir[512];
	uint64_t cgid;
	int n, fd;

	if (cgroup) {
		fd = cgroup_open(cgroup, &cgid);
		if (fd < 0)
			return fd;
		close(fd);
		if ((n = instance_dir(cgid, dir, sizeof(dir))))
			return n;
	}
	if (j)
		json_arr_open(j);
	if (!cgroup)
		n = for_each_instance(report_one, &r);
	else
		n = access(dir, F_OK) ? 0 : report_one(dir, cgid, &r) ?: 1;
	if (j)
		json_arr_close(j);
	else if (n == 0)
		printf("redirect: off%s%s\n", cgroup ? " for cgroup " : "", cgroup ? cgroup : "");
	return n;
}
