#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/addr.h"
#include "common/hist.h"
#include "common/json.h"
#include "trace/report.h"
#include "trace/values.h"

_Static_assert(TRACE_LAT_SLOTS == HIST_SLOTS, "trace latencies are common/hist.h histograms");

static const char *prog_label(const struct trace_prog *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s #%u", p->name, p->id);
	return buf;
}

/* A tail call jumps past the entry that trampolines and run statistics hook. */
static void tail_call_notes(const struct trace_set *set, const char *what, const char *column)
{
	for (int i = 0; i < set->n_progs; i++)
		if (set->progs[i].tail_call_target)
			printf("note: %s (#%u) is a tail-call target: %s for the runs a tail call "
			       "enters, so its %s count only direct runs (marked *)\n",
			       set->progs[i].name, set->progs[i].id, what, column);
}

/* Where each program runs, for targets that name several places (trace --all). */
static void where_lines(const struct trace_set *set)
{
	char label[TRACE_NAME_LEN + 16];

	for (int i = 0; i < set->n_progs; i++)
		if (set->progs[i].hook)
			printf("  program %s: %s on %s\n", prog_label(&set->progs[i], label, sizeof(label)),
			       set->progs[i].hook, set->progs[i].where);
}

/* "hook" and "where" of a program in JSON, when it was found as netbpf's. */
static void json_hook(struct json *j, const struct trace_prog *p)
{
	if (!p->hook)
		return;
	json_kv_str(j, "hook", p->hook);
	json_kv_str(j, "where", p->where);
}

void report_ready(const struct trace_set *set, const char *target, const struct tracer *t,
		  bool json)
{
	__u32 ids[2 * TRACE_MAX_FUNCS];
	int n = tracer_prog_ids(t, ids, 2 * TRACE_MAX_FUNCS);
	struct json j;

	if (!json) {
		printf("netbpf trace %s: fentry/fexit on %d functions of %d programs, ready; "
		       "Ctrl-C to stop\n", target, set->n_funcs, set->n_progs);
		where_lines(set);
		tail_call_notes(set, "fentry/fexit do not fire", "CALLS");
		fflush(stdout);
		return;
	}
	json_init(&j, stdout);
	json_obj_open(&j);
	json_kv_bool(&j, "ready", 1);
	json_kv_str(&j, "mode", "fentry");
	json_kv_str(&j, "target", target);
	json_key(&j, "tracer_prog_ids");
	json_arr_open(&j);
	for (int i = 0; i < n; i++)
		json_u64(&j, ids[i]);
	json_arr_close(&j);
	json_key(&j, "functions");
	json_arr_open(&j);
	for (int i = 0; i < set->n_funcs; i++) {
		json_obj_open(&j);
		json_kv_u64(&j, "prog_id", set->funcs[i].prog->id);
		json_kv_str(&j, "func", set->funcs[i].name);
		json_hook(&j, set->funcs[i].prog);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end_line(&j);
	fflush(stdout);
}

void report_ready_runstats(const struct trace_set *set, const char *target, bool json)
{
	struct json j;

	if (!json) {
		printf("netbpf trace %s: BPF_ENABLE_STATS figures of %d programs, ready; "
		       "Ctrl-C to stop\n", target, set->n_progs);
		where_lines(set);
		tail_call_notes(set, "the kernel does not count", "RUNS");
	} else {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_kv_bool(&j, "ready", 1);
		json_kv_str(&j, "mode", "stats");
		json_kv_str(&j, "target", target);
		json_key(&j, "programs");
		json_arr_open(&j);
		for (int i = 0; i < set->n_progs; i++) {
			json_obj_open(&j);
			json_kv_u64(&j, "prog_id", set->progs[i].id);
			json_kv_str(&j, "prog", set->progs[i].name);
			json_hook(&j, &set->progs[i]);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_end_line(&j);
	}
	fflush(stdout);
}

static void func_text(const struct trace_func *f, const struct trace_func_stats *s, bool first)
{
	char label[TRACE_NAME_LEN + 16], key[48];

	printf("  %-22s %-22s %10llu%s", first ? prog_label(f->prog, label, sizeof(label)) : "",
	       f->name, (unsigned long long)s->calls,
	       f->main && f->prog->tail_call_target ? "*" : " ");
	if (s->returns)
		printf(" %9.0f %9.0f %9.0f ", (double)s->lat_sum_ns / s->returns,
		       hist_percentile(s->lat, 50), hist_percentile(s->lat, 99));
	else
		printf(" %9s %9s %9s ", "-", "-", "-");
	if (!f->ret_bytes) {
		printf(" (void)\n");
		return;
	}
	if (trace_ret_is_length(f)) {
		__u64 dropped = s->ret[0 - TRACE_RET_MIN];

		printf(" kept:%llu (%llu bytes) dropped:%llu\n",
		       (unsigned long long)(trace_ret_total(s) - dropped), (unsigned long long)s->ret_pos_sum,
		       (unsigned long long)dropped);
		return;
	}
	for (int r = 0; r < TRACE_RET_SLOTS; r++) {
		if (!s->ret[r])
			continue;
		trace_ret_key(f, r, key, sizeof(key));
		printf(" %s:%llu", key, (unsigned long long)s->ret[r]);
	}
	if (s->ret_other)
		printf(" other:%llu", (unsigned long long)s->ret_other);
	printf("\n");
	if (f->ctx != TRACE_CTX_SOCK_OPS)
		return;
	printf("  %-22s %-22s   ops:", "", "");
	for (int op = 0; op < TRACE_OP_SLOTS; op++) {
		if (!s->op[op])
			continue;
		trace_op_key(op, key, sizeof(key));
		printf(" %s:%llu", key, (unsigned long long)s->op[op]);
	}
	if (s->op_other)
		printf(" other:%llu", (unsigned long long)s->op_other);
	printf("\n");
}

static void func_json(struct json *j, const struct trace_func *f, const struct trace_func_stats *s)
{
	char key[48];

	json_obj_open(j);
	json_kv_u64(j, "prog_id", f->prog->id);
	json_kv_str(j, "prog", f->prog->name);
	json_hook(j, f->prog);
	json_kv_str(j, "func", f->name);
	json_kv_bool(j, "main", f->main);
	json_kv_u64(j, "calls", s->calls);
	json_kv_u64(j, "returns", s->returns);
	json_kv_bool(j, "calls_miss_tail_calls", f->main && f->prog->tail_call_target);
	json_key(j, "lat_ns");
	json_obj_open(j);
	json_kv_double(j, "mean", s->returns ? (double)s->lat_sum_ns / s->returns : 0);
	json_kv_double(j, "p50", hist_percentile(s->lat, 50));
	json_kv_double(j, "p99", hist_percentile(s->lat, 99));
	json_key(j, "hist");
	hist_json(j, s->lat);
	json_obj_close(j);
	/* A void function has no return value: reading one at fexit would give garbage. */
	json_key(j, "ret");
	if (!f->ret_bytes) {
		json_null(j);
	} else if (trace_ret_is_length(f)) {
		json_obj_open(j);
		json_kv_u64(j, "kept", trace_ret_total(s) - s->ret[0 - TRACE_RET_MIN]);
		json_kv_u64(j, "kept_bytes", s->ret_pos_sum);
		json_kv_u64(j, "dropped", s->ret[0 - TRACE_RET_MIN]);
		json_obj_close(j);
	} else {
		json_obj_open(j);
		for (int r = 0; r < TRACE_RET_SLOTS; r++) {
			if (!s->ret[r])
				continue;
			trace_ret_key(f, r, key, sizeof(key));
			json_kv_u64(j, key, s->ret[r]);
		}
		if (s->ret_other)
			json_kv_u64(j, "other", s->ret_other);
		json_obj_close(j);
	}
	if (f->ctx == TRACE_CTX_SOCK_OPS) {
		json_key(j, "ops");
		json_obj_open(j);
		for (int op = 0; op < TRACE_OP_SLOTS; op++) {
			if (!s->op[op])
				continue;
			trace_op_key(op, key, sizeof(key));
			json_kv_u64(j, key, s->op[op]);
		}
		if (s->op_other)
			json_kv_u64(j, "other", s->op_other);
		json_obj_close(j);
	}
	if (s->events_lost)
		json_kv_u64(j, "events_lost", s->events_lost);
	json_obj_close(j);
}

/* One report line: {"time", "elapsed_s", "final", "mode", key: [ ... ]}. */
static void report_json_open(struct json *j, double elapsed_s, bool final, const char *mode,
			     const char *key)
{
	json_init(j, stdout);
	json_obj_open(j);
	json_kv_u64(j, "time", time(NULL));
	json_kv_double(j, "elapsed_s", elapsed_s);
	json_kv_bool(j, "final", final);
	json_kv_str(j, "mode", mode);
	json_key(j, key);
	json_arr_open(j);
}

static void report_json_close(struct json *j)
{
	json_arr_close(j);
	json_obj_close(j);
	json_end_line(j);
	fflush(stdout);
}

void report_funcs(const struct trace_set *set, const struct tracer *t, double elapsed_s,
		  bool final, bool json)
{
	/* Static: too large for the stack; one report at a time. */
	static struct trace_func_stats s[TRACE_MAX_FUNCS];
	char label[TRACE_NAME_LEN + 16];
	struct json j;

	for (int i = 0; i < set->n_funcs; i++)
		if (tracer_read(t, i, &s[i]))
			memset(&s[i], 0, sizeof(s[i]));
	if (json) {
		report_json_open(&j, elapsed_s, final, "fentry", "functions");
		for (int i = 0; i < set->n_funcs; i++)
			func_json(&j, &set->funcs[i], &s[i]);
		report_json_close(&j);
		return;
	}
	printf("\n%s %.1fs: totals since the start\n", final ? "final," : "after", elapsed_s);
	printf("  %-22s %-22s %10s  %9s %9s %9s  %s\n", "PROGRAM", "FUNCTION", "CALLS", "MEAN_NS",
	       "P50_NS", "P99_NS", "RETURNS");
	for (int i = 0; i < set->n_funcs; i++)
		func_text(&set->funcs[i], &s[i], !i || set->funcs[i].prog != set->funcs[i - 1].prog);
	if (final) {
		for (int i = 0; i < set->n_funcs; i++) {
			if (!s[i].returns)
				continue;
			printf("\n%s %s: latency, entry to exit\n",
			       prog_label(set->funcs[i].prog, label, sizeof(label)), set->funcs[i].name);
			hist_print(stdout, s[i].lat, "ns", "    ");
		}
	}
	fflush(stdout);
}

void report_runstats(const struct trace_set *set, const struct runstats *r, double elapsed_s,
		     bool final, bool json)
{
	char label[TRACE_NAME_LEN + 16];
	struct runstats_delta d;
	struct json j;

	if (json) {
		report_json_open(&j, elapsed_s, final, "stats", "programs");
	} else {
		printf("\n%s %.1fs: BPF_ENABLE_STATS since the start\n", final ? "final," : "after",
		       elapsed_s);
		printf("  %-22s %-11s %10s %14s %9s\n", "PROGRAM", "HOOK", "RUNS", "RUN_TIME_NS",
		       "MEAN_NS");
	}
	for (int i = 0; i < set->n_progs; i++) {
		const struct trace_prog *p = &set->progs[i];

		if (runstats_read(r, set, i, &d))
			memset(&d, 0, sizeof(d));
		if (!json) {
			printf("  %-22s %-11s %10llu%s %13llu %9.0f\n", prog_label(p, label, sizeof(label)),
			       p->hook ? p->hook : "-", (unsigned long long)d.runs,
			       p->tail_call_target ? "*" : " ",
			       (unsigned long long)d.run_time_ns,
			       d.runs ? (double)d.run_time_ns / d.runs : 0.0);
			continue;
		}
		json_obj_open(&j);
		json_kv_u64(&j, "prog_id", p->id);
		json_kv_str(&j, "prog", p->name);
		json_hook(&j, p);
		json_kv_u64(&j, "run_cnt", d.runs);
		/* The kernel's figures too are only taken where a program is entered from its hook. */
		json_kv_bool(&j, "runs_miss_tail_calls", p->tail_call_target);
		json_kv_u64(&j, "run_time_ns", d.run_time_ns);
		json_kv_double(&j, "mean_ns", d.runs ? (double)d.run_time_ns / d.runs : 0.0);
		json_obj_close(&j);
	}
	if (json)
		report_json_close(&j);
	fflush(stdout);
}

static const char *proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	}
	snprintf(buf, len, "proto-%u", proto);
	return buf;
}

void report_packet(const struct trace_set *set, const struct trace_pkt_event *ev, bool json)
{
	const struct trace_func *f = ev->func < (__u32)set->n_funcs ? &set->funcs[ev->func] : NULL;
	const char *verdict = f ? trace_ret_name(f, ev->ret) : NULL;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pbuf[16], vbuf[16];
	bool ip = ev->eth_proto == 0x0800 || ev->eth_proto == 0x86dd;
	struct json j;

	if (!f)
		return;
	if (!verdict)
		snprintf(vbuf, sizeof(vbuf), "%d", ev->ret);
	if (json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_key(&j, "packet");
		json_obj_open(&j);
		json_kv_u64(&j, "prog_id", f->prog->id);
		json_kv_str(&j, "func", f->name);
		json_kv_u64(&j, "ifindex", ev->ifindex);
		json_kv_u64(&j, "len", ev->len);
		json_kv_u64(&j, "eth_proto", ev->eth_proto);
		if (ip) {
			json_kv_str(&j, "proto", proto_name(ev->ip_proto, pbuf, sizeof(pbuf)));
			json_kv_str(&j, "saddr", addr_format(ev->saddr, src, sizeof(src)));
			json_kv_str(&j, "daddr", addr_format(ev->daddr, dst, sizeof(dst)));
			json_kv_u64(&j, "sport", ev->sport);
			json_kv_u64(&j, "dport", ev->dport);
		}
		json_kv_i64(&j, "ret", ev->ret);
		json_kv_str(&j, "verdict", verdict ? verdict : vbuf);
		json_kv_u64(&j, "lat_ns", ev->lat_ns);
		json_obj_close(&j);
		json_obj_close(&j);
		json_end_line(&j);
		fflush(stdout);
		return;
	}
	printf("packet %s #%u if %u len %u ", f->name, f->prog->id, ev->ifindex, ev->len);
	if (ip && (ev->ip_proto == IPPROTO_TCP || ev->ip_proto == IPPROTO_UDP))
		printf("%s %s:%u -> %s:%u", proto_name(ev->ip_proto, pbuf, sizeof(pbuf)),
		       addr_format(ev->saddr, src, sizeof(src)), ev->sport,
		       addr_format(ev->daddr, dst, sizeof(dst)), ev->dport);
	else if (ip)
		printf("%s %s -> %s", proto_name(ev->ip_proto, pbuf, sizeof(pbuf)),
		       addr_format(ev->saddr, src, sizeof(src)), addr_format(ev->daddr, dst, sizeof(dst)));
	else
		printf("ethertype 0x%04x", ev->eth_proto);
	printf(" %s %lluns\n", verdict ? verdict : vbuf, (unsigned long long)ev->lat_ns);
	fflush(stdout);
}
