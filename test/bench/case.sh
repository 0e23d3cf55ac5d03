#!/bin/bash
# One benchmark case, inside the VM, for every translator of the run at once
# (run by guest.sh in a fresh bash): case.sh CASE
#   oneflow   pktgen, one UDP flow
#   storm     random source ports x 256 destinations, pool4 16 x 64k ports
#   exhaust   random source ports against a pool4 of 4,535 ports, all taken
#   scale     BENCH_SESSIONS sessions: memory, one flow with the table
#             full, time to dump the table with the CLI
#   oneflow2, storm2   the same with two pktgen threads (one per vCPU)
#   tcp       iperf3 (socat when missing) through the translator
#   smoke     all of the above, one setup, briefly (run.sh --smoke)
# Environment: BENCH_XLATS (plain nat64 jool, those loaded), BENCH_NAT64_CLI,
# BENCH_JOOL_CLI, BENCH_ROUNDS, BENCH_SLICE, BENCH_WARMUP, BENCH_SESSIONS,
# BENCH_TCP_SECS.  Results: "XLAT CASE KEY VALUE" lines in $NAT64_OUT/results.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CASE=${1:?usage: case.sh CASE}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_SLICE=${BENCH_SLICE:-2}
BENCH_WARMUP=${BENCH_WARMUP:-0.5}
BENCH_SESSIONS=${BENCH_SESSIONS:-1000000}
BENCH_TCP_SECS=${BENCH_TCP_SECS:-3}

# pktgen cases: set up, prepare, measure in alternating slices.
pps_case() {
	local pool=$1 threads=$2 profile=$3 x
	setup_all "$pool" silent
	if [[ $CASE == exhaust ]]; then
		for x in "${XLATS[@]}"; do exhaust_pool "$x"; done
	fi
	for x in "${XLATS[@]}"; do pktgen_profile "$x" "$threads" "$profile"; done
	log "pktgen configured"
	measure "$CASE"
}

# Take every pool4 port before measuring: 10,000 source ports in sequence
# against 4,535 ports.
exhaust_pool() {
	pktgen_profile "$1" 1 prefill 10000
	pktgen_run "$1"
	log "$1 prefill (time sent dropped delivered): $(counters "$1")"
}

# fill_table X: BENCH_SESSIONS distinct flows through X (16 sources x 4
# destination ports x 15,625 source ports for a million), repeated (at most
# three passes) while X-r's backlog dropped some.
fill_table() {
	local x=$1 pass t0 s0 d0 r0 t1 s1 d1 r1 backlog
	# A longer backlog absorbs the bursts while softirqs wait for a CPU,
	# so that fewer frames need a second pass.
	read -r backlog </proc/sys/net/core/netdev_max_backlog
	echo 10000 >/proc/sys/net/core/netdev_max_backlog
	for pass in 1 2 3; do
		pktgen_fill "$x" "$BENCH_SESSIONS"
		read -r t0 s0 d0 r0 < <(counters "$x")
		pktgen_run "$x"
		read -r t1 s1 d1 r1 < <(counters "$x")
		log "$x fill pass $pass: $((s1 - s0)) accepted, $((d1 - d0)) dropped," \
			"$((r1 - r0)) delivered in $(secs2 $((t1 - t0)))s"
		if ((pass == 1)); then
			result "$x" scale fill_s "$(secs2 $((t1 - t0)))"
			result "$x" scale fill_pps "$(div_round $(((r1 - r0) * 1000000)) $((t1 - t0)))"
		fi
		((d1 - d0 > 0)) || break
	done
	echo "$backlog" >/proc/sys/net/core/netdev_max_backlog
}

# dump_sessions X: time and size of a full session dump with X's CLI.
dump_sessions() {
	local x=$1 t0 t1 n
	t0=$(now_us)
	xcli "$x" session display --udp --numeric --csv --no-headers >/tmp/sessions.csv
	t1=$(now_us)
	n=$(wc -l </tmp/sessions.csv)
	rm -f /tmp/sessions.csv
	result "$x" scale dump_s "$(secs2 $((t1 - t0)))"
	result "$x" scale sessions "$n"
	((n > 0)) || fail "$x: no sessions in the table"
	SESSIONS[$x]=$n
}

# One translator's table at a time (memory is measured as a delta), then
# all of them alternating with one flow, then the dumps.
scale_case() {
	setup_all big silent
	scale_run
}

# scale_run: the scale case on translators set up with the big pool4.
scale_run() {
	local x s0 v0 p0 s1 v1 p1
	declare -A kmem=()
	declare -gA SESSIONS=()
	for x in "${XLATS[@]}"; do
		[[ $x != plain ]] || continue
		xlat_long_udp_timeout "$x"
		# pktgen's devices take vmalloc memory (1.5 MiB each for its flow
		# array): they exist before (here) and after the fill, so that
		# the difference is the translator's alone.
		pktgen_fill "$x" "$BENCH_SESSIONS"
		sync
		cat /proc/slabinfo >/tmp/slab0
		read -r s0 v0 p0 < <(kernel_mem_kb)
		fill_table "$x"
		read -r s1 v1 p1 < <(kernel_mem_kb)
		cat /proc/slabinfo >/tmp/slab1
		log "$x: slab caches that grew:"$'\n'"$(slab_growth /tmp/slab0 /tmp/slab1)"
		kmem[$x]=$((s1 - s0 + v1 - v0 + p1 - p0))
		result "$x" scale slab_kb $((s1 - s0))
		result "$x" scale vmalloc_kb $((v1 - v0))
		result "$x" scale percpu_kb $((p1 - p0))
	done
	for x in "${XLATS[@]}"; do pktgen_profile "$x" 1 oneflow; done
	measure scale
	for x in "${XLATS[@]}"; do
		[[ $x != plain ]] || continue
		dump_sessions "$x"
		result "$x" scale kmem_kb "${kmem[$x]}"
		result "$x" scale bytes_per_session "$(div_round $((kmem[$x] * 1024)) "${SESSIONS[$x]}")"
	done
}

# tcp_once X: Mbit/s of one BENCH_TCP_SECS transfer v6 -> 64:ff9b::192.0.2.2.
tcp_once() {
	local x=$1 spid t0 t1
	if command -v iperf3 >/dev/null; then
		in_ns "$x-v4" timeout $((BENCH_TCP_SECS + 60)) iperf3 -s -1 -p 5201 >/tmp/iperf3.server 2>&1 &
		spid=$!
		wait_listen "$x-v4" tcp 5201
		in_ns "$x-v6" timeout $((BENCH_TCP_SECS + 30)) iperf3 -c "$DST6" -p 5201 \
			-t "$BENCH_TCP_SECS" -J >/tmp/iperf3.json ||
			fail "$x: iperf3: $(tail -n 20 /tmp/iperf3.json)"
		wait "$spid" || true
		# Mbit/s received, from iperf3's JSON.
		sed -n '/"sum_received"/,/}/s/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' \
			/tmp/iperf3.json | awk 'NR == 1 { printf "%.0f\n", $1 / 1e6 }'
	else
		# Bytes in BENCH_TCP_SECS seconds, counted by the receiver.
		in_ns "$x-v4" timeout $((BENCH_TCP_SECS + 30)) socat -u TCP4-LISTEN:5201,reuseaddr \
			SYSTEM:'wc -c >/tmp/tcp.bytes' &
		spid=$!
		wait_listen "$x-v4" tcp 5201
		t0=$(now_us)
		in_ns "$x-v6" timeout "$BENCH_TCP_SECS" socat -u /dev/zero "TCP6:[$DST6]:5201" || true
		wait "$spid" || true
		t1=$(now_us)
		awk -v b="$(cat /tmp/tcp.bytes)" -v us=$((t1 - t0)) 'BEGIN { printf "%.0f\n", b * 8 / us }'
	fi
}

tcp_case() {
	setup_all big
	tcp_run
}

# tcp_run: the TCP case on translators set up with the big pool4, IPv4 side
# not silenced.
tcp_run() {
	local x round
	declare -A mbps=()
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		for x in "${XLATS[@]}"; do mbps[$x]+=" $(tcp_once "$x")"; done
		log "tcp round $round:$(for x in "${XLATS[@]}"; do printf ' %s %s' "$x" "${mbps[$x]##* }"; done)"
	done
	# shellcheck disable=SC2086 # lists of numbers
	for x in "${XLATS[@]}"; do result "$x" tcp mbps "$(median ${mbps[$x]})"; done
}

# pass_case CASE: a PASS status for every translator without one.
pass_case() {
	local x
	for x in "${XLATS[@]}"; do
		[[ -n ${HAS_STATUS["$x $1"]:-} ]] || result "$x" "$1" status PASS
	done
}

# smoke_case: every case, briefly, on one setup (setting up the namespaces
# is what costs under emulation): it checks that the harness and the
# translators work and that every case produces its numbers, nothing else.
# The cases' tables are not empty at the start as in their own runs.
smoke_case() {
	local x c
	setup_all big silent
	for c in oneflow scale storm oneflow2 storm2; do
		[[ $c != *2 ]] || (($(nproc) >= 2)) || continue
		CASE=$c
		case $c in
		scale) scale_run ;;
		*)
			for x in "${XLATS[@]}"; do
				pktgen_profile "$x" "$( [[ $c == *2 ]] && echo 2 || echo 1)" "${c%2}"
			done
			measure "$c" ;;
		esac
		pass_case "$c"
	done
	CASE=tcp
	for x in "${XLATS[@]}"; do tc -n "$x-v4" qdisc del dev to_r ingress; done
	tcp_run
	pass_case tcp
	# exhaust: each translator again with the small pool4, silenced again.
	CASE=exhaust
	for x in "${XLATS[@]}"; do
		if [[ $x != plain ]]; then
			check "$x: instance remove default" xcli "$x" instance remove default
			xlat_setup "$x" small
		fi
		silence_v4 "$x"
		exhaust_pool "$x"
		pktgen_profile "$x" 1 random
	done
	measure exhaust
	pass_case exhaust
	CASE=smoke
}

main() {
	log "case $CASE for ${XLATS[*]}: $BENCH_ROUNDS round(s) of ${BENCH_SLICE}s after ${BENCH_WARMUP}s warm-up"
	case $CASE in
	oneflow) pps_case big 1 oneflow ;;
	storm) pps_case big 1 storm ;;
	exhaust) pps_case small 1 random ;;
	oneflow2) pps_case big 2 oneflow ;;
	storm2) pps_case big 2 storm ;;
	scale) scale_case ;;
	tcp) tcp_case ;;
	smoke) smoke_case ;;
	*) fail "unknown case $CASE" ;;
	esac
	pass_case "$CASE"
}

main
