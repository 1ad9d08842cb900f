// SPDX-License-Identifier: GPL-2.0
/* probe_fentry [CALLS]: loads and attaches an fentry program on nanosleep(),
 * calls nanosleep() with a zero timeout CALLS times (default 1) and prints "hits=H run_cnt=R": H counted by
 * the program for this process only, R the kernel's own run count of the program
 * (any process), an independent witness. Exit 0 on success, 77 when the kernel
 * refuses BPF trampolines (the reason on stdout), 1 on any other error. */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe_fentry.skel.h"

/* The load is expected to fail on kernels without trampolines: stay quiet. */
static int quiet(enum libbpf_print_level level __attribute__((unused)),
		 const char *fmt __attribute__((unused)), va_list ap __attribute__((unused)))
{
	return 0;
}

/* Errors that mean "this kernel has no (usable) trampolines", not a bug here:
 * EPERM (locked-down kernels), EOPNOTSUPP/ENOTSUPP (no JIT or arch support),
 * ESRCH (no BTF for the target). */
static int refused(int err)
{
	return err == EPERM || err == EOPNOTSUPP || err == 524 || err == ESRCH;
}

static int report(const char *step, int err)
{
	const char *name = strerrorname_np(err); /* NULL for the kernel-only ENOTSUPP */

	if (refused(err)) {
		printf("kernel refuses BPF trampolines (fentry %s: %s)\n", step, name ? name : strerror(err));
		return 77;
	}
	fprintf(stderr, "probe_fentry: failed to %s fentry program: %s\n", step, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	const struct timespec zero = {};
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	struct probe_fentry *skel;
	int calls = argc > 1 ? atoi(argv[1]) : 1;
	int stats_fd, err, rc = 1, i;

	if (calls < 1) {
		fprintf(stderr, "usage: probe_fentry [CALLS >= 1]\n");
		return 1;
	}
	libbpf_set_print(quiet);
	/* run_cnt is only counted while stats are on; the fd keeps them on. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "probe_fentry: failed to enable BPF stats: %s\n", strerror(errno));
		return 1;
	}
	skel = probe_fentry__open();
	if (!skel) {
		fprintf(stderr, "probe_fentry: failed to open BPF object: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->targ_tgid = getpid();
	err = probe_fentry__load(skel);
	if (err) {
		rc = report("load", -err);
		goto out;
	}
	err = probe_fentry__attach(skel);
	if (err) {
		rc = report("attach", -err);
		goto out;
	}
	for (i = 0; i < calls; i++)
		syscall(SYS_nanosleep, &zero, NULL);
	err = bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.probe_nanosleep), &info, &info_len);
	if (err) {
		fprintf(stderr, "probe_fentry: failed to read program info: %s\n", strerror(errno));
		goto out;
	}
	printf("hits=%llu run_cnt=%llu\n", (unsigned long long)skel->bss->hits,
	       (unsigned long long)info.run_cnt);
	rc = 0;
out:
	probe_fentry__destroy(skel);
	close(stats_fd);
	return rc;
}
