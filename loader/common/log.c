#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "common/log.h"

int log_level = 1;

static void vlog(int level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	if (level == 0)
		fputs("netbpf: ", stderr);
	vfprintf(stderr, fmt, ap);
}

#define DEFINE_PR(name, level)                   \
	void name(const char *fmt, ...)          \
	{                                        \
		va_list ap;                      \
		va_start(ap, fmt);               \
		vlog(level, fmt, ap);            \
		va_end(ap);                      \
	}
DEFINE_PR(pr_warn, 0)
DEFINE_PR(pr_info, 1)
DEFINE_PR(pr_debug, 2)

/* The last lines libbpf printed, so a failed load can show the verifier's verdict. */
#define TAIL_LINES 32
#define TAIL_LEN 160
static char tail[TAIL_LINES][TAIL_LEN];
static int tail_next;

static void tail_add(const char *text)
{
	const char *eol;

	for (; *text; text = eol + (*eol == '\n')) {
		eol = strchrnul(text, '\n');
		snprintf(tail[tail_next], TAIL_LEN, "%.*s", (int)(eol - text), text);
		tail_next = (tail_next + 1) % TAIL_LINES;
	}
}

void log_print_libbpf_tail(int n)
{
	int i = (tail_next - n + TAIL_LINES) % TAIL_LINES;

	for (; n > 0; n--, i = (i + 1) % TAIL_LINES)
		if (tail[i][0])
			fprintf(stderr, "  | %s\n", tail[i]);
}

/* libbpf warnings are demoted to debug and indented: the loader says what failed. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg;
	int n;

	if (vasprintf(&msg, fmt, ap) < 0)
		return 0;
	if (level == LIBBPF_WARN)
		tail_add(msg);
	n = log_level >= 2 ? fprintf(stderr, "  libbpf: %s", msg) : 0;
	free(msg);
	return n;
}

void log_setup(void)
{
	libbpf_set_print(libbpf_print);
}

