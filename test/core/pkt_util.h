// Test helpers for the translation core: packet builders with checksums
// computed from scratch (independently of the core, which only updates
// them incrementally), a full checksum verifier, and a parse + translate
// harness that reassembles the whole output packet.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

extern "C" {
#include "checksum.h"
#include "rfc6052.h"
#include "xlat.h"
}

namespace t {

using Bytes = std::vector<uint8_t>;

// ---- independent checksum ---------------------------------------------
inline uint32_t sum(const uint8_t *p, size_t n, uint32_t acc = 0)
{
	uint64_t s = acc;
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}
inline uint32_t sum(const Bytes &b, uint32_t acc = 0) { return sum(b.data(), b.size(), acc); }
inline uint16_t finish(uint32_t s) { return (uint16_t)~sum(nullptr, 0, s); }

inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
inline void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, (uint16_t)v); }

inline in6_addr a6(const char *s)
{
	in6_addr a;
	inet_pton(AF_INET6, s, &a);
	return a;
}
inline uint32_t a4(const char *s)	// network order
{
	in_addr a;
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

inline uint32_t pseudo6(const uint8_t *addrs, uint32_t len, uint8_t proto)
{
	uint8_t tail[8] = {0};
	put32(tail, len);
	tail[7] = proto;
	return sum(tail, 8, sum(addrs, 32));
}
inline uint32_t pseudo4(const uint8_t *addrs, uint32_t len, uint8_t proto)
{
	uint8_t tail[4] = {0, proto, 0, 0};
	put16(tail + 2, (uint16_t)len);
	return sum(tail, 4, sum(addrs, 8));
}

// ---- builders ------------------------------------------------------------
struct L4 {
	explicit L4(uint8_t p = IPPROTO_UDP) : proto(p) {}
	uint8_t proto;		// IPPROTO_TCP / UDP / ICMP (ICMPv6 on IPv6)
	uint16_t sport = 0, dport = 0;	// ICMP: sport is the identifier
	uint8_t icmp_type = 0;
	uint8_t tcp_flags = 0x10;
	Bytes opts;		// TCP options
	Bytes payload;
};

inline Bytes l4_segment(const L4 &l)
{
	Bytes s;
	if (l.proto == IPPROTO_UDP) {
		s.resize(8);
		put16(&s[0], l.sport);
		put16(&s[2], l.dport);
		put16(&s[4], (uint16_t)(8 + l.payload.size()));
	} else if (l.proto == IPPROTO_TCP) {
		s.resize(20);
		put16(&s[0], l.sport);
		put16(&s[2], l.dport);
		put32(&s[4], 0x11223344);
		put32(&s[8], 0x55667788);
		s[12] = (uint8_t)((20 + l.opts.size()) / 4 << 4);
		s[13] = l.tcp_flags;
		put16(&s[14], 29200);
		s.insert(s.end(), l.opts.begin(), l.opts.end());
	} else {
		s.resize(8);
		s[0] = l.icmp_type;
		put16(&s[4], l.sport);
		put16(&s[6], 7);
	}
	s.insert(s.end(), l.payload.begin(), l.payload.end());
	return s;
}

inline size_t csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

// Whole packet builders; checksums from scratch.
struct V6 {
	in6_addr src = a6("2001:db8::1"), dst = a6("64:ff9b::c000:221");
	uint8_t hlim = 64, tc = 0;
	Bytes ext;		// extension headers (their first Next Header is nh)
	uint8_t first_nh = 0;	// used when ext is not empty
};
inline Bytes ip6(const V6 &h, const L4 &l)
{
	Bytes seg = l4_segment(l);
	uint8_t nh = l.proto == IPPROTO_ICMP ? (uint8_t)IPPROTO_ICMPV6 : l.proto;
	Bytes p(40);
	p[0] = 0x60 | h.tc >> 4;
	p[1] = (uint8_t)(h.tc << 4);
	put16(&p[4], (uint16_t)(h.ext.size() + seg.size()));
	p[6] = h.ext.empty() ? nh : h.first_nh;
	p[7] = h.hlim;
	memcpy(&p[8], &h.src, 16);
	memcpy(&p[24], &h.dst, 16);
	uint32_t s = pseudo6(&p[8], (uint32_t)seg.size(), nh);
	put16(&seg[csum_off(l.proto)], finish(sum(seg, s)));
	if (l.proto == IPPROTO_UDP && get16(&seg[6]) == 0)
		put16(&seg[6], 0xffff);
	p.insert(p.end(), h.ext.begin(), h.ext.end());
	p.insert(p.end(), seg.begin(), seg.end());
	return p;
}

struct V4 {
	uint32_t src = a4("192.0.2.33"), dst = a4("198.51.100.1");
	uint8_t ttl = 64, tos = 0;
	uint16_t id = 0x4242, frag = 0x4000;	// DF
	Bytes opts;
};
inline void ip4_csum(Bytes &p)
{
	size_t ihl = (p[0] & 15) * 4u;
	put16(&p[10], 0);
	put16(&p[10], finish(sum(p.data(), ihl)));
}
inline Bytes ip4(const V4 &h, const L4 &l)
{
	Bytes seg = l4_segment(l);
	Bytes p(20);
	p[0] = (uint8_t)(0x40 | (20 + h.opts.size()) / 4);
	p[1] = h.tos;
	put16(&p[2], (uint16_t)(20 + h.opts.size() + seg.size()));
	put16(&p[4], h.id);
	put16(&p[6], h.frag);
	p[8] = h.ttl;
	p[9] = l.proto;
	memcpy(&p[12], &h.src, 4);
	memcpy(&p[16], &h.dst, 4);
	p.insert(p.end(), h.opts.begin(), h.opts.end());
	ip4_csum(p);
	uint32_t s = l.proto == IPPROTO_ICMP ? 0 : pseudo4(&p[12], (uint32_t)seg.size(), l.proto);
	put16(&seg[csum_off(l.proto)], finish(sum(seg, s)));
	if (l.proto == IPPROTO_UDP && get16(&seg[6]) == 0)
		put16(&seg[6], 0xffff);
	p.insert(p.end(), seg.begin(), seg.end());
	return p;
}

// ---- verification --------------------------------------------------------
// Transport checksum of a whole, unfragmented packet, from scratch: true if
// it verifies. Handles an IPv6 Fragment Header (atomic fragments).
inline bool l4_csum_ok(const Bytes &p)
{
	if ((p[0] >> 4) == 4) {
		size_t ihl = (p[0] & 15) * 4u;
		if (finish(sum(p.data(), ihl)) != 0)
			return false;
		uint8_t proto = p[9];
		uint32_t s = proto == IPPROTO_ICMP ? 0 : pseudo4(&p[12], (uint32_t)(p.size() - ihl), proto);
		if (proto == IPPROTO_UDP && get16(&p[ihl + 6]) == 0)
			return true;	// no checksum
		return (uint16_t)sum(p.data() + ihl, p.size() - ihl, s) == 0xffff;
	}
	size_t off = 40;
	uint8_t nh = p[6];
	if (nh == IPPROTO_FRAGMENT) {
		nh = p[40];
		off = 48;
	}
	uint32_t s = pseudo6(&p[8], (uint32_t)(p.size() - off), nh);
	return (uint16_t)sum(p.data() + off, p.size() - off, s) == 0xffff;
}

// A CHECKSUM_PARTIAL field: the folded pseudo-header sum, not inverted.
inline uint16_t partial_field(const Bytes &p, size_t l4_off, uint8_t proto)
{
	uint32_t len = (uint32_t)(p.size() - l4_off);
	uint32_t s = (p[0] >> 4) == 4 ? pseudo4(&p[12], len, proto) : pseudo6(&p[8], len, proto);
	return (uint16_t)sum(nullptr, 0, s);
}

// ---- parse + translate ---------------------------------------------------
struct Xr {
	int rc = 0;
	nat64_stat why = NAT64_STAT_UNUSED;
	bool parsed = false;
	nat64_pkt pkt{};
	uint32_t consumed = 0, l4_off = 0;
	Bytes out;	// the whole translated packet (headers + untouched rest)
};

inline nat64_xlat_cfg default_cfg()
{
	static const uint16_t plateaus[] = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
	nat64_xlat_cfg c{};
	c.lowest_ipv6_mtu = 1280;
	c.plateaus = plateaus;
	c.plateau_count = sizeof(plateaus) / sizeof(plateaus[0]);
	return c;
}

using PktHook = std::function<void(nat64_pkt &)>;

inline Xr xlat6to4(const Bytes &in, const nat64_tuple4 &outer, const nat64_tuple4 *inner = nullptr,
		    const nat64_xlat_cfg &cfg = default_cfg(), PktHook hook = nullptr,
		    uint32_t linear = UINT32_MAX, uint32_t out_cap = NAT64_XLAT_OUT_MAX)
{
	Xr r;
	uint32_t len = std::min<uint32_t>(linear, (uint32_t)in.size());
	r.rc = nat64_parse6(in.data(), len, &r.pkt, &r.why);
	if (r.rc)
		return r;
	r.parsed = true;
	r.pkt.ip4_id = 0x1234;
	if (hook)
		hook(r.pkt);
	Bytes out(out_cap);
	r.rc = nat64_xlat_6to4(in.data(), len, &r.pkt, &outer, inner, &cfg, out.data(), out_cap,
			       &r.consumed, &r.l4_off, &r.why);
	if (r.rc > 0) {
		r.out.assign(out.begin(), out.begin() + r.rc);
		r.out.insert(r.out.end(), in.begin() + r.consumed, in.end());
	}
	return r;
}

inline Xr xlat4to6(const Bytes &in, const nat64_tuple6 &outer, const nat64_tuple6 *inner = nullptr,
		    const nat64_xlat_cfg &cfg = default_cfg(), PktHook hook = nullptr,
		    uint32_t linear = UINT32_MAX, uint32_t out_cap = NAT64_XLAT_OUT_MAX)
{
	Xr r;
	uint32_t len = std::min<uint32_t>(linear, (uint32_t)in.size());
	r.rc = nat64_parse4(in.data(), len, &r.pkt, &r.why);
	if (r.rc)
		return r;
	r.parsed = true;
	if (hook)
		hook(r.pkt);
	Bytes out(out_cap);
	r.rc = nat64_xlat_4to6(in.data(), len, &r.pkt, &outer, inner, &cfg, out.data(), out_cap,
			       &r.consumed, &r.l4_off, &r.why);
	if (r.rc > 0) {
		r.out.assign(out.begin(), out.begin() + r.rc);
		r.out.insert(r.out.end(), in.begin() + r.consumed, in.end());
	}
	return r;
}

inline nat64_tuple4 tuple4(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t proto)
{
	nat64_tuple4 t{};
	t.src = a4(src);
	t.dst = a4(dst);
	t.sport = htons(sport);
	t.dport = htons(dport);
	t.proto = proto;
	return t;
}

inline nat64_tuple6 tuple6(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t proto)
{
	nat64_tuple6 t{};
	t.src = a6(src);
	t.dst = a6(dst);
	t.sport = htons(sport);
	t.dport = htons(dport);
	t.proto = proto;
	return t;
}

inline std::string hex(const Bytes &b)
{
	static const char d[] = "0123456789abcdef";
	std::string s;
	for (size_t i = 0; i < b.size(); i++) {
		if (i && i % 4 == 0)
			s += i % 16 ? " " : "\n";
		s += d[b[i] >> 4];
		s += d[b[i] & 15];
	}
	return s;
}

}  // namespace t
