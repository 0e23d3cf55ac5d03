// nat64_parse6 / nat64_parse4: what they extract and what they drop.
#include <gtest/gtest.h>

#include "pkt_util.h"

using namespace t;

namespace {

L4 udp(uint16_t s = 5000, uint16_t d = 53, size_t payload = 12)
{
	L4 l{IPPROTO_UDP};
	l.sport = s;
	l.dport = d;
	l.payload.assign(payload, 0xab);
	return l;
}

L4 tcp(uint16_t s = 40000, uint16_t d = 80, uint8_t flags = 0x02)
{
	L4 l{IPPROTO_TCP};
	l.sport = s;
	l.dport = d;
	l.tcp_flags = flags;
	l.opts = {2, 4, 5, 0xb4};
	return l;
}

L4 echo(uint8_t type, uint16_t id, size_t payload = 8)
{
	L4 l{IPPROTO_ICMP};
	l.icmp_type = type;
	l.sport = id;
	l.payload.assign(payload, 0x5a);
	return l;
}

// Extension headers (8 bytes each; Routing with the given Segments Left).
Bytes opts_hdr(uint8_t nh) { return {nh, 0, 1, 4, 0, 0, 0, 0}; }
Bytes routing(uint8_t nh, uint8_t segs_left) { return {nh, 0, 0, segs_left, 0, 0, 0, 0}; }
Bytes frag_hdr(uint8_t nh, uint16_t off, bool more, uint32_t id)
{
	Bytes f{nh, 0, 0, 0, 0, 0, 0, 0};
	put16(&f[2], (uint16_t)(off | (more ? 1 : 0)));
	put32(&f[4], id);
	return f;
}

V6 with_ext(uint8_t first, std::initializer_list<Bytes> hdrs)
{
	V6 h;
	h.first_nh = first;
	for (const Bytes &b : hdrs)
		h.ext.insert(h.ext.end(), b.begin(), b.end());
	return h;
}

struct Parsed {
	int rc;
	nat64_stat why = NAT64_STAT_UNUSED;
	nat64_pkt pkt{};
};

Parsed p6(const Bytes &b, uint32_t len = UINT32_MAX)
{
	Parsed r;
	r.rc = nat64_parse6(b.data(), std::min<uint32_t>(len, (uint32_t)b.size()), &r.pkt, &r.why);
	return r;
}

Parsed p4(const Bytes &b, uint32_t len = UINT32_MAX)
{
	Parsed r;
	r.rc = nat64_parse4(b.data(), std::min<uint32_t>(len, (uint32_t)b.size()), &r.pkt, &r.why);
	return r;
}

#define EXPECT_DROP(r, counter)                          \
	do {                                             \
		Parsed r_ = (r);                         \
		EXPECT_EQ(r_.rc, -EINVAL);               \
		EXPECT_EQ(r_.why, NAT64_STAT_##counter); \
	} while (0)

// ---- what is extracted ------------------------------------------------

TEST(Parse6, Udp)
{
	V6 h;
	h.tc = 0xb8;
	Parsed r = p6(ip6(h, udp()));
	ASSERT_EQ(r.rc, 0);
	const nat64_pkt &p = r.pkt;
	EXPECT_EQ(p.tot_len, 40u + 8 + 12);
	EXPECT_EQ(p.l3_len, 40);
	EXPECT_EQ(p.l4_len, 8);
	EXPECT_EQ(p.proto, IPPROTO_UDP);
	EXPECT_EQ(p.ttl, 64);
	EXPECT_EQ(p.tos, 0xb8);
	EXPECT_FALSE(p.frag);
	EXPECT_FALSE(p.icmp_error);
	EXPECT_EQ(memcmp(&p.t6.src, &h.src, 16), 0);
	EXPECT_EQ(memcmp(&p.t6.dst, &h.dst, 16), 0);
	EXPECT_EQ(p.t6.sport, htons(5000));
	EXPECT_EQ(p.t6.dport, htons(53));
	EXPECT_EQ(p.t6.proto, IPPROTO_UDP);
}

TEST(Parse6, TcpFlagsAndLength)
{
	Parsed r = p6(ip6(V6{}, tcp(1, 2, 0x11)));
	ASSERT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.l4_len, 20);	// options are not rewritten
	EXPECT_EQ(r.pkt.tcp_flags, 0x11);
	EXPECT_EQ(r.pkt.t6.sport, htons(1));
	EXPECT_EQ(r.pkt.t6.dport, htons(2));
}

TEST(Parse6, EchoIdentifierIsBothPorts)
{
	Parsed r = p6(ip6(V6{}, echo(ICMPV6_ECHO_REQUEST, 0x1234)));
	ASSERT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.proto, IPPROTO_ICMPV6);
	EXPECT_EQ(r.pkt.t6.proto, IPPROTO_ICMP);
	EXPECT_EQ(r.pkt.t6.sport, htons(0x1234));
	EXPECT_EQ(r.pkt.t6.dport, htons(0x1234));
	EXPECT_EQ(r.pkt.icmp_type, ICMPV6_ECHO_REQUEST);
	EXPECT_EQ(r.pkt.l4_len, 8);
}

TEST(Parse6, SkipsOptionHeaders)
{
	V6 h = with_ext(IPPROTO_HOPOPTS, {opts_hdr(IPPROTO_DSTOPTS), opts_hdr(IPPROTO_ROUTING),
					  routing(IPPROTO_UDP, 0)});
	Parsed r = p6(ip6(h, udp()));
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.l3_len, 40 + 24);
	EXPECT_EQ(r.pkt.t6.dport, htons(53));
}

TEST(Parse6, OnlyHeadersNeedBeLinear)
{
	Bytes b = ip6(V6{}, udp(5000, 53, 1000));
	Parsed r = p6(b, 48);
	ASSERT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.tot_len, b.size());
}

TEST(Parse6, FirstFragment)
{
	Bytes b = ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_UDP, 0, true, 0xdeadbeef)}), udp());
	Parsed r = p6(b);
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.frag);
	EXPECT_TRUE(r.pkt.more_frags);
	EXPECT_EQ(r.pkt.frag_off, 0);
	EXPECT_EQ(r.pkt.frag_id, 0xdeadbeefu);
	EXPECT_EQ(r.pkt.l3_len, 48);
	EXPECT_EQ(r.pkt.l4_len, 8);
	EXPECT_EQ(r.pkt.t6.sport, htons(5000));
}

TEST(Parse6, LaterFragmentHasNoPorts)
{
	Bytes b = ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_UDP, 1448, false, 7)}), udp());
	Parsed r = p6(b);
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.frag);
	EXPECT_EQ(r.pkt.frag_off, 1448);
	EXPECT_EQ(r.pkt.l4_len, 0);
	EXPECT_EQ(r.pkt.t6.sport, 0);
	EXPECT_EQ(r.pkt.t6.dport, 0);
	EXPECT_EQ(r.pkt.t6.proto, IPPROTO_UDP);
}

TEST(Parse6, AtomicFragmentKeepsPorts)
{
	Bytes b = ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_ICMPV6, 0, false, 9)}),
		      echo(ICMPV6_ECHO_REPLY, 77));
	Parsed r = p6(b);
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.frag);
	EXPECT_FALSE(r.pkt.more_frags);
	EXPECT_EQ(r.pkt.t6.sport, htons(77));
}

TEST(Parse4, UdpWithOptions)
{
	V4 h;
	h.opts = {1, 1, 1, 0};	// NOP NOP NOP EOL
	h.tos = 0x10;
	Parsed r = p4(ip4(h, udp(53, 61001)));
	ASSERT_EQ(r.rc, 0) << r.why;
	const nat64_pkt &p = r.pkt;
	EXPECT_EQ(p.l3_len, 24);
	EXPECT_EQ(p.l4_len, 8);
	EXPECT_EQ(p.tot_len, 24u + 8 + 12);
	EXPECT_TRUE(p.df);
	EXPECT_FALSE(p.frag);
	EXPECT_EQ(p.tos, 0x10);
	EXPECT_EQ(p.t4.src, h.src);
	EXPECT_EQ(p.t4.dst, h.dst);
	EXPECT_EQ(p.t4.sport, htons(53));
	EXPECT_EQ(p.t4.dport, htons(61001));
	EXPECT_FALSE(p.udp_csum_zero);
}

TEST(Parse4, ExpiredSourceRouteIsIgnored)
{
	V4 h;
	h.opts = {IPOPT_LSRR, 7, 8, 10, 0, 0, 1, 0};	// pointer past the route
	Parsed r = p4(ip4(h, udp()));
	EXPECT_EQ(r.rc, 0);
	EXPECT_FALSE(r.pkt.src_route);
}

TEST(Parse4, Fragments)
{
	V4 h;
	h.frag = 0x2000;	// MF, offset 0
	h.id = 0xbeef;
	Parsed r = p4(ip4(h, tcp()));
	ASSERT_EQ(r.rc, 0);
	EXPECT_TRUE(r.pkt.frag);
	EXPECT_TRUE(r.pkt.more_frags);
	EXPECT_FALSE(r.pkt.df);
	EXPECT_EQ(r.pkt.frag_id, 0xbeefu);
	EXPECT_EQ(r.pkt.l4_len, 20);
	h.frag = 100;	// offset 800, last
	r = p4(ip4(h, tcp()));
	ASSERT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.frag_off, 800);
	EXPECT_FALSE(r.pkt.more_frags);
	EXPECT_EQ(r.pkt.l4_len, 0);
	EXPECT_EQ(r.pkt.t4.sport, 0);
}

TEST(Parse4, UdpZeroChecksum)
{
	Bytes b = ip4(V4{}, udp());
	put16(&b[26], 0);
	Parsed r = p4(b);
	ASSERT_EQ(r.rc, 0);
	EXPECT_TRUE(r.pkt.udp_csum_zero);
}

TEST(Parse4, EchoIdentifierIsBothPorts)
{
	Parsed r = p4(ip4(V4{}, echo(ICMP_ECHO, 0x4321)));
	ASSERT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.t4.sport, htons(0x4321));
	EXPECT_EQ(r.pkt.t4.dport, htons(0x4321));
	EXPECT_EQ(r.pkt.t4.proto, IPPROTO_ICMP);
}

TEST(Parse, CallerInputsAreCleared)
{
	nat64_pkt p;
	memset(&p, 0xff, sizeof(p));
	enum nat64_stat why;
	Bytes b = ip6(V6{}, udp());
	ASSERT_EQ(nat64_parse6(b.data(), (uint32_t)b.size(), &p, &why), 0);
	EXPECT_FALSE(p.csum_partial);
	EXPECT_EQ(p.ip4_id, 0);
	EXPECT_FALSE(p.icmp_error);
}

TEST(Parse6, IcmpErrorInnerTuple)
{
	L4 q = echo(ICMPV6_ECHO_REQUEST, 0x9999);
	V6 qh;
	qh.src = a6("2001:db8::5");
	qh.dst = a6("64:ff9b::1.2.3.4");
	Bytes quoted = ip6(qh, q);
	L4 err{IPPROTO_ICMP};
	err.icmp_type = ICMPV6_TIME_EXCEED;
	err.payload = quoted;
	Parsed r = p6(ip6(V6{}, err));
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.icmp_error);
	EXPECT_EQ(r.pkt.icmp_type, ICMPV6_TIME_EXCEED);
	EXPECT_EQ(r.pkt.t6.sport, 0);
	EXPECT_EQ(r.pkt.inner_off, 48);
	EXPECT_EQ(memcmp(&r.pkt.inner6.src, &qh.src, 16), 0);
	EXPECT_EQ(memcmp(&r.pkt.inner6.dst, &qh.dst, 16), 0);
	EXPECT_EQ(r.pkt.inner6.sport, htons(0x9999));
	EXPECT_EQ(r.pkt.inner6.dport, htons(0x9999));
	EXPECT_EQ(r.pkt.inner6.proto, IPPROTO_ICMP);
}

TEST(Parse4, IcmpErrorInnerTuple)
{
	V4 qh;
	qh.src = a4("198.51.100.1");
	qh.dst = a4("192.0.2.1");
	Bytes quoted = ip4(qh, tcp(61001, 443));
	quoted.resize(28);	// IP header + 64 bits, as RFC 792 routers quote
	L4 err{IPPROTO_ICMP};
	err.icmp_type = ICMP_DEST_UNREACH;
	err.payload = quoted;
	Parsed r = p4(ip4(V4{}, err));
	ASSERT_EQ(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.icmp_error);
	EXPECT_EQ(r.pkt.inner_off, 28);
	EXPECT_EQ(r.pkt.inner4.src, qh.src);
	EXPECT_EQ(r.pkt.inner4.dst, qh.dst);
	EXPECT_EQ(r.pkt.inner4.sport, htons(61001));
	EXPECT_EQ(r.pkt.inner4.dport, htons(443));
	EXPECT_EQ(r.pkt.inner4.proto, IPPROTO_TCP);
}

// ---- what is dropped, and which counter says so ----------------------

TEST(Parse6Drop, TruncatedOrLyingHeader)
{
	Bytes b = ip6(V6{}, udp());
	EXPECT_DROP(p6(b, 39), DROP_TRUNCATED6);
	EXPECT_DROP(p6(Bytes{}), DROP_TRUNCATED6);
	Bytes v = b;
	v[0] = 0x40;
	EXPECT_DROP(p6(v), DROP_TRUNCATED6);
	// Extension header past the payload length, or past the linear bytes.
	Bytes e = ip6(with_ext(IPPROTO_DSTOPTS, {opts_hdr(IPPROTO_UDP)}), udp());
	Bytes lie = e;
	put16(&lie[4], 4);
	EXPECT_DROP(p6(lie), DROP_TRUNCATED6);
	EXPECT_DROP(p6(e, 44), DROP_TRUNCATED6);
	e[41] = 200;	// header length far past the packet
	EXPECT_DROP(p6(e), DROP_TRUNCATED6);
}

TEST(Parse6Drop, ExtensionHeaders)
{
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_ROUTING, {routing(IPPROTO_UDP, 1)}), udp())),
		    DROP_BAD_EXTHDR);
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_DSTOPTS, {opts_hdr(IPPROTO_HOPOPTS),
						      opts_hdr(IPPROTO_UDP)}), udp())),
		    DROP_BAD_EXTHDR);
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_FRAGMENT, 0, false, 1),
						       frag_hdr(IPPROTO_UDP, 0, false, 1)}), udp())),
		    DROP_BAD_EXTHDR);
	V6 many;
	many.first_nh = IPPROTO_DSTOPTS;
	for (int i = 0; i < 9; i++) {
		Bytes o = opts_hdr(i == 8 ? (uint8_t)IPPROTO_UDP : (uint8_t)IPPROTO_DSTOPTS);
		many.ext.insert(many.ext.end(), o.begin(), o.end());
	}
	EXPECT_DROP(p6(ip6(many, udp())), DROP_BAD_EXTHDR);
	many.ext.resize(8 * 8);
	many.ext[7 * 8] = IPPROTO_UDP;
	EXPECT_EQ(p6(ip6(many, udp())).rc, 0);	// 8 are fine
}

// RFC 7915 §5.1: the caller answers Parameter Problem pointing at the
// Segments Left byte of a Routing header still in use.
TEST(Parse6Drop, RoutingHeaderInUsePointsAtSegmentsLeft)
{
	Parsed r = p6(ip6(with_ext(IPPROTO_ROUTING, {routing(IPPROTO_UDP, 1)}), udp()));
	EXPECT_EQ(r.why, NAT64_STAT_DROP_BAD_EXTHDR);
	EXPECT_EQ(r.pkt.segments_left_off, 40 + 3);
	r = p6(ip6(with_ext(IPPROTO_DSTOPTS, {opts_hdr(IPPROTO_ROUTING),
					     routing(IPPROTO_UDP, 2)}), udp()));
	EXPECT_EQ(r.why, NAT64_STAT_DROP_BAD_EXTHDR);
	EXPECT_EQ(r.pkt.segments_left_off, 40 + 8 + 3);
	// Used up: skipped, no pointer.
	r = p6(ip6(with_ext(IPPROTO_ROUTING, {routing(IPPROTO_UDP, 0)}), udp()));
	EXPECT_EQ(r.rc, 0);
	EXPECT_EQ(r.pkt.segments_left_off, 0);
	// Other refusals carry no pointer.
	Parsed t = p6(ip6(with_ext(IPPROTO_DSTOPTS, {opts_hdr(IPPROTO_HOPOPTS),
						    opts_hdr(IPPROTO_UDP)}), udp()));
	EXPECT_EQ(t.why, NAT64_STAT_DROP_BAD_EXTHDR);
	EXPECT_EQ(t.pkt.segments_left_off, 0);
}

TEST(Parse6Drop, UnknownProtocols)
{
	Bytes b = ip6(V6{}, udp());
	const int nhs[] = {IPPROTO_NONE, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ESP, IPPROTO_AH,
			   IPPROTO_SCTP};
	for (int nh : nhs) {
		b[6] = (uint8_t)nh;
		EXPECT_DROP(p6(b), DROP_UNKNOWN_PROTO);
	}
}

TEST(Parse6Drop, TransportHeader)
{
	Bytes b = ip6(V6{}, udp(1, 2, 0));
	EXPECT_DROP(p6(b, 47), DROP_L4_TRUNCATED);	// not linear
	Bytes s = b;
	put16(&s[4], 4);	// payload length shorter than UDP
	EXPECT_DROP(p6(s), DROP_L4_TRUNCATED);
	Bytes u = ip6(V6{}, udp());
	put16(&u[44], 100);	// UDP length past the packet
	EXPECT_DROP(p6(u), DROP_L4_TRUNCATED);
	put16(&u[44], 7);
	EXPECT_DROP(p6(u), DROP_L4_TRUNCATED);
	Bytes t = ip6(V6{}, tcp());
	t[52] = 0xf0;	// data offset 60 > 24 bytes
	EXPECT_DROP(p6(t), DROP_L4_TRUNCATED);
	t[52] = 0x40;	// data offset 16 < 20
	EXPECT_DROP(p6(t), DROP_L4_TRUNCATED);
	EXPECT_DROP(p6(ip6(V6{}, tcp()), 59), DROP_L4_TRUNCATED);
	Bytes z = ip6(V6{}, udp());
	put16(&z[46], 0);
	EXPECT_DROP(p6(z), DROP_CHECKSUM);
}

TEST(Parse6Drop, Fragments)
{
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_ICMPV6, 0, true, 1)}),
			   echo(ICMPV6_ECHO_REQUEST, 1))),
		    DROP_FRAGMENT);
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_ICMPV6, 8, false, 1)}),
			   echo(ICMPV6_ECHO_REQUEST, 1))),
		    DROP_FRAGMENT);
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_DSTOPTS, 0, true, 1),
						       opts_hdr(IPPROTO_UDP)}), udp())),
		    DROP_FRAGMENT);
	EXPECT_DROP(p6(ip6(with_ext(IPPROTO_FRAGMENT, {frag_hdr(IPPROTO_DSTOPTS, 16, false, 1),
						       opts_hdr(IPPROTO_UDP)}), udp())),
		    DROP_FRAGMENT);
}

TEST(Parse6Drop, IcmpTypes)
{
	for (uint8_t type : {130, 133, 134, 135, 136, 137, 0, 5, 127, 200}) {
		Bytes b = ip6(V6{}, echo(type, 1));
		EXPECT_DROP(p6(b), DROP_ICMP6_TYPE);
	}
}

TEST(Parse4Drop, Header)
{
	Bytes b = ip4(V4{}, udp());
	EXPECT_DROP(p4(b, 19), DROP_TRUNCATED4);
	Bytes v = b;
	v[0] = 0x65;
	EXPECT_DROP(p4(v), DROP_TRUNCATED4);
	Bytes ihl = b;
	ihl[0] = 0x44;
	EXPECT_DROP(p4(ihl), DROP_TRUNCATED4);
	Bytes tot = b;
	put16(&tot[2], 16);
	EXPECT_DROP(p4(tot), DROP_TRUNCATED4);
	V4 h;
	h.opts = {1, 1, 1, 1};
	EXPECT_DROP(p4(ip4(h, udp()), 22), DROP_TRUNCATED4);	// options not linear
	h.opts = {0x44, 1, 0, 0};	// option length < 2
	EXPECT_DROP(p4(ip4(h, udp())), DROP_TRUNCATED4);
	h.opts = {0x44, 12, 5, 0};	// option longer than the header
	EXPECT_DROP(p4(ip4(h, udp())), DROP_TRUNCATED4);
}

// An unexpired source route is not malformed: the packet parses whole (the
// caller needs its tuple to tell whether it is its own) and is flagged.
TEST(Parse4, UnexpiredSourceRouteIsFlagged)
{
	V4 h;
	h.opts = {IPOPT_SSRR, 7, 4, 10, 0, 0, 1, 0};
	Parsed r = p4(ip4(h, udp()));
	ASSERT_EQ(r.rc, 0);
	EXPECT_TRUE(r.pkt.src_route);
	EXPECT_EQ(r.pkt.t4.dport, htons(53));	// the tuple is there
	h.opts = {IPOPT_NOOP, IPOPT_LSRR, 7, 8, 10, 0, 0, 1};	// pointer = length + 1
	r = p4(ip4(h, udp()));
	ASSERT_EQ(r.rc, 0);
	EXPECT_FALSE(r.pkt.src_route);
	h.opts = {IPOPT_NOOP, IPOPT_LSRR, 7, 7, 10, 0, 0, 1};	// last hop left
	EXPECT_TRUE(p4(ip4(h, udp())).pkt.src_route);
}

TEST(Parse4Drop, TransportAndProtocol)
{
	Bytes b = ip4(V4{}, udp());
	b[9] = IPPROTO_GRE;
	EXPECT_DROP(p4(b), DROP_UNKNOWN_PROTO);
	b[9] = IPPROTO_ICMPV6;
	EXPECT_DROP(p4(b), DROP_UNKNOWN_PROTO);
	EXPECT_DROP(p4(ip4(V4{}, tcp()), 39), DROP_L4_TRUNCATED);
	Bytes u = ip4(V4{}, udp());
	put16(&u[24], 200);
	EXPECT_DROP(p4(u), DROP_L4_TRUNCATED);
	V4 mf;
	mf.frag = 0x2000;
	Bytes z = ip4(mf, udp());
	put16(&z[26], 0);
	EXPECT_DROP(p4(z), DROP_UDP_ZERO_CSUM_FRAG);
	EXPECT_DROP(p4(ip4(mf, echo(ICMP_ECHO, 1))), DROP_FRAGMENT);
}

TEST(Parse4Drop, IcmpTypes)
{
	for (uint8_t type : {4, 5, 6, 9, 10, 13, 14, 15, 16, 17, 18, 30, 255}) {
		EXPECT_DROP(p4(ip4(V4{}, echo(type, 1))), DROP_ICMP4_TYPE);
	}
}

}  // namespace
