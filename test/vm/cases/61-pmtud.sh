#!/bin/bash
# vm-timeout: 400
# vm-cost: 35
# MTU and path MTU discovery across the translator (RFC 7915 §4, §5.1),
# with real TCP stacks at both ends and 4 MiB transfers checked by sha256:
#  1. a 1000-byte link inside the IPv4 side (v4 -- h4): the IPv4 router's
#     Fragmentation Needed is translated to Packet Too Big 1280; the client
#     then sends 1280-byte packets, which become 1260-byte IPv4 packets
#     without DF that the router fragments;
#  2. the 1000-byte link is the translator's own (r -- v4): the translator
#     answers Packet Too Big 1280 itself, then fragments the IPv4 packets;
#  3. a 1280-byte link on the IPv6 side: full-size IPv4 packets with DF get
#     Fragmentation Needed 1260 from the translator;
#  4. UDP without DF larger than the IPv6 minimum: fragmented to
#     lowest-ipv6-mtu (1280) and reassembled by the client; with
#     lowest-ipv6-mtu 1500 it goes whole, and a larger one is fragmented to
#     the path MTU (exact fragment sizes);
#  5. 3000 bytes without DF: fragments of the smaller of the translator's
#     IPv6 link MTU (1400) and lowest-ipv6-mtu; a UDP GSO packet is
#     segmented, then each datagram fragmented.
# (The cap of translated MTUs by the translator's own links, RFC 7915 §4.2
# and §5.2, is checked byte by byte in 63-bytes: with real stacks the
# original packet always fits those links, so the cap never binds.)
# h4 advertises an MSS of 1460 whatever its link, so that the client's
# full-size segments meet the narrow link (otherwise TCP never tries them).
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/xlat_lib.sh
. "$(dirname "$0")/xlat_lib.sh"

readonly MIB4=4194304

require_nat64
topo_xlat
in_ns h4 ip route replace default via 198.51.100.1 advmss 1460
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

log "1. 1000-byte link between the IPv4 router and h4"
set_link_mtu v4 to_h4 h4 to_v4 1000
frags0=$(nstat_of v4 IpFragCreates)
tcp_transfer up h6 "$H4_6" h4 7001 $MIB4
expect_eq "$(pmtu_of h6 "$H4_6")" 1280 \
	"h6 learnt PMTU 1280 from the translated Fragmentation Needed"
expect_in_range $(($(nstat_of v4 IpFragCreates) - frags0)) 1 100000000 \
	"the IPv4 router fragmented the 1260-byte packets without DF"
tcp_transfer down h6 "$H4_6" h4 7002 $MIB4
set_link_mtu v4 to_h4 h4 to_v4 1500
in_ns h6 ip -6 route flush cache

log "2. 1000-byte link on the translator's IPv4 side"
set_link_mtu r to_v4 v4 to_r 1000
big0=$(counter DROP_TOO_BIG)
frags0=$(nstat_of r IpFragCreates)
tcp_transfer up h6 "$H4_6" h4 7003 $MIB4
expect_eq "$(pmtu_of h6 "$H4_6")" 1280 "h6 learnt PMTU 1280 from the translator"
expect_in_range $(($(counter DROP_TOO_BIG) - big0)) 1 100000 \
	"DROP_TOO_BIG counts the packets answered with Packet Too Big"
expect_in_range $(($(nstat_of r IpFragCreates) - frags0)) 1 100000000 \
	"the translator fragmented the 1260-byte IPv4 packets"
tcp_transfer down h6 "$H4_6" h4 7004 $MIB4
set_link_mtu r to_v4 v4 to_r 1500
in_ns h6 ip -6 route flush cache
in_ns h4 ip route flush cache

log "3. 1280-byte link on the IPv6 side"
set_link_mtu v6 to_r r to_v6 1280
big0=$(counter DROP_TOO_BIG)
tcp_transfer down h6 "$H4_6" h4 7005 $MIB4
expect_eq "$(pmtu_of h4 192.0.2.1)" 1260 \
	"h4 learnt PMTU 1260 from the translator's Fragmentation Needed"
expect_in_range $(($(counter DROP_TOO_BIG) - big0)) 1 100000 \
	"DROP_TOO_BIG counts the packets answered with Fragmentation Needed"
tcp_transfer up h6 "$H4_6" h4 7006 $MIB4
set_link_mtu v6 to_r r to_v6 1500
in_ns h4 ip route flush cache

log "4. UDP without DF towards IPv6"
# Sizes: the IPv6 packet is 48 + SIZE bytes; each fragment carries
# (MTU - 48) & ~7 bytes of the 8 + SIZE after the IPv6 header.
out=$(xlat_tool udp-big h6 "$H4_6" h4 7007 1400)
log "$out"
expect_eq "$out" "got=1400 intact=1 frames=2 frag=2 sizes=1280,224 max=1280" \
	"1400 bytes arrive as fragments of lowest-ipv6-mtu (1280) and reassemble"
check "global update lowest-ipv6-mtu 1500" in_ns r nat64 global update lowest-ipv6-mtu 1500
out=$(xlat_tool udp-big h6 "$H4_6" h4 7008 1400)
log "$out"
expect_eq "$out" "got=1400 intact=1 frames=1 frag=0 sizes=1448 max=1448" \
	"with lowest-ipv6-mtu 1500, 1400 bytes arrive whole"
out=$(xlat_tool udp-big h6 "$H4_6" h4 7009 4000)
log "$out"
expect_eq "$out" "got=4000 intact=1 frames=3 frag=3 sizes=1496,1496,1160 max=1496" \
	"4000 bytes arrive in fragments of the path MTU (1500) and reassemble"

log "5. 3000 bytes without DF: lowest-ipv6-mtu and the IPv6 link MTU"
set_link_mtu r to_v6 v6 to_r 1400
out=$(xlat_tool udp-big h6 "$H4_6" h4 7010 3000)
log "$out"
expect_eq "$out" "got=3000 intact=1 frames=3 frag=3 sizes=1400,1400,352 max=1400" \
	"a 1400-byte IPv6 link (lowest-ipv6-mtu 1500): fragments of 1400"
check "global update lowest-ipv6-mtu 1280" in_ns r nat64 global update lowest-ipv6-mtu 1280
out=$(xlat_tool udp-big h6 "$H4_6" h4 7011 3000)
log "$out"
expect_eq "$out" "got=3000 intact=1 frames=3 frag=3 sizes=1280,1280,592 max=1280" \
	"lowest-ipv6-mtu 1280 below the 1400-byte link: fragments of 1280"
set_link_mtu r to_v6 v6 to_r 1500
out=$(xlat_tool udp-big h6 "$H4_6" h4 7012 3000)
log "$out"
expect_eq "$out" "got=3000 intact=1 frames=3 frag=3 sizes=1280,1280,592 max=1280" \
	"lowest-ipv6-mtu 1280 on a 1500-byte link: fragments of 1280"
# UDP segmentation offload: 2 datagrams of 1400 bytes in one GSO packet.
# Each becomes 1448 bytes of IPv6, fragmented on its own (the datagram
# size of a UDP GSO packet must survive the translation).
out=$(xlat_tool udp-big h6 "$H4_6" h4 7013 2800 1400)
log "$out"
expect_eq "$out" "got=2800 intact=1 frames=4 frag=4 sizes=1280,224,1280,224 max=1280" \
	"UDP GSO without DF: each datagram fragmented to lowest-ipv6-mtu"

topo_xlat_teardown
unload_nat64
expect_no_kernel_warnings
