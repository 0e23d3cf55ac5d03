#!/bin/bash
# vm-timeout: 1200
# vm-cost: 94
# A million UDP sessions (issue: "1,000,000 sessions created with pktgen,
# then dumped and counted"). pktgen in v6 sends 1,000,000 UDP datagrams to
# 64:ff9b::192.0.2.2 whose (source port, destination port) pairs are all
# different: source ports step through 32768 values and destination ports
# through 127 at the same time, which repeats only after 32768 x 127 =
# 4,161,536 datagrams (pktgen also steps on for the datagrams veth drops
# when r's backlog is full, and counts only the delivered ones). That is
# exactly 1,000,000 sessions on 32,768 BIB entries. The dump must list
# exactly SESSIONS_CREATED - SESSIONS_EXPIRED sessions, each once, on
# exactly BIB_CREATED source ports, and the BIB dump exactly BIB_CREATED
# entries; the memory per session is printed.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=cases/state_lib.sh
. "$(dirname "$0")/state_lib.sh"

# The debug kernel (test/vm/debug-kernel.sh, NAT64_DEBUG_MILLION_SESSIONS)
# may scale the count down: a million sessions under KASAN, kmemleak and
# lockdep in TCG do not fit a test run.  Any count from 32,768 to 4,161,536
# keeps the session checks exact; the BIB is checked against the source
# ports the dump shows, since with few datagrams per port some ports can
# lose every one of theirs to veth drops (100,000 sessions on the debug
# kernel: 34 of 32,768 ports did). Debian's kernels always run the million,
# where every port gets through and the BIB must have all 32,768.
COUNT=1000000
if [[ -n ${NAT64_MILLION_SESSIONS:-} ]]; then
	[[ $(uname -r) == *-nat64dbg ]] ||
		fail "NAT64_MILLION_SESSIONS scales this case down on the debug kernel only, not on $(uname -r)"
	if ! [[ $NAT64_MILLION_SESSIONS =~ ^[1-9][0-9]*$ ]] ||
		((NAT64_MILLION_SESSIONS < 32768 || NAT64_MILLION_SESSIONS > 4161536)); then
		fail "NAT64_MILLION_SESSIONS=$NAT64_MILLION_SESSIONS: not in 32768-4161536"
	fi
	COUNT=$NAT64_MILLION_SESSIONS
	log "debug kernel: $COUNT sessions instead of 1000000 (NAT64_MILLION_SESSIONS)"
fi
readonly COUNT

# pg FILE COMMAND: one pktgen command, in v6's network namespace.
pg() {
	in_ns v6 sh -c "echo '$2' > /proc/net/pktgen/$1" ||
		fail "pktgen $1: $2: $(in_ns v6 cat "/proc/net/pktgen/$1" 2>&1 | grep -i result)"
}

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

require_nat64
topo_setup
load_nat64
check "modprobe pktgen" modprobe pktgen
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
check "pool4 add --udp 198.51.100.1 1024-65535" \
	in_ns r nat64 pool4 add --udp 198.51.100.1 1024-65535
check "global update udp-timeout 1:00:00" in_ns r nat64 global update udp-timeout 1:00:00
mac=$(in_ns r cat /sys/class/net/to_v6/address)

pg kpktgend_0 rem_device_all
pg kpktgend_0 "add_device to_r"
pg to_r "count $COUNT"
pg to_r "clone_skb 0"	# the translator rewrites every skb in place
pg to_r "pkt_size 64"
pg to_r "delay 0"
pg to_r "dst_mac $mac"
pg to_r "src6 2001:db8::2"
pg to_r "dst6 64:ff9b::c000:202"
pg to_r "udp_src_min 1024"
pg to_r "udp_src_max 33792"	# pktgen wraps at max: 32768 values
pg to_r "udp_dst_min 10000"
pg to_r "udp_dst_max 10127"	# 127 values
pg to_r "flag UDPCSUM"	# IPv6 UDP needs a checksum

sync
echo 3 >/proc/sys/vm/drop_caches
slab0=$(meminfo Slab)
avail0=$(meminfo MemAvailable)
t0=$SECONDS
check "pktgen sends $COUNT datagrams" in_ns v6 sh -c 'echo start > /proc/net/pktgen/pgctrl'
log "pktgen: $(in_ns v6 grep -h -E 'Result|pps' /proc/net/pktgen/to_r | tr -s ' ' | tr '\n' ' ')"
log "sent in $((SECONDS - t0)) s"
# Let the last datagrams through the stack: RECEIVED6 stops moving.
prev=-1
for _ in {1..60}; do
	now=$(counter RECEIVED6)
	((now == prev)) && break
	prev=$now
	sleep 1
done
log "RECEIVED6 settled at $now; v6 to_r tx_dropped $(in_ns v6 cat /sys/class/net/to_r/statistics/tx_dropped)," \
	"r to_v6 rx_dropped $(in_ns r cat /sys/class/net/to_v6/statistics/rx_dropped)"

created=$(counter SESSIONS_CREATED)
expired=$(counter SESSIONS_EXPIRED)
bibs=$(counter BIB_CREATED)
log "$(counters RECEIVED6 SUCCESS SESSIONS_CREATED SESSIONS_EXPIRED BIB_CREATED DROP_NOMEM DROP_POOL4_EXHAUSTED DROP_CHECKSUM)"
expect_eq "$created" "$COUNT" "SESSIONS_CREATED: one per datagram pktgen delivered"
expect_eq "$expired" 0 "nothing expired (udp-timeout 1 h)"
((COUNT != 1000000)) || expect_eq "$bibs" 32768 "BIB entries: one per source port"

slab1=$(meminfo Slab)
avail1=$(meminfo MemAvailable)
# (The nat64_session cache may be merged with another one in slabinfo.)
log "slab: +$(((slab1 - slab0) / 1024)) MiB, $(((slab1 - slab0) * 1024 / created)) bytes per session;" \
	"MemAvailable: -$(((avail0 - avail1) / 1024)) MiB, $(((avail0 - avail1) * 1024 / created)) bytes per session (hash buckets included)"
echo "MEMORY: $(((slab1 - slab0) * 1024 / created)) slab bytes/session, $(((avail0 - avail1) * 1024 / created)) bytes/session in all, $created sessions"

t0=$SECONDS
# Field 3: the IPv6 source port (one BIB entry each), 9: the destination port.
lines=$(in_ns r nat64 session display --udp --csv --no-headers |
	tee >(cut -d, -f3,9 | sort -S 64M -u | wc -l >"$CASE_TMP/uniq") \
		>(cut -d, -f3 | sort -S 16M -u | wc -l >"$CASE_TMP/ports") | wc -l)
log "session dump of $lines lines in $((SECONDS - t0)) s"
expect_eq "$lines" $((created - expired)) "dumped sessions = SESSIONS_CREATED - SESSIONS_EXPIRED"
wait_until "uniqueness count done" 60 test -s "$CASE_TMP/uniq"
expect_eq "$(cat "$CASE_TMP/uniq")" "$lines" "every dumped session is a different flow"
wait_until "source port count done" 60 test -s "$CASE_TMP/ports"
expect_eq "$(cat "$CASE_TMP/ports")" "$bibs" "the sessions' source ports = BIB_CREATED"
expect_eq "$(in_ns r nat64 bib display --udp --csv --no-headers | wc -l)" "$bibs" \
	"dumped BIB entries = BIB_CREATED"

t0=$SECONDS
check "instance remove default with $lines sessions" in_ns r nat64 instance remove default
log "instance removed in $((SECONDS - t0)) s"
topo_teardown
unload_nat64
expect_no_kernel_warnings
