/* Addresses in BPF the way the loader's addr.c keeps them: 16 bytes, IPv4 as
 * v4-mapped IPv6 (::ffff:a.b.c.d), so one prefix test serves both families. */
#ifndef TOOLS_INET_BPF_H
#define TOOLS_INET_BPF_H

/* Macros vmlinux.h cannot carry. */
#define AF_INET 2
#define AF_INET6 10

/* 4 (AF_INET) or 16 bytes at src into the 16-byte form; src may be any kernel memory. */
static __always_inline void inet_mapped(__u8 dst[16], int family, const void *src)
{
	if (family == AF_INET) {
		__builtin_memset(dst, 0, 10);
		dst[10] = 0xff;
		dst[11] = 0xff;
		bpf_probe_read_kernel(dst + 12, 4, src);
	} else {
		bpf_probe_read_kernel(dst, 16, src);
	}
}

/* Whether the first plen bits of a and prefix agree (plen 0: always). */
static __always_inline bool inet_in_prefix(const __u8 *a, const volatile __u8 *prefix, __u32 plen)
{
#pragma unroll
	for (int i = 0; i < 16; i++) {
		__u32 bits = plen > i * 8 ? plen - i * 8 : 0;
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

		if (!bits)
			break;
		if ((a[i] ^ prefix[i]) & mask)
			return false;
	}
	return true;
}

#endif /* TOOLS_INET_BPF_H */
