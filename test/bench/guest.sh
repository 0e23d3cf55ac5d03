#!/bin/bash
# Benchmark driver inside the VM (started by test/vm/initramfs-init.sh, which
# passes the nat64_* kernel parameters as NAT64_* variables).  Loads the
# translators' modules once, runs each case (case.sh, all translators at
# once) in its own bash, and writes to $NAT64_OUT:
#   results          "XLAT CASE KEY VALUE" lines (case.sh) and
#                    "XLAT CASE status PASS|FAIL|WARN"
#   CASE.log         output of one case; CASE.dmesg its kernel log
#   CASE.perf-X.*    with NAT64_BENCH_PERF=1: a profile of X (lib.sh's
#                    perf_slices), and kallsyms for the host's reports
#   info             "nproc N"
#   verdict          written last: the run finished
set -uo pipefail

readonly OUT=${NAT64_OUT:?}
readonly BENCH=$NAT64_REPO/test/bench
readonly KERNEL_BAD='Oops|WARNING:|BUG:|Call Trace|KASAN|kmemleak|general protection|Kernel panic|soft lockup|detected stall|blocked for more than'
IFS=, read -ra WANTED <<<"${NAT64_BENCH_XLATS:-plain,nat64}"
IFS=, read -ra CASES <<<"${NAT64_BENCH_CASES:-oneflow,storm,exhaust,scale,oneflow2,storm2,tcp}"
readonly WANTED CASES
NAT64_KO=${NAT64_KO:-$NAT64_REPO/mod/nat64.ko}
NAT64_CLI=${NAT64_CLI:-$NAT64_BUILD/usr/nat64}
XLATS=()

say() {
	echo "nat64-bench: $*"
}

mark() {
	echo "<2>nat64-bench: $*" >/dev/kmsg
}

# load_xlat KO CLI: the module and its dependencies (test/vm/lib.sh's load_nat64).
load_xlat() {
	NAT64_KO=$1 NAT64_CLI=$2 bash -c ". '$NAT64_REPO/test/vm/lib.sh' && load_nat64"
}

# Load what was asked for; a translator that does not load is reported once
# and left out.
load_translators() {
	local x ko cli
	for x in "${WANTED[@]}"; do
		case $x in
		plain) XLATS+=(plain); continue ;;
		nat64) ko=$NAT64_KO cli=$NAT64_CLI ;;
		jool) ko=${NAT64_JOOL_KO:-} cli=${NAT64_JOOL_CLI:-} ;;
		*) say "unknown translator $x"; continue ;;
		esac
		if [[ ! -f $ko || ! -x $cli ]]; then
			say "FAIL $x: module '$ko' or CLI '$cli' missing"
			echo "$x load status FAIL" >>"$OUT/results"
		elif load_xlat "$ko" "$cli" >"$OUT/load-$x.log" 2>&1; then
			XLATS+=("$x")
		else
			say "FAIL $x: loading $ko failed: $(tail -n 1 "$OUT/load-$x.log")"
			echo "$x load status FAIL" >>"$OUT/results"
		fi
	done
}

unload_translators() {
	local m
	for m in nat64 jool jool_common; do
		for _ in {1..100}; do
			grep -q "^$m " /proc/modules || break
			rmmod "$m" 2>/dev/null && break
			sleep 0.2
		done
		! grep -q "^$m " /proc/modules || say "rmmod $m failed"
	done
}

cleanup() {
	local ns
	local -a pids
	for ns in $(ip netns list | cut -d' ' -f1); do
		mapfile -t pids < <(ip netns pids "$ns")
		((${#pids[@]} == 0)) || kill -9 "${pids[@]}" 2>/dev/null
		ip netns del "$ns"
	done
	rm -rf /tmp/case.* /tmp/nat64-bin /tmp/slab* /tmp/iperf3.* /tmp/tcp.bytes /tmp/sessions.csv /tmp/perf.*
}

case_timeout() {
	case $1 in
	scale) echo "${NAT64_BENCH_SCALE_TIMEOUT:-2400}" ;;
	*) echo "${NAT64_BENCH_CASE_TIMEOUT:-900}" ;;
	esac
}

# Every translator of the case has a status line in the end.
complete_status() {
	local case=$1 status=$2 x
	for x in "${XLATS[@]}"; do
		grep -q "^$x $case status " "$OUT/results" || echo "$x $case status $status" >>"$OUT/results"
	done
}

run_case() {
	local case=$1 rc start t
	t=$(case_timeout "$case")
	dmesg -C
	mark "begin $case"
	say "run $case (${XLATS[*]})"
	start=$SECONDS
	(cd /tmp && env BENCH_XLATS="${XLATS[*]}" BENCH_NAT64_CLI="$NAT64_CLI" \
		BENCH_JOOL_CLI="${NAT64_JOOL_CLI:-}" BENCH_ROUNDS="${NAT64_BENCH_ROUNDS:-5}" \
		BENCH_SLICE="${NAT64_BENCH_SLICE:-2}" BENCH_WARMUP="${NAT64_BENCH_WARMUP:-0.5}" \
		BENCH_SESSIONS="${NAT64_BENCH_SESSIONS:-1000000}" BENCH_TCP_SECS="${NAT64_BENCH_TCP_SECS:-3}" \
		BENCH_PERF="${NAT64_BENCH_PERF:-0}" \
		timeout -k 5 "$t" bash "$BENCH/case.sh" "$case") </dev/null >"$OUT/$case.log" 2>&1
	rc=$?
	((rc == 124 || rc == 137)) && echo "TIMEOUT after ${t}s" >>"$OUT/$case.log"
	cleanup >>"$OUT/$case.log" 2>&1
	mark "end $case"
	dmesg >"$OUT/$case.dmesg"
	if ((rc != 0)); then
		complete_status "$case" FAIL
		say "FAIL $case ($((SECONDS - start))s): $(grep -m1 '^FAIL' "$OUT/$case.log" || tail -n 1 "$OUT/$case.log")"
		return
	fi
	if grep -qE "$KERNEL_BAD" "$OUT/$case.dmesg"; then
		echo "kernel warnings during $case" >>"$OUT/$case.log"
		sed -i "s/^\([a-z0-9]*\) $case status PASS$/\1 $case status WARN/" "$OUT/results"
	fi
	say "done $case ($((SECONDS - start))s)"
}

# run.sh --perf: perf may see the kernel's addresses, and the host resolves
# them (modules' included) from this boot's /proc/kallsyms, copied once the
# translators are loaded.
perf_setup() {
	[[ ${NAT64_BENCH_PERF:-0} == 1 ]] || return 0
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
	command -v perf >/dev/null || say "perf missing: no profiles"
	cat /proc/kallsyms >"$OUT/kallsyms"
}

main() {
	local case
	: >"$OUT/results"
	dmesg >"$OUT/boot.dmesg"
	say "guest up after $(cut -d' ' -f1 /proc/uptime)s, $(nproc) CPU(s), kernel $(uname -r)"
	echo "nproc $(nproc)" >"$OUT/info"
	modprobe -a pktgen veth sch_ingress cls_matchall act_gact
	load_translators
	perf_setup
	if ((${#XLATS[@]} > 0)); then
		for case in "${CASES[@]}"; do
			# Two pktgen threads need two CPUs.
			[[ $case != *2 ]] || (($(nproc) >= 2)) || continue
			run_case "$case"
		done
	fi
	dmesg -C
	unload_translators
	dmesg >"$OUT/unload.dmesg"
	echo "finished" >"$OUT/verdict"
	say "finished at uptime $(cut -d' ' -f1 /proc/uptime)s"
}

main
