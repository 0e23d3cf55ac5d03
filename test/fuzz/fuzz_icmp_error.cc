// libFuzzer target: ICMP errors with arbitrary inner packets, both ways.
// The fuzzer's bytes become the quoted packet of a well-formed outer error
// (correct lengths and checksum), so that every input gets past the outer
// checks and exercises the inner parse and translation:
//   byte 0: bit 0 family (1: ICMPv6 error, translated 6->4; 0: ICMPv4,
//           4->6), bits 1-3 the type/code (kinds6 / kinds4 below),
//           bits 4-5 the output capacity (3: 128 bytes, else the kernel's)
//   bytes 1-4: ICMP header bytes 4-7 (MTU, pointer, RFC 4884 length)
//   the rest: the inner packet
// The outer error goes from a router to the flows' addresses; the fixed
// BIB of xlat_fuzz.h gives the inner tuple as nat64_state_inner6/4 would.
#include "xlat_fuzz.h"

namespace {

struct Kind {
	uint8_t type, code;
};

// Every ICMPv6 / ICMPv4 error RFC 7915 translates (and a few it drops).
const Kind kinds6[8] = {{1, 0}, {1, 1}, {1, 3}, {1, 4}, {2, 0}, {3, 0}, {4, 0}, {4, 1}};
const Kind kinds4[8] = {{3, 0}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {3, 13}, {11, 0}, {12, 0}};

fz::Bytes error6(Kind k, const uint8_t *rest, const uint8_t *inner, size_t n)
{
	fz::Bytes b(48);
	b[0] = 0x60;
	t::put16(&b[4], (uint16_t)(8 + n));
	b[6] = IPPROTO_ICMPV6;
	b[7] = 64;
	in6_addr src = t::a6("2001:db8::ff"), dst = t::a6("64:ff9b::c000:221");
	memcpy(&b[8], &src, 16);
	memcpy(&b[24], &dst, 16);
	b[40] = k.type;
	b[41] = k.code;
	memcpy(&b[44], rest, 4);
	b.insert(b.end(), inner, inner + n);
	t::put16(&b[42], t::finish(fz::l4_sum6(b.data(), 40, b.size(), IPPROTO_ICMPV6)));
	return b;
}

fz::Bytes error4(Kind k, const uint8_t *rest, const uint8_t *inner, size_t n)
{
	fz::Bytes b(28);
	b[0] = 0x45;
	t::put16(&b[2], (uint16_t)(28 + n));
	b[8] = 64;
	b[9] = IPPROTO_ICMP;
	uint32_t src = t::a4("203.0.113.1"), dst = t::a4("198.51.100.1");
	memcpy(&b[12], &src, 4);
	memcpy(&b[16], &dst, 4);
	t::ip4_csum(b);
	b[20] = k.type;
	b[21] = k.code;
	memcpy(&b[24], rest, 4);
	b.insert(b.end(), inner, inner + n);
	t::put16(&b[22], t::finish(fz::l4_sum4(b.data(), 20, b.size(), IPPROTO_ICMP)));
	return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5 || size > 60000)
		return 0;
	uint8_t ctl = data[0];
	fz::Knobs k;
	if (((ctl >> 4) & 3) == 3)
		k.cap = 128;
	const uint8_t *inner = data + 5;
	size_t n = size - 5;
	if (ctl & 1) {
		fz::Bytes in = error6(kinds6[(ctl >> 1) & 7], data + 1, inner, n);
		fz::run6(in, k);
	} else {
		fz::Bytes in = error4(kinds4[(ctl >> 1) & 7], data + 1, inner, n);
		fz::run4(in, k);
	}
	return 0;
}
