#!/usr/bin/env bash
# The JSON writer under every command's --json: strings with every byte value, and
# with the bytes that need an escape at every offset of its 8-byte scan, come back
# byte for byte through Python's strict JSON decoder (which refuses a raw control
# character). Bytes from 0x80 are written raw, as they came: each line is read as
# Latin-1 so that they decode to themselves.
#
#   (no network: $BUILD/tests/json_escape)
. "$(dirname "$0")/lib.sh"
need python3

out=$(mktemp)
defer rm -f "$out"
"$BUILD/tests/json_escape" >"$out" || fail "json_escape failed"
res=$(python3 - "$out" <<'PYEOF'
import json, sys
n = bad = 0
for line in open(sys.argv[1], encoding="latin-1"):
    n += 1
    o = json.loads(line, strict=True)
    if o["s"].encode("latin-1") != bytes.fromhex(o["hex"]):
        bad += 1
        if bad <= 3:
            print("mismatch:", o["hex"][:80], repr(o["s"][:40]), file=sys.stderr)
print(n, bad)
PYEOF
) || fail "not JSON: $res"
read -r lines bad <<<"$res"
assert_eq "$lines" $((256 + 1 + 41 * 40 + 1)) "strings checked"
assert_eq "$bad" 0 "strings that did not come back"
log "$lines strings, every one decoded to its bytes"
