#!/usr/bin/python3
"""Traffic helpers of the stateful VM cases (5x-*.sh); not a case itself.

udp-server ADDR PORT
    Echo every datagram; print "peer ADDR PORT" once per new peer.
udp-flows TARGET PORT SPORTS COUNT [SRC]
    For each source port in the comma-separated SPORTS: send COUNT datagrams
    to TARGET:PORT, one at a time, each waiting up to 2 s for its echo.
    Prints "ok SPORT N" (N echoes) or "err SPORT N TYPE CODE" (N ICMP
    errors, the last one's type and code, read from the error queue).
udp-send TARGET PORT SPORT COUNT [SRC]
    Send COUNT datagrams, no echo expected; prints "sent N".
udp-peer ADDR PORT SECONDS DIR
    Bind ADDR:PORT for SECONDS: print "got PEER_ADDR PEER_PORT" per datagram
    received; send one datagram to each "TARGET PORT" line that appears in
    the file DIR/send (which it then deletes). Writes DIR/ready when bound.
tcp-peer listen|connect ADDR PORT DIR [SPORT]
    One TCP connection driven through files in DIR: the peer writes
    DIR/ROLE.up once connected; DIR/ROLE.fin makes it shut down its sending
    side (FIN), DIR/ROLE.rst makes it abort (RST), DIR/ROLE.quit closes.
    ROLE is "listen" or "connect".
so-pair NS4 SPORT4 ADDR4 PORT4 NS6 SPORT6 ADDR6 PORT6
    A TCP simultaneous open, run from the initial namespace: a socket in
    network namespace NS4 connects from SPORT4 to ADDR4:PORT4 (its SYN goes
    out at once), 0.5 s later a socket in NS6 connects from SPORT6 to
    ADDR6:PORT6. Prints "v4 RESULT" and "v6 RESULT" (connected or errno).
syn4 SRC DST DPORT SPORT
    Send exactly one TCP SYN (raw socket, no retransmission).
tcp-connect ADDR PORT SPORT TIMEOUT [SRC]
    connect() from SPORT; prints "connected SECONDS" or "error ERRNO-NAME
    SECONDS" and keeps a connected socket open for 2 s.
"""
import errno
import os
import socket
import struct
import sys
import time

IPV6_RECVERR = 25
IP_RECVERR = 11


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_server(addr, port):
    sock = socket.socket(family(addr), socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((addr, port))
    peers = set()
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(data, peer)
        key = (peer[0], peer[1])
        if key not in peers:
            peers.add(key)
            print("peer %s %d" % key, flush=True)


def errqueue(sock, fam):
    """(type, code) of each queued ICMP error."""
    out = []
    while True:
        try:
            _, anc, _, _ = sock.recvmsg(512, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except (BlockingIOError, socket.timeout):
            return out
        for level, _, data in anc:
            if level in (socket.IPPROTO_IPV6, socket.IPPROTO_IP):
                # struct sock_extended_err: u32 errno; u8 origin, type, code, pad
                _, _, etype, ecode = struct.unpack_from("=IBBB", data)
                out.append((etype, ecode))


def udp_flows(target, port, sports, count, src=None):
    fam = family(target)
    for sport in sports:
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
            sock.bind((src or "::", sport))
        else:
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
            sock.bind((src or "0.0.0.0", sport))
        sock.connect((target, port))
        sock.settimeout(2)
        echoes, errors = 0, []
        for i in range(count):
            payload = b"flow %d datagram %d" % (sport, i)
            sock.send(payload)
            try:
                if sock.recv(65535) == payload:
                    echoes += 1
            except OSError:
                time.sleep(0.2)
                errors += errqueue(sock, fam)
        errors += errqueue(sock, fam)
        if errors:
            print("err %d %d %d %d" % (sport, len(errors), errors[-1][0], errors[-1][1]),
                  flush=True)
        else:
            print("ok %d %d" % (sport, echoes), flush=True)
        sock.close()


def udp_send(target, port, sport, count, src=None):
    fam = family(target)
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.bind((src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), sport))
    for i in range(count):
        sock.sendto(b"datagram %d" % i, (target, port))
        time.sleep(0.05)
    print("sent %d" % count, flush=True)


def udp_peer(addr, port, seconds, ctl):
    sock = socket.socket(family(addr), socket.SOCK_DGRAM)
    sock.bind((addr, port))
    sock.settimeout(0.05)
    touch(os.path.join(ctl, "ready"))
    cmd = os.path.join(ctl, "send")
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(cmd):
            with open(cmd) as f:
                lines = f.read().split("\n")
            os.unlink(cmd)
            for line in lines:
                if line.strip():
                    target, tport = line.split()
                    sock.sendto(b"hello", (target, int(tport)))
            touch(cmd + ".done")
        try:
            _, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        print("got %s %d" % (peer[0], peer[1]), flush=True)


def touch(path):
    with open(path, "w"):
        pass


def tcp_peer(role, addr, port, ctl, sport=0):
    fam = family(addr)
    if role == "listen":
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        touch(os.path.join(ctl, "listen.ready"))
        sock, _ = ls.accept()
        ls.close()
    else:
        sock = socket.socket(fam, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sport:
            sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        sock.connect((addr, port))
    touch(os.path.join(ctl, role + ".up"))
    while True:
        for cmd in ("fin", "rst", "quit"):
            path = os.path.join(ctl, "%s.%s" % (role, cmd))
            if not os.path.exists(path):
                continue
            os.unlink(path)
            if cmd == "fin":
                sock.shutdown(socket.SHUT_WR)
                continue
            if cmd == "rst":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return
        time.sleep(0.05)


def tcp_connect(addr, port, sport, timeout, src=None):
    fam = family(addr)
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), sport))
    sock.settimeout(timeout)
    start = time.time()
    try:
        sock.connect((addr, port))
    except socket.timeout:
        print("error ETIMEDOUT %.1f" % (time.time() - start), flush=True)
        return
    except OSError as e:
        print("error %s %.1f" % (errno.errorcode.get(e.errno, e.errno), time.time() - start),
              flush=True)
        return
    print("connected %.1f" % (time.time() - start), flush=True)
    time.sleep(2)
    sock.close()


def enter_netns(name):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)


def so_pair(ns4, sport4, addr4, port4, ns6, sport6, addr6, port6):
    import select
    # A socket stays in the namespace it was created in.
    enter_netns(ns4)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s4.bind(("0.0.0.0", sport4))
    s4.setblocking(False)
    s4.connect_ex((addr4, port4))
    time.sleep(0.5)
    enter_netns(ns6)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s6.bind(("::", sport6))
    s6.settimeout(10)
    try:
        s6.connect((addr6, port6))
        r6 = "connected"
    except OSError as e:
        r6 = errno.errorcode.get(e.errno, str(e))
    select.select([], [s4], [], 10)
    err = s4.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    r4 = "connected" if not err else errno.errorcode.get(err, str(err))
    print("v4 %s\nv6 %s" % (r4, r6), flush=True)
    time.sleep(1)


def inet_csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def syn4(src, dst, dport, sport):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, int.from_bytes(os.urandom(4), "big"), 0,
                      5 << 4, 0x02, 65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src), socket.inet_aton(dst), 0,
                         socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", inet_csum(pseudo + hdr)) + hdr[18:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    sock.sendto(hdr, (dst, 0))
    print("sent SYN %s:%d -> %s:%d" % (src, sport, dst, dport), flush=True)


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "udp-server":
        udp_server(args[0], int(args[1]))
    elif cmd == "udp-flows":
        udp_flows(args[0], int(args[1]), [int(p) for p in args[2].split(",")], int(args[3]),
                  *args[4:5])
    elif cmd == "udp-send":
        udp_send(args[0], int(args[1]), int(args[2]), int(args[3]), *args[4:5])
    elif cmd == "udp-peer":
        udp_peer(args[0], int(args[1]), float(args[2]), args[3])
    elif cmd == "tcp-peer":
        tcp_peer(args[0], args[1], int(args[2]), args[3], int(args[4]) if len(args) > 4 else 0)
    elif cmd == "so-pair":
        so_pair(args[0], int(args[1]), args[2], int(args[3]),
                args[4], int(args[5]), args[6], int(args[7]))
    elif cmd == "syn4":
        syn4(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "tcp-connect":
        tcp_connect(args[0], int(args[1]), int(args[2]), float(args[3]), *args[4:5])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
