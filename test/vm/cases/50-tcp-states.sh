#!/bin/bash
# vm-timeout: 400
# vm-cost: 21
# The RFC 6146 §3.5.2.2 TCP state machine as `session display` shows it:
# real connections from v6 to v4 opened and closed by either side (FIN
# first from v4, FIN first from v6, RST), a SYN answered by a RST
# (V6_INIT), an IPv4 SYN to an existing binding (V4_INIT), with the
# timer each state runs on. Exact session and BIB counts at the end.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck disable=SC2016 # wait_until evaluates its quoted code itself
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2

# tcp_row ZPORT: the TCP session towards 192.0.2.2:ZPORT (one line).
tcp_row() {
	sessions tcp | awk -F, -v z="$1" '$8 == "192.0.2.2" && $9 == z'
}

# has_state ZPORT STATE: the session is in STATE; its row is left in ROW
# (one reading: a short-lived state may be gone at the next).
has_state() {
	ROW=$(tcp_row "$1")
	[[ $(cut -d, -f11 <<<"$ROW") == "$2" ]]
}

# expect_state ZPORT STATE MIN MAX: the session is in STATE with an expiry
# between MIN and MAX seconds (the timer of that state). Its row is left in
# ROW.
expect_state() {
	local z=$1 state=$2 min=$3 max=$4 row
	wait_until "session to :$z reaches $state" 20 has_state "$z" "$state"
	row=$ROW
	log "$row"
	expect_eq "$(count_lines "$row")" 1 "one session towards :$z"
	expect_in_range "$(secs_of "$(cut -d, -f10 <<<"$row")")" "$min" "$max" \
		"session :$z in $state expires within its timer"
}

# open_conn PORT DIR: a connection v6 -> v4:PORT driven through DIR.
open_conn() {
	local port=$1 dir=$2
	mkdir -p "$dir"
	bg_tool v4 tcp-peer listen 0.0.0.0 "$port" "$dir" &
	wait_until "v4 listens on $port" 30 test -e "$dir/listen.ready"
	bg_tool v6 tcp-peer connect "$V4" "$port" "$dir" &
	wait_until "connection to :$port up on both ends" 30 \
		test -e "$dir/listen.up" -a -e "$dir/connect.up"
}

# Established: 2 h timer (tcp-est-timeout 7200).
EST_MIN=7000
EST_MAX=7200
# Transitory: 4 min (tcp-trans-timeout 240).
TRANS_MIN=200
TRANS_MAX=240

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

# A: v4 closes first.
A=$CASE_TMP/a
open_conn 7001 "$A"
expect_state 7001 ESTABLISHED $EST_MIN $EST_MAX
touch "$A/listen.fin"
expect_state 7001 V4_FIN_RCV $EST_MIN $EST_MAX
touch "$A/connect.fin"
expect_state 7001 V4_FIN_V6_FIN_RCV $TRANS_MIN $TRANS_MAX

# B: v6 closes first.
B=$CASE_TMP/b
open_conn 7002 "$B"
expect_state 7002 ESTABLISHED $EST_MIN $EST_MAX
touch "$B/connect.fin"
expect_state 7002 V6_FIN_RCV $EST_MIN $EST_MAX
touch "$B/listen.fin"
expect_state 7002 V4_FIN_V6_FIN_RCV $TRANS_MIN $TRANS_MAX

# C: v6 aborts.
C=$CASE_TMP/c
open_conn 7003 "$C"
expect_state 7003 ESTABLISHED $EST_MIN $EST_MAX
touch "$C/connect.rst"
expect_state 7003 TRANS $TRANS_MIN $TRANS_MAX
touch "$A/listen.quit" "$A/connect.quit" "$B/listen.quit" "$B/connect.quit" "$C/listen.quit"

# D: nobody listens on v4: its RST does not leave V6_INIT (4 min timer).
out=$(state_tool v6 tcp-connect "$V4" 7009 0 5)
expect_match "$out" '^error ECONNREFUSED' "SYN to a closed v4 port is refused"
expect_state 7009 V6_INIT $TRANS_MIN $TRANS_MAX

# E: an IPv4 SYN to A's binding (no address-dependent filtering) opens a
# V4_INIT session on the 6 s timer; v6 answers it with a RST, which
# changes nothing.
arow=$(tcp_row 7001)
t4=$(cut -d, -f6 <<<"$arow")
t=$(cut -d, -f7 <<<"$arow")
out=$(state_tool v4 tcp-connect "$t4" "$t" 7100 5)
log "IPv4 SYN to A's binding $t4#$t: $out"
expect_state 7100 V4_INIT 0 6
expect_eq "$(cut -d, -f2,3 <<<"$ROW")" "$(cut -d, -f2,3 <<<"$arow")" \
	"the V4_INIT session goes to A's IPv6 address and port"

# V4_INIT ends after its 6 s (plus at most 1/8 and one expiry pass).
wait_until "V4_INIT session expired" 10 'test -z "$(tcp_row 7100)"'
# Exact totals: five sessions on four bindings (E shared A's), one expired.
expect_eq "$(counter SESSIONS_CREATED)" 5 "SESSIONS_CREATED"
expect_eq "$(counter BIB_CREATED)" 4 "BIB_CREATED"
expect_eq "$(counter SESSIONS_EXPIRED)" 1 "SESSIONS_EXPIRED: the V4_INIT one"
expect_eq "$(count_lines "$(sessions tcp)")" 4 "TCP sessions listed"
expect_eq "$(count_lines "$(bib_rows tcp)")" 4 "TCP BIB entries listed"
log "$(in_ns r nat64 stats display)"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
