/* Logging for the loader: one print path, libbpf's chatter only with -v. */
#ifndef NETBPF_LOG_H
#define NETBPF_LOG_H


extern int log_level; /* 0 warn (-q), 1 info (default), 2 debug (-v) */

void log_setup(void);

/* Prints the last n lines libbpf reported (the verifier log's tail on a failed load). */
void log_print_libbpf_tail(int n);

void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* NETBPF_LOG_H */
