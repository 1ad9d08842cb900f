/*
 * tiny_httpd ADDR PORT BODY_BYTES: a single-threaded epoll HTTP/1.1 server that
 * answers every request head with 200 and a fixed body, keep-alive and
 * pipelining included; "Connection: close" in a request makes it close after
 * the response. Fast enough that a load generator measures the sniffer,
 * not the server (python3 -m http.server tops out near 2k requests/s).
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 64
#define BUF_SIZE   16384

struct client {
	int fd;
	size_t len;
	char buf[BUF_SIZE];
};

static char *response;
static size_t response_len;

/* Answers each complete head in c->buf; returns -1 when the client must go. */
static int serve(struct client *c)
{
	char *end;

	while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
		size_t head = end + 4 - c->buf;

		bool last = memmem(c->buf, head, "\r\nConnection: close\r\n", 21) != NULL;

		if (write(c->fd, response, response_len) != (ssize_t)response_len || last)
			return -1; /* "Connection: close": the server closes first, as HTTP/1.0 ones do */
		memmove(c->buf, c->buf + head, c->len - head);
		c->len -= head;
	}
	return c->len == BUF_SIZE ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct epoll_event ev = { .events = EPOLLIN }, evs[MAX_EVENTS];
	int lfd, ep, one = 1;
	size_t body;

	if (argc != 4) {
		fprintf(stderr, "usage: tiny_httpd ADDR PORT BODY_BYTES\n");
		return 2;
	}
	body = strtoul(argv[3], NULL, 10);
	response = malloc(128 + body);
	if (!response)
		return 1;
	response_len = sprintf(response, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	memset(response + response_len, 'b', body);
	response_len += body;

	/* IPv4 addresses are taken v4-mapped: one IPv6 socket serves both families. */
	if (inet_pton(AF_INET6, argv[1], &sa.sin6_addr) != 1) {
		char mapped[64];

		snprintf(mapped, sizeof(mapped), "::ffff:%s", argv[1]);
		if (inet_pton(AF_INET6, mapped, &sa.sin6_addr) != 1) {
			fprintf(stderr, "tiny_httpd: bad address %s\n", argv[1]);
			return 2;
		}
	}
	sa.sin6_port = htons(atoi(argv[2]));
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1024)) {
		perror("tiny_httpd: listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1);

		for (int i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;
			ssize_t r;

			if (!c) {
				int fd = accept(lfd, NULL, NULL);

				if (fd < 0 || !(c = calloc(1, sizeof(*c)))) {
					if (fd >= 0)
						close(fd);
					continue;
				}
				c->fd = fd;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			r = read(c->fd, c->buf + c->len, BUF_SIZE - c->len);
			if (r > 0) {
				c->len += r;
				if (!serve(c))
					continue;
			} else if (r < 0 && errno == EINTR) {
				continue;
			}
			close(c->fd);
			free(c);
		}
	}
}
