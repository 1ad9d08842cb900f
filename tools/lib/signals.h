/* Ctrl-C and SIGTERM end a tool's loop cleanly (exit status 0). */
#ifndef TOOLS_SIGNALS_H
#define TOOLS_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t exiting;
void signals_setup(void);

#endif /* TOOLS_SIGNALS_H */
