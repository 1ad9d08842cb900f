/* What counts as a secret, and the rewriting of parameter lists that hold some. */
#include <string.h>
#include <strings.h>

#include "http/redact.h"

#define PARAM_NAME_MAX 64

static const char *const secret_headers[] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"x-api-key", "x-auth-token", "x-amz-security-token",
};

/* OAuth, API keys, passwords, signed URLs (AWS SigV4 query signing included). */
static const char *const secret_params[] = {
	"access_token", "refresh_token", "id_token", "token", "auth_token", "client_secret",
	"api_key", "apikey", "api-key", "password", "passwd", "pwd", "secret", "sig",
	"signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
};

/* Every header of every message goes through here: the first letter, case folded
 * (| 0x20 never tells apart what strncasecmp takes for equal), rules out most. */
static int in_list(const char *const *list, size_t len, const char *s, size_t n)
{
	for (size_t i = 0; i < len; i++) {
		if (n && (list[i][0] | 0x20) != (s[0] | 0x20))
			continue;
		if (strlen(list[i]) == n && !strncasecmp(s, list[i], n))
			return 1;
	}
	return 0;
}

int redact_header(const struct http_redact *r, const char *name, size_t n)
{
	if (r && r->show_secrets)
		return 0;
	return in_list(secret_headers, sizeof(secret_headers) / sizeof(secret_headers[0]), name, n) ||
	       (r && in_list(r->headers, r->nheaders, name, n));
}

int redact_header_is_url(const char *name, size_t n)
{
	static const char *const url_headers[] = { "referer", "location", "content-location" };

	return in_list(url_headers, sizeof(url_headers) / sizeof(url_headers[0]), name, n);
}

static int param_secret(const struct http_redact *r, const char *name, size_t n)
{
	return in_list(secret_params, sizeof(secret_params) / sizeof(secret_params[0]), name, n) ||
	       (r && in_list(r->params, r->nparams, name, n));
}

static int is_sep(char ch, int query)
{
	return ch == '&' || ch == ';' || ch == '?' ||
	       (!query && (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t'));
}

static int ends_value(char ch, int query)
{
	return is_sep(ch, query) || ch == '#' || ch == ' ';
}

struct sink {
	char *out;
	size_t len, size;
	int *cut;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (n > s->size - s->len) {
		n = s->size - s->len;
		*s->cut = 1;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
}

size_t redact_params(const struct http_redact *r, const char *in, size_t n, int query,
		     char *out, size_t size, int *cut)
{
	struct sink s = { .out = out, .size = size, .cut = cut };
	const char *q = query ? memchr(in, '?', n) : in;
	size_t i = q ? (size_t)(q - in) : n;

	*cut = 0;
	put(&s, in, i);
	if (r && r->show_secrets) {
		put(&s, in + i, n - i);
		return s.len;
	}
	while (i < n) {
		size_t name = i, eq, end;

		/* Separators pass through; a parameter starts after them. */
		if (is_sep(in[i], query) || in[i] == '#') {
			put(&s, in + i, 1);
			i++;
			continue;
		}
		for (eq = name; eq < n && in[eq] != '=' && !ends_value(in[eq], query); eq++)
			;
		for (end = eq; end < n && !ends_value(in[end], query); end++)
			;
		if (eq < n && in[eq] == '=' && eq - name <= PARAM_NAME_MAX &&
		    param_secret(r, in + name, eq - name)) {
			put(&s, in + name, eq + 1 - name);
			put(&s, HTTP_REDACTED, sizeof(HTTP_REDACTED) - 1);
		} else {
			put(&s, in + name, end - name);
		}
		i = end;
	}
	return s.len;
}
