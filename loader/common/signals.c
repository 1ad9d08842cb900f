#include <signal.h>
#include <stddef.h>

#include "common/signals.h"

volatile sig_atomic_t exiting;

static void on_signal(int sig __attribute__((unused)))
{
	exiting = 1;
}

void signals_catch(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
