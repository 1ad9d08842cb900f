# netbpf redirect: cgroups, streamcheck transfers (sourced by lib.sh)
# --- localhost TCP bypass (netbpf redirect) -------------------------------------
# cg_exec CGROUP NS cmd...: runs cmd in network namespace NS as a member of CGROUP.
cg_exec() {
	bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec ip netns exec "$@"' _ "$@"
}
# redirect_stat CGROUP FIELD: one number of 'netbpf redirect status --cgroup CGROUP --json'.
redirect_stat() {
	"$NETBPF" redirect status --cgroup "$1" --json | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# redirect_setup: for netbpf redirect tests: SC (the streamcheck binary), tmp (a
# scratch directory) and cg (a child cgroup whose bypass is turned off at exit).
redirect_setup() {
	SC=$BUILD/tests/streamcheck
	[ -x "$SC" ] || fail "streamcheck not built ($SC)"
	tmp=$(mktemp -d)
	defer rm -rf "$tmp"
	mk_cgroup cg
	defer "$NETBPF" redirect off --cgroup "$cg"
}
# sc_pair200 NAME NS PORT BYTES [TOGGLE]: 200 streamcheck connections over 127.0.0.1:PORT
# (0: any) in NS and the cgroup cg of redirect_setup, BYTES each way in messages of
# up to 1 MiB, paused halfway while 'netbpf redirect TOGGLE --cgroup cg' runs (if
# given); fails unless every stream arrived intact.
sc_pair200() {
	local name=$1 ns=$2 port=$3 bytes=$4 toggle=${5:-} out=$tmp/$1.out pid
	rm -f "$tmp/gate"
	cg_exec "$cg" "$ns" "$SC" pair -a 127.0.0.1 -p "$port" -n 200 -b "$bytes" -m 1M -s "$RANDOM" \
		-g "$tmp/gate" >"$out" 2>&1 &
	pid=$!
	defer kill_child "$pid"
	busywait 120000 grep -q halfway "$out" || { cat "$out"; fail "$name: streams never got halfway"; }
	# shellcheck disable=SC2086 # the words of $toggle are the command
	[ -z "$toggle" ] || "$NETBPF" redirect $toggle --cgroup "$cg" || fail "$name: redirect $toggle"
	touch "$tmp/gate"
	wait "$pid" || { cat "$out"; fail "$name: streams damaged"; }
	assert_eq "$(grep -c "conns=200 tx_bytes=$((200 * bytes)) rx_bytes=$((200 * bytes))" "$out")" 2 \
		"$name: bytes"
	log "$name: $(tr '\n' ' ' <"$out")"
}
# sc_transfer OUT SRV_CG SRV_NS SRV_ADDR CLI_CG CLI_NS CLI_ADDR PORT N BYTES [client args]:
# N streamcheck connections with BYTES each way (output in OUT.server, OUT.client);
# fails unless both ends got every byte intact and agree on the stream hashes.
sc_transfer() {
	local out=$1 scg=$2 sns=$3 saddr=$4 ccg=$5 cns=$6 caddr=$7 port=$8 n=$9 bytes=${10} pid cpid
	shift 10
	rm -f "$out.server" "$out.client" # an old 'listening' line must not be taken for this one
	cg_exec "$scg" "$sns" "$SC" server -a "$saddr" -p "$port" -n "$n" >"$out.server" 2>&1 &
	pid=$!
	defer kill_child "$pid"
	busywait 5000 grep -q '^listening' "$out.server" ||
		fail "streamcheck server did not start: $(cat "$out.server")"
	rm -f "$out.start"
	cg_exec "$ccg" "$cns" "$SC" client -a "$caddr" -p "$port" -n "$n" -b "$bytes" -G "$out.start" "$@" \
		>"$out.client" 2>&1 &
	cpid=$!
	defer kill_child "$cpid"
	sc_start "$sns" "$port" "$n" "$out.start"
	wait "$cpid" || fail "streamcheck client to $caddr: $(cat "$out.client")"
	wait "$pid" || fail "streamcheck server on $saddr: $(cat "$out.server")"
	assert_eq "$(cat "$out.server" "$out.client" |
		grep -c "conns=$n tx_bytes=$((n * bytes)) rx_bytes=$((n * bytes))")" 2 \
		"bytes between $caddr and $saddr"
	assert_eq "$(_sc_hash rx "$out.server")" "$(_sc_hash tx "$out.client")" "client->server hash"
	assert_eq "$(_sc_hash tx "$out.server")" "$(_sc_hash rx "$out.client")" "server->client hash"
}
# sc_start NS PORT N GATE: once N server ends on PORT in NS are ESTABLISHED, let
# the clients started with -G GATE send. The kernel runs PASSIVE_ESTABLISHED_CB
# (the insert) before it sets ESTABLISHED; a client that sends before that, which
# happens when the handshake's last ACK waits in ksoftirqd, leaves its connection
# on TCP for good (docs/redirect.md), and the test would measure that race.
sc_start() {
	busywait 10000 eval "[ \$(nsx '$1' ss -Htn state established '( sport = :$2 )' | wc -l) -ge $3 ]" ||
		fail "$3 connections to port $2 not established: $(nsx "$1" ss -Htn "( sport = :$2 )")"
	touch "$4"
}
_sc_hash() { sed -n "s/.* $1_hash=\([0-9a-f]*\).*/\1/p" "$2"; }
