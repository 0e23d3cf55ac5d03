#!/bin/bash
# vm-timeout: 240
# vm-cost: 10
# Hash flooding (issue 7): 1,024 UDP flows from one client chosen so that
# their session keys all fall into bucket 0 of a 1,024-bucket table under
# the unkeyed variant of the state tables' hash (key 0, seed 0; the
# generator flow_collide uses the module's own hash code from mod/core).
# The module keys its hash with a random secret, so these flows must spread
# (test/core/flow_hash_test.cc proves that part without any timing); here:
# after the flood every session exists exactly once, every binding is
# consistent, and every one of them is found again by a reply from IPv4.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

FLOWS=1024
COLLIDE=$NAT64_BUILD/test/core/flow_collide
require_nat64
[[ -x $COLLIDE ]] || fail "flow_collide not found at $COLLIDE (build the tests)"
flows=$CASE_TMP/flows
check "flow_collide finds $FLOWS colliding flows" \
	"$COLLIDE" "$FLOWS" 10 2001:db8::2 192.0.2.2 1024
"$COLLIDE" "$FLOWS" 10 2001:db8::2 192.0.2.2 1024 >"$flows"
sources=$(cut -d' ' -f1 "$flows" | sort -u | wc -l)
log "$FLOWS flows from $sources source ports, e.g. $(head -n 3 "$flows" | paste -sd ' ')"

topo_setup
topo_fixed_macs
check "v6 stack silenced" in_ns v6 ip6tables -t raw -A PREROUTING -j DROP
check "v4 stack silenced" in_ns v4 iptables -t raw -A PREROUTING -j DROP
load_nat64
check "instance add" in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96

out=$CASE_TMP/hashflood.out
rc=0
PYTHONPATH=$VM_DIR/cases timeout 180 "$PYTHON" "$VM_DIR/cases/hashflood.py" "$flows" >"$out" 2>&1 || rc=$?
cat "$out"
expect_eq "$(tail -n 1 "$out")" \
	"RESULT flows=$FLOWS out=$FLOWS back=$FLOWS bindings=$sources failures=0" \
	"every flow translated out and its reply found its session"
expect_eq "$rc" 0 "hashflood.py exit status"

s=$(in_ns r nat64 session display --udp --numeric --csv --no-headers)
expect_eq "$(count_lines "$s")" "$FLOWS" "exactly $FLOWS UDP sessions"
expect_eq "$(cut -d, -f3,5 <<<"$s" | sort -u | wc -l)" "$FLOWS" "all of them distinct (x, y)"
expect_eq "$(cut -d, -f3,5 <<<"$s" | tr , ' ' | sort)" "$(sort "$flows")" \
	"the sessions are exactly the flows sent"
b=$(in_ns r nat64 bib display --udp --numeric --csv --no-headers)
expect_eq "$(count_lines "$b")" "$sources" "one binding per source port"
log "$(in_ns r nat64 stats display --csv --no-headers | paste -sd ' ')"

topo_teardown
unload_nat64
expect_no_kernel_warnings
