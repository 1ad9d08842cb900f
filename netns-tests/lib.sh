# Shared helpers for netns-tests, one file per area under lib/. Sourced by every test_*.sh
# (and by the demo and the sniff bench). A test exits 0 (pass), 1 (fail) or 77 (skip,
# after printing the reason).
set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# common first: the others use its cleanup stack and verdicts; datapath before trace.
for _lib in common datapath tools redirect sniff trace; do
	. "$TESTS_DIR/lib/$_lib.sh"
done
unset _lib
