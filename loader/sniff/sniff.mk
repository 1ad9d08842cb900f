# netbpf sniff writes pcap files with libpcap (pcap_open_dead + pcap_dump_open).
LDLIBS += -lpcap
