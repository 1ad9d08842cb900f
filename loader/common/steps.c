#define _GNU_SOURCE /* sigabbrev_np */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/steps.h"

static sigset_t held, saved;

void steps_begin(void)
{
	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigprocmask(SIG_BLOCK, &held, &saved);
}

static bool env_is(const char *name, const char *step)
{
	const char *v = getenv(name);

	return v && !strcmp(v, step);
}

int steps_check(const char *what, const char *step)
{
	sigset_t pending;

	if (env_is("NETBPF_SIGNAL_AT", step))
		raise(SIGTERM); /* held: pending until steps_end() */
	if (env_is("NETBPF_FAIL_AT", step)) {
		pr_warn("failed to %s: failure injected at step '%s' (NETBPF_FAIL_AT)\n", what, step);
		return -EIO;
	}
	if (sigpending(&pending))
		return 0;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigismember(&held, sig) == 1 && sigismember(&pending, sig) == 1) {
			pr_warn("failed to %s: interrupted by SIG%s after step '%s', rolling back\n",
				what, sigabbrev_np(sig), step);
			return -EINTR;
		}
	}
	return 0;
}

void steps_end(void)
{
	sigprocmask(SIG_SETMASK, &saved, NULL);
}
