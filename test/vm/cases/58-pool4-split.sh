#!/bin/bash
# vm-timeout: 360
# vm-cost: 18
# pool4 remove of part of an entry: removing one address of a /30 splits
# the entry (the other three stay, listed one per address); a binding on an
# address that stays lives on, with its session and its port still taken;
# removing its own address removes it (unless --quick). Removing part of an
# entry's port range is refused with a message.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly V4=64:ff9b::192.0.2.2

pool4_addrs() {
	in_ns r nat64 pool4 display --udp --csv --no-headers | cut -d, -f3 | sort -t. -k4n | tr '\n' ' '
}

require_nat64
topo_setup
load_nat64
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
check "pool4 add --udp 198.51.100.0/30 1000-1001" \
	in_ns r nat64 pool4 add --udp 198.51.100.0/30 1000-1001
bg_tool v4 udp-server 0.0.0.0 9000 >/dev/null &
wait_listen v4 udp 9000

# All flows of one IPv6 host share one address while it has ports.
out=$(state_tool v6 udp-flows "$V4" 9000 5001,5002 1)
expect_eq "$out" $'ok 5001 1\nok 5002 1' "two flows"
read -r used < <(bib_rows udp | cut -d, -f4 | sort -u)
expect_match "$used" '^198\.51\.100\.[0-3]$' "both flows on one pool4 address"
log "bindings:"$'\n'"$(bib_rows udp)"
other=198.51.100.$(((${used##*.} + 1) % 4))

expect_fail "removing part of an entry's port range is refused" \
	in_ns r nat64 pool4 remove --udp "$other" 1000-1000
expect_contains "$LAST_OUT" "port range" "the refusal says why"
expect_eq "$(pool4_addrs)" "198.51.100.0 198.51.100.1 198.51.100.2 198.51.100.3 " \
	"pool4 unchanged after the refusal"

check "pool4 remove --udp $other (not the one in use)" in_ns r nat64 pool4 remove --udp "$other"
expect_eq "$(count_lines "$(pool4_addrs | tr ' ' '\n')")" 3 "three addresses left"
expect_not_contains "$(pool4_addrs)" "$other " "$other is gone"
expect_eq "$(count_lines "$(bib_rows udp)")" 2 "both bindings on $used live on"
expect_eq "$(count_lines "$(sessions udp)")" 2 "and their sessions"
# Their ports are still taken: $used has 2 ports (1000-1001) and both are
# used, so a third flow of this host must go to another address.
out=$(state_tool v6 udp-flows "$V4" 9000 5003 1)
expect_eq "$out" "ok 5003 1" "a third flow"
third=$(bib_rows udp | awk -F, '$3 == 5003 { print $4 }')
expect_match "$third" '^198\.51\.100\.[0-3]$' "third flow on a pool4 address"
[[ $third != "$used" && $third != "$other" ]] ||
	fail "third flow got $third (in use: $used, removed: $other)"
ok "third flow on $third: the split entry still knows $used is full"

check "pool4 remove --udp $used" in_ns r nat64 pool4 remove --udp "$used"
expect_eq "$(count_lines "$(pool4_addrs | tr ' ' '\n')")" 2 "two addresses left"
expect_eq "$(bib_rows udp | cut -d, -f3)" 5003 "the bindings on $used went, the third stays"
expect_eq "$(count_lines "$(sessions udp)")" 1 "one session left"
check "pool4 remove --udp 198.51.100.0/30" in_ns r nat64 pool4 remove --udp 198.51.100.0/30
expect_eq "$(pool4_addrs)" "" "pool4 empty"
expect_eq "$(count_lines "$(bib_rows udp)")" 0 "no binding left"

check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
unload_nat64
expect_no_kernel_warnings
