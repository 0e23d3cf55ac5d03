// libFuzzer target: IPv4 -> IPv6. The input is a control byte (see
// fz::knobs) followed by the IPv4 packet, parsed and translated as
// nat64_translate4() does with the fixed BIB of xlat_fuzz.h; the output
// is checked (lengths, addresses, transport checksum still valid,
// ICMPv6 errors checksummed).
#include "xlat_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	// An exact-size heap copy: ASan reports any read past the end.
	fz::Bytes in(data + 1, data + size);
	fz::run4(in, fz::knobs(data[0]));
	return 0;
}
