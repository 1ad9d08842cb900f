/* Test program of the tools: performs a known sequence of system calls so a tracer's
 * events can be checked exactly. With --wait it first reads one byte from stdin, so
 * the test can attach a tracer filtered on this pid before anything happens.
 * It prints nothing while acting: its own writes would be events too.
 *
 *   actor [--wait] ACTION...
 *     write FD LEN             write(FD, LEN bytes)
 *     socket FAMILY TYPE       socket(inet|inet6|unix, stream|dgram), kept open
 *     tcp ADDR PORT N          listen on ADDR:PORT, then N times: connect, accept,
 *                              client closes, server sees EOF and closes
 *     echo-server ADDR PORT N  listen, then serve N connections one after the
 *                              other, echoing what they send until EOF
 *     echo-client ADDR PORT N MSGS
 *                              N connections, each MSGS round trips of 64 bytes;
 *                              before each close prints (the one exception to the
 *                              silence) the kernel's view of it from TCP_INFO:
 *                              "segs_in=S rtt_us=R", segments received (SYN-ACK
 *                              included) and the smoothed RTT
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* glibc's tcp_info lacks tcpi_segs_in */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 16];

static int family(const char *s)
{
	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "inet6"))
		return AF_INET6;
	if (!strcmp(s, "unix"))
		return AF_UNIX;
	errx(2, "unknown family '%s'", s);
}

static socklen_t sockaddr(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	errx(2, "bad address '%s'", addr);
}

static int tcp_listen(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, lfd = socket(ss->ss_family, SOCK_STREAM, 0);

	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (const struct sockaddr *)ss, len) || listen(lfd, 16))
		err(1, "listen");
	return lfd;
}

static void tcp_cycles(const char *addr, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr(addr, port, &ss);
	int lfd = tcp_listen(&ss, len), c, s;

	for (int i = 0; i < n; i++) {
		c = socket(ss.ss_family, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, len))
			err(1, "connect");
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			err(1, "accept");
		close(c);
		if (read(s, buf, sizeof(buf)) != 0) /* waits for the client's FIN */
			errx(1, "expected EOF");
		close(s);
	}
	close(lfd);
}

static void echo_server(const char *addr, int port, int n)
{
	struct sockaddr_storage ss;
	int lfd = tcp_listen(&ss, sockaddr(addr, port, &ss)), s;
	ssize_t got;

	for (int i = 0; i < n; i++) {
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			err(1, "accept");
		while ((got = read(s, buf, sizeof(buf))) > 0)
			if (write(s, buf, got) != got)
				err(1, "echo");
		close(s);
	}
	close(lfd);
}

static void echo_client(const char *addr, int port, int n, int msgs)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr(addr, port, &ss);
	struct tcp_info ti;
	socklen_t tlen = sizeof(ti);
	int c;

	for (int i = 0; i < n; i++) {
		c = socket(ss.ss_family, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, len))
			err(1, "connect");
		for (int m = 0; m < msgs; m++)
			if (write(c, buf, 64) != 64 || recv(c, buf, 64, MSG_WAITALL) != 64)
				err(1, "round trip");
		if (getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &tlen))
			err(1, "TCP_INFO");
		printf("segs_in=%u rtt_us=%u\n", ti.tcpi_segs_in, ti.tcpi_rtt);
		fflush(stdout);
		close(c);
	}
}

int main(int argc, char **argv)
{
	int i = 1;

	if (i < argc && !strcmp(argv[i], "--wait")) {
		if (read(0, buf, 1) != 1)
			errx(1, "no go byte on stdin");
		i++;
	}
	memset(buf, 'x', sizeof(buf));
	while (i < argc) {
		const char *a = argv[i];

		if (!strcmp(a, "write") && i + 2 < argc) {
			size_t n = strtoul(argv[i + 2], NULL, 0);

			(void)!write(atoi(argv[i + 1]), buf, n < sizeof(buf) ? n : sizeof(buf));
			i += 3;
		} else if (!strcmp(a, "socket") && i + 2 < argc) {
			if (socket(family(argv[i + 1]), strcmp(argv[i + 2], "dgram") ? SOCK_STREAM : SOCK_DGRAM, 0) < 0)
				err(1, "socket %s %s", argv[i + 1], argv[i + 2]);
			i += 3;
		} else if (!strcmp(a, "tcp") && i + 3 < argc) {
			tcp_cycles(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]));
			i += 4;
		} else if (!strcmp(a, "echo-server") && i + 3 < argc) {
			echo_server(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]));
			i += 4;
		} else if (!strcmp(a, "echo-client") && i + 4 < argc) {
			echo_client(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]), atoi(argv[i + 4]));
			i += 5;
		} else {
			errx(2, "bad action at '%s' (see the comment atop actor.c)", a);
		}
	}
	return 0;
}
