#!/bin/bash
# vm-timeout: 480
# vm-cost: 90
# vm-lane: wait
# Expiry of an established TCP session (RFC 6146 §3.5.2.2): it falls to
# TRANS and the translator probes the IPv6 end with an empty ACK (sequence
# and acknowledgment numbers 0). A live endpoint answers with an ACK, which
# brings the session back to ESTABLISHED; a silent one lets it end after
# the transitory timer. tcp-est-timeout is at least 2 hours, so this case
# loads the module with test_timeout_divisor=300 (testing only): 24 s
# established, 0.8 s transitory. Slow (debug) kernels run with
# NAT64_TIMEOUT_FACTOR > 1: the divisor shrinks and the waits grow by that
# factor, so setting up the second connection still takes well under one
# established timer (on a loaded debug kernel it once did not).
# shellcheck source-path=SCRIPTDIR/..
# shellcheck disable=SC2016 # wait_until evaluates its quoted code itself
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2
readonly F=${NAT64_TIMEOUT_FACTOR:-1}
readonly DIVISOR=$((300 / F))
readonly EST=$((7200 / DIVISOR))

# tcp_row ZPORT: the TCP session towards 192.0.2.2:ZPORT.
tcp_row() {
	sessions tcp | awk -F, -v z="$1" '$9 == z'
}

# connect_to DIR PORT: a connection v6 -> v4:PORT.
connect_to() {
	local dir=$1 port=$2
	mkdir -p "$dir"
	bg_tool v4 tcp-peer listen 0.0.0.0 "$port" "$dir" &
	wait_until "v4 listens on $port" 30 test -e "$dir/listen.ready"
	bg_tool v6 tcp-peer connect "$V4" "$port" "$dir" &
	wait_until "connected to $port" 30 test -e "$dir/connect.up"
}

require_nat64
topo_setup
load_nat64
check "reload with test_timeout_divisor=$DIVISOR" rmmod "$NAT64_MOD"
check "insmod test_timeout_divisor=$DIVISOR" insmod "$NAT64_KO" test_timeout_divisor=$DIVISOR
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
# Connection 1 (to :7000) answers probes. Connection 2 (to :7001) does
# not: v6 drops everything from :7001 once it is established.
connect_to "$CASE_TMP/c1" 7000
connect_to "$CASE_TMP/c2" 7001
in_ns v6 ip6tables -A INPUT -p tcp --sport 7001 -j DROP
for port in 7000 7001; do
	row=$(tcp_row $port)
	log "$row"
	expect_eq "$(cut -d, -f11 <<<"$row")" ESTABLISHED "session to :$port established"
	expect_in_range "$(secs_of "$(cut -d, -f10 <<<"$row")")" 0 "$EST" \
		"established timer of :$port is 7200 s / $DIVISOR"
done

# First expiry (EST to EST + 3 s, plus one pass): both are probed; the
# silent one ends after its 240 s / DIVISOR in TRANS, the other is back in
# ESTABLISHED.
wait_until "silent session removed after its probe" $((45 * F)) 'test -z "$(tcp_row 7001)"'
expect_eq "$(counter SESSIONS_EXPIRED)" 1 "SESSIONS_EXPIRED"
expect_in_range "$(counter TCP_PROBES)" 2 3 "TCP_PROBES: one each (two for :7000 at most)"
expect_eq "$(count_lines "$(bib_rows tcp)")" 1 "the silent session's binding went with it"
# Idle on: every expiry probes :7000, it answers, it stays.
wait_until "two more probes" $((70 * F)) 'test "$(counter TCP_PROBES)" -ge 4'
row=$(tcp_row 7000)
log "$row"
expect_match "$(cut -d, -f11 <<<"$row")" '^(ESTABLISHED|TRANS)$' \
	"answered probes keep the session (ESTABLISHED, or TRANS for the instant of a probe)"
wait_until "session to :7000 ESTABLISHED" 5 'test "$(tcp_row 7000 | cut -d, -f11)" = ESTABLISHED'
expect_eq "$(counter SESSIONS_EXPIRED)" 1 "no other session expired"
expect_eq "$(count_lines "$(sessions tcp)")" 1 "one TCP session left"
log "$(in_ns r nat64 stats display)"
touch "$CASE_TMP/c1/listen.quit" "$CASE_TMP/c1/connect.quit" \
	"$CASE_TMP/c2/listen.quit" "$CASE_TMP/c2/connect.quit"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
