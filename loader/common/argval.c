#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/argval.h"
#include "common/log.h"

static int parse(const char *s, const char *what, unsigned long long min,
		 unsigned long long max, unsigned long long *out, int suffix)
{
	unsigned long long v;
	int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (suffix && (*end == 'K' || *end == 'k'))
		shift = 10, end++;
	else if (suffix && (*end == 'M' || *end == 'm'))
		shift = 20, end++;
	/* strtoull accepts "-1" as a huge number: refuse signs outright. */
	if (errno || end == s || *end || *s == '-' || *s == '+' || v > max >> shift ||
	    (v << shift) < min) {
		pr_warn("invalid %s '%s': expected %llu..%llu%s\n", what, s, min, max,
			suffix ? " (suffix K or M allowed)" : "");
		return -EINVAL;
	}
	*out = v << shift;
	return 0;
}

int arg_uint(const char *s, const char *what, unsigned long long min, unsigned long long max,
	     unsigned long long *out)
{
	return parse(s, what, min, max, out, 0);
}

int arg_size(const char *s, const char *what, unsigned long long min, unsigned long long max,
	     unsigned long long *out)
{
	return parse(s, what, min, max, out, 1);
}

int arg_seconds(const char *s, const char *what, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < min || v > max) {
		pr_warn("invalid %s '%s': expected %g..%g seconds\n", what, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}
