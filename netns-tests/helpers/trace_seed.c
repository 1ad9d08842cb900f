// SPDX-License-Identifier: GPL-2.0
/* trace_seed N: loads and attaches netns-tests/progs/trace_seed.bpf.c for this
 * process, prints "ids ENTER EXIT" (program ids), waits for a line on stdin, calls
 * getppid() N times and prints "handled H" (the subfunction's own count); then
 * holds the programs until stdin closes, so a tracer can read them. Exit 0, or 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "trace_seed.skel.h"

static __u32 prog_id(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ? 0 : info.id;
}

int main(int argc, char **argv)
{
	struct trace_seed *skel;
	int n = argc > 1 ? atoi(argv[1]) : 0, rc = 1;
	char line[64];

	if (n < 1) {
		fprintf(stderr, "usage: trace_seed N\n");
		return 1;
	}
	skel = trace_seed__open();
	if (!skel)
		goto out;
	skel->rodata->targ_pid = getpid();
	if (trace_seed__load(skel) || trace_seed__attach(skel))
		goto out;
	printf("ids %u %u\n", prog_id(skel->progs.seed_enter), prog_id(skel->progs.seed_exit));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		goto out;
	/* The raw syscall: no library may answer it from a cache. */
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("handled %llu\n", (unsigned long long)skel->bss->handled);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "trace_seed: %s\n", strerror(errno));
	trace_seed__destroy(skel);
	return rc;
}
