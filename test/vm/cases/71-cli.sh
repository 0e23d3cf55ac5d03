#!/bin/bash
# vm-timeout: 600
# vm-cost: 31
# The operations 70-file does not reach, against the real module: every
# global key written and read back through the kernel, -i and the positional
# instance name, pool4 flush, bib add/remove, instance flush, --version,
# and the error contract: exit status 2 for usage errors (nothing sent),
# 1 for operations the kernel rejects (its extack message printed), and the
# configuration unchanged after either.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

# status CMD...: prints CMD's exit status (its output goes to $CASE_TMP/out).
status() {
	local rc=0
	"$@" >"$CASE_TMP/out" 2>&1 || rc=$?
	echo "$rc"
}

# Everything an operation could change in namespace r.
snapshot() {
	local p
	in_ns r nat64 instance display --json
	in_ns r nat64 global display --json
	in_ns r nat64 pool4 display --json
	for p in tcp udp icmp; do in_ns r nat64 bib display "--$p" --json; done
}

# The snapshot's digest (the snapshot itself is logged once per check).
digest() {
	local s
	s=$(snapshot)
	sha256sum <<<"$s" | cut -c1-16
}

# expect_rejected STATUS WHAT MESSAGE CMD...: CMD exits with STATUS and
# says MESSAGE. (Each group of rejections compares the whole configuration
# before and after: every one of them must leave it as it was.)
expect_rejected() {
	local want=$1 what=$2 msg=$3
	shift 3
	expect_eq "$(status "$@")" "$want" "$what: exit status"
	log "$(cat "$CASE_TMP/out")"
	expect_contains "$(cat "$CASE_TMP/out")" "$msg" "$what: message"
}

# set_global KEY VALUE EXPECTED_JSON: update, then read back from the kernel.
set_global() {
	local key=$1 value=$2 want=$3
	check "global update $key $value" in_ns r nat64 global update "$key" "$value"
	expect_eq "$(in_ns r nat64 global display --json | pyj "j['$key']")" "$want" \
		"$key read back from the kernel"
}

every_global() {
	log "=== every global key through the kernel ==="
	set_global manually-enabled false false
	set_global manually-enabled true true
	set_global lowest-ipv6-mtu 1400 1400
	set_global logging-debug on true
	set_global zeroize-traffic-class yes true
	set_global override-tos 1 true
	set_global tos 184 184
	set_global mtu-plateaus 9000,1500,1280,576 '[9000, 1500, 1280, 576]'
	set_global address-dependent-filtering true true
	set_global drop-externally-initiated-tcp true true
	set_global drop-icmpv6-info true true
	set_global source-icmpv6-errors-better false false
	set_global f-args 0b0101 5
	set_global handle-rst-during-fin-rcv true true
	set_global tcp-est-timeout 3:00:00 10800
	set_global tcp-trans-timeout 300 300
	set_global udp-timeout 2:00 120
	set_global icmp-timeout 0:00:30 30
	set_global maximum-simultaneous-opens 3 3
	set_global logging-bib true true
	set_global logging-session true true
	set_global maximum-sessions 100000 100000
	# The display as a whole: every key exactly once, pool6 as created.
	expect_eq "$(in_ns r nat64 global display --json | pyj 'j["pool6"]')" 64:ff9b::/96 "pool6 as created"
	expect_eq "$(in_ns r nat64 global display --csv --no-headers | grep -c '^udp-timeout,')" 1 \
		"global display --csv lists udp-timeout once"
}

usage_errors() {
	log "=== usage errors: exit 2, nothing sent ==="
	local before
	before=$(digest)
	expect_rejected 2 "unknown mode" "unexpected mode 'bogus'" in_ns r nat64 bogus display
	expect_rejected 2 "timeout under the RFC minimum" "is too small (minimum: 0:02:00)" \
		in_ns r nat64 global update udp-timeout 1:00
	expect_rejected 2 "lowest-ipv6-mtu under 1280" "is too small (minimum: 1280)" \
		in_ns r nat64 global update lowest-ipv6-mtu 1279
	expect_rejected 2 "session sync key" "not supported yet" \
		in_ns r nat64 global update ss-enabled true
	expect_rejected 2 "bad plateau list" "'abc' is not a number" \
		in_ns r nat64 global update mtu-plateaus 1500,abc
	expect_rejected 2 "bad IPv4 prefix" "cannot parse '300.1.1.1'" \
		in_ns r nat64 pool4 add 300.1.1.1
	expect_rejected 2 "reversed port range" "" in_ns r nat64 pool4 add 198.51.100.1 2000-1000
	expect_rejected 2 "unknown option" "" in_ns r nat64 pool4 display --bogus
	expect_rejected 2 "pool6 is fixed after creation" "cannot be changed after the instance is created" \
		in_ns r nat64 global update pool6 2001:db8:64::/96
	expect_eq "$(digest)" "$before" "configuration unchanged by the usage errors"
}

kernel_rejections() {
	log "=== operations the kernel rejects: exit 1, extack printed ==="
	local before
	before=$(digest)
	expect_rejected 1 "second netfilter instance in a namespace" "" \
		in_ns r nat64 instance add other --netfilter --pool6 64:ff9b::/96
	expect_rejected 1 "duplicate instance name" "" \
		in_ns r nat64 instance add default --iptables --pool6 64:ff9b::/96
	expect_rejected 1 "operation on a missing instance" "" \
		in_ns r nat64 -i nosuch global display
	expect_rejected 1 "bib entry outside pool4" "" \
		in_ns r nat64 bib add --tcp 2001:db8::2#80 203.0.113.9#80
	expect_eq "$(digest)" "$before" "configuration unchanged by the rejected operations"
}

pool4_and_bib() {
	log "=== pool4 add/remove/flush, bib add/remove ==="
	check "pool4 add --tcp" in_ns r nat64 pool4 add --tcp 198.51.100.0/30 1000-1999
	check "pool4 add --udp --mark 7" in_ns r nat64 pool4 add --udp --mark 7 198.51.100.8 5000-5099
	check "pool4 add --icmp" in_ns r nat64 pool4 add --icmp 198.51.100.9
	expect_eq "$(in_ns r nat64 pool4 display --json |
		pyj 'sorted((e["protocol"], e["mark"], e["address"], e["port_min"], e["port_max"]) for e in j)')" \
		'[["ICMP", 0, "198.51.100.9", 0, 65535], ["TCP", 0, "198.51.100.0", 1000, 1999], ["TCP", 0, "198.51.100.1", 1000, 1999], ["TCP", 0, "198.51.100.2", 1000, 1999], ["TCP", 0, "198.51.100.3", 1000, 1999], ["UDP", 7, "198.51.100.8", 5000, 5099]]' \
		"pool4 display --json lists each address"
	check "bib add --tcp" in_ns r nat64 bib add --tcp 2001:db8::2#8080 198.51.100.1#1080
	expect_eq "$(in_ns r nat64 bib display --tcp --json |
		pyj '[(e["ipv6_address"], e["ipv6_port"], e["ipv4_address"], e["ipv4_port"], e["static"]) for e in j]')" \
		'[["2001:db8::2", 8080, "198.51.100.1", 1080, true]]' "static BIB entry listed"
	check "bib remove --tcp" in_ns r nat64 bib remove --tcp 2001:db8::2#8080 198.51.100.1#1080
	expect_eq "$(in_ns r nat64 bib display --tcp --json)" "[]" "static BIB entry gone"
	check "pool4 remove one address" in_ns r nat64 pool4 remove --tcp 198.51.100.3 1000-1999
	expect_eq "$(in_ns r nat64 pool4 display --tcp --json | pyj 'len(j)')" 3 "three TCP addresses left"
	check "pool4 flush" in_ns r nat64 pool4 flush
	expect_eq "$(in_ns r nat64 pool4 display --json)" "[]" "pool4 empty after flush"
}

instances_and_names() {
	log "=== instance names: positional and -i, instance flush ==="
	check "-i second instance add --iptables" \
		in_ns r nat64 -i second instance add --iptables --pool6 2001:db8:64::/96
	check "instance add third (positional)" \
		in_ns r nat64 instance add third --iptables --pool6 2001:db8:65::/96
	check "global update through --instance" in_ns r nat64 --instance second global update udp-timeout 600
	expect_eq "$(in_ns r nat64 -i second global display --json | pyj 'j["udp-timeout"]')" 600 \
		"-i second sees its own value"
	expect_eq "$(in_ns r nat64 -i third global display --json | pyj 'j["pool6"]')" 2001:db8:65::/96 \
		"-i third has its own pool6"
	expect_eq "$(instances r | cut -d, -f2 | sort | tr '\n' ' ')" "default second third " \
		"three instances listed"
	# An instance of another namespace is not touched by instance flush.
	check "instance in namespace v4" in_ns v4 nat64 instance add default --netfilter --pool6 64:ff9b::/96
	check "instance flush" in_ns r nat64 instance flush
	expect_eq "$(instances r)" "" "no instance left in r"
	expect_eq "$(instances v4 | cut -d, -f2,3)" "default,netfilter" "v4's instance survives"
	check "instance remove in v4" in_ns v4 nat64 instance remove default
}

require_nat64
expect_match "$(nat64 --version)" '^nat64 [0-9]+\.[0-9]+\.[0-9]+' "nat64 --version"
topo_setup
load_nat64
check "instance add default --netfilter" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
every_global
usage_errors
kernel_rejections
pool4_and_bib
instances_and_names
topo_teardown
unload_nat64
expect_no_kernel_warnings
