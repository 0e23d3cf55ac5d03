# shellcheck shell=bash
# Helpers of the translation cases (6x-*.sh), sourced after ../lib.sh. Not a
# case itself (cases are NN-name.sh).

XLAT_TOOL=$VM_DIR/cases/xlat_tool.py
# The hosts behind the routers, and how the IPv6 side reaches h4.
# shellcheck disable=SC2034 # read by the cases
readonly H6=2001:db8:1::2 H4=198.51.100.2 H4_6=64:ff9b::c633:6402

# xlat_tool ARGS...: the traffic and packet helper (it enters the namespaces
# itself), killed after TOOL_TIMEOUT seconds (default 60).
xlat_tool() {
	timeout "${TOOL_TIMEOUT:-60}" "$PYTHON" "$XLAT_TOOL" "$@"
}

# The lib.sh topology plus a router on each side, so that paths have hops
# that are neither endpoint nor translator:
#   h6 2001:db8:1::2 -- v6 (router) -- r -- v4 (router) -- h4 198.51.100.2
# ICMP rate limits are off in every namespace: traceroute and the PMTU
# checks count every error, and the kernel's per-destination token bucket
# (one per second after a burst of six) would make them flaky.
topo_xlat() {
	local ns
	topo_setup
	for ns in h6 h4; do
		kill_ns "$ns"
		new_ns "$ns"
	done
	ip link add name to_v6 netns h6 type veth peer name to_h6 netns v6
	ip link add name to_v4 netns h4 type veth peer name to_h4 netns v4
	in_ns v6 ip -6 addr add 2001:db8:1::1/64 dev to_h6 nodad
	in_ns h6 ip -6 addr add "$H6/64" dev to_v6 nodad
	in_ns v4 ip addr add 198.51.100.1/24 dev to_h4
	in_ns h4 ip addr add "$H4/24" dev to_v4
	in_ns v6 ip link set to_h6 up
	in_ns h6 ip link set to_v6 up
	in_ns v4 ip link set to_h4 up
	in_ns h4 ip link set to_v4 up
	in_ns v6 sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns v4 sysctl -qw net.ipv4.conf.all.forwarding=1
	in_ns h6 ip -6 route add default via 2001:db8:1::1
	in_ns h4 ip route add default via 198.51.100.1
	in_ns r ip -6 route add 2001:db8:1::/64 via 2001:db8::2
	in_ns r ip route add 198.51.100.0/24 via 192.0.2.2
	for ns in h6 v6 r v4 h4; do
		in_ns "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	done
	log "routers: h6 $H6 -- v6 2001:db8:1::1 | v4 198.51.100.1 -- h4 $H4"
}

topo_xlat_teardown() {
	local ns
	for ns in h6 h4; do kill_ns "$ns"; done
	topo_teardown
}

# set_link_mtu NS1 DEV1 NS2 DEV2 MTU: both ends of a veth must agree, or
# frames are dropped.
set_link_mtu() {
	local ns1=$1 dev1=$2 ns2=$3 dev2=$4 mtu=$5
	in_ns "$ns1" ip link set "$dev1" mtu "$mtu"
	in_ns "$ns2" ip link set "$dev2" mtu "$mtu"
}

# counter NAME: the instance's counter (0 when not listed).
counter() {
	in_ns r nat64 stats display --all --csv --no-headers |
		awk -F, -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# nstat_of NS COUNTER: a kernel SNMP counter of the namespace (absolute).
nstat_of() {
	in_ns "$1" nstat -az "$2" | awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# pmtu_of NS DEST: the path MTU the namespace's route cache holds for DEST
# (empty when there is no exception).
pmtu_of() {
	in_ns "$1" ip route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p' | head -n 1
}
