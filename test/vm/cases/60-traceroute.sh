#!/bin/bash
# vm-timeout: 300
# vm-cost: 12
# traceroute through the translator shows every hop, so Time Exceeded is
# translated both ways (RFC 7915 §4.2, §5.2, with the packet inside):
#  - from h6 to h4 (UDP, ICMP echo and TCP SYN probes): hop 1 the IPv6
#    router, hop 2 the translator (its own ICMPv6 Time Exceeded), hop 3 the
#    IPv4 router (ICMPv4 Time Exceeded translated, its address in pool6),
#    hop 4 h4 (Port Unreachable, Echo Reply or RST translated);
#  - from h4 to h6's UDP port through a static binding: hop 1 the IPv4
#    router, hop 2 the translator (ICMPv4 Time Exceeded), hop 3 the IPv6
#    router (ICMPv6 Time Exceeded translated: stateful NAT64 shows it as the
#    binding's IPv4 address, RFC 6146 §3.5), hop 4 h6 (Port Unreachable).
# Every probe must be answered: no "*" anywhere.
# Also: source-icmpv6-errors-better off makes hop 3 show h4 (RFC 6146's
# rule), and drop-icmpv6-info drops (and counts) IPv6 echo requests.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/xlat_lib.sh
. "$(dirname "$0")/xlat_lib.sh"

# hops: traceroute -n output reduced to "N ADDRESS..." per hop, with any
# "*" (lost probe) and "!X" annotation kept.
hops() {
	awk '/^ *[0-9]+ / {
		out = $1
		for (i = 2; i <= NF; i++)
			if ($i == "*" || $i ~ /^!/ || $i ~ /:/ || $i ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/)
				out = out " " $i
		print out
	}'
}

# trace WHAT EXPECTED NS ARGS...: traceroute ARGS in NS shows EXPECTED hops.
trace() {
	local what=$1 expected=$2 ns=$3 out
	shift 3
	out=$(in_ns "$ns" timeout 60 traceroute -n -w 3 -m 8 "$@" 2>&1) ||
		fail "$what: traceroute $*:"$'\n'"$out"
	log "traceroute $*:"$'\n'"$out"
	expect_eq "$(hops <<<"$out" | paste -sd '|')" "$expected" "$what"
}

command -v traceroute >/dev/null || fail "traceroute is not installed (scripts/deps.sh)"
require_nat64
topo_xlat
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

readonly TO4="1 2001:db8:1::1|2 2001:db8::1|3 64:ff9b::c000:202|4 $H4_6"
trace "UDP traceroute h6 -> h4: every hop" "$TO4" h6 -6 "$H4_6"
trace "ICMP traceroute h6 -> h4: every hop" "$TO4" h6 -6 -I "$H4_6"
trace "TCP traceroute h6 -> h4: every hop" "$TO4" h6 -6 -T -p 7200 "$H4_6"

# source-icmpv6-errors-better off: RFC 6146's literal rule, the error
# seems to come from the destination (hop 3 shows h4, not v4).
check "global update source-icmpv6-errors-better false" \
	in_ns r nat64 global update source-icmpv6-errors-better false
trace "UDP traceroute h6 -> h4, source-icmpv6-errors-better off: v4 shows as h4" \
	"1 2001:db8:1::1|2 2001:db8::1|3 $H4_6|4 $H4_6" h6 -6 "$H4_6"
check "global update source-icmpv6-errors-better true" \
	in_ns r nat64 global update source-icmpv6-errors-better true

# drop-icmpv6-info: IPv6 echo requests are dropped and counted.
check "global update drop-icmpv6-info true" in_ns r nat64 global update drop-icmpv6-info true
info0=$(counter DROP_ICMP6_INFO)
expect_fail "ping h6 -> h4 with drop-icmpv6-info" in_ns h6 ping -c 3 -i 0.2 -W 1 "$H4_6"
expect_eq "$(($(counter DROP_ICMP6_INFO) - info0))" 3 "DROP_ICMP6_INFO counts the 3 echo requests"
check "global update drop-icmpv6-info false" in_ns r nat64 global update drop-icmpv6-info false
ping_ok h6 "$H4_6" 3

check "bib add --udp $H6#7000 192.0.2.1#61500" \
	in_ns r nat64 bib add --udp "$H6#7000" 192.0.2.1#61500
readonly TO6="1 198.51.100.1|2 192.0.2.1|3 192.0.2.1|4 192.0.2.1"
trace "UDP traceroute h4 -> h6 (static binding): every hop" "$TO6" h4 -U -p 61500 192.0.2.1

log "$(in_ns r nat64 stats display --csv --no-headers)"
expect_eq "$(counter DROP_ICMP_ERROR)" 0 "no ICMP error was dropped"

topo_xlat_teardown
unload_nat64
expect_no_kernel_warnings
