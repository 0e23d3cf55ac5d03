#!/usr/bin/python3
"""Raw generic netlink client for the "nat64" family (standard library only).

  nl_abuse.py cases INSTANCE        malformed requests: each must get exactly
                                    the expected errno (and extack message)
                                    and leave the configuration unchanged
  nl_abuse.py fuzz SEED SECONDS     random mutations of valid requests
  nl_abuse.py snapshot              print a digest of the whole configuration
  nl_abuse.py cycles KEEP N         N instance add/configure/remove cycles and
                                    N pool4+BIB add/remove cycles on instance
                                    KEEP; every request must succeed

Numbers (commands, attributes, bounds) come from include/nat64.h, so the
messages follow the header. Kernel answers are parsed by hand: NLMSG_ERROR
and NLMSG_DONE with the extack TLVs (NETLINK_EXT_ACK, NETLINK_CAP_ACK).
"""

import errno
import hashlib
import os
import random
import re
import socket
import struct
import sys
import time

HEADER = os.path.join(os.environ.get("NAT64_REPO", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")),
    "include", "nat64.h")

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 0x1, 0x2, 0x4
NLM_F_DUMP = 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NETLINK_GENERIC = 16     # (not in Python's socket module)
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP = 6, 17, 1


def parse_header(path):
    """Every enumerator and numeric #define of the uapi header."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    names = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\};", text, flags=re.S):
        if "#" in body:     # the counters' X-macro enum
            continue
        value = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                item, expr = (s.strip() for s in item.split("=", 1))
                value = int(expr, 0)
            names[item] = value
            value += 1
    # Numeric macros, possibly in terms of enumerators: (__NAT64_A_MAX - 1).
    for name, expr in re.findall(r"#define[ \t]+(NAT64_\w+)[ \t]+([^\n\\]+)", text):
        expr = re.sub(r"\b(\d+)U\b", r"\1", expr.strip())
        expr = re.sub(r"\b_*NAT64_\w+\b", lambda m: str(names.get(m.group(0), "x")), expr)
        if re.fullmatch(r"[0-9xa-fA-F()+\-*<< ]+", expr):
            names[name] = eval(expr)   # digits and operators only
    return names


H = parse_header(HEADER)


def attr(atype, payload):
    length = 4 + len(payload)
    return struct.pack("HH", length, atype) + payload + b"\0" * (-length % 4)


def nest(atype, *children):
    return attr(atype | NLA_F_NESTED, b"".join(children))


def u8(atype, v):
    return attr(atype, struct.pack("B", v))


def u16(atype, v):
    return attr(atype, struct.pack("H", v))


def u32(atype, v):
    return attr(atype, struct.pack("I", v))


def string(atype, s):
    return attr(atype, s.encode() + b"\0")


def iname(name):
    return string(H["NAT64_A_INAME"], name)


def ip6(text):
    return socket.inet_pton(socket.AF_INET6, text)


def ip4(text):
    return socket.inet_pton(socket.AF_INET, text)


def pool6(addr="64:ff9b::", plen=96):
    return nest(H["NAT64_A_POOL6"], attr(H["NAT64_PFX_ADDR"], ip6(addr)),
                u8(H["NAT64_PFX_LEN"], plen))


def pool4(proto=IPPROTO_TCP, addr="203.0.113.8", plen=32, pmin=None, pmax=None,
          extra=b""):
    parts = [u8(H["NAT64_POOL4_PROTO"], proto), attr(H["NAT64_POOL4_ADDR"], ip4(addr)),
             u8(H["NAT64_POOL4_PLEN"], plen)]
    if pmin is not None:
        parts.append(u16(H["NAT64_POOL4_PORT_MIN"], pmin))
    if pmax is not None:
        parts.append(u16(H["NAT64_POOL4_PORT_MAX"], pmax))
    return nest(H["NAT64_A_POOL4"], *parts, extra)


def bib(proto=IPPROTO_TCP, a6="2001:db8::9", p6=1000, a4="203.0.113.8", p4=2000):
    parts = [u8(H["NAT64_BIB_PROTO"], proto), attr(H["NAT64_BIB_ADDR6"], ip6(a6)),
             u16(H["NAT64_BIB_PORT6"], p6)]
    if a4 is not None:
        parts.append(attr(H["NAT64_BIB_ADDR4"], ip4(a4)))
    if p4 is not None:
        parts.append(u16(H["NAT64_BIB_PORT4"], p4))
    return nest(H["NAT64_A_BIB"], *parts)


def globals_(*children):
    return nest(H["NAT64_A_GLOBALS"], *children)


class Answer:
    """What the kernel said to one request."""

    def __init__(self):
        self.error = None       # 0 or a negative errno; None: no answer
        self.msg = None         # extack NLMSGERR_ATTR_MSG, if any
        self.replies = []       # (cmd, attribute bytes) of data messages

    def __str__(self):
        if self.error is None:
            return "no answer"
        name = errno.errorcode.get(-self.error, str(self.error)) if self.error else "OK"
        return f"{name} [{self.msg}]" if self.msg is not None else name


class Genl:
    def __init__(self, timeout=10.0):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = int(time.time()) & 0xffff
        self.family = self.resolve("nat64")

    def next_seq(self):
        self.seq = (self.seq + 1) & 0xffffffff
        return self.seq

    @staticmethod
    def message(mtype, flags, seq, cmd, payload, version=1, reserved=0):
        body = struct.pack("BBH", cmd, version, reserved) + payload
        return struct.pack("IHHII", 16 + len(body), mtype, flags, seq, 0) + body

    def resolve(self, name):
        seq = self.next_seq()
        self.sock.send(self.message(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq,
                                    CTRL_CMD_GETFAMILY, string(CTRL_ATTR_FAMILY_NAME, name)))
        ans = self.collect(seq)
        if ans.error:
            raise SystemExit(f"family {name}: {ans}")
        for _, attrs in ans.replies:
            for atype, data in walk(attrs):
                if atype == CTRL_ATTR_FAMILY_ID:
                    return struct.unpack("H", data[:2])[0]
        raise SystemExit(f"family {name}: no id in the answer")

    def request(self, cmd, payload=b"", dump=False, flags=None, **kw):
        seq = self.next_seq()
        if flags is None:
            flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        self.sock.send(self.message(self.family, flags, seq, cmd, payload, **kw))
        return self.collect(seq)

    def send_raw(self, raw):
        self.sock.send(raw)

    def collect(self, seq):
        """Messages of request SEQ up to its ACK, error or NLMSG_DONE."""
        ans = Answer()
        while True:
            data = self.sock.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                length, mtype, flags, mseq, _ = struct.unpack_from("IHHII", data, off)
                if length < 16:
                    raise SystemExit(f"kernel sent a netlink message of length {length}")
                body = data[off + 16:off + length]
                off += (length + 3) & ~3
                if mseq != seq:
                    continue    # the answer to an earlier request
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    ans.error = struct.unpack_from("i", body)[0]
                    tlv_at = 4 if mtype == NLMSG_DONE else (
                        20 if flags & NLM_F_CAPPED else 4 + struct.unpack_from("I", body, 4)[0])
                    if flags & NLM_F_ACK_TLVS:
                        for atype, val in walk(body[tlv_at:]):
                            if atype == NLMSGERR_ATTR_MSG:
                                ans.msg = val.rstrip(b"\0").decode(errors="replace")
                    return ans
                ans.replies.append((body[0], body[4:]))
                if not flags & NLM_F_MULTI:
                    pass    # a doit's reply; its ACK follows


def walk(buf):
    off = 0
    while off + 4 <= len(buf):
        length, atype = struct.unpack_from("HH", buf, off)
        if length < 4:
            return
        yield atype & 0x3fff, buf[off + 4:off + length]
        off += (length + 3) & ~3


# ------------------------------------------------------------- configuration

def snapshot(nl):
    """Every readable table of every instance of the namespace, as bytes
    (sessions and counters excluded: they move on their own)."""
    c = H
    out = []
    ans = nl.request(c["NAT64_CMD_INSTANCE_GET"], dump=True)
    if ans.error:
        raise SystemExit(f"instance dump: {ans}")
    names = []
    for _, attrs in ans.replies:
        out.append(("instance", attrs))
        for atype, data in walk(attrs):
            if atype == c["NAT64_A_INSTANCE"]:
                for t, v in walk(data):
                    if t == c["NAT64_INST_NAME"]:
                        names.append(v.rstrip(b"\0").decode())
    for name in sorted(names):
        ans = nl.request(c["NAT64_CMD_GLOBAL_GET"], iname(name))
        if ans.error:
            raise SystemExit(f"global get {name}: {ans}")
        out += [("globals " + name, a) for _, a in ans.replies]
        ans = nl.request(c["NAT64_CMD_POOL4_GET"], iname(name), dump=True)
        if ans.error:
            raise SystemExit(f"pool4 dump {name}: {ans}")
        out += [("pool4 " + name, a) for _, a in ans.replies]
        for proto in (IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP):
            ans = nl.request(c["NAT64_CMD_BIB_GET"],
                             iname(name) + u8(c["NAT64_A_PROTO"], proto), dump=True)
            if ans.error:
                raise SystemExit(f"bib dump {name}/{proto}: {ans}")
            out += [(f"bib {name} {proto}", a) for _, a in ans.replies]
    return out


def digest(snap):
    h = hashlib.sha256()
    for what, data in snap:
        h.update(what.encode() + b"\0" + data)
    return f"{len(snap)} rows sha256={h.hexdigest()[:16]}"


# ------------------------------------------------------------- fixed cases

ANY = object()      # some extack message, whatever its text
NONE = None         # no extack message at all


def case_table(inst):
    """(name, command, payload, expected errno, expected extack substring or
    ANY/NONE, request options)."""
    c = H
    A, G = c, lambda k: c["NAT64_G_" + k]
    cmd = lambda n: c["NAT64_CMD_" + n]     # noqa: E731
    me = iname(inst)
    ghost = iname("no-such")
    fw = u8(A["NAT64_A_FRAMEWORK"], c["NAT64_FW_IPTABLES"])
    big = 0xffffffff
    policy = "Attribute failed policy validation"
    t = []

    def add(name, command, payload, err, msg, **kw):
        t.append((name, command, payload, err, msg, kw))

    # The generic netlink and netlink layers.
    add("unknown command 200", 200, me, errno.EOPNOTSUPP, NONE)
    add("command 0 (UNSPEC)", 0, me, errno.EOPNOTSUPP, NONE)
    add(f"command {c['NAT64_CMD_MAX'] + 1} (one past the last)", c["NAT64_CMD_MAX"] + 1, me,
        errno.EOPNOTSUPP, NONE)
    add("genl reserved field set", cmd("INSTANCE_GET"), me, errno.EINVAL,
        "genlmsghdr.reserved field is not 0", reserved=1)
    add("dump request of a doit-only command", cmd("INSTANCE_ADD"), me, errno.EOPNOTSUPP, NONE,
        dump=True)
    add("doit request of a dump-only command", cmd("POOL4_GET"), me, errno.EOPNOTSUPP, NONE)
    add("attribute type past NAT64_A_MAX", cmd("INSTANCE_DEL"),
        me + u32(A["NAT64_A_MAX"] + 1, 1), errno.EINVAL, "Unknown attribute type")
    add("attribute type 0", cmd("INSTANCE_DEL"), me + u32(0, 1), errno.EINVAL,
        "Unknown attribute type")
    add("answer-only attribute in a request (NAT64_A_STATS)", cmd("INSTANCE_DEL"),
        me + nest(A["NAT64_A_STATS"]), errno.EINVAL, "Unsupported attribute")
    add("attribute length 2 (shorter than its header)", cmd("INSTANCE_DEL"),
        me + struct.pack("HH", 2, A["NAT64_A_FLAGS"]), errno.EINVAL,
        "bytes leftover after parsing attributes")
    full = iname(inst) + pool6()
    add("message cut in the middle of the pool6 nest", cmd("INSTANCE_ADD"),
        full[:len(full) - 9], errno.EINVAL, "bytes leftover after parsing attributes")
    add("message cut in the middle of the name", cmd("INSTANCE_DEL"), me[:6], errno.EINVAL,
        "bytes leftover after parsing attributes")

    # Instance name.
    add("name not NUL-terminated", cmd("INSTANCE_DEL"), attr(A["NAT64_A_INAME"], b"abcdef"),
        errno.EINVAL, policy)
    add("name of 16 characters", cmd("INSTANCE_ADD"), iname("a" * 16) + fw + pool6(),
        errno.EINVAL, policy)
    add("name of 100 characters", cmd("INSTANCE_ADD"), iname("a" * 100) + fw + pool6(),
        errno.EINVAL, policy)
    add("name with bytes after its NUL", cmd("INSTANCE_DEL"),
        attr(A["NAT64_A_INAME"], b"abc\0" + b"x" * 20), errno.ERANGE, policy)
    add("empty name", cmd("INSTANCE_ADD"), iname("") + fw + pool6(), errno.EINVAL,
        "Invalid instance name")
    add("name with a slash", cmd("INSTANCE_ADD"), iname("a/b") + fw + pool6(), errno.EINVAL,
        "Invalid instance name")
    add("name with a Latin-1 letter (0xe9)", cmd("INSTANCE_ADD"),
        attr(A["NAT64_A_INAME"], b"caf\xe9\0") + fw + pool6(), errno.EINVAL,
        "Invalid instance name")
    add("name given as a u32", cmd("INSTANCE_ADD"), u32(A["NAT64_A_INAME"], 5) + fw + pool6(),
        errno.EINVAL, "Invalid instance name")

    # instance add.
    add("instance add without a name", cmd("INSTANCE_ADD"), fw + pool6(), errno.EINVAL,
        "instance add needs a name, a framework and pool6")
    add("instance add without pool6", cmd("INSTANCE_ADD"), iname("new") + fw, errno.EINVAL,
        "instance add needs a name, a framework and pool6")
    add("instance add without a framework", cmd("INSTANCE_ADD"), iname("new") + pool6(),
        errno.EINVAL, "instance add needs a name, a framework and pool6")
    add("framework 3", cmd("INSTANCE_ADD"), iname("new") + u8(A["NAT64_A_FRAMEWORK"], 3) +
        pool6(), errno.ERANGE, "integer out of range")
    add("framework 0", cmd("INSTANCE_ADD"), iname("new") + u8(A["NAT64_A_FRAMEWORK"], 0) +
        pool6(), errno.ERANGE, "integer out of range")
    add("framework as a u32", cmd("INSTANCE_ADD"), iname("new") +
        u32(A["NAT64_A_FRAMEWORK"], 2) + pool6(), errno.EINVAL, "invalid attribute length")
    add("pool6 nest without NLA_F_NESTED", cmd("INSTANCE_ADD"), iname("new") + fw +
        attr(A["NAT64_A_POOL6"], pool6()[4:]), errno.EINVAL, "NLA_F_NESTED is missing")
    add("pool6 nest of 3 garbage bytes (shorter than an attribute)", cmd("INSTANCE_ADD"),
        iname("new") + fw + attr(A["NAT64_A_POOL6"] | NLA_F_NESTED, b"\x07\x00\x01"),
        errno.ERANGE, policy)
    add("pool6 nest whose inner attribute overruns it", cmd("INSTANCE_ADD"), iname("new") + fw +
        attr(A["NAT64_A_POOL6"] | NLA_F_NESTED, b"\x09\x00\x01\x00\xff\xff"), errno.EINVAL,
        "bytes leftover after parsing attributes")
    add("pool6 address of 15 bytes", cmd("INSTANCE_ADD"), iname("new") + fw +
        nest(A["NAT64_A_POOL6"], attr(c["NAT64_PFX_ADDR"], ip6("64:ff9b::")[:15]),
             u8(c["NAT64_PFX_LEN"], 96)), errno.ERANGE, ANY)
    add("pool6 length 129", cmd("INSTANCE_ADD"), iname("new") + fw + pool6(plen=129),
        errno.ERANGE, "integer out of range")
    add("pool6 length 33", cmd("INSTANCE_ADD"), iname("new") + fw + pool6(plen=33),
        errno.EINVAL, "pool6 must be an RFC 6052 prefix")
    add("pool6 with host bits", cmd("INSTANCE_ADD"), iname("new") + fw +
        pool6("64:ff9b::1", 96), errno.EINVAL, "pool6 must be an RFC 6052 prefix")
    add("pool6 without a length", cmd("INSTANCE_ADD"), iname("new") + fw +
        nest(A["NAT64_A_POOL6"], attr(c["NAT64_PFX_ADDR"], ip6("64:ff9b::"))), errno.EINVAL,
        "pool6 needs an address and a length")
    add("pool6 nest with an unknown attribute", cmd("INSTANCE_ADD"), iname("new") + fw +
        nest(A["NAT64_A_POOL6"], attr(c["NAT64_PFX_ADDR"], ip6("64:ff9b::")),
             u8(c["NAT64_PFX_LEN"], 96), u8(c["NAT64_PFX_MAX"] + 1, 0)), errno.EINVAL,
        "Unknown attribute type")
    add("instance add of an existing name", cmd("INSTANCE_ADD"), me + fw + pool6(),
        errno.EEXIST, "already exists")
    add("instance add with an out-of-range global", cmd("INSTANCE_ADD"), iname("new") + fw +
        pool6() + globals_(u32(G("UDP_TIMEOUT"), 10)), errno.ERANGE, ANY)
    add("instance remove without a name", cmd("INSTANCE_DEL"), b"", errno.EINVAL,
        "Missing instance name")
    add("instance remove of an unknown name", cmd("INSTANCE_DEL"), ghost, errno.ESRCH,
        "No instance with that name")

    # global update.
    add("global update without globals", cmd("GLOBAL_SET"), me, errno.EINVAL,
        "Missing the globals to change")
    add("global update without a name", cmd("GLOBAL_SET"), globals_(u8(G("LOGGING_BIB"), 1)),
        errno.EINVAL, "Missing instance name")
    add("global update of an unknown instance", cmd("GLOBAL_SET"),
        ghost + globals_(u8(G("LOGGING_BIB"), 1)), errno.ESRCH, "No instance with that name")
    add("global get of an unknown instance", cmd("GLOBAL_GET"), ghost, errno.ESRCH,
        "No instance with that name")
    add("boolean 2", cmd("GLOBAL_SET"), me + globals_(u8(G("MANUALLY_ENABLED"), 2)),
        errno.ERANGE, "integer out of range")
    add("boolean as a u32", cmd("GLOBAL_SET"), me + globals_(u32(G("LOGGING_BIB"), 1)),
        errno.EINVAL, "invalid attribute length")
    add("timeout as a u16", cmd("GLOBAL_SET"), me + globals_(u16(G("UDP_TIMEOUT"), 600)),
        errno.EINVAL, "invalid attribute length")
    for key, low in (("UDP_TIMEOUT", c["NAT64_MIN_UDP_TIMEOUT"]),
                     ("TCP_EST_TIMEOUT", c["NAT64_MIN_TCP_EST_TIMEOUT"]),
                     ("TCP_TRANS_TIMEOUT", c["NAT64_MIN_TCP_TRANS_TIMEOUT"]),
                     ("ICMP_TIMEOUT", c["NAT64_MIN_ICMP_TIMEOUT"])):
        add(f"{key} below its minimum", cmd("GLOBAL_SET"), me + globals_(u32(G(key), low - 1)),
            errno.ERANGE, "integer out of range")
        add(f"{key} = 2^32-1 s", cmd("GLOBAL_SET"), me + globals_(u32(G(key), big)),
            errno.ERANGE, "integer out of range")
        add(f"{key} one past NAT64_MAX_TIMEOUT", cmd("GLOBAL_SET"),
            me + globals_(u32(G(key), c["NAT64_MAX_TIMEOUT"] + 1)), errno.ERANGE,
            "integer out of range")
    add("lowest-ipv6-mtu 1279", cmd("GLOBAL_SET"), me + globals_(u32(G("LOWEST_IPV6_MTU"), 1279)),
        errno.ERANGE, "integer out of range")
    add("f-args 16", cmd("GLOBAL_SET"), me + globals_(u8(G("F_ARGS"), 16)), errno.ERANGE,
        "integer out of range")
    add("pool6 in global update", cmd("GLOBAL_SET"), me + globals_(
        attr(G("POOL6"), attr(c["NAT64_PFX_ADDR"], ip6("64:ff9b::")) +
             u8(c["NAT64_PFX_LEN"], 96))), errno.EINVAL, "pool6 cannot change")
    add("global key past NAT64_G_MAX", cmd("GLOBAL_SET"), me + globals_(u8(G("MAX") + 1, 1)),
        errno.EINVAL, "Unknown attribute type")
    add("globals nest without NLA_F_NESTED", cmd("GLOBAL_SET"), me +
        attr(A["NAT64_A_GLOBALS"], u8(G("LOGGING_BIB"), 1)), errno.EINVAL,
        "NLA_F_NESTED is missing")
    plate = lambda vals: attr(G("MTU_PLATEAUS"), struct.pack(f"{len(vals)}H", *vals))  # noqa
    add("mtu-plateaus empty", cmd("GLOBAL_SET"), me + globals_(plate([])), errno.EINVAL,
        "mtu-plateaus needs 1 to 64 16-bit values")
    add("mtu-plateaus of 3 bytes", cmd("GLOBAL_SET"),
        me + globals_(attr(G("MTU_PLATEAUS"), b"\x00\x05\x01")), errno.EINVAL,
        "mtu-plateaus needs 1 to 64 16-bit values")
    add("mtu-plateaus ascending", cmd("GLOBAL_SET"), me + globals_(plate([1000, 2000])),
        errno.EINVAL, "strictly descending")
    add("mtu-plateaus with a zero", cmd("GLOBAL_SET"), me + globals_(plate([2000, 0])),
        errno.EINVAL, "strictly descending")
    add("mtu-plateaus of 65 values", cmd("GLOBAL_SET"),
        me + globals_(plate(list(range(65000, 64935, -1)))), errno.ERANGE, ANY)
    add("valid key with an invalid one (all or nothing)", cmd("GLOBAL_SET"),
        me + globals_(u32(G("UDP_TIMEOUT"), 600), u8(G("LOGGING_BIB"), 1),
                      u8(G("ZEROIZE_TRAFFIC_CLASS"), 7)), errno.ERANGE, "integer out of range")
    add("valid plateaus with an invalid key (all or nothing)", cmd("GLOBAL_SET"),
        me + globals_(plate([9000, 1500]), u32(G("ICMP_TIMEOUT"), 0)), errno.ERANGE,
        "integer out of range")

    # pool4.
    P = lambda k: c["NAT64_POOL4_" + k]     # noqa: E731
    add("pool4 add without an entry", cmd("POOL4_ADD"), me, errno.EINVAL, "missing pool4 entry")
    add("pool4 add without a name", cmd("POOL4_ADD"), pool4(), errno.EINVAL,
        "Missing instance name")
    add("pool4 add without a protocol", cmd("POOL4_ADD"), me + nest(
        A["NAT64_A_POOL4"], attr(P("ADDR"), ip4("203.0.113.8"))), errno.EINVAL,
        "missing pool4 protocol")
    add("pool4 add without an address", cmd("POOL4_ADD"), me + nest(
        A["NAT64_A_POOL4"], u8(P("PROTO"), IPPROTO_TCP)), errno.EINVAL, "missing pool4 address")
    add("pool4 protocol 47", cmd("POOL4_ADD"), me + pool4(proto=47), errno.EINVAL,
        "pool4 protocol must be TCP, UDP or ICMP")
    add("pool4 prefix length 33", cmd("POOL4_ADD"), me + pool4(plen=33), errno.ERANGE,
        "integer out of range")
    add("pool4 prefix length 8 (too many addresses)", cmd("POOL4_ADD"),
        me + pool4(addr="10.0.0.0", plen=8), errno.EINVAL, "pool4 entry too large")
    add("pool4 host bits", cmd("POOL4_ADD"), me + pool4(addr="203.0.113.9", plen=24),
        errno.EINVAL, "bits set past the prefix length")
    add("pool4 address of 5 bytes", cmd("POOL4_ADD"), me + nest(
        A["NAT64_A_POOL4"], u8(P("PROTO"), IPPROTO_TCP), attr(P("ADDR"), b"\xcb\0\x71\x08\0")),
        errno.ERANGE, ANY)
    add("pool4 ports reversed", cmd("POOL4_ADD"), me + pool4(pmin=2000, pmax=1000),
        errno.EINVAL, "minimum is above maximum")
    add("pool4 TCP port 0 only", cmd("POOL4_ADD"), me + pool4(pmin=0, pmax=0), errno.EINVAL,
        "port 0 is not usable")
    add("pool4 mark as a u16", cmd("POOL4_ADD"), me + pool4(extra=u16(P("MARK"), 1)),
        errno.EINVAL, "invalid attribute length")
    add("pool4 port as a u32", cmd("POOL4_ADD"), me + pool4(extra=u32(P("PORT_MIN"), 1)),
        errno.EINVAL, "invalid attribute length")
    add("pool4 add of an overlapping entry", cmd("POOL4_ADD"),
        me + pool4(addr="192.0.2.0", plen=24, pmin=1000, pmax=3000), errno.EEXIST, "overlaps")
    add("pool4 remove of a missing entry", cmd("POOL4_DEL"), me + pool4(addr="198.51.100.99"),
        errno.ESRCH, "no pool4 entry matches")
    add("pool4 remove of part of a port range", cmd("POOL4_DEL"),
        me + pool4(addr="192.0.2.1", pmin=2000, pmax=2001), errno.EOPNOTSUPP,
        "cannot take part of an entry's port range")
    add("pool4 flush with an unknown flag", cmd("POOL4_FLUSH"),
        me + u32(A["NAT64_A_FLAGS"], 0x80000000), errno.EINVAL, "unknown flag")
    add("pool4 remove with an unknown flag", cmd("POOL4_DEL"),
        me + pool4(addr="192.0.2.1") + u32(A["NAT64_A_FLAGS"], 2), errno.EINVAL, "unknown flag")
    add("pool4 flush of an unknown instance", cmd("POOL4_FLUSH"), ghost, errno.ESRCH,
        "No instance with that name")

    # BIB.
    add("bib add without an entry", cmd("BIB_ADD"), me, errno.EINVAL, "missing BIB entry")
    add("bib add without an IPv4 side", cmd("BIB_ADD"), me + bib(a4=None, p4=None),
        errno.EINVAL, "BIB entry needs the IPv6 and the IPv4 transport address")
    add("bib add without the IPv4 port", cmd("BIB_ADD"), me + bib(p4=None), errno.EINVAL,
        "a BIB transport address needs both its address and its port")
    add("bib add without the IPv6 port", cmd("BIB_ADD"), me + nest(
        A["NAT64_A_BIB"], u8(c["NAT64_BIB_PROTO"], IPPROTO_TCP),
        attr(c["NAT64_BIB_ADDR6"], ip6("2001:db8::9"))), errno.EINVAL,
        "a BIB transport address needs both its address and its port")
    add("bib add protocol 47", cmd("BIB_ADD"), me + bib(proto=47), errno.EINVAL,
        "BIB protocol must be TCP, UDP or ICMP")
    add("bib add IPv6 address of 4 bytes", cmd("BIB_ADD"), me + nest(
        A["NAT64_A_BIB"], u8(c["NAT64_BIB_PROTO"], IPPROTO_TCP),
        attr(c["NAT64_BIB_ADDR6"], ip4("192.0.2.1")), u16(c["NAT64_BIB_PORT6"], 1)),
        errno.ERANGE, ANY)
    add("bib add outside pool4", cmd("BIB_ADD"), me + bib(a4="198.51.100.7"), errno.EINVAL,
        "not in pool4")
    add("bib add of a taken IPv6 address", cmd("BIB_ADD"),
        me + bib(a6="2001:db8::5", p6=5000, a4="192.0.2.1", p4=2100), errno.EEXIST,
        "already has a binding")
    add("bib remove of a missing entry", cmd("BIB_DEL"), me + bib(a6="2001:db8::77"),
        errno.ESRCH, "no such BIB entry")

    # Dumps.
    add("pool4 dump without a name", cmd("POOL4_GET"), b"", errno.EINVAL,
        "Missing instance name", dump=True)
    add("pool4 dump of an unknown instance", cmd("POOL4_GET"), ghost, errno.ESRCH,
        "No instance with that name", dump=True)
    add("pool4 dump with protocol 47", cmd("POOL4_GET"), me + u8(A["NAT64_A_PROTO"], 47),
        errno.EINVAL, "protocol must be TCP, UDP or ICMP", dump=True)
    add("bib dump without a protocol", cmd("BIB_GET"), me, errno.EINVAL,
        "protocol (TCP, UDP or ICMP) is required", dump=True)
    add("bib dump with protocol 47", cmd("BIB_GET"), me + u8(A["NAT64_A_PROTO"], 47),
        errno.EINVAL, "protocol must be TCP, UDP or ICMP", dump=True)
    add("session dump with a name not NUL-terminated", cmd("SESSION_GET"),
        attr(A["NAT64_A_INAME"], b"abcd") + u8(A["NAT64_A_PROTO"], IPPROTO_TCP), errno.EINVAL,
        policy, dump=True)
    add("stats of an unknown instance", cmd("STATS_GET"), ghost, errno.ESRCH,
        "No instance with that name")
    add("instance status of an unknown instance", cmd("INSTANCE_GET"), ghost, errno.ESRCH,
        "No instance with that name")
    return t


def run_cases(inst):
    nl = Genl()
    before = snapshot(nl)
    print(f"configuration before: {digest(before)}")
    bad = 0
    for name, command, payload, err, msg, kw in case_table(inst):
        ans = nl.request(command, payload, **kw)
        problems = []
        if ans.error != -err:
            problems.append(f"errno {ans} instead of {errno.errorcode[err]}")
        if msg is NONE and ans.msg is not None:
            problems.append(f"unexpected extack '{ans.msg}'")
        elif msg is ANY and not ans.msg:
            problems.append("no extack message")
        elif msg not in (NONE, ANY) and (ans.msg is None or msg not in ans.msg):
            problems.append(f"extack '{ans.msg}' lacks '{msg}'")
        now = snapshot(nl)
        if now != before:
            problems.append(f"configuration changed: {digest(before)} -> {digest(now)}")
            before = now
        if problems:
            bad += 1
            print(f"FAIL: {name}: " + "; ".join(problems))
        else:
            print(f"ok: {name}: {ans}")
    # A datagram shorter than its nlmsg_len is dropped whole by netlink:
    # no answer to it, and the next request gets its own answer.
    seq = nl.next_seq()
    raw = Genl.message(nl.family, NLM_F_REQUEST | NLM_F_ACK, seq, H["NAT64_CMD_INSTANCE_DEL"],
                       iname(inst))
    nl.send_raw(struct.pack("I", len(raw) + 64) + raw[4:])
    probe = nl.request(H["NAT64_CMD_GLOBAL_GET"], iname(inst))
    if probe.error != 0 or snapshot(nl) != before:
        bad += 1
        print(f"FAIL: nlmsg_len past the datagram: next request got {probe}")
    else:
        print("ok: nlmsg_len past the datagram: dropped, the next request answered (OK)")
    print(f"configuration after: {digest(snapshot(nl))}")
    print(f"{len(case_table(inst)) + 1} malformed requests, {bad} failed")
    return 1 if bad else 0


# ------------------------------------------------------------- fuzzer

def templates():
    """One valid request of every command (instance names fz0..fz3)."""
    c = H
    cmd = lambda n: c["NAT64_CMD_" + n]     # noqa: E731
    G = lambda k: c["NAT64_G_" + k]         # noqa: E731
    me = iname("fz0")
    return [
        (cmd("INSTANCE_ADD"), iname("fz1") + u8(c["NAT64_A_FRAMEWORK"], 2) + pool6()),
        (cmd("INSTANCE_ADD"), iname("fz2") + u8(c["NAT64_A_FRAMEWORK"], 1) +
         pool6("2001:db8:64::", 96) + globals_(u32(G("UDP_TIMEOUT"), 600))),
        (cmd("INSTANCE_DEL"), iname("fz1")),
        (cmd("INSTANCE_GET"), me),
        (cmd("POOL4_ADD"), me + pool4(IPPROTO_UDP, "198.51.100.0", 28, 1000, 2000)),
        (cmd("POOL4_ADD"), me + pool4(IPPROTO_ICMP, "198.51.100.16", 30)),
        (cmd("POOL4_DEL"), me + pool4(IPPROTO_UDP, "198.51.100.4", 30) +
         u32(c["NAT64_A_FLAGS"], c["NAT64_FLAG_QUICK"])),
        (cmd("POOL4_FLUSH"), me),
        (cmd("BIB_ADD"), me + bib(IPPROTO_UDP, "2001:db8::7", 53, "198.51.100.1", 1500)),
        (cmd("BIB_DEL"), me + bib(IPPROTO_UDP, "2001:db8::7", 53, None, None)),
        (cmd("STATS_GET"), me),
        (cmd("GLOBAL_GET"), me),
        (cmd("GLOBAL_SET"), me + globals_(
            u8(G("MANUALLY_ENABLED"), 1), u32(G("LOWEST_IPV6_MTU"), 1400),
            attr(G("MTU_PLATEAUS"), struct.pack("3H", 9000, 1500, 1280)),
            u32(G("TCP_EST_TIMEOUT"), 7300), u32(G("ICMP_TIMEOUT"), 30),
            u8(G("F_ARGS"), 3), u32(G("MAXIMUM_SESSIONS"), 100000))),
    ]


DUMPS = ("INSTANCE_GET", "POOL4_GET", "BIB_GET", "SESSION_GET")


def mutate(rng, payload):
    b = bytearray(payload)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if op == 0 and b:                       # flip bits
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif op == 1 and b:                     # random byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 2 and b:                     # truncate
            del b[rng.randrange(len(b)):]
        elif op == 3 and len(b) >= 4:           # lie in a length field
            at = rng.randrange(0, len(b) - 1) & ~1
            struct.pack_into("H", b, at, rng.choice((0, 1, 3, 4, 5, 0xffff,
                                                     rng.randrange(65536))))
        elif op == 4:                           # append a random attribute
            b += attr(rng.randrange(H["NAT64_A_MAX"] + 3) | rng.choice((0, NLA_F_NESTED)),
                      os.urandom(rng.randrange(0, 24)) if rng.random() < 0.5 else
                      struct.pack("I", rng.choice((0, 1, 0xffffffff, rng.randrange(1 << 32)))))
        elif op == 5 and b:                     # duplicate a slice
            i = rng.randrange(len(b))
            b += b[i:i + rng.randrange(1, 16)]
        elif op == 6:                           # extreme integers at a spot
            if len(b) >= 8:
                at = rng.randrange(len(b) - 3)
                struct.pack_into("I", b, at, rng.choice((0, 0xffffffff, 0x80000000, 7201)))
    return bytes(b)


def fuzz(seed, seconds):
    rng = random.Random(seed)
    print(f"fuzz seed {seed}, {seconds} s (replay: nl_abuse.py fuzz {seed} {seconds})")
    nl = Genl(timeout=30.0)
    base = templates()
    sent = 0
    answers = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cmd, payload = rng.choice(base)
        payload = mutate(rng, payload) if rng.random() < 0.9 else payload
        if rng.random() < 0.05:
            cmd = rng.randrange(256)
        dump = rng.random() < 0.1 or (cmd in [H["NAT64_CMD_" + d] for d in DUMPS] and
                                       rng.random() < 0.7)
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK) | \
            (rng.choice((0, 0x8, 0x10, 0x20, 0x400, 0x800)) if rng.random() < 0.1 else 0)
        version = rng.randrange(256) if rng.random() < 0.02 else 1
        try:
            ans = nl.request(cmd, payload, flags=flags, version=version)
        except socket.timeout:
            print(f"FAIL: no answer after message {sent + 1} (cmd {cmd}, flags {flags:#x},"
                  f" payload {payload.hex()})")
            return 1
        sent += 1
        key = str(ans).split(" [")[0]
        answers[key] = answers.get(key, 0) + 1
    print(f"fuzz: {sent} messages sent, answers: " +
          ", ".join(f"{k} {v}" for k, v in sorted(answers.items(), key=lambda kv: -kv[1])))
    print(f"FUZZ_SENT {sent}")
    return 0


def must(nl, what, cmd, payload):
    ans = nl.request(cmd, payload)
    if ans.error != 0:
        raise SystemExit(f"FAIL: {what}: {ans}")


def cycles(keep, n):
    """Instance lifecycle (alternating frameworks, with pool4, a static
    binding and globals) and pool4/BIB churn on an instance that stays."""
    c = H
    cmd = lambda x: c["NAT64_CMD_" + x]     # noqa: E731
    G = lambda k: c["NAT64_G_" + k]         # noqa: E731
    nl = Genl(timeout=60.0)
    t0 = time.monotonic()
    for i in range(n):
        name = f"cyc{i % 7}"
        fw = c["NAT64_FW_NETFILTER"] if i % 2 else c["NAT64_FW_IPTABLES"]
        me = iname(name)
        must(nl, f"cycle {i}: instance add {name}", cmd("INSTANCE_ADD"),
             me + u8(c["NAT64_A_FRAMEWORK"], fw) + pool6() +
             globals_(u32(G("UDP_TIMEOUT"), 600 + i % 100)))
        must(nl, f"cycle {i}: pool4 add", cmd("POOL4_ADD"),
             me + pool4(IPPROTO_UDP, "198.51.100.0", 30, 1000, 2000))
        must(nl, f"cycle {i}: pool4 add", cmd("POOL4_ADD"),
             me + pool4(IPPROTO_TCP, "198.51.100.0", 24, 1000, 1100))
        must(nl, f"cycle {i}: bib add", cmd("BIB_ADD"),
             me + bib(IPPROTO_UDP, "2001:db8::7", 53, "198.51.100.1", 1500 + i % 500))
        must(nl, f"cycle {i}: global update", cmd("GLOBAL_SET"),
             me + globals_(u8(G("LOGGING_BIB"), i & 1), u32(G("MAXIMUM_SESSIONS"), i)))
        must(nl, f"cycle {i}: instance remove {name}", cmd("INSTANCE_DEL"), me)
    t1 = time.monotonic()
    me = iname(keep)
    for i in range(n):
        addr = f"203.0.113.{(i % 8) * 16}"
        must(nl, f"pool4 cycle {i}: add", cmd("POOL4_ADD"),
             me + pool4(IPPROTO_UDP, addr, 28, 2000, 2999))
        must(nl, f"pool4 cycle {i}: bib add", cmd("BIB_ADD"),
             me + bib(IPPROTO_UDP, "2001:db8::8", 1000 + i, addr.rsplit(".", 1)[0] + "." +
                      str((i % 8) * 16 + 1), 2500))
        quick = u32(c["NAT64_A_FLAGS"], c["NAT64_FLAG_QUICK"]) if i % 2 else b""
        must(nl, f"pool4 cycle {i}: remove", cmd("POOL4_DEL"),
             me + pool4(IPPROTO_UDP, addr, 28) + quick)
        if i % 2:   # --quick keeps the binding: remove it by hand
            must(nl, f"pool4 cycle {i}: bib remove", cmd("BIB_DEL"),
                 me + bib(IPPROTO_UDP, "2001:db8::8", 1000 + i, None, None))
    t2 = time.monotonic()
    left = [r for r in snapshot(nl) if r[0].startswith(("pool4 " + keep, "bib " + keep))]
    if left:
        raise SystemExit(f"FAIL: {len(left)} pool4/BIB rows left on {keep} after the cycles")
    print(f"CYCLES instance {n} in {t1 - t0:.1f} s, pool4 {n} in {t2 - t1:.1f} s")
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "cases":
        return run_cases(sys.argv[2])
    if len(sys.argv) == 4 and sys.argv[1] == "fuzz":
        return fuzz(int(sys.argv[2]), float(sys.argv[3]))
    if len(sys.argv) == 4 and sys.argv[1] == "cycles":
        return cycles(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) == 2 and sys.argv[1] == "snapshot":
        print(digest(snapshot(Genl())))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
