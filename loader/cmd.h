/* Commands of the netbpf loader: one cmd_<name>.c each, dispatched by main.c. */
#ifndef NETBPF_CMD_H
#define NETBPF_CMD_H

#include <stdbool.h>

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
};

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
