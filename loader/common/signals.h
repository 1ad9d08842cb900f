/* Ctrl-C and SIGTERM end a loop cleanly: one flag for every command and tool. */
#ifndef NETBPF_SIGNALS_H
#define NETBPF_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t exiting;

/* SIGINT and SIGTERM set exiting. Without SA_RESTART: a blocked poll, sleep or read
 * returns EINTR, so the loop sees the flag at once. */
void signals_catch(void);

#endif /* NETBPF_SIGNALS_H */
