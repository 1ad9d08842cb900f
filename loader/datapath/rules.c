#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "common/addr.h"
#include "datapath/rules.h"

int rule_set_prefix(struct nb_deny_key *k, const char *cidr)
{
	int family, plen, err = addr_parse_prefix(cidr, &family, k->addr, &plen);

	if (err)
		return err;
	k->family = family == AF_INET ? NB_DENY_IPV4 : NB_DENY_IPV6;
	k->prefixlen = NB_DENY_KEY_FIXED_BITS + plen;
	return 0;
}

void rule_format_prefix(const struct nb_deny_key *k, char *buf, size_t len)
{
	int family = (k->family & ~NB_DENY_HIDDEN) == NB_DENY_IPV4 ? AF_INET : AF_INET6;

	addr_format_prefix(family, k->addr, k->prefixlen - NB_DENY_KEY_FIXED_BITS, buf, len);
}

const char *rule_parse(int argc, char **argv, struct nb_deny_key *k)
{
	static char msg[128];
	unsigned long port;
	char *end;

	memset(k, 0, sizeof(*k));
	if (argc < 1 || rule_set_prefix(k, argv[0])) {
		snprintf(msg, sizeof(msg), "invalid CIDR '%s'", argc ? argv[0] : "");
		return msg;
	}
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "port") && v) {
			/* Decimal only, as every number netbpf reads: "010" is 10. */
			errno = 0;
			port = strtoul(v, &end, 10);
			if (errno || *end || end == v || v[0] == '-' || v[0] == '+' || port < 1 || port > 65535) {
				snprintf(msg, sizeof(msg), "invalid port '%s' (1-65535)", v);
				return msg;
			}
			k->port = htons(port);
		} else if (!strcmp(argv[i], "proto") && v) {
			if (!strcmp(v, "tcp"))
				k->proto = IPPROTO_TCP;
			else if (!strcmp(v, "udp"))
				k->proto = IPPROTO_UDP;
			else {
				snprintf(msg, sizeof(msg), "invalid proto '%s' (tcp or udp)", v);
				return msg;
			}
		} else if (!strcmp(argv[i], "port") || !strcmp(argv[i], "proto")) {
			snprintf(msg, sizeof(msg), "'%s' needs a value", argv[i]);
			return msg;
		} else {
			snprintf(msg, sizeof(msg), "unknown rule word '%s' (port, proto)", argv[i]);
			return msg;
		}
	}
	return NULL;
}

const char *rule_proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "any";
}

bool rule_is_marker(const struct nb_deny_key *k)
{
	return k->family & NB_DENY_HIDDEN;
}

/* The marker a rule implies; false for an address-only rule, which needs none. */
static bool marker_of(const struct nb_deny_key *k, struct nb_deny_key *m)
{
	if (!k->proto && !k->port)
		return false;
	*m = *k;
	m->family |= NB_DENY_HIDDEN;
	m->port = 0;
	return true;
}

static bool same_marker(const struct nb_deny_key *a, const struct nb_deny_key *b)
{
	return a->prefixlen == b->prefixlen && a->family == b->family && a->proto == b->proto &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int kind_set(int kinds_fd, __u32 kind, __u32 used)
{
	return bpf_map_update_elem(kinds_fd, &kind, &used, BPF_ANY) ? -errno : 0;
}

/*
 * The kind is set before the rule goes in, so the datapath never holds a rule it
 * skips; and again after, because a concurrent `deny del` of the last rule of the
 * kind may have cleared it in between (rule_del sets it back too, see there).
 */
int rule_add(const struct rule_maps *m, const struct nb_deny_key *k)
{
	__u32 kind = NB_DENY_KIND_OF(k->proto, k->port);
	struct nb_deny_val zero = {};
	struct nb_deny_key mk;
	int err;

	if ((err = kind_set(m->kinds, kind, 1)))
		return err;
	if (bpf_map_update_elem(m->deny, k, &zero, BPF_NOEXIST))
		return -errno;
	/* Another rule of the same prefix and proto may hold the marker already. */
	if (marker_of(k, &mk) && bpf_map_update_elem(m->deny, &mk, &zero, BPF_NOEXIST) &&
	    errno != EEXIST) {
		err = -errno;
		bpf_map_delete_elem(m->deny, k);
		return err;
	}
	return kind_set(m->kinds, kind, 1);
}

/* Is a rule of this kind left, and one that needs marker mk (when given)? */
static void rules_left(int fd, __u32 kind, const struct nb_deny_key *mk, bool *kind_left,
		       bool *marker_left)
{
	struct nb_deny_key key, om;
	void *prev = NULL;

	*kind_left = *marker_left = false;
	/* The kernel reads the previous key before it writes the next: one buffer. */
	for (; !bpf_map_get_next_key(fd, prev, &key); prev = &key) {
		if (rule_is_marker(&key))
			continue;
		if (NB_DENY_KIND_OF(key.proto, key.port) == kind)
			*kind_left = true;
		if (mk && marker_of(&key, &om) && same_marker(&om, mk))
			*marker_left = true;
	}
}

/*
 * The kind is cleared only when no rule of it is left, then the trie is read
 * again: a concurrent `deny add` may have set the kind and inserted its rule
 * between the first reading and the clearing.
 */
int rule_del(const struct rule_maps *m, const struct nb_deny_key *k)
{
	__u32 kind = NB_DENY_KIND_OF(k->proto, k->port);
	bool has_marker, kind_left, marker_left;
	struct nb_deny_key mk;
	int err;

	if (bpf_map_delete_elem(m->deny, k))
		return -errno;
	has_marker = marker_of(k, &mk);
	rules_left(m->deny, kind, has_marker ? &mk : NULL, &kind_left, &marker_left);
	if (has_marker && !marker_left && bpf_map_delete_elem(m->deny, &mk))
		return -errno;
	if (kind_left)
		return 0;
	if ((err = kind_set(m->kinds, kind, 0)))
		return err;
	rules_left(m->deny, kind, NULL, &kind_left, &marker_left);
	return kind_left ? kind_set(m->kinds, kind, 1) : 0;
}
