// flow_collide N BITS X6 Z4 X0: prints N lines "x y" (source and
// destination ports) of UDP flows X6 -> Z4 whose session keys all share
// bucket 0 of a 2^BITS-bucket table under the unkeyed hash (collide.h).
// Used by the VM case 91-hashflood.sh to flood the module with them.
#include <cstdio>
#include <cstdlib>

#include "collide.h"

int main(int argc, char **argv)
{
	in6_addr x6{};
	in_addr z4{};

	if (argc != 6 || inet_pton(AF_INET6, argv[3], &x6) != 1 ||
	    inet_pton(AF_INET, argv[4], &z4) != 1) {
		std::fprintf(stderr, "usage: flow_collide N BITS X6 Z4 X0\n");
		return 2;
	}
	const unsigned n = std::strtoul(argv[1], nullptr, 10);
	const unsigned bits = std::strtoul(argv[2], nullptr, 10);
	const auto x0 = static_cast<uint16_t>(std::strtoul(argv[5], nullptr, 10));
	const auto flows = t::colliding_sess6(x6, z4.s_addr, x0, n, bits);
	if (flows.size() != n || bits == 0 || bits > 20) {
		std::fprintf(stderr, "flow_collide: found %zu of %u flows\n", flows.size(), n);
		return 1;
	}
	for (const auto &k : flows)
		std::printf("%u %u\n", ntohs(k.x), ntohs(k.y));
	return 0;
}
