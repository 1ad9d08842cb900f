#include <math.h>
#include <string.h>

#include "common/json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->len = 0;
	j->depth = 0;
	j->first = 1;
	j->after_key = 0;
	j->caller_flushes = 0;
}

/*
 * A line is built in j->buf and handed to stdio whole: with a stdio call per
 * token, stdio itself was a third of `netbpf sniff --json`'s CPU under load.
 */
static void drain(struct json *j)
{
	fwrite(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		drain(j);
		if (n > sizeof(j->buf)) {
			fwrite(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putch(struct json *j, char c)
{
	if (j->len == sizeof(j->buf))
		drain(j);
	j->buf[j->len++] = c;
}

static void puts_(struct json *j, const char *s) { put(j, s, strlen(s)); }

static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!(j->first & (1UL << j->depth)))
		putch(j, ',');
	j->first &= ~(1UL << j->depth);
}

static void open(struct json *j, char c)
{
	sep(j);
	putch(j, c);
	j->depth++;
	j->first |= 1UL << j->depth;
}

static void close_(struct json *j, char c)
{
	j->depth--;
	putch(j, c);
}

void json_obj_open(struct json *j) { open(j, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j) { open(j, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

/* Runs of characters that need no escape are copied in one go. */
static void put_escaped(struct json *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + len;

	putch(j, '"');
	while (s < end) {
		size_t n = 0;

		while (s + n < end && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20)
			n++;
		put(j, s, n);
		s += n;
		if (s == end)
			break;
		switch (*s) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[(unsigned char)*s >> 4],
				      hex[*s & 0xf] };

			put(j, u, sizeof(u));
		}
		}
		s++;
	}
	putch(j, '"');
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	put_escaped(j, key, strlen(key));
	putch(j, ':');
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
	put_escaped(j, s, n);
}

/* Digits by hand: fprintf's format parsing was a tenth of `netbpf sniff --json`. */
static void put_u64(struct json *j, uint64_t v, int neg)
{
	char buf[21], *p = buf + sizeof(buf);

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	if (neg)
		*--p = '-';
	put(j, p, buf + sizeof(buf) - p);
}

void json_u64(struct json *j, uint64_t v) { sep(j); put_u64(j, v, 0); }

void json_u64_milli(struct json *j, uint64_t v)
{
	char frac[4] = { '.', '0' + v / 100 % 10, '0' + v / 10 % 10, '0' + v % 10 };

	sep(j);
	put_u64(j, v / 1000, 0);
	put(j, frac, sizeof(frac));
}

void json_i64(struct json *j, int64_t v)
{
	sep(j);
	put_u64(j, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}
static void json_bool(struct json *j, int v) { sep(j); puts_(j, v ? "true" : "false"); }
void json_null(struct json *j) { sep(j); puts_(j, "null"); }

void json_double(struct json *j, double v)
{
	char buf[32];

	sep(j);
	if (isfinite(v)) {
		snprintf(buf, sizeof(buf), "%.6g", v);
		puts_(j, buf);
	} else {
		puts_(j, "null"); /* JSON has no NaN or Inf */
	}
}

void json_end_line(struct json *j)
{
	putch(j, '\n');
	drain(j);
	if (!j->caller_flushes)
		fflush(j->f);
	j->first = 1;
}

void json_kv_str(struct json *j, const char *k, const char *v) { json_key(j, k); json_str(j, v); }
void json_kv_u64(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_u64(j, v); }
void json_kv_i64(struct json *j, const char *k, int64_t v) { json_key(j, k); json_i64(j, v); }
void json_kv_double(struct json *j, const char *k, double v) { json_key(j, k); json_double(j, v); }
void json_kv_bool(struct json *j, const char *k, int v) { json_key(j, k); json_bool(j, v); }
