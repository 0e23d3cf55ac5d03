# shellcheck shell=bash
# Helpers of the stateful cases (5x-*.sh), sourced after ../lib.sh. Not a
# case itself (cases are NN-name.sh).

STATE_TOOL=$VM_DIR/cases/state_tool.py

# state_tool NS ARGS...: run the traffic helper in a namespace (killed
# after TOOL_TIMEOUT seconds, default 600).
state_tool() {
	local ns=$1
	shift
	in_ns "$ns" timeout "${TOOL_TIMEOUT:-600}" "$PYTHON" "$STATE_TOOL" "$@"
}

# bg_tool NS ARGS...: state_tool for a background peer, whose end (killed
# at the end of the case, or after TOOL_TIMEOUT) is no failure.
bg_tool() {
	state_tool "$@" || true
}

# so_pair ARGS...: state_tool's so-pair (it enters the namespaces itself).
so_pair() {
	timeout "${TOOL_TIMEOUT:-600}" "$PYTHON" "$STATE_TOOL" so-pair "$@"
}

# counter NAME: the instance's counter (0 when not listed).
counter() {
	in_ns r nat64 stats display --all --csv --no-headers |
		awk -F, -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# counters NAME...: "NAME=VALUE ..." for a log line.
counters() {
	local n out=
	for n in "$@"; do out+="$n=$(counter "$n") "; done
	echo "$out"
}

# expect_counter NAME BEFORE DELTA: NAME moved by exactly DELTA.
expect_counter() {
	local name=$1 before=$2 delta=$3
	expect_eq "$(($(counter "$name") - before))" "$delta" "counter $name moved by $delta"
}

# wait_until WHAT SECONDS CODE...: the shell code CODE (its words joined,
# evaluated anew at each poll: quote $(...) in it) succeeds within SECONDS.
wait_until() {
	local what=$1 secs=$2 end
	shift 2
	end=$((SECONDS + secs))
	until eval "$*" >/dev/null 2>&1; do
		if ((SECONDS >= end)); then
			diag
			fail "$what: not within $secs s"
		fi
		sleep 0.2
	done
	ok "$what"
}

bib_rows() {
	in_ns r nat64 bib display "--$1" --numeric --csv --no-headers
}

# Seconds of an "H:MM:SS[.mmm]" duration, rounded down.
secs_of() {
	local h m s
	IFS=: read -r h m s <<<"$1"
	echo $((10#$h * 3600 + 10#$m * 60 + 10#${s%%.*}))
}

# What the translator holds, for the log of a failing case.
diag() {
	local p
	log "counters: $(in_ns r nat64 stats display --csv --no-headers 2>&1 | tr '\n' ' ')"
	for p in tcp udp icmp; do
		log "$p sessions:"$'\n'"$(sessions "$p" 2>&1)"
		log "$p BIB:"$'\n'"$(bib_rows "$p" 2>&1)"
	done
}

# The module's pr_debug / net_dbg_ratelimited messages into dmesg (kept in
# NAME.dmesg by the harness), when dynamic debug is available.
enable_debug() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
	echo 'module nat64 +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null || true
}
