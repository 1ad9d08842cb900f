/* netbpf's version, fixed at build time (Makefile: VERSION). */
#ifndef NETBPF_VERSION_H
#define NETBPF_VERSION_H

extern const char netbpf_version[];

#endif /* NETBPF_VERSION_H */
