#!/bin/bash
# Test driver inside the VM (run by /init in a chroot of the host's /).
# Runs each case in its own bash under a timeout, cleans up namespaces and
# the module between cases, and writes to $NAT64_OUT (the writable export):
#   NAME.log, NAME.dmesg   output and kernel log of one case
#   results                one line per case: NAME PASS|FAIL|SKIP STATUS SECONDS
#   boot.dmesg             kernel log up to the first case
#   kmemleak, kmemleak.took  kmemleak's report after the cases, when the
#                          kernel has kmemleak (the debug kernel), and how
#                          long the scans took
#   verdict                written last: its presence means the run finished
# Console lines starting with "nat64-vm:" are progress for the host.
set -uo pipefail

readonly OUT=${NAT64_OUT:?}
readonly CASE_DIR=$NAT64_REPO/test/vm/cases
readonly DEFAULT_TIMEOUT=${NAT64_CASE_TIMEOUT:-120}
# Slow (debug) kernels multiply every case's time limit.
readonly FACTOR=${NAT64_TIMEOUT_FACTOR:-1}
MODULE=$(basename "${NAT64_KO:-nat64.ko}" .ko)
readonly MODULE

say() {
	echo "nat64-vm: $*"
}

# Critical level so the marker reaches the console even when booted quiet:
# the host attributes console warnings to the case between two markers.
mark() {
	echo "<2>nat64-vm: $*" >/dev/kmsg
}

case_names() {
	local f
	if [[ -n ${NAT64_CASES:-} ]]; then
		tr ',' '\n' <<<"$NAT64_CASES"
		return
	fi
	for f in "$CASE_DIR"/[0-9][0-9]-*.sh; do
		[[ -e $f ]] && basename "$f" .sh
	done
}

# A case may ask for more time with a "# vm-timeout: SECONDS" line.
case_timeout() {
	local t
	t=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n 1)
	echo "$((${t:-$DEFAULT_TIMEOUT} * FACTOR))"
}

# Leftovers of one case must not influence the next.
cleanup() {
	local ns
	local -a pids
	for ns in $(ip netns list | cut -d' ' -f1); do
		mapfile -t pids < <(ip netns pids "$ns")
		((${#pids[@]} == 0)) || kill -9 "${pids[@]}" 2>/dev/null
		ip netns del "$ns"
	done
	# Namespace teardown is asynchronous: the module can stay busy a bit.
	for _ in {1..50}; do
		grep -q "^$MODULE " /proc/modules || break
		rmmod "$MODULE" 2>/dev/null && break
		sleep 0.2
	done
	if grep -q "^$MODULE " /proc/modules; then
		echo "cleanup: rmmod $MODULE failed"
	fi
	rm -rf /tmp/case.* /tmp/nat64-bin
}

elapsed_since() {
	local us=$((${EPOCHREALTIME/./} - ${1/./}))
	printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}

run_case() {
	local name=$1 file=$CASE_DIR/$1.sh log=$OUT/$1.log start rc t verdict=PASS
	if [[ ! -f $file ]]; then
		echo "no such case: $file" >"$log"
		echo "$name FAIL 127 0.0" >>"$OUT/results"
		say "FAIL $name (missing)"
		return
	fi
	t=$(case_timeout "$file")
	dmesg -C
	mark "begin case $name"
	start=$EPOCHREALTIME
	(cd /tmp && timeout -k 5 "$t" bash "$file") </dev/null >"$log" 2>&1
	rc=$?
	local took
	took=$(elapsed_since "$start")
	((rc == 124 || rc == 137)) && echo "TIMEOUT: case killed after ${t}s" >>"$log"
	cleanup >>"$log" 2>&1
	mark "end case $name"
	dmesg >"$OUT/$name.dmesg"
	# Exit status 77: the case found a prerequisite missing and skipped.
	if ((rc == 77)); then verdict=SKIP; elif ((rc != 0)); then verdict=FAIL; fi
	echo "$name $verdict $rc $took" >>"$OUT/results"
	say "$verdict $name (${took}s)"
}

# kmemleak reports an object only once it is older than 5 s and two scans
# found it unreferenced with unchanged contents, hence the wait and the
# second scan.  The host judges the report (run.sh check_kmemleak).
kmemleak_scan() {
	local ctl=/sys/kernel/debug/kmemleak start
	[[ -e $ctl ]] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[[ -e $ctl ]] || return 0
	# (The console check fails on the word kmemleak, so progress avoids it.)
	say "memory leak scan"
	start=$EPOCHREALTIME
	sleep 6
	echo scan >"$ctl"
	echo scan >"$ctl"
	cat "$ctl" >"$OUT/kmemleak"
	elapsed_since "$start" >"$OUT/kmemleak.took"
	say "leak scan: $(grep -c '^unreferenced object' "$OUT/kmemleak") suspect(s), took $(cat "$OUT/kmemleak.took")s"
}

main() {
	local name n=0
	: >"$OUT/results"
	dmesg >"$OUT/boot.dmesg"
	say "guest up after $(cut -d' ' -f1 /proc/uptime)s, kernel $(uname -r)"
	for name in $(case_names); do
		run_case "$name"
		n=$((n + 1))
	done
	kmemleak_scan
	echo "finished $n case(s)" >"$OUT/verdict"
	say "finished $n case(s) at uptime $(cut -d' ' -f1 /proc/uptime)s"
}

main
