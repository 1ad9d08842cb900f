/* Exchange lines and pcap writing for `netbpf sniff` (JSON schema: docs/sniff.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "sniff/out.h"

#define OUT_BUF (256 * 1024) /* stdout: 20 ms of --json under load */

#define SNAPLEN 262144

static const char *const source_names[SRC_MAX] = { "wire", "socket" };


/*
 * The pcap holds the secrets the other outputs redact: readable by root only, never
 * through a symlink someone planted, and never over an existing file unless asked.
 * With force, an existing file is unlinked first, so its old mode and owner (and any
 * other hard link to it) do not carry over.
 */
static FILE *pcap_file_create(const char *path, int force)
{
	int fd;
	FILE *f;

	if (force && unlink(path) && errno != ENOENT) {
		pr_warn("failed to replace %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int err = errno;

		pr_warn("failed to create %s: %s%s\n", path, strerror(err),
			err == EEXIST ? " (--force replaces it)" : "");
		return NULL;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		pr_warn("failed to open %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

int sniff_out_init(struct sniff_out *o, int json, uint64_t count, const char *pcap_path,
		   int force)
{
	FILE *f;

	memset(o, 0, sizeof(*o));
	o->json = json;
	o->count = count;
	json_init(&o->j, stdout);
	/* Lines go out when the caller flushes (sniff_out_flush), not a write() each or
	 * every 4 KiB; and only this thread writes stdout, so stdio need not lock it
	 * for every character. */
	o->j.caller_flushes = 1;
	setvbuf(stdout, NULL, _IOFBF, OUT_BUF);
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	if (!pcap_path)
		return 0;
	o->pcap = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (!o->pcap) {
		pr_warn("failed to open a pcap handle\n");
		return -1;
	}
	f = pcap_file_create(pcap_path, force);
	if (!f)
		return -1;
	o->dumper = pcap_dump_fopen(o->pcap, f);
	if (!o->dumper) {
		pr_warn("failed to write %s: %s\n", pcap_path, pcap_geterr(o->pcap));
		fclose(f);
		return -1;
	}
	return 0;
}

/* inet_ntop formats with sprintf: the few addresses an interface sees are kept. */
static const char *addr_cached(struct sniff_out *o, const uint8_t addr[16])
{
	unsigned int i;

	for (i = 0; i < ADDR_CACHE; i++)
		if (o->addrs[i].s[0] && !memcmp(o->addrs[i].addr, addr, 16))
			return o->addrs[i].s;
	i = o->addr_next++ % ADDR_CACHE;
	memcpy(o->addrs[i].addr, addr, 16);
	return addr_format(addr, o->addrs[i].s, sizeof(o->addrs[i].s));
}

static void json_party(struct sniff_out *o, const struct sniff_party *p)
{
	struct json *j = &o->j;

	json_obj_open(j);
	json_kv_str(j, "addr", addr_cached(o, p->ep.addr));
	json_kv_u64(j, "port", p->ep.port);
	json_key(j, "pid");
	if (p->pid >= 0)
		json_i64(j, p->pid);
	else
		json_null(j);
	json_kv_str(j, "comm", p->pid >= 0 ? p->comm : NULL);
	json_obj_close(j);
}

/* "Name: value\n" lines as [["Name","value"], ...]. */
static void json_headers(struct json *j, const char *hdrs)
{
	json_arr_open(j);
	while (*hdrs) {
		const char *nl = strchr(hdrs, '\n'), *colon;
		size_t len = nl ? (size_t)(nl - hdrs) : strlen(hdrs);

		colon = memchr(hdrs, ':', len);
		if (colon) {
			json_arr_open(j);
			json_strn(j, hdrs, colon - hdrs);
			json_strn(j, colon + 2, len - (colon - hdrs) - 2);
			json_arr_close(j);
		}
		hdrs += len + (nl ? 1 : 0);
	}
	json_arr_close(j);
}

static void print_json(struct sniff_out *o, enum sniff_source src, const struct sniff_party *p,
		       const struct http_exchange *ex, uint64_t ts, const char *when)
{
	struct json *j = &o->j;
	int has_req = !(ex->flags & HTTP_F_NO_REQUEST);
	char version[16] = "HTTP/1.x";

	if (ex->version_minor >= 0 && ex->version_minor <= 9) /* no printf per line */
		version[7] = '0' + ex->version_minor;
	else
		snprintf(version, sizeof(version), "HTTP/1.%d", ex->version_minor);
	json_obj_open(j);
	json_kv_str(j, "time", when);
	json_kv_u64(j, "ts_ns", ts);
	json_kv_str(j, "source", source_names[src]);
	/* Keys as literals at the call: written without an escape scan (json.h). */
	json_key(j, "client");
	json_party(o, &p[0]);
	json_key(j, "server");
	json_party(o, &p[1]);
	json_kv_str(j, "method", has_req ? ex->method : NULL);
	json_kv_str(j, "host", has_req && ex->host[0] ? ex->host : NULL);
	json_kv_str(j, "path", has_req ? ex->path : NULL);
	json_kv_str(j, "version", has_req ? version : NULL);
	json_key(j, "status");
	if (ex->status)
		json_u64(j, ex->status);
	else
		json_null(j);
	json_kv_u64(j, "req_bytes", ex->req.bytes);
	json_kv_u64(j, "resp_bytes", ex->resp.bytes);
	json_kv_u64(j, "req_body_bytes", ex->req.body_bytes);
	json_kv_u64(j, "resp_body_bytes", ex->resp.body_bytes);
	json_key(j, "latency_us");
	if (has_req && ex->status && ex->resp.ts_ns >= ex->req.ts_ns)
		json_u64_milli(j, ex->resp.ts_ns - ex->req.ts_ns);
	else
		json_null(j);
	json_key(j, "flags");
	json_arr_open(j);
	for (int i = 0; i < HTTP_F_COUNT; i++)
		if (ex->flags & (1u << i))
			json_str(j, http_flag_names[i]);
	json_arr_close(j);
	json_key(j, "req_headers");
	json_headers(j, ex->req.hdrs);
	json_key(j, "resp_headers");
	json_headers(j, ex->resp.hdrs);
	if (ex->req.body || ex->resp.body) {
		json_kv_str(j, "req_body", ex->req.body ? ex->req.body : "");
		json_kv_str(j, "resp_body", ex->resp.body ? ex->resp.body : "");
	}
	json_obj_close(j);
	json_end_line(j);
}

static void print_party(const struct sniff_party *p)
{
	char addr[INET6_ADDRSTRLEN];

	addr_format(p->ep.addr, addr, sizeof(addr));
	printf(strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, p->ep.port);
	if (p->pid >= 0)
		printf(" %s[%d]", p->comm, p->pid);
}

static void print_human(enum sniff_source src, const struct sniff_party *p,
			const struct http_exchange *ex, uint64_t ts)
{
	time_t sec = ts / 1000000000ULL;
	struct tm tm;
	char hms[16];
	const char *sep = " [";

	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	printf("%s.%06llu %-6s ", hms, (unsigned long long)(ts % 1000000000ULL / 1000),
	       source_names[src]);
	print_party(&p[0]);
	printf(" -> ");
	print_party(&p[1]);
	if (ex->flags & HTTP_F_NO_REQUEST)
		printf(" ?");
	else
		printf(" %s %s%s", ex->method, ex->host[0] ? ex->host : "", ex->path);
	if (ex->status)
		printf(" %d", ex->status);
	else
		printf(" -");
	printf(" req=%lluB resp=%lluB", (unsigned long long)ex->req.bytes,
	       (unsigned long long)ex->resp.bytes);
	if (!(ex->flags & HTTP_F_NO_REQUEST) && ex->status && ex->resp.ts_ns >= ex->req.ts_ns)
		printf(" %.3fms", (ex->resp.ts_ns - ex->req.ts_ns) / 1e6);
	for (int i = 0; i < HTTP_F_COUNT; i++) {
		if (ex->flags & (1u << i)) {
			printf("%s%s", sep, http_flag_names[i]);
			sep = ",";
		}
	}
	printf("%s\n", sep[0] == ',' ? "]" : "");
}

void sniff_out_exchange(struct sniff_out *o, enum sniff_source src, const struct sniff_party *p,
			const struct http_exchange *ex)
{
	uint64_t ts = (ex->flags & HTTP_F_NO_REQUEST) ? ex->resp.ts_ns : ex->req.ts_ns;

	if (o->done)
		return;
	if (o->json) {
		time_t sec = ts / 1000000000ULL;
		unsigned int us = ts % 1000000000ULL / 1000;
		char when[48];
		size_t n;

		/* Formatted once per second: strftime per line was a tenth of --json. */
		if (sec != o->date_sec || !o->date[0]) {
			struct tm tm;

			gmtime_r(&sec, &tm);
			strftime(o->date, sizeof(o->date), "%Y-%m-%dT%H:%M:%S.", &tm);
			o->date_sec = sec;
		}
		n = strlen(o->date);
		memcpy(when, o->date, n);
		for (int i = 5; i >= 0; i--, us /= 10)
			when[n + i] = '0' + us % 10;
		memcpy(when + n + 6, "Z", 2);
		print_json(o, src, p, ex, ts, when);
	} else {
		print_human(src, p, ex, ts);
	}
	o->reported++;
	if (o->count && o->reported >= o->count)
		o->done = 1;
}

void sniff_out_packet(struct sniff_out *o, const uint8_t *pkt, size_t caplen, size_t len,
		      uint64_t ts_ns)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = ts_ns / 1000000000ULL, .tv_usec = ts_ns % 1000000000ULL / 1000 },
		.caplen = caplen > SNAPLEN ? SNAPLEN : caplen,
		.len = len,
	};

	if (o->dumper)
		pcap_dump((u_char *)o->dumper, &h, pkt);
}

void sniff_out_flush(struct sniff_out *o)
{
	json_flush(&o->j);
	if (o->dumper)
		pcap_dump_flush(o->dumper);
}

void sniff_out_close(struct sniff_out *o)
{
	sniff_out_flush(o);
	if (o->dumper)
		pcap_dump_close(o->dumper);
	if (o->pcap)
		pcap_close(o->pcap);
	o->dumper = NULL;
	o->pcap = NULL;
}
