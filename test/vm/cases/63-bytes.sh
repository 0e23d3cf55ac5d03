#!/bin/bash
# vm-timeout: 300
# vm-cost: 30
# Byte-exact translation (RFC 7915 §4, §5, as RFC 6146 §3.7 uses it):
# scapy-crafted packets for each rule (TOS / traffic class, hop limit, the
# DF rule, fragments, TCP, ICMP echo, ICMP errors with the packet inside,
# IPv4 UDP without checksum, Time Exceeded and Source Route Failed from
# the translator) are injected on one side and must arrive on the other
# with exactly the bytes that xlat_bytes.py computes for them independently
# (its docstring says which fields the translator chooses freely).
# Frames are read with AF_PACKET sockets on the endpoints' veths, and the
# endpoint stacks are kept silent with raw-table DROP rules (packet sockets
# still see every frame), with static neighbours on the translator.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/xlat_lib.sh
. "$(dirname "$0")/xlat_lib.sh"

require_nat64
topo_setup
topo_fixed_macs
check "v6 stack silenced" in_ns v6 ip6tables -t raw -A PREROUTING -j DROP
check "v4 stack silenced" in_ns v4 iptables -t raw -A PREROUTING -j DROP
in_ns r sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

TOOL_TIMEOUT=240 xlat_tool bytes || fail "packets did not arrive as expected (see above)"
log "$(in_ns r nat64 stats display --csv --no-headers | paste -sd ' ')"
expect_eq "$(counter DROP_SRC_ROUTE)" 1 "DROP_SRC_ROUTE counts the source-routed packet"
expect_eq "$(counter DROP_HOP_LIMIT)" 2 "DROP_HOP_LIMIT counts the two expired packets"
expect_eq "$(counter DROP_BAD_EXTHDR)" 1 "DROP_BAD_EXTHDR counts the Routing header in use"

topo_teardown
unload_nat64
expect_no_kernel_warnings
