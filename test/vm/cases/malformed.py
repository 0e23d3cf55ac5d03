#!/usr/bin/python3
"""Case 90: malformed traffic through the translator, every packet
accounted for.

Topology of 90-malformed.sh: v6 (2001:db8::2) -- r -- v4 (192.0.2.2) with
fixed MAC addresses, static neighbours on r, both endpoint stacks silent
(nftables drops everything at PREROUTING and OUTPUT: packet sockets still
see and send every frame). On r, nftables chains in both families count
and drop stray packets (not to pool6 or 192.0.2.1; priority -360), count
what reaches the PRE_ROUTING hooks after defragmentation (-350, before
nat64 at NAT_DST + 25 = -75) and count and drop whatever nat64 passes on
(-50), so that no later stage of r's stack moves a counter.

Categories of scapy-built packets (fixed seed) are sent one after the
other from v6 towards 64:ff9b::192.0.2.2 and from v4 towards 192.0.2.1
(the pool4 address of the sessions made first, and unknown ports). For
each category, with deltas of r's counters:

  sent     = frames sent, = Ip(6)InReceives - stray (every frame reached IP)
  sent     = kernel + defrag + hooked
             kernel: dropped by IP input before the hooks: InHdrErrors,
                     InTruncatedPkts, InDiscards (+ Ip6InAddrErrors)
             defrag: fragments held or dropped by reassembly, minus the
                     packets it produced (IPv4: ReasmReqds - ReasmOKs;
                     IPv6's netfilter reassembly has no counters, so it is
                     what remains, checked against the expected sets)
             hooked: the nftables counter before nat64
  hooked   = RECEIVED6/4 (nat64 saw each of them)
  RECEIVED = SUCCESS + DROP_* + NOT_OURS + DISABLED + SO_STORED
  SUCCESS  = translated packets captured on the far side (first fragments)
  NOT_OURS + DISABLED = the nftables sink after nat64
ICMP errors the translator answered with belong to a DROP_ counter
(DROP_HOP_LIMIT, DROP_TOO_BIG, DROP_SRC_ROUTE...); the errors captured on
the near side must equal r's ICMP error counters (Icmp6OutDestUnreachs,
...PktTooBigs, ...TimeExcds, ...ParmProblems; IcmpOutDestUnreachs,
...TimeExcds, ...ParmProbs).

Prints one line per category and "RESULT failures=N".
"""
import json
import logging
import random
import socket
import struct
import subprocess
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_LSRR  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6EchoRequest,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting,
    Jumbo,
)
from scapy.packet import Raw  # noqa: E402

import xlat_tool  # noqa: E402

V6, R6, V4_6 = "2001:db8::2", "2001:db8::1", "64:ff9b::c000:202"
V4, R4 = "192.0.2.2", "192.0.2.1"
MAC = {"v6": "02:00:00:00:06:02", "r6": "02:00:00:00:06:01",
       "r4": "02:00:00:00:04:01", "v4": "02:00:00:00:04:02"}
SEED = 20261126
SO_RCVBUFFORCE = 33
SOL_PACKET = 263
PACKET_STATISTICS = 6
DROP_PREFIX = "DROP_"


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


# ------------------------------------------------------------- counters


# The counters are read from inside r: main() enters it once the packet
# sockets exist (they stay in their namespaces), so /proc/self/net is r's
# and the tools it starts run there too.


def nat64_stats():
    out = {}
    for line in run("nat64", "stats", "display", "--all", "--csv",
                    "--no-headers").splitlines():
        name, _, value = line.partition(",")
        if value.strip().isdigit():
            out[name.strip()] = int(value)
    return out


def snmp():
    """r's IP/ICMP SNMP counters: Ip*, IpExt*, Icmp*, Ip6*, Icmp6*."""
    out = {}
    with open("/proc/self/net/snmp") as a, open("/proc/self/net/netstat") as b:
        lines = a.read().splitlines() + b.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        prefix, _, names = names.partition(":")
        _, _, values = values.partition(":")
        for n, v in zip(names.split(), values.split()):
            out[prefix + n] = int(v)
    with open("/proc/self/net/snmp6") as f:
        for line in f:
            n, v = line.split()
            out[n] = int(v)
    return out


def nft_counters():
    data = json.loads(run("nft", "-j", "list", "counters", "table", "inet", "acct"))
    out = {}
    for item in data["nftables"]:
        c = item.get("counter")
        if c:
            out[c["name"]] = c["packets"]
    return out


class Snapshot:
    def __init__(self):
        self.stats = nat64_stats()
        self.snmp = snmp()
        self.nft = nft_counters()

    def delta(self, before):
        d = {}
        for attr in ("stats", "snmp", "nft"):
            a, b = getattr(self, attr), getattr(before, attr)
            for k, v in a.items():
                if v != b.get(k, 0):
                    d[k] = v - b.get(k, 0)
        return d


# ------------------------------------------------------------- the wire


class Wire:
    def __init__(self):
        for dev in ("to_v6", "to_v4"):
            xlat_tool.tx_csum_off("r", dev)
        self.s6 = xlat_tool.packet_socket("v6", "to_r")
        self.s4 = xlat_tool.packet_socket("v4", "to_r")
        for s in (self.s6, self.s4):
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        self.socket_drops()

    def socket_drops(self):
        """Frames the packet sockets lost since the last call (must be 0)."""
        n = 0
        for s in (self.s6, self.s4):
            _, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
            n += drops
        return n

    def send(self, v6, pkt):
        raw = bytes(pkt)
        if v6:
            self.s6.send(mac(MAC["r6"]) + mac(MAC["v6"]) + b"\x86\xdd" + raw)
        else:
            self.s4.send(mac(MAC["r4"]) + mac(MAC["v4"]) + b"\x08\x00" + raw)

    def take(self, sock, seconds=0.3):
        return xlat_tool.frames(sock, seconds)


def first_fragment6(p):
    """Unfragmented, or the first fragment (a Fragment Header right after
    the fixed header, offset 0)."""
    return p[6] != 44 or (struct.unpack("!H", p[42:44])[0] >> 3) == 0


def classify(v6, frames6, frames4):
    """(translated, ICMP errors on the near side) of a category sent from
    v6 (v6=True) or from v4. Translated: the far side's frames from the
    translator (first fragments only)."""
    pool = socket.inet_pton(socket.AF_INET6, "64:ff9b::")[:12]
    r6 = socket.inet_pton(socket.AF_INET6, R6)
    r4 = socket.inet_aton(R4)
    x6 = x4 = e6 = e4 = 0
    for f in frames6:
        if f[12:14] != b"\x86\xdd":
            continue
        p = f[14:]
        if p[8:20] == pool and first_fragment6(p):
            x6 += 1
        elif p[8:24] == r6 and p[6] == 58 and p[40] < 128:
            e6 += 1
    for f in frames4:
        if f[12:14] != b"\x08\x00":
            continue
        p = f[14:]
        if p[12:16] != r4:
            continue
        if v6 and struct.unpack("!H", p[6:8])[0] & 0x1FFF == 0:
            x4 += 1
        elif not v6 and p[9] == 1 and p[20] in (3, 11, 12):
            e4 += 1
    return (x4, e6) if v6 else (x6, e4)


# ------------------------------------------------------------- sessions


class Flows:
    """The sessions the malformed packets aim at, made with valid packets:
    UDP [V6]:5000 -> 53, TCP [V6]:5001 -> 80 (established), ICMP echo 77."""

    def __init__(self, w):
        self.w = w
        self.udp = self.tcp = self.icmp = None

    def _learn(self, pkt, off):
        w = self.w
        w.take(w.s4, 0.05)
        w.send(True, pkt)
        for f in w.take(w.s4, 2.0):
            p = f[14:]
            if f[12:14] == b"\x08\x00" and p[12:16] == socket.inet_aton(R4):
                return struct.unpack("!H", p[off:off + 2])[0]
        raise SystemExit("FAIL: session setup: nothing translated for %s" % pkt.summary())

    def setup(self):
        w = self.w
        self.udp = self._learn(IPv6(src=V6, dst=V4_6) / UDP(sport=5000, dport=53) /
                               Raw(b"setup"), 20)
        self.icmp = self._learn(IPv6(src=V6, dst=V4_6) / ICMPv6EchoRequest(id=77, seq=1), 24)
        self.tcp = self._learn(IPv6(src=V6, dst=V4_6) /
                               TCP(sport=5001, dport=80, flags="S", seq=1000), 20)
        w.send(False, IP(src=V4, dst=R4) /
               TCP(sport=80, dport=self.tcp, flags="SA", seq=5000, ack=1001))
        w.send(True, IPv6(src=V6, dst=V4_6) /
               TCP(sport=5001, dport=80, flags="A", seq=1001, ack=5001))
        time.sleep(0.3)
        w.take(w.s4, 0.1)
        w.take(w.s6, 0.1)
        print("sessions: UDP 5000 -> pool4 port %d, TCP 5001 -> %d, ICMP id 77 -> %d" % (
            self.udp, self.tcp, self.icmp), flush=True)

    # valid packets of each session, per direction
    def udp6(self, n=16, **kw):
        return IPv6(src=V6, dst=V4_6, **kw) / UDP(sport=5000, dport=53) / Raw(b"x" * n)

    def tcp6(self, flags="A", n=16, **kw):
        return IPv6(src=V6, dst=V4_6, **kw) / \
            TCP(sport=5001, dport=80, flags=flags, seq=1001, ack=5001) / Raw(b"t" * n)

    def udp4(self, n=16, **kw):
        return IP(src=V4, dst=R4, **kw) / UDP(sport=53, dport=self.udp) / Raw(b"y" * n)

    def tcp4(self, flags="A", n=16, **kw):
        return IP(src=V4, dst=R4, **kw) / \
            TCP(sport=80, dport=self.tcp, flags=flags, seq=5001, ack=1001) / Raw(b"u" * n)


# ------------------------------------------------------------- categories


def cut(pkt, n):
    return bytes(pkt)[:n]


def put16(b, off, v):
    b = bytearray(b)
    b[off:off + 2] = struct.pack("!H", v & 0xFFFF)
    return bytes(b)


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Category:
    def __init__(self, name, v6, packets, reassembled=None, expect=None, linger=0):
        self.name = name
        self.v6 = v6
        self.packets = [bytes(p) for p in packets]
        # IPv6 fragment categories: the packets reassembly must produce.
        self.reassembled = reassembled
        # counters whose delta is known exactly
        self.expect = expect or {}
        # seconds to wait before counting (fragment queues time out)
        self.linger = linger


def frag6(payload, nh, pieces, ident, order=None):
    """IPv6 fragments of @payload (transport header + data) as (offset,
    length) pieces in bytes; order: indices to send."""
    out = []
    total = len(payload)
    for off, length in pieces:
        more = off + length < total
        out.append(IPv6(src=V6, dst=V4_6, nh=44) /
                   IPv6ExtHdrFragment(nh=nh, offset=off // 8, m=int(more), id=ident) /
                   Raw(payload[off:off + length]))
    return [out[i] for i in (order or range(len(out)))]


def frag4(payload, proto, pieces, ident, order=None, df=False):
    out = []
    total = len(payload)
    for off, length in pieces:
        more = off + length < total
        flags = (1 if more else 0) | (2 if df else 0)
        out.append(IP(src=V4, dst=R4, proto=proto, id=ident, flags=flags, frag=off // 8) /
                   Raw(payload[off:off + length]))
    return [out[i] for i in (order or range(len(out)))]


def transport6(layer, data):
    """Bytes of a transport header + data with its checksum for V6 -> V4_6."""
    return bytes(IPv6(src=V6, dst=V4_6) / layer / Raw(data))[40:]


def transport4(layer, data):
    return bytes(IP(src=V4, dst=R4) / layer / Raw(data))[20:]


def categories(f, rng):
    cats = []
    v6ok = f.udp6(100)
    v4ok = f.udp4(100)

    # ---- IPv6 -> IPv4
    cats.append(Category("6: valid UDP/TCP/echo of the sessions (baseline)", True,
                         [f.udp6(n) for n in range(0, 1400, 70)] +
                         [f.tcp6(n=n) for n in (0, 1, 500)] +
                         [IPv6(src=V6, dst=V4_6) / ICMPv6EchoRequest(id=77, seq=s)
                          for s in range(5)]))
    cats.append(Category("6: IPv6 header truncated (0-39 bytes), version not 6", True,
                         [cut(v6ok, n) for n in range(1, 40)] +
                         [bytes([v << 4]) + bytes(v6ok)[1:] for v in (0, 4, 5, 7, 15)]))
    cats.append(Category("6: payload length lies (longer, shorter, 0)", True,
                         [put16(bytes(v6ok), 4, 108 + d) for d in (1, 2, 8, 100, 1000, 65427)] +
                         [put16(bytes(v6ok), 4, n) for n in (0, 1, 7, 8, 9, 50, 107)] +
                         [put16(bytes(f.tcp6(n=40)), 4, n) for n in (0, 10, 19, 20, 21, 59)]))
    cats.append(Category("6: transport truncated, UDP length and TCP offset lie", True,
                         [cut(IPv6(src=V6, dst=V4_6, plen=n) / UDP(sport=5000, dport=53), 40 + n)
                          for n in range(0, 8)] +
                         [cut(IPv6(src=V6, dst=V4_6, plen=n) /
                              TCP(sport=5001, dport=80, flags="A"), 40 + n) for n in range(0, 20)] +
                         [cut(IPv6(src=V6, dst=V4_6, plen=n) / ICMPv6EchoRequest(id=77), 40 + n)
                          for n in range(0, 8)] +
                         [IPv6(src=V6, dst=V4_6) / UDP(sport=5000, dport=53, len=n) / Raw(b"z" * 20)
                          for n in (0, 1, 7, 27, 29, 200, 65535)] +
                         [IPv6(src=V6, dst=V4_6) /
                          TCP(sport=5001, dport=80, flags="A", dataofs=n) / Raw(b"z" * 8)
                          for n in (0, 1, 4, 7, 15)]))
    chains = []
    for n in range(1, 13):   # long chains of Destination Options / Routing
        hdrs = None
        for i in range(n):
            h = IPv6ExtHdrDestOpt() if i % 2 else IPv6ExtHdrRouting(type=0, segleft=0)
            hdrs = h if hdrs is None else hdrs / h
        chains.append(IPv6(src=V6, dst=V4_6) / hdrs / UDP(sport=5000, dport=53) / Raw(b"c"))
    # headers whose next header is themselves until the packet ends
    looping = [IPv6(src=V6, dst=V4_6, nh=60) / Raw((bytes([60, 0]) + bytes(6)) * k)
               for k in (1, 2, 9, 40, 150)]
    chains += looping
    chains += [IPv6(src=V6, dst=V4_6, nh=60) / Raw(bytes([17, ln]) + bytes(6))
               for ln in (1, 2, 30, 255)]   # length runs past the end
    chains += [IPv6(src=V6, dst=V4_6) / IPv6ExtHdrRouting(type=0, segleft=s,
                                                          addresses=["2001:db8::9"]) /
               UDP(sport=5000, dport=53) for s in (1, 2)]   # route in use
    chains += [IPv6(src=V6, dst=V4_6) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() /
               UDP(sport=5000, dport=53),                     # HBH not first
               IPv6(src=V6, dst=V4_6, nh=59) / Raw(b"nothing"),  # No Next Header
               IPv6(src=V6, dst=V4_6) / IPv6ExtHdrHopByHop() / UDP(sport=5000, dport=53)]
    chains += [IPv6(src=V6, dst=V4_6, nh=p) / Raw(b"p" * 16) for p in (0, 2, 41, 47, 50, 51, 132, 255)]
    cats.append(Category("6: extension header chains (long, looping, lying, in use)", True, chains))

    frags, reasm = [], 0
    udp_t = transport6(UDP(sport=5000, dport=53), bytes(range(256)) * 4)   # 1032 bytes
    sets = [
        (frag6(udp_t, 17, [(0, 512), (512, 520)], 0x1001), 1),             # in order
        (frag6(udp_t, 17, [(0, 512), (512, 520)], 0x1002, [1, 0]), 1),     # reversed
        (frag6(udp_t, 17, [(i, 8) for i in range(0, 1032, 8)], 0x1003), 1),  # 129 tiny
        (frag6(udp_t, 17, [(0, 512), (256, 776)], 0x1004), 0),             # overlapping
        (frag6(udp_t, 17, [(0, 512), (504, 528)], 0x1005), 0),             # 8 bytes overlap
        (frag6(udp_t, 17, [(0, 512), (0, 512), (512, 520)], 0x1006), 1),   # duplicate
        (frag6(udp_t, 17, [(0, 1032)], 0x1007), 1),                        # atomic fragment
        (frag6(udp_t, 17, [(0, 512)], 0x1008), 0),                         # last one missing
        (frag6(udp_t, 17, [(512, 520)], 0x1009), 0),                       # first one missing
    ]
    for pkts, n in sets:
        frags += pkts
        reasm += n
    # Incomplete sets time out after 2 s (nf_conntrack_frag6_timeout); the
    # one that had its first fragment gets Time Exceeded (code 1).
    cats.append(Category("6: fragments (tiny, overlapping, duplicate, atomic, incomplete)",
                         True, frags, reassembled=reasm, linger=3,
                         expect={"Ip6ReasmTimeout": 2, "Icmp6OutTimeExcds": 1,
                                 "SUCCESS": reasm}))

    cats.append(Category("6: hop limit 0, 1 (Time Exceeded) and 2", True,
                         [p(hlim=h) for h in (0, 1, 2) for p in (f.udp6, f.tcp6)] +
                         [IPv6(src=V6, dst=V4_6, hlim=h) / ICMPv6EchoRequest(id=77, seq=9)
                          for h in (0, 1, 2)]))
    bad = []
    for c in (0, 1, 0xFFFF, 0x1234):
        bad.append(IPv6(src=V6, dst=V4_6) / UDP(sport=5000, dport=53, chksum=c) / Raw(b"k" * 9))
        bad.append(IPv6(src=V6, dst=V4_6) / TCP(sport=5001, dport=80, flags="A", chksum=c))
        bad.append(IPv6(src=V6, dst=V4_6) / ICMPv6EchoRequest(id=77, cksum=c))
    cats.append(Category("6: zero and wrong checksums", True, bad))
    cats.append(Category("6: minimum and maximum size", True,
                         [IPv6(src=V6, dst=V4_6) / UDP(sport=5000, dport=53),
                          IPv6(src=V6, dst=V4_6) / UDP(sport=5000, dport=53) / Raw(b"m" * 1452),
                          IPv6(src=V6, dst=V4_6) / TCP(sport=5001, dport=80, flags="A") /
                          Raw(b"m" * 1440)]))
    cats.append(Category("6: jumbo payload option on a small packet", True,
                         [IPv6(src=V6, dst=V4_6, plen=0) / IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=j)]) /
                          UDP(sport=5000, dport=53) / Raw(b"j" * 8) for j in (0, 100, 70000)]))

    icmp = []
    for t in range(256):     # every type, code 0, no usable body
        icmp.append(IPv6(src=V6, dst=V4_6) / Raw(bytes([t, 0, 0, 0]) + bytes(4)))
    inner = bytes(IPv6(src=V4_6, dst=V6, hlim=10) / UDP(sport=53, dport=5000) / Raw(b"q" * 8))
    for t in (1, 2, 3, 4):   # the error types, every code, the UDP session quoted
        for code in list(range(0, 16)) + [255]:
            body = struct.pack("!BBHI", t, code, 0, 1280 if t == 2 else 0) + inner
            icmp.append(IPv6(src=V6, dst=V4_6) / Raw(body))
    cats.append(Category("6: every ICMPv6 type; error types with every code", True,
                         [with_icmp6_csum(p) for p in icmp]))
    nested = []
    err = inner
    for depth in range(5):   # an error about the session, then errors about errors
        body = struct.pack("!BBHI", 1, 4, 0, 0) + err
        nested.append(with_icmp6_csum(IPv6(src=V6, dst=V4_6) / Raw(body)))
        err = bytes(IPv6(src=V4_6, dst=V6, hlim=9, nh=58) / Raw(body))[:1232]
    for cutn in (0, 1, 8, 39, 40, 47):   # quoted packet cut short
        body = struct.pack("!BBHI", 1, 4, 0, 0) + inner[:cutn]
        nested.append(with_icmp6_csum(IPv6(src=V6, dst=V4_6) / Raw(body)))
    cats.append(Category("6: ICMPv6 errors inside errors, quoted packets cut", True, nested))
    cats.append(Category("6: random mutations of valid packets", True,
                         mutate6([bytes(f.udp6(40)), bytes(f.tcp6(n=20)),
                                  bytes(IPv6(src=V6, dst=V4_6) / ICMPv6EchoRequest(id=77) / Raw(b"e" * 20))],
                                 rng, 900)))

    # ---- IPv4 -> IPv6
    cats.append(Category("4: valid UDP/TCP/echo reply of the sessions (baseline)", False,
                         [f.udp4(n) for n in range(0, 1400, 70)] +
                         [f.tcp4(n=n) for n in (0, 1, 500)] +
                         [IP(src=V4, dst=R4) / ICMP(type=0, id=f.icmp, seq=s) for s in range(5)]))
    cats.append(Category("4: IPv4 header truncated, IHL < 5, version not 4, bad checksum", False,
                         [cut(v4ok, n) for n in range(1, 20)] +
                         [bytes([0x40 | ihl]) + bytes(v4ok)[1:] for ihl in range(0, 5)] +
                         [bytes([(v << 4) | 5]) + bytes(v4ok)[1:] for v in (0, 6, 15)] +
                         [put16(bytes(v4ok), 10, c) for c in (0, 1, 0xFFFF)]))
    cats.append(Category("4: total length lies, IHL past the end", False,
                         [ip4_len(v4ok, 128 + d) for d in (1, 8, 1000, 65407)] +
                         [ip4_len(v4ok, n) for n in (20, 21, 27, 28, 29, 100)] +
                         [ip4_ihl(v4ok, ihl) for ihl in (6, 15)]))
    opts = [IP(src=V4, dst=R4, options=[IPOption_LSRR(routers=["198.51.100.9"])]) /
            UDP(sport=53, dport=f.udp),                                        # source route
            IP(src=V4, dst=R4, options=[IPOption_LSRR(routers=["198.51.100.9"], pointer=8)]) /
            UDP(sport=53, dport=f.udp)]                                        # used up
    for o in (b"\x44\x00\x00\x00", b"\x07\x01\x00\x00", b"\x83\x28\x04\x00", b"\x01\x01\x01\x01",
              b"\x00\x00\x00\x00", b"\x94\x04\x00\x00"):
        opts.append(ip4_opts(v4ok, o))
    cats.append(Category("4: IPv4 options (source routes, lying lengths)", False, opts))
    cats.append(Category("4: transport truncated, UDP length and TCP offset lie", False,
                         [cut(IP(src=V4, dst=R4, len=20 + n) / UDP(sport=53, dport=f.udp), 20 + n)
                          for n in range(0, 8)] +
                         [cut(IP(src=V4, dst=R4, len=20 + n) /
                              TCP(sport=80, dport=f.tcp, flags="A"), 20 + n) for n in range(0, 20)] +
                         [cut(IP(src=V4, dst=R4, len=20 + n) / ICMP(type=0, id=f.icmp), 20 + n)
                          for n in range(0, 8)] +
                         [IP(src=V4, dst=R4) / UDP(sport=53, dport=f.udp, len=n) / Raw(b"z" * 20)
                          for n in (0, 1, 7, 27, 29, 200, 65535)] +
                         [IP(src=V4, dst=R4) / TCP(sport=80, dport=f.tcp, flags="A", dataofs=n) /
                          Raw(b"z" * 8) for n in (0, 1, 4, 7, 15)]))
    udp4_t = transport4(UDP(sport=53, dport=f.udp), bytes(range(256)) * 4)
    sets4 = [
        frag4(udp4_t, 17, [(0, 512), (512, 520)], 0x2001),
        frag4(udp4_t, 17, [(0, 512), (512, 520)], 0x2002, [1, 0]),
        frag4(udp4_t, 17, [(i, 8) for i in range(0, 1032, 8)], 0x2003),
        frag4(udp4_t, 17, [(0, 512), (256, 776)], 0x2004),
        frag4(udp4_t, 17, [(0, 512), (504, 528)], 0x2005),
        frag4(udp4_t, 17, [(0, 512), (0, 512), (512, 520)], 0x2006),
        frag4(udp4_t, 17, [(0, 512)], 0x2008),
        frag4(udp4_t, 17, [(512, 520)], 0x2009),
        frag4(transport4(UDP(sport=53, dport=f.udp, chksum=0), b"0" * 600), 17,
              [(0, 304), (304, 304)], 0x200A),
        frag4(udp4_t, 17, [(0, 512), (512, 520)], 0x200B, df=True),
    ]
    cats.append(Category("4: fragments (tiny, overlapping, duplicate, incomplete, zero UDP checksum)",
                         False, [p for s in sets4 for p in s], linger=3,
                         expect={"IpReasmReqds": 146, "IpReasmOKs": 6, "IpExtReasmOverlaps": 2,
                                 "IpReasmTimeout": 2, "IcmpOutTimeExcds": 1, "SUCCESS": 6}))
    cats.append(Category("4: TTL 0, 1 (Time Exceeded) and 2", False,
                         [p(ttl=t) for t in (0, 1, 2) for p in (f.udp4, f.tcp4)] +
                         [IP(src=V4, dst=R4, ttl=t) / ICMP(type=0, id=f.icmp) for t in (0, 1, 2)]))
    bad = []
    for c in (0, 1, 0xFFFF, 0x1234):
        bad.append(IP(src=V4, dst=R4) / UDP(sport=53, dport=f.udp, chksum=c) / Raw(b"k" * 9))
        bad.append(IP(src=V4, dst=R4) / TCP(sport=80, dport=f.tcp, flags="A", chksum=c))
        bad.append(IP(src=V4, dst=R4) / ICMP(type=0, id=f.icmp, chksum=c))
    cats.append(Category("4: zero and wrong checksums", False, bad))
    cats.append(Category("4: minimum and maximum size (with and without DF)", False,
                         [IP(src=V4, dst=R4) / UDP(sport=53, dport=f.udp),
                          IP(src=V4, dst=R4, flags="DF") / UDP(sport=53, dport=f.udp) / Raw(b"m" * 1472),
                          IP(src=V4, dst=R4) / UDP(sport=53, dport=f.udp) / Raw(b"m" * 1472),
                          IP(src=V4, dst=R4, flags="DF") / UDP(sport=53, dport=f.udp) / Raw(b"m" * 1440)]))
    icmp = []
    for t in range(256):
        icmp.append(IP(src=V4, dst=R4) / ICMP(type=t, code=0))
    inner4 = bytes(IP(src=R4, dst=V4, ttl=10) / UDP(sport=f.udp, dport=53) / Raw(b"q" * 8))
    for t in (3, 4, 5, 11, 12):
        for code in list(range(0, 16)) + [255]:
            icmp.append(IP(src=V4, dst=R4) / ICMP(type=t, code=code) / Raw(inner4))
    cats.append(Category("4: every ICMP type; error types with every code", False, icmp))
    nested = []
    err = inner4
    for depth in range(1, 6):
        nested.append(IP(src=V4, dst=R4) / ICMP(type=3, code=3) / Raw(err))
        err = bytes(IP(src=R4, dst=V4, ttl=9) / ICMP(type=3, code=3) / Raw(err))[:576]
    for cutn in (0, 1, 8, 19, 20, 27):
        nested.append(IP(src=V4, dst=R4) / ICMP(type=3, code=3) / Raw(inner4[:cutn]))
    cats.append(Category("4: ICMP errors inside errors, quoted packets cut", False, nested))
    unknown = []
    for port in (1, 53, 1000, 61000, 61001, 62000, 65535):
        unknown.append(IP(src=V4, dst=R4) / UDP(sport=53, dport=port) / Raw(b"?"))
        unknown.append(IP(src=V4, dst=R4) / TCP(sport=80, dport=port, flags="A"))
    unknown.append(IP(src=V4, dst=R4) / ICMP(type=8, id=4321))
    cats.append(Category("4: unknown ports and identifiers (not ours)", False,
                         [p for p in unknown if not (p.haslayer(UDP) and p[UDP].dport == f.udp) and
                          not (p.haslayer(TCP) and p[TCP].dport == f.tcp)]))
    cats.append(Category("4: random mutations of valid packets", False,
                         mutate4([bytes(f.udp4(40)), bytes(f.tcp4(n=20)),
                                  bytes(IP(src=V4, dst=R4) / ICMP(type=0, id=f.icmp) / Raw(b"e" * 20))],
                                 rng, 900)))
    # and the sessions still work both ways
    cats.append(Category("6: valid packets after all that", True, cats[0].packets))
    cats.append(Category("4: valid packets after all that", False,
                         next(c for c in cats if c.name.startswith("4: valid")).packets))
    return cats


def with_icmp6_csum(pkt):
    """An IPv6 packet whose payload is a raw ICMPv6 message (next header
    58) with its checksum computed."""
    raw = bytearray(bytes(pkt))
    raw[6] = 58
    body = bytes(raw[40:])
    if len(body) >= 4:
        body = body[:2] + b"\0\0" + body[4:]
        pseudo = raw[8:40] + struct.pack("!IxxxB", len(body), 58)
        c = csum16(bytes(pseudo) + body)
        raw[42:44] = struct.pack("!H", c)
    return bytes(raw)


def ip4_fix(b):
    b = bytearray(b)
    ihl = (b[0] & 15) * 4
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", csum16(bytes(b[:max(ihl, 20)])))
    return bytes(b)


def ip4_len(pkt, n):
    return ip4_fix(put16(bytes(pkt), 2, n))


def ip4_ihl(pkt, ihl):
    b = bytearray(bytes(pkt))
    b[0] = 0x40 | ihl
    return ip4_fix(bytes(b))


def ip4_opts(pkt, opt):
    b = bytes(pkt)
    out = bytearray(b[:20] + opt + b[20:])
    out[0] = 0x40 | (5 + len(opt) // 4)
    out[2:4] = struct.pack("!H", len(out))
    return ip4_fix(bytes(out))


def mutate(bases, rng, n, keep):
    """n packets: a base with 1-4 random bytes changed outside @keep
    (the addresses: a translated packet must reach the far side)."""
    out = []
    for i in range(n):
        b = bytearray(bases[i % len(bases)])
        for _ in range(rng.randint(1, 4)):
            off = rng.randrange(len(b))
            while off in keep:
                off = rng.randrange(len(b))
            b[off] = rng.randrange(256)
        out.append(bytes(b))
    return out


def has_frag6(b):
    """Would the IPv6 reassembly take this packet (a Fragment Header in
    the chain of extension headers)? Errs on the side of yes."""
    if len(b) < 40:
        return False
    nh, off = b[6], 40
    while nh in (0, 43, 44, 51, 60):
        if nh == 44:
            return True
        if off + 2 > len(b):
            return False
        nh, off = b[off], off + ((b[off + 1] + 2) * 4 if nh == 51 else (b[off + 1] + 1) * 8)
    return False


def mutate6(bases, rng, n):
    """Mutations that the IPv6 reassembly leaves alone: it has no counters,
    so packets it may hold belong to the fragment category only."""
    out = []
    while len(out) < n:
        out += [p for p in mutate(bases, rng, n - len(out), set(range(8, 40)))
                if not has_frag6(p)]
    return out


def mutate4(bases, rng, n):
    # addresses, and the header checksum is recomputed half of the time
    out = mutate(bases, rng, n, set(range(12, 20)))
    return [ip4_fix(p) if i % 2 else p for i, p in enumerate(out)]


# ------------------------------------------------------------- accounting


KERNEL6 = ("Ip6InHdrErrors", "Ip6InTruncatedPkts", "Ip6InDiscards", "Ip6InAddrErrors")
KERNEL4 = ("IpInHdrErrors", "IpExtInTruncatedPkts", "IpInDiscards")
ICMP6_ERRORS = ("Icmp6OutDestUnreachs", "Icmp6OutPktTooBigs", "Icmp6OutTimeExcds",
                "Icmp6OutParmProblems")
ICMP4_ERRORS = ("IcmpOutDestUnreachs", "IcmpOutTimeExcds", "IcmpOutParmProbs")


def account(c, d, got, sock_drops):
    """The equations of the docstring for category c with counter deltas
    d; returns (failures, summary line)."""
    n = len(c.packets)
    fam = "6" if c.v6 else "4"
    translated, errors = got
    problems = []

    def need(what, a, b):
        if a != b:
            problems.append("%s: %d != %d" % (what, a, b))

    inrecv = d.get("Ip6InReceives" if c.v6 else "IpInReceives", 0)
    kernel = sum(d.get(k, 0) for k in (KERNEL6 if c.v6 else KERNEL4))
    hooked = d.get("pre6" if c.v6 else "pre4", 0)
    if c.v6:
        defrag = n - kernel - hooked
    else:
        defrag = d.get("IpReasmReqds", 0) - d.get("IpReasmOKs", 0)
    received = d.get("RECEIVED" + fam, 0)
    drops = {k: v for k, v in d.items() if k.startswith(DROP_PREFIX)}
    ndrops = sum(drops.values())
    success = d.get("SUCCESS", 0)
    passed = d.get("NOT_OURS" + fam, 0) + d.get("DISABLED", 0)
    held = d.get("SO_STORED", 0)
    icmp_out = sum(d.get(k, 0) for k in (ICMP6_ERRORS if c.v6 else ICMP4_ERRORS))

    noise = d.get("noise6" if c.v6 else "noise4", 0)
    need("frames reached IP (InReceives) = sent + stray", inrecv, n + noise)
    for k, v in c.expect.items():
        need("%s delta" % k, d.get(k, 0), v)
    need("sent = kernel + defrag + hooked", n, kernel + defrag + hooked)
    if c.v6 and c.reassembled is not None:
        need("reassembled IPv6 packets reached the hook", hooked, c.reassembled)
    elif c.v6:
        need("nothing held by IPv6 reassembly", defrag, 0)
    need("hooked = RECEIVED" + fam, hooked, received)
    need("RECEIVED = SUCCESS + drops + passed on + held", received,
         success + ndrops + passed + held)
    need("SUCCESS = translated packets captured", success, translated)
    need("passed on = nft sink", passed, d.get("sink" + fam, 0))
    need("ICMP errors captured = ICMP errors r sent", errors, icmp_out)
    need("packet socket drops", sock_drops, 0)
    parts = ["sent %d" % n, "kernel %d" % kernel] + (["stray %d" % noise] if noise else [])
    if defrag:
        parts.append("defrag %d" % defrag)
    parts += ["hooked %d" % hooked, "translated %d" % success]
    parts += ["%s %d" % (k, v) for k, v in sorted(drops.items())]
    if passed:
        parts.append("passed-on %d" % passed)
    if held:
        parts.append("held %d" % held)
    if errors:
        parts.append("icmp-errors %d" % errors)
    kinfo = ["%s %d" % (k, d[k]) for k in sorted(d) if k.startswith(("Ip", "Icmp")) and
             not k.endswith(("InReceives", "OutRequests", "InOctets", "OutOctets", "InNoECTPkts",
                             "OutTransmits", "InMsgs", "OutMsgs")) and
             not k.startswith(("Ip6InOctets", "Ip6OutOctets", "Ip6OutRequests", "Icmp6OutType",
                               "Icmp6InType", "IcmpMsg", "Ip6OutNoRoutes"))]
    line = "%s: %s (%.1f s)" % (c.name, ", ".join(parts), d["seconds"])
    if kinfo:
        line += "\n    kernel counters: " + ", ".join(kinfo)
    return problems, line


def settle(before_in, key, want, timeout=5.0):
    """Wait until r's InReceives counter has seen every frame."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if snmp().get(key, 0) - before_in >= want:
            return
        time.sleep(0.05)


def main():
    rng = random.Random(SEED)
    w = Wire()
    f = Flows(w)
    f.setup()
    xlat_tool.enter("r")
    t0 = time.monotonic()
    cats = categories(f, rng)
    total = sum(len(c.packets) for c in cats)
    print("built %d packets in %d categories (%.1f s)" % (total, len(cats), time.monotonic() - t0),
          flush=True)
    failures = 0
    totals = {}
    before = Snapshot()
    for c in cats:
        w.take(w.s6, 0.05)
        w.take(w.s4, 0.05)
        w.socket_drops()
        t1 = time.monotonic()
        for p in c.packets:
            w.send(c.v6, p)
        key = "Ip6InReceives" if c.v6 else "IpInReceives"
        settle(before.snmp.get(key, 0), key, len(c.packets))
        time.sleep(c.linger)
        got = classify(c.v6, w.take(w.s6, 0.25), w.take(w.s4, 0.25))
        drops = w.socket_drops()
        after = Snapshot()
        d = after.delta(before)
        d["seconds"] = time.monotonic() - t1
        problems, line = account(c, d, got, drops)
        print(line, flush=True)
        for p in problems:
            print("FAIL: %s: %s" % (c.name, p), flush=True)
        if not problems:
            print("ok: %s: every packet accounted for" % c.name, flush=True)
        failures += len(problems)
        for k, v in d.items():
            totals[k] = totals.get(k, 0) + v
        totals["sent" + ("6" if c.v6 else "4")] = totals.get("sent" + ("6" if c.v6 else "4"), 0) + \
            len(c.packets)
        before = after
    print("TOTAL: " + ", ".join("%s %d" % (k, totals[k]) for k in sorted(totals)
                                if k.startswith(("sent", "RECEIVED", "SUCCESS", "DROP_", "NOT_OURS",
                                                 "SO_", "pre", "sink", "IpReasm", "IpExtReasm")) or
                                k in KERNEL4 + KERNEL6), flush=True)
    print("RESULT failures=%d packets=%d" % (failures, total), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
