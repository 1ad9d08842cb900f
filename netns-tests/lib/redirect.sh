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
# sc_transfer OUT SRV_CG SRV_NS SRV_ADDR CLI_CG CLI_NS CLI_ADDR PORT N BYTES [client args]:
# N streamcheck connections with BYTES each way (output in OUT.server, OUT.client);
# fails unless both ends got every byte intact and agree on the stream hashes.
sc_transfer() {
	local out=$1 scg=$2 sns=$3 saddr=$4 ccg=$5 cns=$6 caddr=$7 port=$8 n=$9 bytes=${10} pid
	shift 10
	rm -f "$out.server" "$out.client" # an old 'listening' line must not be taken for this one
	cg_exec "$scg" "$sns" "$SC" server -a "$saddr" -p "$port" -n "$n" >"$out.server" 2>&1 &
	pid=$!
	defer kill "$pid"
	busywait 5000 grep -q '^listening' "$out.server" ||
		fail "streamcheck server did not start: $(cat "$out.server")"
	cg_exec "$ccg" "$cns" "$SC" client -a "$caddr" -p "$port" -n "$n" -b "$bytes" "$@" \
		>"$out.client" 2>&1 || fail "streamcheck client to $caddr: $(cat "$out.client")"
	wait "$pid" || fail "streamcheck server on $saddr: $(cat "$out.server")"
	assert_eq "$(cat "$out.server" "$out.client" |
		grep -c "conns=$n tx_bytes=$((n * bytes)) rx_bytes=$((n * bytes))")" 2 \
		"bytes between $caddr and $saddr"
	assert_eq "$(_sc_hash rx "$out.server")" "$(_sc_hash tx "$out.client")" "client->server hash"
	assert_eq "$(_sc_hash tx "$out.server")" "$(_sc_hash rx "$out.client")" "server->client hash"
}
_sc_hash() { sed -n "s/.* $1_hash=\([0-9a-f]*\).*/\1/p" "$2"; }
