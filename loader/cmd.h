/* Commands of the netbpf loader: one cmd_<name>.c each, dispatched by main.c. Every
 * level (netbpf COMMAND, netbpf redirect on|off|status, ...) is a table of struct cmd
 * run by cmd_select, and every command returns an exit status: CMD_OK, CMD_FAIL or
 * CMD_USAGE. Option parsers return CMD_RUN or the status to exit with (--help: CMD_OK),
 * never exit(). */
#ifndef NETBPF_CMD_H
#define NETBPF_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
	CMD_RUN   = -1, /* from option parsers: parsed, run the command (never an exit status) */
	CMD_OK    = 0,
	CMD_FAIL  = 1, /* the command ran and failed; its message says why */
	CMD_USAGE = 2, /* the command line is wrong; nothing was done */
};

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name; returns CMD_* */
	const char *summary; /* the top level's usage lists them; a subcommand's usage is text */
};

#define CMD_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Runs the command of the n in cmds that argv[0] names or is a unique prefix of;
 * "-h"/"--help" prints usage on stdout; no name, an unknown or an ambiguous one print
 * an error naming the candidates and return CMD_USAGE. what names the level in
 * messages ("command", "redirect command"); getopt restarts for the command. */
int cmd_select(const struct cmd *cmds, size_t n, const char *what, int argc, char **argv,
	       void (*usage)(FILE *f));

/* An operation's result (0, or a negative errno or -1 already reported) as CMD_*. */
static inline int cmd_status(int err)
{
	return err ? CMD_FAIL : CMD_OK;
}

/* Global flags parsed before the command, visible to every command. */
struct global_opts {
	bool json;
};
extern struct global_opts gopt;

int do_up(int argc, char **argv);
int do_down(int argc, char **argv);
int do_status(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_deny(int argc, char **argv);
int do_clean(int argc, char **argv);
int do_redirect(int argc, char **argv);
int do_bench(int argc, char **argv);
int do_trace(int argc, char **argv);
int do_sniff(int argc, char **argv);
int do_exporter(int argc, char **argv);

#endif /* NETBPF_CMD_H */
