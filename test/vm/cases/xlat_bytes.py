"""Case 63: crafted packets through the translator, byte by byte.

Topology of 63-bytes.sh: v6 (2001:db8::2) -- r -- v4 (192.0.2.2), fixed MAC
addresses, static neighbours on r, and both endpoint stacks silenced by
raw-table DROP rules (packet sockets still see every frame). Frames are
injected on one endpoint's veth and read on the other's with AF_PACKET
sockets. Every expected packet is built here with scapy from the RFC 7915
rules (scapy computes every checksum from scratch); only what the
translator chooses freely is taken from the packet that arrived: the pool4
port or ICMP identifier of the binding (checked against its range and
reused consistently afterwards) and the IPv4 Identification of packets
without DF (RFC 6864).
"""
import logging
import socket
import struct
import subprocess
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_LSRR  # noqa: E402
from scapy.layers.inet6 import (
    ICMPv6DestUnreach,
    ICMPv6EchoReply,
    ICMPv6EchoRequest,
    ICMPv6PacketTooBig,
    ICMPv6ParamProblem,
    ICMPv6TimeExceeded,
    IPv6,
    IPv6ExtHdrFragment,
    IPv6ExtHdrRouting,
)
from scapy.packet import Raw

import xlat_tool

V6, R6, POOL6 = "2001:db8::2", "2001:db8::1", "64:ff9b::"
V4, R4 = "192.0.2.2", "192.0.2.1"
V4_6 = POOL6 + "c000:202"  # V4 as the IPv6 side sees it
MAC = {
    "v6": "02:00:00:00:06:02",
    "r6": "02:00:00:00:06:01",
    "r4": "02:00:00:00:04:01",
    "v4": "02:00:00:00:04:02",
}
POOL4_PORTS = range(61001, 65536)


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


class Wire:
    """Packet sockets on both endpoints' veths."""

    def __init__(self):
        for dev in ("to_v6", "to_v4"):
            xlat_tool.tx_csum_off("r", dev)
        self.s6 = xlat_tool.packet_socket("v6", "to_r")
        self.s4 = xlat_tool.packet_socket("v4", "to_r")
        self.failures = 0

    def send6(self, pkt):
        xlat_tool.drain(self.s4)
        xlat_tool.drain(self.s6)
        self.s6.send(mac(MAC["r6"]) + mac(MAC["v6"]) + b"\x86\xdd" + bytes(pkt))

    def send4(self, pkt):
        xlat_tool.drain(self.s4)
        xlat_tool.drain(self.s6)
        self.s4.send(mac(MAC["r4"]) + mac(MAC["v4"]) + b"\x08\x00" + bytes(pkt))

    @staticmethod
    def _collect(sock, ethertype, want, count, seconds):
        got = []
        end = time.monotonic() + seconds
        while len(got) < count and time.monotonic() < end:
            for f in xlat_tool.frames(sock, min(0.2, max(end - time.monotonic(), 0.01))):
                if f[12:14] == ethertype and want(f[14:]):
                    got.append(f[14:])
        return got

    def recv4(self, count=1, seconds=3):
        """IPv4 packets from the translator to v4."""
        src = socket.inet_aton(R4)
        return self._collect(self.s4, b"\x08\x00", lambda p: p[12:16] == src, count, seconds)

    def recv6(self, count=1, seconds=3):
        """IPv6 packets from the translator to v6 (translated, or its own
        ICMPv6 errors; neighbour discovery and MLD left out)."""
        pool = socket.inet_pton(socket.AF_INET6, POOL6)[:12]
        r6 = socket.inet_pton(socket.AF_INET6, R6)

        def want(p):
            return p[8:20] == pool or (p[8:24] == r6 and p[6] == 58 and p[40] < 128)

        return self._collect(self.s6, b"\x86\xdd", want, count, seconds)

    # ---- verdicts

    def ok(self, what):
        print("ok: %s" % what, flush=True)

    def fail(self, what, detail=""):
        self.failures += 1
        print("FAIL: %s%s" % (what, "\n" + detail if detail else ""), flush=True)

    def expect(self, what, got, exp):
        exp = bytes(exp)
        if got == exp:
            self.ok("%s (%d bytes exact)" % (what, len(got)))
        else:
            self.fail(what, diff(got, exp))

    def expect_true(self, what, cond, detail=""):
        if cond:
            self.ok(what)
        else:
            self.fail(what, detail)


def parse(b):
    if not b:
        return None
    return IP(b) if b[0] >> 4 == 4 else IPv6(b)


def diff(got, exp):
    """Field-by-field differences (scapy's dissection of both), then hex."""
    lines = []
    if got is None:
        return "nothing (or more than one packet) arrived; expected:\n" + hexdump(exp)
    try:
        lines += fields_diff(got, exp)
    except Exception as e:  # a dissection problem must not hide the bytes
        lines.append("  (no field diff: %r)" % e)
    off = next((i for i in range(min(len(got), len(exp))) if got[i] != exp[i]),
               min(len(got), len(exp)))
    lines.append("  first difference at byte %d (got %d bytes, expected %d)" % (
        off, len(got), len(exp)))
    lines.append("got:\n" + hexdump(got) + "\nexpected:\n" + hexdump(exp))
    return "\n".join(lines)


def fields_diff(got, exp):
    lines = []
    g, e = parse(got), parse(exp)
    lg, le = g, e
    while lg is not None and le is not None and lg.name == le.name:
        for f in le.fields_desc:
            a, b = lg.getfieldval(f.name), le.getfieldval(f.name)
            if a != b and not isinstance(lg, Raw):
                lines.append("  %s.%s: got %r, expected %r" % (le.name, f.name, a, b))
        if isinstance(lg, Raw) and lg.load != le.load:
            lines.append("  payload differs")
        lg = lg.payload if lg.payload else None
        le = le.payload if le.payload else None
    if (lg is None) != (le is None) or (lg is not None and lg.name != le.name):
        lines.append("  layers differ: got %s, expected %s" % (g.summary(), e.summary()))
    return lines


def hexdump(b):
    return "\n".join("  %04x  %s" % (i, b[i:i + 16].hex(" ")) for i in range(0, len(b), 16))


def one(pkts):
    return pkts[0] if len(pkts) == 1 else None


def flow_label(p):
    return struct.unpack("!I", p[:4])[0] & 0xFFFFF if p else 0


def ip4_id(p):
    return struct.unpack("!H", p[4:6])[0] if p else 0


PAY = bytes(range(256)) * 16


def extension(objects):
    """An RFC 4884 extension structure: version 2 header with its
    checksum, then the objects."""
    ext = b"\x20\x00\x00\x00" + objects
    total = sum(struct.unpack("!%dH" % (len(ext) // 2), ext))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ext[:2] + struct.pack("!H", ~total & 0xFFFF) + ext[4:]


# ---------------------------------------------------------------- the cases


class Cases:
    def __init__(self, w):
        self.w = w
        self.udp_port = None  # the binding of [V6]:5000 (UDP)
        self.first4 = None  # the IPv4 packet of the first case, as sent

    def udp_6to4(self):
        """§5.1: TOS = traffic class, TTL = hop limit - 1, flow label gone,
        DF clear at 1260 bytes or less (an Identification is set), the UDP
        checksum adjusted for the new pseudo-header."""
        w = self.w
        w.send6(IPv6(src=V6, dst=V4_6, tc=0xB8, fl=0x12345, hlim=64) /
                UDP(sport=5000, dport=7000) / Raw(PAY[:100]))
        got = one(w.recv4())
        if not got:
            return w.fail("6->4 UDP: one IPv4 packet arrives", "got nothing or several")
        self.udp_port = struct.unpack("!H", got[20:22])[0]
        w.expect_true("6->4 UDP: source port %d from pool4 (61001-65535)" % self.udp_port,
                      self.udp_port in POOL4_PORTS)
        w.expect("6->4 UDP, TC 0xb8, hop limit 64, 128 bytes: TOS 0xb8, TTL 63, DF clear",
                 got, IP(src=R4, dst=V4, tos=0xB8, ttl=63, id=ip4_id(got), flags=0) /
                 UDP(sport=self.udp_port, dport=7000) / Raw(PAY[:100]))
        self.first4 = got

    def udp_6to4_df(self):
        """§5.1: larger than 1260 bytes once translated: DF set, id 0."""
        w = self.w
        for size, df in ((1232, False), (1233, True)):
            w.send6(IPv6(src=V6, dst=V4_6, hlim=64) / UDP(sport=5000, dport=7000) /
                    Raw(PAY[:size]))
            got = one(w.recv4())
            exp = IP(src=R4, dst=V4, ttl=63, id=0 if df else ip4_id(got),
                     flags="DF" if df else 0) / UDP(sport=self.udp_port, dport=7000) / \
                Raw(PAY[:size])
            w.expect("6->4 UDP of %d bytes in IPv4: DF %s%s" % (
                20 + 8 + size, "set, Identification 0" if df else "clear",
                "" if df else " (same binding)"), got, exp)

    def udp_4to6(self):
        """§4.1: traffic class = TOS, flow label 0, hop limit = TTL - 1, no
        Fragment Header for an unfragmented packet (DF or not)."""
        w = self.w
        for flags in ("DF", 0):
            w.send4(IP(src=V4, dst=R4, tos=0x28, ttl=50, id=0xABCD, flags=flags) /
                    UDP(sport=7000, dport=self.udp_port) / Raw(PAY[:200]))
            w.expect("4->6 UDP, TOS 0x28, TTL 50, DF %s: TC 0x28, hop limit 49, no Fragment Header"
                     % ("set" if flags else "clear"), one(w.recv6()),
                     IPv6(src=V4_6, dst=V6, tc=0x28, fl=0, hlim=49) /
                     UDP(sport=7000, dport=5000) / Raw(PAY[:200]))

    def udp_zero_csum(self):
        """§4.5: IPv4 UDP without checksum gets one computed."""
        w = self.w
        w.send4(IP(src=V4, dst=R4, ttl=64) /
                UDP(sport=7000, dport=self.udp_port, chksum=0) / Raw(PAY[:77]))
        w.expect("4->6 UDP with checksum 0: the IPv6 packet has a computed checksum",
                 one(w.recv6()),
                 IPv6(src=V4_6, dst=V6, hlim=63) / UDP(sport=7000, dport=5000) / Raw(PAY[:77]))

    def tcp(self):
        """TCP both ways: ports, checksums, options untouched."""
        w = self.w
        opts = [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
                ("WScale", 7)]
        w.send6(IPv6(src=V6, dst=V4_6, hlim=64) /
                TCP(sport=5001, dport=80, seq=1000, flags="S", window=64800, options=opts))
        got = one(w.recv4())
        port = struct.unpack("!H", got[20:22])[0] if got else 0
        w.expect_true("6->4 TCP SYN: source port %d from pool4" % port, port in POOL4_PORTS)
        w.expect("6->4 TCP SYN with options", got,
                 IP(src=R4, dst=V4, ttl=63, id=ip4_id(got), flags=0) /
                 TCP(sport=port, dport=80, seq=1000, flags="S", window=64800, options=opts))
        w.send4(IP(src=V4, dst=R4, ttl=64, flags="DF") /
                TCP(sport=80, dport=port, seq=5000, ack=1001, flags="SA", window=65160,
                    options=opts))
        w.expect("4->6 TCP SYN/ACK with options", one(w.recv6()),
                 IPv6(src=V4_6, dst=V6, hlim=63) /
                 TCP(sport=80, dport=5001, seq=5000, ack=1001, flags="SA", window=65160,
                     options=opts))

    def echo(self):
        """§4.2 / §5.2: Echo Request 128 -> 8, Reply 0 -> 129, identifier
        mapped, checksums with and without the pseudo-header."""
        w = self.w
        w.send6(IPv6(src=V6, dst=V4_6, hlim=64) /
                ICMPv6EchoRequest(id=0x4242, seq=7, data=PAY[:56]))
        got = one(w.recv4())
        ident = struct.unpack("!H", got[24:26])[0] if got else 0
        w.expect("6->4 Echo Request (identifier %d)" % ident, got,
                 IP(src=R4, dst=V4, ttl=63, id=ip4_id(got), flags=0) /
                 ICMP(type=8, id=ident, seq=7) / Raw(PAY[:56]))
        w.send4(IP(src=V4, dst=R4, ttl=64) / ICMP(type=0, id=ident, seq=7) / Raw(PAY[:56]))
        w.expect("4->6 Echo Reply: identifier 0x4242 again", one(w.recv6()),
                 IPv6(src=V4_6, dst=V6, hlim=63) /
                 ICMPv6EchoReply(id=0x4242, seq=7, data=PAY[:56]))

    def inner6(self, hlim=63, tc=0xB8):
        """The packet of udp_6to4() as its sender sent it, with the TTL and
        TOS it had in IPv4 (a quoted packet keeps its hop limit)."""
        return IPv6(src=V6, dst=V4_6, tc=tc, fl=0, hlim=hlim) / \
            UDP(sport=5000, dport=7000) / Raw(PAY[:100])

    def icmp_errors_4to6(self):
        """§4.2-4.3: ICMPv4 errors quoting the packet of udp_6to4(): type,
        code and MTU mapped, the quoted packet translated back (addresses,
        ports, inner checksum), the outer source the error's sender."""
        w = self.w
        if not self.first4:
            return w.fail("4->6 ICMP errors: no quoted packet (6->4 UDP failed)")
        cases = (
            ("Port Unreachable (3/3) -> Destination Unreachable 1/4",
             ICMP(type=3, code=3), ICMPv6DestUnreach(code=4)),
            ("Host Unreachable (3/1) -> Destination Unreachable 1/0",
             ICMP(type=3, code=1), ICMPv6DestUnreach(code=0)),
            ("Admin Prohibited (3/13) -> Destination Unreachable 1/1",
             ICMP(type=3, code=13), ICMPv6DestUnreach(code=1)),
            ("Protocol Unreachable (3/2) -> Parameter Problem 4/1 pointer 6",
             ICMP(type=3, code=2), ICMPv6ParamProblem(code=1, ptr=6)),
            ("Time Exceeded (11/0) -> Time Exceeded 3/0",
             ICMP(type=11, code=0), ICMPv6TimeExceeded(code=0)),
            ("Fragmentation Needed MTU 1400 -> Packet Too Big MTU 1420",
             ICMP(type=3, code=4, nexthopmtu=1400), ICMPv6PacketTooBig(mtu=1420)),
            ("Fragmentation Needed MTU 1000 -> Packet Too Big MTU 1280 (IPv6 minimum)",
             ICMP(type=3, code=4, nexthopmtu=1000), ICMPv6PacketTooBig(mtu=1280)),
            ("Fragmentation Needed MTU 0 -> plateau below 128 (68) -> Packet Too Big 1280",
             ICMP(type=3, code=4, nexthopmtu=0), ICMPv6PacketTooBig(mtu=1280)),
            ("Parameter Problem pointer 8 (TTL) -> Parameter Problem 4/0 pointer 7",
             ICMP(type=12, code=0, ptr=8), ICMPv6ParamProblem(code=0, ptr=7)),
        )
        for what, icmp4, icmp6 in cases:
            w.send4(IP(src=V4, dst=R4, ttl=64, tos=0x10) / icmp4 / Raw(self.first4))
            w.expect("4->6 " + what, one(w.recv6()),
                     IPv6(src=V4_6, dst=V6, tc=0x10, hlim=63) / icmp6 / Raw(bytes(self.inner6())))
        # RFC 4884: quote padded to 128 bytes (length 32 words), then an
        # extension structure (version 2, one MPLS label stack object); in
        # ICMPv6 the quote is 148 bytes, padded to 152 (length 19 words),
        # and the extension follows unchanged.
        ext = extension(b"\x00\x08\x01\x01\x00\x01\x41\xff")
        w.send4(IP(src=V4, dst=R4, ttl=64) / ICMP(type=11, code=0, length=32) /
                Raw(self.first4.ljust(128, b"\0") + ext))
        w.expect("4->6 Time Exceeded with an RFC 4884 extension: length 32 -> 19 words, "
                 "extension kept", one(w.recv6()),
                 IPv6(src=V4_6, dst=V6, hlim=63) / ICMPv6TimeExceeded(code=0, length=19) /
                 Raw(bytes(self.inner6()).ljust(152, b"\0") + ext))
        # Cut quoted packet: what is there is translated, the rest stays cut.
        w.send4(IP(src=V4, dst=R4, ttl=64) / ICMP(type=3, code=3) / Raw(self.first4[:40]))
        inner = bytes(self.inner6())[:40 + 20]
        w.expect("4->6 error quoting 20 bytes of transport: inner packet translated as far as it goes",
                 one(w.recv6()), IPv6(src=V4_6, dst=V6, hlim=63) /
                 ICMPv6DestUnreach(code=4) / Raw(inner))

    def icmp_errors_6to4(self):
        """§5.2-5.3: ICMPv6 errors about a packet we sent to IPv6 (that of
        udp_4to6()): the outer source is the binding's IPv4 address (RFC
        6146 §3.5); the quoted packet loses its Identification (unknown)."""
        w = self.w
        quoted = bytes(IPv6(src=V4_6, dst=V6, tc=0x28, hlim=49) /
                       UDP(sport=7000, dport=5000) / Raw(PAY[:200]))
        inner4 = IP(src=V4, dst=R4, tos=0x28, ttl=49, id=0, flags=0) / \
            UDP(sport=7000, dport=self.udp_port) / Raw(PAY[:200])
        cases = (
            ("Port Unreachable 1/4 -> 3/3", ICMPv6DestUnreach(code=4), ICMP(type=3, code=3)),
            ("No Route 1/0 -> Host Unreachable 3/1", ICMPv6DestUnreach(code=0),
             ICMP(type=3, code=1)),
            ("Admin Prohibited 1/1 -> 3/10", ICMPv6DestUnreach(code=1), ICMP(type=3, code=10)),
            ("Time Exceeded 3/1 -> 11/1", ICMPv6TimeExceeded(code=1), ICMP(type=11, code=1)),
            ("Packet Too Big 1300 -> Fragmentation Needed 1280",
             ICMPv6PacketTooBig(mtu=1300), ICMP(type=3, code=4, nexthopmtu=1280)),
            ("Parameter Problem 4/0 pointer 24 -> 12/0 pointer 16",
             ICMPv6ParamProblem(code=0, ptr=24), ICMP(type=12, code=0, ptr=16)),
            ("Unknown Next Header 4/1 -> Protocol Unreachable 3/2",
             ICMPv6ParamProblem(code=1, ptr=6), ICMP(type=3, code=2)),
        )
        for what, icmp6, icmp4 in cases:
            w.send6(IPv6(src=V6, dst=V4_6, hlim=64, tc=0x20) / icmp6 / Raw(quoted))
            got = one(w.recv4())
            w.expect("6->4 " + what, got,
                     IP(src=R4, dst=V4, tos=0x20, ttl=63, id=ip4_id(got), flags=0) /
                     icmp4 / Raw(bytes(inner4)))
        # RFC 4884 the other way: 248 bytes padded to 256 (32 64-bit words),
        # then 228 bytes of IPv4 quote, 57 32-bit words.
        ext = extension(b"\x00\x04\x02\x01")
        w.send6(IPv6(src=V6, dst=V4_6, hlim=64) / ICMPv6DestUnreach(code=4, length=32) /
                Raw(quoted.ljust(256, b"\0") + ext))
        got = one(w.recv4())
        w.expect("6->4 Port Unreachable with an RFC 4884 extension: length 32 -> 57 words, "
                 "extension kept", got,
                 IP(src=R4, dst=V4, ttl=63, id=ip4_id(got), flags=0) /
                 ICMP(type=3, code=3, length=57) / Raw(bytes(inner4) + ext))

    def mtu_caps(self):
        """§4.2 / §5.2: the translated MTU is also capped by the
        translator's own next hops: Packet Too Big = min(MTU + 20, IPv6
        link MTU, IPv4 link MTU + 20); Fragmentation Needed = min(MTU - 20,
        IPv4 link MTU, IPv6 link MTU - 20)."""
        w = self.w
        if not self.first4:
            return w.fail("MTU caps: no quoted packet (6->4 UDP failed)")
        quoted = bytes(IPv6(src=V4_6, dst=V6, tc=0x28, hlim=49) /
                       UDP(sport=7000, dport=5000) / Raw(PAY[:200]))
        inner4 = IP(src=V4, dst=R4, tos=0x28, ttl=49, id=0, flags=0) / \
            UDP(sport=7000, dport=self.udp_port) / Raw(PAY[:200])
        try:
            for v6mtu, v4mtu, ptb, fneed in ((1400, 1500, 1400, 1380), (1500, 1300, 1320, 1300)):
                link_mtu("to_v6", v6mtu)
                link_mtu("to_v4", v4mtu)
                w.send4(IP(src=V4, dst=R4, ttl=64) / ICMP(type=3, code=4, nexthopmtu=1480) /
                        Raw(self.first4))
                w.expect("4->6 Fragmentation Needed 1480, translator links %d (IPv6) / %d "
                         "(IPv4): Packet Too Big %d" % (v6mtu, v4mtu, ptb), one(w.recv6()),
                         IPv6(src=V4_6, dst=V6, hlim=63) / ICMPv6PacketTooBig(mtu=ptb) /
                         Raw(bytes(self.inner6())))
                w.send6(IPv6(src=V6, dst=V4_6, hlim=64) / ICMPv6PacketTooBig(mtu=1500) /
                        Raw(quoted))
                got = one(w.recv4())
                w.expect("6->4 Packet Too Big 1500, translator links %d (IPv6) / %d (IPv4): "
                         "Fragmentation Needed %d" % (v6mtu, v4mtu, fneed), got,
                         IP(src=R4, dst=V4, ttl=63, id=ip4_id(got), flags=0) /
                         ICMP(type=3, code=4, nexthopmtu=fneed) / Raw(bytes(inner4)))
        finally:
            link_mtu("to_v6", 1500)
            link_mtu("to_v4", 1500)

    def hop_limit(self):
        """Hop limit / TTL 1: not translated; the translator answers Time
        Exceeded in the packet's own family."""
        w = self.w
        sent = bytes(IPv6(src=V6, dst=V4_6, hlim=1) / UDP(sport=5000, dport=7000) /
                     Raw(PAY[:20]))
        w.send6(sent)
        got = one(w.recv6())
        # The kernel's own ICMPv6 gets an automatic flow label.
        w.expect("6->4 hop limit 1: ICMPv6 Time Exceeded from the translator", got,
                 IPv6(src=R6, dst=V6, hlim=64, fl=flow_label(got)) /
                 ICMPv6TimeExceeded(code=0) / Raw(sent))
        w.expect_true("6->4 hop limit 1: nothing reaches IPv4", not w.recv4(seconds=0.5))
        sent = bytes(IP(src=V4, dst=R4, ttl=1, id=0x1111) /
                     UDP(sport=7000, dport=self.udp_port) / Raw(PAY[:20]))
        w.send4(sent)
        got = one(w.recv4())
        w.expect("4->6 TTL 1: ICMPv4 Time Exceeded from the translator", got,
                 IP(src=R4, dst=V4, ttl=64, id=ip4_id(got),
                    flags=got[6] >> 5 if got else 0, tos=got[1] if got else 0) /
                 ICMP(type=11, code=0) / Raw(sent))
        w.expect_true("4->6 TTL 1: nothing reaches IPv6", not w.recv6(seconds=0.5))

    def routing_header(self):
        """§5.1: a Routing header with Segments Left != 0 is not translated;
        ICMPv6 Parameter Problem (4/0) pointing at Segments Left comes back
        from the translator; a used-up one is skipped."""
        w = self.w
        sent = bytes(IPv6(src=V6, dst=V4_6, hlim=64) /
                     IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=1) /
                     UDP(sport=5000, dport=7000) / Raw(PAY[:20]))
        w.send6(sent)
        got = one(w.recv6())
        w.expect("6->4 Routing header in use: ICMPv6 Parameter Problem pointer 43", got,
                 IPv6(src=R6, dst=V6, hlim=64, fl=flow_label(got)) /
                 ICMPv6ParamProblem(code=0, ptr=43) / Raw(sent))
        w.expect_true("6->4 Routing header in use: nothing reaches IPv4", not w.recv4(seconds=0.5))
        w.send6(IPv6(src=V6, dst=V4_6, hlim=64) /
                IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=0) /
                UDP(sport=5000, dport=7000) / Raw(PAY[:20]))
        got = one(w.recv4())
        w.expect("6->4 used-up Routing header: translated, header gone", got,
                 IP(src=R4, dst=V4, ttl=63, id=ip4_id(got), flags=0) /
                 UDP(sport=self.udp_port, dport=7000) / Raw(PAY[:20]))

    def src_route(self):
        """§4.1: IPv4 options are not translated, but an unexpired source
        route cannot be honoured: ICMPv4 Source Route Failed (3/5) from the
        translator and nothing towards IPv6; a used-up one is ignored."""
        w = self.w
        sent = bytes(IP(src=V4, dst=R4, ttl=64,
                        options=[IPOption_LSRR(pointer=4, routers=["198.51.100.9"])]) /
                     UDP(sport=7000, dport=self.udp_port) / Raw(PAY[:30]))
        w.send4(sent)
        got = one(w.recv4())
        w.expect("4->6 unexpired loose source route: ICMPv4 Source Route Failed", got,
                 IP(src=R4, dst=V4, ttl=64, id=ip4_id(got),
                    flags=got[6] >> 5 if got else 0, tos=got[1] if got else 0) /
                 ICMP(type=3, code=5) / Raw(sent))
        w.expect_true("4->6 unexpired source route: nothing reaches IPv6",
                      not w.recv6(seconds=0.5))
        # The route is used up: the header's destination is the final one,
        # the one the checksum covers (scapy would take the route's last).
        csum = IP(bytes(IP(src=V4, dst=R4) / UDP(sport=7000, dport=self.udp_port) /
                        Raw(PAY[:30])))[UDP].chksum
        w.send4(IP(src=V4, dst=R4, ttl=64,
                   options=[IPOption_LSRR(pointer=8, routers=["198.51.100.9"])]) /
                UDP(sport=7000, dport=self.udp_port, chksum=csum) / Raw(PAY[:30]))
        w.expect("4->6 used-up source route: translated, options gone", one(w.recv6()),
                 IPv6(src=V4_6, dst=V6, hlim=63) / UDP(sport=7000, dport=5000) / Raw(PAY[:30]))

    def fragments(self):
        """Fragments are reassembled by the stack first, then the whole
        packet is translated and fragmented to fit: IPv6 fragments leave as
        IPv4 fragments without DF (it had a Fragment Header) within the IPv4
        MTU; IPv4 fragments leave as IPv6 fragments of lowest-ipv6-mtu
        (1280)."""
        w = self.w
        # The UDP checksum over the IPv6 pseudo-header, as the sender has it.
        whole6 = bytes(IPv6(src=V6, dst=V4_6, hlim=64) / UDP(sport=5000, dport=7000) /
                       Raw(PAY[:2000]))[40:]
        for off, chunk, more in ((0, whole6[:1232], 1), (1232, whole6[1232:], 0)):
            w.send6(IPv6(src=V6, dst=V4_6, hlim=64, tc=0x48) /
                    IPv6ExtHdrFragment(nh=17, offset=off // 8, m=more, id=0xDEADBEEF) /
                    Raw(chunk))
        got = w.recv4(count=2)
        exp = bytes(IP(src=R4, dst=V4, tos=0x48, ttl=63, id=ip4_id(got[0]) if got else 0,
                       flags=0) / UDP(sport=self.udp_port, dport=7000) / Raw(PAY[:2000]))
        self.check_frags4(got, exp)
        # IPv4 fragments towards IPv6.
        whole4 = bytes(IP(src=V4, dst=R4) / UDP(sport=7000, dport=self.udp_port) /
                       Raw(PAY[:2000]))[20:]
        for off, chunk, flags in ((0, whole4[:1480], "MF"), (1480, whole4[1480:], 0)):
            w.send4(IP(src=V4, dst=R4, ttl=50, tos=0x48, id=0x5151, flags=flags,
                       frag=off // 8, proto=17) / Raw(chunk))
        got = w.recv6(count=2)
        exp = bytes(IPv6(src=V4_6, dst=V6, tc=0x48, hlim=49) / UDP(sport=7000, dport=5000) /
                    Raw(PAY[:2000]))
        self.check_frags6(got, exp)

    def check_frags4(self, got, exp):
        """The IPv4 output may keep the geometry of the reassembled IPv6
        fragments (each fits): any cut within the MTU will do."""
        w = self.w
        sizes = [len(p) for p in got]
        w.expect_true("IPv6 fragments -> 2 IPv4 fragments within the MTU (%s bytes)" % sizes,
                      len(got) == 2 and all(n <= 1500 for n in sizes))
        if len(got) != 2:
            return
        data = b""
        for i, p in enumerate(got):
            fo = struct.unpack("!H", p[6:8])[0]
            hdr = IP(p)
            again = IP(bytes(p[:20]))
            del again.chksum
            w.expect_true("IPv4 fragment %d: DF clear, MF %d, offset %d, same id, TOS, TTL, "
                          "header checksum" % (i, i == 0, len(data)),
                          fo == ((0x2000 if i == 0 else 0) | len(data) // 8) and
                          hdr.id == IP(exp).id and p[1] == exp[1] and p[8] == exp[8] and
                          p[9] == 17 and p[12:20] == exp[12:20] and
                          bytes(again)[10:12] == p[10:12],
                          diff(p[:20], exp[:20]))
            data += p[20:]
        w.expect("IPv4 fragments reassemble to the translated datagram",
                 exp[:20] + data, exp)

    def check_frags6(self, got, exp):
        w = self.w
        w.expect_true("IPv4 fragments -> 2 IPv6 fragments of at most 1280 bytes",
                      len(got) == 2 and all(len(p) <= 1280 for p in got),
                      "got %s" % [len(p) for p in got])
        if len(got) != 2:
            return
        data = b""
        ids = set()
        for i, p in enumerate(got):
            fh = p[40:48]
            fo = struct.unpack("!H", fh[2:4])[0]
            ids.add(fh[4:8])
            w.expect_true("IPv6 fragment %d: Fragment Header (next 17, offset %d, M %d), TC, "
                          "hop limit, addresses" % (i, len(data), i == 0),
                          p[6] == 44 and fh[0] == 17 and fo == (len(data) | (i == 0)) and
                          p[:4] == exp[:4] and p[7:40] == exp[7:40] and
                          struct.unpack("!H", p[4:6])[0] == len(p) - 40,
                          diff(p[:48], exp[:40]))
            data += p[48:]
        w.expect_true("IPv6 fragments share one Identification", len(ids) == 1)
        w.expect("IPv6 fragments reassemble to the translated datagram",
                 exp[:40] + data, exp)


def link_mtu(dev, mtu):
    """The MTU of one of the translator's links (only r's side: the
    injected frames are small)."""
    subprocess.run(["ip", "-n", "r", "link", "set", dev, "mtu", str(mtu)], check=True)


def run():
    w = Wire()
    c = Cases(w)
    for case in (c.udp_6to4, c.udp_6to4_df, c.udp_4to6, c.udp_zero_csum, c.tcp, c.echo,
                 c.icmp_errors_4to6, c.icmp_errors_6to4, c.mtu_caps, c.hop_limit, c.routing_header,
                 c.src_route,
                 c.fragments):
        print("# %s: %s" % (case.__name__, " ".join(case.__doc__.split())), flush=True)
        try:
            case()
        except Exception as e:  # report and go on with the next family
            w.fail("%s raised %r" % (case.__name__, e))
    print("# %d failure(s)" % w.failures)
    return 1 if w.failures else 0
