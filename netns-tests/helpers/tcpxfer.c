/*
 * tcpxfer: one TCP transfer with a checksum on both ends, for tests that must
 * know the bytes arrived intact.
 *   tcpxfer recv PORT          accept one connection, read to EOF, print "BYTES HASH"
 *   tcpxfer send ADDR PORT N   send N bytes of a fixed pattern, print "BYTES HASH"
 * Addresses may be IPv4 or IPv6. The receiver prints "listening" once ready.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/* FNV-1a over the stream: order-sensitive, so reordering shows too. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int do_recv(const char *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(port)) };
	int one = 1, ls, fd;
	unsigned char buf[65536];
	uint64_t h = 0xcbf29ce484222325ULL, total = 0;
	ssize_t n;

	ls = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (void *)&a, sizeof(a)) || listen(ls, 1)) {
		perror("tcpxfer: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(ls, NULL, NULL);
	if (fd < 0) {
		perror("tcpxfer: accept");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, n);
		total += n;
	}
	if (n < 0) {
		perror("tcpxfer: read");
		return 1;
	}
	printf("%llu %016llx\n", (unsigned long long)total, (unsigned long long)h);
	return 0;
}

static int do_send(const char *addr, const char *port, const char *count)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	unsigned long long left = strtoull(count, NULL, 0), total = left;
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	int fd;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (i * 7 + i / 251) & 0xff;
	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "tcpxfer: bad address %s\n", addr);
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		perror("tcpxfer: connect");
		return 1;
	}
	while (left) {
		size_t chunk = left < sizeof(buf) ? left : sizeof(buf);
		ssize_t n = write(fd, buf, chunk);

		if (n <= 0) {
			perror("tcpxfer: write");
			return 1;
		}
		h = fnv(h, buf, n);
		left -= n;
	}
	close(fd);
	freeaddrinfo(ai);
	printf("%llu %016llx\n", total, (unsigned long long)h);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: tcpxfer recv PORT | tcpxfer send ADDR PORT BYTES\n");
	return 2;
}
