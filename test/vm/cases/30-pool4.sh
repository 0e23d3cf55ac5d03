#!/bin/bash
# vm-timeout: 180
# vm-cost: 16
# pool4 198.51.100.0/30 ports (ICMP ids) 1000-2000 for each protocol: listed
# per address, used by the translated traffic, removable (with the sessions
# that used it); with pool4 empty again r's own address is used.
# v4's default route already sends 198.51.100.0/30 back to r.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly POOL=198.51.100.0/30
readonly POOL4='^198\.51\.100\.[0-3]$'

# expected_pool4 PROTO: the CSV rows (first five columns) for the pool.
expected_pool4() {
	local i
	for i in 0 1 2 3; do
		echo "0,$1,198.51.100.$i,1000,2000"
	done
}

pool4_rows() {
	in_ns r nat64 pool4 display "--$1" --csv --no-headers | cut -d, -f1-5
}

add_pool4() {
	local p
	for p in tcp udp icmp; do
		check "pool4 add --$p $POOL 1000-2000" in_ns r nat64 pool4 add "--$p" "$POOL" 1000-2000
	done
	for p in TCP UDP ICMP; do
		expect_eq "$(pool4_rows "${p,,}")" "$(expected_pool4 "$p")" "pool4 display --${p,,} rows"
	done
	log "nat64 pool4 display:"$'\n'"$(in_ns r nat64 pool4 display)"
}

# Entries with a mark only serve packets carrying that mark.
check_mark() {
	check "pool4 add --mark 7 --tcp 203.0.113.1 3000-3100" \
		in_ns r nat64 pool4 add --mark 7 --tcp 203.0.113.1/32 3000-3100
	expect_contains "$(in_ns r nat64 pool4 display --tcp --csv --no-headers)" \
		"7,TCP,203.0.113.1,3000,3100" "pool4 lists the mark-7 entry"
	tcp_transfer up v6 64:ff9b::192.0.2.2 v4 6010 65536
	expect_peer "$PEER" "$POOL4" 1000 2000
	check "pool4 remove --mark 7" in_ns r nat64 pool4 remove --mark 7 --tcp 203.0.113.1/32
	expect_eq "$(pool4_rows tcp)" "$(expected_pool4 TCP)" "only the unmarked TCP rows remain"
}

remove_pool4() {
	check "pool4 remove --tcp $POOL" in_ns r nat64 pool4 remove --tcp "$POOL" 1000-2000
	expect_eq "$(pool4_rows tcp)" "" "no TCP rows after remove"
	expect_eq "$(pool4_rows udp)" "$(expected_pool4 UDP)" "UDP rows untouched"
	expect_not_contains "$(sessions tcp)" 198.51.100. "TCP sessions on the removed pool are gone"
	check "pool4 remove --udp $POOL" in_ns r nat64 pool4 remove --udp "$POOL" 1000-2000
	check "pool4 remove --icmp $POOL" in_ns r nat64 pool4 remove --icmp "$POOL" 1000-2000
	expect_eq "$(in_ns r nat64 pool4 display --csv --no-headers)" "" "pool4 empty"
}

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
add_pool4
nat64_traffic "$POOL4" 1000 2000 6000
expect_sessions icmp 1 "$POOL4" 1000 2000
expect_sessions udp 1 "$POOL4" 1000 2000
expect_sessions tcp 2 "$POOL4" 1000 2000
check_mark
remove_pool4
tcp_transfer up v6 64:ff9b::192.0.2.2 v4 6020 65536
expect_peer "$PEER" '^192\.0\.2\.1$' 61001 65535
check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
