/*
 * flock(2) on the root of the bpffs (/sys/fs/bpf): the one directory of netbpf's
 * layout that never goes away. PIN_ROOT itself is removed once it is empty, and a
 * lock on a removed directory would let the next command lock its successor while
 * the holder still works. One lock for all interfaces: commands are short, and a
 * bypass (`redirect`, `up --redirect`) spans interfaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/lock.h"
#include "common/log.h"
#include "common/pin.h"
#include "common/priv.h"

static int lock_fd = -1;
static int lock_depth;

int lock_take(void)
{
	int err;

	if (lock_depth)
		return lock_depth++, 0;
	if ((err = priv_check()) || (err = pin_check_bpffs()))
		return err;
	lock_depth = 1;
	lock_fd = open(PIN_BPFFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock_fd < 0)
		goto fail;
	/* Blocking: the holder is another netbpf command, done in a second or so. */
	while (flock(lock_fd, LOCK_EX))
		if (errno != EINTR)
			goto fail;
	return 0;
fail:
	err = -errno;
	pr_warn("failed to lock %s: %s\n", PIN_BPFFS, strerror(errno));
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
	lock_depth = 0;
	return err;
}

void lock_release(void)
{
	if (!lock_depth || --lock_depth)
		return;
	close(lock_fd); /* releases the flock */
	lock_fd = -1;
}
