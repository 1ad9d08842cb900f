/* Whether this process may do what netbpf does, asked once up front. */
#ifndef NETBPF_PRIV_H
#define NETBPF_PRIV_H

/*
 * 0 when the effective capabilities hold CAP_BPF, CAP_NET_ADMIN and
 * CAP_SYS_ADMIN; otherwise prints one line naming the missing ones and returns
 * -EPERM. Without them the kernel's refusals come late and look like other
 * errors (an empty listing, a "verifier" failure).
 */
int priv_check(void);

#endif /* NETBPF_PRIV_H */
