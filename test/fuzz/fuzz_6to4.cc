// libFuzzer target: IPv6 -> IPv4. The input is a control byte (see
// fz::knobs) followed by the IPv6 packet, parsed and translated as
// nat64_translate6() does with the fixed BIB of xlat_fuzz.h; the output
// is checked (lengths, addresses, IPv4 header checksum, transport checksum
// still valid, ICMP errors checksummed).
#include "xlat_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	// An exact-size heap copy: ASan reports any read past the end.
	fz::Bytes in(data + 1, data + size);
	fz::run6(in, fz::knobs(data[0]));
	return 0;
}
