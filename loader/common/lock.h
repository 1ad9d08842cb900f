/*
 * One lock for every netbpf command that changes pins or attachments (up, down,
 * deny add/del, clean, redirect on/off): concurrent commands then see either
 * nothing or a whole install, never another command's half-made one.
 */
#ifndef NETBPF_LOCK_H
#define NETBPF_LOCK_H

/*
 * Checks privileges and the bpffs (pin_check_bpffs, which may join pid 1's mount
 * namespace), then takes the lock, waiting for the holder. Nested calls only
 * count. 0, or -errno with the message printed.
 */
int lock_take(void);
/* Drops one lock_take(); the last one releases the lock. */
void lock_release(void);

#endif /* NETBPF_LOCK_H */
