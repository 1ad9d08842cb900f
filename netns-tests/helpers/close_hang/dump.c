/* close_hang's watchdog: a connection past its deadline is a hang, reported with both
 * sockets' TCP state and queues and where each thread sleeps in the kernel. */
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "close_hang.h"

const char *tcp_state_name(unsigned s)
{
	static const char *const names[TCP_STATES] = { "?", "ESTABLISHED", "SYN_SENT",
		"SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
		"LAST_ACK", "LISTEN", "CLOSING" };

	return s < TCP_STATES ? names[s] : "?";
}

static void dump_thread(const char *who, pid_t tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	if ((f = fopen(path, "r"))) {
		if (fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s thread %d sleeps in %s\n", who, tid, line);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f))
			fprintf(stderr, "    %s", line);
		fclose(f);
	}
}

static void dump_sock(const char *who, int fd)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);
	int inq = -1, outq = -1;

	if (fd < 0) {
		fprintf(stderr, "  %s socket: closed by its thread\n", who);
		return;
	}
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	ioctl(fd, SIOCINQ, &inq);
	ioctl(fd, SIOCOUTQ, &outq);
	fprintf(stderr, "  %s socket: %s, inq %d, outq %d, unacked %u, bytes_received %llu\n",
		who, tcp_state_name(ti.tcpi_state), inq, outq, ti.tcpi_unacked,
		(unsigned long long)ti.tcpi_bytes_received);
}

/* Segments the namespace dropped because a socket's backlog was full: a lost RST or FIN. */
static void dump_backlog_drops(void)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	FILE *f = fopen("/proc/net/netstat", "r");

	if (!f)
		return;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		for (n = strtok_r(names, " \n", &sn), v = strtok_r(values, " \n", &sv); n && v;
		     n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, "TCPBacklogDrop"))
				fprintf(stderr, "  TcpExt TCPBacklogDrop %s (this namespace)\n", v);
	}
	fclose(f);
}

/* Both ends as the kernel lists them, by the client's port: ss when it exists, else /proc. */
static void dump_kernel_view(int port)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "ss -tinmoe state all '( sport = :%d or dport = :%d )' 1>&2 2>/dev/null || "
		 "grep -ih ':%04X ' /proc/net/tcp /proc/net/tcp6 1>&2", port, port, port);
	if (system(cmd) == -1)
		fprintf(stderr, "  (no shell for ss)\n");
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

void *watchdog(void *arg __attribute__((unused)))
{
	for (;;) {
		uint64_t d = __atomic_load_n(&deadline_ns, __ATOMIC_ACQUIRE);
		int cfd = __atomic_load_n(&cur.cfd, __ATOMIC_RELAXED);

		if (d && now_ns() > d) {
			fprintf(stderr, "close_hang: HANG: %s connection %llu (%llu bytes, end %s) "
				"not finished after %d s; client read %llu bytes, %u EAGAIN\n",
				placement, (unsigned long long)cur.index, (unsigned long long)cur.size,
				end_names[opt.end], opt.deadline_s, (unsigned long long)cur.got,
				cur.c_eagain.n);
			dump_sock("client", cfd);
			dump_sock("server", __atomic_load_n(&cur.sfd, __ATOMIC_RELAXED));
			dump_thread("client", cur.ctid);
			dump_thread("server", cur.stid);
			dump_backlog_drops();
			dump_kernel_view(local_port(cfd));
			_exit(3);
		}
		usleep(50000);
	}
	return NULL;
}
