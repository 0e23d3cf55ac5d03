#!/bin/bash
# vm-timeout: 480
# vm-cost: 31
# Filtering (RFC 6146 §3.5.1, §3.5.2.2) with a second IPv4 host v4b
# (203.0.113.2, behind r's 203.0.113.1). Endpoint-independent filtering
# (default): anybody reaches a binding. address-dependent-filtering: only
# addresses the IPv6 host has talked to (any of their ports) reach it; the
# rest is dropped and counted (DROP_NO_SESSION4), until the IPv6 host talks
# to them. For TCP the unsolicited SYN is held 6 s instead: answered with
# ICMP Port Unreachable when nothing claims it, or met by the IPv6 host's
# SYN (simultaneous open), which then connects both ends.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck disable=SC2016 # wait_until evaluates its quoted code itself
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2
readonly V4_AS6=64:ff9b::c000:202	# 192.0.2.2 as a peer address prints
readonly V4B=64:ff9b::cb00:7102	# 203.0.113.2 in pool6

add_v4b() {
	kill_ns v4b
	new_ns v4b
	ip link add name to_r netns v4b type veth peer name to_v4b netns r
	in_ns r ip addr add 203.0.113.1/24 dev to_v4b
	in_ns v4b ip addr add 203.0.113.2/24 dev to_r
	in_ns r ip link set to_v4b up
	in_ns v4b ip link set to_r up
	in_ns v4b ip route add default via 203.0.113.1
	log "second IPv4 host v4b 203.0.113.2 behind r 203.0.113.1"
}

# start_peer DIR PORT: a v6 UDP socket on PORT, driven through DIR.
start_peer() {
	local dir=$1 port=$2
	mkdir -p "$dir"
	bg_tool v6 udp-peer :: "$port" 140 "$dir" >"$dir/got" &
	wait_until "v6 UDP peer on port $port" 30 test -e "$dir/ready"
}

# peer_send DIR TARGET PORT: the v6 socket of DIR sends one datagram.
peer_send() {
	local dir=$1
	rm -f "$dir/send.done"
	echo "$2 $3" >"$dir/send.tmp"
	mv "$dir/send.tmp" "$dir/send"
	wait_until "v6 peer sent to [$2]:$3" 30 test -e "$dir/send.done"
}

# bound PORT6: "ADDR4 PORT4" of the UDP binding of 2001:db8::2#PORT6.
bound() {
	bib_rows "${2:-udp}" | awk -F, -v p="$1" '$3 == p { print $4, $5 }'
}

got_from() {
	grep -c "^got $2 $3\$" "$1/got" || true
}

# expect_got DIR ADDR PORT N: the v6 socket got N datagrams from ADDR#PORT.
expect_got() {
	local dir=$1 addr=$2 port=$3 n=$4
	if ((n > 0)); then
		wait_until "v6 got $n from [$addr]:$port" 20 \
			'test "$(got_from "$dir" "$addr" "$port")" -ge "$n"'
	else
		sleep 1
	fi
	expect_eq "$(got_from "$dir" "$addr" "$port")" "$n" "datagrams from [$addr]:$port"
}

udp_filtering() {
	local a=$CASE_TMP/a b=$CASE_TMP/b before
	# Endpoint-independent filtering: v4b reaches a binding made for v4.
	start_peer "$a" 6000
	peer_send "$a" "$V4" 9000
	read -r t4 t < <(bound 6000)
	log "UDP binding 2001:db8::2#6000 <-> $t4#$t"
	before=$(counter DROP_NO_SESSION4)
	state_tool v4b udp-send "$t4" "$t" 7000 2 >/dev/null
	expect_got "$a" "$V4B" 7000 2
	expect_counter DROP_NO_SESSION4 "$before" 0

	check "global update address-dependent-filtering true" \
		in_ns r nat64 global update address-dependent-filtering true
	expect_contains "$(in_ns r nat64 global display --csv)" \
		"address-dependent-filtering,TRUE" "ADF is on"
	start_peer "$b" 6001
	peer_send "$b" "$V4" 9000
	read -r t4 t < <(bound 6001)
	log "UDP binding 2001:db8::2#6001 <-> $t4#$t"
	# v4b was never contacted: dropped, counted one by one.
	before=$(counter DROP_NO_SESSION4)
	state_tool v4b udp-send "$t4" "$t" 7000 3 >/dev/null
	expect_got "$b" "$V4B" 7000 0
	expect_counter DROP_NO_SESSION4 "$before" 3
	# v4 was: any of its ports gets through (address-dependent only).
	state_tool v4 udp-send "$t4" "$t" 9999 2 >/dev/null
	expect_got "$b" "$V4_AS6" 9999 2
	# Once the IPv6 host talked to v4b, v4b gets through.
	peer_send "$b" "$V4B" 7000
	state_tool v4b udp-send "$t4" "$t" 7000 2 >/dev/null
	expect_got "$b" "$V4B" 7000 2
	expect_counter DROP_NO_SESSION4 "$before" 3
	# The earlier binding of v4b's first contact still works (its
	# session exists), with filtering on.
	state_tool v4b udp-send "$(bound 6000 | cut -d' ' -f1)" "$(bound 6000 | cut -d' ' -f2)" 7000 1 >/dev/null
	expect_got "$a" "$V4B" 7000 3
}

tcp_filtering() {
	local c=$CASE_TMP/c out before_s before_o before_e t4 t
	# A TCP binding of 2001:db8::2#6100, kept open towards v4.
	mkdir -p "$c"
	bg_tool v4 tcp-peer listen 0.0.0.0 7000 "$c" &
	wait_until "v4 listens on 7000" 30 test -e "$c/listen.ready"
	bg_tool v6 tcp-peer connect "$V4" 7000 "$c" 6100 &
	wait_until "v6 connected to v4" 30 test -e "$c/connect.up"
	read -r t4 t < <(bound 6100 tcp)
	log "TCP binding 2001:db8::2#6100 <-> $t4#$t"
	before_s=$(counter SO_STORED)
	before_o=$(counter SO_OPENED)
	before_e=$(counter SO_EXPIRED)

	# v4b's SYN: held, then refused with ICMP port unreachable after 6 s.
	out=$(state_tool v4b tcp-connect "$t4" "$t" 7200 20)
	log "v4b connect to $t4#$t: $out"
	expect_match "$out" '^error ECONNREFUSED ([6-9]|1[0-9])\.' \
		"v4b's unsolicited SYN is refused (ICMP port unreachable) after 6 s, not before"
	expect_counter SO_STORED "$before_s" 1
	expect_counter SO_EXPIRED "$before_e" 1
	expect_eq "$(sessions tcp | grep -c ',203\.0\.113\.2,' || true)" 0 "no session with v4b"

	# Simultaneous open: v4b's SYN is held until v6 sends its own.
	out=$(so_pair v4b 7201 "$t4" "$t" v6 6100 "$V4B" 7201)
	log "simultaneous open v4b#7201 <-> 2001:db8::2#6100:"$'\n'"$out"
	expect_eq "$out" $'v4 connected\nv6 connected' "both ends of the simultaneous open connect"
	expect_counter SO_STORED "$before_s" 2
	expect_counter SO_OPENED "$before_o" 1
	expect_counter SO_EXPIRED "$before_e" 1
	log "$(sessions tcp)"
	expect_contains "$(sessions tcp)" ",2001:db8::2,6100,$V4B,7201,$t4,$t,203.0.113.2,7201," \
		"the simultaneous open's session"
	touch "$c/listen.quit" "$c/connect.quit"
}

require_nat64
topo_setup
add_v4b
load_nat64
enable_debug
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
bg_tool v4 udp-server 0.0.0.0 9000 >/dev/null &
wait_listen v4 udp 9000
udp_filtering
tcp_filtering
log "$(in_ns r nat64 stats display)"
check "instance remove default" in_ns r nat64 instance remove default
kill_ns v4b
topo_teardown
unload_nat64
expect_no_kernel_warnings
