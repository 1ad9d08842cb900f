/*
 * Pin layout: /sys/fs/bpf/netbpf/<netns inode>_<ifname>/ holds everything `up`
 * installed on one interface. Interface names repeat across network namespaces
 * while bpffs is shared by all of them, so the namespace is part of the name.
 */
#ifndef NETBPF_PIN_H
#define NETBPF_PIN_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define PIN_BPFFS "/sys/fs/bpf"
#define PIN_ROOT PIN_BPFFS "/netbpf"

#define PIN_STATE   "netbpf_state"
#define PIN_STATS   "netbpf_stats"
#define PIN_DENY    "netbpf_deny"
#define PIN_DENY_KINDS "netbpf_deny_kinds"
#define PIN_XDP     "xdp_link"
#define PIN_XDP_PROG "xdp_prog"   /* instead of PIN_XDP after `up --force` (see state.h) */
#define PIN_TC_IN   "tc_ingress"  /* a link (TCX) or a program (clsact) */
#define PIN_TC_EG   "tc_egress"

/*
 * Checks that /sys/fs/bpf is a bpffs; prints the error and a hint if not. Under
 * `ip netns exec` (a mount namespace with a fresh /sys, so no bpffs) it first
 * joins the mount namespace of the nearest ancestor process that has one.
 */
int pin_check_bpffs(void);
uint64_t pin_netns_ino(void);
/* Directory for ifname in this network namespace. */
int pin_dir(const char *ifname, char *buf, size_t len);
/* "<dir>/<name>" into buf. */
int pin_path(const char *dir, const char *name, char *buf, size_t len);
/* Creates PIN_ROOT and dir (mode 0700). */
int pin_mkdir(const char *dir);
/* Unlinks every pin in dir, then dir itself. */
int pin_rmdir(const char *dir);
/* Clears the pin path of every map of obj before load: a private copy (a bench, a
 * test run) must not reuse or create the datapath's pinned maps. */
struct bpf_object;
int pin_clear_paths(struct bpf_object *obj);
/* Opens a pinned object; -errno when it is not there. */
int pin_open(const char *dir, const char *name);
/*
 * Opens a pinned map that is read into fixed structs, after checking its key and
 * value sizes (per CPU for per-CPU maps): a map pinned by another netbpf version
 * is refused (-EPROTO, message printed) instead of being read into a struct of
 * the wrong size.
 */
int pin_open_map(const char *dir, const char *name, __u32 key_size, __u32 value_size);

/*
 * Calls fn for every interface directory under PIN_ROOT; with only_this_netns,
 * only those of the caller's namespace. Stops at and returns fn's first error.
 */
typedef int (*pin_iter_fn)(const char *dir, uint64_t netns_ino, const char *ifname, void *ctx);
int pin_for_each(int only_this_netns, pin_iter_fn fn, void *ctx);

#endif /* NETBPF_PIN_H */
