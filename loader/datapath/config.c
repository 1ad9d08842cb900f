#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "datapath/config.h"
#include "datapath/rules.h"

#define MAX_WORDS 8

static const char *const xdp_modes[] = { "auto", "native", "skb" };
static const char *const tc_modes[] = { "auto", "tcx", "clsact" };

static int find(const char *word, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	return -1;
}

/* One line split on blanks; a '#' starts a comment. Returns the word count. */
static int split(char *line, char **w)
{
	int n = 0;

	line[strcspn(line, "#\n")] = '\0';
	for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (n == MAX_WORDS)
			return -1;
		w[n++] = tok;
	}
	return n;
}

static int same_rule(const struct nb_deny_key *a, const struct nb_deny_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Applies one non-empty line; NULL, or what is wrong with it. */
static const char *config_line(struct config *c, char **w, int n, int *first_line, const int *lines)
{
	const char *err;

	if (!strcmp(w[0], "xdp-mode") || !strcmp(w[0], "tc")) {
		bool xdp = w[0][0] == 'x';
		int m = n == 2 ? find(w[1], xdp ? xdp_modes : tc_modes, 3) : -1;

		if (m < 0)
			return xdp ? "xdp-mode takes one of auto, native, skb" : "tc takes one of auto, tcx, clsact";
		*(xdp ? &c->xdp_mode : &c->tc_mode) = m;
		return NULL;
	}
	if (strcmp(w[0], "deny"))
		return "unknown setting (xdp-mode, tc, deny)";
	if (c->nrules == NB_DENY_MAX_RULES)
		return "too many deny rules";
	err = rule_parse(n - 1, w + 1, &c->rules[c->nrules]);
	if (err)
		return err;
	for (int i = 0; i < c->nrules; i++)
		if (same_rule(&c->rules[i], &c->rules[c->nrules])) {
			*first_line = lines[i];
			return "duplicate rule";
		}
	c->nrules++;
	return NULL;
}

int config_load(const char *path, struct config *c)
{
	static int lines[NB_DENY_MAX_RULES]; /* where each rule was given */
	char buf[512], *w[MAX_WORDS];
	int lineno = 0, n, first = 0, ret = 0;
	const char *err;
	FILE *f = fopen(path, "re");

	memset(c, 0, sizeof(*c));
	c->xdp_mode = c->tc_mode = -1;
	if (!f) {
		pr_warn("failed to open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			pr_warn("%s:%d: line longer than %zu bytes\n", path, lineno, sizeof(buf) - 2);
			ret = -1;
			break;
		}
		n = split(buf, w);
		if (n == 0)
			continue;
		lines[c->nrules] = lineno;
		err = n < 0 ? "too many words" : config_line(c, w, n, &first, lines);
		if (err) {
			if (first)
				pr_warn("%s:%d: %s (first on line %d)\n", path, lineno, err, first);
			else
				pr_warn("%s:%d: %s\n", path, lineno, err);
			ret = -1;
			break;
		}
	}
	fclose(f);
	return ret;
}
