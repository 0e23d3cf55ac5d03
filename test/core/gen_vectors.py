#!/usr/bin/env python3
"""Golden vectors for test/core/vectors_test.cc.

Builds each input packet and the packet RFC 7915 says it must become, from
scratch and with full checksums, independently of the C core (whose
checksums are incremental). Prints C++ to stdout:

    python3 test/core/gen_vectors.py > test/core/vectors.inc
"""
import ipaddress
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a6(text):
    return ipaddress.IPv6Address(text).packed


def a4(text):
    return ipaddress.IPv4Address(text).packed


def pseudo6(src, dst, length, proto):
    return src + dst + struct.pack("!IxxxB", length, proto)


def pseudo4(src, dst, length, proto):
    return src + dst + struct.pack("!xBH", proto, length)


def with_csum(seg, off, pseudo, udp=False):
    c = csum(pseudo + seg)
    if udp and c == 0:
        c = 0xFFFF
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


def udp(sport, dport, payload, pseudo_fn, src, dst):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return with_csum(seg, 6, pseudo_fn(src, dst, len(seg), 17), udp=True)


def tcp(sport, dport, seq, ack, flags, opts, payload, pseudo_fn, src, dst):
    doff = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                      65535, 0, 0) + opts + payload
    return with_csum(seg, 16, pseudo_fn(src, dst, len(seg), 6))


def icmp4(typ, code, rest, body):
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def icmp6(typ, code, rest, body, src, dst):
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    return with_csum(msg, 2, pseudo6(src, dst, len(msg), 58))


def ip4(src, dst, proto, payload, ttl, ident=0, flags=0, tos=0, tot=None):
    tot = 20 + len(payload) if tot is None else tot
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tot, ident, flags, ttl,
                      proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(src, dst, nh, payload, hlim, tc=0, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB", 0x60000000 | tc << 20, plen, nh, hlim) + \
        src + dst + payload


# Addresses of the examples: pool6 64:ff9b::/96, pool4 198.51.100.1.
H6 = a6("2001:db8::1")            # IPv6 host X'
S6 = a6("64:ff9b::c000:221")     # 192.0.2.33 as the IPv6 side sees it
R6 = a6("64:ff9b::cb00:7101")    # 203.0.113.1, a router on the IPv4 side
P4 = a4("198.51.100.1")           # pool4 address T
S4 = a4("192.0.2.33")             # IPv4 server Z
R4 = a4("203.0.113.1")
MSS = bytes([2, 4, 0x05, 0xB4])
ID4 = 0x1234                      # pkt->ip4_id given by the caller

vectors = []


def vec(name, inp, out):
    vectors.append((name, inp, out))


def udp_cases():
    pl = b"hello nat64!"
    vec("udp_6to4",
        ip6(H6, S6, 17, udp(5000, 53, pl, pseudo6, H6, S6), 64),
        ip4(P4, S4, 17, udp(61001, 53, pl, pseudo4, P4, S4), 63, ID4))
    pl = b"answer"
    vec("udp_4to6",
        ip4(S4, P4, 17, udp(53, 61001, pl, pseudo4, S4, P4), 50, 0x7777,
            0x4000, tos=0xB8),
        ip6(S6, H6, 17, udp(53, 5000, pl, pseudo6, S6, H6), 49, tc=0xB8))


def tcp_cases():
    vec("tcp_6to4",
        ip6(H6, S6, 6, tcp(40000, 80, 0x01020304, 0, 0x02, MSS, b"",
                           pseudo6, H6, S6), 64, tc=0x28),
        ip4(P4, S4, 6, tcp(61002, 80, 0x01020304, 0, 0x02, MSS, b"",
                           pseudo4, P4, S4), 63, ID4, tos=0x28))
    vec("tcp_4to6",
        ip4(S4, P4, 6, tcp(80, 61002, 0x0A0B0C0D, 0x01020305, 0x12, MSS,
                           b"data", pseudo4, S4, P4), 64, 0x4321, 0x4000),
        ip6(S6, H6, 6, tcp(80, 40000, 0x0A0B0C0D, 0x01020305, 0x12, MSS,
                           b"data", pseudo6, S6, H6), 63))


def echo_cases():
    body = bytes(range(16))
    vec("echo_6to4",
        ip6(H6, S6, 58, icmp6(128, 0, struct.pack("!HH", 0x0ABC, 1), body,
                              H6, S6), 64),
        ip4(P4, S4, 1, icmp4(8, 0, struct.pack("!HH", 0x1F40, 1), body),
            63, ID4))
    vec("echo_4to6",
        ip4(S4, P4, 1, icmp4(0, 0, struct.pack("!HH", 0x1F40, 1), body), 60),
        ip6(S6, H6, 58, icmp6(129, 0, struct.pack("!HH", 0x0ABC, 1), body,
                              S6, H6), 59))


def error_cases():
    # ICMPv6 port unreachable about the reply that udp_4to6 produced.
    pl = b"answer"
    inner6 = ip6(S6, H6, 17, udp(53, 5000, pl, pseudo6, S6, H6), 49)
    inner4 = ip4(S4, P4, 17, udp(53, 61001, pl, pseudo4, S4, P4), 49)
    vec("err_port_6to4",
        ip6(H6, S6, 58, icmp6(1, 4, bytes(4), inner6, H6, S6), 64),
        ip4(P4, S4, 1, icmp4(3, 3, bytes(4), inner4), 63, ID4))
    # ICMPv4 fragmentation needed (MTU 1400) quoting 8 bytes of TCP.
    seg4 = tcp(61002, 80, 7, 0, 0x10, b"", b"x" * 100, pseudo4, P4, S4)
    seg6 = tcp(40000, 80, 7, 0, 0x10, b"", b"x" * 100, pseudo6, H6, S6)
    q4 = ip4(P4, S4, 6, seg4, 62, 0x5555, 0x4000)[:28]
    q6 = ip6(H6, S6, 6, seg6, 62)[:48]
    vec("err_ptb_4to6",
        ip4(R4, P4, 1, icmp4(3, 4, struct.pack("!HH", 0, 1400), q4), 250),
        ip6(R6, H6, 58, icmp6(2, 0, struct.pack("!I", 1420), q6, R6, H6),
            249))
    # ICMPv4 time exceeded quoting a whole echo request.
    body = b"ping"
    q4 = ip4(P4, S4, 1, icmp4(8, 0, struct.pack("!HH", 0x1F40, 7), body), 1)
    q6 = ip6(H6, S6, 58, icmp6(128, 0, struct.pack("!HH", 0x0ABC, 7), body,
                               H6, S6), 1)
    vec("err_time_4to6",
        ip4(R4, P4, 1, icmp4(11, 0, bytes(4), q4), 64),
        ip6(R6, H6, 58, icmp6(3, 0, bytes(4), q6, R6, H6), 63))


def extension(payload=b"\x5a" * 4):
    """RFC 4884 extension structure: version 2 header (with the checksum
    of the whole structure) and one object (class 1, c-type 1)."""
    obj = struct.pack("!HBB", 4 + len(payload), 1, 1) + payload
    ext = struct.pack("!BBH", 0x20, 0, 0) + obj
    return ext[:2] + struct.pack("!H", csum(ext)) + ext[4:]


def multipart_cases():
    ext = extension()
    # ICMPv4 Time Exceeded, length 32 words: a 32-byte quoted echo request
    # zero-padded to 128 bytes, then the extension. ICMPv6: the 52-byte
    # translated quote padded to 128 bytes = 16 64-bit words (byte 4).
    body = b"ping"
    q4 = ip4(P4, S4, 1, icmp4(8, 0, struct.pack("!HH", 0x1F40, 7), body), 1)
    q6 = ip6(H6, S6, 58, icmp6(128, 0, struct.pack("!HH", 0x0ABC, 7), body,
                               H6, S6), 1)
    vec("err_ext_4to6",
        ip4(R4, P4, 1, icmp4(11, 0, struct.pack("!BBH", 0, 32, 0),
                             q4.ljust(128, b"\0") + ext), 64),
        ip6(R6, H6, 58, icmp6(3, 0, struct.pack("!BBH", 16, 0, 0),
                              q6.ljust(128, b"\0") + ext, R6, H6), 63))
    # ICMPv6 Port Unreachable, length 16 words: the 54-byte quoted reply
    # padded to 128 bytes, then the extension. ICMPv4: the 34-byte
    # translated quote padded to 128 bytes = 32 32-bit words (byte 5).
    pl = b"answer"
    inner6 = ip6(S6, H6, 17, udp(53, 5000, pl, pseudo6, S6, H6), 49)
    inner4 = ip4(S4, P4, 17, udp(53, 61001, pl, pseudo4, S4, P4), 49)
    vec("err_ext_6to4",
        ip6(H6, S6, 58, icmp6(1, 4, struct.pack("!BBH", 16, 0, 0),
                              inner6.ljust(128, b"\0") + ext, H6, S6), 64),
        ip4(P4, S4, 1, icmp4(3, 3, struct.pack("!BBH", 0, 32, 0),
                             inner4.ljust(128, b"\0") + ext), 63, ID4))
    # An extension too big to follow even a 128-byte quote within 576
    # bytes: dropped, length 0, the quote ends where the length said (the
    # zero padding is not the packet's and is not copied).
    big = extension(b"\x5a" * 500)
    vec("err_bigext_6to4",
        ip6(H6, S6, 58, icmp6(1, 4, struct.pack("!BBH", 16, 0, 0),
                              inner6.ljust(128, b"\0") + big, H6, S6), 64),
        ip4(P4, S4, 1, icmp4(3, 3, bytes(4), inner4), 63, ID4))


def emit():
    print("// Generated by gen_vectors.py: do not edit.")
    for name, inp, out in vectors:
        for tag, data in (("in", inp), ("out", out)):
            print("static const uint8_t %s_%s[] = {" % (name, tag))
            for i in range(0, len(data), 12):
                row = ", ".join("0x%02x" % b for b in data[i:i + 12])
                print("\t%s," % row)
            print("};")


udp_cases()
tcp_cases()
echo_cases()
error_cases()
multipart_cases()
emit()
