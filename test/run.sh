#!/bin/bash
# The test command: builds what is missing, runs the unit tests (ctest),
# DKMS in scratch trees (test/dkms.sh) and the VM end-to-end tests, and
# prints one final "N passed, N failed" line.
#   test/run.sh [--unit-only|--vm-only] [VM case ...]
# Kernels: every kernel with an image in /boot and headers in
# /lib/modules/*/build. The module in mod/ is built for the oldest (the
# distribution's; NAT64_KVER overrides) and the whole VM suite runs on it;
# each newer kernel (an upgrade, e.g. from backports) gets its own module
# build in BUILD/kmod-KVER and runs the whole suite too (NAT64_EXTRA_CASES
# narrows that, e.g. "00 10 80"). VM case arguments select the cases on
# every kernel. The VM boots run in NAT64_VM_LANES (default 2) concurrent
# CPU lanes and one wait lane; see run_vm_lanes.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NAT64_BUILD:-$REPO/build}
unit=1 vm=1
case "${1:-}" in
--unit-only) vm=0; shift ;;
--vm-only) unit=0; shift ;;
esac

# Kernels that can be both booted and built for, oldest first.
kernels() {
	local d k
	for d in /lib/modules/*/build; do
		k=$(basename "$(dirname "$d")")
		[[ -f $d/Makefile && -e /boot/vmlinuz-$k ]] && echo "$k"
	done | sort -V
}

mapfile -t KERNELS < <(kernels)
PRIMARY=${NAT64_KVER:-${KERNELS[0]:-}}

build() {
	local kdir=()
	[[ -z $PRIMARY ]] || kdir=(-DKDIR="/lib/modules/$PRIMARY/build")
	cmake -S "$REPO" -B "$BUILD" "${kdir[@]}" >/dev/null &&
		cmake --build "$BUILD" -j2 &&
		cmake --build "$BUILD" --target module
}

# build_for KVER: the module's sources (as DKMS gets them) built for KVER
# into BUILD/kmod-KVER/mod/nat64.ko.
build_for() {
	local k=$1 dir=$BUILD/kmod-$1
	mkdir -p "$dir"
	(cd "$REPO" && find mod include -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
		tar --null -T - -cf -) | tar -C "$dir" -xf -
	echo "test/run.sh: building nat64.ko for $k in $dir"
	make -C "/lib/modules/$k/build" M="$dir/mod" -j2 modules >"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log"; return 1; }
}

# "N passed, N failed" -> "N N"
counts() {
	sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p' | tail -n 1
}

passed=0 failed=0
# add_counts LOG: adds the last "N passed, N failed" of LOG, or 1 failure.
add_counts() {
	local p f
	read -r p f < <(counts <"$1") || true
	if [ -z "${p:-}" ]; then
		failed=$((failed + 1))
	else
		passed=$((passed + p))
		failed=$((failed + f))
	fi
}

# ------------------------------------------------------------ VM lanes
# The VM runs (the whole suite on every kernel, and the benchmark's smoke
# run) are spread over NAT64_VM_LANES concurrent CPU lanes (default 2, one
# per core) plus one wait lane. Under TCG most of a case's time is one busy
# vCPU, so two guests finish about twice as fast as one. A few cases spend
# most of their time asleep on real timers (marked "# vm-lane: wait"): they
# run on their own in a third guest that costs almost no CPU, instead of
# holding up a CPU lane. A job is one VM boot: JOB_KVER, JOB_DIR (its own
# results and initrd cache), JOB_ENV (what is tested), JOB_CASES, JOB_COST
# (the sum of its cases' "# vm-cost:", their seconds on 6.1 in a lane)
# and JOB_WAIT (1 for the wait lane).
# Guests get one vCPU (NAT64_VM_SMP=1) unless a case says "# vm-smp: 2"
# (races between CPUs are what it tests): under TCG a 2-vCPU guest spends
# about twice the host CPU time on the same cases (measured: 187 s against
# 87 s for 10-40 on a loaded host), so with two guests on two cores the
# one-vCPU guests finish first. test/vm/run.sh alone still boots 2 vCPUs.
JOB_KVER=() JOB_DIR=() JOB_ENV=() JOB_CASES=() JOB_COST=() JOB_LOG=() JOB_WAIT=()

case_file() { echo "$REPO/test/vm/cases/$1.sh"; }

# case_cost CASE: its "# vm-cost:", else a third of its "# vm-timeout:".
case_cost() {
	local t
	t=$(sed -n 's/^# vm-cost: *\([0-9][0-9]*\).*/\1/p' "$(case_file "$1")" | head -n 1)
	[[ -n $t ]] && { echo "$t"; return; }
	t=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$(case_file "$1")" | head -n 1)
	echo $((${t:-120} / 3))
}

is_wait_case() { grep -q '^# vm-lane: *wait' "$(case_file "$1")"; }
is_smp2_case() { grep -q '^# vm-smp: *2' "$(case_file "$1")"; }

# all_cases [ARG...]: NN-name of the cases named (run.sh syntax) or of all.
all_cases() {
	local f a
	if (($#)); then
		for a in "$@"; do
			for f in "$REPO/test/vm/cases/$a".sh "$REPO/test/vm/cases/$a"-*.sh \
				"$REPO"/test/vm/cases/[0-9][0-9]-"$a".sh; do
				[[ -f $f ]] && basename "$f" .sh
			done
		done | sort -u
	else
		for f in "$REPO"/test/vm/cases/[0-9][0-9]-*.sh; do basename "$f" .sh; done
	fi
}

add_job() { # add_job KVER DIR ENV WAIT CASE...
	local k=$1 dir=$2 env=$3 wait=$4 c cost=0
	shift 4
	(($#)) || return 0
	if [[ $1 == bench-smoke ]]; then
		cost=150
	else
		for c in "$@"; do cost=$((cost + $(case_cost "$c"))); done
	fi
	JOB_KVER+=("$k") JOB_DIR+=("$dir") JOB_ENV+=("$env") JOB_CASES+=("$*") JOB_COST+=("$cost")
	JOB_WAIT+=("$wait") JOB_LOG+=("$dir/vm.log")
}

# split_cases N CASE...: prints N lines, the cases dealt longest first to
# the line with the smallest total cost.
split_cases() {
	local n=$1 c i best
	shift
	local -a tot=() line=()
	for ((i = 0; i < n; i++)); do tot[i]=0 line[i]=""; done
	while read -r _ c; do
		best=0
		for ((i = 1; i < n; i++)); do ((tot[i] < tot[best])) && best=$i; done
		tot[best]=$((tot[best] + $(case_cost "$c")))
		line[best]+="$c "
	done < <(for c in "$@"; do echo "$(case_cost "$c") $c"; done | sort -rn)
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2086 # a list of case names
		printf '%s\n' ${line[i]} | sort | tr '\n' ' '
		echo
	done
}

# plan_kernel KVER DIR KO CASE...: the kernel's CPU cases split into one
# job per CPU lane (each in DIR/vm-N), its 2-vCPU cases and its wait cases
# in one more job each.
plan_kernel() {
	local k=$1 dir=$2 ko=$3 c i env
	shift 3
	local -a cpu=() wait=() smp2=() parts=()
	for c in "$@"; do
		if is_wait_case "$c"; then
			wait+=("$c")
		elif is_smp2_case "$c"; then
			smp2+=("$c")
		else
			cpu+=("$c")
		fi
	done
	env="NAT64_KO=$ko NAT64_BUILD=$BUILD NAT64_CLI=$BUILD/usr/nat64 NAT64_XTABLES_DIR=$BUILD/usr"
	env+=" NAT64_DKMS_ROOT=$BUILD/dkms/root"
	((${#cpu[@]})) && mapfile -t parts < <(split_cases "${NAT64_VM_LANES:-2}" "${cpu[@]}")
	for i in "${!parts[@]}"; do
		# shellcheck disable=SC2086 # a list of case names
		add_job "$k" "$dir/vm-$((i + 1))" "$env NAT64_VM_SMP=1" 0 ${parts[i]}
	done
	add_job "$k" "$dir/vm-smp2" "$env NAT64_VM_SMP=2" 0 "${smp2[@]}"
	add_job "$k" "$dir/vm-wait" "$env NAT64_VM_SMP=1" 1 "${wait[@]}"
}

plan_vm_jobs() {
	local -a cases
	local k
	mapfile -t cases < <(all_cases "$@")
	plan_kernel "$PRIMARY" "$BUILD" "$REPO/mod/nat64.ko" "${cases[@]}"
	# The benchmark harness's smoke run (one boot, ~1 s per case): it passes
	# when every case gives its numbers; no timing thresholds.
	(($#)) || add_job "$PRIMARY" "$BUILD/bench-smoke" "" 0 bench-smoke
	for k in "${KERNELS[@]}"; do
		[ "$k" != "$PRIMARY" ] || continue
		if (($# == 0)) && [[ -n ${NAT64_EXTRA_CASES:-} && $NAT64_EXTRA_CASES != all ]]; then
			# shellcheck disable=SC2086 # a list of case names
			mapfile -t cases < <(all_cases $NAT64_EXTRA_CASES)
		fi
		if ! build_for "$k"; then
			echo "FAIL nat64.ko for $k does not build"
			failed=$((failed + 1))
			continue
		fi
		plan_kernel "$k" "$BUILD/kmod-$k" "$BUILD/kmod-$k/mod/nat64.ko" "${cases[@]}"
	done
}

run_job() {
	local j=$1
	mkdir -p "${JOB_DIR[j]}"
	if [[ ${JOB_CASES[j]} == bench-smoke ]]; then
		if "$REPO/test/bench/run.sh" --smoke --build "$BUILD" --kernel "${JOB_KVER[j]}" \
			>"${JOB_LOG[j]}" 2>&1; then
			echo "1 passed, 0 failed" >>"${JOB_LOG[j]}"
		else
			echo "0 passed, 1 failed" >>"${JOB_LOG[j]}"
		fi
		return
	fi
	# shellcheck disable=SC2086 # JOB_ENV is VAR=VALUE words, JOB_CASES names
	env ${JOB_ENV[j]} "$REPO/test/vm/run.sh" --build "${JOB_DIR[j]}" --kernel "${JOB_KVER[j]}" \
		${JOB_CASES[j]} >"${JOB_LOG[j]}" 2>&1
}

# CPU jobs go, longest first, to the CPU lane with the least work; wait
# jobs go to the wait lane (the last one). Each lane runs its jobs one
# after the other; the logs are printed as lanes finish.
run_vm_lanes() {
	local n=${NAT64_VM_LANES:-2} i j best start=$SECONDS
	local -a tot=() work=() pids=()
	for ((i = 0; i <= n; i++)); do tot[i]=0 work[i]=""; done
	while read -r _ j; do
		if ((JOB_WAIT[j])); then
			best=$n
		else
			best=0
			for ((i = 1; i < n; i++)); do ((tot[i] < tot[best])) && best=$i; done
		fi
		tot[best]=$((tot[best] + JOB_COST[j]))
		work[best]+="$j "
	done < <(for j in "${!JOB_COST[@]}"; do echo "${JOB_COST[j]} $j"; done | sort -rn)
	for ((i = 0; i <= n; i++)); do
		[[ -n ${work[i]} ]] || continue
		echo "test/run.sh: lane $((i + 1)) (planned ${tot[i]}s):"
		for j in ${work[i]}; do
			echo "test/run.sh:   ${JOB_KVER[j]}: ${JOB_CASES[j]}"
		done
		(for j in ${work[i]}; do run_job "$j"; done) &
		pids+=($!)
	done
	wait "${pids[@]}" 2>/dev/null || true
	for j in "${!JOB_LOG[@]}"; do
		echo "=== VM run on ${JOB_KVER[j]}: ${JOB_CASES[j]}"
		grep -v '^nat64-vm:' "${JOB_LOG[j]}" || true
	done
	echo "test/run.sh: VM lanes took $((SECONDS - start))s"
}

build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

if [ "$unit" = 1 ]; then
	ctest --test-dir "$BUILD" --output-on-failure -j2 2>&1 | tee "$BUILD/ctest.log"
	total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$BUILD/ctest.log")
	if [ -z "$total" ]; then
		failed=$((failed + 1))
	else
		read -r f t <<<"$total"
		passed=$((passed + t - f))
		failed=$((failed + f))
	fi
	# libFuzzer targets (clang build in BUILD/fuzz), a short run each; one
	# passed or failed per target. Longer: test/fuzz/run.sh --time 600.
	NAT64_BUILD=$BUILD "$REPO/test/fuzz/run.sh" --time "${NAT64_FUZZ_TIME:-15}" --jobs 2 2>&1 |
		tee "$BUILD/fuzz.log"
	add_counts "$BUILD/fuzz.log"
fi
if [ "$vm" = 1 ]; then
	"$REPO/test/dkms.sh" --build "$BUILD" "${KERNELS[@]}" 2>&1 | tee "$BUILD/dkms.log"
	add_counts "$BUILD/dkms.log"
	plan_vm_jobs "$@"
	run_vm_lanes
	for j in "${!JOB_LOG[@]}"; do add_counts "${JOB_LOG[$j]}"; done
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
