/* Test program of funclat: calls work(i, i + 10) for i = 1..N; each call sleeps i ms
 * and returns i * (i + 10), and fires the USDT probe netbpf_test:work_done(a, b, ret).
 * With --wait it first reads one byte from stdin (the tracer attaches meanwhile).
 *
 *   usdt_target [--wait] [N]
 */
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) long work(long a, long b)
{
	struct timespec ts = { 0, a * 1000000 };
	long ret = a * b;

	nanosleep(&ts, NULL);
	DTRACE_PROBE3(netbpf_test, work_done, a, b, ret);
	return ret;
}

int main(int argc, char **argv)
{
	int i = 1, n;
	char c;

	if (i < argc && !strcmp(argv[i], "--wait")) {
		if (read(0, &c, 1) != 1)
			return 1;
		i++;
	}
	n = i < argc ? atoi(argv[i]) : 3;
	for (long k = 1; k <= n; k++)
		work(k, k + 10);
	return 0;
}
