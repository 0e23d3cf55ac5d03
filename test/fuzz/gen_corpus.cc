// Writes the binary seeds of test/fuzz/corpus/ (packets and netlink
// messages; the JSON and argument seeds are plain text files kept by hand):
//
//   BUILD/fuzz/test/fuzz/fuzz_gen_corpus test/fuzz/corpus
//
// Packets are test/core's golden vectors plus builder-made ones of every
// other kind the core handles (extension headers, fragments, options, UDP
// without checksum, each ICMP error type, RFC 4884 extensions), all on the
// flows of the fixed BIB in xlat_fuzz.h so that they translate. Netlink
// seeds (gen_corpus_nl.cc) are kernel answers of every kind the CLI
// decodes.
#include <cstdio>
#include <fstream>
#include <string>

#include "pkt_util.h"

using namespace t;

// gen_corpus_nl.cc (libnl's headers and the core's do not mix).
void gen_netlink(const std::string &root);

namespace {

#include "vectors.inc"

#define B(name) Bytes(name, name + sizeof(name))

std::string root;

void put(const std::string &target, const std::string &name, const Bytes &b)
{
	std::string path = root + "/" + target + "/" + name;
	std::ofstream f(path, std::ios::binary);
	f.write(reinterpret_cast<const char *>(b.data()), (std::streamsize)b.size());
	if (!f)
		fprintf(stderr, "cannot write %s\n", path.c_str());
}

// fuzz_6to4 / fuzz_4to6 seeds: control byte + packet. 0: as the kernel
// translates; 2: checksums fixed first (xlat_fuzz.h, knobs()).
void packet(const std::string &target, const std::string &name, const Bytes &p, uint8_t ctl = 0)
{
	Bytes b{ctl};
	b.insert(b.end(), p.begin(), p.end());
	put(target, name, b);
}

L4 l4(uint8_t proto, uint16_t s, uint16_t d, size_t payload, uint8_t type = 0)
{
	L4 l(proto);
	l.sport = s;
	l.dport = d;
	l.icmp_type = type;
	l.payload.assign(payload, 0x61);
	return l;
}

Bytes frag6(uint8_t nh, uint16_t off, bool more, uint32_t id)
{
	Bytes f = {nh, 0, 0, 0, 0, 0, 0, 0};
	put16(&f[2], (uint16_t)(off | (more ? 1 : 0)));
	put32(&f[4], id);
	return f;
}

// Flows of the BIB (xlat_fuzz.h) as seen on each side.
V6 from6(const char *src = "2001:db8::1")
{
	V6 h;
	h.src = a6(src);
	h.dst = a6("64:ff9b::c000:221");
	return h;
}

V4 from4(const char *dst = "198.51.100.1")
{
	V4 h;
	h.src = a4("192.0.2.33");
	h.dst = a4(dst);
	return h;
}

// Packets the translator sent, as quoted by errors coming back.
Bytes sent4_udp() { V4 h; h.src = a4("198.51.100.1"); h.dst = a4("192.0.2.33"); return ip4(h, l4(IPPROTO_UDP, 61001, 53, 40)); }
Bytes sent4_tcp() { V4 h; h.src = a4("198.51.100.1"); h.dst = a4("192.0.2.33"); return ip4(h, l4(IPPROTO_TCP, 61002, 80, 0)); }
Bytes sent4_echo() { V4 h; h.src = a4("198.51.100.1"); h.dst = a4("192.0.2.33"); return ip4(h, l4(IPPROTO_ICMP, 0x1f40, 0, 56, 8)); }
Bytes sent6(uint8_t proto, uint16_t s, uint16_t d, uint8_t type = 0)
{
	V6 h;
	h.src = a6("64:ff9b::c000:221");
	h.dst = a6("2001:db8::1");
	return ip6(h, l4(proto, s, d, 40, type));
}

// An ICMP error around `inner` (rest: bytes 4-7), checksummed.
Bytes error6(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner)
{
	V6 h;
	h.src = a6("2001:db8::ff");
	h.dst = a6("64:ff9b::c000:221");
	L4 l(IPPROTO_ICMP);
	l.icmp_type = type;
	Bytes p = ip6(h, l);	// 8-byte ICMPv6 header, fixed below
	p[41] = code;
	put32(&p[44], rest);
	p.insert(p.end(), inner.begin(), inner.end());
	put16(&p[4], (uint16_t)(p.size() - 40));
	put16(&p[42], 0);
	put16(&p[42], finish(sum(p.data() + 40, p.size() - 40, pseudo6(&p[8], (uint32_t)(p.size() - 40), 58))));
	return p;
}

Bytes error4(uint8_t type, uint8_t code, uint32_t rest, const Bytes &inner)
{
	Bytes p(28);
	p[0] = 0x45;
	put16(&p[2], (uint16_t)(28 + inner.size()));
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	uint32_t s = a4("203.0.113.1"), d = a4("198.51.100.1");
	memcpy(&p[12], &s, 4);
	memcpy(&p[16], &d, 4);
	ip4_csum(p);
	p[20] = type;
	p[21] = code;
	put32(&p[24], rest);
	p.insert(p.end(), inner.begin(), inner.end());
	put16(&p[22], finish(sum(p.data() + 20, p.size() - 20)));
	return p;
}

// RFC 4884: the quote padded to 128 bytes, then an extension structure.
Bytes with_ext(Bytes quote)
{
	quote.resize(128);
	Bytes ext = {0x20, 0, 0, 0, 0, 8, 1, 1, 0, 0, 0x05, 0xdc};	// version 2, one object (MTU)
	put16(&ext[2], finish(sum(ext)));
	quote.insert(quote.end(), ext.begin(), ext.end());
	return quote;
}

void packets6()
{
	const std::string t = "fuzz_6to4";
	packet(t, "udp", B(udp_6to4_in));
	packet(t, "tcp-syn-mss", B(tcp_6to4_in));
	packet(t, "echo", B(echo_6to4_in));
	packet(t, "err-port", B(err_port_6to4_in));
	packet(t, "udp-fixed", ip6(from6(), l4(IPPROTO_UDP, 5000, 53, 30)), 2);
	packet(t, "udp-partial", ip6(from6(), l4(IPPROTO_UDP, 5000, 53, 30)), 1);
	packet(t, "tcp-static", ip6(from6("2001:db8::2"), l4(IPPROTO_TCP, 80, 33000, 10)), 2);
	packet(t, "udp-big-df", ip6(from6(), l4(IPPROTO_UDP, 5000, 53, 1300)), 2);
	V6 ext = from6();
	ext.first_nh = IPPROTO_HOPOPTS;
	ext.ext = {IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0, IPPROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0,
		   IPPROTO_UDP, 0, 0, 0, 0, 0, 0, 0};	// routing: segments left 0
	packet(t, "udp-exthdrs", ip6(ext, l4(IPPROTO_UDP, 5000, 53, 20)), 2);
	V6 fr = from6();
	fr.first_nh = IPPROTO_FRAGMENT;
	fr.ext = frag6(IPPROTO_UDP, 0, true, 0xdeadbeef);
	packet(t, "udp-frag-first", ip6(fr, l4(IPPROTO_UDP, 5000, 53, 64)));
	fr.ext = frag6(IPPROTO_UDP, 1448, false, 0xdeadbeef);
	packet(t, "udp-frag-later", ip6(fr, l4(IPPROTO_UDP, 5000, 53, 64)));
	fr.ext = frag6(IPPROTO_TCP, 0, false, 7);
	packet(t, "tcp-atomic-frag", ip6(fr, l4(IPPROTO_TCP, 40000, 80, 8)), 2);
	packet(t, "err-ptb", error6(2, 0, 1400, sent6(IPPROTO_UDP, 53, 5000)));
	packet(t, "err-time", error6(3, 0, 0, sent6(IPPROTO_TCP, 80, 40000)));
	packet(t, "err-param", error6(4, 0, 7, sent6(IPPROTO_ICMPV6, 0x0abc, 0x0abc, 129)));
	packet(t, "err-unreach-ext", error6(1, 4, 16u << 24, with_ext(sent6(IPPROTO_UDP, 53, 5000))));
}

void packets4()
{
	const std::string t = "fuzz_4to6";
	packet(t, "udp", B(udp_4to6_in));
	packet(t, "tcp-synack", B(tcp_4to6_in));
	packet(t, "echo-reply", B(echo_4to6_in));
	packet(t, "err-ptb", B(err_ptb_4to6_in));
	packet(t, "err-time", B(err_time_4to6_in));
	packet(t, "udp-fixed", ip4(from4(), l4(IPPROTO_UDP, 53, 61001, 30)), 2);
	packet(t, "tcp-partial", ip4(from4(), l4(IPPROTO_TCP, 80, 61002, 30)), 1);
	packet(t, "udp-static", ip4(from4("198.51.100.2"), l4(IPPROTO_UDP, 4000, 53, 12)), 2);
	Bytes zero = ip4(from4(), l4(IPPROTO_UDP, 53, 61001, 21));
	put16(&zero[26], 0);
	packet(t, "udp-zero-csum", zero);
	V4 fr = from4();
	fr.frag = 0x2000;	// MF, offset 0
	packet(t, "udp-frag-first", ip4(fr, l4(IPPROTO_UDP, 53, 61001, 64)));
	fr.frag = 185;	// offset 1480, last
	packet(t, "udp-frag-later", ip4(fr, l4(IPPROTO_UDP, 53, 61001, 64)));
	V4 opt = from4();
	opt.opts = {IPOPT_NOOP, IPOPT_NOOP, IPOPT_NOOP, IPOPT_END};
	packet(t, "tcp-options", ip4(opt, l4(IPPROTO_TCP, 80, 61002, 4)), 2);
	opt.opts = {IPOPT_LSRR, 7, 4, 10, 0, 0, 1, 0};	// unexpired source route
	packet(t, "udp-lsrr", ip4(opt, l4(IPPROTO_UDP, 53, 61001, 4)), 2);
	packet(t, "err-port", error4(3, 3, 0, sent4_udp()));
	packet(t, "err-frag-needed", error4(3, 4, 1400, sent4_tcp()));
	packet(t, "err-frag-needed-0", error4(3, 4, 0, sent4_udp()));
	packet(t, "err-param", error4(12, 0, 9u << 24, sent4_echo()));
	packet(t, "err-unreach-ext", error4(3, 1, 32u << 16, with_ext(sent4_udp())));
}

// fuzz_icmp_error: control byte, ICMP bytes 4-7, inner packet.
void inner(const std::string &name, uint8_t ctl, uint32_t rest, const Bytes &in)
{
	Bytes b{ctl, 0, 0, 0, 0};
	put32(&b[1], rest);
	b.insert(b.end(), in.begin(), in.end());
	put("fuzz_icmp_error", name, b);
}

void icmp_errors()
{
	// ICMPv6 errors (bit 0 set), kinds6 index in bits 1-3.
	inner("v6-port-udp", 1 | 3 << 1, 0, sent6(IPPROTO_UDP, 53, 5000));
	inner("v6-ptb-tcp", 1 | 4 << 1, 1280, sent6(IPPROTO_TCP, 80, 40000));
	inner("v6-time-echo", 1 | 5 << 1, 0, sent6(IPPROTO_ICMPV6, 0x0abc, 0x0abc, 129));
	inner("v6-param", 1 | 6 << 1, 24, sent6(IPPROTO_UDP, 53, 5000));
	inner("v6-ext", 1 | 0 << 1, 16u << 24, with_ext(sent6(IPPROTO_UDP, 53, 5000)));
	// ICMPv4 errors, kinds4 index in bits 1-3.
	inner("v4-port-udp", 3 << 1, 0, sent4_udp());
	inner("v4-frag-tcp", 4 << 1, 1400, sent4_tcp());
	inner("v4-time-echo", 6 << 1, 0, sent4_echo());
	inner("v4-param", 7 << 1, 12u << 24, sent4_udp());
	inner("v4-ext", 1 << 1, 32u << 16, with_ext(sent4_udp()));
	// The quoted packets of the golden vectors.
	Bytes v = B(err_port_6to4_in);
	inner("vector-v6-port", 1 | 3 << 1, get32(&v[44]), Bytes(v.begin() + 48, v.end()));
	v = B(err_ptb_4to6_in);
	inner("vector-v4-ptb", 4 << 1, get32(&v[24]), Bytes(v.begin() + 28, v.end()));
	v = B(err_time_4to6_in);
	inner("vector-v4-time", 6 << 1, get32(&v[24]), Bytes(v.begin() + 28, v.end()));
}

}  // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR (test/fuzz/corpus)\n", argv[0]);
		return 2;
	}
	root = argv[1];
	packets6();
	packets4();
	icmp_errors();
	gen_netlink(root);
	return 0;
}
