// Shared by the translation fuzz targets (fuzz_6to4, fuzz_4to6,
// fuzz_icmp_error): a stand-in for the kernel's state layer, the
// parse -> state -> translate sequence of mod/packet.c, and checks of the
// output that are cheap enough to run on every input.
//
// The state layer is a small fixed BIB (the flows of the seed packets, which
// come from test/core's vectors). Its lookups follow mod/state.c:
// nat64_state_6to4/4to6 for plain packets and nat64_state_inner6/inner4
// for the packet quoted by an ICMP error, so an input that names one of
// these flows reaches the whole translation, and anything else takes the
// "no session" exit as in the kernel. Lookups use memcmp so that libFuzzer's
// comparison tracing can steer mutated packets back onto a flow.
//
// A finding is an abort() (libFuzzer saves the reproducer) after a line on
// stderr saying which property failed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "pkt_util.h"

namespace fz {

using t::Bytes;

// pool6 and the fixed BIB: (proto, IPv6 transport address) <-> (IPv4 one).
// ICMP: the ports are the echo identifiers.
struct Bib {
	uint8_t proto;
	in6_addr a6;
	uint16_t p6;	// network order
	uint32_t a4;	// network order
	uint16_t p4;	// network order
};

inline const nat64_prefix6 &pool6()
{
	static const nat64_prefix6 p = {t::a6("64:ff9b::"), 96};
	return p;
}

inline const std::vector<Bib> &bib()
{
	static const std::vector<Bib> table = [] {
		struct Row {
			uint8_t proto;
			const char *a6;
			uint16_t p6;
			const char *a4;
			uint16_t p4;
		};
		static const Row rows[] = {
			{IPPROTO_UDP, "2001:db8::1", 5000, "198.51.100.1", 61001},
			{IPPROTO_TCP, "2001:db8::1", 40000, "198.51.100.1", 61002},
			{IPPROTO_ICMP, "2001:db8::1", 0x0abc, "198.51.100.1", 0x1f40},
			{IPPROTO_UDP, "2001:db8::2", 53, "198.51.100.2", 53},
			{IPPROTO_TCP, "2001:db8::2", 80, "198.51.100.2", 80},
			{IPPROTO_ICMP, "2001:db8::2", 7, "198.51.100.2", 61003},
		};
		std::vector<Bib> v;
		for (const Row &r : rows)
			v.push_back({r.proto, t::a6(r.a6), htons(r.p6), t::a4(r.a4), htons(r.p4)});
		return v;
	}();
	return table;
}

// Non-first fragments carry no ports (0 in the tuple): they match by
// address, standing in for the flow their first fragment belongs to.
inline const Bib *find6(uint8_t proto, const in6_addr &a, uint16_t port)
{
	for (const Bib &b : bib())
		if (b.proto == proto && !memcmp(&b.a6, &a, 16) && (!port || b.p6 == port))
			return &b;
	return nullptr;
}

inline const Bib *find4(uint8_t proto, uint32_t a, uint16_t port)
{
	for (const Bib &b : bib())
		if (b.proto == proto && !memcmp(&b.a4, &a, 4) && (!port || b.p4 == port))
			return &b;
	return nullptr;
}

// ---- findings ------------------------------------------------------------

[[noreturn]] inline void finding(const char *what, const Bytes &in, const uint8_t *out, int n)
{
	fprintf(stderr, "FINDING: %s\ninput:\n%s\noutput:\n%s\n", what, t::hex(in).c_str(),
		n > 0 ? t::hex(Bytes(out, out + n)).c_str() : "-");
	abort();
}

#define FZ_CHECK(cond, what) \
	do { \
		if (!(cond)) \
			finding(what, in, out.data(), rc); \
	} while (0)

// NAT64_FUZZ_VERBOSE=1 in the environment: one line per input saying
// where it ended (to check that seeds reach the translation).
inline int note(const char *where, int rc)
{
	static const bool verbose = getenv("NAT64_FUZZ_VERBOSE") != nullptr;
	if (verbose)
		fprintf(stderr, "nat64-fuzz: %s (%d)\n", where, rc);
	return rc;
}

// ---- knobs ---------------------------------------------------------------

// The control byte of fuzz_6to4 / fuzz_4to6 (the first input byte):
//   bit 0: csum_partial (the transport checksum field holds only the
//          pseudo-header sum, as with CHECKSUM_PARTIAL)
//   bit 1: recompute the checksums of the input first (so that "valid in,
//          valid out" is checked and ICMP errors pass their checksum test)
//   bit 2: 6->4: reassembled by the stack
//   bit 3: override_tos (tos 0xa8); bit 4: zeroize_traffic_class
//   bits 5-7: output capacity (4-7: smaller than the kernel's, to test the
//          contract on out_cap)
struct Knobs {
	bool partial = false, fix = false, reassembled = false;
	nat64_xlat_cfg cfg = t::default_cfg();
	uint32_t cap = NAT64_XLAT_OUT_MAX;
	uint16_t ip4_id = 0x1234;
};

inline Knobs knobs(uint8_t b)
{
	static const uint32_t caps[8] = {NAT64_XLAT_OUT_MAX, NAT64_XLAT_OUT_MAX, NAT64_XLAT_OUT_MAX,
					 NAT64_XLAT_OUT_MAX, 600, 128, 48, 28};
	Knobs k;
	k.partial = b & 1;
	k.fix = b & 2;
	k.reassembled = b & 4;
	k.cfg.override_tos = b & 8;
	k.cfg.tos = 0xa8;
	k.cfg.zeroize_traffic_class = b & 16;
	k.cap = caps[b >> 5];
	return k;
}

// ---- checksums of a whole packet (independent of the core) ---------------

// Sum over pseudo-header + segment [off, end) of an IPv6 / IPv4 packet.
inline uint16_t l4_sum6(const uint8_t *p, size_t off, size_t end, uint8_t nh)
{
	return (uint16_t)t::sum(p + off, end - off, t::pseudo6(p + 8, (uint32_t)(end - off), nh));
}

inline uint16_t l4_sum4(const uint8_t *p, size_t off, size_t end, uint8_t proto)
{
	uint32_t s = proto == IPPROTO_ICMP ? 0 : t::pseudo4(p + 12, (uint32_t)(end - off), proto);
	return (uint16_t)t::sum(p + off, end - off, s);
}

inline bool ip4_hdr_ok(const uint8_t *p)
{
	return t::finish(t::sum(p, (p[0] & 15) * 4u)) == 0;
}

// Puts a correct transport checksum into a parsed, whole, unfragmented
// packet (and, for IPv4, a correct header checksum). UDP over IPv4 keeps a
// zero checksum (no checksum), so that that path stays reachable.
inline void fix_csums(Bytes &b, const nat64_pkt &p, bool v6)
{
	if (!v6)
		t::ip4_csum(b);
	if (p.frag || p.tot_len > b.size() || p.l3_len + 8u > p.tot_len)
		return;
	size_t off = t::csum_off(p.proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : p.proto);
	uint8_t *f = &b[p.l3_len + off];
	if (!v6 && p.proto == IPPROTO_UDP && t::get16(f) == 0)
		return;
	t::put16(f, 0);
	uint16_t s = v6 ? l4_sum6(b.data(), p.l3_len, p.tot_len, p.proto)
			: l4_sum4(b.data(), p.l3_len, p.tot_len, p.proto);
	uint16_t c = t::finish(s);
	t::put16(f, c == 0 && p.proto == IPPROTO_UDP ? 0xffff : c);
}

// ---- checks ----------------------------------------------------------------

// Whole-packet facts of an input, taken before translation.
struct InFacts {
	bool whole = false;	// tot_len bytes present, not a fragment
	bool csum_ok = false;	// transport checksum verifies
	bool partial_ok = false;	// the field is exactly the pseudo-header sum
	size_t udp_len = 0;
};

inline InFacts in_facts(const Bytes &b, const nat64_pkt &p, bool v6)
{
	InFacts f;
	f.whole = p.tot_len == b.size() && !p.frag && p.l4_len && !p.icmp_error;
	if (!f.whole)
		return f;
	uint8_t proto = p.proto;
	f.csum_ok = (v6 ? l4_sum6(b.data(), p.l3_len, p.tot_len, proto)
			: l4_sum4(b.data(), p.l3_len, p.tot_len, proto)) == 0xffff;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		uint32_t len = p.tot_len - p.l3_len;
		uint32_t ps = v6 ? t::pseudo6(&b[8], len, proto) : t::pseudo4(&b[12], len, proto);
		f.partial_ok = t::get16(&b[p.l3_len + t::csum_off(proto)]) == t::sum(nullptr, 0, ps);
	}
	if (proto == IPPROTO_UDP)
		f.udp_len = t::get16(&b[p.l3_len + 4]);
	return f;
}

// The translated non-error packet: the core's header block + the untouched
// rest of the input.
// ports: what the transport header must now say (ICMP echo: the
// identifier, twice).
inline void check_plain(const Bytes &in, const nat64_pkt &p, const InFacts &f, bool to6,
			uint16_t sport, uint16_t dport, const Bytes &out, int rc, uint32_t consumed,
			uint32_t l4_off)
{
	FZ_CHECK(consumed == p.l3_len + p.l4_len, "consumed is not the parsed headers");
	FZ_CHECK(rc <= (int)NAT64_XLAT_HDR_MAX, "header block longer than NAT64_XLAT_HDR_MAX");
	FZ_CHECK(l4_off + p.l4_len == (uint32_t)rc, "l4_off + l4_len is not the header block");
	Bytes whole(out.begin(), out.begin() + rc);
	whole.insert(whole.end(), in.begin() + consumed, in.end());
	uint8_t proto = to6 ? (p.proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : p.proto)
			    : (p.proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : p.proto);
	if (to6) {
		FZ_CHECK(out[0] >> 4 == 6, "not an IPv6 header");
		if (p.tot_len == in.size())
			FZ_CHECK(40u + t::get16(&out[4]) == whole.size(), "IPv6 payload length is wrong");
	} else {
		FZ_CHECK(out[0] == 0x45, "not a 20-byte IPv4 header");
		FZ_CHECK(ip4_hdr_ok(out.data()), "IPv4 header checksum is wrong");
		FZ_CHECK(out[8] == p.ttl - 1, "TTL is not the hop limit - 1");
		FZ_CHECK(out[9] == proto, "IPv4 protocol is wrong");
		if (p.tot_len == in.size())
			FZ_CHECK(t::get16(&out[2]) == whole.size(), "IPv4 total length is wrong");
	}
	if (p.l4_len) {
		const uint8_t *l4 = &out[l4_off];
		bool icmp = p.proto == IPPROTO_ICMP || p.proto == IPPROTO_ICMPV6;
		uint16_t got_s, got_d;
		memcpy(&got_s, icmp ? l4 + 4 : l4, 2);
		memcpy(&got_d, icmp ? l4 + 4 : l4 + 2, 2);
		FZ_CHECK(got_s == sport && got_d == dport, "ports / identifier are not the outer tuple's");
	}
	if (!f.whole)
		return;
	uint16_t s = to6 ? l4_sum6(whole.data(), l4_off, whole.size(), proto)
			 : l4_sum4(whole.data(), l4_off, whole.size(), proto);
	const uint8_t *field = &whole[l4_off + t::csum_off(p.proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : p.proto)];
	if (p.csum_partial) {
		if (f.partial_ok)
			FZ_CHECK(t::get16(field) == t::partial_field(whole, l4_off, proto),
				 "CHECKSUM_PARTIAL field is not the new pseudo-header sum");
	} else if (p.udp_csum_zero) {
		if (f.udp_len == in.size() - p.l3_len)
			FZ_CHECK(t::get16(field) == t::partial_field(whole, l4_off, proto),
				 "UDP zero checksum: field is not the IPv6 pseudo-header sum");
	} else if (f.csum_ok) {
		FZ_CHECK(s == 0xffff, "a valid transport checksum became invalid");
	}
}

// The quoted packet's transport header after translation: its ports, or
// for an echo the identifier (the inner tuple's source port for 6->4 of a
// quoted ICMPv6 echo is its dport, see xlat.h; both are equal).
inline bool inner_ports_ok(const uint8_t *l4, uint8_t proto, uint16_t sport, uint16_t dport)
{
	if (proto == IPPROTO_ICMP)
		return !memcmp(l4 + 4, &dport, 2);
	return !memcmp(l4, &sport, 2) && !memcmp(l4 + 2, &dport, 2);
}

// A translated ICMP error: rewritten whole, checksums from scratch.
template <typename Inner>
void check_error(const Bytes &in, bool to6, const Inner &inner, const Bytes &out, int rc,
		 uint32_t consumed, uint32_t l4_off)
{
	FZ_CHECK(consumed <= in.size(), "consumed past the input");
	if (to6) {
		FZ_CHECK(rc <= (int)NAT64_XLAT_OUT_MAX, "ICMPv6 error longer than 1280 bytes");
		FZ_CHECK(rc >= 40 + 8 + 40 + 8 && l4_off == 40, "ICMPv6 error too short");
		FZ_CHECK(40u + t::get16(&out[4]) == (uint32_t)rc, "IPv6 payload length is wrong");
		FZ_CHECK(out[6] == IPPROTO_ICMPV6, "next header is not ICMPv6");
		FZ_CHECK(l4_sum6(out.data(), 40, rc, IPPROTO_ICMPV6) == 0xffff,
			 "ICMPv6 checksum is wrong");
		FZ_CHECK(out[48] >> 4 == 6, "inner packet is not IPv6");
		FZ_CHECK(!memcmp(&out[48 + 8], &inner.src, 16) && !memcmp(&out[48 + 24], &inner.dst, 16),
			 "inner IPv6 addresses are not the inner tuple");
		size_t l4 = 48 + 40 + (out[48 + 6] == IPPROTO_FRAGMENT ? 8 : 0);
		FZ_CHECK(inner_ports_ok(&out[l4], inner.proto, inner.sport, inner.dport),
			 "inner ports / identifier are not the inner tuple's");
	} else {
		FZ_CHECK(rc <= 576, "ICMPv4 error longer than 576 bytes");
		FZ_CHECK(rc >= 20 + 8 + 20 + 8 && l4_off == 20, "ICMPv4 error too short");
		FZ_CHECK(out[0] == 0x45 && ip4_hdr_ok(out.data()), "IPv4 header or its checksum is wrong");
		FZ_CHECK(t::get16(&out[2]) == (uint32_t)rc, "IPv4 total length is wrong");
		FZ_CHECK(out[9] == IPPROTO_ICMP, "protocol is not ICMP");
		FZ_CHECK(l4_sum4(out.data(), 20, rc, IPPROTO_ICMP) == 0xffff, "ICMPv4 checksum is wrong");
		FZ_CHECK(out[28] == 0x45 && ip4_hdr_ok(&out[28]), "inner IPv4 header or its checksum is wrong");
		FZ_CHECK(!memcmp(&out[28 + 12], &inner.src, 4) && !memcmp(&out[28 + 16], &inner.dst, 4),
			 "inner IPv4 addresses are not the inner tuple");
		FZ_CHECK(inner_ports_ok(&out[48], inner.proto, inner.sport, inner.dport),
			 "inner ports / identifier are not the inner tuple's");
	}
}

// Every failure names a real counter.
inline void check_drop(const Bytes &in, nat64_stat why, int rc)
{
	Bytes out(1);
	FZ_CHECK(rc < 0 && why > NAT64_STAT_UNUSED && why < NAT64_STAT_COUNT, "drop without a counter");
}

// ---- parse -> state -> translate -----------------------------------------

// IPv6 -> IPv4, as nat64_translate6() does it. Returns the output length
// (<= 0: dropped or not ours).
inline int run6(Bytes &in, const Knobs &k)
{
	nat64_pkt p;
	nat64_stat why = NAT64_STAT_UNUSED;
	int err = nat64_parse6(in.data(), (uint32_t)in.size(), &p, &why);
	if (!err && k.fix) {
		fix_csums(in, p, true);
		err = nat64_parse6(in.data(), (uint32_t)in.size(), &p, &why);
	}
	if (err) {
		check_drop(in, why, err);
		return note("parse drop", why);
	}
	__be32 dst4, src4;
	if (!nat64_rfc6052_extract(&pool6(), &p.t6.dst, &dst4) ||
	    nat64_rfc6052_extract(&pool6(), &p.t6.src, &src4))
		return note("not ours", 0);	// or a hairpin loop
	nat64_tuple4 outer{}, inner{};
	if (p.icmp_error) {	// nat64_state_inner6()
		uint8_t proto = p.inner6.proto;
		const Bib *b = find6(proto, p.inner6.dst, p.inner6.dport);
		if (!b || !nat64_rfc6052_extract(&pool6(), &p.inner6.src, &inner.src))
			return note("no session (inner)", 0);
		inner.sport = proto == IPPROTO_ICMP ? b->p4 : p.inner6.sport;
		inner.dst = b->a4;
		inner.dport = b->p4;
		inner.proto = proto;
		outer.src = inner.dst;
		outer.dst = inner.src;
		outer.proto = IPPROTO_ICMP;
	} else {	// nat64_state_6to4()
		const Bib *b = find6(p.t6.proto, p.t6.src, p.t6.sport);
		if (!b)
			return note("no session", 0);
		outer.src = b->a4;
		outer.sport = b->p4;
		outer.dst = dst4;
		outer.dport = p.t6.proto == IPPROTO_ICMP ? b->p4 : p.t6.dport;
		outer.proto = p.t6.proto;
	}
	p.csum_partial = k.partial;
	p.reassembled = k.reassembled;
	p.ip4_id = k.ip4_id;
	InFacts f = in_facts(in, p, true);
	Bytes out(k.cap);
	uint32_t consumed = 0, l4_off = 0;
	int rc = nat64_xlat_6to4(in.data(), (uint32_t)in.size(), &p, &outer, p.icmp_error ? &inner : nullptr,
				 &k.cfg, out.data(), k.cap, &consumed, &l4_off, &why);
	if (rc <= 0) {
		check_drop(in, why, rc);
		return note("translation drop", why);
	}
	FZ_CHECK((uint32_t)rc <= k.cap && consumed <= in.size() && l4_off <= (uint32_t)rc,
		 "output past the contract of xlat.h");
	FZ_CHECK(!memcmp(&out[12], &outer.src, 4) && !memcmp(&out[16], &outer.dst, 4),
		 "IPv4 addresses are not the outer tuple");
	if (p.icmp_error)
		check_error(in, false, inner, out, rc, consumed, l4_off);
	else
		check_plain(in, p, f, false, outer.sport, outer.dport, out, rc, consumed, l4_off);
	return note("translated", rc);
}

// IPv4 -> IPv6, as nat64_translate4() does it.
inline int run4(Bytes &in, const Knobs &k)
{
	nat64_pkt p;
	nat64_stat why = NAT64_STAT_UNUSED;
	int err = nat64_parse4(in.data(), (uint32_t)in.size(), &p, &why);
	if (!err && k.fix) {
		fix_csums(in, p, false);
		err = nat64_parse4(in.data(), (uint32_t)in.size(), &p, &why);
	}
	if (err) {
		check_drop(in, why, err);
		return note("parse drop", why);
	}
	nat64_tuple6 outer{}, inner{};
	if (p.icmp_error) {	// nat64_state_inner4()
		uint8_t proto = p.inner4.proto;
		const Bib *b = find4(proto, p.inner4.src, p.inner4.sport);
		if (!b)
			return note("no session (inner)", 0);
		inner.src = b->a6;
		inner.sport = b->p6;
		nat64_rfc6052_embed(&pool6(), p.inner4.dst, &inner.dst);
		inner.dport = proto == IPPROTO_ICMP ? b->p6 : p.inner4.dport;
		inner.proto = proto;
		nat64_rfc6052_embed(&pool6(), p.t4.src, &outer.src);
		outer.dst = inner.src;
		outer.proto = IPPROTO_ICMP;
	} else {	// nat64_state_4to6()
		const Bib *b = find4(p.t4.proto, p.t4.dst, p.t4.dport);
		if (!b)
			return note("no session", 0);
		nat64_rfc6052_embed(&pool6(), p.t4.src, &outer.src);
		outer.sport = p.t4.proto == IPPROTO_ICMP ? b->p6 : p.t4.sport;
		outer.dst = b->a6;
		outer.dport = b->p6;
		outer.proto = p.t4.proto;
	}
	p.csum_partial = k.partial;
	InFacts f = in_facts(in, p, false);
	Bytes out(k.cap);
	uint32_t consumed = 0, l4_off = 0;
	int rc = nat64_xlat_4to6(in.data(), (uint32_t)in.size(), &p, &outer, p.icmp_error ? &inner : nullptr,
				 &k.cfg, out.data(), k.cap, &consumed, &l4_off, &why);
	if (rc <= 0) {
		check_drop(in, why, rc);
		return note("translation drop", why);
	}
	FZ_CHECK((uint32_t)rc <= k.cap && consumed <= in.size() && l4_off <= (uint32_t)rc,
		 "output past the contract of xlat.h");
	FZ_CHECK(!memcmp(&out[8], &outer.src, 16) && !memcmp(&out[24], &outer.dst, 16),
		 "IPv6 addresses are not the outer tuple");
	if (p.icmp_error)
		check_error(in, true, inner, out, rc, consumed, l4_off);
	else
		check_plain(in, p, f, true, p.proto == IPPROTO_ICMP ? outer.dport : outer.sport, outer.dport,
			    out, rc, consumed, l4_off);
	return note("translated", rc);
}

}  // namespace fz
