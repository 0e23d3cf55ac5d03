// Flows that all land in bucket 0 of a 2^bits-bucket table under the
// *unkeyed* variant of the state tables' hash (key 0, table seed 0): what
// an attacker could precompute if the module did not key its hash. Shared
// by flow_hash_test.cc and the VM case's generator flow_collide.cc.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "flow_hash.h"
}

namespace t {

// Session keys (X', x) -> (Z, y) of one IPv6 client X' towards one IPv4
// server Z: source ports from x0 up, every destination port 1-65535.
inline std::vector<nat64_sess6_key> colliding_sess6(const in6_addr &x6, uint32_t z4_be,
						     uint16_t x0, unsigned n, unsigned bits)
{
	const nat64_hash_key zero{};
	const uint32_t mask = (1U << bits) - 1;
	std::vector<nat64_sess6_key> out;

	for (uint32_t x = x0; x <= 0xffff && out.size() < n; x++) {
		for (uint32_t y = 1; y <= 0xffff && out.size() < n; y++) {
			nat64_sess6_key k{};
			k.x6 = x6;
			k.z4 = z4_be;
			k.x = htons(static_cast<uint16_t>(x));
			k.y = htons(static_cast<uint16_t>(y));
			if ((nat64_flow_hash(&k, sizeof(k), 0, &zero) & mask) == 0)
				out.push_back(k);
		}
	}
	return out;
}

} // namespace t
