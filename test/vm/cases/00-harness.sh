#!/bin/bash
# vm-cost: 13
# The harness itself, no nat64 involved: namespaces and veths come up,
# addresses answer at once, TCP carries 1 MiB intact both ways, and kernel
# module auto-loading works through the initramfs /sbin/modprobe wrapper.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

check_pings() {
	ping_ok v6 2001:db8::1
	ping_ok r 2001:db8::2
	ping_ok v4 192.0.2.1
	ping_ok r 192.0.2.2
}

check_tcp() {
	tcp_transfer up v4 192.0.2.1 r 5001 1048576
	expect_match "$PEER" '^192\.0\.2\.2:[0-9]+$' "r saw the connection from v4"
	tcp_transfer down v4 192.0.2.1 r 5002 1048576
}

# ip6tables-nft makes the kernel request nf_tables itself (request_module),
# which only works if the wrapper reaches the real modprobe.
check_autoload() {
	if grep -q '^nf_tables ' /proc/modules; then
		log "nf_tables already loaded; auto-loading not exercised"
	fi
	check "ip6tables-nft rule in r" \
		in_ns r ip6tables-nft -t mangle -A PREROUTING -d 2001:db8::99 -j ACCEPT
	if grep -q '/nf_tables\.ko$' "/lib/modules/$(uname -r)/modules.builtin"; then
		# The debug kernel (debug-kernel.sh) builds netfilter in: then
		# modprobe must still succeed, from modules.builtin.
		check "modprobe nf_tables (built in)" modprobe nf_tables
	else
		check "nf_tables loaded on demand" grep -q '^nf_tables ' /proc/modules
	fi
	check "iptables-legacy rule in r" \
		in_ns r iptables-legacy -t mangle -A PREROUTING -d 192.0.2.99 -j ACCEPT
	expect_contains "$(in_ns r iptables-legacy-save -t mangle)" \
		"-A PREROUTING -d 192.0.2.99/32 -j ACCEPT" "iptables-legacy-save shows the rule"
}

check_udp() {
	udp_echo v4 192.0.2.1 r 5003 16 1000
	expect_match "$PEER" '^192\.0\.2\.2:[0-9]+$' "UDP server in r saw v4"
}

topo_setup
check_pings
check_tcp
check_udp
check_autoload
topo_teardown
expect_no_kernel_warnings
