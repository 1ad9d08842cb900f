/*
 * Golden test of the HTTP parser (loader/http/, linked alone): every stream of
 * a table (netns-tests/golden/http.golden, made by gen.js from llhttp's framing)
 * is parsed, and the exchanges reported must be exactly the expected ones, in
 * order: method, target, host, status, request and response bytes and body
 * bytes, flags. Each stream is parsed as its segments came and again one byte
 * per feed (except where the stream resynchronises after an error: netbpf does
 * that only at a segment's start).
 *
 *   http_golden TABLE [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

#define MAX_SEGS  512
#define MAX_LINES 64
#define LINE_MAX_ 2048

struct seg {
	enum http_dir dir;
	uint8_t *data;
	size_t len;
};

struct stream {
	char name[128];
	int resync;
	struct seg seg[MAX_SEGS];
	int nseg;
	char *want[MAX_LINES];
	int nwant;
};

struct got {
	char *line[MAX_LINES];
	int n;
};

static const struct http_limits lim = { .max_line = 1024, .max_body = 64 };

/* The table's escaping: bytes <= 0x20, >= 0x7f and '\' as \xHH / \\, "" as "-"
 * (and "-" as \x2d). */
static void esc(char *out, size_t size, const char *s)
{
	size_t o = 0;

	if (!*s || !strcmp(s, "-")) {
		snprintf(out, size, *s ? "\\x2d" : "-");
		return;
	}
	for (; *s && o + 5 < size; s++) {
		unsigned char ch = *s;

		if (ch == '\\')
			o += snprintf(out + o, size - o, "\\\\");
		else if (ch <= 0x20 || ch >= 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x", ch);
		else
			out[o++] = ch;
	}
	out[o] = '\0';
}

static size_t unesc(const char *s, uint8_t *out)
{
	size_t n = 0;

	if (!strcmp(s, "-"))
		return 0;
	while (*s) {
		if (s[0] == '\\' && s[1] == 'x') {
			unsigned v;

			sscanf(s + 2, "%2x", &v);
			out[n++] = v;
			s += 4;
		} else if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

static void on_exchange(void *ctx, const struct http_exchange *ex)
{
	struct got *g = ctx;
	char m[64], t[4 * HTTP_PATH_MAX], h[4 * HTTP_HOST_MAX], flags[256] = "";
	char line[LINE_MAX_ * 4];

	for (int i = 0; i < HTTP_F_COUNT; i++) {
		if (ex->flags & (1u << i)) {
			if (flags[0])
				strcat(flags, ",");
			strcat(flags, http_flag_names[i]);
		}
	}
	esc(m, sizeof(m), ex->method);
	esc(t, sizeof(t), ex->path);
	esc(h, sizeof(h), ex->host);
	snprintf(line, sizeof(line), "x %s %s %s %d %llu %llu %llu %llu %s", m, t, h, ex->status,
		 (unsigned long long)ex->req.bytes, (unsigned long long)ex->req.body_bytes,
		 (unsigned long long)ex->resp.bytes, (unsigned long long)ex->resp.body_bytes,
		 flags[0] ? flags : "-");
	if (g->n < MAX_LINES)
		g->line[g->n] = strdup(line);
	g->n++;
}

/* One run; 0 when the exchanges are the expected ones. */
static int run(const struct stream *st, int bytewise, int verbose)
{
	struct http_conn c;
	struct got g = {};
	int bad = 0;

	if (http_conn_init(&c, &lim, on_exchange, &g)) {
		fprintf(stderr, "%s: failed to init the parser\n", st->name);
		return 1;
	}
	for (int i = 0; i < st->nseg; i++) {
		const struct seg *s = &st->seg[i];

		if (!bytewise) {
			http_conn_feed(&c, s->dir, s->data, s->len, i + 1);
			continue;
		}
		for (size_t k = 0; k < s->len; k++)
			http_conn_feed(&c, s->dir, s->data + k, 1, i + 1);
	}
	http_conn_finish(&c, st->nseg + 1);
	if (http_conn_mem(&c)) {
		fprintf(stderr, "%s: %zu bytes left after finish\n", st->name, http_conn_mem(&c));
		bad = 1;
	}
	if (g.n != st->nwant)
		bad = 1;
	for (int i = 0; !bad && i < g.n && i < MAX_LINES; i++)
		bad = strcmp(g.line[i], st->want[i]) != 0;
	if (bad || verbose) {
		fprintf(stderr, "%s %s (%s):\n", bad ? "FAIL" : "ok", st->name,
			bytewise ? "one byte per feed" : "as segmented");
		for (int i = 0; i < st->nwant; i++)
			fprintf(stderr, "  want %s\n", st->want[i]);
		for (int i = 0; i < g.n && i < MAX_LINES; i++)
			fprintf(stderr, "  got  %s\n", g.line[i]);
	}
	for (int i = 0; i < g.n && i < MAX_LINES; i++)
		free(g.line[i]);
	return bad;
}

static void stream_free(struct stream *st)
{
	for (int i = 0; i < st->nseg; i++)
		free(st->seg[i].data);
	for (int i = 0; i < st->nwant; i++)
		free(st->want[i]);
	memset(st, 0, sizeof(*st));
}

int main(int argc, char **argv)
{
	static struct stream st;
	static char line[1 << 20];
	int streams = 0, failed = 0, runs = 0, exchanges = 0, verbose = argc > 2;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: http_golden TABLE [-v]\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (!strncmp(line, "stream ", 7)) {
			char *sp;

			stream_free(&st);
			snprintf(st.name, sizeof(st.name), "%s", line + 7);
			sp = strchr(st.name, ' ');
			if (sp) {
				*sp = '\0';
				st.resync = !strcmp(sp + 1, "resync");
			}
		} else if ((line[0] == '>' || line[0] == '<') && line[1] == ' ') {
			struct seg *s = &st.seg[st.nseg];

			if (st.nseg == MAX_SEGS)
				goto bad_table;
			s->dir = line[0] == '>' ? HTTP_DIR_REQ : HTTP_DIR_RESP;
			s->data = malloc(strlen(line));
			s->len = unesc(line + 2, s->data);
			st.nseg++;
		} else if (line[0] == 'x' && line[1] == ' ') {
			if (st.nwant == MAX_LINES)
				goto bad_table;
			st.want[st.nwant++] = strdup(line);
		} else if (!strcmp(line, "end")) {
			streams++;
			exchanges += st.nwant;
			failed += run(&st, 0, verbose);
			runs++;
			if (!st.resync) {
				failed += run(&st, 1, verbose);
				runs++;
			}
		} else {
			goto bad_table;
		}
	}
	fclose(f);
	stream_free(&st);
	printf("golden: %d streams, %d exchanges expected, %d runs, %d failed\n", streams, exchanges,
	       runs, failed);
	return failed || !streams;
bad_table:
	fprintf(stderr, "%s: bad line: %.80s\n", argv[1], line);
	return 1;
}
