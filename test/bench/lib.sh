# shellcheck shell=bash
# Helpers for the benchmark cases (test/bench/case.sh), sourced inside the VM
# after test/vm/lib.sh (which provides in_ns, new_ns, kill_ns, check, fail,
# wait_listen, load_nat64).
#
# Every translator X gets its own copy of test/vm's topology, so that all of
# them are configured at once and a measurement can alternate between them
# in short slices (the host is shared and noisy; alternating keeps the
# columns of one row comparable):
#   X-v6  2001:db8::2 ---- 2001:db8::1  X-r  192.0.2.1 ---- 192.0.2.2  X-v4
#                                            2001:db8:1::1 - 2001:db8:1::2
# X is plain (IPv6 forwarding by route, the limit), nat64 or jool.  pktgen
# sends from X-v6 straight onto the veth, in frames addressed to X-r's MAC;
# X-r translates (or forwards); what arrives in X-v4 is counted by the veth
# and dropped at tc ingress, so the endpoint stack stays silent.
# Every exec is slow under emulation (seconds when the host is busy): the
# measuring loop runs no programs, and setup batches its ip/tc commands.

# Everything pktgen sends goes to 64:ff9b::/96: the IPv4 destinations are
# X-v4's own address (one flow) or 203.0.113.0/24 (256 destinations).
readonly DST6=64:ff9b::c000:202
readonly DST6_STORM_MIN=64:ff9b::cb00:7100 DST6_STORM_MAX=64:ff9b::cb00:71ff
readonly POOL4_BIG=198.51.100.0/28 # 16 addresses x ports 1-65535
readonly POOL4_SMALL=192.0.2.1/32 POOL4_SMALL_PORTS=61001-65535 # 4,535 ports
# pktgen's minimum for IPv6/UDP: asking for 64 gives 78-byte frames (its
# 16-byte payload header), 58 bytes once translated to IPv4.
readonly PKT_SIZE=64

BENCH_RESULTS=${NAT64_OUT:-/tmp}/results
# Translators of this run, and the CLI of each (both speak Jool's grammar).
read -ra XLATS <<<"${BENCH_XLATS:-plain}"
declare -A CLI=([nat64]=${BENCH_NAT64_CLI:-} [jool]=${BENCH_JOOL_CLI:-})
# One sleeper per namespace: /proc/PID/net/{dev,pktgen} are that namespace's.
declare -A NS_PID=()

# ---------------------------------------------------------------- output

# test/vm/lib.sh's log, with the guest's uptime.
log() {
	local up
	read -r up _ </proc/uptime
	echo "# [$up] $*"
}

# Status lines written so far ("XLAT CASE"): no grep (an exec) to find them.
declare -A HAS_STATUS=()

# result XLAT CASE KEY VALUE
result() {
	echo "$1 $2 $3 $4" >>"$BENCH_RESULTS"
	[[ $3 != status ]] || HAS_STATUS["$1 $2"]=1
	log "result: $1 $2 $3 = $4"
}

# Microseconds since the epoch.
now_us() {
	local t=$EPOCHREALTIME
	echo $((${t/./}))
}

# div_round A B: A/B rounded to an integer.
div_round() {
	echo $((($1 * 2 + $2) / ($2 * 2)))
}

# secs2 MICROSECONDS: seconds with two decimals.
secs2() {
	printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000))
}

# median N...: of integers (no sort(1): no exec).
median() {
	local -a v=("$@")
	local i j t n=${#v[@]}
	for ((i = 1; i < n; i++)); do
		for ((j = i; j > 0 && v[j - 1] > v[j]; j--)); do
			t=${v[j]} v[j]=${v[j - 1]} v[j - 1]=$t
		done
	done
	echo "${v[(n - 1) / 2]}"
}

# min_of / max_of N...
min_of() {
	local m=$1 v
	for v; do ((v < m)) && m=$v; done
	echo "$m"
}

max_of() {
	local m=$1 v
	for v; do ((v > m)) && m=$v; done
	echo "$m"
}

# ---------------------------------------------------------------- topology

ns_sleeper() {
	local ns=$1 _
	ip netns exec "$ns" sleep 1000000 &
	NS_PID[$ns]=$!
	for _ in {1..100}; do
		[[ /proc/${NS_PID[$ns]}/ns/net -ef /run/netns/$ns ]] && return 0
		sleep 0.05
	done
	fail "sleeper in $ns did not enter the namespace"
}

# Fixed MAC addresses (no lookups): 02:00:00:0I:00:0N, I the translator's
# index, N 1 X-v6, 2 X-r (v6 side), 3 X-r (v4 side), 4 X-v4.
mac() {
	local i
	case $1 in plain) i=1 ;; nat64) i=2 ;; *) i=3 ;; esac
	echo "02:00:00:0$i:00:0$2"
}

# topo X: namespaces X-v6, X-r, X-v4 as described above.  Batched: under
# emulation every exec costs, and a busy host makes it cost seconds.
topo() {
	local x=$1
	local v6=$x-v6 r=$x-r v4=$x-v4
	# (guest.sh deletes every namespace after each case.)
	ip -batch - <<-EOF
		netns add $v6
		netns add $r
		netns add $v4
		link add name to_r address $(mac "$x" 1) netns $v6 type veth peer name to_v6 address $(mac "$x" 2) netns $r
		link add name to_r address $(mac "$x" 4) netns $v4 type veth peer name to_v4 address $(mac "$x" 3) netns $r
	EOF
	ip -n "$v6" -batch - <<-EOF
		link set lo up
		link set to_r up
		addr add 2001:db8::2/64 dev to_r nodad
		route add default via 2001:db8::1
	EOF
	ip -n "$r" -batch - <<-EOF
		link set lo up
		link set to_v6 up
		link set to_v4 up
		addr add 2001:db8::1/64 dev to_v6 nodad
		addr add 192.0.2.1/24 dev to_v4
		addr add 2001:db8:1::1/64 dev to_v4 nodad
		neigh replace 192.0.2.2 lladdr $(mac "$x" 4) dev to_v4 nud permanent
		neigh replace 2001:db8:1::2 lladdr $(mac "$x" 4) dev to_v4 nud permanent
		route add 203.0.113.0/24 via 192.0.2.2
	EOF
	ip -n "$v4" -batch - <<-EOF
		link set lo up
		link set to_r up
		addr add 192.0.2.2/24 dev to_r
		addr add 2001:db8:1::2/64 dev to_r nodad
		route add default via 192.0.2.1
		route add default via 2001:db8:1::1
	EOF
	in_ns "$r" sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
}

# Frames reaching X-v4 are counted by the veth, then dropped before IP.
silence_v4() {
	tc -n "$1-v4" -batch - <<-EOF
		qdisc add dev to_r ingress
		filter add dev to_r ingress matchall action drop
	EOF
}

# ---------------------------------------------------------------- translators

# xcli X ARGS...: X's CLI in X-r.
xcli() {
	local x=$1
	shift
	in_ns "$x-r" "${CLI[$x]}" "$@"
}

# xlat_setup X POOL4: configure translator X in X-r (see topo).
#   big:   pool4 16 addresses x ports 1-65535 (UDP, TCP)
#   small: pool4 one address x 4,535 ports (UDP)
xlat_setup() {
	local x=$1 pool=$2
	if [[ $x == plain ]]; then
		# The same destinations, routed: 64:ff9b::/96 lives in plain-v4.
		ip -n plain-r -6 route add 64:ff9b::/96 via 2001:db8:1::2
		ip -n plain-v4 -6 addr add "$DST6/128" dev lo
		return
	fi
	check "$x: instance add default --netfilter" \
		xcli "$x" instance add default --netfilter --pool6 64:ff9b::/96
	case $pool in
	big)
		check "$x: pool4 add --udp $POOL4_BIG 1-65535" xcli "$x" pool4 add --udp "$POOL4_BIG" 1-65535
		check "$x: pool4 add --tcp $POOL4_BIG 1-65535" xcli "$x" pool4 add --tcp "$POOL4_BIG" 1-65535
		;;
	small)
		check "$x: pool4 add --udp $POOL4_SMALL $POOL4_SMALL_PORTS" \
			xcli "$x" pool4 add --udp "$POOL4_SMALL" "$POOL4_SMALL_PORTS"
		;;
	esac
}

# Sessions must outlive the longest case (default UDP timeout: 5 minutes).
xlat_long_udp_timeout() {
	[[ $1 != plain ]] || return 0
	check "$1: global update udp-timeout 2:00:00" xcli "$1" global update udp-timeout 2:00:00
}

# setup_all POOL4 [silent]: topology and translator for every X in XLATS
# (CASE: the case, for status lines).
# A translator whose setup fails is reported and left out of this case.
setup_all() {
	local pool=$1 silent=${2:-} x rc
	local -a ok=()
	for x in "${XLATS[@]}"; do
		# Errors must stop the subshell, not this case: no "if (...)" (it
		# would disable errexit inside) and no ERR trap here meanwhile.
		trap - ERR
		set +e
		(
			set -e
			trap 'on_error $? "${BASH_SOURCE[0]##*/}:$LINENO" "$BASH_COMMAND"' ERR
			topo "$x"
			log "$x: topology up"
			xlat_setup "$x" "$pool"
			[[ -z $silent ]] || silence_v4 "$x"
			log "$x: translator configured"
		)
		rc=$?
		set -e
		trap 'on_error $? "${BASH_SOURCE[0]##*/}:$LINENO" "$BASH_COMMAND"' ERR
		if ((rc == 0)); then
			ok+=("$x")
		else
			# shellcheck disable=SC2153 # CASE is case.sh's
			result "$x" "$CASE" status FAIL
			log "setup of $x failed: left out of $CASE"
		fi
	done
	((${#ok[@]} > 0)) || fail "no translator could be set up"
	XLATS=("${ok[@]}")
	for x in "${XLATS[@]}"; do
		ns_sleeper "$x-v6"
		ns_sleeper "$x-v4"
	done
	log "set up: ${XLATS[*]}"
}

# ---------------------------------------------------------------- pktgen

# pgset X FILE COMMAND: one command to X-v6's pktgen, checked.
pgset() {
	local file=/proc/${NS_PID[$1-v6]}/net/pktgen/$2 line
	echo "$3" >"$file" 2>/dev/null || true
	while read -r line; do
		[[ $line != Result:* ]] && continue
		[[ $line == "Result: OK"* ]] && return 0
		fail "pktgen $1 $2 '$3': $line"
	done <"$file"
	fail "pktgen $1 $2 '$3': no result"
}

# pgctrl X COMMAND: pgctrl acts on the writer's namespace, not the file's.
pgctrl() {
	in_ns "$1-v6" sh -c "echo $2 >/proc/net/pktgen/pgctrl"
}

# pktgen_dev X THREAD PROFILE COUNT [DEV]: a pktgen device (default
# to_r@THREAD) on kernel thread kpktgend_THREAD of X-v6, sending PROFILE:
#   oneflow  one flow: 2001:db8::2.1234 -> 64:ff9b::192.0.2.2.9
#   storm    random source ports x 256 destinations 64:ff9b::203.0.113.0/120
#   random   random source ports -> 64:ff9b::192.0.2.2.9
#   prefill  source ports 1-10000 in sequence
# COUNT 0 sends until stopped.
pktgen_dev() {
	local x=$1 thread=$2 profile=$3 count=$4 dev=${5:-to_r@$2}
	pgset "$x" "kpktgend_$thread" "add_device $dev"
	# UDPCSUM: valid UDP checksums (zero is invalid in IPv6; a translator
	# may drop such packets).  On a veth they leave as CHECKSUM_PARTIAL, like
	# a local socket's.
	local -a cmds=("count $count" "clone_skb 0" "pkt_size $PKT_SIZE" "delay 0" "flag UDPCSUM"
		"dst_mac $(mac "$x" 2)" "src6 2001:db8::2" "dst6 $DST6"
		"udp_src_min 1234" "udp_src_max 1234" "udp_dst_min 9" "udp_dst_max 9")
	# Port ranges are [min, max).
	case $profile in
	oneflow) ;;
	storm)
		# IPv6 destinations are (random | min) & max, word by word.
		cmds+=("dst6_min $DST6_STORM_MIN" "dst6_max $DST6_STORM_MAX" "flag IPDST_RND"
			"udp_src_min 1" "udp_src_max 65535" "flag UDPSRC_RND") ;;
	random) cmds+=("udp_src_min 1" "udp_src_max 65535" "flag UDPSRC_RND") ;;
	prefill) cmds+=("udp_src_min 1" "udp_src_max 10001") ;;
	fill/*/*/*)
		# fill/SRC6/NSPORTS/NDPORTS: source ports 1024.. and destination
		# ports 1.. step together; with coprime counts, NSPORTS x NDPORTS
		# packets are that many distinct flows, and more just repeat them.
		local src6 nsports ndports
		IFS=/ read -r _ src6 nsports ndports <<<"$profile"
		cmds+=("src6 $src6" "udp_src_min 1024" "udp_src_max $((1024 + nsports))"
			"udp_dst_min 1" "udp_dst_max $((1 + ndports))") ;;
	*) fail "unknown pktgen profile $profile" ;;
	esac
	local c
	for c in "${cmds[@]}"; do pgset "$x" "$dev" "$c"; done
}

# Table fill: FILL_SOURCES IPv6 sources, each with N / FILL_SOURCES flows
# made of (odd part) source ports x (power of two) destination ports.
readonly FILL_SOURCES=16

# fill_split N: "SPORTS DPORTS" per source, or fail.
fill_split() {
	local n=$1 m a b=1
	((n > 0 && n % FILL_SOURCES == 0)) || fail "sessions ($n) must be a multiple of $FILL_SOURCES"
	m=$((n / FILL_SOURCES))
	a=$m
	while ((a % 2 == 0)); do a=$((a / 2)) b=$((b * 2)); done
	((a <= 64511 && b <= 65534)) ||
		fail "sessions ($n): $FILL_SOURCES x $a source ports x $b destination ports does not fit"
	echo "$a $b"
}

# pktgen_fill X N: one thread, FILL_SOURCES devices, N distinct flows.
pktgen_fill() {
	local x=$1 n=$2 a b i
	read -r a b < <(fill_split "$n")
	pgctrl "$x" reset
	for ((i = 0; i < FILL_SOURCES; i++)); do
		pktgen_dev "$x" 0 "fill/$(printf '2001:db8::1:%x' "$i")/$a/$b" $((a * b)) "to_r@$i"
	done
}

# pktgen_profile X THREADS PROFILE [COUNT]: X-v6 sends with THREADS threads.
pktgen_profile() {
	local x=$1 threads=$2 profile=$3 count=${4:-0} t
	pgctrl "$x" reset
	for ((t = 0; t < threads; t++)); do pktgen_dev "$x" "$t" "$profile" "$count"; done
}

# "start" returns when every device sent its count; a signal to the writer
# stops them all.  exec: $! is the writer itself.
pktgen_start_bg() {
	(exec ip netns exec "$1-v6" sh -c 'echo start >/proc/net/pktgen/pgctrl') &
	PG_PID=$!
}

# pktgen_stop X: signalling the writer of "start" stops the threads only if
# they run already; one that takes up "start" late (its CPU busy with
# softirqs, as with Jool's exhausted pool4) would send on for ever, in the
# other translators' slices.  So "stop" is written as well until X-v6 sends
# nothing more.
pktgen_stop() {
	local x=$1 tx0 tx1 _
	kill -INT "$PG_PID" 2>/dev/null || true
	wait "$PG_PID" 2>/dev/null || true
	for _ in 1 2 3 4 5; do
		read -r _ tx0 _ < <(dev_counters "$x-v6" to_r)
		sleep 0.2
		read -r _ tx1 _ < <(dev_counters "$x-v6" to_r)
		((tx1 != tx0)) || return 0
		log "$x: pktgen still sending after stop"
		pgctrl "$x" stop
	done
	fail "$x: pktgen does not stop"
}

pktgen_run() {
	pktgen_start_bg "$1"
	wait "$PG_PID" || true
}

# ---------------------------------------------------------------- counters

# dev_counters NS DEV: "RX_PACKETS TX_PACKETS TX_DROPPED" from /proc/PID/net/dev.
dev_counters() {
	dev_counters_in "/proc/${NS_PID[$1]}/net/dev" "$2" || fail "no $2 in $1"
}

# dev_counters_in FILE DEV: the same from a copy of net/dev.
dev_counters_in() {
	# Receive: bytes packets errs drop fifo frame compressed multicast,
	# then transmit: bytes packets errs drop ...
	local name rp tp td _
	while read -r name _ rp _ _ _ _ _ _ _ tp _ td _; do
		if [[ $name == "$2:" ]]; then
			echo "$rp $tp $td"
			return 0
		fi
	done <"$1"
	return 1
}

# counters X: "TIME_US SENT DROPPED DELIVERED": frames X-v6 handed to X-r,
# frames X-v6's veth dropped (X-r's backlog full), frames that reached X-v4.
counters() {
	local t tx drop rx4 _
	t=$(now_us)
	read -r _ tx drop < <(dev_counters "$1-v6" to_r)
	read -r rx4 _ < <(dev_counters "$1-v4" to_r)
	echo "$t $tx $drop $rx4"
}

# measure CASE: BENCH_ROUNDS rounds; in each, every X's pktgen (configured
# before) runs alone for BENCH_WARMUP + BENCH_SLICE seconds.  Records per X
# the median over the rounds of pps (delivered to X-v4), in_pps (accepted by
# X-r), drop_pps (X-r's backlog full), and pps_min/pps_max.
measure() {
	local case=$1 round x t0 s0 d0 r0 t1 s1 d1 r1 dt
	declare -A pps=() inp=() drp=()
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		for x in "${XLATS[@]}"; do
			pktgen_start_bg "$x"
			sleep "$BENCH_WARMUP"
			read -r t0 s0 d0 r0 < <(counters "$x")
			sleep "$BENCH_SLICE"
			read -r t1 s1 d1 r1 < <(counters "$x")
			pktgen_stop "$x"
			dt=$((t1 - t0))
			pps[$x]+=" $(div_round $(((r1 - r0) * 1000000)) "$dt")"
			inp[$x]+=" $(div_round $(((s1 - s0) * 1000000)) "$dt")"
			drp[$x]+=" $(div_round $(((d1 - d0) * 1000000)) "$dt")"
		done
		log "$case round $round:$(for x in "${XLATS[@]}"; do printf ' %s %s' "$x" "${pps[$x]##* }"; done)"
	done
	for x in "${XLATS[@]}"; do
		# shellcheck disable=SC2086 # lists of numbers
		{
			result "$x" "$case" pps "$(median ${pps[$x]})"
			result "$x" "$case" pps_min "$(min_of ${pps[$x]})"
			result "$x" "$case" pps_max "$(max_of ${pps[$x]})"
			result "$x" "$case" in_pps "$(median ${inp[$x]})"
			result "$x" "$case" drop_pps "$(median ${drp[$x]})"
		}
		# shellcheck disable=SC2086 # a list of numbers
		if [[ $(median ${pps[$x]}) == 0 ]]; then
			result "$x" "$case" status FAIL
			log "$x: nothing reached $x-v4 in $case"
		fi
	done
	[[ ${BENCH_PERF:-0} != 1 ]] || perf_slices "$case"
}

# perf_slices CASE (run.sh --perf): after the counted rounds, one more slice
# per translator under "perf record -a -g -e cpu-clock", so that the counted
# rounds stay unprofiled.  Writes $NAT64_OUT/CASE.perf-X.data and
# CASE.perf-X.slice (the rates while perf sampled); the host turns them into
# CASE.perf-X.txt (perf-report.sh).
perf_slices() {
	local case=$1 x out=${NAT64_OUT:-/tmp}
	for x in "${XLATS[@]}"; do
		pktgen_start_bg "$x"
		sleep "$BENCH_WARMUP"
		# -N: no build-id cache ($HOME is read-only); -B: the host
		# resolves the kernel's symbols from a copy of /proc/kallsyms.
		# perf takes seconds to start under emulation: the workload
		# (which runs while perf samples) copies the counters itself.
		# shellcheck disable=SC2016 # the inner script expands its own arguments
		perf record -a -g -e cpu-clock -N -B -q -o /tmp/perf.data -- bash -c \
			'mapfile -t a <"$1"; mapfile -t b <"$2"; t0=$EPOCHREALTIME; sleep "$3"
			mapfile -t c <"$1"; mapfile -t d <"$2"; t1=$EPOCHREALTIME
			printf "%s\n" "${a[@]}" >/tmp/perf.v6.0; printf "%s\n" "${b[@]}" >/tmp/perf.v4.0
			printf "%s\n" "${c[@]}" >/tmp/perf.v6.1; printf "%s\n" "${d[@]}" >/tmp/perf.v4.1
			echo "${t0/./} ${t1/./}" >/tmp/perf.t' _ \
			"/proc/${NS_PID[$x-v6]}/net/dev" "/proc/${NS_PID[$x-v4]}/net/dev" "$BENCH_SLICE" ||
			log "$x: perf record failed ($?)"
		pktgen_stop "$x"
		mv /tmp/perf.data "$out/$case.perf-$x.data" || log "$x: no perf data for $case"
		perf_rates "$x $case" >"$out/$case.perf-$x.slice" || log "$x: no rates for the profile of $case"
		log "perf: $(<"$out/$case.perf-$x.slice")"
	done
}

# perf_rates TITLE: the rates of the profiled slice, from perf_slices' copies.
perf_rates() {
	local t0 t1 s0 d0 r0 s1 d1 r1 dt
	read -r t0 t1 </tmp/perf.t || return 1
	read -r _ s0 d0 < <(dev_counters_in /tmp/perf.v6.0 to_r) &&
		read -r r0 _ < <(dev_counters_in /tmp/perf.v4.0 to_r) &&
		read -r _ s1 d1 < <(dev_counters_in /tmp/perf.v6.1 to_r) &&
		read -r r1 _ < <(dev_counters_in /tmp/perf.v4.1 to_r) || return 1
	dt=$((t1 - t0))
	echo "$1: profiled slice of $(secs2 "$dt")s:" \
		"$(div_round $(((r1 - r0) * 1000000)) "$dt") pps delivered," \
		"$(div_round $(((s1 - s0) * 1000000)) "$dt") pps handled," \
		"$(div_round $(((d1 - d0) * 1000000)) "$dt") pps dropped by the backlog"
}

# ---------------------------------------------------------------- memory

# meminfo_kb FIELD
meminfo_kb() {
	local k v rest
	while read -r k v rest; do
		[[ $k == "$1:" ]] && echo "$v" && return 0
	done </proc/meminfo
	echo 0
}

# Kernel memory a table can take, "SLAB VMALLOC PERCPU" in KiB: slab
# objects, vmalloc (big hash tables), per-CPU data.
kernel_mem_kb() {
	echo "$(meminfo_kb Slab) $(meminfo_kb VmallocUsed) $(meminfo_kb Percpu)"
}

# The slab caches that grew by more than 1 MiB between two /proc/slabinfo copies.
slab_growth() {
	awk 'NR == FNR { if (FNR > 2) before[$1] = $3 * $4; next }
		FNR > 2 { d = $3 * $4 - before[$1]; if (d > 1048576) printf "  %s: +%d bytes (%d objects of %d)\n", $1, d, $3, $4 }' \
		"$1" "$2" | sort -t+ -k2,2nr | head -n 8
}
