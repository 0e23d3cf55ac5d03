#!/bin/bash
# vm-timeout: 360
# vm-cost: 16
# Hairpinning (RFC 6146 §3.8): IPv6 host A (2001:db8::2) reaches the UDP
# server of IPv6 host B (2001:db8::3) through B's IPv4 transport address,
# i.e. at pool6 + pool4 address. The 6->4 translation of A's packet goes to
# a pool4 address, comes back into the translator as IPv4 and leaves as
# IPv6 towards B with A's IPv4 transport address embedded in pool6 as its
# source, so B answers A the same way. Done with the default pool4 (r's
# own address) and with a pool4 entry routed locally on r.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

# hairpin T4 PORT4 BPORT: B's server on BPORT is bound statically to
# T4#PORT4; A sends COUNT datagrams to pool6 + T4, PORT4 and gets every echo.
hairpin() {
	local t4=$1 t=$2 bport=$3 count=3 out peer a4 a rows blog=$CASE_TMP/b$3.log
	check "bib add --udp 2001:db8::3#$bport $t4#$t" \
		in_ns r nat64 bib add --udp "2001:db8::3#$bport" "$t4#$t"
	bg_tool v6 udp-server 2001:db8::3 "$bport" >"$blog" &
	wait_listen v6 udp "$bport"
	out=$(state_tool v6 udp-flows "64:ff9b::$t4" "$t" 5000 $count 2001:db8::2)
	expect_eq "$out" "ok 5000 $count" "A gets $count echoes from B through [64:ff9b::$t4]:$t"
	wait_until "B logged its peer" 15 grep -q '^peer ' "$blog"
	peer=$(grep '^peer ' "$blog")
	log "B saw: $peer"
	expect_eq "$(count_lines "$peer")" 1 "B saw one peer"
	# A's binding: 2001:db8::2#5000 <-> a4#a; B must see pool6 + a4, a.
	read -r a4 a < <(bib_rows udp | awk -F, '$2 == "2001:db8::2" && $3 == 5000 { print $4, $5 }')
	log "A's binding: 2001:db8::2#5000 <-> $a4#$a"
	expect_eq "$peer" "peer 64:ff9b::$(v6_of "$a4") $a" \
		"B sees A as pool6 + A's IPv4 transport address"
	rows=$(sessions udp)
	log "$rows"
	expect_eq "$(count_lines "$rows")" 2 "two UDP sessions: A's and B's"
	expect_contains "$rows" ",2001:db8::2,5000,64:ff9b::$(v6_of "$t4"),$t,$a4,$a,$t4,$t," \
		"A's session towards B's IPv4 transport address"
	expect_contains "$rows" ",2001:db8::3,$bport,64:ff9b::$(v6_of "$a4"),$a,$t4,$t,$a4,$a," \
		"B's session towards A's IPv4 transport address"
	expect_fail "bib remove refuses sides of two different bindings" \
		in_ns r nat64 bib remove --udp "2001:db8::2#5000" "$t4#$t"
	expect_contains "$LAST_OUT" "no such BIB entry" "the refusal says why"
	# Jool's grammar: the IPv4 side alone names the binding.
	check "bib remove B's binding by its IPv4 side" in_ns r nat64 bib remove --udp "$t4#$t"
	expect_eq "$(bib_rows udp | awk -F, '$2 == "2001:db8::3"' | wc -l)" 0 "B's binding is gone"
	check "bib remove A's binding" in_ns r nat64 bib remove --udp "2001:db8::2#5000"
	expect_eq "$(count_lines "$(sessions udp)")" 0 "no UDP session left"
}

# The IPv6 form (last 32 bits in hex) of an IPv4 address.
v6_of() {
	local a b c d
	IFS=. read -r a b c d <<<"$1"
	printf '%x:%x' $((a * 256 + b)) $((c * 256 + d))
}

require_nat64
topo_setup
in_ns v6 ip -6 addr add 2001:db8::3/64 dev to_r nodad
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

log "default pool4: r's own address 192.0.2.1, ports 61001-65535"
before=$(counter SUCCESS)
hairpin 192.0.2.1 62000 7000
# 3 datagrams and 3 echoes, each translated twice (6->4, then 4->6).
expect_counter SUCCESS "$before" 12
expect_eq "$(counter DROP_HAIRPIN_LOOP)" 0 "no hairpin loop drops"

log "pool4 198.51.100.0/30, routed to r itself"
check "pool4 add --udp 198.51.100.0/30 1000-2000" \
	in_ns r nat64 pool4 add --udp 198.51.100.0/30 1000-2000
in_ns r ip route add local 198.51.100.0/30 dev lo
before=$(counter SUCCESS)
hairpin 198.51.100.2 1500 7001
expect_counter SUCCESS "$before" 12
log "$(in_ns r nat64 stats display)"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
