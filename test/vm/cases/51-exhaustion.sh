#!/bin/bash
# vm-timeout: 300
# vm-cost: 28
# pool4 exhaustion (RFC 6146 §3.5.1.1): UDP pool4 of one address and four
# ports. Four flows from v6 get the four ports and their echoes; a fifth
# flow gets an ICMPv6 Destination Unreachable (address unreachable) per
# datagram, creates nothing, and DROP_POOL4_EXHAUSTED moves by exactly the
# number of datagrams refused. When a binding goes, its port serves again.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2
readonly REFUSED=3

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
check "pool4 add --udp 198.51.100.1 2000-2003" \
	in_ns r nat64 pool4 add --udp 198.51.100.1 2000-2003
# Every refused datagram gets its own error (no ICMPv6 rate limit).
in_ns r sysctl -qw net.ipv6.icmp.ratelimit=0
bg_tool v4 udp-server 0.0.0.0 9000 >"$CASE_TMP/server.log" &
wait_listen v4 udp 9000

before=$(counter DROP_POOL4_EXHAUSTED)
out=$(state_tool v6 udp-flows "$V4" 9000 5001,5002,5003,5004 2)
log "$out"
expect_eq "$out" $'ok 5001 2\nok 5002 2\nok 5003 2\nok 5004 2' "four flows get their echoes"
expect_counter DROP_POOL4_EXHAUSTED "$before" 0

rows=$(sessions udp)
log "$rows"
expect_eq "$(count_lines "$rows")" 4 "four UDP sessions"
expect_eq "$(cut -d, -f6 <<<"$rows" | sort -u)" 198.51.100.1 "all on the one pool4 address"
expect_eq "$(cut -d, -f7 <<<"$rows" | sort -n | tr '\n' ' ')" "2000 2001 2002 2003 " \
	"the four ports, each once"
expect_eq "$(count_lines "$(bib_rows udp)")" 4 "four UDP BIB entries"

# The fifth flow: refused at once, REFUSED times.
out=$(state_tool v6 udp-flows "$V4" 9000 5005 $REFUSED)
log "$out"
expect_eq "$out" "err 5005 $REFUSED 1 3" \
	"fifth flow: $REFUSED ICMPv6 errors type 1 (destination unreachable) code 3 (address unreachable)"
expect_counter DROP_POOL4_EXHAUSTED "$before" $REFUSED
expect_eq "$(count_lines "$(sessions udp)")" 4 "still four UDP sessions"
expect_eq "$(count_lines "$(bib_rows udp)")" 4 "still four UDP BIB entries"
expect_eq "$(grep -c '^peer ' "$CASE_TMP/server.log")" 4 "the v4 server saw four peers only"

# A freed port serves the next flow: remove 5001's binding.
bib=$(bib_rows udp | awk -F, '$3 == 5001')
log "binding of 5001: $bib"
freed=$(cut -d, -f5 <<<"$bib")
check "bib remove 5001's binding" in_ns r nat64 bib remove --udp "2001:db8::2#5001"
out=$(state_tool v6 udp-flows "$V4" 9000 5006 1)
expect_eq "$out" "ok 5006 1" "a sixth flow gets the freed port"
expect_eq "$(bib_rows udp | awk -F, '$3 == 5006' | cut -d, -f5)" "$freed" \
	"the sixth flow has port $freed"
expect_counter DROP_POOL4_EXHAUSTED "$before" $REFUSED
log "$(in_ns r nat64 stats display)"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
