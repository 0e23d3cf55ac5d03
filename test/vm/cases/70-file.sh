#!/bin/bash
# vm-timeout: 600
# vm-cost: 53
# The operator's workflow with `jool` replaced by `nat64` (iptables mode,
# the -j JOOL rules of docs/context.md §1 verbatim), then `nat64 file handle`:
# a whole configuration applied, applied again (nothing changes), a file
# with one bad value (nothing changes), a file the kernel rejects half-way
# (rolled back, display identical), instance creation from a file (and its
# rollback), and every display's --json parsed by python3.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly GW4=192.0.2.1
readonly NAME=default
readonly CONF=$CASE_TMP/nat64.conf

# Everything `file handle` may change, as the tables show it (static
# bindings only: dynamic ones come and go with the traffic's sessions).
snapshot() {
	local p
	in_ns r nat64 global display
	in_ns r nat64 pool4 display
	for p in tcp udp icmp; do in_ns r nat64 bib display "--$p" --csv | grep -v ',0$'; done
}

# UDP sessions on the file's pool4 ports (created with its 10:00 timeout).
file_udp_sessions() {
	sessions udp | awk -F, '$7 >= 62000 && $7 <= 63000' | wc -l
}

write_conf() { # write_conf UDP_TIMEOUT EXTRA_POOL4 EXTRA_BIB
	cat >"$CONF" <<EOF
{
	"comment": "nat64 VM test: the whole configuration of instance $NAME",
	"instance": "$NAME",
	"framework": "iptables",
	"global": {
		"pool6": "64:ff9b::/96",
		"udp-timeout": "$1",
		"tcp-est-timeout": "3:00:00",
		"icmp-timeout": "10:00",
		"mtu-plateaus": [1500, 1280, 68],
		"logging-bib": true
	},
	"pool4": [
		{ "protocol": "TCP", "prefix": "$GW4", "port range": "62000-63000" },
		{ "protocol": "UDP", "prefix": "$GW4", "port range": "62000-63000" },
		{ "protocol": "ICMP", "prefix": "$GW4", "port range": "62000-63000", "max-iterations": 2000 }$2
	],
	"bib": [
		{ "protocol": "TCP", "ipv6 address": "2001:db8::2#8080", "ipv4 address": "$GW4#62080" }$3
	]
}
EOF
}

seed_workflow() {
	log "=== the seed workflow, jool -> nat64 ==="
	in_ns r sysctl -w net.ipv4.conf.all.forwarding=1
	in_ns r sysctl -w net.ipv6.conf.all.forwarding=1
	load_nat64 # modprobe nat64 (the guest loads the build's nat64.ko)
	check "nat64 instance add $NAME --iptables --pool6 64:ff9b::/96" \
		in_ns r nat64 instance add "$NAME" --iptables --pool6 64:ff9b::/96
	in_ns r ip6tables -t mangle -A PREROUTING -d 64:ff9b::/96 -j JOOL --instance "$NAME"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p tcp --dport 61001:65535 -j JOOL --instance "$NAME"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p udp --dport 61001:65535 -j JOOL --instance "$NAME"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p icmp -j JOOL --instance "$NAME"
	ok "the four -j JOOL rules are in mangle PREROUTING"
	nat64_traffic '^192\.0\.2\.1$' 61001 65535 6000
}

apply_file() {
	log "=== file handle ==="
	write_conf 10:00 "" ""
	check "file handle (first time)" in_ns r nat64 file handle "$CONF"
	local g p b
	g=$(in_ns r nat64 global display --json)
	expect_eq "$(pyj 'j["udp-timeout"]' <<<"$g")" 600 "global udp-timeout from the file"
	expect_eq "$(pyj 'j["tcp-est-timeout"]' <<<"$g")" 10800 "global tcp-est-timeout from the file"
	expect_eq "$(pyj 'j["mtu-plateaus"]' <<<"$g")" "[1500, 1280, 68]" "global mtu-plateaus from the file"
	expect_eq "$(pyj 'j["logging-bib"]' <<<"$g")" true "global logging-bib from the file"
	expect_eq "$(pyj 'j["pool6"]' <<<"$g")" 64:ff9b::/96 "pool6 unchanged"
	p=$(in_ns r nat64 pool4 display --json)
	expect_eq "$(pyj '[(e["protocol"], e["address"], e["port_min"], e["port_max"]) for e in j]' <<<"$p")" \
		'[["TCP", "192.0.2.1", 62000, 63000], ["UDP", "192.0.2.1", 62000, 63000], ["ICMP", "192.0.2.1", 62000, 63000]]' \
		"pool4 is the file's"
	expect_eq "$(pyj '[e["max_iterations"] for e in j if e["protocol"] == "ICMP"]' <<<"$p")" "[2000]" \
		"ICMP max-iterations from the file"
	b=$(in_ns r nat64 bib display --tcp --json)
	expect_eq "$(pyj '[(e["ipv6_address"], e["ipv6_port"], e["ipv4_port"]) for e in j if e["static"]]' <<<"$b")" \
		'[["2001:db8::2", 8080, 62080]]' "the static TCP binding from the file"

	nat64_traffic '^192\.0\.2\.1$' 62000 63000 6100

	local before sessions_before out
	before=$(snapshot)
	sessions_before=$(file_udp_sessions)
	out=$(in_ns r nat64 file handle "$CONF" 2>&1) || fail "file handle (second time): $out"
	expect_eq "$out" "" "file handle applied twice: no error, no warning"
	expect_eq "$(snapshot)" "$before" "applied twice: configuration identical"
	expect_eq "$(file_udp_sessions)" "$sessions_before" "applied twice: sessions kept"
	# Jool's abbreviations and an explicit -i equal to the file's name.
	check "nat64 -i $NAME fi ha FILE" in_ns r nat64 -i "$NAME" "fi" ha "$CONF"
	expect_eq "$(snapshot)" "$before" "applied a third time: configuration identical"
	FIRST=$before
}

bad_files() {
	log "=== files that must change nothing ==="
	local before port
	write_conf 10:00 ',
		{ "protocol": "TCP", "prefix": "203.0.113.0/30", "port range": "1000-1100" }' ""
	check "file handle with an extra pool4 entry" in_ns r nat64 file handle "$CONF"
	expect_eq "$(in_ns r nat64 pool4 display --tcp --json | pyj 'len(j)')" 5 "TCP pool4: 1 + 4 addresses"
	before=$(snapshot)

	# One bad value: rejected before the kernel hears of it.
	write_conf 1:00 "" ""
	expect_fail "file with udp-timeout 1:00 rejected" in_ns r nat64 file handle "$CONF"
	expect_eq "$LAST_OUT" "nat64: $CONF: global.udp-timeout: '1:00' is too small (minimum: 0:02:00)" \
		"the error names the JSON path"
	expect_eq "$(snapshot)" "$before" "bad value: configuration untouched"

	# Valid, but the kernel refuses the last binding: its IPv4 side is held
	# by a dynamic binding of the UDP traffic. What was done before it (a
	# pool4 entry removed, another added) must be undone.
	port=$(in_ns r nat64 bib display --udp --json |
		pyj '[e["ipv4_port"] for e in j if not e["static"] and 62000 <= e["ipv4_port"] <= 63000][0]')
	expect_in_range "$port" 62000 63000 "a dynamic UDP binding holds $GW4#$port"
	write_conf 20:00 ',
		{ "protocol": "TCP", "prefix": "198.51.100.0/30", "port range": "1000-1100" }' ',
		{ "protocol": "UDP", "ipv6 address": "2001:db8::99#53", "ipv4 address": "'"$GW4#$port"'" }'
	expect_fail "file with a taken IPv4 transport address rejected" in_ns r nat64 file handle "$CONF"
	expect_match "$LAST_OUT" "^nat64: bib\[1\]: .*\(File exists\); the previous configuration was restored$" \
		"the kernel's rejection names the JSON path; rolled back"
	expect_eq "$(snapshot)" "$before" "rejected half-way: configuration identical"

	write_conf 10:00 "" ""
	check "file handle back to the first file" in_ns r nat64 file handle "$CONF"
	expect_eq "$(snapshot)" "$FIRST" "back to the first configuration"
}

new_instance_from_file() {
	log "=== an instance created by file handle ==="
	cat >"$CASE_TMP/nf.json" <<EOF
{ "instance": "nf", "framework": "netfilter", "global": { "pool6": "64:ff9b::/96", "manually-enabled": false } }
EOF
	check "file handle creates instance nf" in_ns r nat64 file handle "$CASE_TMP/nf.json"
	expect_eq "$(in_ns r nat64 instance display --json | pyj '[(e["name"], e["framework"]) for e in j]')" \
		'[["default", "iptables"], ["nf", "netfilter"]]' "instance display --json lists both"
	expect_eq "$(in_ns r nat64 -i nf global display --json | pyj 'j["manually-enabled"]')" false \
		"nf: manually-enabled from the file"
	check "instance remove nf" in_ns r nat64 instance remove nf

	# Creation rolled back: the kernel refuses the binding (no pool4 for ICMP
	# in the file, and 198.51.100.9 is not an address of r's).
	cat >"$CASE_TMP/bad.json" <<EOF
{ "instance": "nf", "framework": "netfilter", "global": { "pool6": "64:ff9b::/96" },
  "pool4": [ { "protocol": "TCP", "prefix": "198.51.100.1" } ],
  "bib": [ { "protocol": "ICMP", "ipv6 address": "2001:db8::2#1", "ipv4 address": "198.51.100.9#1" } ] }
EOF
	expect_fail "a new instance the kernel rejects" in_ns r nat64 file handle "$CASE_TMP/bad.json"
	expect_match "$LAST_OUT" "^nat64: bib\[0\]: .*; the previous configuration was restored$" "creation rolled back"
	expect_eq "$(in_ns r nat64 instance status --json nf)" '{"name":"nf","running":false}' "instance nf is gone"
}

json_displays() {
	log "=== --json of every display, parsed by python3 ==="
	local p
	expect_eq "$(in_ns r nat64 instance display --json | pyj 'sorted(j[0].keys())')" \
		'["framework", "name", "netns", "pool6"]' "instance display --json keys"
	expect_eq "$(in_ns r nat64 instance status --json)" '{"name":"default","running":true}' "instance status --json"
	expect_eq "$(in_ns r nat64 pool4 display --json | pyj 'sorted(j[0].keys())')" \
		'["address", "mark", "max_iterations", "max_iterations_fixed", "port_max", "port_min", "protocol"]' \
		"pool4 display --json keys"
	for p in tcp udp icmp; do
		expect_eq "$(in_ns r nat64 bib display "--$p" --json | pyj 'sorted({k for e in j for k in e})')" \
			'["ipv4_address", "ipv4_port", "ipv6_address", "ipv6_port", "protocol", "static"]' \
			"bib display --$p --json keys"
		expect_eq "$(in_ns r nat64 session display "--$p" --json |
			pyj 'all(e["ipv6_remote_address"] == "2001:db8::2" and e["ipv4_remote_address"] == "192.0.2.2" and e["expires_ms"] >= 0 for e in j) and len(j) > 0')" \
			true "session display --$p --json: sessions of the traffic"
	done
	expect_eq "$(in_ns r nat64 session display --tcp --json | pyj 'all(isinstance(e["state"], str) for e in j)')" \
		true "TCP sessions have a state"
	expect_eq "$(in_ns r nat64 stats display --json | pyj 'j["SUCCESS"] > 0 and j["RECEIVED6"] > 0 and "DROP_NOMEM" in j')" \
		true "stats display --json: every counter"
	expect_eq "$(in_ns r nat64 stats display --json --explain | pyj 'isinstance(j["SUCCESS"]["explanation"], str)')" \
		true "stats display --json --explain"
	expect_eq "$(in_ns r nat64 global display --json | pyj 'len(j)')" "$(in_ns r nat64 global display | wc -l)" \
		"global display --json: every key"
	expect_fail "--json with --csv refused" in_ns r nat64 pool4 display --json --csv
}

# What nat64.service runs (ExecStartPre's modprobe aside: the guest loads
# the build's module), with the file of a fresh namespace's instance.
service_commands() {
	log "=== nat64.service's commands ==="
	local unit conf=$CASE_TMP/svc.json
	unit=$(dirname "$NAT64_CLI")/systemd/nat64.service
	[[ -f $unit ]] || fail "$unit not built"
	cat >"$conf" <<EOF
{ "instance": "svc", "framework": "netfilter", "global": { "pool6": "64:ff9b::/96" },
  "pool4": [ { "protocol": "UDP", "prefix": "203.0.113.5" } ] }
EOF
	new_ns svc
	run_unit() {
		local cmd
		cmd=$(sed -n "s/^$1=//p" "$unit")
		cmd=${cmd//\/etc\/nat64\/nat64.conf/$conf}
		cmd=nat64${cmd#*/nat64}
		# shellcheck disable=SC2086 # the unit's command line, split as systemd does
		check "$1: $cmd" in_ns svc $cmd
	}
	run_unit ExecStart
	expect_eq "$(in_ns svc nat64 -i svc pool4 display --csv --no-headers)" \
		"0,UDP,203.0.113.5,61001,65535,1024,0" "ExecStart: instance svc with the file's pool4"
	run_unit ExecReload
	run_unit ExecStop
	expect_eq "$(in_ns svc nat64 instance status --json svc)" '{"name":"svc","running":false}' \
		"ExecStop removed the instance the file names"
	kill_ns svc
}

cleanup() {
	in_ns r ip6tables -t mangle -F PREROUTING
	in_ns r iptables -t mangle -F PREROUTING
	check "instance remove $NAME" in_ns r nat64 instance remove "$NAME"
	topo_teardown
	unload_nat64
}

require_nat64
require_xt_jool
topo_setup
seed_workflow
apply_file
json_displays
bad_files
new_instance_from_file
service_commands
cleanup
expect_no_kernel_warnings
