#include <inttypes.h>

#include "exporter/prom.h"

void prom_family(FILE *f, const char *name, enum prom_type type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		type == PROM_COUNTER ? "counter" : "gauge");
}

/* Label values escape backslash, double quote and newline (and nothing else). */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		switch (*v) {
		case '\\': fputs("\\\\", f); break;
		case '"':  fputs("\\\"", f); break;
		case '\n': fputs("\\n", f); break;
		default:   fputc(*v, f);
		}
	}
}

static void head(FILE *f, const char *name, const char *const *labels, int nlabels)
{
	fputs(name, f);
	if (!nlabels)
		return;
	fputc('{', f);
	for (int i = 0; i < nlabels; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[2 * i]);
		label_value(f, labels[2 * i + 1]);
		fputc('"', f);
	}
	fputc('}', f);
}

void prom_sample(FILE *f, const char *name, const char *const *labels, int nlabels, uint64_t value)
{
	head(f, name, labels, nlabels);
	fprintf(f, " %" PRIu64 "\n", value);
}

void prom_sample_double(FILE *f, const char *name, const char *const *labels, int nlabels,
			double value)
{
	head(f, name, labels, nlabels);
	fprintf(f, " %.9g\n", value);
}
