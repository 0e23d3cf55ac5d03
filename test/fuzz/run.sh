#!/bin/bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into BUILD/fuzz and
# runs each for a bounded time over a scratch copy of its seed corpus
# (test/fuzz/corpus/TARGET, never written to). Per target: the number of
# executions and PASS/FAIL; a crash, leak, timeout, out-of-memory or
# sanitizer report is a FAIL naming the reproducer. Last line:
# "N passed, N failed".
#   test/fuzz/run.sh [--time SECONDS] [--jobs N] [--build DIR] [--no-build] [TARGET...]
# --time: per target (default 15). --jobs: targets run at once (default 1).
# --no-build: run the targets as last built.
# --build: BUILD (default $NAT64_BUILD, else build/ in the repository); the
# fuzz build goes to BUILD/fuzz (or $NAT64_FUZZ_BUILD).
# A long run: nice -n 10 test/fuzz/run.sh --time 600 --jobs 2
# Reproduce a failure: BUILD/fuzz/test/fuzz/TARGET REPRODUCER
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NAT64_BUILD:-$REPO/build}
readonly ALL=(fuzz_6to4 fuzz_4to6 fuzz_icmp_error fuzz_nlattr fuzz_config fuzz_cli)
time=15 jobs=1 build=1
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--time) time=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	fuzz_*) targets+=("$1"); shift ;;
	*) echo "test/fuzz/run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")
FUZZ=${NAT64_FUZZ_BUILD:-$BUILD/fuzz}

# Longest input per target: packets fit in 4 KiB (ICMP errors are cut to
# 1280 bytes anyway), configurations and netlink datagrams in 16 KiB.
max_len() {
	case "$1" in
	fuzz_cli) echo 1024 ;;
	fuzz_config|fuzz_nlattr) echo 16384 ;;
	*) echo 4096 ;;
	esac
}

build() {
	mkdir -p "$FUZZ"
	echo "test/fuzz/run.sh: building ${targets[*]} with clang in $FUZZ"
	{ CC=clang CXX=clang++ cmake -S "$REPO" -B "$FUZZ" -DNAT64_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo &&
		cmake --build "$FUZZ" -j2 --target "${targets[@]}"; } >"$FUZZ/build.log" 2>&1 ||
		{ tail -n 30 "$FUZZ/build.log"; return 1; }
}

# run TARGET: one bounded run in FUZZ/run/TARGET; prints the verdict.
run() {
	local t=$1 dir=$FUZZ/run/$1 rc execs art
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp "$REPO/test/fuzz/corpus/$t/"* "$dir/corpus/" 2>/dev/null
	local seeds
	seeds=$(find "$dir/corpus" -type f | wc -l)
	(cd "$dir" && "$FUZZ/test/fuzz/$t" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
		"$dir/corpus") >"$dir/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	art=$(find "$dir/artifacts" -type f | head -n 1)
	if [ "$rc" = 0 ] && [ -z "$art" ]; then
		echo "PASS $t: ${execs:-?} execs in ${time} s, corpus $seeds -> $(find "$dir/corpus" -type f | wc -l) inputs"
		return 0
	fi
	echo "FAIL $t: exit $rc after ${execs:-?} execs; log $dir/log"
	grep -m 3 -E '^(FINDING|SUMMARY|==[0-9]+==ERROR)|runtime error' "$dir/log" | sed 's/^/    /'
	echo "    reproducer: ${art:-none}"
	[ -z "$art" ] || echo "    rerun: $FUZZ/test/fuzz/$t $art"
	return 1
}

if [ "$build" = 1 ] && ! build; then
	echo "FAIL build of the fuzz targets (log: $FUZZ/build.log)"
	echo "0 passed, ${#targets[@]} failed"
	exit 1
fi
passed=0 failed=0
results=$FUZZ/run/results
rm -rf "$results"
mkdir -p "$results"
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	{ run "$t" >"$results/$t"; echo $? >"$results/$t.rc"; } &
done
wait
for t in "${targets[@]}"; do
	cat "$results/$t"
	if [ "$(cat "$results/$t.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
