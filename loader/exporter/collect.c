/*
 * One scrape: read everything first, then write family by family (the text
 * format wants each family's samples together). Counters are read from the
 * pinned maps each time, so interfaces going up and down between scrapes simply
 * appear and disappear.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/log.h"
#include "common/pin.h"
#include "common/version.h"
#include "datapath/datapath.h"
#include "datapath/stats.h"
#include "exporter/collect.h"
#include "exporter/prom.h"
#include "redirect/pins.h"
#include "redirect/redirect.h"

#define MAX_IFACES 256
#define MAX_CGROUPS 64

struct prog_stat {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	__u64 run_cnt, run_time_ns;
};

struct iface {
	char ifname[64], netns[24];
	struct nb_hook_stats hooks[NB_HOOK_MAX];
	struct prog_stat progs[NB_HOOK_MAX];
};

struct cgroup {
	char id[24], path[256];
	struct redirect_snap snap;
	struct prog_stat progs[2]; /* sockops, sk_msg verdict */
};

struct scrape {
	const struct collect_opts *o;
	struct iface *ifs;
	int nifs;
	struct cgroup *cgs;
	int ncgs;
	int errors;
};

static void prog_stat_read(int prog_fd, struct prog_stat *ps)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		return;
	ps->id = pi.id;
	snprintf(ps->name, sizeof(ps->name), "%s", pi.name);
	ps->run_cnt = pi.run_cnt;
	ps->run_time_ns = pi.run_time_ns;
}

static int read_iface(const char *dir, uint64_t netns_ino, const char *ifname, void *ctx)
{
	static const char *const hook_pins[NB_HOOK_MAX] = { PIN_XDP, PIN_TC_IN, PIN_TC_EG };
	struct scrape *s = ctx;
	struct iface *it;
	int fd, err;

	if (s->nifs == MAX_IFACES)
		return 0;
	it = &s->ifs[s->nifs];
	memset(it, 0, sizeof(*it));
	fd = pin_open_map(dir, PIN_STATS, sizeof(__u32), sizeof(struct nb_hook_stats));
	err = fd < 0 ? fd : datapath_stats_read(fd, it->hooks);
	if (fd >= 0)
		close(fd);
	if (err) {
		/* An `up` still loading or a `down` under way: not an error of ours. */
		pr_debug("exporter: skipping %s: %s\n", dir, strerror(-err));
		return 0;
	}
	snprintf(it->ifname, sizeof(it->ifname), "%s", ifname);
	snprintf(it->netns, sizeof(it->netns), "%" PRIu64, netns_ino);
	for (int h = 0; s->o->prog_stats && h < NB_HOOK_MAX; h++) {
		/* XDP is always a link; tc a link under TCX, a pinned program under clsact. */
		int pfd = datapath_hook_prog(dir, hook_pins[h], true, NULL);

		if (pfd < 0)
			pfd = datapath_hook_prog(dir, hook_pins[h], false, NULL);
		prog_stat_read(pfd, &it->progs[h]);
		if (pfd >= 0)
			close(pfd);
	}
	s->nifs++;
	return 0;
}

static int read_cgroup(const char *dir, uint64_t cgid, void *ctx)
{
	struct scrape *s = ctx;
	struct cgroup *cg;

	if (s->ncgs == MAX_CGROUPS)
		return 0;
	cg = &s->cgs[s->ncgs];
	memset(cg, 0, sizeof(*cg));
	if (redirect_snapshot(dir, cgid, &cg->snap)) {
		s->errors++;
		return 0;
	}
	snprintf(cg->id, sizeof(cg->id), "%" PRIu64, cgid);
	snprintf(cg->path, sizeof(cg->path), "%s", cg->snap.cgroup);
	if (s->o->prog_stats) {
		int lfd = pin_open(dir, REDIRECT_PIN_LINK), vfd = pin_open(dir, REDIRECT_PIN_VERDICT);
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);

		if (lfd >= 0 && !bpf_obj_get_info_by_fd(lfd, &li, &len)) {
			int pfd = bpf_prog_get_fd_by_id(li.prog_id);

			prog_stat_read(pfd, &cg->progs[0]);
			if (pfd >= 0)
				close(pfd);
		}
		prog_stat_read(vfd, &cg->progs[1]);
		redirect_close_fds((int[]){ lfd, vfd }, 2);
	}
	s->ncgs++;
	return 0;
}

/* One family of per-interface counters: field picks l3, l4 or verdict slots. */
enum slot_kind { SLOT_L3, SLOT_L4, SLOT_VERDICT };

static void iface_family(FILE *f, const struct scrape *s, const char *name, const char *help,
			 enum slot_kind kind, bool bytes)
{
	static const char *const *names[] = { nb_l3_names, nb_l4_names, nb_verdict_names };
	static const int counts[] = { NB_L3_MAX, NB_L4_MAX, NB_VERDICT_MAX };

	prom_family(f, name, PROM_COUNTER, help);
	for (int i = 0; i < s->nifs; i++) {
		for (int h = 0; h < NB_HOOK_MAX; h++) {
			const struct nb_hook_stats *hs = &s->ifs[i].hooks[h];
			const struct nb_counter *c = kind == SLOT_L3 ? hs->l3 :
						     kind == SLOT_L4 ? hs->l4 : hs->verdict;

			for (int k = 0; k < counts[kind]; k++) {
				const char *labels[] = {
					"iface", s->ifs[i].ifname, "netns", s->ifs[i].netns,
					"hook", nb_hook_names[h],
					kind == SLOT_VERDICT ? "verdict" : "class", names[kind][k],
				};

				prom_sample(f, name, labels, 4, bytes ? c[k].bytes : c[k].packets);
			}
		}
	}
}

/* Each slot kind as two families: packets, then bytes. */
static void write_datapath(FILE *f, const struct scrape *s)
{
	static const struct {
		enum slot_kind kind;
		const char *packets, *packets_help, *bytes, *bytes_help;
	} fams[] = {
		{ SLOT_L3,
		  "netbpf_packets_total", "Packets seen by a datapath hook, by network-layer class.",
		  "netbpf_bytes_total", "Bytes seen by a datapath hook, by network-layer class." },
		{ SLOT_L4,
		  "netbpf_l4_packets_total", "IP packets seen by a datapath hook, by transport-layer class.",
		  "netbpf_l4_bytes_total",
		  "Bytes of IP packets seen by a datapath hook, by transport-layer class." },
		{ SLOT_VERDICT,
		  "netbpf_verdict_packets_total", "Packets by the verdict of a datapath hook.",
		  "netbpf_verdict_bytes_total", "Bytes by the verdict of a datapath hook." },
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		iface_family(f, s, fams[i].packets, fams[i].packets_help, fams[i].kind, false);
		iface_family(f, s, fams[i].bytes, fams[i].bytes_help, fams[i].kind, true);
	}
}

/* One counter of struct redirect_stats (or the socket gauge) per cgroup. */
static void cgroup_family(FILE *f, const struct scrape *s, const char *name, enum prom_type type,
			  const char *help, size_t off)
{
	prom_family(f, name, type, help);
	for (int i = 0; i < s->ncgs; i++) {
		const struct cgroup *cg = &s->cgs[i];
		const char *labels[] = { "cgroup_id", cg->id, "cgroup", cg->path };
		uint64_t v = off == (size_t)-1 ? (uint64_t)cg->snap.sockets :
			     *(const __u64 *)((const char *)&cg->snap.st + off);

		prom_sample(f, name, labels, 2, v);
	}
}

#define RD(field) offsetof(struct redirect_stats, field)

static void write_redirect(FILE *f, const struct scrape *s)
{
	static const struct {
		const char *name;
		enum prom_type type;
		const char *help;
		size_t off;
	} fams[] = {
		{ "netbpf_redirect_sockets", PROM_GAUGE,
		  "Sockets in the bypass's SOCKHASH now.", (size_t)-1 },
		{ "netbpf_redirect_inserted_total", PROM_COUNTER,
		  "Sockets put into the bypass's SOCKHASH.", RD(inserted) },
		{ "netbpf_redirect_filtered_total", PROM_COUNTER,
		  "Established sockets the bypass's filters left to TCP.", RD(filtered) },
		{ "netbpf_redirect_messages_total", PROM_COUNTER,
		  "Messages handed straight to the peer socket.", RD(msgs_redirected) },
		{ "netbpf_redirect_bytes_total", PROM_COUNTER,
		  "Bytes handed straight to the peer socket.", RD(bytes_redirected) },
		{ "netbpf_redirect_no_peer_connections_total", PROM_COUNTER,
		  "Connections whose first message found no peer (left to TCP).", RD(conns_no_peer) },
		{ "netbpf_redirect_peer_gone_messages_total", PROM_COUNTER,
		  "Messages of bypassed connections sent by TCP after the peer left.", RD(msgs_peer_gone) },
		{ "netbpf_redirect_peer_gone_bytes_total", PROM_COUNTER,
		  "Bytes of bypassed connections sent by TCP after the peer left.", RD(bytes_peer_gone) },
		{ "netbpf_redirect_policy_tcp_connections_total", PROM_COUNTER,
		  "Auto mode: connections left to TCP by their service's score.", RD(conns_policy_tcp) },
		{ "netbpf_redirect_probe_connections_total", PROM_COUNTER,
		  "Auto mode: connections bypassed as probes of a service on TCP.", RD(conns_probed) },
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		cgroup_family(f, s, fams[i].name, fams[i].type, fams[i].help, fams[i].off);
	prom_family(f, "netbpf_redirect_insert_failures_total", PROM_COUNTER,
		    "SOCKHASH inserts the kernel refused, by errno.");
	for (int i = 0; i < s->ncgs; i++)
		for (int e = 0; e < REDIRECT_ERRNO_SLOTS; e++) {
			const struct cgroup *cg = &s->cgs[i];
			const char *labels[] = { "cgroup_id", cg->id, "cgroup", cg->path,
						 "errno", redirect_errno_name(e) };

			if (cg->snap.st.insert_errno[e])
				prom_sample(f, "netbpf_redirect_insert_failures_total", labels, 3,
					    cg->snap.st.insert_errno[e]);
		}
}

/* Samples of interface programs carry iface and netns; the bypass's carry cgroup_id. */
static void prog_sample(FILE *f, const char *name, const struct prog_stat *ps, const char *where_k,
			const char *where_v, const char *netns, const char *hook, bool seconds)
{
	char id[16];
	const char *labels[] = { where_k, where_v, "hook", hook, "prog", ps->name, "id", id,
				 "netns", netns };
	int n = netns ? 5 : 4;

	if (!ps->id)
		return;
	snprintf(id, sizeof(id), "%u", ps->id);
	if (seconds)
		prom_sample_double(f, name, labels, n, ps->run_time_ns / 1e9);
	else
		prom_sample(f, name, labels, n, ps->run_cnt);
}

static void write_progs(FILE *f, const struct scrape *s)
{
	static const char *const names[] = { "netbpf_prog_runs_total", "netbpf_prog_run_seconds_total" };
	static const char *const helps[] = {
		"Runs of a netbpf program counted by the kernel since the exporter enabled BPF_ENABLE_STATS.",
		"Time a netbpf program ran, by the kernel's BPF_ENABLE_STATS accounting.",
	};

	for (int m = 0; m < 2; m++) {
		prom_family(f, names[m], PROM_COUNTER, helps[m]);
		for (int i = 0; i < s->nifs; i++)
			for (int h = 0; h < NB_HOOK_MAX; h++)
				prog_sample(f, names[m], &s->ifs[i].progs[h], "iface", s->ifs[i].ifname, s->ifs[i].netns,
					    nb_hook_names[h], m);
		for (int i = 0; i < s->ncgs; i++) {
			prog_sample(f, names[m], &s->cgs[i].progs[0], "cgroup_id", s->cgs[i].id, NULL, "sockops", m);
			prog_sample(f, names[m], &s->cgs[i].progs[1], "cgroup_id", s->cgs[i].id, NULL, "sk_msg", m);
		}
	}
}

int collect_metrics(FILE *f, const struct collect_opts *o)
{
	struct scrape s = { .o = o };
	const char *build[] = { "version", netbpf_version };
	int err;

	s.ifs = calloc(MAX_IFACES, sizeof(*s.ifs));
	s.cgs = calloc(MAX_CGROUPS, sizeof(*s.cgs));
	if (!s.ifs || !s.cgs) {
		s.errors++;
		goto out;
	}
	if ((err = pin_for_each(0, read_iface, &s)) < 0) {
		pr_debug("exporter: listing %s: %s\n", PIN_ROOT, strerror(-err));
		s.errors++;
	}
	if ((err = redirect_for_each_instance(read_cgroup, &s)) < 0)
		s.errors++;
	write_datapath(f, &s);
	write_redirect(f, &s);
	if (o->prog_stats)
		write_progs(f, &s);
out:
	prom_family(f, "netbpf_build_info", PROM_GAUGE, "netbpf's version, as a label; always 1.");
	prom_sample(f, "netbpf_build_info", build, 1, 1);
	prom_family(f, "netbpf_scrape_errors", PROM_GAUGE,
		    "Pinned objects this scrape could not read.");
	prom_sample(f, "netbpf_scrape_errors", NULL, 0, s.errors);
	free(s.ifs);
	free(s.cgs);
	return s.errors;
}
