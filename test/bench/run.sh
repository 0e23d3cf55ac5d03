#!/bin/bash
# Benchmarks of nat64 (and, with --with-jool, of Jool) against plain IPv6
# forwarding, in the QEMU guest of test/vm.  See BENCHMARKS.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
readonly HERE REPO
readonly ALL_CASES=oneflow,storm,exhaust,scale,oneflow2,storm2,tcp
readonly SMP1_CASES=oneflow,storm

KVER=${NAT64_KVER:-}
BUILD=$REPO/build
SMOKE=0
WITH_JOOL=0
# Not under /tmp, /run or /var/tmp: the guest mounts fresh tmpfs there.
JOOL_DIR=${NAT64_BENCH_JOOL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nat64-bench/jool}
CASES=''
SMP1=1
VERBOSE=0
PERF=0
ROUNDS='' SLICE='' SESSIONS='' TIMEOUT=''

usage() {
	cat <<USAGE
usage: test/bench/run.sh [options]
Boot the test VM (2 vCPUs) once and measure, for plain IPv6 forwarding and
nat64 (and Jool), the cases $ALL_CASES;
then boot once more with 1 vCPU for $SMP1_CASES (scaling).
  --smoke            every case in one setup (case "smoke"), about a second
                     each, 1,600 sessions, no Jool, no 1-vCPU boot: checks that
                     the harness and nat64 work and every case gives a number
  --with-jool        also measure Jool 4.1.9 (netfilter mode, same pool4),
                     fetched from Debian (jool-dkms, jool-tools) and built for
                     the guest kernel in --jool-dir
  --jool-dir DIR     scratch dir for Jool (default $JOOL_DIR)
  --cases LIST       comma-separated subset of the cases
  --no-smp1          skip the 1-vCPU boot
  --rounds N         alternating measurement rounds per case (default 5, smoke 1)
  --slice SECONDS    pktgen time per translator and round (default 2, smoke 1)
  --sessions N       table-scale sessions (default 1000000, smoke 10000)
  --kernel KVER      guest kernel (default \$NAT64_KVER, else the one nat64.ko is
                     built for, else linux-image-amd64's, else the newest)
  --build DIR        cmake build dir (default $REPO/build); results go to
                     DIR/bench-results
  --timeout SECONDS  limit per boot (default 5400, smoke 1200)
  --perf             after the counted rounds of each pktgen case, one more
                     slice per translator under "perf record -a -g -e
                     cpu-clock" in the guest (the counted rounds stay
                     unprofiled); summaries in DIR/bench-results/smpN/
                     CASE.perf-TRANSLATOR.txt (test/bench/perf-report.sh),
                     the raw data beside them (.data, with kallsyms)
  -v, --verbose      show the whole guest console
Environment: NAT64_KO (default $REPO/mod/nat64.ko), NAT64_CLI (default
BUILD/usr/nat64); NAT64_JOOL_KO and NAT64_JOOL_CLI use an existing Jool build
instead of fetching one.
Exit status: 0 when every case ran for every translator, 1 otherwise.
USAGE
}

die() {
	echo "bench: $*" >&2
	exit 2
}

parse_args() {
	while (($#)); do
		case $1 in
		--smoke) SMOKE=1; shift ;;
		--with-jool) WITH_JOOL=1; shift ;;
		--jool-dir) JOOL_DIR=${2:?}; shift 2 ;;
		--cases) CASES=${2:?}; shift 2 ;;
		--no-smp1) SMP1=0; shift ;;
		--rounds) ROUNDS=${2:?}; shift 2 ;;
		--slice) SLICE=${2:?}; shift 2 ;;
		--sessions) SESSIONS=${2:?}; shift 2 ;;
		--kernel) KVER=${2:?}; shift 2 ;;
		--build) BUILD=${2:?}; shift 2 ;;
		--timeout) TIMEOUT=${2:?}; shift 2 ;;
		-v | --verbose) VERBOSE=1; shift ;;
		--perf) PERF=1; shift ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown argument $1 (see --help)" ;;
		esac
	done
	if ((SMOKE)); then
		((WITH_JOOL == 0)) || die "--smoke runs without Jool"
		SMP1=0
		: "${ROUNDS:=1}" "${SLICE:=1}" "${SESSIONS:=1600}" "${TIMEOUT:=900}" "${CASES:=smoke}"
	fi
	: "${CASES:=$ALL_CASES}"
	: "${ROUNDS:=5}" "${SLICE:=2}" "${SESSIONS:=1000000}" "${TIMEOUT:=5400}"
	local c
	for c in ${CASES//,/ }; do
		[[ ,$ALL_CASES,smoke, == *,$c,* ]] || die "unknown case $c (cases: $ALL_CASES, smoke)"
	done
}

newest_kernel() {
	local f
	for f in /boot/vmlinuz-*; do
		[[ -e $f ]] && echo "${f#/boot/vmlinuz-}"
	done | sort -V | tail -n 1
}

# The guest kernel: the one nat64.ko was built for (several kernels may be
# installed), else Debian's default (linux-image-amd64's), else the newest.
default_kernel() {
	local k
	k=$(modinfo -F vermagic "$NAT64_KO" 2>/dev/null | cut -d' ' -f1)
	[[ -n $k && -r /boot/vmlinuz-$k ]] && echo "$k" && return
	k=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
	[[ -n $k && -r /boot/vmlinuz-$k ]] && echo "$k" && return
	newest_kernel
}

check_setup() {
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	NAT64_KO=${NAT64_KO:-$REPO/mod/nat64.ko}
	NAT64_CLI=${NAT64_CLI:-$BUILD/usr/nat64}
	[[ -n $KVER ]] || KVER=$(default_kernel)
	[[ -r /boot/vmlinuz-$KVER ]] || die "cannot read /boot/vmlinuz-$KVER"
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"
	local built_for
	if [[ ! -f $NAT64_KO ]]; then
		echo "bench: warning: no module at $NAT64_KO (build it: cmake --build build --target module)" >&2
	else
		built_for=$(modinfo -F vermagic "$NAT64_KO" | cut -d' ' -f1)
		[[ $built_for == "$KVER" ]] ||
			echo "bench: warning: $NAT64_KO is built for $built_for, the guest runs $KVER" >&2
	fi
	[[ -x $NAT64_CLI ]] || echo "bench: warning: no CLI at $NAT64_CLI (build it: cmake --build build --target nat64)" >&2
	command -v iperf3 >/dev/null || echo "bench: note: iperf3 missing, TCP is measured with socat" >&2
	((PERF == 0)) || command -v perf >/dev/null || die "--perf needs perf (Debian: linux-perf)"
	XLATS=plain,nat64
	if ((WITH_JOOL)); then
		if [[ -z ${NAT64_JOOL_KO:-} ]]; then
			"$HERE/get-jool.sh" "$KVER" "$JOOL_DIR" ||
				die "no Jool for $KVER (Jool 4.1.9 builds for Debian 12's 6.1 kernel; see --kernel)"
			NAT64_JOOL_KO=$JOOL_DIR/$KVER/jool.ko
			NAT64_JOOL_CLI=$JOOL_DIR/root/usr/bin/jool
		fi
		XLATS+=,jool
	fi
	local p
	for p in "$REPO" "$BUILD" "$NAT64_KO" "$NAT64_CLI" "${NAT64_JOOL_KO:-}" "${NAT64_JOOL_CLI:-}"; do
		[[ $p != *[[:space:],]* ]] || die "paths with blanks or commas are not supported: $p"
	done
	RES=$BUILD/bench-results
}

kernel_cmdline() {
	local cases=$1
	printf '%s ' console=ttyS0 quiet panic=-1 \
		"nat64_guest=$HERE/guest.sh" "nat64_repo=$REPO" "nat64_build=$BUILD" \
		"nat64_ko=$NAT64_KO" "nat64_cli=$NAT64_CLI" \
		"nat64_bench_xlats=$XLATS" "nat64_bench_cases=$cases" \
		"nat64_bench_rounds=$ROUNDS" "nat64_bench_slice=$SLICE" \
		"nat64_bench_sessions=$SESSIONS"
	if ((SMOKE)); then
		printf '%s ' nat64_bench_warmup=0.3 nat64_bench_tcp_secs=1
	fi
	((PERF == 0)) || printf '%s ' nat64_bench_perf=1
	if [[ -n ${NAT64_JOOL_KO:-} ]]; then
		printf '%s ' "nat64_jool_ko=$NAT64_JOOL_KO" "nat64_jool_cli=$NAT64_JOOL_CLI"
	fi
}

show_progress() {
	if ((VERBOSE)); then
		cat
	else
		grep --line-buffered -a '^nat64-bench:' || true
	fi
}

# boot SMP CASES: one VM; results in $RES/smpSMP.
boot() {
	local smp=$1 cases=$2 out=$RES/smp$1 mem=2048
	local initrd=$BUILD/vm-cache/initrd-$KVER.cpio.gz
	((SMOKE == 0)) || mem=1024
	mkdir -p "$out"
	"$REPO/test/vm/mkinitrd.sh" "$KVER" "$initrd"
	echo "bench: boot with $smp vCPU(s): $cases"
	# shellcheck disable=SC2054 # commas belong to qemu's options
	local -a qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "$mem" -smp "$smp"
		-nographic -no-reboot -nic none
		-kernel "/boot/vmlinuz-$KVER" -initrd "$initrd" -append "$(kernel_cmdline "$cases")"
		-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$out,mount_tag=out,security_model=none")
	local start=$SECONDS rc=0
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
		sed -u 's/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$out/console.log" |
		show_progress || rc=$?
	echo "bench: VM ran for $((SECONDS - start))s"
	if [[ ! -f $out/verdict ]]; then
		echo "bench: the $smp-vCPU run did not finish (QEMU status $rc); console tail:" >&2
		tail -n 15 "$out/console.log" >&2
		return 1
	fi
	((PERF == 0)) || "$HERE/perf-report.sh" "$out"
}

main() {
	parse_args "$@"
	check_setup
	exec 9>"$BUILD/.bench-run.lock"
	flock -n 9 || die "another bench run is using $BUILD"
	rm -rf "$RES"
	mkdir -p "$RES"
	local start=$SECONDS ok=1
	{
		echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "host $(uname -n), $(nproc) CPU(s): $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(free -g | awk '/^Mem:/ { print $2 }') GiB"
		echo "kernel $KVER"
		echo "mode $( ((SMOKE)) && echo smoke || echo full) rounds=$ROUNDS slice=${SLICE}s sessions=$SESSIONS"
		echo "cases $CASES"
		echo "commit $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
	} >"$RES/info"
	boot 2 "$CASES" || ok=0
	if ((SMP1)); then
		local c1=
		for c in ${SMP1_CASES//,/ }; do
			[[ ,$CASES, != *,$c,* ]] || c1+=${c1:+,}$c
		done
		[[ -z $c1 ]] || boot 1 "$c1" || ok=0
	fi
	echo "bench: total $((SECONDS - start))s"
	python3 "$HERE/report.py" "$RES" | tee "$RES/summary.md" || ok=0
	echo "results: $RES (summary.md, per boot: results, CASE.log, console.log)"
	((ok)) || exit 1
}

main "$@"
