/* The functions of the traced programs, from their BTF, and the ones the user named. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "common/log.h"
#include "trace/funcs.h"

/* "struct xdp_md *" and "struct __sk_buff *" are the packet contexts a main function
 * takes; "struct bpf_sock_ops *" a sockops callback, whose op fentry counts. */
static enum trace_ctx arg0_ctx(const struct btf *btf, const struct btf_type *proto)
{
	const struct btf_type *t;
	const char *name;
	int id;

	if (!btf_vlen(proto))
		return TRACE_CTX_NONE;
	id = btf__resolve_type(btf, btf_params(proto)[0].type);
	t = id < 0 ? NULL : btf__type_by_id(btf, id);
	if (!t || !btf_is_ptr(t))
		return TRACE_CTX_NONE;
	id = btf__resolve_type(btf, t->type);
	t = id < 0 ? NULL : btf__type_by_id(btf, id);
	if (!t || !btf_is_struct(t))
		return TRACE_CTX_NONE;
	name = btf__name_by_offset(btf, t->name_off);
	if (!strcmp(name, "xdp_md"))
		return TRACE_CTX_XDP;
	if (!strcmp(name, "__sk_buff"))
		return TRACE_CTX_SKB;
	if (!strcmp(name, "bpf_sock_ops"))
		return TRACE_CTX_SOCK_OPS;
	return TRACE_CTX_NONE;
}

static int func_add(struct trace_set *set, struct trace_prog *p, const struct btf *btf,
		    __u32 type_id, bool main)
{
	const struct btf_type *fn = btf__type_by_id(btf, type_id), *proto;
	struct trace_func *f;

	if (!fn || !btf_is_func(fn) || !(proto = btf__type_by_id(btf, fn->type)) ||
	    !btf_is_func_proto(proto)) {
		pr_warn("program %u: func_info names BTF type %u, which is no function\n", p->id, type_id);
		return -EINVAL;
	}
	if (set->n_funcs == TRACE_MAX_FUNCS) {
		pr_warn("too many functions (at most %d): choose some with --func\n", TRACE_MAX_FUNCS);
		return -E2BIG;
	}
	f = &set->funcs[set->n_funcs++];
	f->prog = p;
	f->main = main;
	snprintf(f->name, sizeof(f->name), "%s", btf__name_by_offset(btf, fn->name_off));
	f->ret_bytes = proto->type ? btf__resolve_size(btf, proto->type) : 0;
	f->ctx = main ? arg0_ctx(btf, proto) : TRACE_CTX_NONE;
	if (main)
		snprintf(p->name, sizeof(p->name), "%s", f->name);
	return 0;
}

static int prog_funcs(struct trace_set *set, struct trace_prog *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n;
	struct bpf_func_info *fi;
	struct btf *btf;
	int err = 0;

	if (bpf_obj_get_info_by_fd(p->fd, &info, &len))
		return -errno;
	n = info.nr_func_info;
	if (!info.btf_id || !n) {
		pr_warn("program %u (%s) has no BTF function info: fentry needs it "
			"(was it built without -g?)\n", p->id, p->name);
		return -ENOENT;
	}
	fi = calloc(n, sizeof(*fi));
	if (!fi)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = n;
	info.func_info_rec_size = sizeof(*fi);
	info.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(p->fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		err = -errno;
		pr_warn("failed to load BTF %u of program %u: %s\n", info.btf_id, p->id, strerror(-err));
		goto out;
	}
	/* func_info is sorted by instruction offset: the first is the program itself. */
	for (__u32 i = 0; i < n && !err; i++)
		err = func_add(set, p, btf, fi[i].type_id, i == 0);
	btf__free(btf);
out:
	free(fi);
	return err;
}

/*
 * A program in a PROG_ARRAY can be entered by bpf_tail_call, which jumps past
 * the entry a trampoline hooks: fentry/fexit on it miss those runs.
 */
static void mark_tail_call_targets(struct trace_set *set)
{
	struct bpf_map_info info;
	__u32 id = 0, len, val;
	int fd;

	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_PROG_ARRAY) {
			/* From user space a PROG_ARRAY slot reads as the program's id. */
			for (__u32 k = 0; k < info.max_entries; k++) {
				if (bpf_map_lookup_elem(fd, &k, &val))
					continue;
				for (int i = 0; i < set->n_progs; i++)
					if (set->progs[i].id == val)
						set->progs[i].tail_call_target = true;
			}
		}
		close(fd);
	}
}

int trace_discover(struct trace_set *set)
{
	int err;

	for (int i = 0; i < set->n_progs; i++) {
		err = prog_funcs(set, &set->progs[i]);
		if (err)
			return err;
	}
	mark_tail_call_targets(set);
	return 0;
}

static void list_candidates(const struct trace_set *set, const char *prefix)
{
	for (int i = 0; i < set->n_funcs; i++) {
		bool dup = false;

		if (prefix && strncmp(set->funcs[i].name, prefix, strlen(prefix)))
			continue;
		for (int k = 0; k < i && !dup; k++)
			dup = !strcmp(set->funcs[k].name, set->funcs[i].name);
		if (!dup)
			fprintf(stderr, "  %s\n", set->funcs[i].name);
	}
}

/* The function name `name` stands for: itself, or the one it is the 15-char start of. */
static const char *resolve(const struct trace_set *set, const char *name)
{
	const char *match = NULL;

	for (int i = 0; i < set->n_funcs; i++)
		if (!strcmp(set->funcs[i].name, name))
			return set->funcs[i].name;
	if (strlen(name) == BPF_OBJ_NAME_LEN - 1) {
		for (int i = 0; i < set->n_funcs; i++) {
			const char *f = set->funcs[i].name;

			if (strncmp(f, name, BPF_OBJ_NAME_LEN - 1))
				continue;
			if (match && strcmp(match, f)) {
				pr_warn("function name '%s' is ambiguous (a name the kernel truncated?); "
					"candidates:\n", name);
				list_candidates(set, name);
				return NULL;
			}
			match = f;
		}
	}
	if (!match) {
		pr_warn("no function '%s' in the traced programs; candidates:\n", name);
		list_candidates(set, NULL);
	}
	return match;
}

int trace_select(struct trace_set *set, char **names, int n)
{
	/* Copies: the compaction below overwrites the entries resolve() points into. */
	static char full[TRACE_MAX_FUNCS][TRACE_NAME_LEN];
	const char *name;
	int kept = 0;

	if (!n)
		return 0;
	if (n > TRACE_MAX_FUNCS)
		return -E2BIG;
	for (int k = 0; k < n; k++) {
		if (!(name = resolve(set, names[k])))
			return -ENOENT;
		snprintf(full[k], sizeof(full[k]), "%s", name);
	}
	for (int i = 0; i < set->n_funcs; i++) {
		for (int k = 0; k < n; k++) {
			if (!strcmp(set->funcs[i].name, full[k])) {
				set->funcs[kept++] = set->funcs[i];
				break;
			}
		}
	}
	set->n_funcs = kept;
	return 0;
}

void trace_set_close(struct trace_set *set)
{
	for (int i = 0; i < set->n_progs; i++)
		close(set->progs[i].fd);
	set->n_progs = set->n_funcs = 0;
}
