#!/bin/bash
# vm-timeout: 480
# vm-cost: 50
# Hostile input (issue 7): about 3,100 scapy-built malformed packets
# (fixed seed) through the translator in both directions: truncated
# headers, lying length fields, long and looping extension header chains,
# tiny / overlapping / duplicate / incomplete fragments, ICMP errors inside
# ICMP errors, zero and wrong checksums, hop limit / TTL 0 and 1, minimum
# and maximum sizes, every ICMP type (and every code of the error types),
# random byte mutations. Every packet must be accounted for, category by
# category: dropped by the kernel's IP input before the hooks (SNMP
# counters), held or merged by reassembly, or seen by nat64 and then
# translated (captured on the far side), dropped with a counter, or passed
# on (counted, then dropped by an nftables sink). malformed.py explains
# the equations. Then no Oops/WARNING/BUG.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/xlat_lib.sh
. "$(dirname "$0")/xlat_lib.sh"

require_nat64
topo_setup
topo_fixed_macs
# The endpoints' stacks neither answer nor speak (router solicitations,
# MLD): only the packet sockets' frames reach r.
for ns in v6 v4; do
	check "$ns stack silenced and muted" in_ns "$ns" nft -f - <<'NFT'
table inet mute {
	chain in { type filter hook prerouting priority -300; drop; }
	chain out { type filter hook output priority 0; drop; }
}
NFT
done
in_ns r sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
	net.ipv4.ipfrag_time=2
# The global ICMP budget (all namespaces) must not drop errors either.
sysctl -qw net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000
# Counters around nat64 (PRE_ROUTING, after reassembly at -400): r's own
# packets (anything not addressed to pool6 or 192.0.2.1), counted and dropped
# (-360); what reaches the hooks (-350); a sink for what nat64 passes on
# (-50). The test never sends to other addresses than these two.
check "nftables accounting in r" in_ns r nft -f - <<'NFT'
table inet acct {
	counter noise4 {}
	counter noise6 {}
	counter pre4 {}
	counter pre6 {}
	counter sink4 {}
	counter sink6 {}
	chain noise {
		type filter hook prerouting priority -360;
		meta nfproto ipv4 ip daddr != 192.0.2.1 counter name noise4 drop
		meta nfproto ipv6 ip6 daddr != 64:ff9b::/96 counter name noise6 drop
	}
	chain pre {
		type filter hook prerouting priority -350;
		meta nfproto ipv4 counter name pre4
		meta nfproto ipv6 counter name pre6
	}
	chain sink {
		type filter hook prerouting priority -50;
		meta nfproto ipv4 counter name sink4 drop
		meta nfproto ipv6 counter name sink6 drop
	}
}
NFT
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
# Incomplete IPv6 fragment sets time out within their category.
in_ns r sysctl -qw net.netfilter.nf_conntrack_frag6_timeout=2

out=$CASE_TMP/malformed.out
rc=0
PYTHONPATH=$VM_DIR/cases timeout 400 "$PYTHON" -u "$VM_DIR/cases/malformed.py" 2>&1 | tee "$out" ||
	rc=${PIPESTATUS[0]}
expect_contains "$(tail -n 1 "$out")" "RESULT failures=0" "every packet of every category is accounted for"
expect_eq "$rc" 0 "malformed.py exit status"
log "$(in_ns r nat64 stats display --csv --no-headers | paste -sd ' ')"

topo_teardown
unload_nat64
expect_no_kernel_warnings
