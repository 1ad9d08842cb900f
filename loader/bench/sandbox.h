/* Where the redirect bench runs: a cgroup v2 directory of its own (one child per mode, so
 * the bypass can stay attached to one of them while the other one is plain TCP) and a
 * network namespace of its own (its loopback is nobody else's). */
#ifndef NETBPF_BENCH_SANDBOX_H
#define NETBPF_BENCH_SANDBOX_H

#include <limits.h>

struct bench_sandbox {
	char dir[PATH_MAX];  /* <cgroup2 mount>/netbpf-bench-<pid>, "" until created */
	char home[PATH_MAX]; /* the cgroup this process came from */
};

/* Creates the directory and its children (names), without entering them. */
int sandbox_create(struct bench_sandbox *sb, const char *const *names, int n);
/* Path of a child; valid until the next call. */
const char *sandbox_path(const struct bench_sandbox *sb, const char *name);
/* Moves this whole process (all threads) into a child, or home for name == NULL.
 * Sockets keep the cgroup of the task that created them. */
int sandbox_enter(const struct bench_sandbox *sb, const char *name);
/* Goes home, kills what is left inside, removes the directories. Safe to call twice. */
void sandbox_destroy(struct bench_sandbox *sb);
/* Moves the calling thread (and threads it creates later) to a new network namespace with
 * its loopback up. */
int sandbox_netns(void);

#endif /* NETBPF_BENCH_SANDBOX_H */
