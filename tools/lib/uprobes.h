/* User-space attach points: functions by name (uprobe/uretprobe), USDT probes, and
 * finding the shared library a process really uses. */
#ifndef TOOLS_UPROBES_H
#define TOOLS_UPROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <bpf/libbpf.h>

/* pid -1: every process that maps binary. NULL with a message on failure. */
struct bpf_link *uprobe_attach(struct bpf_program *prog, pid_t pid, const char *binary,
			       const char *func, bool retprobe);
struct bpf_link *usdt_attach(struct bpf_program *prog, pid_t pid, const char *binary,
			     const char *provider, const char *name);
/* Full path of the library whose file name starts with soname_prefix ("libssl.so"):
 * from /proc/PID/maps when pid > 0, else from the usual library directories. */
int uprobe_find_lib(const char *soname_prefix, pid_t pid, char *out, size_t len);

#endif /* TOOLS_UPROBES_H */
