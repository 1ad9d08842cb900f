/*
 * Commands that must end with all or nothing done (`up`, `redirect on`): signals
 * are held off while they work and acted on at the next step boundary, where the
 * command rolls back. Tests inject a failure or a signal at any named step:
 *   NETBPF_FAIL_AT=STEP    the step fails (as if the kernel had refused it)
 *   NETBPF_SIGNAL_AT=STEP  SIGTERM arrives during the step
 */
#ifndef NETBPF_STEPS_H
#define NETBPF_STEPS_H

/* Holds off SIGINT, SIGTERM and SIGHUP until steps_end(). */
void steps_begin(void);
/*
 * Called after each step: 0 to go on, or (message printed) -EINTR when a signal
 * is waiting, -EIO when NETBPF_FAIL_AT names this step.
 */
int steps_check(const char *what, const char *step);
/* Lets a held-off signal act (by default it ends the process, now that nothing is half done). */
void steps_end(void);

#endif /* NETBPF_STEPS_H */
