/* The redirect bench: plain loopback TCP against the bypass, alternating rounds in one
 * run, results kept per size, metric, mode and round. */
#ifndef NETBPF_BENCH_REDIRECT_H
#define NETBPF_BENCH_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>

#define BENCH_MAX_SIZES   16
#define BENCH_MAX_ROUNDS  50
/* plain, bypass, and variants given with --variant */
#define BENCH_MAX_MODES   6

/* Where the two ends of a test run: the verdict of the bypass depends on it (a wake-up
 * across CPUs costs ~60 us on a small VM, one on the same CPU ~4 us). */
enum bench_placement {
	PL_SAME,     /* client and server both pinned to CPU 0 */
	PL_CROSS,    /* client on CPU 0, server on CPU 1 */
	PL_UNPINNED, /* the scheduler decides: rounds then mix both of the above */
	PL_MAX,
};

struct bench_placement_info {
	const char *name;
	int cpu_client, cpu_server; /* -1: not pinned */
	const char *desc;
};
extern const struct bench_placement_info bench_placements[PL_MAX];

enum bench_metric {
	M_RR_TPS,      /* own request/response: transactions/s */
	M_RR_P50,      /* round-trip latency, us */
	M_RR_P99,
	M_RR_P999,
	M_ST_MBPS,     /* own one-way stream: MB/s delivered */
	M_ST_MSGS,     /* messages/s delivered */
	M_ST_WAITS,    /* receiver sleeps per 1000 messages: wake-ups the transport caused */
	M_SP_PP_P50,   /* sockperf ping-pong, full RTT, us */
	M_SP_PP_P99,
	M_SP_TP_MSGS,  /* sockperf throughput: messages/s */
	M_IPERF_GBPS,  /* iperf3: Gbit/s received */
	M_MAX,
};

struct bench_metric_info {
	const char *key;   /* JSON and plot name */
	const char *label; /* table row */
	bool lower_better;
};
extern const struct bench_metric_info bench_metrics[M_MAX];

struct bench_mode {
	const char *name;
	const char *redirect_mode; /* --mode: passed as `redirect on --mode NAME` */
	const char *holder_cmd;    /* --variant: a process that keeps its bypass attached */
	bool bypass_all;           /* every connection must be bypassed: checked per run */
};

struct bench_redirect_opts {
	size_t sizes[BENCH_MAX_SIZES];
	int n_sizes;
	double duration_s;
	int rounds;
	enum bench_placement placements[PL_MAX]; /* in the order given */
	int n_placements;
	bool rr, stream; /* which of the bench's own tests run */
	bool external;
	bool json;
	const char *plot;
	struct bench_mode modes[BENCH_MAX_MODES]; /* [0] is plain TCP */
	int n_modes;
};

struct bench_results {
	const struct bench_redirect_opts *o;
	/* NAN where not measured (or the run failed); [p] indexes o->placements */
	double v[PL_MAX][BENCH_MAX_SIZES][M_MAX][BENCH_MAX_MODES][BENCH_MAX_ROUNDS];
	double load_start[3], load_end[3];
	int corrupted;       /* runs whose data differed at the two ends: the bench fails */
	int failures;        /* runs that failed otherwise (connection errors): the bench fails */
	int not_bypassed;    /* runs of a bypass_all mode that lo carried, and rounds after which
			      * a mode's bypass was gone: the bench fails */
	int stalls;          /* runs an end waited on for the stall timeout: reported */
	int verified_runs;   /* runs whose checksums matched at both ends */
	unsigned long long verified_bytes;
};

int bench_redirect(const struct bench_redirect_opts *o);

#endif /* NETBPF_BENCH_REDIRECT_H */
