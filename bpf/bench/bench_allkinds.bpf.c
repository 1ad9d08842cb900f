// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP pipeline of xdp.bpf.c as it was before netbpf_deny_kinds: every kind of rule
 * is looked up, whether it has rules or not. `netbpf bench datapath` measures it in the
 * same run as the pipeline, so the gain of skipping the kinds without rules is visible.
 */
#define NB_DENY_LOOKUP_ALL_KINDS
#include "datapath/xdp.bpf.c"
