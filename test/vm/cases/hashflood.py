#!/usr/bin/python3
"""Case 91: a flood of UDP flows chosen to share one bucket under the
unkeyed state-table hash (flow_collide), then a lookup of every one.

Usage: hashflood.py FLOWS_FILE (lines "x y": source and destination port
of [2001:db8::2]:x -> [64:ff9b::192.0.2.2]:y). Topology and silent
endpoints as in 90-malformed.sh. Sends every flow from v6 and reads the
translated packets on v4 (each must arrive once, from [192.0.2.1]:p with
destination port y; p is the flow's binding, the same for every flow of
one source port); then answers every flow from v4 and reads the replies on
v6 (each must arrive with source port y and destination port x): every
lookup of the 4->6 direction found its session. Prints
"RESULT flows=N out=N back=N bindings=B failures=F".
"""
import socket
import struct
import sys

import xlat_tool

V6, V4_6, V4, R4 = "2001:db8::2", "64:ff9b::c000:202", "192.0.2.2", "192.0.2.1"
MAC = {"v6": "02:00:00:00:06:02", "r6": "02:00:00:00:06:01",
       "r4": "02:00:00:00:04:01", "v4": "02:00:00:00:04:02"}
SO_RCVBUFFORCE = 33


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s & 0xFFFF) or 0xFFFF


def udp6(sport, dport, data):
    src, dst = socket.inet_pton(socket.AF_INET6, V6), socket.inet_pton(socket.AF_INET6, V4_6)
    ln = 8 + len(data)
    udp = struct.pack("!HHHH", sport, dport, ln, 0) + data
    c = csum(src + dst + struct.pack("!IxxxB", ln, 17) + udp)
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return struct.pack("!IHBB", 6 << 28, ln, 17, 64) + src + dst + udp


def udp4(sport, dport, data):
    src, dst = socket.inet_aton(V4), socket.inet_aton(R4)
    ln = 8 + len(data)
    udp = struct.pack("!HHHH", sport, dport, ln, 0) + data
    c = csum(src + dst + struct.pack("!xBH", 17, ln) + udp)
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + ln, 0, 0, 64, 17, 0) + src + dst
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp


def collect(sock, ethertype, want, count):
    got = []
    idle = 0
    while len(got) < count and idle < 3:
        fr = xlat_tool.frames(sock, 1.0)
        idle = 0 if fr else idle + 1
        got += [f[14:] for f in fr if f[12:14] == ethertype and want(f[14:])]
    return got


def main(path):
    flows = [tuple(map(int, line.split())) for line in open(path) if line.strip()]
    for dev in ("to_v6", "to_v4"):
        xlat_tool.tx_csum_off("r", dev)
    s6 = xlat_tool.packet_socket("v6", "to_r")
    s4 = xlat_tool.packet_socket("v4", "to_r")
    for s in (s6, s4):
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    failures = 0
    r4 = socket.inet_aton(R4)
    pool = socket.inet_pton(socket.AF_INET6, "64:ff9b::")[:12]

    # 6 -> 4: every flow creates its session (and one binding per source port)
    eth6 = mac(MAC["r6"]) + mac(MAC["v6"]) + b"\x86\xdd"
    for x, y in flows:
        s6.send(eth6 + udp6(x, y, struct.pack("!HH", x, y)))
    out = collect(s4, b"\x08\x00", lambda p: p[12:16] == r4 and p[9] == 17, len(flows))
    binding = {}
    seen = set()
    for p in out:
        ihl = (p[0] & 15) * 4
        sport, dport = struct.unpack("!HH", p[ihl:ihl + 4])
        x, y = struct.unpack("!HH", p[ihl + 8:ihl + 12])   # the payload names the flow
        if dport != y or (x, y) in seen or binding.setdefault(x, sport) != sport:
            print("FAIL: 6->4 flow %d -> %d arrived as %d -> %d (binding %d)" % (
                x, y, sport, dport, binding[x]))
            failures += 1
        seen.add((x, y))
    if seen != set(flows):
        print("FAIL: 6->4: %d of %d flows arrived" % (len(seen), len(flows)))
        failures += 1

    # 4 -> 6: every session is found again
    eth4 = mac(MAC["r4"]) + mac(MAC["v4"]) + b"\x08\x00"
    for x, y in flows:
        if x in binding:
            s4.send(eth4 + udp4(y, binding[x], struct.pack("!HH", x, y)))
    back = collect(s6, b"\x86\xdd", lambda p: p[8:20] == pool and p[6] == 17, len(flows))
    seen_back = set()
    for p in back:
        sport, dport = struct.unpack("!HH", p[40:44])
        x, y = struct.unpack("!HH", p[48:52])
        if (sport, dport) != (y, x) or (x, y) in seen_back:
            print("FAIL: 4->6 reply of flow %d -> %d arrived as %d -> %d" % (x, y, sport, dport))
            failures += 1
        seen_back.add((x, y))
    if seen_back != set(flows):
        print("FAIL: 4->6: %d of %d replies arrived" % (len(seen_back), len(flows)))
        failures += 1
    print("RESULT flows=%d out=%d back=%d bindings=%d failures=%d" % (
        len(flows), len(seen), len(seen_back), len(binding), failures), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
