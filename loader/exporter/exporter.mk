# netbpf exporter serves /metrics with libmicrohttpd.
LDLIBS += -lmicrohttpd
