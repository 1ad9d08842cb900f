/* A small JSON lines writer: commas and escaping handled; each line goes to the FILE
 * whole at json_end_line (or in pieces of the buffer's size). */
#ifndef NETBPF_JSON_H
#define NETBPF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	size_t len;          /* bytes in buf, not yet handed to f */
	char buf[4096];
	int depth;
	unsigned long first; /* bit per depth: nothing written yet at that level */
	int after_key;       /* a key was written: its value needs no separator */
	int caller_flushes;  /* json_end_line does not fflush: the caller does */
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j);   /* { (as a value) */
void json_obj_close(struct json *j);  /* } */
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key); /* next value belongs to key */
void json_str(struct json *j, const char *s);         /* NULL: null */
void json_strn(struct json *j, const char *s, size_t n); /* n bytes, NULs escaped */
void json_u64(struct json *j, uint64_t v);
void json_u64_milli(struct json *j, uint64_t v); /* v / 1000 with three decimals */
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_null(struct json *j);
/* Ends a top-level value with a newline (JSON lines), and flushes unless caller_flushes. */
void json_end_line(struct json *j);

/* key + value shortcuts */
void json_kv_str(struct json *j, const char *k, const char *v);
void json_kv_u64(struct json *j, const char *k, uint64_t v);
void json_kv_i64(struct json *j, const char *k, int64_t v);
void json_kv_double(struct json *j, const char *k, double v);
void json_kv_bool(struct json *j, const char *k, int v);

#endif /* NETBPF_JSON_H */
