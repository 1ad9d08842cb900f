/* The one dispatcher of every command level (bpftool's cmd_select, with prefixes that
 * must be unambiguous: 'sta' names no command when both status and stats exist). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "common/log.h"

struct global_opts gopt;

static bool is_prefix(const char *prefix, const char *name)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* "a, b, c": the names in cmds that start with prefix. */
static const char *names(const struct cmd *cmds, size_t n, const char *prefix, char *buf,
			 size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && len < size; i++)
		if (is_prefix(prefix, cmds[i].name))
			len += snprintf(buf + len, size - len, "%s%s", len ? ", " : "", cmds[i].name);
	return buf;
}

int cmd_select(const struct cmd *cmds, size_t n, const char *what, int argc, char **argv,
	       void (*usage)(FILE *f))
{
	const struct cmd *match = NULL;
	const char *name = argc > 0 ? argv[0] : NULL;
	int matches = 0;
	char list[256];

	if (!name) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(stdout);
		return CMD_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(cmds[i].name, name)) {
			match = &cmds[i];
			matches = 1;
			break;
		}
		if (*name != '-' && is_prefix(name, cmds[i].name)) {
			match = &cmds[i];
			matches++;
		}
	}
	if (matches > 1) {
		pr_warn("ambiguous %s '%s': %s\n", what, name, names(cmds, n, name, list, sizeof(list)));
		return CMD_USAGE;
	}
	if (!match) {
		pr_warn("unknown %s '%s': expected one of %s\n", what, name,
			names(cmds, n, "", list, sizeof(list)));
		return CMD_USAGE;
	}
	optind = 0; /* the command runs its own getopt from argv[0] */
	return match->run(argc, argv);
}
