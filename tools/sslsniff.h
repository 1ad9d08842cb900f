/* sslsniff: one event per SSL_read/SSL_write (with the plaintext) or handshake. */
#ifndef TOOLS_SSLSNIFF_H
#define TOOLS_SSLSNIFF_H

#define SSL_DATA_MAX 4096

enum ssl_op { SSL_OP_READ, SSL_OP_WRITE, SSL_OP_HANDSHAKE };

struct ssl_event {
	__u64 lat_ns;   /* call to return */
	__s32 len;      /* bytes read/written; handshake: SSL_do_handshake's result */
	__u32 copied;   /* bytes of data[] filled (len, capped at SSL_DATA_MAX) */
	__u32 pid;
	__u32 tid;
	__u8 op;        /* enum ssl_op */
	__u8 comm[16];
	__u8 data[SSL_DATA_MAX];
};

#endif /* TOOLS_SSLSNIFF_H */
