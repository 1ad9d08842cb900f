/* HTTP/1.x lines and heads: line buffering within max_line, start lines, header fields. */
#include <string.h>
#include <strings.h>

#include "http/head.h"
#include "http/mem.h"
#include "http/redact.h"
#include "http/store.h"

#define DIGITS_MAX 15 /* Content-Length / chunk size: more would overflow */

int http_sniff_start(const uint8_t *d, size_t len)
{
	static const char *const methods[] = {
		"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ",
		"PATCH ", "CONNECT ", "TRACE ",
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = strlen(methods[i]);

		if (len >= n && !memcmp(d, methods[i], n))
			return 1;
	}
	if (len >= 7 && !memcmp(d, "HTTP/1.", 7))
		return 2;
	return 0;
}

void head_begin(struct http_half *h)
{
	h->dropped = 0;
	h->content_length = -1;
	h->te = 0;
	h->chunked = 0;
	h->last_hdr = HDR_NONE;
	h->last_kept = 0;
}

/* Stored strings are printable ASCII so that any output format can carry them. */
static void copy_printable(char *dst, size_t size, const char *src, size_t n, uint32_t *flags)
{
	if (n >= size) {
		n = size - 1;
		*flags |= HTTP_F_TRUNCATED;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[n] = '\0';
}

/* Appends text to the kept headers (made printable unless raw, for ": " and "\n");
 * the caller checked that it fits. */
static void hdrs_put(struct http_exchange *ex, struct http_message *m, const char *s, size_t n,
		     int raw)
{
	if (raw)
		memcpy(m->hdrs + m->hdrs_len, s, n + 1);
	else
		copy_printable(m->hdrs + m->hdrs_len, n + 1, s, n, &ex->flags);
	m->hdrs_len += n;
}

/* Secret values are replaced, URLs lose their credential parameters, before anything is
 * kept: in buf; other values are kept as they are, not copied first. */
static const char *value_redacted(const struct http_conn *c, enum hdr_kind kind, int query,
				  const char *v, size_t *n, char *buf, size_t size)
{
	int cut;

	if (kind == HDR_SECRET) {
		memcpy(buf, HTTP_REDACTED, sizeof(HTTP_REDACTED) - 1);
		*n = sizeof(HTTP_REDACTED) - 1;
		return buf;
	}
	if (kind == HDR_URL) {
		*n = redact_params(c->lim.redact, v, *n, query, buf, size, &cut);
		return buf;
	}
	if (*n > size)
		*n = size;
	return v;
}

/* Appends "Name: value\n" to the message's kept headers. */
static void keep_header(struct http_conn *c, struct http_half *h, struct http_exchange *ex,
			struct http_message *m, const char *name, size_t nlen, const char *v,
			size_t vlen)
{
	char buf[HTTP_HDRS_MAX];
	const char *val = value_redacted(c, h->last_hdr, 1, v, &vlen, buf, sizeof(buf));

	h->last_kept = 0;
	if (m->hdrs_len + nlen + 2 + vlen + 2 > sizeof(m->hdrs)) {
		ex->flags |= HTTP_F_TRUNCATED;
		return;
	}
	hdrs_put(ex, m, name, nlen, 0);
	hdrs_put(ex, m, ": ", 2, 1);
	hdrs_put(ex, m, val, vlen, 0);
	hdrs_put(ex, m, "\n", 1, 1);
	h->last_kept = 1;
}

/* obs-fold (RFC 9112 5.2): " more" continues the previous field's value, and keeps its
 * redaction. Continuations of framing fields would let peers disagree: malformed. */
static int fold_header(struct http_conn *c, struct http_half *h, struct http_exchange *ex,
		       struct http_message *m, const char *v, size_t vlen)
{
	char buf[HTTP_HDRS_MAX];
	const char *val;

	if (h->last_hdr == HDR_NONE || h->last_hdr == HDR_FRAMING)
		return -1;
	if (!ex)
		return 0;
	ex->flags |= HTTP_F_FOLDED;
	if (!m || !h->last_kept || h->last_hdr == HDR_SECRET || !vlen)
		return 0;
	val = value_redacted(c, h->last_hdr, 0, v, &vlen, buf, sizeof(buf));
	if (m->hdrs_len + 1 + vlen + 1 > sizeof(m->hdrs)) {
		ex->flags |= HTTP_F_TRUNCATED;
		return 0;
	}
	m->hdrs_len--; /* the '\n' of the field continued */
	hdrs_put(ex, m, " ", 1, 1);
	hdrs_put(ex, m, val, vlen, 0);
	hdrs_put(ex, m, "\n", 1, 1);
	return 0;
}

int64_t head_number(const char *s, size_t n, int base)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int dv;

		if (s[i] >= '0' && s[i] <= '9')
			dv = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			dv = s[i] - 'a' + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			dv = s[i] - 'A' + 10;
		else
			break;
		if (i == DIGITS_MAX)
			return -1;
		v = v * base + dv;
	}
	if (i == 0)
		return -1;
	/* What follows the digits: nothing, or a chunk extension. */
	for (; i < n; i++) {
		if (s[i] == ';' && base == 16)
			break;
		if (s[i] != ' ' && s[i] != '\t')
			return -1;
	}
	return v;
}

size_t head_trim_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Calls fn on each non-empty element of a comma-separated list, trimmed; stops at -1. */
static int each_element(const char *v, size_t n, int (*fn)(void *arg, const char *e, size_t len),
			void *arg)
{
	size_t i = 0;

	while (i < n) {
		const char *comma = memchr(v + i, ',', n - i);
		size_t end = comma ? (size_t)(comma - v) : n, s = i;

		while (s < end && (v[s] == ' ' || v[s] == '\t'))
			s++;
		if (end > s && fn(arg, v + s, head_trim_len(v + s, end - s)))
			return -1;
		i = end + 1;
	}
	return 0;
}

/* Content-Length: a list of one value (RFC 9110 8.6 allows repeats of it). */
static int cl_element(void *arg, const char *e, size_t n)
{
	int64_t *cl = arg, v = head_number(e, n, 10);

	if (v < 0)
		return -1;
	if (*cl >= 0 && *cl != v)
		return (int)(*cl = -2); /* different values */
	*cl = v;
	return 0;
}

/* Transfer-Encoding: the last coding of the last field is the final one (RFC 9112 6.1);
 * in a request, chunked followed by another coding can only be an error. */
struct te_state {
	int chunked;
	int request;
};

static int te_element(void *arg, const char *e, size_t n)
{
	struct te_state *te = arg;
	size_t len = 0;

	if (te->chunked && te->request)
		return -1;
	while (len < n && is_tchar(e[len]))
		len++;
	te->chunked = len == 7 && !strncasecmp(e, "chunked", 7);
	return 0;
}

static int framing_header(struct http_half *h, enum http_dir dir, struct http_exchange *ex,
			  const char *name, size_t nlen, const char *v, size_t vlen)
{
	if (nlen == 14 && !strncasecmp(name, "content-length", 14)) {
		int64_t cl = h->content_length;

		if (each_element(v, vlen, cl_element, &cl) || cl == -1) {
			if (cl == -2 && ex)
				ex->flags |= HTTP_F_AMBIGUOUS;
			return -1;
		}
		h->content_length = cl;
		return 1;
	}
	if (nlen == 17 && !strncasecmp(name, "transfer-encoding", 17)) {
		struct te_state te = { .chunked = h->chunked, .request = dir == HTTP_DIR_REQ };

		h->te = 1;
		if (each_element(v, vlen, te_element, &te))
			return -1;
		h->chunked = te.chunked;
		return 1;
	}
	return 0;
}

int head_field(struct http_conn *c, struct http_half *h, enum http_dir dir,
	       const char *l, size_t n)
{
	struct http_exchange *ex = c->cur[dir];
	struct http_message *m = store_msg(c, dir);
	const char *colon, *v;
	size_t nlen, vlen;
	int framing;

	if (l[0] == ' ' || l[0] == '\t') {
		for (v = l; v < l + n && (*v == ' ' || *v == '\t'); v++)
			;
		return fold_header(c, h, ex, m, v, n - (v - l));
	}
	colon = memchr(l, ':', n);
	if (!colon || colon == l) {
		if (!h->line_overflow)
			return -1;
		/* Cut before its colon: whatever continues it is not kept either. */
		h->last_hdr = HDR_SECRET;
		return 0;
	}
	nlen = colon - l;
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(l[i]))
			return -1; /* also RFC 9112 5.1: no whitespace before the colon */
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	vlen = head_trim_len(v, vlen);

	framing = framing_header(h, dir, ex, l, nlen, v, vlen);
	if (framing < 0)
		return -1;
	if (framing)
		h->last_hdr = HDR_FRAMING;
	else if (redact_header(c->lim.redact, l, nlen))
		h->last_hdr = HDR_SECRET;
	else if (redact_header_is_url(l, nlen))
		h->last_hdr = HDR_URL;
	else
		h->last_hdr = HDR_PLAIN;
	if (dir == HTTP_DIR_REQ && nlen == 4 && !strncasecmp(l, "host", 4) && ex)
		copy_printable(ex->host, sizeof(ex->host), v, vlen, &ex->flags);
	if (m)
		keep_header(c, h, ex, m, l, nlen, v, vlen);
	return 0;
}

static int is_method_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_';
}

/* "METHOD SP target SP HTTP/1.x"; an overflowing line keeps method and target prefix. */
int head_request_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
{
	struct http_exchange *ex;
	const char *sp1 = memchr(l, ' ', n), *sp2, *target;
	char path[HTTP_PATH_MAX];
	size_t mlen, tlen;
	int minor = 1, cut;

	if (!sp1 || sp1 == l || sp1 - l >= HTTP_METHOD_MAX)
		return -1;
	mlen = sp1 - l;
	for (size_t i = 0; i < mlen; i++)
		if (!is_method_char(l[i]))
			return -1;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - mlen - 1);
	if (sp2) {
		const char *ver = sp2 + 1;
		size_t vlen = head_trim_len(ver, n - (ver - l));

		if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) || ver[7] < '0' || ver[7] > '9')
			return -1;
		minor = ver[7] - '0';
		tlen = sp2 - target;
	} else if (h->line_overflow) {
		tlen = n - mlen - 1;
	} else {
		return -1;
	}
	if (!tlen)
		return -1;
	ex = store_ex_new(c);
	if (!ex) {
		h->dropped = 1; /* framed all the same: what follows stays in step */
		return 0;
	}
	if (h->line_overflow)
		ex->flags |= HTTP_F_TRUNCATED;
	memcpy(ex->method, l, mlen);
	/* One byte more than fits: copy_printable then sees the cut and flags it. */
	tlen = redact_params(c->lim.redact, target, tlen, 1, path, sizeof(path), &cut);
	copy_printable(ex->path, sizeof(ex->path), path, tlen, &ex->flags);
	ex->version_minor = minor;
	c->cur[HTTP_DIR_REQ] = ex;
	return 0;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" */
int head_status_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
{
	struct http_exchange *ex;
	int status;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) || l[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++)
		if (l[i] < '0' || l[i] > '9')
			return -1;
	if (n > 12 && l[12] != ' ' && l[12] != '\r')
		return -1;
	status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (status < 100)
		return -1;

	h->status = status;
	ex = store_ex_for_response(c, &h->dropped);
	c->cur[HTTP_DIR_RESP] = ex;
	if (!ex)
		return 0;
	/* Interim 1xx heads count in bytes; the final head's time and headers win. */
	ex->resp.hdrs_len = 0;
	ex->resp.hdrs[0] = '\0';
	ex->status = status;
	return 0;
}

size_t head_take_line(struct http_conn *c, struct http_half *h, enum http_dir dir,
		      const uint8_t *d, size_t len, int *done)
{
	const uint8_t *lf = memchr(d, '\n', len);
	size_t n = lf ? (size_t)(lf - d) + 1 : len;
	size_t keep = lf ? n - 1 : n;

	*done = lf != NULL;
	h->line_bytes += n;
	if (keep > c->lim.max_line - h->line_len) {
		keep = c->lim.max_line - h->line_len;
		h->line_overflow = 1;
	}
	if (h->line_len + keep > h->line_size) {
		uint32_t size = h->line_size;
		char *p;

		while (size < h->line_len + keep)
			size *= 2;
		if (size > c->lim.max_line)
			size = c->lim.max_line;
		p = http_mem_realloc(c, h->line, h->line_size, size);
		if (!p) {
			keep = h->line_size - h->line_len;
			h->line_overflow = 1;
			if (c->cur[dir])
				c->cur[dir]->flags |= HTTP_F_NO_MEMORY;
		} else {
			h->line = p;
			h->line_size = size;
		}
	}
	memcpy(h->line + h->line_len, d, keep);
	h->line_len += keep;
	return n;
}
