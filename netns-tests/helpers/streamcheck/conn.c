/* One connection of streamcheck: its send side (messages of random size, paced, gated)
 * and its receive side (every byte checked against the stream as it arrives). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "streamcheck.h"

static uint8_t iobuf[IOBUF], want[IOBUF];

static long elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

void conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "streamcheck: %s conn %d: ", c->server ? "server" : "client", (int)(c - conns));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
	c->finished = true;
	close(c->fd);
	c->fd = -1;
}

/* Log-uniform in [1, max]: as many 1-9 byte messages as 100K-1M ones. */
static uint64_t msg_size(struct conn *c)
{
	double r;
	uint64_t v;

	c->rng = splitmix(c->rng);
	r = (double)(c->rng >> 11) / (double)(1ULL << 53);
	v = exp(r * log((double)opt.max_msg));
	return v < 1 ? 1 : v > opt.max_msg ? opt.max_msg : v;
}

/* -G: a test waits until both ends are established (and so inserted) first. */
static bool before_start(void)
{
	return opt.start_gate && access(opt.start_gate, F_OK);
}

bool conn_gated(const struct conn *c)
{
	if (before_start())
		return true;
	if (opt.gate && c->tx.done >= c->tx.total / 2 && access(opt.gate, F_OK))
		return true;
	if (opt.pace_ms && c->tx.done * (uint64_t)opt.pace_ms > c->tx.total * (uint64_t)elapsed_ms())
		return true;
	return false;
}

bool conn_may_send(const struct conn *c)
{
	if (c->finished || c->shut_wr || (c->server && c->hdr_done < sizeof(c->h)))
		return false;
	if (!c->server && c->hdr_done < sizeof(c->h))
		return true;
	if (c->server && c->h.mode == MODE_HALFCLOSE && !c->eof)
		return false;
	if (c->server && c->h.mode == MODE_RST && c->rx.done < c->rx.total)
		return false;
	return true;
}

/* A memfd holding the whole stream, for sendfile(). */
static int stream_file(const struct stream *st)
{
	int fd = memfd_create("streamcheck", MFD_CLOEXEC);

	for (uint64_t off = 0; fd >= 0 && off < st->total; off += IOBUF) {
		size_t len = st->total - off < IOBUF ? st->total - off : IOBUF;

		stream_gen(st->seed, off, iobuf, len);
		if (write(fd, iobuf, len) != (ssize_t)len) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void conn_send(struct conn *c)
{
	ssize_t n;
	uint64_t len;

	if (before_start())
		return;
	if (!c->server && c->hdr_done < sizeof(c->h)) {
		n = send(c->fd, (char *)&c->h + c->hdr_done, sizeof(c->h) - c->hdr_done, MSG_NOSIGNAL);
		if (n > 0)
			c->hdr_done += n;
		else if (errno != EAGAIN && errno != ENOTCONN)
			conn_fail(c, "send of the header failed: %s", strerror(errno));
		return;
	}
	/*
	 * One message per connection per round: a bypassed socket never says EAGAIN
	 * (the kernel queues at the reader without limit), so sending until EAGAIN
	 * would queue whole streams before anything is read.
	 */
	for (bool fresh = !c->msg_left; c->tx.done < c->tx.total && !conn_gated(c); ) {
		if (!c->msg_left) {
			if (!fresh)
				break;
			fresh = false;
			c->msg_left = msg_size(c);
			if (c->msg_left > c->tx.total - c->tx.done)
				c->msg_left = c->tx.total - c->tx.done;
		}
		len = c->msg_left;
		if (opt.sendfile && !c->file_fd && (c->file_fd = stream_file(&c->tx)) < 0) {
			conn_fail(c, "memfd: %s", strerror(errno));
			return;
		}
		stream_gen(c->tx.seed, c->tx.done, iobuf, len);
		if (opt.sendfile) {
			off_t off = c->tx.done;

			n = sendfile(c->fd, c->file_fd, &off, len);
		} else {
			n = send(c->fd, iobuf, len, MSG_NOSIGNAL);
		}
		if (n < 0) {
			if (errno != EAGAIN)
				conn_fail(c, "send failed at stream byte %llu: %s",
					  (unsigned long long)c->tx.done, strerror(errno));
			return;
		}
		c->tx.hash = stream_hash(c->tx.hash, iobuf, n);
		c->tx.done += n;
		c->msg_left -= n;
	}
	if (c->tx.done == c->tx.total && c->h.mode != MODE_RST) {
		shutdown(c->fd, SHUT_WR);
		c->shut_wr = true;
	}
}

void conn_check_done(struct conn *c)
{
	struct linger lg = { 1, 0 };

	if (c->finished)
		return;
	if (!c->server && c->h.mode == MODE_RST && c->rx.done == c->rx.total &&
	    c->tx.done == c->tx.total) {
		/* Abort: the server has read everything (it sent only after that). */
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		goto finish;
	}
	if (!c->eof || (c->h.mode != MODE_RST && !c->shut_wr))
		return;
	if (c->rx.done != c->rx.total) {
		conn_fail(c, "%s after %llu of %llu bytes", c->rx_err ? strerror(c->rx_err) : "EOF",
			  (unsigned long long)c->rx.done, (unsigned long long)c->rx.total);
		return;
	}
	if (c->server && c->h.mode == MODE_RST && c->rx_err != ECONNRESET) {
		conn_fail(c, "expected ECONNRESET after the abort, got %s", c->rx_err ? strerror(c->rx_err) : "EOF");
		return;
	}
	if (c->h.mode != MODE_RST && c->rx_err) {
		conn_fail(c, "read failed: %s", strerror(c->rx_err));
		return;
	}
	if (c->server && c->h.mode == MODE_RST && c->tx.done != c->tx.total)
		return;
finish:
	c->finished = true;
	close(c->fd);
	c->fd = -1;
	if (c->file_fd > 0)
		close(c->file_fd);
}

void conn_recv(struct conn *c)
{
	ssize_t n;

	if (c->server && c->hdr_done < sizeof(c->h)) {
		n = recv(c->fd, (char *)&c->h + c->hdr_done, sizeof(c->h) - c->hdr_done, 0);
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				conn_fail(c, "no header: %s", n ? strerror(errno) : "EOF");
			return;
		}
		c->hdr_done += n;
		if (c->hdr_done < sizeof(c->h))
			return;
		if (c->h.magic != MAGIC || c->h.mode > MODE_RST) {
			conn_fail(c, "bad header (magic %#x, mode %u)", c->h.magic, c->h.mode);
			return;
		}
		c->rx = (struct stream){ .seed = c->h.seed, .total = c->h.c2s };
		c->tx = (struct stream){ .seed = ~c->h.seed, .total = c->h.s2c };
		c->rng = ~c->h.seed;
	}
	for (;;) {
		n = recv(c->fd, iobuf, sizeof(iobuf), 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			c->eof = true;
			c->rx_err = n ? errno : 0;
			return;
		}
		if (c->rx.done + n > c->rx.total) {
			conn_fail(c, "%llu bytes past the end of the stream",
				  (unsigned long long)(c->rx.done + n - c->rx.total));
			return;
		}
		stream_gen(c->rx.seed, c->rx.done, want, n);
		if (memcmp(iobuf, want, n)) {
			ssize_t i = 0;

			while (iobuf[i] == want[i])
				i++;
			conn_fail(c, "data differs at stream byte %llu", (unsigned long long)(c->rx.done + i));
			return;
		}
		c->rx.hash = stream_hash(c->rx.hash, iobuf, n);
		c->rx.done += n;
	}
}
