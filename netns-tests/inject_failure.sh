#!/usr/bin/env bash
# Deliberately failing test, run only with FAIL_INJECT=1 to prove failures surface.
. "$(dirname "$0")/lib.sh"
fail "injected failure (FAIL_INJECT=1)"
