#!/bin/bash
# The test command: builds what is missing, runs the unit tests (ctest) and
# the VM end-to-end tests, and prints one final "N passed, N failed" line.
#   test/run.sh [--unit-only|--vm-only] [VM case ...]
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NAT64_BUILD:-$REPO/build}
unit=1 vm=1
case "${1:-}" in
--unit-only) vm=0; shift ;;
--vm-only) unit=0; shift ;;
esac

build() {
	cmake -S "$REPO" -B "$BUILD" >/dev/null &&
		cmake --build "$BUILD" -j2 &&
		cmake --build "$BUILD" --target module
}

# "N passed, N failed" -> "N N"
counts() {
	sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p' | tail -n 1
}

build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
if [ "$unit" = 1 ]; then
	ctest --test-dir "$BUILD" --output-on-failure -j2 2>&1 | tee "$BUILD/ctest.log"
	read -r uf ut < <(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$BUILD/ctest.log") || true
	if [ -z "${ut:-}" ]; then
		failed=$((failed + 1))
	else
		passed=$((passed + ut - uf))
		failed=$((failed + uf))
	fi
fi
if [ "$vm" = 1 ]; then
	"$REPO/test/vm/run.sh" --build "$BUILD" "$@" 2>&1 | tee "$BUILD/vm.log"
	read -r p f < <(counts <"$BUILD/vm.log") || true
	if [ -z "${p:-}" ]; then
		failed=$((failed + 1))
	else
		passed=$((passed + p))
		failed=$((failed + f))
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
