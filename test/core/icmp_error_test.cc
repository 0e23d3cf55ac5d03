// ICMP errors: RFC 7915 §4.2/§5.2 type, code and pointer mappings, MTU
// arithmetic, inner packet translation and truncation.
#include <gtest/gtest.h>

#include <tuple>

#include "pkt_util.h"

using namespace t;

namespace {

const char *H6 = "2001:db8::1";
const char *S6 = "64:ff9b::c000:221";
const char *R6 = "64:ff9b::cb00:7101";
const char *P4 = "198.51.100.1";
const char *S4 = "192.0.2.33";
const char *R4 = "203.0.113.1";

L4 udp(uint16_t s, uint16_t d, size_t payload)
{
	L4 l{IPPROTO_UDP};
	l.sport = s;
	l.dport = d;
	l.payload.assign(payload, 0x33);
	return l;
}

// ICMPv6 error from src to dst (outer header h) quoting inner.
Bytes icmp6_err(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner, V6 h = V6{})
{
	Bytes msg(8);
	msg[0] = type;
	msg[1] = code;
	put32(&msg[4], rest);
	msg.insert(msg.end(), inner.begin(), inner.end());
	Bytes p(40);
	p[0] = 0x60;
	put16(&p[4], (uint16_t)(h.ext.size() + msg.size()));
	p[6] = h.ext.empty() ? (uint8_t)IPPROTO_ICMPV6 : h.first_nh;
	p[7] = h.hlim;
	memcpy(&p[8], &h.src, 16);
	memcpy(&p[24], &h.dst, 16);
	put16(&msg[2], finish(sum(msg, pseudo6(&p[8], (uint32_t)msg.size(), IPPROTO_ICMPV6))));
	p.insert(p.end(), h.ext.begin(), h.ext.end());
	p.insert(p.end(), msg.begin(), msg.end());
	return p;
}

Bytes icmp4_err(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner, V4 h = V4{})
{
	Bytes msg(8);
	msg[0] = type;
	msg[1] = code;
	put32(&msg[4], rest);
	msg.insert(msg.end(), inner.begin(), inner.end());
	put16(&msg[2], finish(sum(msg)));
	Bytes p(20);
	p[0] = 0x45;
	put16(&p[2], (uint16_t)(20 + msg.size()));
	p[8] = h.ttl;
	p[9] = IPPROTO_ICMP;
	memcpy(&p[12], &h.src, 4);
	memcpy(&p[16], &h.dst, 4);
	ip4_csum(p);
	p.insert(p.end(), msg.begin(), msg.end());
	return p;
}

// The packet an IPv6 error quotes: S6:53 -> H6:5000 (a 4->6 reply).
Bytes quoted6(size_t payload = 20, V6 h = V6{})
{
	h.src = a6(S6);
	h.dst = a6(H6);
	h.hlim = 60;
	return ip6(h, udp(53, 5000, payload));
}

// The packet an IPv4 error quotes: P4:61001 -> S4:53 (a 6->4 request).
Bytes quoted4(size_t payload = 20)
{
	V4 h;
	h.src = a4(P4);
	h.dst = a4(S4);
	h.ttl = 30;
	return ip4(h, udp(61001, 53, payload));
}

V6 err6_hdr()
{
	V6 h;
	h.src = a6(H6);
	h.dst = a6(S6);
	return h;
}

V4 err4_hdr()
{
	V4 h;
	h.src = a4(R4);
	h.dst = a4(P4);
	return h;
}

const nat64_tuple4 OUT4 = tuple4(P4, 0, S4, 0, IPPROTO_ICMP);
const nat64_tuple4 IN4 = tuple4(S4, 53, P4, 61001, IPPROTO_UDP);
const nat64_tuple6 OUT6 = tuple6(R6, 0, H6, 0, IPPROTO_ICMP);
const nat64_tuple6 IN6 = tuple6(H6, 5000, S6, 53, IPPROTO_UDP);

Xr err6(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner = quoted6())
{
	return xlat6to4(icmp6_err(type, code, rest, inner, err6_hdr()), OUT4, &IN4);
}

Xr err4(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner = quoted4(),
	 const nat64_xlat_cfg &cfg = default_cfg())
{
	return xlat4to6(icmp4_err(type, code, rest, inner, err4_hdr()), OUT6, &IN6, cfg);
}

// ---- ICMPv6 -> ICMPv4 (§5.2) ----------------------------------------------

struct Map {
	uint8_t type, code;
	int out_type, out_code;	// -1: dropped
};

class Err6to4 : public ::testing::TestWithParam<Map> {};

TEST_P(Err6to4, TypeAndCode)
{
	const Map &m = GetParam();
	Xr r = err6(m.type, m.code, 0);
	if (m.out_type < 0) {
		EXPECT_EQ(r.rc, -EINVAL);
		EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP6_TYPE);
		EXPECT_FALSE(r.parsed);	// refused before state is consulted
		return;
	}
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[20], m.out_type);
	EXPECT_EQ(r.out[21], m.out_code);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

INSTANTIATE_TEST_SUITE_P(Rfc7915, Err6to4, ::testing::Values(
	Map{1, 0, 3, 1}, Map{1, 1, 3, 10}, Map{1, 2, 3, 1}, Map{1, 3, 3, 1}, Map{1, 4, 3, 3},
	Map{1, 5, -1, -1}, Map{1, 6, -1, -1}, Map{2, 0, 3, 4}, Map{3, 0, 11, 0},
	Map{3, 1, 11, 1}, Map{4, 1, 3, 2}, Map{4, 2, -1, -1}, Map{4, 3, -1, -1},
	Map{0, 0, -1, -1}, Map{5, 0, -1, -1}, Map{100, 0, -1, -1}));

TEST(Err6to4Pointer, Figure6)
{
	const std::pair<uint32_t, int> cases[] = {
		{0, 0}, {1, 1}, {2, -1}, {3, -1}, {4, 2}, {5, 2}, {6, 9}, {7, 8}, {8, 12},
		{23, 12}, {24, 16}, {39, 16}, {40, -1}, {0x10000, -1},
	};
	for (auto [ptr, want] : cases) {
		Xr r = err6(ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, ptr);
		if (want < 0) {
			EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP6_TYPE) << ptr;
			continue;
		}
		ASSERT_GT(r.rc, 0) << ptr;
		EXPECT_EQ(r.out[20], ICMP_PARAMETERPROB);
		EXPECT_EQ(r.out[21], 0);
		EXPECT_EQ(get32(&r.out[24]), (uint32_t)want << 24) << ptr;
		EXPECT_TRUE(l4_csum_ok(r.out));
	}
}

TEST(Err6to4, PacketTooBigMtu)
{
	Xr r = err6(ICMPV6_PKT_TOOBIG, 0, 1500);
	ASSERT_GT(r.rc, 0);
	EXPECT_EQ(get32(&r.out[24]), 1480u);
	// A quoted Fragment Header means 8 more bytes the IPv4 packet lacks.
	V6 fh;
	fh.first_nh = IPPROTO_FRAGMENT;
	fh.ext = {IPPROTO_UDP, 0, 0, 1, 0, 0, 0, 5};
	r = err6(ICMPV6_PKT_TOOBIG, 0, 1280, quoted6(20, fh));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get32(&r.out[24]), 1252u);
	EXPECT_EQ(get16(&r.out[28 + 4]), 5);	// inner id from the fragment header
	EXPECT_EQ(get16(&r.out[28 + 6]), 0x2000);	// MF
	r = err6(ICMPV6_PKT_TOOBIG, 0, 100000);
	EXPECT_EQ(get32(&r.out[24]), 0xffffu);
}

// RFC 7915 §5.2: minimum(MTU - 20, MTU of the IPv4 next hop, MTU of the
// IPv6 next hop - 20); 28 instead of 20 when the quote has a Fragment Header.
TEST(Err6to4, PacketTooBigCappedByTheTranslatorsLinks)
{
	auto caps = [](uint32_t out, uint32_t in) {
		return [=](nat64_pkt &p) { p.mtu_out = out; p.mtu_in = in; };
	};
	auto mtu = [&](uint32_t field, uint32_t out, uint32_t in, const Bytes &q = quoted6()) {
		Xr r = xlat6to4(icmp6_err(ICMPV6_PKT_TOOBIG, 0, field, q, err6_hdr()), OUT4, &IN4,
				default_cfg(), caps(out, in));
		EXPECT_GT(r.rc, 0) << r.why;
		return r.rc > 0 ? get32(&r.out[24]) : 0u;
	};
	EXPECT_EQ(mtu(1500, 0, 0), 1480u);	// unknown: no cap
	EXPECT_EQ(mtu(1500, 1400, 0), 1400u);	// IPv4 next hop
	EXPECT_EQ(mtu(1500, 1500, 1300), 1280u);	// IPv6 next hop - 20
	EXPECT_EQ(mtu(1500, 1500, 1500), 1480u);	// the field is the least
	EXPECT_EQ(mtu(100000, 65535, 65556), 0xffffu);
	EXPECT_EQ(mtu(100000, 0, 65536), 65516u);	// loopback-sized IPv6 link
	V6 fh;
	fh.first_nh = IPPROTO_FRAGMENT;
	fh.ext = {IPPROTO_UDP, 0, 0, 1, 0, 0, 0, 5};
	EXPECT_EQ(mtu(1500, 1500, 1400, quoted6(20, fh)), 1372u);
}

TEST(Err6to4, InnerPacketTranslated)
{
	Xr r = err6(ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0, quoted6(30));
	ASSERT_GT(r.rc, 0) << r.why;
	Bytes inner(r.out.begin() + 28, r.out.end());
	EXPECT_EQ(inner[0], 0x45);
	EXPECT_EQ(get16(&inner[2]), 20 + 8 + 30);
	EXPECT_EQ(inner[8], 60);	// quoted hop limit kept
	EXPECT_EQ(inner[9], IPPROTO_UDP);
	EXPECT_EQ(memcmp(&inner[12], &IN4.src, 4), 0);
	EXPECT_EQ(memcmp(&inner[16], &IN4.dst, 4), 0);
	EXPECT_EQ(get16(&inner[20]), 53);
	EXPECT_EQ(get16(&inner[22]), 61001);
	EXPECT_TRUE(l4_csum_ok(inner));
	EXPECT_EQ(r.out[8], 63);	// outer hop limit decremented
	EXPECT_EQ(get16(&r.out[4]), 0x1234);	// caller's id
}

TEST(Err6to4, ExtensionHeadersOutsideAndInside)
{
	V6 in;
	in.first_nh = IPPROTO_DSTOPTS;
	in.ext = {IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0};
	V6 out = err6_hdr();
	out.first_nh = IPPROTO_HOPOPTS;
	out.ext = {IPPROTO_ICMPV6, 0, 1, 4, 0, 0, 0, 0};
	Bytes q = quoted6(10, in);
	Xr r = xlat6to4(icmp6_err(1, 4, 0, q, out), OUT4, &IN4);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.inner_off, 56);
	EXPECT_EQ(r.out.size(), 20u + 8 + 20 + 8 + 10);
	EXPECT_EQ(get16(&r.out[28 + 2]), 20 + 8 + 10);
	EXPECT_TRUE(l4_csum_ok(r.out));
	EXPECT_TRUE(l4_csum_ok(Bytes(r.out.begin() + 28, r.out.end())));
}

TEST(Err6to4, TruncatedTo576)
{
	Bytes in = icmp6_err(ICMPV6_TIME_EXCEED, 0, 0, quoted6(1000), err6_hdr());
	Xr r = xlat6to4(in, OUT4, &IN4);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.rc, 576);
	EXPECT_EQ(r.consumed, in.size());
	EXPECT_EQ(r.out.size(), 576u);
	EXPECT_EQ(get16(&r.out[2]), 576);
	EXPECT_EQ(get16(&r.out[28 + 2]), 20 + 8 + 1000);	// quoted length as sent
	EXPECT_TRUE(l4_csum_ok(r.out));
	// And to out_cap when that is smaller.
	r = xlat6to4(in, OUT4, &IN4, default_cfg(), nullptr, UINT32_MAX, 100);
	ASSERT_EQ(r.rc, 100);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err6to4, Refusals)
{
	Bytes in = icmp6_err(1, 4, 0, quoted6(), err6_hdr());
	Bytes bad = in;
	bad[42] ^= 1;	// checksum
	Xr r = xlat6to4(bad, OUT4, &IN4);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_CHECKSUM);
	r = xlat6to4(in, OUT4, nullptr);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);
	r = xlat6to4(in, OUT4, &IN4, default_cfg(), nullptr, (uint32_t)in.size() - 1);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);	// not linear whole
	r = xlat6to4(in, OUT4, &IN4, default_cfg(), nullptr, UINT32_MAX, 55);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);	// no room
	V6 h = err6_hdr();
	h.hlim = 1;
	r = xlat6to4(icmp6_err(1, 4, 0, quoted6(), h), OUT4, &IN4);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_HOP_LIMIT);
}

TEST(Err6to4, BadInnerPackets)
{
	Bytes q = quoted6();
	// Cut inside the quoted UDP header.
	Xr r = err6(1, 4, 0, Bytes(q.begin(), q.begin() + 46));
	EXPECT_FALSE(r.parsed);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP_ERROR);
	r = err6(1, 4, 0, Bytes(q.begin(), q.begin() + 30));
	EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP_ERROR);
	// An error about an error.
	Bytes e = icmp6_err(1, 4, 0, q, err6_hdr());
	r = err6(1, 4, 0, e);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP_ERROR);
	// Unknown inner protocol, and a later fragment with no ports.
	Bytes g = q;
	g[6] = IPPROTO_GRE;
	EXPECT_EQ(err6(1, 4, 0, g).why, NAT64_STAT_DROP_ICMP_ERROR);
	V6 fh;
	fh.first_nh = IPPROTO_FRAGMENT;
	fh.ext = {IPPROTO_UDP, 0, 0, 8, 0, 0, 0, 5};
	EXPECT_EQ(err6(1, 4, 0, quoted6(20, fh)).why, NAT64_STAT_DROP_ICMP_ERROR);
	// Inner ICMPv6 that is not an echo.
	L4 ns{IPPROTO_ICMP};
	ns.icmp_type = 135;
	EXPECT_EQ(err6(1, 4, 0, ip6(V6{}, ns)).why, NAT64_STAT_DROP_ICMP_ERROR);
}

TEST(Err6to4, InnerTcpChecksumWhenPresent)
{
	L4 l{IPPROTO_TCP};
	l.sport = 53;
	l.dport = 5000;
	l.payload.assign(40, 1);
	V6 h;
	h.src = a6(S6);
	h.dst = a6(H6);
	nat64_tuple4 in4 = tuple4(S4, 53, P4, 61001, IPPROTO_TCP);
	Xr r = xlat6to4(icmp6_err(1, 4, 0, ip6(h, l), err6_hdr()), OUT4, &in4);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_TRUE(l4_csum_ok(Bytes(r.out.begin() + 28, r.out.end())));
	// Cut after 10 bytes of TCP: no checksum field to fix, ports still.
	Bytes cut = ip6(h, l);
	cut.resize(50);
	r = xlat6to4(icmp6_err(1, 4, 0, cut, err6_hdr()), OUT4, &in4);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get16(&r.out[48 + 2]), 61001);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

// ---- ICMPv4 -> ICMPv6 (§4.2) ----------------------------------------------

class Err4to6 : public ::testing::TestWithParam<Map> {};

TEST_P(Err4to6, TypeAndCode)
{
	const Map &m = GetParam();
	Xr r = err4(m.type, m.code, 0x00000000);
	if (m.out_type < 0) {
		EXPECT_EQ(r.rc, -EINVAL);
		EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP4_TYPE);
		EXPECT_FALSE(r.parsed);
		return;
	}
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[40], m.out_type);
	EXPECT_EQ(r.out[41], m.out_code);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

INSTANTIATE_TEST_SUITE_P(Rfc7915, Err4to6, ::testing::Values(
	Map{3, 0, 1, 0}, Map{3, 1, 1, 0}, Map{3, 2, 4, 1}, Map{3, 3, 1, 4}, Map{3, 4, 2, 0},
	Map{3, 5, 1, 0}, Map{3, 6, 1, 0}, Map{3, 7, 1, 0}, Map{3, 8, 1, 0}, Map{3, 9, 1, 1},
	Map{3, 10, 1, 1}, Map{3, 11, 1, 0}, Map{3, 12, 1, 0}, Map{3, 13, 1, 1},
	Map{3, 14, -1, -1}, Map{3, 15, 1, 1}, Map{3, 16, -1, -1}, Map{11, 0, 3, 0},
	Map{11, 1, 3, 1}, Map{12, 0, 4, 0}, Map{12, 1, -1, -1}, Map{12, 2, 4, 0},
	Map{4, 0, -1, -1}, Map{5, 0, -1, -1}, Map{6, 0, -1, -1}, Map{13, 0, -1, -1}));

TEST(Err4to6, ProtocolUnreachablePointsAtNextHeader)
{
	Xr r = err4(ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	ASSERT_GT(r.rc, 0);
	EXPECT_EQ(get32(&r.out[44]), 6u);
}

TEST(Err4to6Pointer, Figure3)
{
	const std::pair<uint8_t, int> cases[] = {
		{0, 0}, {1, 1}, {2, 4}, {3, 4}, {4, -1}, {5, -1}, {6, -1}, {7, -1}, {8, 7},
		{9, 6}, {10, -1}, {11, -1}, {12, 8}, {15, 8}, {16, 24}, {19, 24}, {20, -1},
	};
	for (auto [ptr, want] : cases) {
		Xr r = err4(ICMP_PARAMETERPROB, 0, (uint32_t)ptr << 24);
		if (want < 0) {
			EXPECT_EQ(r.why, NAT64_STAT_DROP_ICMP4_TYPE) << (int)ptr;
			continue;
		}
		ASSERT_GT(r.rc, 0) << (int)ptr;
		EXPECT_EQ(get32(&r.out[44]), (uint32_t)want) << (int)ptr;
		EXPECT_TRUE(l4_csum_ok(r.out));
	}
}

TEST(Err4to6, FragmentationNeededMtu)
{
	EXPECT_EQ(get32(&err4(3, 4, 1400).out[44]), 1420u);
	EXPECT_EQ(get32(&err4(3, 4, 1500).out[44]), 1520u);
	EXPECT_EQ(get32(&err4(3, 4, 576).out[44]), 1280u);	// never below 1280
	// MTU 0 (pre-RFC 1191 router): greatest plateau below the quoted length.
	EXPECT_EQ(get32(&err4(3, 4, 0, quoted4(2000 - 28)).out[44]), 1492u + 20);
	EXPECT_EQ(get32(&err4(3, 4, 0, quoted4(1492 - 28)).out[44]), 1280u);	// 1006 + 20
	nat64_xlat_cfg none = default_cfg();
	none.plateau_count = 0;
	EXPECT_EQ(get32(&err4(3, 4, 0, quoted4(2000), none).out[44]), 1280u);
}

// RFC 7915 §4.2: minimum(MTU + 20, MTU of the IPv6 next hop, MTU of the
// IPv4 next hop + 20), never below 1280.
TEST(Err4to6, FragmentationNeededCappedByTheTranslatorsLinks)
{
	auto mtu = [](uint32_t field, uint32_t out, uint32_t in) {
		Xr r = xlat4to6(icmp4_err(3, 4, field, quoted4(), err4_hdr()), OUT6, &IN6,
				default_cfg(), [=](nat64_pkt &p) { p.mtu_out = out; p.mtu_in = in; });
		EXPECT_GT(r.rc, 0) << r.why;
		return r.rc > 0 ? get32(&r.out[44]) : 0u;
	};
	EXPECT_EQ(mtu(1480, 0, 0), 1500u);
	EXPECT_EQ(mtu(1480, 1400, 1500), 1400u);	// IPv6 next hop
	EXPECT_EQ(mtu(1480, 1500, 1300), 1320u);	// IPv4 next hop + 20
	EXPECT_EQ(mtu(1400, 1500, 1500), 1420u);	// the field is the least
	EXPECT_EQ(mtu(1480, 1500, 1000), 1280u);	// never below 1280
	EXPECT_EQ(mtu(1480, 1200, 1500), 1280u);
}

TEST(Err4to6, InnerPacketTranslated)
{
	Xr r = err4(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quoted4(30));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.l4_off, 40u);
	Bytes inner(r.out.begin() + 48, r.out.end());
	EXPECT_EQ(inner.size(), 40u + 8 + 30);
	EXPECT_EQ(get16(&inner[4]), 8 + 30);
	EXPECT_EQ(inner[6], IPPROTO_UDP);
	EXPECT_EQ(inner[7], 30);	// quoted TTL kept
	EXPECT_EQ(memcmp(&inner[8], &IN6.src, 16), 0);
	EXPECT_EQ(memcmp(&inner[24], &IN6.dst, 16), 0);
	EXPECT_EQ(get16(&inner[40]), 5000);
	EXPECT_EQ(get16(&inner[42]), 53);
	EXPECT_TRUE(l4_csum_ok(inner));
	EXPECT_EQ(r.out[7], 63);
	EXPECT_EQ(memcmp(&r.out[8], &OUT6.src, 16), 0);
}

TEST(Err4to6, QuotedFragmentGetsFragmentHeader)
{
	Bytes q = quoted4(30);
	put16(&q[4], 0x7777);
	put16(&q[6], 0x2000);	// first fragment
	ip4_csum(q);
	Xr r = err4(ICMP_TIME_EXCEEDED, 1, 0, q);
	ASSERT_GT(r.rc, 0) << r.why;
	const uint8_t *in = &r.out[48];
	EXPECT_EQ(in[6], IPPROTO_FRAGMENT);
	EXPECT_EQ(get16(in + 4), 8 + 8 + 30);
	const uint8_t fh[] = {IPPROTO_UDP, 0, 0, 1, 0, 0, 0x77, 0x77};
	EXPECT_EQ(memcmp(in + 40, fh, 8), 0);
	EXPECT_EQ(get16(in + 48 + 2), 53);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err4to6, TruncatedTo1280)
{
	Bytes in = icmp4_err(3, 3, 0, quoted4(1400), err4_hdr());
	Xr r = xlat4to6(in, OUT6, &IN6);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.rc, 1280);
	EXPECT_EQ(r.out.size(), 1280u);
	EXPECT_EQ(r.consumed, in.size());
	EXPECT_EQ(get16(&r.out[4]), 1240);
	EXPECT_EQ(get16(&r.out[48 + 4]), 8 + 1400);	// quoted length as sent
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err4to6, Refusals)
{
	Bytes in = icmp4_err(3, 3, 0, quoted4(), err4_hdr());
	Bytes bad = in;
	bad[25] ^= 0x40;	// inside the ICMP header: checksum no longer holds
	EXPECT_EQ(xlat4to6(bad, OUT6, &IN6).why, NAT64_STAT_DROP_CHECKSUM);
	EXPECT_EQ(xlat4to6(in, OUT6, nullptr).why, NAT64_STAT_DROP_INTERNAL);
	EXPECT_EQ(xlat4to6(in, OUT6, &IN6, default_cfg(), nullptr, (uint32_t)in.size() - 1).why,
		  NAT64_STAT_DROP_INTERNAL);
	V4 h = err4_hdr();
	h.ttl = 1;
	EXPECT_EQ(xlat4to6(icmp4_err(3, 3, 0, quoted4(), h), OUT6, &IN6).why,
		  NAT64_STAT_DROP_HOP_LIMIT);
	Bytes q = quoted4();
	q[9] = IPPROTO_GRE;
	EXPECT_EQ(err4(3, 3, 0, q).why, NAT64_STAT_DROP_ICMP_ERROR);
	EXPECT_EQ(err4(3, 3, 0, Bytes(q.begin(), q.begin() + 27)).why, NAT64_STAT_DROP_ICMP_ERROR);
	Bytes e = icmp4_err(3, 3, 0, quoted4(), err4_hdr());
	EXPECT_EQ(err4(3, 3, 0, e).why, NAT64_STAT_DROP_ICMP_ERROR);
	q = quoted4();
	put16(&q[6], 3);	// later fragment
	EXPECT_EQ(err4(3, 3, 0, q).why, NAT64_STAT_DROP_ICMP_ERROR);
	q = quoted4();
	put16(&q[2], 12);	// quoted total length below its header
	EXPECT_EQ(err4(3, 3, 0, q).why, NAT64_STAT_DROP_ICMP_ERROR);
}

// ---- RFC 4884 multi-part messages (extension length adjustment) ------------

// An extension structure: version 2 header with its checksum, one object.
Bytes extension(size_t object_payload = 4)
{
	Bytes e(4 + 4 + object_payload, 0x5a);
	e[0] = 0x20;	// version 2
	e[1] = 0;
	put16(&e[2], 0);
	put16(&e[4], (uint16_t)(4 + object_payload));	// object length
	e[6] = 1;	// class (MPLS label stack)
	e[7] = 1;
	put16(&e[2], finish(sum(e)));
	return e;
}

// The quoted packet zero-padded to len bytes, then the extension.
Bytes multipart(const Bytes &quoted, size_t len, const Bytes &ext)
{
	Bytes b = quoted;
	b.resize(len, 0);
	b.insert(b.end(), ext.begin(), ext.end());
	return b;
}

TEST(Err4to6, ExtensionKeptWithLengthIn64BitWords)
{
	Bytes q = quoted4(20);	// 48 bytes, padded to 128 (32 words)
	Bytes ext = extension();
	Xr r = err4(ICMP_TIME_EXCEEDED, 0, 32 << 16, multipart(q, 128, ext));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[40], ICMPV6_TIME_EXCEED);
	// The padding is not the packet's: 68 bytes translated, padded to 128
	// again (16 words).
	EXPECT_EQ(r.out[44], 16);
	EXPECT_EQ(r.out.size(), 48u + 128 + ext.size());
	EXPECT_EQ(get16(&r.out[4]), 8 + 128 + ext.size());
	Bytes inner(r.out.begin() + 48, r.out.begin() + 48 + 40 + 28);
	EXPECT_EQ(get16(&inner[4]), 8 + 20);
	EXPECT_TRUE(l4_csum_ok(inner));
	EXPECT_EQ(Bytes(r.out.begin() + 48 + 68, r.out.begin() + 48 + 128), Bytes(128 - 68, 0));
	EXPECT_EQ(Bytes(r.out.begin() + 48 + 128, r.out.end()), ext);
	EXPECT_TRUE(l4_csum_ok(r.out));
	// A quote that fills the 128 bytes: 148 translated, padded to 152.
	r = err4(ICMP_TIME_EXCEEDED, 0, 32 << 16, multipart(quoted4(100), 128, ext));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[44], 19);
	EXPECT_EQ(r.out.size(), 48u + 152 + ext.size());
	EXPECT_EQ(Bytes(r.out.begin() + 48 + 148, r.out.begin() + 48 + 152), Bytes(4, 0));
	EXPECT_EQ(Bytes(r.out.begin() + 48 + 152, r.out.end()), ext);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err4to6, ExtensionDroppedWhereTheTypeHasNoLength)
{
	Bytes q = quoted4(100);
	// Fragmentation Needed -> Packet Too Big, Parameter Problem -> Parameter
	// Problem: no length attribute in ICMPv6; the quote still ends at 128.
	for (auto [type, code, rest] : {std::tuple{3, 4, (32u << 16) | 1400},
					std::tuple{12, 0, (8u << 24) | (32u << 16)}}) {
		Xr r = err4((uint8_t)type, (uint8_t)code, rest, multipart(q, 128, extension()));
		ASSERT_GT(r.rc, 0) << r.why;
		EXPECT_EQ(r.out.size(), 48u + 148) << type;
		EXPECT_TRUE(l4_csum_ok(r.out));
	}
}

TEST(Err4to6, ExtensionThatDoesNotFitIsDropped)
{
	Bytes q = quoted4(100);
	Xr r = err4(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 32 << 16,
		    multipart(q, 128, extension(1100)));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[44], 0);	// no length attribute without an extension
	EXPECT_EQ(r.out.size(), 48u + 148);
	EXPECT_TRUE(l4_csum_ok(r.out));
	// Big enough for the extension only with a shorter quote: cut to fit.
	Bytes big = quoted4(972);	// 1000 bytes, 250 words
	Bytes ext = extension(500);
	r = err4(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 250u << 16, multipart(big, 1000, ext));
	ASSERT_GT(r.rc, 0) << r.why;
	// 1280 - 48 - 508 = 724 bytes left, 720 of them whole 64-bit words.
	EXPECT_EQ(r.out[44], 90);
	EXPECT_EQ(r.out.size(), 48u + 720 + ext.size());
	EXPECT_EQ(Bytes(r.out.end() - (long)ext.size(), r.out.end()), ext);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err4to6, UnusableLengthAttributeIsIgnored)
{
	Bytes q = quoted4(100);	// 128 bytes
	for (uint32_t words : {32u, 40u, 4u}) {	// whole body, beyond it, cutting headers
		Xr r = err4(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, words << 16, q);
		ASSERT_GT(r.rc, 0) << r.why;
		EXPECT_EQ(r.out[44], 0) << words;
		EXPECT_EQ(r.out.size(), 48u + 148) << words;
		EXPECT_TRUE(l4_csum_ok(r.out));
	}
}

TEST(Err6to4, ExtensionKeptWithLengthIn32BitWords)
{
	Bytes q = quoted6(20);	// 68 bytes, padded to 128 (16 words)
	Bytes ext = extension(8);
	Xr r = err6(ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 16u << 24, multipart(q, 128, ext));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[20], ICMP_DEST_UNREACH);
	EXPECT_EQ(r.out[21], ICMP_HOST_UNREACH);
	// 128 - 40 + 20 = 108 bytes of translated quote, padded to 128 = 32 words.
	EXPECT_EQ(r.out[24], 0);
	EXPECT_EQ(r.out[25], 32);
	EXPECT_EQ(r.out.size(), 28u + 128 + ext.size());
	EXPECT_EQ(get16(&r.out[2]), r.out.size());
	Bytes inner(r.out.begin() + 28, r.out.begin() + 28 + 48);
	EXPECT_EQ(get16(&inner[2]), 20 + 8 + 20);
	EXPECT_TRUE(l4_csum_ok(inner));
	EXPECT_EQ(Bytes(r.out.begin() + 28 + 48, r.out.begin() + 28 + 128), Bytes(80, 0));
	EXPECT_EQ(Bytes(r.out.begin() + 28 + 128, r.out.end()), ext);
	EXPECT_TRUE(l4_csum_ok(r.out));
	// Time Exceeded too; a long quote is cut to leave room within 576.
	Bytes big = quoted6(600);
	r = err6(ICMPV6_TIME_EXCEED, 0, (648u / 8) << 24, multipart(big, 648, ext));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[20], ICMP_TIME_EXCEEDED);
	EXPECT_EQ(r.out.size(), 576u);
	EXPECT_EQ(r.out[25] * 4u + ext.size(), 576u - 28);
	EXPECT_EQ(Bytes(r.out.end() - (long)ext.size(), r.out.end()), ext);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Err6to4, NoLengthAttributeInPacketTooBig)
{
	// Its bytes 4-7 are the MTU: never read as a length.
	Xr r = err6(ICMPV6_PKT_TOOBIG, 0, 0x10000500, quoted6(100));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out.size(), 28u + 20 + 8 + 100);
	EXPECT_EQ(r.out[25], 0);
}

}  // namespace
