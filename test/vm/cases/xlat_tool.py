#!/usr/bin/python3
"""Traffic and packet helper of the translation cases (6x-*.sh).

It enters the test's network namespaces itself (setns), so that one process
can hold sockets on both sides of the translator. Subcommands:

  udp-big CLIENT_NS TARGET6 SERVER_NS PORT SIZE [GSO]
      The IPv6 client sends a datagram to [TARGET6]:PORT; the IPv4 server
      in SERVER_NS answers with SIZE random bytes without DF
      (IP_PMTUDISC_DONT). Prints what the client's link saw of the answer
      and whether the client's socket got it whole:
      "got=SIZE intact=1 frames=N frag=K sizes=L1,L2,... max=LARGEST"
      (IPv6 lengths of the frames in arrival order). GSO: the server
      sends SIZE bytes as one UDP_SEGMENT (segmentation offload) send of
      GSO-byte datagrams, so that the translator gets a GSO packet; got
      and intact then cover all of the datagrams.
  refused udp|udp-recverr|tcp NS TARGET PORT
      Connected UDP send + recv, or TCP connect, towards a port with no
      listener; prints the outcome: refused, unreachable, timeout, ok.
      udp-recverr: with IP(V6)_RECVERR, so that soft errors (unreachable
      host or net) reach the socket too.
  bytes
      Case 63: crafted packets through the translator, compared byte by
      byte with expected packets built here (see bytes_case()).
"""
import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
IP_RECVERR = 11
SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17
IPV6_RECVERR = 25
UDP_SEGMENT = 103

_libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Move this thread (and sockets created from now on) into netns NS."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (ns, os.strerror(err)))
    finally:
        os.close(fd)


def tx_csum_off(ns, dev):
    """ethtool -K DEV tx off (ETHTOOL_STXCSUM): checksums left to the device
    (CHECKSUM_PARTIAL) are then completed by the stack before the frame
    leaves, as a NIC would; veth otherwise passes them on unfinished."""
    enter(ns)
    value = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
    ifr = bytearray(struct.pack("16sP", dev.encode(), ctypes.addressof(value)).ljust(40, b"\0"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)


def packet_socket(ns, dev=None, proto=ETH_P_ALL):
    """A packet socket in NS on DEV (None: every interface of NS)."""
    enter(ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    if dev:
        s.bind((dev, proto))
    return s


def frames(sock, seconds, incoming_only=True):
    """Every frame the packet socket sees within SECONDS."""
    out = []
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return out
        sock.settimeout(left)
        try:
            data, addr = sock.recvfrom(65535)
        except socket.timeout:
            return out
        if incoming_only and addr[2] == PACKET_OUTGOING:
            continue
        out.append(data)


def drain(sock):
    frames(sock, 0.05, incoming_only=False)


# ---------------------------------------------------------------- udp-big


def udp_big(client_ns, target6, server_ns, port, size, gso=0):
    enter(server_ns)
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    if gso:
        srv.setsockopt(socket.SOL_UDP, UDP_SEGMENT, gso)
    srv.bind(("0.0.0.0", port))
    srv.settimeout(10)
    cap = packet_socket(client_ns, None, ETH_P_IPV6)
    cli = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    cli.connect((target6, port))
    cli.settimeout(10)
    cli.send(b"hello")
    _, peer = srv.recvfrom(100)
    drain(cap)
    payload = os.urandom(size)
    srv.sendto(payload, peer)
    got = b""
    for _ in range(-(-size // gso) if gso else 1):
        got += cli.recv(65535)
    seen = frames(cap, 1.0)
    prefix = socket.inet_pton(socket.AF_INET6, "64:ff9b::")[:12]
    ours = [f[14:] for f in seen if f[14 + 8:14 + 20] == prefix]
    frag = [p for p in ours if p[6] == socket.IPPROTO_FRAGMENT]
    sizes = [40 + struct.unpack("!H", p[4:6])[0] for p in ours]
    print("got=%d intact=%d frames=%d frag=%d sizes=%s max=%d" % (
        len(got), int(got == payload), len(ours), len(frag),
        ",".join(map(str, sizes)), max(sizes, default=0)))


# ---------------------------------------------------------------- refused


def refused(proto, ns, target, port):
    enter(ns)
    fam = socket.AF_INET6 if ":" in target else socket.AF_INET
    try:
        if proto.startswith("udp"):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            if proto == "udp-recverr":  # soft errors too (RFC 1122 4.1.3.3)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
                else:
                    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
            s.settimeout(8)
            s.connect((target, port))
            s.send(b"anybody there?")
            s.recv(100)
        else:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(8)
            s.connect((target, port))
        print("ok")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            print("unreachable")
        else:
            print("error %s" % errno.errorcode.get(e.errno, e.errno))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "udp-big" and len(argv) in (7, 8):
        udp_big(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]),
                int(argv[7]) if len(argv) == 8 else 0)
    elif cmd == "refused" and len(argv) == 6:
        refused(argv[2], argv[3], argv[4], int(argv[5]))
    elif cmd == "bytes" and len(argv) == 2:
        import xlat_bytes  # scapy is slow to import: only when needed
        sys.exit(xlat_bytes.run())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
