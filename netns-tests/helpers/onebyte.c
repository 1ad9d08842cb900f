/*
 * onebyte ADDR PORT N M: N TCP connections to ADDR:PORT (IPv4 or IPv6) from a
 * server it runs itself, each sending M one-byte send() calls that the server reads
 * to EOF; prints "conns N sends S received R". For tests that count per message:
 * every send() of one byte is one run of an sk_msg program. The client sends only
 * once the server has accepted the connection and taken its socket lock, that is
 * once the server end's establishment (its sockops callbacks) is complete: a byte
 * sent earlier may find the bypass's server end not inserted yet.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

/* Accepts n connections, telling the client through the pipe ready when it may send. */
static long serve(int ls, int n, int ready)
{
	long got = 0;
	char buf[4096];
	ssize_t r;
	int fd;

	for (int i = 0; i < n; i++) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			return -1;
		/* Takes the socket lock, which the softirq that established the socket
		 * held through the sockops callbacks: they are done when it returns. */
		if (recv(fd, buf, 1, MSG_DONTWAIT) > 0)
			got++;
		if (write(ready, "a", 1) != 1)
			return -1;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			got += r;
		close(fd);
	}
	return got;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int n, m, ls, fd, one = 1, pfd[2], rfd[2], status;
	char c;
	long sends = 0, got = 0;
	pid_t pid;

	if (argc != 5 || (n = atoi(argv[3])) < 1 || (m = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: onebyte ADDR PORT N M\n");
		return 2;
	}
	if (getaddrinfo(argv[1], argv[2], &hints, &ai))
		return die("getaddrinfo");
	ls = socket(ai->ai_family, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, ai->ai_addr, ai->ai_addrlen) || listen(ls, n) || pipe(pfd) || pipe(rfd))
		return die("listen");
	pid = fork();
	if (pid == 0) {
		got = serve(ls, n, rfd[1]);
		if (write(pfd[1], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		_exit(got < 0);
	}
	close(ls);
	for (int i = 0; i < n; i++) {
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
			return die("connect");
		if (read(rfd[0], &c, 1) != 1)
			return die("server not ready");
		for (int k = 0; k < m; k++, sends++)
			if (send(fd, "x", 1, 0) != 1)
				return die("send");
		close(fd);
	}
	if (read(pfd[0], &got, sizeof(got)) != sizeof(got) || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return die("server");
	printf("conns %d sends %ld received %ld\n", n, sends, got);
	freeaddrinfo(ai);
	return got == sends ? 0 : 1;
}
