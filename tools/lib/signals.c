#include <string.h>

#include "signals.h"

volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

void signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
