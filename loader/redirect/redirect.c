/* The bypass on and off for a cgroup: load, attach and pin; detach and unpin. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "common/addr.h"
#include "common/cgroup.h"
#include "common/log.h"
#include "common/pin.h"
#include "redirect/redirect.h"
#include "redirect/pins.h"
#include "bpf/redirect/redirect.h"
#include "sockmap.skel.h"

/* A cgroup named by its id: digits only (a directory named so is written ./N). */
static bool is_cgroup_id(const char *s, uint64_t *id)
{
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return !errno;
}

/* Opens a cgroup v2 directory (NULL: the root); its inode number is the cgroup id. */
static int cgroup_open(const char *path, uint64_t *id)
{
	char root[256], by_id[4096];
	struct statfs sfs;
	struct stat st;
	int fd, err;

	if (is_cgroup_id(path, id)) {
		if (cgroup2_path_of_id(*id, by_id, sizeof(by_id))) {
			pr_warn("failed to find cgroup id %" PRIu64 ": no such cgroup under the cgroup2 mount\n", *id);
			return -ENOENT;
		}
		path = by_id;
	} else if (!path) {
		if (cgroup2_root(root, sizeof(root))) {
			pr_warn("failed to find the cgroup v2 mount in /proc/mounts (pass --cgroup PATH)\n");
			return -ENOENT;
		}
		path = root;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("failed to open cgroup %s: %s%s\n", path, strerror(errno), err != -ENOENT ? "" :
			" (a removed cgroup's bypass is named by its id: see 'netbpf redirect status')");
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

int redirect_cgroup_dir(const char *cgroup, uint64_t *cgid, char *dir, size_t len)
{
	int fd;

	/* By id, the pins of a removed cgroup stay reachable. */
	if (is_cgroup_id(cgroup, cgid))
		return instance_dir(*cgid, dir, len);
	fd = cgroup_open(cgroup, cgid);
	if (fd < 0)
		return fd;
	close(fd);
	return instance_dir(*cgid, dir, len);
}

/* "ADDR[/PLEN]" to a v4-mapped or v6 address and mask, network order. */
static int parse_filter_addr(const char *s, struct redirect_config *cfg)
{
	uint8_t addr[16];
	uint32_t a32[4];
	int plen;

	if (addr_parse_cidr(s, addr, &plen))
		return -EINVAL;
	memcpy(a32, addr, sizeof(a32));
	for (int i = 0; i < 4; i++) {
		long bits = plen - 32 * i;
		uint32_t m = bits >= 32 ? ~0U : bits <= 0 ? 0 : ~0U << (32 - bits);

		cfg->filter_mask6[i] = htonl(m);
		cfg->filter_addr6[i] = a32[i] & cfg->filter_mask6[i];
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
	skel->rodata->sockmap_cfg.cross_netns = o->cross_netns;
	skel->rodata->sockmap_cfg.filter_port = o->filter_port;
	skel->rodata->sockmap_cfg.apply_bytes = o->apply_bytes;
	skel->rodata->sockmap_cfg.keepalive_s = o->keepalive_s;
	skel->rodata->sockmap_cfg.mode = o->mode;
	if (o->filter_addr &&
	    parse_filter_addr(o->filter_addr, (struct redirect_config *)&skel->rodata->sockmap_cfg)) {
		pr_warn("failed to parse address filter '%s': expected ADDR[/PLEN], IPv4 or IPv6\n",
			o->filter_addr);
		err = -EINVAL;
		goto out;
	}
	if ((err = sockmap__load(skel))) {
		pr_warn("failed to load the sockmap BPF object: %s%s\n", strerror(-err),
			err == -EPERM || err == -EACCES ? " (needs CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)" :
			" (-v shows the verifier log)");
		goto out;
	}
	/* The verdict must be on the map before the first insert: a socket takes the
	 * map's programs when it joins and keeps them. */
	if (bpf_prog_attach(bpf_program__fd(skel->progs.sockmap_verdict),
			    bpf_map__fd(skel->maps.sockmap_hash), BPF_SK_MSG_VERDICT, 0)) {
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
	if ((err = pin_in(skel->maps.sockmap_hash, dir, REDIRECT_PIN_SOCKHASH)) ||
	    (err = pin_in(skel->maps.sockmap_stats, dir, REDIRECT_PIN_STATS)) ||
	    (err = pin_in(skel->maps.rodata, dir, REDIRECT_PIN_CONFIG)) ||
	    (err = pin_in(skel->maps.sockmap_services, dir, REDIRECT_PIN_SERVICES)) ||
	    (err = pin_in(skel->maps.sockmap_conns, dir, REDIRECT_PIN_CONNS)) ||
	    (err = pin_path(dir, REDIRECT_PIN_VERDICT, path, sizeof(path))) ||
	    (err = bpf_program__pin(skel->progs.sockmap_verdict, path)))
		goto pin_fail;

	link = bpf_program__attach_cgroup(skel->progs.sockmap_insert, cg_fd);
	if (!link) {
		err = -errno;
		pr_warn("failed to attach sockops to cgroup %s: %s\n",
			o->cgroup ? o->cgroup : "root", strerror(-err));
		goto out;
	}
	if ((err = pin_path(dir, REDIRECT_PIN_LINK, path, sizeof(path))) ||
	    (err = bpf_link__pin(link, path)))
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

void redirect_close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int off_dir(const char *dir)
{
	int link_fd = pin_open(dir, REDIRECT_PIN_LINK);
	int prog_fd = pin_open(dir, REDIRECT_PIN_VERDICT);
	int map_fd = pin_open(dir, REDIRECT_PIN_SOCKHASH);
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
	redirect_close_fds((int[]){ link_fd, prog_fd, map_fd }, 3);
	return err;
}

int redirect_for_each_instance(redirect_instance_fn fn, void *ctx)
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

static int off_one(const char *dir, uint64_t cgid __attribute__((unused)),
		   void *ctx __attribute__((unused)))
{
	return off_dir(dir);
}

int redirect_off(const char *cgroup)
{
	uint64_t cgid;
	char dir[512];
	int err;

	if (!cgroup) {
		err = redirect_for_each_instance(off_one, NULL);
	} else {
		if ((err = redirect_cgroup_dir(cgroup, &cgid, dir, sizeof(dir))))
			return err;
		if (access(dir, F_OK)) {
			pr_warn("failed to turn redirect off: it is not on for cgroup %s%s\n", cgroup,
				is_cgroup_id(cgroup, &cgid) ? " (by id)" : "");
			return -ENOENT;
		}
		err = off_dir(dir);
	}
	/* Each only when empty: other cgroups or interfaces may still have pins. */
	rmdir(REDIRECT_PIN_ROOT);
	rmdir(PIN_ROOT);
	return err < 0 ? err : 0;
}
