/* Numbers on the command line: one parser, errors in one style. */
#ifndef NETBPF_ARGVAL_H
#define NETBPF_ARGVAL_H

/*
 * A decimal number in [min, max] into *out; otherwise prints
 * "invalid WHAT 'S': expected MIN..MAX" and returns -EINVAL.
 */
int arg_uint(const char *s, const char *what, unsigned long long min, unsigned long long max,
	     unsigned long long *out);
/* A number of seconds (fractions allowed) in [min, max], errors as above. */
int arg_seconds(const char *s, const char *what, double min, double max, double *out);
/* The same as arg_uint, with an optional K or M suffix (x1024, x1048576). */
int arg_size(const char *s, const char *what, unsigned long long min, unsigned long long max,
	     unsigned long long *out);

#endif /* NETBPF_ARGVAL_H */
