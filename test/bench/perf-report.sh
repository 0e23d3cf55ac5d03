#!/bin/bash
# Text summaries of the guest's profiles (run.sh --perf), on the host: for
# each CASE.perf-X.data in DIR, CASE.perf-X.txt with the rates of the
# profiled slice, the split per module and per command, and the top symbols
# by self time and by time including callees.  The guest kernel's symbols,
# modules' included, come from the boot's DIR/kallsyms.
#   perf-report.sh DIR
set -euo pipefail

readonly TOP=40

die() {
	echo "perf-report: $*" >&2
	exit 2
}

# table TITLE LINES PERF-REPORT-ARGS...: a perf report without its comments.
table() {
	local title=$1 lines=$2
	shift 2
	echo "## $title"
	perf report -i "$DATA" --kallsyms "$DIR/kallsyms" --stdio -g none "$@" 2>/dev/null |
		grep -v -e '^#' -e '^$' | head -n "$lines" || true
	echo
}

summary() {
	[[ ! -f ${DATA%.data}.slice ]] || cat "${DATA%.data}.slice"
	echo "samples: $(perf report -i "$DATA" --stdio --sort comm 2>/dev/null |
		sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -n 1)"
	echo
	table "per module (--no-children --sort dso)" 15 --no-children -F overhead,sample,dso
	table "per command (--no-children --sort comm)" 10 --no-children -F overhead,sample,comm
	table "self time, top $TOP (--no-children --sort dso,symbol)" "$TOP" \
		--no-children -F overhead,sample,dso,sym
	table "including callees, top $TOP (--children --sort dso,symbol)" "$TOP" \
		--children -F overhead_children,overhead,dso,sym
}

main() {
	[[ $# -eq 1 ]] || die "usage: perf-report.sh DIR"
	DIR=$1
	command -v perf >/dev/null || die "perf missing (Debian: linux-perf)"
	[[ -f $DIR/kallsyms ]] || die "no $DIR/kallsyms (written by the guest with --perf)"
	local n=0
	for DATA in "$DIR"/*.perf-*.data; do
		[[ -f $DATA ]] || continue
		summary >"${DATA%.data}.txt"
		n=$((n + 1))
	done
	echo "perf-report: $n profile(s) in $DIR"
}

main "$@"
