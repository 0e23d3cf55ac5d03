// libFuzzer target: arbitrary bytes through parse + translate, both ways.
// Byte 0 chooses: bit 0 the family (1: IPv6), bit 1 csum_partial, bit 2
// "fix the ICMP error checksum first" (so that the inner translation is
// reached, not only the checksum check), bits 3-7 the output capacity.
// The sanitizers catch out-of-bounds reads and writes; the asserts check the
// contract of xlat.h.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pkt_util.h"

using namespace t;

namespace {

void fix_icmp_csum(Bytes &b, const nat64_pkt &p, bool v6)
{
	size_t off = p.l3_len;
	if (p.tot_len > b.size() || off + 4 > p.tot_len)
		return;
	put16(&b[off + 2], 0);
	uint32_t s = v6 ? pseudo6(&b[8], p.tot_len - off, IPPROTO_ICMPV6) : 0;
	put16(&b[off + 2], finish(sum(b.data() + off, p.tot_len - off, s)));
}

void check(int rc, nat64_stat why, uint32_t in_len, uint32_t cap, uint32_t consumed,
	   uint32_t l4_off)
{
	if (rc <= 0) {
		if (why <= NAT64_STAT_UNUSED || why >= NAT64_STAT_COUNT)
			abort();
		return;
	}
	if ((uint32_t)rc > cap || consumed > in_len || l4_off > (uint32_t)rc)
		abort();
}

void run6(Bytes &b, uint8_t flags, uint32_t cap)
{
	nat64_pkt p;
	nat64_stat why = NAT64_STAT_UNUSED;
	if (nat64_parse6(b.data(), (uint32_t)b.size(), &p, &why))
		return check(-1, why, 0, 0, 0, 0);
	if (p.icmp_error && (flags & 4))
		fix_icmp_csum(b, p, true);
	p.csum_partial = flags & 2;
	nat64_tuple4 o = tuple4("198.51.100.1", 1000, "192.0.2.1", 2000, p.t6.proto);
	nat64_tuple4 in = tuple4("192.0.2.1", 2000, "198.51.100.1", 1000, p.inner6.proto);
	nat64_xlat_cfg cfg = default_cfg();
	std::vector<uint8_t> out(cap);
	uint32_t consumed = 0, l4 = 0;
	int rc = nat64_xlat_6to4(b.data(), (uint32_t)b.size(), &p, &o, p.icmp_error ? &in : nullptr,
				 &cfg, out.data(), cap, &consumed, &l4, &why);
	check(rc, why, (uint32_t)b.size(), cap, consumed, l4);
}

void run4(Bytes &b, uint8_t flags, uint32_t cap)
{
	nat64_pkt p;
	nat64_stat why = NAT64_STAT_UNUSED;
	if (nat64_parse4(b.data(), (uint32_t)b.size(), &p, &why))
		return check(-1, why, 0, 0, 0, 0);
	if (p.icmp_error && (flags & 4))
		fix_icmp_csum(b, p, false);
	p.csum_partial = flags & 2;
	nat64_tuple6 o = tuple6("64:ff9b::1", 1000, "2001:db8::1", 2000, p.t4.proto);
	nat64_tuple6 in = tuple6("2001:db8::1", 2000, "64:ff9b::1", 1000, p.inner4.proto);
	nat64_xlat_cfg cfg = default_cfg();
	std::vector<uint8_t> out(cap);
	uint32_t consumed = 0, l4 = 0;
	int rc = nat64_xlat_4to6(b.data(), (uint32_t)b.size(), &p, &o, p.icmp_error ? &in : nullptr,
				 &cfg, out.data(), cap, &consumed, &l4, &why);
	check(rc, why, (uint32_t)b.size(), cap, consumed, l4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	// Capacities from tiny to the full NAT64_XLAT_OUT_MAX.
	uint32_t cap = (flags >> 3) == 31 ? NAT64_XLAT_OUT_MAX : (flags >> 3) * 40u;
	// An exact-size heap copy: ASan flags any read past the end.
	Bytes b(data + 1, data + size);
	if (flags & 1)
		run6(b, flags, cap);
	else
		run4(b, flags, cap);
	return 0;
}
