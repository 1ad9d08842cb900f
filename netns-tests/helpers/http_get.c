/*
 * http_get [-b LOCAL_PORT] [-R] ADDR PORT PATH...: one HTTP/1.1 GET per PATH, each
 * on a connection of its own, for tests in guests without curl or python3. Prints
 * "STATUS BODY_BYTES" per response (the body is read to its Content-Length).
 *   -b PORT  bind each connection to this local port (SO_REUSEADDR), so that one
 *            connection reuses the addresses and ports of the one before
 *   -R       ask the server to close first ("Connection: close"), read to its EOF,
 *            then close with RST (SO_LINGER 0): no TIME_WAIT, the port is free at once
 * Exit 0 when every request got a response, 1 otherwise.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(const char *addr, const char *port, int lport, int rst)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct addrinfo *ai;
	int fd, one = 1;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "http_get: bad address %s port %s\n", addr, port);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && lport) {
		struct sockaddr_storage local = { .ss_family = ai->ai_family };

		/* any address of the family; the kernel picks the one routing chooses */
		if (ai->ai_family == AF_INET)
			((struct sockaddr_in *)&local)->sin_port = htons(lport);
		else
			((struct sockaddr_in6 *)&local)->sin6_port = htons(lport);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&local, ai->ai_addrlen))
			goto fail;
	}
	if (fd < 0 || (rst && setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen))
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	perror("http_get: connect");
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

/* One exchange on fd; prints "STATUS BODY_BYTES". host is "ADDR:PORT", as curl sends it. */
static int get(int fd, const char *host, const char *path, int last)
{
	char req[1024], buf[65536], *end, *cl;
	size_t have = 0, head, body = 0;
	int status, n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host,
		     last ? "Connection: close\r\n" : "");
	if (n >= (int)sizeof(req) || write(fd, req, n) != n)
		return -1;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
		if (have == sizeof(buf) - 1 || (n = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return -1;
		have += n;
	}
	buf[have] = '\0';
	head = end + 4 - buf;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl && cl < end)
		body = strtoul(cl + 17, NULL, 10);
	for (size_t got = have - head; got < body; got += n)
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return -1;
	while (last && (n = read(fd, buf, sizeof(buf))) > 0)
		; /* to the server's FIN */
	printf("%d %zu\n", status, body);
	return 0;
}

int main(int argc, char **argv)
{
	int lport = 0, rst = 0, err = 0, c, fd, v6;
	char host[128];

	while ((c = getopt(argc, argv, "b:R")) != -1) {
		switch (c) {
		case 'b': lport = atoi(optarg); break;
		case 'R': rst = 1; break;
		default: goto usage;
		}
	}
	if (argc - optind < 3)
		goto usage;
	v6 = strchr(argv[optind], ':') != NULL;
	snprintf(host, sizeof(host), "%s%s%s:%s", v6 ? "[" : "", argv[optind], v6 ? "]" : "",
		 argv[optind + 1]);
	for (int i = optind + 2; i < argc; i++) {
		fd = connect_to(argv[optind], argv[optind + 1], lport, rst);
		if (fd < 0 || get(fd, host, argv[i], rst)) {
			fprintf(stderr, "http_get: no response to GET %s\n", argv[i]);
			err = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return err;
usage:
	fprintf(stderr, "usage: http_get [-b LOCAL_PORT] [-R] ADDR PORT PATH...\n");
	return 2;
}
