#!/bin/bash
# Host side of the VM tests: boot one QEMU guest (software emulation, no
# network device) that runs test/vm/guest.sh over the cases, then report.
# See test/vm/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
readonly HERE REPO
# Any of these in the guest's kernel log fails the run (the lockdep and
# list-debugging reports fire on the debug kernel, test/vm/debug-kernel.sh).
readonly KERNEL_BAD='Oops|WARNING:|BUG:|Call Trace|KASAN|kmemleak|general protection|Kernel panic|soft lockup|detected stall|blocked for more than|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called|lock held when returning|list_(add|del) corruption'
# ...except kmemleak's own status lines: its findings are judged from the
# report the guest saves after the cases (check_kmemleak).
readonly KERNEL_OK='kmemleak: Kernel memory leak detector initialized|kmemleak: [0-9]+ new suspected memory leaks'
readonly DEFAULT_CASE_TIMEOUT=120
readonly BOOT_ALLOWANCE=90

KVER=${NAT64_KVER:-}
BUILD=$REPO/build
TIMEOUT=
CASE_TIMEOUT=$DEFAULT_CASE_TIMEOUT
# A kernel outside /boot and /lib/modules (the debug kernel).
KIMAGE=
MODDIR=
FACTOR=1
MEMORY=1024
# Extra kernel command-line words (the debug kernel's acpi=noirq).
KARGS=
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
  --kernel-image FILE  boot FILE instead of /boot/vmlinuz-KVER; needs --modules
  --modules DIR        the module tree of that kernel (its name is the KVER); the
                       guest mounts it over /lib/modules/KVER
  --timeout-factor N   multiply every time limit by N (slow debug kernels)
  --memory MB          guest memory (default $MEMORY)
  --kernel-args WORDS  append WORDS to the guest's kernel command line (a
                       nat64_KEY=VALUE word reaches the cases as NAT64_KEY)
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
		--kernel-image) KIMAGE=${2:?--kernel-image needs a value}; shift 2 ;;
		--modules) MODDIR=${2:?--modules needs a value}; shift 2 ;;
		--timeout-factor) FACTOR=${2:?--timeout-factor needs a value}; shift 2 ;;
		--memory) MEMORY=${2:?--memory needs a value}; shift 2 ;;
		--kernel-args) KARGS=${2?--kernel-args needs a value}; shift 2 ;;
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
	echo "$((${t:-$CASE_TIMEOUT} * FACTOR))"
}

# The debug kernel's final kmemleak scan gets a case's default time.
default_timeout() {
	local name total=$((BOOT_ALLOWANCE * FACTOR))
	for name in "${CASES[@]}"; do total=$((total + $(case_timeout "$name") + 10)); done
	[[ -z $MODDIR ]] || total=$((total + CASE_TIMEOUT * FACTOR))
	echo "$total"
}

# An explicit kernel image comes with its module tree, named after its KVER.
check_kernel() {
	if [[ -n $KIMAGE || -n $MODDIR ]]; then
		[[ -n $KIMAGE && -n $MODDIR ]] || die "--kernel-image and --modules go together"
		[[ -r $KIMAGE ]] || die "cannot read $KIMAGE"
		[[ -f $MODDIR/modules.dep ]] || die "no modules.dep in $MODDIR"
		MODDIR=$(cd "$MODDIR" && pwd)
		KIMAGE=$(cd "$(dirname "$KIMAGE")" && pwd)/$(basename "$KIMAGE")
		KVER=$(basename "$MODDIR")
		return 0
	fi
	[[ -n $KVER ]] || KVER=$(default_kernel)
	[[ -n $KVER ]] || die "no /boot/vmlinuz-* found"
	[[ -r /boot/vmlinuz-$KVER ]] || die "cannot read /boot/vmlinuz-$KVER"
	[[ -d /lib/modules/$KVER ]] || die "no /lib/modules/$KVER"
	KIMAGE=/boot/vmlinuz-$KVER
}

# The kernel command line and -virtfs split on blanks and commas.
check_setup() {
	[[ $FACTOR =~ ^[1-9][0-9]*$ ]] || die "--timeout-factor needs a positive integer"
	check_kernel
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	local p
	for p in "$REPO" "$BUILD" "$MODDIR" "${NAT64_KO:-}" "${NAT64_CLI:-}" "${NAT64_XTABLES_DIR:-}" \
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
		"nat64_guest=$HERE/guest.sh" "nat64_repo=$REPO" "nat64_build=${NAT64_BUILD:-$BUILD}" \
		"nat64_cases=$list" "nat64_case_timeout=$CASE_TIMEOUT" "nat64_timeout_factor=$FACTOR"
	# A module tree outside /lib/modules: /init mounts it at /lib/modules/KVER.
	[[ -z $MODDIR ]] || printf 'nat64_moddir=%s ' "$MODDIR"
	# Overrides of what is tested (see lib.sh), e.g. a reference build.
	[[ -z ${NAT64_KO:-} ]] || printf 'nat64_ko=%s ' "$NAT64_KO"
	[[ -z ${NAT64_CLI:-} ]] || printf 'nat64_cli=%s ' "$NAT64_CLI"
	[[ -z ${NAT64_XTABLES_DIR:-} ]] || printf 'nat64_xtables_dir=%s ' "$NAT64_XTABLES_DIR"
	# Where test/dkms.sh installed the module (case 81-dkms).
	[[ -z ${NAT64_DKMS_ROOT:-} ]] || printf 'nat64_dkms_root=%s ' "$NAT64_DKMS_ROOT"
	[[ -z $KARGS ]] || printf '%s ' "$KARGS"
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
	"$HERE/mkinitrd.sh" "$KVER" "$initrd" "${MODDIR:-/lib/modules/$KVER}"
	local -a qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "$MEMORY" -smp "${NAT64_VM_SMP:-2}"
		-nographic -no-reboot -nic none
		-kernel "$KIMAGE" -initrd "$initrd" -append "$(kernel_cmdline)"
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
	awk -v bad="$KERNEL_BAD" -v good="$KERNEL_OK" '
		/nat64-vm: begin case / { cur = $NF; next }
		/nat64-vm: end case / { cur = "kernel-log"; next }
		$0 ~ bad && $0 !~ good { print (cur == "" ? "kernel-boot" : cur) "\t" $0 }
	' "$RES/console.log"
}

dmesg_hits() {
	local name
	kernel_bad "$RES/boot.dmesg" | sed 's/^/kernel-boot\t/' || true
	for name in "${CASES[@]}"; do
		kernel_bad "$RES/$name.dmesg" | sed "s/^/$name\t/" || true
	done
}

kernel_bad() {
	[[ -f $1 ]] || return 0
	grep -E "$KERNEL_BAD" "$1" | grep -vE "$KERNEL_OK"
}

# The report of the guest's final kmemleak scan (debug kernel only): a leak
# fails the run when its allocation backtrace runs through nat64, named, or
# as a bare module address (nat64 is the only module there and is unloaded
# by then, so its frames no longer resolve).  Other leaks are listed only.
check_kmemleak() {
	local file=$RES/kmemleak nat64 other line
	[[ -f $file ]] || return 0
	nat64=$(kmemleak_blocks nat64 "$file")
	other=$(kmemleak_blocks other "$file" | grep -c '^unreferenced object' || true)
	if [[ -n $nat64 ]]; then
		add_verdict kmemleak FAIL
		add_detail kmemleak "$(grep -c '^unreferenced object' <<<"$nat64") leak(s) allocated through nat64 (all in $file):"
		while IFS= read -r line; do add_detail kmemleak "| $line"; done < <(head -n 40 <<<"$nat64")
	else
		add_verdict kmemleak PASS
		TOOK[kmemleak]=$(cat "$RES/kmemleak.took" 2>/dev/null || echo '?')
	fi
	((other == 0)) || echo "run.sh: kmemleak lists $other leak(s) not involving nat64 (see $file)"
}

# kmemleak_blocks nat64|other FILE: the "unreferenced object" blocks whose
# backtrace has (nat64) or has not (other) a nat64 or bare module frame.
kmemleak_blocks() {
	awk -v want="$1" '
		function flush() {
			if (blk == "") return
			ours = blk ~ /\[nat64\]/ || blk ~ /\] 0x[0-9a-f]+(\n|$)/
			if ((want == "nat64") == ours) print blk
			blk = ""
		}
		/^unreferenced object / { flush(); blk = $0; next }
		blk != "" { blk = blk "\n" $0 }
		END { flush() }
	' "$2"
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
	echo "run.sh: kernel $KVER ($KIMAGE), ${#CASES[@]} case(s), time limit ${TIMEOUT}s, build $BUILD"
	local start=$SECONDS qrc=0
	boot_vm || qrc=$?
	echo "run.sh: VM ran for $((SECONDS - start))s"
	collect_results
	collect_kernel_hits
	check_kmemleak
	collect_vm_status "$qrc"
	report
}

main "$@"
