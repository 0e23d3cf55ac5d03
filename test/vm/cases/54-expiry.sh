#!/bin/bash
# vm-timeout: 480
# vm-cost: 136
# vm-lane: wait
# Session expiry with the real clock and the RFC minimum: udp-timeout 2:00
# (RFC 6146 §3.5.1: at least 2 minutes; nothing is scaled for the test, so
# this case waits about 2.5 minutes). Three idle UDP flows expire between
# their timeout and 9/8 of it (the expiry lists' slack, docs/STATE.md), a
# fourth one kept busy survives them, SESSIONS_EXPIRED counts exactly the
# idle ones and their BIB entries go with them. ICMP, whose minimum is one
# second, expires with icmp-timeout 2 s.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck disable=SC2016 # wait_until evaluates its quoted code itself
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2
readonly UDP_TIMEOUT=120

udp_row() {
	sessions udp | awk -F, -v p="$1" '$3 == p'
}

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
check "global update udp-timeout 0:02:00" in_ns r nat64 global update udp-timeout 0:02:00
check "global update icmp-timeout 0:00:02" in_ns r nat64 global update icmp-timeout 0:00:02
expect_contains "$(in_ns r nat64 global display --csv)" "udp-timeout,0:02:00" "udp-timeout is 2 min"
expect_fail "udp-timeout below the RFC minimum is refused" \
	in_ns r nat64 global update udp-timeout 0:01:59
bg_tool v4 udp-server 0.0.0.0 9000 >/dev/null &
wait_listen v4 udp 9000

# ICMP first (short): the session goes 2 s after the last echo, at most
# 2 x 9/8 s plus one expiry pass (1 s) later.
ping_ok v6 "$V4" 1
expect_eq "$(count_lines "$(sessions icmp)")" 1 "one ICMP session"
wait_until "ICMP session expired" 8 'test -z "$(sessions icmp)"'
expect_eq "$(counter SESSIONS_EXPIRED)" 1 "SESSIONS_EXPIRED after the ICMP session"
expect_eq "$(count_lines "$(bib_rows icmp)")" 0 "its ICMP BIB entry went with it"

t0=$SECONDS
out=$(state_tool v6 udp-flows "$V4" 9000 5001,5002,5003,5004 1)
t1=$SECONDS
expect_eq "$out" $'ok 5001 1\nok 5002 1\nok 5003 1\nok 5004 1' "four UDP flows (in $((t1 - t0)) s)"
rows=$(sessions udp)
log "$rows"
expect_eq "$(count_lines "$rows")" 4 "four UDP sessions"
while IFS=, read -r _ _ port _ _ _ _ _ _ expires; do
	expect_in_range "$(secs_of "$expires")" $((UDP_TIMEOUT - (SECONDS - t0) - 1)) $UDP_TIMEOUT \
		"session of $port expires within udp-timeout"
done <<<"$rows"

# Flow 5004 stays busy: a datagram every 20 s (its own socket, same port).
busy() {
	for _ in {1..8}; do
		sleep 20
		bg_tool v6 udp-send "$V4" 9000 5004 1 >/dev/null
	done
}
busy &

# No session was created before t0: none may go before t0 + timeout.
wait_s=$((UDP_TIMEOUT - 10 - (SECONDS - t0)))
((wait_s <= 0)) || sleep "$wait_s"
expect_eq "$(count_lines "$(sessions udp)")" 4 "all four sessions $((SECONDS - t0)) s after t0"
expect_eq "$(counter SESSIONS_EXPIRED)" 1 "nothing expired before the timeout"

# The last idle one was created by t1: all go by t1 + 9/8 timeout + a pass.
wait_until "the three idle sessions expired" $((t1 + UDP_TIMEOUT * 9 / 8 + 5 - SECONDS)) \
	'test "$(count_lines "$(sessions udp)")" -eq 1'
expect_in_range "$SECONDS" $((t0 + UDP_TIMEOUT - 1)) $((t1 + UDP_TIMEOUT * 9 / 8 + 5)) \
	"idle sessions went between the timeout and 9/8 of it (t0 = $t0, t1 = $t1)"
expect_eq "$(udp_row 5004 | cut -d, -f3)" 5004 "the busy flow's session is left"
expect_eq "$(counter SESSIONS_EXPIRED)" 4 "SESSIONS_EXPIRED: 1 ICMP + 3 UDP"
expect_eq "$(bib_rows udp | cut -d, -f3)" 5004 "only the busy flow's BIB entry is left"
expect_eq "$(counter SESSIONS_CREATED)" 5 "SESSIONS_CREATED: 1 ICMP + 4 UDP"
log "$(in_ns r nat64 stats display)"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
