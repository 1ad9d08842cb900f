/* The datapath bench's programs, packets and results, shared by its loading
 * (datapath_progs.c), its rounds (datapath.c) and its report (datapath_report.c). */
#ifndef NETBPF_BENCH_DATAPATH_PROGS_H
#define NETBPF_BENCH_DATAPATH_PROGS_H

#include <stdbool.h>
#include <linux/types.h>

#include "bench/datapath.h"
#include "common/pkt.h"

#define MAX_ROUNDS 100
#define TC_UNSPEC  ((__u32)-1)

enum {
	PROG_FLOOR, PROG_XDP0, PROG_XDP, PROG_XDP1K, PROG_XDP1K4, PROG_OLD0, PROG_OLD, PROG_OLD1K,
	PROG_TAIL, PROG_S_CALLS, PROG_S_L2, PROG_S_L3, PROG_S_L4, PROG_S_MATCH, PROG_TC_FLOOR,
	PROG_TC, N_PROGS
};
enum { PKT_TCP4, PKT_UDP6_EXT, PKT_DENY, N_PKTS };
#define N_PIPES 7

extern const char *const prog_names[N_PROGS];
extern const char *const prog_keys[N_PROGS];
extern const char *const pkt_names[N_PKTS];
extern const char *const pkt_keys[N_PKTS];
/* Verdicts each program must return, so a fast but wrong program cannot win. */
extern const __u32 expect[N_PROGS][N_PKTS];

struct dp {
	struct bench_pass *pass;
	struct bench_tailcall *tail;
	struct bench_stages *stages;
	void *pipe[N_PIPES]; /* struct xdp or struct bench_allkinds */
	struct tc *tc;
	int fd[N_PROGS];
	struct pkt pkt[N_PKTS];
	double ns[N_PROGS][N_PKTS][MAX_ROUNDS];          /* test_run, stats off */
	double ns_stats_on[N_PROGS][N_PKTS][MAX_ROUNDS]; /* test_run, stats on */
	double stats_ns[N_PROGS][N_PKTS][MAX_ROUNDS];    /* the stats' run_time_ns/run_cnt */
	bool has_stats;     /* the second pass of each round ran (BPF_ENABLE_STATS works) */
	int stats_foreign;  /* stats-off measurements the kernel counted: another process's */
};

/* The floor each program is measured against: the empty program of its hook. */
static inline int floor_of(int prog)
{
	return prog >= PROG_TC_FLOOR ? PROG_TC_FLOOR : PROG_FLOOR;
}

/* Builds the packets, loads every program with the rules of its set; message printed. */
int dp_load(struct dp *d);
void dp_destroy(struct dp *d);

void dp_report_table(struct dp *d, const struct bench_datapath_opts *o, const double la[2]);
void dp_report_json(struct dp *d, const struct bench_datapath_opts *o, const double la[2]);

#endif /* NETBPF_BENCH_DATAPATH_PROGS_H */
