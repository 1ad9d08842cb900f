#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

int log_level = 1;
static bool silenced;

static void vlog(int level, const char *fmt, va_list ap)
{
	if (silenced || level > log_level)
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

/* libbpf warnings are demoted to debug and indented: the loader says what failed. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (silenced || log_level < 2)
		return 0;
	fputs("  libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void log_setup(void)
{
	libbpf_set_print(libbpf_print);
}

void log_silence(bool on)
{
	silenced = on;
}
