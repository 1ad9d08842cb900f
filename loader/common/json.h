/* A small JSON lines writer: commas and escaping handled. Each line goes to the FILE
 * at json_end_line, flushed; with caller_flushes, lines gather in the buffer and
 * reach the FILE as it fills and at json_flush. */
#ifndef NETBPF_JSON_H
#define NETBPF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct json {
	FILE *f;
	size_t len;          /* bytes in buf, not yet handed to f */
	char buf[4096];
	int depth;
	unsigned long first; /* bit per depth: nothing written yet at that level */
	int after_key;       /* a key was written: its value needs no separator */
	int caller_flushes;  /* json_end_line keeps the line: the caller calls json_flush */
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j);   /* { (as a value) */
void json_obj_close(struct json *j);  /* } */
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key_n(struct json *j, const char *key, size_t n); /* next value belongs to key */
void json_strn(struct json *j, const char *s, size_t n); /* n bytes, NULs escaped */
void json_u64(struct json *j, uint64_t v);
void json_u64_milli(struct json *j, uint64_t v); /* v / 1000 with three decimals */
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Ends a top-level value with a newline (JSON lines), and flushes unless caller_flushes. */
void json_end_line(struct json *j);
/* Everything written so far, to the FILE and through it. */
void json_flush(struct json *j);

/*
 * Keys were a fifth of `netbpf sniff --json`'s CPU. A literal key is the program's
 * own text, valid in JSON as it is: written here, inline, with its length folded
 * and no escape scan. Any other key is escaped (json_key_n).
 */
static inline void json_key(struct json *j, const char *key)
{
	size_t n = strlen(key);
	char *o;

	if (!__builtin_constant_p(n) || n + 4 > sizeof(j->buf) - j->len) {
		json_key_n(j, key, n);
		return;
	}
	/* A local cursor: stores through a char pointer would reload j->len each time. */
	o = j->buf + j->len;
	if (!(j->first & (1UL << j->depth)))
		*o++ = ',';
	j->first &= ~(1UL << j->depth);
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	j->len = o - j->buf;
	j->after_key = 1;
}

static inline void json_str(struct json *j, const char *s) /* NULL: null */
{
	if (s)
		json_strn(j, s, strlen(s));
	else
		json_null(j);
}

/* key + value shortcuts */
static inline void json_kv_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

static inline void json_kv_u64(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_u64(j, v);
}

static inline void json_kv_i64(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_i64(j, v);
}

static inline void json_kv_double(struct json *j, const char *k, double v)
{
	json_key(j, k);
	json_double(j, v);
}

static inline void json_kv_bool(struct json *j, const char *k, int v)
{
	json_key(j, k);
	json_bool(j, v);
}

#endif /* NETBPF_JSON_H */
