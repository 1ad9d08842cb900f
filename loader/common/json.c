#define _GNU_SOURCE /* fputs_unlocked, fwrite_unlocked */
#include <math.h>
#include <string.h>

#include "common/json.h"

/*
 * netbpf writes each stream from one thread: the unlocked calls (putc_unlocked is a
 * macro on the FILE's buffer) instead of a locked call per character, which with
 * `netbpf sniff --json` under load was still a fifth of the sniffer's time.
 */
#define PUTC(c, f) putc_unlocked(c, f)
#define WRITE(s, n, f) fwrite_unlocked(s, 1, n, f)
#define PUTS(s, f) fputs_unlocked(s, f)

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first = 1;
	j->after_key = 0;
	j->caller_flushes = 0;
}

static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!(j->first & (1UL << j->depth)))
		PUTC(',', j->f);
	j->first &= ~(1UL << j->depth);
}

static void open(struct json *j, char c)
{
	sep(j);
	PUTC(c, j->f);
	j->depth++;
	j->first |= 1UL << j->depth;
}

static void close_(struct json *j, char c)
{
	j->depth--;
	PUTC(c, j->f);
}

void json_obj_open(struct json *j) { open(j, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j) { open(j, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

/* Runs of characters that need no escape go out in one write: a call per character
 * was a sixth of `netbpf sniff --json`'s time under load. */
static void put_escaped(FILE *f, const char *s, size_t len)
{
	const char *end = s + len;

	PUTC('"', f);
	while (s < end) {
		size_t n = 0;

		while (s + n < end && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20)
			n++;
		WRITE(s, n, f);
		s += n;
		if (s == end)
			break;
		switch (*s) {
		case '"': PUTS("\\\"", f); break;
		case '\\': PUTS("\\\\", f); break;
		case '\n': PUTS("\\n", f); break;
		case '\r': PUTS("\\r", f); break;
		case '\t': PUTS("\\t", f); break;
		default: fprintf(f, "\\u%04x", (unsigned char)*s);
		}
		s++;
	}
	PUTC('"', f);
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	put_escaped(j->f, key, strlen(key));
	PUTC(':', j->f);
	j->after_key = 1;
}

void json_str(struct json *j, const char *s)
{
	if (s)
		json_strn(j, s, strlen(s));
	else
		json_null(j);
}

void json_strn(struct json *j, const char *s, size_t n)
{
	sep(j);
	put_escaped(j->f, s, n);
}

/* Digits by hand: fprintf's format parsing was a tenth of `netbpf sniff --json`. */
static void put_u64(FILE *f, uint64_t v, int neg)
{
	char buf[21], *p = buf + sizeof(buf);

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	if (neg)
		*--p = '-';
	WRITE(p, buf + sizeof(buf) - p, f);
}

void json_u64(struct json *j, uint64_t v) { sep(j); put_u64(j->f, v, 0); }

void json_u64_milli(struct json *j, uint64_t v)
{
	sep(j);
	put_u64(j->f, v / 1000, 0);
	PUTC('.', j->f);
	PUTC('0' + v / 100 % 10, j->f);
	PUTC('0' + v / 10 % 10, j->f);
	PUTC('0' + v % 10, j->f);
}
void json_i64(struct json *j, int64_t v)
{
	sep(j);
	put_u64(j->f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}
static void json_bool(struct json *j, int v) { sep(j); PUTS(v ? "true" : "false", j->f); }
void json_null(struct json *j) { sep(j); PUTS("null", j->f); }

void json_double(struct json *j, double v)
{
	sep(j);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		PUTS("null", j->f); /* JSON has no NaN or Inf */
}

void json_end_line(struct json *j)
{
	PUTC('\n', j->f);
	if (!j->caller_flushes)
		fflush(j->f);
	j->first = 1;
}

void json_kv_str(struct json *j, const char *k, const char *v) { json_key(j, k); json_str(j, v); }
void json_kv_u64(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_u64(j, v); }
void json_kv_i64(struct json *j, const char *k, int64_t v) { json_key(j, k); json_i64(j, v); }
void json_kv_double(struct json *j, const char *k, double v) { json_key(j, k); json_double(j, v); }
void json_kv_bool(struct json *j, const char *k, int v) { json_key(j, k); json_bool(j, v); }
