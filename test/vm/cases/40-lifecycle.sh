#!/bin/bash
# vm-timeout: 180
# vm-cost: 18
# State must be released on every path: instance remove and rmmod with live
# sessions, deletion of a namespace that owns an instance; and the netlink
# API must refuse configuration changes without CAP_NET_ADMIN.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly OWN4='^192\.0\.2\.1$'
readonly CAP_NET_ADMIN=12

add_instance() {
	check "instance add default --netfilter in ${1:-r}" \
		in_ns "${1:-r}" nat64 instance add default --netfilter --pool6 64:ff9b::/96
}

# A few sessions of every protocol, without the big transfers.
make_sessions() {
	ping_ok v6 64:ff9b::192.0.2.2 2
	udp_echo v6 64:ff9b::192.0.2.2 v4 "$1" 4 100
	tcp_transfer up v6 64:ff9b::192.0.2.2 v4 $(($1 + 1)) 4096
	expect_peer "$PEER" "$OWN4" 61001 65535
	local p
	for p in icmp udp tcp; do
		[[ -n $(sessions "$p") ]] || fail "no $p session created"
	done
	ok "sessions exist for icmp, udp and tcp"
}

remove_with_sessions() {
	add_instance
	make_sessions 6000
	check "instance remove with live sessions" in_ns r nat64 instance remove default
	expect_eq "$(count_lines "$(instances r)")" 0 "instance gone"
	expect_fail "no translation after remove" in_ns v6 ping -c 1 -W 1 64:ff9b::192.0.2.2
}

rmmod_with_sessions() {
	add_instance
	make_sessions 6010
	unload_nat64
	load_nat64
}

# Instances die with their namespace (asynchronously), then rmmod works.
netns_delete_frees() {
	local try before
	new_ns x
	add_instance x
	expect_match "$(instances x)" '^[^,]+,default,netfilter$' "instance listed inside x"
	before=$(count_lines "$(instances)")
	log "instances visible from the initial namespace before deleting x: $before"
	ip netns del x
	for try in {1..50}; do
		(($(count_lines "$(instances)") < before || before == 0)) && break
		sleep 0.2
	done
	((before == 0 || $(count_lines "$(instances)") < before)) ||
		fail "instance of deleted namespace x still listed"
	ok "namespace x deleted (instance gone after $try check(s))"
	unload_nat64
	load_nat64
}

# Changes need CAP_NET_ADMIN; reading may work or must fail cleanly.
unprivileged() {
	local -a nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups
		--inh-caps=-all --bounding-set=-all)
	local -a no_admin=(setpriv --bounding-set=-net_admin)
	expect_eq "$(in_ns r "${nobody[@]}" id -u)" 65534 "setpriv runs commands as nobody"
	local capeff
	capeff=$(in_ns r "${no_admin[@]}" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	expect_eq "$(((16#$capeff >> CAP_NET_ADMIN) & 1))" 0 \
		"setpriv drops CAP_NET_ADMIN for root (CapEff $capeff)"
	expect_fail "instance add as nobody is refused" \
		in_ns r "${nobody[@]}" nat64 instance add foo --netfilter --pool6 64:ff9b::/96
	expect_match "$LAST_OUT" '(Operation not permitted|EPERM|[Pp]ermission|CAP_NET_ADMIN)' "nobody gets EPERM"
	expect_fail "instance add as root without CAP_NET_ADMIN is refused" \
		in_ns r "${no_admin[@]}" nat64 instance add foo --netfilter --pool6 64:ff9b::/96
	expect_match "$LAST_OUT" '(Operation not permitted|EPERM|[Pp]ermission|CAP_NET_ADMIN)' "root without CAP_NET_ADMIN gets EPERM"
	expect_not_contains "$(instances r)" ",foo," "no instance foo was created"
	local rc=0 out
	out=$(in_ns r "${nobody[@]}" timeout 10 nat64 instance display 2>&1) || rc=$?
	log "instance display as nobody: status $rc:"$'\n'"$out"
	((rc == 0 || (rc < 124 && ${#out} > 0))) ||
		fail "instance display as nobody neither worked nor failed with a message"
	ok "instance display as nobody works or fails cleanly (status $rc)"
}

require_nat64
topo_setup
load_nat64
remove_with_sessions
rmmod_with_sessions
netns_delete_frees
unprivileged
topo_teardown
unload_nat64
expect_no_kernel_warnings
