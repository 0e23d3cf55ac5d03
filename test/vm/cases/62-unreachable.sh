#!/bin/bash
# vm-timeout: 300
# vm-cost: 19
# ICMP errors reach the IPv6 application as the right socket errors
# (RFC 7915 §4.2-4.3: the error and the packet inside it translated):
#  - UDP to an IPv4 port with no listener: Port Unreachable becomes ICMPv6
#    Port Unreachable and the client's connected socket gets ECONNREFUSED;
#  - TCP to a closed IPv4 port: the RST is translated, connect() is refused;
#  - UDP and TCP to an IPv4 host that does not answer ARP behind a router:
#    Host Unreachable becomes ICMPv6 No Route, connect() fails with
#    ENETUNREACH instead of timing out (UDP: a soft error, seen with
#    IPV6_RECVERR);
# and a listener on the same host still answers (the control).
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/xlat_lib.sh
. "$(dirname "$0")/xlat_lib.sh"

require_nat64
topo_xlat
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

expect_eq "$(xlat_tool refused udp h6 "$H4_6" 7100)" refused \
	"UDP to a closed IPv4 port: ECONNREFUSED at the IPv6 client"
expect_eq "$(xlat_tool refused tcp h6 "$H4_6" 7101)" refused \
	"TCP to a closed IPv4 port: connection refused at the IPv6 client"
expect_eq "$(xlat_tool refused udp v6 64:ff9b::192.0.2.2 7102)" refused \
	"UDP to a closed port of the next IPv4 hop: ECONNREFUSED"
expect_eq "$(xlat_tool refused udp-recverr h6 64:ff9b::198.51.100.99 7103)" unreachable \
	"UDP (IPV6_RECVERR) to an IPv4 host that does not exist: unreachable at the IPv6 client"
expect_eq "$(xlat_tool refused tcp h6 64:ff9b::198.51.100.99 7104)" unreachable \
	"TCP to an IPv4 host that does not exist: unreachable at the IPv6 client"
udp_echo h6 "$H4_6" h4 7105 4 512
log "$(in_ns r nat64 stats display --csv --no-headers)"
expect_eq "$(counter DROP_ICMP_ERROR)" 0 "no ICMP error was dropped"

topo_xlat_teardown
unload_nat64
expect_no_kernel_warnings
