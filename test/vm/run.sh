#!/bin/bash
# Host side of the VM tests: boot one QEMU guest (software emulation, no
# network device) that runs test/vm/guest.sh over the cases, then report.
# See test/vm/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
readonly HERE REPO
# Any of these in the guest's kernel log fails the run.
readonly KERNEL_BAD='Oops|WARNING:|BUG:|Call Trace|KASAN|kmemleak|general protection|Kernel panic|soft lockup|detected stall|blocked for more than'
readonly DEFAULT_CASE_TIMEOUT=120
readonly BOOT_ALLOWANCE=90

KVER=${NAT64_KVER:-}
BUILD=$REPO/build
TIMEOUT=
CASE_TIMEOUT=$DEFAULT_CASE_TIMEOUT
VERBOSE=0
CASES=()

# Verdicts, filled by the collect_* functions and printed by report.
declare -A STATUS=() DETAIL=() TOOK=()
ORDER=()

usage() {
	cat <<USAGE
usage: test/vm/run.sh [options] [CASE...]
Boot a VM once and run test/vm/cases/NN-name.sh (all, or the CASEs named as
NN-name, NN or name).
  --kernel KVER        guest kernel (default \$NAT64_KVER, else the kernel the module
                       was built for (its vermagic), else the newest /boot/vmlinuz-*)
  --build DIR          cmake build dir with usr/nat64 and usr/libxt_JOOL.so
                       (default $REPO/build); results go to DIR/vm-results
  --timeout SECONDS    limit for the whole VM run (default: boot allowance
                       plus the sum of the case timeouts)
  --case-timeout SECS  default per-case limit (default $DEFAULT_CASE_TIMEOUT; a case can
                       override it with a "# vm-timeout: N" line)
  -v, --verbose        show the whole guest console, not just progress
Environment: NAT64_KO (module, default $REPO/mod/nat64.ko), NAT64_CLI
(default BUILD/usr/nat64), NAT64_XTABLES_DIR (dir of libxt_JOOL.so, default
BUILD/usr), NAT64_DKMS_ROOT (test/dkms.sh's install root, default
BUILD/dkms/root) select what is tested.
USAGE
}

die() {
	echo "run.sh: $*" >&2
	exit 2
}

parse_args() {
	while (($#)); do
		case $1 in
		--kernel) KVER=${2:?--kernel needs a value}; shift 2 ;;
		--build) BUILD=${2:?--build needs a value}; shift 2 ;;
		--timeout) TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
		--case-timeout) CASE_TIMEOUT=${2:?--case-timeout needs a value}; shift 2 ;;
		-v | --verbose) VERBOSE=1; shift ;;
		-h | --help) usage; exit 0 ;;
		-*) die "unknown option $1 (see --help)" ;;
		*) CASES+=("$1"); shift ;;
		esac
	done
}

newest_kernel() {
	local f
	for f in /boot/vmlinuz-*; do
		[[ -e $f ]] && echo "${f#/boot/vmlinuz-}"
	done | sort -V | tail -n 1
}

# The kernel the module under test was built for (first word of its
# vermagic), so that several installed kernels never mismatch; without a
# module, the newest kernel.
default_kernel() {
	local ko=${NAT64_KO:-$REPO/mod/nat64.ko} k
	if [[ -f $ko ]]; then
		k=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
		[[ -n $k ]] || die "cannot read the vermagic of $ko"
		[[ -e /boot/vmlinuz-$k ]] ||
			die "$ko is built for $k, but there is no /boot/vmlinuz-$k (use --kernel)"
		echo "$k"
	else
		newest_kernel
	fi
}

# NN-name, NN or name -> NN-name, exactly one match in cases/.
resolve_case() {
	local arg=${1%.sh} f
	local -a found=()
	arg=${arg##*/}
	for f in "$HERE/cases/$arg.sh" "$HERE/cases/$arg"-*.sh "$HERE"/cases/[0-9][0-9]-"$arg".sh; do
		[[ -f $f ]] && found+=("$(basename "$f" .sh)")
	done
	mapfile -t found < <(printf '%s\n' "${found[@]}" | sort -u | grep .)
	((${#found[@]} == 1)) || die "case '$1' matches ${#found[@]} cases in $HERE/cases"
	echo "${found[0]}"
}

select_cases() {
	local arg f
	local -a names=()
	if ((${#CASES[@]} == 0)); then
		for f in "$HERE"/cases/[0-9][0-9]-*.sh; do
			[[ -e $f ]] && names+=("$(basename "$f" .sh)")
		done
	else
		for arg in "${CASES[@]}"; do names+=("$(resolve_case "$arg")"); done
	fi
	((${#names[@]} > 0)) || die "no cases to run"
	CASES=("${names[@]}")
}

case_timeout() {
	local t
	t=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$HERE/cases/$1.sh" | head -n 1)
	echo "${t:-$CASE_TIMEOUT}"
}

default_timeout() {
	local name total=$BOOT_ALLOWANCE
	for name in "${CASES[@]}"; do total=$((total + $(case_timeout "$name") + 10)); done
	echo "$total"
}

# The kernel command line and -virtfs split on blanks and commas.
check_setup() {
	[[ -n $KVER ]] || KVER=$(default_kernel)
	[[ -n $KVER ]] || die "no /boot/vmlinuz-* found"
	[[ -r /boot/vmlinuz-$KVER ]] || die "cannot read /boot/vmlinuz-$KVER"
	[[ -d /lib/modules/$KVER ]] || die "no /lib/modules/$KVER"
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	local p
	for p in "$REPO" "$BUILD" "${NAT64_KO:-}" "${NAT64_CLI:-}" "${NAT64_XTABLES_DIR:-}" \
		"${NAT64_DKMS_ROOT:-}"; do
		[[ $p != *[[:space:],]* ]] || die "paths with blanks or commas are not supported: $p"
	done
	RES=$BUILD/vm-results
	[[ -n $TIMEOUT ]] || TIMEOUT=$(default_timeout)
}

kernel_cmdline() {
	local list
	list=$(IFS=,; echo "${CASES[*]}")
	# slab_nomerge: every kmem cache keeps its own /proc/slabinfo row, so a
	# case can count the module's objects (93-lifecycle-load).
	printf '%s ' console=ttyS0 quiet panic=-1 oops=panic softlockup_panic=1 slab_nomerge \
		"nat64_guest=$HERE/guest.sh" "nat64_repo=$REPO" "nat64_build=$BUILD" \
		"nat64_cases=$list" "nat64_case_timeout=$CASE_TIMEOUT"
	# Overrides of what is tested (see lib.sh), e.g. a reference build.
	[[ -z ${NAT64_KO:-} ]] || printf 'nat64_ko=%s ' "$NAT64_KO"
	[[ -z ${NAT64_CLI:-} ]] || printf 'nat64_cli=%s ' "$NAT64_CLI"
	[[ -z ${NAT64_XTABLES_DIR:-} ]] || printf 'nat64_xtables_dir=%s ' "$NAT64_XTABLES_DIR"
	# Where test/dkms.sh installed the module (case 81-dkms).
	[[ -z ${NAT64_DKMS_ROOT:-} ]] || printf 'nat64_dkms_root=%s ' "$NAT64_DKMS_ROOT"
}

show_progress() {
	if ((VERBOSE)); then
		cat
	else
		grep --line-buffered '^nat64-vm:' || true
	fi
}

# Runs QEMU; the console goes to $RES/console.log.  Returns QEMU's status
# (124 when the time limit hit).
boot_vm() {
	local initrd=$BUILD/vm-cache/initrd-$KVER.cpio.gz
	"$HERE/mkinitrd.sh" "$KVER" "$initrd"
	local -a qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2
		-nographic -no-reboot -nic none
		-kernel "/boot/vmlinuz-$KVER" -initrd "$initrd" -append "$(kernel_cmdline)"
		-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$RES,mount_tag=out,security_model=none")
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
		sed -u 's/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$RES/console.log" | show_progress
	return "${PIPESTATUS[0]}"
}

add_verdict() {
	local name=$1 status=$2
	[[ -n ${STATUS[$name]+set} ]] || ORDER+=("$name")
	if [[ ${STATUS[$name]:-} != FAIL ]]; then STATUS[$name]=$status; fi
}

add_detail() {
	DETAIL[$1]+="    $2"$'\n'
}

collect_results() {
	local name status rc took
	for name in "${CASES[@]}"; do
		ORDER+=("$name")
		STATUS[$name]=MISSING
	done
	if [[ -f $RES/results ]]; then
		while read -r name status rc took; do
			STATUS[$name]=$status
			TOOK[$name]=$took
			[[ $status == PASS || $status == SKIP ]] || add_detail "$name" "exit status $rc"
		done <"$RES/results"
	fi
	for name in "${CASES[@]}"; do
		if [[ ${STATUS[$name]} == MISSING ]]; then
			STATUS[$name]=FAIL
			add_detail "$name" "no result: the VM stopped before or during this case"
		fi
	done
}

# Console warnings belong to the case between its begin/end markers.
console_hits() {
	awk -v bad="$KERNEL_BAD" '
		/nat64-vm: begin case / { cur = $NF; next }
		/nat64-vm: end case / { cur = "kernel-log"; next }
		$0 ~ bad { print (cur == "" ? "kernel-boot" : cur) "\t" $0 }
	' "$RES/console.log"
}

dmesg_hits() {
	local name
	grep -E "$KERNEL_BAD" "$RES/boot.dmesg" 2>/dev/null | sed 's/^/kernel-boot\t/' || true
	for name in "${CASES[@]}"; do
		grep -E "$KERNEL_BAD" "$RES/$name.dmesg" 2>/dev/null | sed "s/^/$name\t/" || true
	done
}

collect_kernel_hits() {
	local name line
	declare -A seen=()
	while IFS=$'\t' read -r name line; do
		add_verdict "$name" FAIL
		[[ -z ${seen[$name$line]:-} ]] || continue
		seen[$name$line]=1
		add_detail "$name" "kernel: $line"
	done < <(
		console_hits
		dmesg_hits
	)
}

collect_vm_status() {
	local qrc=$1 line
	[[ -f $RES/verdict ]] && return 0
	add_verdict vm FAIL
	if ((qrc == 124)); then
		add_detail vm "no verdict: the VM was stopped after the ${TIMEOUT}s time limit"
	else
		add_detail vm "no verdict: QEMU exited with status $qrc before the guest finished"
	fi
	add_detail vm "console tail:"
	while IFS= read -r line; do add_detail vm "| $line"; done < <(tail -n 15 "$RES/console.log")
}

print_failure() {
	local name=$1 log=$RES/$1.log
	printf '%s' "${DETAIL[$name]:-}"
	if [[ -s $log ]]; then
		echo "    last lines of $log:"
		tail -n 20 "$log" | sed 's/^/    | /'
	fi
}

report() {
	local name passed=0 failed=0
	for name in "${ORDER[@]}"; do
		if [[ ${STATUS[$name]} == PASS ]]; then
			echo "PASS $name (${TOOK[$name]}s)"
			passed=$((passed + 1))
		elif [[ ${STATUS[$name]} == SKIP ]]; then
			# Neither passed nor failed: the case said why (exit 77).
			echo "SKIP $name: $(sed -n 's/^SKIP: //p' "$RES/$name.log" | head -n 1)"
		else
			echo "FAIL $name${TOOK[$name]:+ (${TOOK[$name]}s)}"
			print_failure "$name"
			failed=$((failed + 1))
		fi
	done
	echo "results and guest console: $RES"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main() {
	parse_args "$@"
	select_cases
	check_setup
	# Two runs on one build dir would share (and wipe) the results dir.
	exec 9>"$BUILD/.vm-run.lock"
	flock -n 9 || die "another run.sh is using $BUILD"
	rm -rf "$RES"
	mkdir -p "$RES"
	echo "run.sh: kernel $KVER, ${#CASES[@]} case(s), time limit ${TIMEOUT}s, build $BUILD"
	local start=$SECONDS qrc=0
	boot_vm || qrc=$?
	echo "run.sh: VM ran for $((SECONDS - start))s"
	collect_results
	collect_kernel_hits
	collect_vm_status "$qrc"
	report
}

main "$@"
