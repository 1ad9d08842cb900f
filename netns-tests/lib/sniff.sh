# netbpf sniff and the HTTP servers and clients it watches (sourced by lib.sh)
# --- HTTP sniffing (netbpf sniff) ---------------------------------------------------
# sniff_start NS OUT ARGS...: runs 'netbpf sniff ARGS' in NS in the background
# (stdout in OUT, stderr in OUT.err, pid in SNIFF_PID); returns once it is capturing.
sniff_start() {
	local ns=$1 out=$2; shift 2
	# The shell truncates OUT.err only once the background child runs: a "sniffing"
	# line left there by an earlier run would end the wait below at once.
	rm -f "$out" "$out.err"
	# Not through nsx: $! must be netbpf itself, not a subshell running a function.
	ip netns exec "$ns" "$NETBPF" sniff "$@" >"$out" 2>"$out.err" &
	SNIFF_PID=$!
	defer kill_child "$SNIFF_PID"
	busywait 20000 grep -q '^sniffing' "$out.err" ||
		fail "netbpf sniff did not start: $(cat "$out.err")"
}
# sniff_wait: the sniffer must end by itself (--count, --duration, or after
# sniff_stop's SIGINT) within 10 s, with exit status 0.
sniff_wait() {
	local rc=0
	busywait 10000 eval "! running_child $SNIFF_PID" ||
		fail "netbpf sniff still running after 10 s"
	wait "$SNIFF_PID" || rc=$?
	[ $rc -eq 0 ] || fail "netbpf sniff exited with $rc"
}
# sniff_stop: Ctrl-C; the sniffer flushes and exits 0.
sniff_stop() {
	kill_child -INT "$SNIFF_PID"
	sniff_wait
}
# http_server NS ADDR PORT DIR: python3 -m http.server in NS, returns once it listens.
http_server() {
	ip netns exec "$1" python3 -m http.server "$3" --bind "$2" --directory "$4" >/dev/null 2>&1 &
	defer kill_child $!
	busywait 10000 eval "nsx '$1' ss -Htln 'sport = :$3' | grep -q LISTEN" ||
		fail "http.server on $2:$3 did not start"
}

# With nothing but bash and nc (the minimal guest has no python3 or curl):
# nc_http_once NS ADDR PORT: a server for one exchange: reads a request head,
# answers $NC_HTTP_RESPONSE. Returns once it listens; NC_PID is its pid.
NC_HTTP_RESPONSE=$'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
nc_http_once() {
	local dir
	dir=$(mktemp -d)
	defer rm -rf "$dir"
	mkfifo "$dir/fifo"
	cat >"$dir/answer.sh" <<'EOS'
while IFS= read -r line; do [ "$line" = $'\r' ] && break; done
printf '%s' "$1"
EOS
	ip netns exec "$1" bash -c 'nc -l "$3" "$4" <"$1" | bash "$2" "$5" >"$1"' _ \
		"$dir/fifo" "$dir/answer.sh" "$2" "$3" "$NC_HTTP_RESPONSE" &
	NC_PID=$!
	defer kill_child $NC_PID
	busywait 10000 eval "nsx '$1' ss -Htln 'sport = :$3' | grep -q LISTEN" ||
		fail "nc did not listen on $2:$3"
}
# bash_http_get NS ADDR PORT PATH: one GET over bash's /dev/tcp; prints the response.
bash_http_get() {
	nsx "$1" bash -c 'exec 3<>"/dev/tcp/$1/$2"
		printf "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
		head -c "$4" <&3' _ "$2" "$3" "$4" ${#NC_HTTP_RESPONSE}
}
