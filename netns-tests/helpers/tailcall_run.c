// SPDX-License-Identifier: GPL-2.0
/* tailcall_run N: loads bpf/bench/bench_tailcall.bpf.c (maps unpinned, chain filled by
 * libbpf), prints "ids L2 L3 L4 DECIDE" (program ids of the chain), waits for a line
 * on stdin, runs tail_l2 N times with BPF_PROG_TEST_RUN on a zeroed 64-byte frame
 * (it tail-calls l3, l4 and decide in turn) and prints "retval R"; then holds the
 * programs until stdin closes, so a tracer can read them. Exit 0, or 1 on error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_tailcall.skel.h"
#include "common/pin.h"

static __u32 prog_id(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ? 0 : info.id;
}

int main(int argc, char **argv)
{
	__u8 pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt));
	struct bench_tailcall *skel;
	char line[64];
	int rc = 1;

	t.repeat = argc > 1 ? atoi(argv[1]) : 0;
	if (t.repeat < 1) {
		fprintf(stderr, "usage: tailcall_run N\n");
		return 1;
	}
	skel = bench_tailcall__open();
	if (!skel)
		goto out;
	if (pin_clear_paths(skel->obj) || bench_tailcall__load(skel))
		goto out;
	printf("ids %u %u %u %u\n", prog_id(skel->progs.tail_l2), prog_id(skel->progs.tail_l3),
	       prog_id(skel->progs.tail_l4), prog_id(skel->progs.tail_decide));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		goto out;
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.tail_l2), &t))
		goto out;
	printf("retval %u\n", t.retval);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "tailcall_run: %s\n", strerror(errno));
	bench_tailcall__destroy(skel);
	return rc;
}
