#!/bin/bash
# vm-timeout: 420
# vm-cost: 80
# vm-smp: 2
# Lifecycle under load (issue 7): pktgen floods UDP from v6 to
# 64:ff9b::192.0.2.2 with random source ports (new sessions all the time;
# test_timeout_divisor=60 makes them expire within seconds too) while pool4
# is flushed and re-added, the instance removed and re-added, the module
# removed (EBUSY while an iptables rule uses the JOOL target, then cleanly),
# and the translator's namespace deleted. Then CYCLES instance
# add/configure/remove cycles and CYCLES pool4+BIB add/remove cycles, and
# the slab: the module's caches hold 0 objects once the instances that
# used them are gone, and disappear with the last instance and at rmmod;
# no other cache grows by one object per two cycles (a leak of one object
# per cycle would). Needs the guest's slab_nomerge (test/vm/run.sh).
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

readonly TOOL=$VM_DIR/cases/nl_abuse.py
# The issue's figure. Every cycle is six requests (instance add with
# globals, two pool4 adds, a static BIB entry, a global update, remove).
readonly CYCLES=1000
readonly CHURN=3	# pool4 flushes, instance removals under the flood
readonly DIVISOR=60	# udp-timeout 2:00 lasts 2 s
PG_PID=

pg() {
	in_ns v6 sh -c "echo '$2' > /proc/net/pktgen/$1" ||
		fail "pktgen $1: $2: $(in_ns v6 cat "/proc/net/pktgen/$1" 2>&1 | grep -i result)"
}

flood_start() {
	local mac
	mac=$(in_ns r cat /sys/class/net/to_v6/address)
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device to_r"
	pg to_r "count 0"	# until stopped
	pg to_r "clone_skb 0"
	pg to_r "pkt_size 64"
	pg to_r "delay 20000"	# at most 50k datagrams/s: the CLI keeps a CPU
	pg to_r "dst_mac $mac"
	pg to_r "src6 2001:db8::2"
	pg to_r "dst6 64:ff9b::c000:202"
	pg to_r "udp_src_min 1024"
	pg to_r "udp_src_max 65535"
	pg to_r "udp_dst_min 10000"
	pg to_r "udp_dst_max 10063"
	pg to_r "flag UDPSRC_RND"
	pg to_r "flag UDPCSUM"
	in_ns v6 sh -c 'echo start > /proc/net/pktgen/pgctrl' &
	PG_PID=$!
	ok "pktgen flood started"
}

flood_stop() {
	in_ns v6 sh -c 'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null || true
	wait "$PG_PID" 2>/dev/null || true
	ok "pktgen flood stopped"
}

translator() {
	check "instance add default --netfilter" \
		in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
	pool4_fill
	check "udp-timeout 2:00 (2 s with the divisor)" in_ns r nat64 global update udp-timeout 2:00
}

pool4_fill() {
	check "pool4 add --udp 198.51.100.0/28 1024-65535" \
		in_ns r nat64 pool4 add --udp 198.51.100.0/28 1024-65535
}

# The flood is translated again: SESSIONS_CREATED grows past its value now.
sessions_resume() {
	local from
	from=$(counter SESSIONS_CREATED)
	# shellcheck disable=SC2016 # evaluated at each poll
	wait_until "$1: new sessions after $from" 60 \
		'(($(counter SESSIONS_CREATED) > from + 50))'
}

# slab_active CACHE: its active objects in /proc/slabinfo, or "absent".
slab_active() {
	awk -v c="$1" '$1 == c { print $2; f = 1 } END { if (!f) print "absent" }' /proc/slabinfo
}

# Per-CPU slabs count as full in /proc/slabinfo until shrunk.
slab_shrink() {
	local f
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null || true; done
}

slab_table() {
	slab_shrink
	awk 'NR > 2 { print $1, $2 }' /proc/slabinfo | sort
}

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

expect_caches() { # expect_caches VALUE WHAT: both caches show VALUE
	local c
	for c in nat64_bib nat64_session; do
		wait_until "$c $2: $1" 60 "slab_shrink; [[ \$(slab_active $c) == $1 ]]"
	done
}

reload_with_divisor() {
	unload_nat64
	check "insmod test_timeout_divisor=$DIVISOR" insmod "$NAT64_KO" test_timeout_divisor=$DIVISOR
}

flood_pool4_and_instance() {
	local i
	translator
	flood_start
	sessions_resume "flood translated"
	[[ $(slab_active nat64_session) =~ ^[1-9][0-9]*$ ]] ||
		fail "nat64_session shows no objects during the flood: $(slab_active nat64_session)"
	ok "nat64_session has $(slab_active nat64_session) active objects during the flood"
	[[ -d /sys/kernel/slab/nat64_session && ! -L /sys/kernel/slab/nat64_session ]] ||
		fail "nat64_session is merged with another cache: boot the guest with slab_nomerge"
	ok "nat64_session is a cache of its own (slab_nomerge)"
	for ((i = 1; i <= CHURN; i++)); do
		check "flood: pool4 flush ($i)" in_ns r nat64 pool4 flush
		pool4_fill
		sessions_resume "flood: after pool4 re-add ($i)"
	done
	for ((i = 1; i <= CHURN; i++)); do
		check "flood: instance remove ($i)" in_ns r nat64 instance remove default
		translator
		sessions_resume "flood: after instance re-add ($i)"
	done
}

flood_rmmod() {
	local out
	in_ns r ip6tables -t mangle -A PREROUTING -d 2001:db8:ffff::/96 -j JOOL --instance default
	expect_fail "flood: rmmod while an iptables rule uses JOOL" rmmod "$NAT64_MOD"
	expect_contains "$LAST_OUT" "in use" "flood: rmmod refused with EBUSY (module in use)"
	sessions_resume "flood: still translating after the refused rmmod"
	in_ns r ip6tables -t mangle -F PREROUTING
	out=$(rmmod "$NAT64_MOD" 2>&1) || fail "flood: rmmod with live sessions and traffic: $out"
	ok "flood: rmmod with live sessions and traffic"
	expect_eq "$(slab_active nat64_session),$(slab_active nat64_bib)" absent,absent \
		"flood: the module's caches are gone after rmmod"
	check "flood: insmod again" insmod "$NAT64_KO" test_timeout_divisor=$DIVISOR
	translator
	sessions_resume "flood: translating after the reload"
}

flood_netns_delete() {
	ip netns del r
	ok "flood: namespace r deleted with its instance and live sessions"
	flood_stop
	# shellcheck disable=SC2016 # evaluated at each poll
	wait_until "instance of r gone with its namespace" 60 \
		'[[ $(slab_active nat64_session) == absent ]]'
	expect_caches absent "gone with the last instance"
	topo_setup
	translator
	ping_ok v6 64:ff9b::192.0.2.2 3
}

cycles_and_slab() {
	local before after top growth
	new_ns cy
	check "instance add keep in namespace cy" \
		in_ns cy nat64 instance add keep --iptables --pool6 64:ff9b::/96
	check "warm-up: 20 cycles" in_ns cy "$PYTHON" "$TOOL" cycles keep 20
	before=$CASE_TMP/slab.before
	after=$CASE_TMP/slab.after
	slab_table >"$before"
	local slab0 percpu0
	slab0=$(meminfo Slab)
	percpu0=$(meminfo Percpu)
	out=$(in_ns cy "$PYTHON" "$TOOL" cycles keep "$CYCLES" 2>&1) ||
		fail "$CYCLES cycles:"$'\n'"$out"
	log "$out"
	expect_match "$(grep '^CYCLES ' <<<"$out")" "^CYCLES instance $CYCLES in .* pool4 $CYCLES in " \
		"$CYCLES instance cycles and $CYCLES pool4 cycles survived"
	slab_table >"$after"
	log "Slab ${slab0} kB -> $(meminfo Slab) kB, Percpu ${percpu0} kB -> $(meminfo Percpu) kB"
	# Caches that grew, most first (name before after growth).
	top=$(join "$before" "$after" | awk '$1 !~ /^nat64_/ { print $1, $2, $3, $3 - $2 }' |
		sort -k4,4nr | awk "NR <= 5")
	log "caches that grew most over $CYCLES cycles (name before after growth):"$'\n'"$top"
	growth=$(head -n 1 <<<"$top" | cut -d' ' -f4)
	((growth < CYCLES / 2)) ||
		fail "slab cache $(head -n 1 <<<"$top" | cut -d' ' -f1) grew by $growth objects over $CYCLES cycles"
	ok "no slab cache grew by $((CYCLES / 2)) objects or more (largest growth $growth)"
	echo "SLAB: Slab ${slab0} kB before, $(meminfo Slab) kB after $CYCLES+$CYCLES cycles; largest cache growth $growth objects"
	# r's instance had sessions; keep (in cy) has none and no BIB: once r's
	# is gone, the caches still exist (keep uses them) with 0 objects.
	check "instance remove default in r" in_ns r nat64 instance remove default
	expect_caches 0 "0 active objects with only the idle instance left"
	check "instance remove keep" in_ns cy nat64 instance remove keep
	expect_caches absent "destroyed with the last instance"
	kill_ns cy
}

require_nat64
expect_eq "$(slab_active nat64_session)" absent "no nat64_session cache before loading"
topo_setup
load_nat64
reload_with_divisor
check "modprobe pktgen" modprobe pktgen
flood_pool4_and_instance
log "flood with pool4 and instance churn done at ${SECONDS} s"
flood_rmmod
log "flood with rmmod done at ${SECONDS} s"
flood_netns_delete
log "flood with namespace deletion done at ${SECONDS} s"
cycles_and_slab
log "cycles and slab done at ${SECONDS} s"
topo_teardown
unload_nat64
expect_eq "$(slab_active nat64_session),$(slab_active nat64_bib)" absent,absent \
	"no nat64 cache after rmmod"
expect_no_kernel_warnings
