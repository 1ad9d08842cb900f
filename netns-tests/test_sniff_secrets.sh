#!/usr/bin/env bash
# What 'netbpf sniff' promises to hide stays hidden, in every output. One POST
# carries a marked secret in each place the sniffer redacts by default (the values
# of Authorization, Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, a folded
# Authorization continuation, the credential query parameters access_token, token,
# api_key, apikey, password, secret, sig, signature in the target and in Referer, a
# form body password=...), two that only --redact-header X-Session / --redact-param
# sid hide, and the response a Set-Cookie. Checked: no marker in the JSON lines
# (--max-body keeps the bodies), nor in the text lines, while the fields show
# <redacted> where the values were and keep the rest; --show-secrets shows every
# one as sent. The --pcap file is a raw capture and holds them: it is created
# mode 0600 whatever the umask, never over an existing file or through a symlink
# unless --force (which replaces the file, not what a link points at).
#
#   netns ns (lo up)
#   +-------------------------------------------------------------+
#   |  bash /dev/tcp ---- 127.0.0.1:8080 ---- nc -l | answer.sh     |
#   |  netbpf sniff lo --source wire [--json] [--max-body 300] ...  |
#   +-------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need nc jq

mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"

body='user=bob&password=MARK_BODYPW&sid=MARK_BODYSID&keep=visible'
target='/login?access_token=MARK_AT&token=MARK_TK&api_key=MARK_AK&apikey=MARK_AK2&password=MARK_PW&secret=MARK_SE&sig=MARK_SG&signature=MARK_SN&sid=MARK_SID&page=2'
request="POST $target HTTP/1.1"$'\r\n'"Host: h"$'\r\n'
request+="Authorization: Bearer MARK_AUTH"$'\r\n'
request+="Proxy-Authorization: Basic MARK_PAUTH"$'\r\n'
request+="Cookie: c=MARK_COOKIE"$'\r\n'
request+="X-Api-Key: MARK_XAPI"$'\r\n'
request+="X-Auth-Token: MARK_XAUTH"$'\r\n'
request+="X-Session: MARK_XSESS"$'\r\n'
request+="Referer: http://x/?token=MARK_REF&ok=1"$'\r\n'
request+="X-Digest: Digest username=\"u\","$'\r\n'" response=\"plain\""$'\r\n'
request+="Authorization: Digest username=\"u\","$'\r\n'" response=\"MARK_FOLD\""$'\r\n'
request+="Content-Type: application/x-www-form-urlencoded"$'\r\n'
request+="Content-Length: ${#body}"$'\r\n\r\n'"$body"
NC_HTTP_RESPONSE=$'HTTP/1.1 200 OK\r\nSet-Cookie: s=MARK_SETCOOKIE\r\nContent-Length: 2\r\n\r\nok'
default_secrets="MARK_BODYPW MARK_AT MARK_TK MARK_AK MARK_AK2 MARK_PW MARK_SE MARK_SG MARK_SN MARK_AUTH
	MARK_PAUTH MARK_COOKIE MARK_XAPI MARK_XAUTH MARK_REF MARK_FOLD MARK_SETCOOKIE"
custom_secrets="MARK_XSESS MARK_SID MARK_BODYSID"

# One exchange through a sniffer started with ARGS; its stdout in $tmp/NAME.
exchange() { # name args...
	local name=$1; shift
	nc_http_once "$ns" 127.0.0.1 8080
	sniff_start "$ns" "$tmp/$name" lo --source wire "$@"
	nsx "$ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf "%s" "$1" >&3; head -c "$2" <&3' \
		_ "$request" ${#NC_HTTP_RESPONSE} >"$tmp/$name.resp"
	assert_eq "$(cat "$tmp/$name.resp")" "$NC_HTTP_RESPONSE" "$name: response"
	wait $NC_PID || true
	busywait 5000 grep -q . "$tmp/$name" || true
	sniff_stop
	assert_eq "$(grep -c . "$tmp/$name")" 1 "$name: exchange lines: $(cat "$tmp/$name")"
}
# No marker of the list in FILE.
assert_hidden() { # file what markers...
	local f=$1 what=$2 m; shift 2
	for m in "$@"; do
		grep -q "$m" "$f" && fail "$what: $m leaked: $(grep -o ".\{0,40\}$m.\{0,20\}" "$f" | head -n 1)"
	done
	return 0
}

# JSON with --max-body, the two extra names, and a pcap written under umask 000.
umask 000
exchange json --json --max-body 300 --redact-header X-Session --redact-param sid \
	--pcap "$tmp/cap.pcap"
umask 022
assert_hidden "$tmp/json" "json" $default_secrets $custom_secrets
jq -e . "$tmp/json" >/dev/null || fail "json: not JSON"
R='<redacted>'
assert_eq "$(jq -r .path "$tmp/json")" \
	"/login?access_token=$R&token=$R&api_key=$R&apikey=$R&password=$R&secret=$R&sig=$R&signature=$R&sid=$R&page=2" "json: path"
assert_eq "$(jq -r '.req_headers | map(.[0] + "=" + .[1]) | join("|")' "$tmp/json")" \
	"Host=h|Authorization=$R|Proxy-Authorization=$R|Cookie=$R|X-Api-Key=$R|X-Auth-Token=$R|X-Session=$R|Referer=http://x/?token=$R&ok=1|X-Digest=Digest username=\"u\", response=\"plain\"|Authorization=$R|Content-Type=application/x-www-form-urlencoded|Content-Length=${#body}" \
	"json: request headers"
assert_eq "$(jq -r '.resp_headers | map(.[0] + "=" + .[1]) | join("|")' "$tmp/json")" \
	"Set-Cookie=$R|Content-Length=2" "json: response headers"
assert_eq "$(jq -r .req_body "$tmp/json")" "user=bob&password=$R&sid=$R&keep=visible" "json: request body"
assert_eq "$(jq -r '[.req_body_bytes, .status, (.flags | join(","))] | @tsv' "$tmp/json")" \
	"$(printf '%s\t200\tfolded' ${#body})" "json: sizes, status, flags"

# The pcap is the raw capture: it holds what the JSON hid, so it is root's alone.

grep -q MARK_AUTH "$tmp/cap.pcap" || fail "pcap: the raw Authorization header is missing"

# Text lines: the target is shown, redacted; without --redact-param, sid is not secret.
exchange text
assert_hidden "$tmp/text" "text" $default_secrets
assert_contains "$(cat "$tmp/text")" "POST h/login?access_token=$R&token=$R&api_key=$R&apikey=$R&password=$R&secret=$R&sig=$R&signature=$R&sid=MARK_SID&page=2 200" "text: line"

# --show-secrets: every value as sent.
exchange shown --json --max-body 300 --show-secrets
for m in $default_secrets $custom_secrets; do
	grep -q "$m" "$tmp/shown" || fail "--show-secrets: $m missing"
done
assert_eq "$(jq -r .path "$tmp/shown")" "$target" "--show-secrets: path"
assert_eq "$(jq -r .req_body "$tmp/shown")" "$body" "--show-secrets: body"

# An existing file or a symlink is refused (and left alone); --force replaces the file.
sniff() { nsx "$ns" "$NETBPF" sniff "$@"; }
echo keep >"$tmp/exists.pcap"
chmod 644 "$tmp/exists.pcap"
assert_fails_with "failed to create $tmp/exists.pcap: File exists (--force replaces it)" \
	sniff lo --pcap "$tmp/exists.pcap" --duration 0.1
assert_eq "$(cat "$tmp/exists.pcap")" keep "existing file after a refusal"
echo target >"$tmp/target"
ln -s "$tmp/target" "$tmp/link.pcap"
assert_fails_with "failed to create $tmp/link.pcap: File exists" sniff lo --pcap "$tmp/link.pcap" --duration 0.1
assert_eq "$(cat "$tmp/target")" target "symlink target after a refusal"
sniff lo --pcap "$tmp/link.pcap" --force --duration 0.1 2>/dev/null || fail "--force over a symlink failed"
assert_eq "$(cat "$tmp/target")" target "symlink target after --force"
assert_eq "$(stat -c '%F %a' "$tmp/link.pcap")" "regular file 600" "--force: a new file in the link's place"
sniff lo --pcap "$tmp/exists.pcap" --force --duration 0.1 2>/dev/null || fail "--force failed"
assert_eq "$(stat -c '%a' "$tmp/exists.pcap")" 600 "--force: mode of the replaced file"
# A pcap starts with its magic number (d4 c3 b2 a1, little endian).
assert_eq "$(od -An -tx1 -N4 "$tmp/exists.pcap" | tr -d ' ')" d4c3b2a1 "--force: pcap header"
assert_fails_with "--force replaces the --pcap file: it needs --pcap" sniff lo --force
assert_contains "$(sniff --help)" "A pcap is a raw capture" "--help"
