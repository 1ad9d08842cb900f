/* Sockets of streamcheck: listen, connect (with the header), accept. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "streamcheck.h"

static int sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *ai;
	char ps[8];

	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(addr, ps, &hints, &ai)) {
		fprintf(stderr, "streamcheck: bad address '%s'\n", addr);
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int sock_new(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			opt.mptcp ? IPPROTO_MPTCP : 0);
	int one = 1;

	if (fd < 0) {
		perror("streamcheck: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (sockaddr_of(addr, port, &ss, &len))
		exit(1);
	fd = sock_new(ss.ss_family);
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4096)) {
		perror("streamcheck: bind/listen");
		exit(1);
	}
	return fd;
}

int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

void client_open(int i)
{
	struct conn *c = &conns[nconns++];
	struct sockaddr_storage ss, bs;
	socklen_t len, blen;

	memset(c, 0, sizeof(*c));
	if (sockaddr_of(opt.addr, opt.port, &ss, &len))
		exit(1);
	c->fd = sock_new(ss.ss_family);
	if (opt.bind_addr) {
		if (sockaddr_of(opt.bind_addr, opt.bind_port ? opt.bind_port + i : 0, &bs, &blen) ||
		    bind(c->fd, (struct sockaddr *)&bs, blen)) {
			perror("streamcheck: bind");
			exit(1);
		}
	}
	if (connect(c->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		perror("streamcheck: connect");
		exit(1);
	}
	c->h = (struct hdr){ MAGIC, opt.mode, opt.seed * 1000003 + i, opt.bytes,
			     opt.s2c_bytes == UINT64_MAX ? opt.bytes : opt.s2c_bytes };
	c->tx = (struct stream){ .seed = c->h.seed, .total = c->h.c2s };
	c->rx = (struct stream){ .seed = ~c->h.seed, .total = c->h.s2c };
	c->rng = c->h.seed;
}

void server_accept(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c = &conns[nconns++];

		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->server = true;
	}
}
