#!/bin/bash
# vm-timeout: 180
# vm-cost: 14
# Netfilter-mode instance with the empty pool4 (r's own 192.0.2.1, ports
# 61001-65535): ICMP, UDP and TCP both ways translate intact, sessions show
# the mappings, the instance goes away and the module unloads cleanly.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly OWN4='^192\.0\.2\.1$'

check_instance_listed() {
	local out
	out=$(instances r)
	log "nat64 instance display --csv:"$'\n'"$out"
	expect_eq "$(count_lines "$out")" 1 "one instance listed"
	expect_match "$out" '^[^,]+,default,netfilter$' "instance default, netfilter"
	out=$(in_ns r nat64 instance display)
	expect_match "$out" 'default +\| +netfilter' "plain instance display shows default/netfilter"
}

check_sessions() {
	local out
	expect_sessions icmp 1 "$OWN4" 61001 65535
	expect_sessions udp 1 "$OWN4" 61001 65535
	expect_sessions tcp 2 "$OWN4" 61001 65535
	out=$(in_ns r nat64 session display --tcp --numeric)
	log "nat64 session display --tcp --numeric:"$'\n'"$out"
	expect_contains "$out" "Local: 192.0.2.1#" "plain session display shows 192.0.2.1 as local IPv4"
	expect_contains "$out" "Remote: 192.0.2.2#6001" "plain session display shows the v4 server"
}

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
check_instance_listed
nat64_traffic "$OWN4" 61001 65535 6000
check_sessions
check "instance remove default" in_ns r nat64 instance remove default
expect_eq "$(count_lines "$(instances r)")" 0 "no instance listed after remove"
expect_fail "no translation after instance remove" \
	in_ns v6 ping -c 1 -W 1 64:ff9b::192.0.2.2
topo_teardown
unload_nat64
expect_no_kernel_warnings
