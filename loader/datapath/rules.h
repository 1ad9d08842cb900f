/*
 * Deny rules in the pinned LPM trie: the key's prefix and family, and the marker
 * entry each rule with a proto or port implies (bpf/datapath/datapath.h).
 */
#ifndef NETBPF_DATAPATH_RULES_H
#define NETBPF_DATAPATH_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/datapath/datapath.h"

/* Family, address and prefix of k from "ADDR[/PLEN]", host bits cleared; -EINVAL. */
int rule_set_prefix(struct nb_deny_key *k, const char *cidr);
/* "10.0.0.0/8", "fd00::/64": the prefix as stored. */
void rule_format_prefix(const struct nb_deny_key *k, char *buf, size_t len);
/* CIDR [port N] [proto tcp|udp], as `deny add` and the config file take it: NULL, or
 * what is wrong (static storage). */
const char *rule_parse(int argc, char **argv, struct nb_deny_key *k);
/* "tcp", "udp" or "any". */
const char *rule_proto_name(__u8 proto);
/* A marker, not a rule: not listed. */
bool rule_is_marker(const struct nb_deny_key *k);
/* The pinned maps of one interface's rules: the trie and netbpf_deny_kinds. */
struct rule_maps {
	int deny;
	int kinds;
};

/* Sets its kind, adds the rule and its marker (neither on failure); -errno, -EEXIST. */
int rule_add(const struct rule_maps *m, const struct nb_deny_key *k);
/* Deletes the rule, its marker and its kind when no other rule needs them; -errno, -ENOENT. */
int rule_del(const struct rule_maps *m, const struct nb_deny_key *k);

#endif /* NETBPF_DATAPATH_RULES_H */
