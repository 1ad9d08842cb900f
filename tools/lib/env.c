#include "env.h"
#include "method.h"

struct tool_env env = { .method = METHOD_AUTO };
