/* Output of `netbpf sniff`: one line per exchange (human or JSON), and the pcap file. */
#ifndef NETBPF_SNIFF_OUT_H
#define NETBPF_SNIFF_OUT_H

#include <stdint.h>
#include <time.h>

#include "sniff/conn.h"
#include "common/json.h"

/* One end of an exchange: [0] client, [1] server. */
struct sniff_party {
	struct endpoint ep;
	int32_t pid;  /* -1: unknown */
	char comm[16];
};

#define ADDR_CACHE 8 /* formatted addresses kept */

struct sniff_out {
	int json;
	uint64_t count;    /* stop after this many (0: no limit) */
	uint64_t reported;
	int done;          /* count reached */
	struct json j;
	time_t date_sec;   /* the second o->date shows */
	char date[32];     /* "2026-12-01T10:00:00." */
	struct {
		uint8_t addr[16];
		char s[48]; /* INET6_ADDRSTRLEN; "" unused */
	} addrs[ADDR_CACHE];
	unsigned int addr_next;
	/* libpcap's types, opaque here: pcap.h and linux/bpf.h both define struct bpf_insn. */
	struct pcap *pcap;
	struct pcap_dumper *dumper;
};

/* pcap_path: created mode 0600, refused if it exists unless force. */
int sniff_out_init(struct sniff_out *o, int json, uint64_t count, const char *pcap_path,
		   int force);
/* p[0] is the client, p[1] the server. */
void sniff_out_exchange(struct sniff_out *o, enum sniff_source src, const struct sniff_party *p,
			const struct http_exchange *ex);
/* caplen bytes of a packet that was len bytes long, received at ts_ns (wall clock). */
void sniff_out_packet(struct sniff_out *o, const uint8_t *pkt, size_t caplen, size_t len,
		      uint64_t ts_ns);
/* Writes out what stdout holds: the reader (a pipe to jq, a file) sees whole lines. */
void sniff_out_flush(struct sniff_out *o);
void sniff_out_close(struct sniff_out *o);

#endif /* NETBPF_SNIFF_OUT_H */
