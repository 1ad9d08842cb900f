#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "output.h"

struct json jout;
static struct timespec start;

__attribute__((constructor)) static void output_init(void)
{
	json_init(&jout, stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
}

void out_ready(const char *how)
{
	if (events_kind())
		fprintf(stderr, "%s: tracing via %s (%s); Ctrl-C to stop\n",
			program_invocation_short_name, how, events_kind());
	else
		fprintf(stderr, "%s: tracing via %s; Ctrl-C to stop\n", program_invocation_short_name, how);
	fflush(stderr);
}

const char *out_addr(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *out_addr16(const __u8 *addr, char *buf, size_t len)
{
	static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(addr, v4mapped, sizeof(v4mapped)))
		return out_addr(AF_INET, addr + 12, buf, len);
	return out_addr(AF_INET6, addr, buf, len);
}

double out_elapsed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec - start.tv_sec) + (ts.tv_nsec - start.tv_nsec) / 1e9;
}

void out_json_begin(__u32 pid, const __u8 *comm)
{
	json_obj_open(&jout);
	json_kv_double(&jout, "time", out_elapsed());
	json_kv_u64(&jout, "pid", pid);
	json_kv_str(&jout, "comm", (const char *)comm);
}

void out_json_end(void)
{
	json_obj_close(&jout);
	json_end_line(&jout);
}

void out_json_ends(int family, const char *saddr, __u16 sport, const char *daddr, __u16 dport)
{
	json_kv_u64(&jout, "ip", family == AF_INET ? 4 : 6);
	json_kv_str(&jout, "saddr", saddr);
	json_kv_u64(&jout, "sport", sport);
	json_kv_str(&jout, "daddr", daddr);
	json_kv_u64(&jout, "dport", dport);
}
