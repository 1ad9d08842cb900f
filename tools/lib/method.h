/* Attach methods: the best one the running kernel allows, chosen at run time.
 * BPF programs say which method they belong to by name prefix: fentry_/fexit_,
 * kprobe_/kretprobe_, tp_; programs without one load with every method. */
#ifndef TOOLS_METHOD_H
#define TOOLS_METHOD_H

#include <stdbool.h>
#include <bpf/libbpf.h>

enum method { METHOD_FENTRY, METHOD_KPROBE, METHOD_TRACEPOINT, METHOD__N, METHOD_AUTO = METHOD__N };
#define M_FENTRY (1u << METHOD_FENTRY)
#define M_KPROBE (1u << METHOD_KPROBE)
#define M_TRACEPOINT (1u << METHOD_TRACEPOINT)

extern const char *const method_names[METHOD__N];

int method_parse(const char *s); /* -1 if unknown */
/* Next method to try after prev (-1 first): the forced one, else the offered ones best first. */
int method_next(unsigned offered, int prev);
/* Cheap checks before loading anything; tp is "group/name" for the tracepoint method. */
bool method_available(int m, const char *tp);
/* Autoload exactly the programs of method m (and those without a method prefix). */
void method_autoload(struct bpf_object *obj, int m);
/* Says why m failed at stage ("load", "attach"); err is a negative errno. */
void method_failed(int m, const char *stage, int err);
/* Says that nothing worked (note() told why as it went); returns the exit status. */
int method_none(void);

/* Tries each method in turn: NAME##__open(), method_autoload(), configure(skel, m),
 * load, attach. Afterwards skel is attached with method m, or NULL if none worked
 * (then method_none() says why). A macro because skeleton functions are typed. */
#define METHOD_ATTACH(NAME, skel, m, offered, tp, configure)                       \
	for (m = method_next(offered, -1); m >= 0; m = method_next(offered, m)) {    \
		const char *stage_ = "load";                                         \
		int err_;                                                            \
		if (!method_available(m, tp))                                       \
			continue;                                                    \
		skel = NAME##__open();                                               \
		if (!skel) {                                                         \
			method_failed(m, "open", -errno);                            \
			continue;                                                    \
		}                                                                    \
		method_autoload(skel->obj, m);                                       \
		configure(skel, m);                                                  \
		err_ = NAME##__load(skel);                                           \
		if (!err_) {                                                         \
			stage_ = "attach";                                           \
			err_ = NAME##__attach(skel);                                 \
		}                                                                    \
		if (!err_)                                                           \
			break;                                                       \
		method_failed(m, stage_, err_);                                      \
		NAME##__destroy(skel);                                               \
		skel = NULL;                                                         \
	}

#endif /* TOOLS_METHOD_H */
