/* HTTP/1.x lines and heads: line buffering within max_line, start lines, header fields. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/half.h"

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

/* Appends "Name: value\n" to the message's kept headers, redacting secrets. */
static void keep_header(struct http_conn *c, struct http_exchange *ex, struct http_message *m,
			const char *name, size_t nlen, const char *val, size_t vlen)
{
	static const char *const secrets[] = {
		"authorization", "proxy-authorization", "cookie", "set-cookie",
	};
	static const char redacted[] = "<redacted>";
	uint32_t need;

	if (!c->lim.show_secrets) {
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
			if (nlen == strlen(secrets[i]) && !strncasecmp(name, secrets[i], nlen)) {
				val = redacted;
				vlen = sizeof(redacted) - 1;
				break;
			}
		}
	}
	need = nlen + 2 + vlen + 1;
	if (m->hdrs_len + need + 1 > sizeof(m->hdrs)) {
		ex->flags |= HTTP_F_TRUNCATED;
		return;
	}
	copy_printable(m->hdrs + m->hdrs_len, nlen + 1, name, nlen, &ex->flags);
	m->hdrs_len += nlen;
	memcpy(m->hdrs + m->hdrs_len, ": ", 2);
	m->hdrs_len += 2;
	copy_printable(m->hdrs + m->hdrs_len, vlen + 1, val, vlen, &ex->flags);
	m->hdrs_len += vlen;
	m->hdrs[m->hdrs_len++] = '\n';
	m->hdrs[m->hdrs_len] = '\0';
}

int64_t http_parse_number(const char *s, size_t n, int base)
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

size_t http_trim_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

static int header_has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (!strncasecmp(v + i, tok, tl))
			return 1;
	return 0;
}

int http_on_header(struct http_conn *c, struct http_half *h, enum http_dir dir,
		   const char *l, size_t n)
{
	struct http_message *m = http_msg_of(h, dir);
	const char *colon = memchr(l, ':', n);
	const char *v;
	size_t nlen, vlen;

	if (!colon || colon == l)
		return h->line_overflow ? 0 : -1;
	nlen = colon - l;
	if (l[nlen - 1] == ' ' || l[nlen - 1] == '\t')
		return -1; /* RFC 9112 5.1: no whitespace before the colon */
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	vlen = http_trim_len(v, vlen);

	if (nlen == 14 && !strncasecmp(l, "content-length", 14)) {
		int64_t cl = http_parse_number(v, vlen, 10);

		if (cl < 0 || (h->content_length >= 0 && h->content_length != cl))
			return -1;
		h->content_length = cl;
	} else if (nlen == 17 && !strncasecmp(l, "transfer-encoding", 17)) {
		h->chunked = header_has_token(v, vlen, "chunked");
	} else if (dir == HTTP_DIR_REQ && nlen == 4 && !strncasecmp(l, "host", 4) && h->ex) {
		copy_printable(h->ex->host, sizeof(h->ex->host), v, vlen, &h->ex->flags);
	}
	if (m)
		keep_header(c, h->ex, m, l, nlen, v, vlen);
	return 0;
}

static int is_token_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_';
}

/* "METHOD SP target SP HTTP/1.x"; an overflowing line keeps method and target prefix. */
int http_on_request_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
{
	struct http_exchange *ex;
	const char *sp1 = memchr(l, ' ', n), *sp2, *target;
	size_t mlen, tlen;
	int minor = 1;

	if (!sp1 || sp1 == l || sp1 - l >= HTTP_METHOD_MAX)
		return -1;
	mlen = sp1 - l;
	for (size_t i = 0; i < mlen; i++)
		if (!is_token_char(l[i]))
			return -1;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - mlen - 1);
	if (sp2) {
		const char *ver = sp2 + 1;
		size_t vlen = http_trim_len(ver, n - (ver - l));

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
	ex = http_ex_new(c);
	if (!ex)
		return -1;
	if (h->line_overflow)
		ex->flags |= HTTP_F_TRUNCATED;
	memcpy(ex->method, l, mlen);
	copy_printable(ex->path, sizeof(ex->path), target, tlen, &ex->flags);
	ex->version_minor = minor;
	h->ex = ex;
	return 0;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" */
int http_on_status_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
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

	ex = http_ex_for_response(c);
	if (!ex)
		return -1;
	/* Interim 1xx heads count in bytes; the final head's time and headers win. */
	ex->resp.hdrs_len = 0;
	ex->resp.hdrs[0] = '\0';
	ex->status = status;
	h->status = status;
	h->ex = ex;
	return 0;
}

size_t http_take_line(struct http_conn *c, struct http_half *h, const uint8_t *d, size_t len,
		      int *done)
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
		p = realloc(h->line, size);
		if (!p) {
			keep = h->line_size - h->line_len;
			h->line_overflow = 1;
		} else {
			c->mem += size - h->line_size;
			h->line = p;
			h->line_size = size;
		}
	}
	memcpy(h->line + h->line_len, d, keep);
	h->line_len += keep;
	return n;
}
