#!/usr/bin/env bash
# sslsniff shows the plaintext both ends of a TLS connection exchange.
#
#   netns A (lo):  openssl s_server 127.0.0.1:PORT (self-signed cert made here,
#                  stdin from a fifo)  <-- TLS -->  openssl s_client -quiet
#   root ns:       sslsniff -l <libssl s_server maps> -C openssl
#
# Proves: the server's SSL_do_handshake (1, succeeded, with a duration); the client
# writes and the server reads exactly "hello-from-client\n"; after the server is told
# to answer, it writes and the client reads exactly "hello-from-server\n"; libssl was
# found through the server's /proc/PID/maps.
. "$(dirname "$0")/lib.sh"
need openssl
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range: no stray source port matches
mk_ns A
tmp=$(mktemp -d)
defer rm -rf "$tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
	-days 1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
mkfifo "$tmp/srv-in"

ip netns exec "$A" openssl s_server -accept "127.0.0.1:$PORT" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
	-naccept 1 -quiet <"$tmp/srv-in" >"$tmp/srv-out" 2>&1 &
server=$!
defer kill_child $server
exec 7>"$tmp/srv-in"
busywait 5000 eval "grep -q libssl /proc/$server/maps" || fail "s_server did not map libssl"
tool_start sslsniff -p "$server" -C openssl -j
tool_stop # -p found the library; now trace both ends
lib=$(grep -o 'uprobes on [^ ]*' "$TOOL_ERR" | cut -d' ' -f3)
assert_contains "$lib" "/proc/$server/root/" "libssl from the server's mappings"
tool_start sslsniff -l "$lib" -C openssl -j

printf 'hello-from-client\n' | ip netns exec "$A" openssl s_client -connect "127.0.0.1:$PORT" -quiet \
	>"$tmp/cli-out" 2>&1 &
client=$!
defer kill_child $client
ev() { grep "\"pid\":$1,.*\"op\":\"$2\"" "$TOOL_OUT"; }
busywait 10000 eval "ev $server READ | grep -q hello-from-client" || fail "server read not seen: $(cat "$TOOL_OUT")"
echo hello-from-server >&7
busywait 10000 eval "ev $client READ | grep -q hello-from-server" || fail "client read not seen: $(cat "$TOOL_OUT")"
busywait 5000 grep -q hello-from-server "$tmp/cli-out" || fail "client did not print the answer"
kill_child $client $server
tool_stop

data() { ev "$1" "$2" | grep -o '"len":[-0-9]*,"lat_ns":[0-9]*,"data":"[^"]*"' | sed -E 's/"lat_ns":[0-9]*,//'; }
assert_eq "$(data $client WRITE)" '"len":18,"data":"hello-from-client\\n"' "client write"
assert_eq "$(data $server READ)" '"len":18,"data":"hello-from-client\\n"' "server read"
assert_eq "$(data $server WRITE)" '"len":18,"data":"hello-from-server\\n"' "server write"
assert_eq "$(data $client READ)" '"len":18,"data":"hello-from-server\\n"' "client read"
assert_eq "$(ev $server HANDSHAKE | grep -c '"len":1,"lat_ns":[1-9]')" 1 "server handshake"
