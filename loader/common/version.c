#include "common/version.h"

/* Only this object sees the version macro: a new commit rebuilds one file. */
const char netbpf_version[] = NETBPF_VERSION;
