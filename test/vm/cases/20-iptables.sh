#!/bin/bash
# vm-timeout: 300
# vm-cost: 25
# iptables-mode instance reached through `-j JOOL --instance default` rules
# in mangle PREROUTING, once with iptables-nft and once with iptables-legacy
# (called directly: update-alternatives cannot run on the read-only root).
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly OWN4='^192\.0\.2\.1$'
readonly TARGET='-j JOOL --instance default'
readonly -a JOOL=(-j JOOL --instance default)

add_rules() {
	local v=$1
	in_ns r "ip6tables-$v" -t mangle -A PREROUTING -d 64:ff9b::/96 "${JOOL[@]}"
	in_ns r "iptables-$v" -t mangle -A PREROUTING -d 192.0.2.1 -p tcp --dport 61001:65535 "${JOOL[@]}"
	in_ns r "iptables-$v" -t mangle -A PREROUTING -d 192.0.2.1 -p udp --dport 61001:65535 "${JOOL[@]}"
	in_ns r "iptables-$v" -t mangle -A PREROUTING -d 192.0.2.1 -p icmp "${JOOL[@]}"
	ok "JOOL rules added with $v"
}

# iptables-save must print the target back exactly as it was written.
check_saved_rules() {
	local v=$1 out6 out4
	out6=$(in_ns r "ip6tables-$v-save" -t mangle)
	out4=$(in_ns r "iptables-$v-save" -t mangle)
	log "ip6tables-$v-save -t mangle:"$'\n'"$out6"
	log "iptables-$v-save -t mangle:"$'\n'"$out4"
	expect_contains "$out6" "-A PREROUTING -d 64:ff9b::/96 $TARGET" "ip6tables-$v-save rule"
	expect_contains "$out4" "-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 61001:65535 $TARGET" \
		"iptables-$v-save tcp rule"
	expect_contains "$out4" "-A PREROUTING -d 192.0.2.1/32 -p udp -m udp --dport 61001:65535 $TARGET" \
		"iptables-$v-save udp rule"
	expect_contains "$out4" "-A PREROUTING -d 192.0.2.1/32 -p icmp $TARGET" "iptables-$v-save icmp rule"
	expect_eq "$(grep -c -- "$TARGET" <<<"$out4$out6")" 4 "exactly 4 JOOL rules saved"
}

# The rules hold references on the module: remove them before rmmod.
flush_rules() {
	local v=$1
	in_ns r "ip6tables-$v" -t mangle -F PREROUTING
	in_ns r "iptables-$v" -t mangle -F PREROUTING
	ok "JOOL rules flushed ($v)"
}

run_variant() {
	local v=$1 base=$2
	log "=== iptables-$v ==="
	topo_setup
	load_nat64
	check "instance add default --iptables" \
		in_ns r nat64 instance add default --iptables --pool6 64:ff9b::/96
	expect_match "$(instances r)" '^[^,]+,default,iptables$' "instance default, iptables"
	add_rules "$v"
	check_saved_rules "$v"
	nat64_traffic "$OWN4" 61001 65535 "$base"
	expect_sessions icmp 1 "$OWN4" 61001 65535
	expect_sessions udp 1 "$OWN4" 61001 65535
	expect_sessions tcp 2 "$OWN4" 61001 65535
	flush_rules "$v"
	check "instance remove default" in_ns r nat64 instance remove default
	topo_teardown
	unload_nat64
}

require_nat64
require_xt_jool
run_variant nft 6000
run_variant legacy 6100
expect_no_kernel_warnings
