#!/bin/bash
# vm-timeout: 480
# vm-cost: 35
# Unsolicited IPv4 SYNs without a binding (RFC 6146 §3.5.2.2). A SYN to a
# pool4 transport address nobody is bound to is held for 6 s: an IPv6 SYN
# towards its sender within that time gets a new binding to exactly that
# address (the IPv4 end chose it) and both ends connect (simultaneous
# open); otherwise the sender gets ICMP Port Unreachable after 6 s. SYNs to
# the gateway's own ports outside pool4 are not the translator's. At most
# maximum-simultaneous-opens SYNs are held (DROP_SO_LIMIT beyond), and
# drop-externally-initiated-tcp drops them instead (DROP_EXT_TCP).
# Default pool4: r's own address 192.0.2.1, ports 61001-65535.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck disable=SC2016 # wait_until evaluates its quoted code itself
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2

simultaneous_open() {
	local out
	out=$(so_pair v4 7300 192.0.2.1 62000 v6 6200 "$V4" 7300)
	log "simultaneous open 192.0.2.2#7300 <-> 2001:db8::2#6200:"$'\n'"$out"
	expect_eq "$out" $'v4 connected\nv6 connected' "both ends of the simultaneous open connect"
	expect_eq "$(counter SO_STORED)" 1 "SO_STORED"
	expect_eq "$(bib_rows tcp)" "TCP,2001:db8::2,6200,192.0.2.1,62000,0" \
		"the new binding is the address v4 sent its SYN to"
	expect_contains "$(sessions tcp)" ",2001:db8::2,6200,64:ff9b::c000:202,7300,192.0.2.1,62000,192.0.2.2,7300," \
		"the simultaneous open's session"
	expect_eq "$(counter SO_OPENED)" 1 "SO_OPENED"
	expect_eq "$(counter SO_EXPIRED)" 0 "SO_EXPIRED"
}

unanswered() {
	local out
	out=$(state_tool v4 tcp-connect 192.0.2.1 62001 7301 20)
	log "v4 connect to 192.0.2.1#62001: $out"
	expect_match "$out" '^error ECONNREFUSED ([6-9]|1[0-9])\.' \
		"unanswered SYN refused with ICMP port unreachable after 6 s, not before"
	expect_eq "$(counter SO_STORED)" 2 "SO_STORED"
	expect_eq "$(counter SO_EXPIRED)" 1 "SO_EXPIRED"
	expect_eq "$(count_lines "$(bib_rows tcp)")" 1 "no binding was made for it"
}

# syn DPORT SPORT: exactly one SYN from v4 to 192.0.2.1#DPORT.
syn() {
	state_tool v4 syn4 192.0.2.2 192.0.2.1 "$1" "$2" >/dev/null
	sleep 0.5
}

not_ours() {
	local before
	before=$(counter NOT_OURS4)
	# Below 61001: r's own port, r's own stack answers (RST).
	syn 5555 7302
	expect_counter NOT_OURS4 "$before" 1
	expect_eq "$(counter SO_STORED)" 2 "nothing held"
}

limit() {
	local before_s before_l
	check "global update maximum-simultaneous-opens 1" \
		in_ns r nat64 global update maximum-simultaneous-opens 1
	before_s=$(counter SO_STORED)
	before_l=$(counter DROP_SO_LIMIT)
	syn 62002 7303
	syn 62003 7304
	expect_counter SO_STORED "$before_s" 1
	expect_counter DROP_SO_LIMIT "$before_l" 1
	wait_until "the held SYN is answered" 15 'test "$(counter SO_EXPIRED)" -eq 2'
	# Room again.
	syn 62003 7305
	expect_counter SO_STORED "$before_s" 2
	expect_counter DROP_SO_LIMIT "$before_l" 1
	wait_until "that one is answered too" 15 'test "$(counter SO_EXPIRED)" -eq 3'
}

drop_external() {
	local before_s before_x
	check "global update drop-externally-initiated-tcp true" \
		in_ns r nat64 global update drop-externally-initiated-tcp true
	before_s=$(counter SO_STORED)
	before_x=$(counter DROP_EXT_TCP)
	syn 62004 7306
	expect_counter DROP_EXT_TCP "$before_x" 1
	expect_counter SO_STORED "$before_s" 0
	check "global update drop-externally-initiated-tcp false" \
		in_ns r nat64 global update drop-externally-initiated-tcp false
}

require_nat64
topo_setup
load_nat64
enable_debug
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
simultaneous_open
unanswered
not_ours
limit
drop_external
log "$(in_ns r nat64 stats display)"
check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
