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
 * Lines are built in j->buf and handed to stdio in pieces of its size: with a
 * stdio call per token, stdio itself was a third of `netbpf sniff --json`'s CPU
 * under load.
 */
static void drain(struct json *j)
{
	fwrite(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void put_slow(struct json *j, const char *s, size_t n)
{
	drain(j);
	if (n > sizeof(j->buf)) {
		fwrite(s, 1, n, j->f);
		return;
	}
	memcpy(j->buf, s, n);
	j->len = n;
}

/*
 * Most pieces are a few bytes (keys, numbers, punctuation): copied with two
 * overlapping loads and stores instead of a call to memcpy each, which was a tenth
 * of `netbpf sniff --json`. Nothing outside [s, s + n) is read.
 */
static inline void copy(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}

static inline void put(struct json *j, const char *s, size_t n)
{
	if (__builtin_expect(j->len + n > sizeof(j->buf), 0)) {
		put_slow(j, s, n);
		return;
	}
	copy(j->buf + j->len, s, n);
	j->len += n;
}

static inline void putch(struct json *j, char c)
{
	if (__builtin_expect(j->len == sizeof(j->buf), 0))
		drain(j);
	j->buf[j->len++] = c;
}

static void puts_(struct json *j, const char *s) { put(j, s, strlen(s)); }

static inline void sep(struct json *j)
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

/* What follows the backslash of an escaped byte; 0: the byte stands for itself. */
static const char escape_as[256] = {
	[0 ... 8] = 'u', ['\t'] = 't', ['\n'] = 'n', [0x0b ... 0x0c] = 'u', ['\r'] = 'r',
	[0x0e ... 0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Is any byte of w below n (n <= 0x80)? A borrow starts only at such a byte: exact. */
static inline uint64_t has_below(uint64_t w, uint64_t n)
{
	return (w - n * ONES) & ~w & HIGHS;
}

/* Does any byte of w need an escape: below 0x20, '"' or '\\'? */
static inline int word_needs_escape(uint64_t w)
{
	return !!(has_below(w, 0x20) | has_below(w ^ ('"' * ONES), 1) |
		  has_below(w ^ ('\\' * ONES), 1));
}

/*
 * Scanned and copied in one pass straight into the buffer, eight bytes at a time
 * while none needs an escape (a scan for runs and a memcpy each was the top of
 * `netbpf sniff --json`'s profile). Each pass takes what fits even if every byte
 * becomes \u00XX.
 */
static void put_escaped(struct json *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *o;

	/* Room for both quotes is kept aside in every pass. */
	if (sizeof(j->buf) - j->len < 6 * 64 + 2)
		drain(j);
	o = j->buf + j->len;
	*o++ = '"';
	for (;;) {
		size_t n = end - p, room = (size_t)(j->buf + sizeof(j->buf) - o - 1) / 6;
		const unsigned char *stop;

		if (n > room)
			n = room;
		for (stop = p + n; p < stop;) {
			uint64_t w;
			char x;

			if (stop - p >= 8) {
				memcpy(&w, p, 8);
				if (!word_needs_escape(w)) {
					memcpy(o, &w, 8);
					o += 8;
					p += 8;
					continue;
				}
			}
			x = escape_as[*p];
			if (!x) {
				*o++ = *p++;
				continue;
			}
			*o++ = '\\';
			*o++ = x;
			if (x == 'u') {
				*o++ = '0';
				*o++ = '0';
				*o++ = hex[*p >> 4];
				*o++ = hex[*p & 0xf];
			}
			p++;
		}
		j->len = o - j->buf;
		if (p == end)
			break;
		drain(j);
		o = j->buf;
	}
	*o++ = '"';
	j->len = o - j->buf;
}

void json_key_n(struct json *j, const char *key, size_t n)
{
	sep(j);
	put_escaped(j, key, n);
	putch(j, ':');
	j->after_key = 1;
}

void json_strn(struct json *j, const char *s, size_t n)
{
	sep(j);
	put_escaped(j, s, n);
}

/* Digits by hand, two per division: fprintf's format parsing was a tenth of
 * `netbpf sniff --json`, and a division per digit of a ns timestamp a twentieth. */
static void put_u64(struct json *j, uint64_t v, int neg)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char buf[21], *p = buf + sizeof(buf);

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + v * 2, 2);
	} else {
		*--p = '0' + v;
	}
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
void json_bool(struct json *j, int v) { sep(j); puts_(j, v ? "true" : "false"); }
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
	j->first = 1;
	if (!j->caller_flushes)
		json_flush(j);
}

void json_flush(struct json *j)
{
	drain(j);
	fflush(j->f);
}
