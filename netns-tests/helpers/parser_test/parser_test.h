/*
 * parser_test: the XDP and tc programs run on crafted packets with
 * BPF_PROG_TEST_RUN; every case asserts the verdict and the exact counters.
 * Maps are not pinned, so nothing touches the live datapath.
 * main.c runs the cases and checks them; each other file is one group of cases.
 */
#ifndef NETBPF_PARSER_TEST_H
#define NETBPF_PARSER_TEST_H

#include <stdio.h>
#include <linux/types.h>

#include "bpf/datapath/datapath.h"
#include "common/pkt.h"
#include "tc.skel.h"
#include "xdp.skel.h"

extern struct xdp *xs;
extern struct tc *ts;
extern int failures, cases;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (!(cond)) {                                      \
			printf("not ok - %s: ", name);              \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
			failures++;                                 \
			return;                                     \
		}                                                   \
	} while (0)

/* Zeroes every hook's counters, before a case that counts them. */
void reset_stats(void);
/* The counters of hook summed over the CPUs. */
void read_stats(int fd, __u32 hook, struct nb_hook_stats *sum);
/* One BPF_PROG_TEST_RUN of p; 0 or -errno. */
int run(int prog_fd, struct pkt *p, __u32 *retval);
/* One packet through XDP: expect the verdict and exactly one count in l3, l4, verdict. */
void expect_xdp(const char *name, struct pkt *p, int l3, int l4, int verdict);
/* As `deny add` adds and `deny del` deletes them (exits on failure). */
void add_rule(const char *cidr, __u8 proto, __u16 port);
void del_rule(const char *cidr, __u8 proto, __u16 port);

void test_parsing(void);
void test_truncation(void);
void test_fail_closed(void);
void test_rule_kinds(void);
void test_garbage(void);
void test_tc(void);

#endif /* NETBPF_PARSER_TEST_H */
