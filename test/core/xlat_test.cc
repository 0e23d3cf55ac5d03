// nat64_xlat_6to4 / nat64_xlat_4to6 for non-error packets.
#include <gtest/gtest.h>

#include <random>

#include "pkt_util.h"

using namespace t;

namespace {

const nat64_tuple4 OUT4 = tuple4("198.51.100.1", 61001, "192.0.2.33", 53, IPPROTO_UDP);
const nat64_tuple6 OUT6 = tuple6("64:ff9b::c000:221", 53, "2001:db8::1", 5000, IPPROTO_UDP);

L4 seg(uint8_t proto, uint16_t s, uint16_t d, size_t payload, uint8_t fill = 0x61)
{
	L4 l{proto};
	l.sport = s;
	l.dport = d;
	if (proto == IPPROTO_ICMP)
		l.icmp_type = 0;	// caller sets
	if (proto == IPPROTO_TCP)
		l.opts = {1, 1, 1, 0};
	l.payload.assign(payload, fill);
	return l;
}

nat64_tuple4 out4(uint8_t proto)
{
	nat64_tuple4 t = OUT4;
	t.proto = proto;
	return t;
}

nat64_tuple6 out6(uint8_t proto)
{
	nat64_tuple6 t = OUT6;
	t.proto = proto;
	return t;
}

// Replaces the L4 checksum of a built packet with the CHECKSUM_PARTIAL value.
Bytes make_partial(Bytes b, size_t l4_off, uint8_t proto)
{
	put16(&b[l4_off + csum_off(proto)], partial_field(b, l4_off, proto));
	return b;
}

PktHook partial_hook = [](nat64_pkt &p) { p.csum_partial = true; };

// ---- checksums --------------------------------------------------------

TEST(Xlat6to4, CsumPartialTracksPseudoHeaderOnly)
{
	for (uint8_t proto : {IPPROTO_UDP, IPPROTO_TCP}) {
		Bytes in = make_partial(ip6(V6{}, seg(proto, 5000, 53, 100)), 40, proto);
		Xr r = xlat6to4(in, out4(proto), nullptr, default_cfg(), partial_hook);
		ASSERT_GT(r.rc, 0) << r.why;
		EXPECT_EQ(get16(&r.out[20 + csum_off(proto)]), partial_field(r.out, 20, proto));
		EXPECT_EQ(get16(&r.out[20]), 61001);
		EXPECT_EQ(get16(&r.out[22]), 53);
		// Completing it over the segment, as a NIC would, gives a valid packet.
		Bytes done = r.out;
		put16(&done[20 + csum_off(proto)],
		      finish(sum(done.data() + 20, done.size() - 20)));
		EXPECT_TRUE(l4_csum_ok(done));
	}
}

TEST(Xlat4to6, CsumPartialTracksPseudoHeaderOnly)
{
	for (uint8_t proto : {IPPROTO_UDP, IPPROTO_TCP}) {
		Bytes in = make_partial(ip4(V4{}, seg(proto, 53, 61001, 100)), 20, proto);
		Xr r = xlat4to6(in, out6(proto), nullptr, default_cfg(), partial_hook);
		ASSERT_GT(r.rc, 0) << r.why;
		EXPECT_EQ(get16(&r.out[40 + csum_off(proto)]), partial_field(r.out, 40, proto));
		EXPECT_EQ(get16(&r.out[40]), 53);
		EXPECT_EQ(get16(&r.out[42]), 5000);
	}
}

TEST(Xlat, IcmpWithCsumPartialIsRefused)
{
	L4 e = seg(IPPROTO_ICMP, 7, 7, 8);
	e.icmp_type = ICMPV6_ECHO_REQUEST;
	Xr r = xlat6to4(ip6(V6{}, e), out4(IPPROTO_ICMP), nullptr, default_cfg(), partial_hook);
	EXPECT_EQ(r.rc, -EINVAL);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);
	e.icmp_type = ICMP_ECHO;
	r = xlat4to6(ip4(V4{}, e), out6(IPPROTO_ICMP), nullptr, default_cfg(), partial_hook);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);
}

// Incremental updates equal recomputation, over many random packets, both
// directions, and translating back gives the original packet.
TEST(Xlat, RandomPacketsChecksumsAndRoundTrip)
{
	std::mt19937 rng(42);
	for (int n = 0; n < 3000; n++) {
		uint8_t proto = (uint8_t[]){IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP}[n % 3];
		V6 h6;
		for (int i = 0; i < 16; i++)
			h6.src.s6_addr[i] = (uint8_t)rng();
		for (int i = 0; i < 12; i++)
			h6.dst.s6_addr[i] = (uint8_t)rng();
		h6.hlim = (uint8_t)(3 + rng() % 250);
		L4 l = seg(proto, (uint16_t)rng(), (uint16_t)rng(), rng() % 300, (uint8_t)rng());
		if (proto == IPPROTO_ICMP)
			l.icmp_type = rng() & 1 ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY;
		Bytes in = ip6(h6, l);
		nat64_tuple4 o4{(uint32_t)rng(), (uint32_t)rng(), (uint16_t)rng(), (uint16_t)rng(), proto};
		if (proto == IPPROTO_ICMP)
			o4.dport = o4.sport;
		Xr r = xlat6to4(in, o4);
		ASSERT_GT(r.rc, 0) << n << " " << r.why;
		ASSERT_TRUE(l4_csum_ok(r.out)) << n << "\n" << hex(r.out);

		nat64_tuple6 back{h6.src, h6.dst, htons(l.sport), htons(l.dport), proto};
		if (proto == IPPROTO_ICMP)
			back.dport = back.sport;
		Xr b = xlat4to6(r.out, back);
		ASSERT_GT(b.rc, 0) << n << " " << b.why;
		ASSERT_TRUE(l4_csum_ok(b.out)) << n;
		Bytes want = in;
		want[7] -= 2;
		ASSERT_EQ(b.out.size(), want.size());
		size_t c = 40 + csum_off(proto);
		// 0x0000 and 0xffff are the same one's complement value.
		for (size_t i = c; i < c + 2; i++)
			b.out[i] = want[i] = 0;
		ASSERT_EQ(hex(b.out), hex(want)) << n;
	}
}

// ---- IP header fields ---------------------------------------------------

TEST(Xlat6to4, HopLimit)
{
	for (uint8_t hl : {0, 1}) {
		V6 h;
		h.hlim = hl;
		Xr r = xlat6to4(ip6(h, seg(IPPROTO_UDP, 1, 2, 10)), OUT4);
		EXPECT_EQ(r.rc, -EINVAL);
		EXPECT_EQ(r.why, NAT64_STAT_DROP_HOP_LIMIT);
	}
	V6 h;
	h.hlim = 2;
	Xr r = xlat6to4(ip6(h, seg(IPPROTO_UDP, 1, 2, 10)), OUT4);
	ASSERT_GT(r.rc, 0);
	EXPECT_EQ(r.out[8], 1);
}

TEST(Xlat4to6, Ttl)
{
	for (uint8_t ttl : {0, 1}) {
		V4 h;
		h.ttl = ttl;
		Xr r = xlat4to6(ip4(h, seg(IPPROTO_UDP, 1, 2, 10)), OUT6);
		EXPECT_EQ(r.rc, -EINVAL);
		EXPECT_EQ(r.why, NAT64_STAT_DROP_HOP_LIMIT);
	}
}

// RFC 7915 §5.1: DF iff the IPv4 packet exceeds 1260 bytes; the caller's
// Identification below that, 0 above.
TEST(Xlat6to4, DontFragmentThreshold)
{
	Xr small = xlat6to4(ip6(V6{}, seg(IPPROTO_UDP, 1, 2, 1260 - 28)), OUT4);
	ASSERT_GT(small.rc, 0);
	EXPECT_EQ(get16(&small.out[2]), 1260);
	EXPECT_EQ(get16(&small.out[6]), 0);
	EXPECT_EQ(get16(&small.out[4]), 0x1234);
	Xr big = xlat6to4(ip6(V6{}, seg(IPPROTO_UDP, 1, 2, 1261 - 28)), OUT4);
	ASSERT_GT(big.rc, 0);
	EXPECT_EQ(get16(&big.out[2]), 1261);
	EXPECT_EQ(get16(&big.out[6]), 0x4000);
	EXPECT_EQ(get16(&big.out[4]), 0);
	EXPECT_TRUE(l4_csum_ok(big.out));
	EXPECT_EQ(nat64_xlat_6to4_df_len(&small.pkt), 0u);
	EXPECT_EQ(nat64_xlat_6to4_df_len(&big.pkt), 1261u);
}

// A packet that arrived in fragments (reassembled by the stack) had a
// Fragment Header: DF stays clear whatever its size, with the caller's id.
TEST(Xlat6to4, ReassembledKeepsDfClear)
{
	PktHook hook = [](nat64_pkt &p) { p.reassembled = true; };
	Xr r = xlat6to4(ip6(V6{}, seg(IPPROTO_UDP, 1, 2, 3000)), OUT4, nullptr, default_cfg(), hook);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get16(&r.out[2]), 3028);
	EXPECT_EQ(get16(&r.out[6]), 0);
	EXPECT_EQ(get16(&r.out[4]), 0x1234);
	EXPECT_TRUE(l4_csum_ok(r.out));
	EXPECT_EQ(nat64_xlat_6to4_df_len(&r.pkt), 0u);
}

// GSO: the DF rule looks at one segment, not at the whole super-packet.
TEST(Xlat6to4, GsoDontFragmentPerSegment)
{
	Bytes in = ip6(V6{}, seg(IPPROTO_TCP, 1000, 80, 20000));
	PktHook small = [](nat64_pkt &p) { p.seg_len = 1240; };	// 1260 per segment
	Xr r = xlat6to4(in, out4(IPPROTO_TCP), nullptr, default_cfg(), small);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get16(&r.out[2]), 20 + 24 + 20000);
	EXPECT_EQ(get16(&r.out[6]), 0);
	EXPECT_EQ(get16(&r.out[4]), 0x1234);
	EXPECT_EQ(nat64_xlat_6to4_df_len(&r.pkt), 0u);
	PktHook big = [](nat64_pkt &p) { p.seg_len = 1241; };
	r = xlat6to4(in, out4(IPPROTO_TCP), nullptr, default_cfg(), big);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get16(&r.out[6]), 0x4000);
	EXPECT_EQ(get16(&r.out[4]), 0);
	EXPECT_TRUE(l4_csum_ok(r.out));
	EXPECT_EQ(nat64_xlat_6to4_df_len(&r.pkt), 1261u);	// one segment
}

TEST(Xlat6to4, TrafficClassAndOverride)
{
	V6 h;
	h.tc = 0xb9;
	Bytes in = ip6(h, seg(IPPROTO_UDP, 1, 2, 10));
	Xr r = xlat6to4(in, OUT4);
	EXPECT_EQ(r.out[1], 0xb9);
	nat64_xlat_cfg cfg = default_cfg();
	cfg.override_tos = true;
	cfg.tos = 0x20;
	r = xlat6to4(in, OUT4, nullptr, cfg);
	EXPECT_EQ(r.out[1], 0x20);
	EXPECT_TRUE(l4_csum_ok(r.out));	// header checksum included
	cfg.zeroize_traffic_class = true;	// a 4->6 knob: no effect here
	cfg.override_tos = false;
	EXPECT_EQ(xlat6to4(in, OUT4, nullptr, cfg).out[1], 0xb9);
}

TEST(Xlat4to6, TosAndZeroize)
{
	V4 h;
	h.tos = 0xb9;
	Bytes in = ip4(h, seg(IPPROTO_UDP, 1, 2, 10));
	Xr r = xlat4to6(in, OUT6);
	EXPECT_EQ(r.out[0], 0x6b);
	EXPECT_EQ(r.out[1], 0x90);
	EXPECT_EQ(r.out[2], 0);	// flow label 0
	nat64_xlat_cfg cfg = default_cfg();
	cfg.zeroize_traffic_class = true;
	r = xlat4to6(in, OUT6, nullptr, cfg);
	EXPECT_EQ(r.out[0], 0x60);
	EXPECT_EQ(r.out[1], 0x00);
}

TEST(Xlat6to4, ExtensionHeadersAreDropped)
{
	V6 h;
	h.first_nh = IPPROTO_HOPOPTS;
	h.ext = {IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0, IPPROTO_TCP, 1, 1, 12, 0, 0, 0, 0,
		 0, 0, 0, 0, 0, 0, 0, 0};
	Bytes in = ip6(h, seg(IPPROTO_TCP, 1000, 80, 33));
	Xr r = xlat6to4(in, out4(IPPROTO_TCP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.consumed, 40u + 24 + 20);
	EXPECT_EQ(r.out.size(), in.size() - 40 - 24 + 20);
	EXPECT_EQ(get16(&r.out[2]), r.out.size());
	EXPECT_EQ(r.out[9], IPPROTO_TCP);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Xlat6to4, TooBigForIpv4)
{
	Bytes in = ip6(V6{}, seg(IPPROTO_UDP, 1, 2, 0));
	put16(&in[4], 0xffff);	// jumbo-sized claim; only headers are given
	put16(&in[44], 0xffff);
	Xr r = xlat6to4(in, OUT4);
	EXPECT_EQ(r.rc, -EMSGSIZE);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_TOO_BIG);
}

TEST(Xlat, ContractViolationsAreInternal)
{
	Bytes in6 = ip6(V6{}, seg(IPPROTO_UDP, 1, 2, 10));
	Xr r = xlat6to4(in6, OUT4, nullptr, default_cfg(), nullptr, UINT32_MAX, 27);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);
	Bytes in4 = ip4(V4{}, seg(IPPROTO_UDP, 1, 2, 10));
	r = xlat4to6(in4, OUT6, nullptr, default_cfg(), nullptr, UINT32_MAX, 47);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_INTERNAL);
	// Parsed with more bytes than the translator is then given.
	nat64_pkt p;
	nat64_stat why;
	uint8_t out[128];
	uint32_t consumed, l4;
	nat64_xlat_cfg cfg = default_cfg();
	ASSERT_EQ(nat64_parse6(in6.data(), (uint32_t)in6.size(), &p, &why), 0);
	EXPECT_EQ(nat64_xlat_6to4(in6.data(), 47, &p, &OUT4, nullptr, &cfg, out, sizeof(out),
				  &consumed, &l4, &why), -EINVAL);
	EXPECT_EQ(why, NAT64_STAT_DROP_INTERNAL);
}

// ---- fragments ------------------------------------------------------------

Bytes frag6_packet(const Bytes &whole, size_t from, size_t to, bool more, uint32_t id)
{
	// whole: an unfragmented IPv6 packet; carve [from, to) of its payload.
	Bytes p(whole.begin(), whole.begin() + 40);
	Bytes f{p[6], 0, 0, 0, 0, 0, 0, 0};
	put16(&f[2], (uint16_t)(from | (more ? 1 : 0)));
	put32(&f[4], id);
	p[6] = IPPROTO_FRAGMENT;
	put16(&p[4], (uint16_t)(8 + to - from));
	p.insert(p.end(), f.begin(), f.end());
	p.insert(p.end(), whole.begin() + 40 + from, whole.begin() + 40 + to);
	return p;
}

TEST(Xlat6to4, FragmentsKeepIdAndOffsets)
{
	Bytes whole = ip6(V6{}, seg(IPPROTO_UDP, 5000, 53, 200));
	Bytes first = frag6_packet(whole, 0, 104, true, 0xcafebeef);
	Bytes last = frag6_packet(whole, 104, 208, false, 0xcafebeef);

	Xr a = xlat6to4(first, OUT4);
	ASSERT_GT(a.rc, 0) << a.why;
	EXPECT_EQ(a.consumed, 56u);
	EXPECT_EQ(get16(&a.out[2]), 20 + 104);
	EXPECT_EQ(get16(&a.out[4]), 0xbeef);
	EXPECT_EQ(get16(&a.out[6]), 0x2000);	// MF, offset 0, no DF
	Xr b = xlat6to4(last, OUT4);
	ASSERT_GT(b.rc, 0) << b.why;
	EXPECT_EQ(b.rc, 20);
	EXPECT_EQ(b.consumed, 48u);
	EXPECT_EQ(get16(&b.out[2]), 20 + 104);
	EXPECT_EQ(get16(&b.out[4]), 0xbeef);
	EXPECT_EQ(get16(&b.out[6]), 104 / 8);
	EXPECT_EQ(b.out[9], IPPROTO_UDP);

	// Reassembled, the datagram's checksum holds under the new addresses.
	Bytes re(a.out.begin(), a.out.end());
	re.insert(re.end(), b.out.begin() + 20, b.out.end());
	put16(&re[2], (uint16_t)re.size());
	put16(&re[6], 0);
	ip4_csum(re);
	EXPECT_TRUE(l4_csum_ok(re));
}

TEST(Xlat6to4, AtomicFragment)
{
	Bytes whole = ip6(V6{}, seg(IPPROTO_UDP, 5000, 53, 2000));
	Xr r = xlat6to4(frag6_packet(whole, 0, 2008, false, 0x11112222), OUT4);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(get16(&r.out[4]), 0x2222);
	EXPECT_EQ(get16(&r.out[6]), 0);	// no DF even above 1260
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Xlat4to6, FragmentsGetFragmentHeader)
{
	Bytes whole = ip4(V4{}, seg(IPPROTO_TCP, 80, 61001, 300));
	// First fragment: header + 200 bytes of TCP segment, MF, id 0xabcd.
	Bytes first(whole.begin(), whole.begin() + 20 + 200);
	put16(&first[2], 220);
	put16(&first[4], 0xabcd);
	put16(&first[6], 0x2000);
	ip4_csum(first);
	Bytes last(whole.begin(), whole.begin() + 20);
	last.insert(last.end(), whole.begin() + 220, whole.end());
	put16(&last[2], (uint16_t)last.size());
	put16(&last[4], 0xabcd);
	put16(&last[6], 200 / 8);
	ip4_csum(last);

	Xr a = xlat4to6(first, out6(IPPROTO_TCP));
	ASSERT_GT(a.rc, 0) << a.why;
	EXPECT_EQ(a.l4_off, 48u);
	EXPECT_EQ(a.out[6], IPPROTO_FRAGMENT);
	EXPECT_EQ(get16(&a.out[4]), 8 + 200);
	const uint8_t fh[] = {IPPROTO_TCP, 0, 0x00, 0x01, 0, 0, 0xab, 0xcd};
	EXPECT_EQ(memcmp(&a.out[40], fh, 8), 0);
	Xr b = xlat4to6(last, out6(IPPROTO_TCP));
	ASSERT_GT(b.rc, 0) << b.why;
	EXPECT_EQ(b.rc, 48);
	EXPECT_EQ(get16(&b.out[42]), 200);	// offset 200, M clear
	EXPECT_EQ(get32(&b.out[44]), 0xabcdu);

	Bytes re(a.out.begin(), a.out.begin() + 40);
	re[6] = IPPROTO_TCP;
	re.insert(re.end(), a.out.begin() + 48, a.out.end());
	re.insert(re.end(), b.out.begin() + 48, b.out.end());
	put16(&re[4], (uint16_t)(re.size() - 40));
	EXPECT_TRUE(l4_csum_ok(re));
}

TEST(Xlat4to6, NoFragmentHeaderForWholePackets)
{
	V4 h;
	h.frag = 0;	// DF clear, not a fragment
	Xr r = xlat4to6(ip4(h, seg(IPPROTO_UDP, 1, 2, 1500)), OUT6);
	ASSERT_GT(r.rc, 0);
	EXPECT_EQ(r.out[6], IPPROTO_UDP);
	EXPECT_EQ(r.l4_off, 40u);
}

TEST(Xlat4to6, OptionsAreDropped)
{
	V4 h;
	h.opts = {IPOPT_RR, 7, 4, 0, 0, 0, 0, 1};	// record route, then NOP
	Bytes in = ip4(h, seg(IPPROTO_UDP, 53, 61001, 40));
	Xr r = xlat4to6(in, OUT6);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.consumed, 28u + 8);
	EXPECT_EQ(get16(&r.out[4]), 8 + 40);
	EXPECT_EQ(r.out.size(), 40u + 8 + 40);
	EXPECT_TRUE(l4_csum_ok(r.out));
}

// RFC 7915 §4.1: an unexpired source route cannot be honoured; the caller
// answers ICMPv4 Source Route Failed, the core refuses to translate.
TEST(Xlat4to6, UnexpiredSourceRouteRefused)
{
	V4 h;
	h.opts = {IPOPT_LSRR, 7, 4, 10, 0, 0, 1, 0};
	Xr r = xlat4to6(ip4(h, seg(IPPROTO_UDP, 53, 61001, 40)), OUT6);
	ASSERT_TRUE(r.parsed);
	EXPECT_TRUE(r.pkt.src_route);
	EXPECT_EQ(r.rc, -EINVAL);
	EXPECT_EQ(r.why, NAT64_STAT_DROP_SRC_ROUTE);
}

TEST(Xlat6to4, IcmpEchoAfterExtensionHeaders)
{
	V6 h;
	h.first_nh = IPPROTO_DSTOPTS;
	h.ext = {IPPROTO_ICMPV6, 0, 1, 4, 0, 0, 0, 0};
	L4 e = seg(IPPROTO_ICMP, 0x77, 0x77, 50);
	e.icmp_type = ICMPV6_ECHO_REPLY;
	Xr r = xlat6to4(ip6(h, e), out4(IPPROTO_ICMP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.out[20], ICMP_ECHOREPLY);
	EXPECT_EQ(get16(&r.out[24]), 61001);	// outer->sport
	EXPECT_TRUE(l4_csum_ok(r.out));
}

// ---- IPv4 UDP without checksum ------------------------------------------

TEST(Xlat4to6, UdpZeroChecksumLeftForTheCaller)
{
	Bytes in = ip4(V4{}, seg(IPPROTO_UDP, 53, 61001, 77));
	put16(&in[26], 0);
	Xr r = xlat4to6(in, OUT6);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.udp_csum_zero);
	EXPECT_EQ(get16(&r.out[46]), partial_field(r.out, 40, IPPROTO_UDP));
	// Completing it as CHECKSUM_PARTIAL would gives a valid datagram.
	put16(&r.out[46], finish(sum(r.out.data() + 40, r.out.size() - 40)));
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Xlat4to6, UdpZeroChecksumFragmentRefused)
{
	Bytes in = ip4(V4{}, seg(IPPROTO_UDP, 53, 61001, 77));
	put16(&in[26], 0);
	nat64_pkt p;
	nat64_stat why;
	ASSERT_EQ(nat64_parse4(in.data(), (uint32_t)in.size(), &p, &why), 0);
	p.frag = p.more_frags = true;	// as if it had been a fragment
	uint8_t out[128];
	uint32_t consumed, l4;
	nat64_xlat_cfg cfg = default_cfg();
	EXPECT_EQ(nat64_xlat_4to6(in.data(), (uint32_t)in.size(), &p, &OUT6, nullptr, &cfg, out,
				  sizeof(out), &consumed, &l4, &why), -EINVAL);
	EXPECT_EQ(why, NAT64_STAT_DROP_UDP_ZERO_CSUM_FRAG);
}

TEST(Xlat6to4, UdpChecksumNeverBecomesZero)
{
	// Search a port whose translation makes the checksum 0: it must be
	// sent as 0xffff (RFC 768), in both directions.
	Bytes in = ip6(V6{}, seg(IPPROTO_UDP, 5000, 53, 16));
	int found = 0;
	for (uint32_t port = 0; port < 65536; port++) {
		nat64_tuple4 o = OUT4;
		o.sport = htons((uint16_t)port);
		Xr r = xlat6to4(in, o);
		ASSERT_GT(r.rc, 0);
		uint16_t c = get16(&r.out[26]);
		ASSERT_NE(c, 0);
		if (c == 0xffff) {
			found++;
			EXPECT_TRUE(l4_csum_ok(r.out));
		}
	}
	EXPECT_EQ(found, 1);	// the sum is a bijection of the port
}

}  // namespace
