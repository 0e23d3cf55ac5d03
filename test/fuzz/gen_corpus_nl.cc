// The netlink seeds of test/fuzz/corpus/fuzz_nlattr (see gen_corpus.cc):
// kernel answers of every kind the CLI decodes, built with libnl.
#include <arpa/inet.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "globals.h"
#include "nlmsg.h"

namespace {

using Bytes = std::vector<uint8_t>;

std::string root;

void put(const std::string &target, const std::string &name, const Bytes &b)
{
	std::string path = root + "/" + target + "/" + name;
	std::ofstream f(path, std::ios::binary);
	f.write(reinterpret_cast<const char *>(b.data()), (std::streamsize)b.size());
	if (!f)
		fprintf(stderr, "cannot write %s\n", path.c_str());
}

in6_addr a6(const char *s)
{
	in6_addr a{};
	inet_pton(AF_INET6, s, &a);
	return a;
}

uint32_t a4(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

struct Msg {
	nl_msg *m;
	explicit Msg(uint8_t cmd) : m(nlmsg_alloc())
	{
		genlmsg_put(m, 0, 1, 0x1d, 0, NLM_F_MULTI, cmd, NAT64_GENL_VERSION);
	}
	~Msg() { nlmsg_free(m); }
	Bytes bytes() const
	{
		nlmsghdr *h = nlmsg_hdr(m);
		const uint8_t *p = reinterpret_cast<const uint8_t *>(h);
		return Bytes(p, p + h->nlmsg_len);
	}
};

void prefix6(nl_msg *m, int type, const char *addr, uint8_t len)
{
	nlattr *n = nla_nest_start(m, type);
	in6_addr a = a6(addr);
	nla_put(m, NAT64_PFX_ADDR, 16, &a);
	nla_put_u8(m, NAT64_PFX_LEN, len);
	nla_nest_end(m, n);
}

Bytes instance_answer()
{
	Msg x(NAT64_CMD_INSTANCE_GET);
	nlattr *n = nla_nest_start(x.m, NAT64_A_INSTANCE);
	nla_put_string(x.m, NAT64_INST_NAME, "default");
	nla_put_u8(x.m, NAT64_INST_FRAMEWORK, NAT64_FW_NETFILTER);
	prefix6(x.m, NAT64_INST_POOL6, "64:ff9b::", 96);
	nla_put_u32(x.m, NAT64_INST_NETNS, 4026531840U);
	nla_nest_end(x.m, n);
	return x.bytes();
}

Bytes pool4_answer()
{
	Msg x(NAT64_CMD_POOL4_GET);
	nlattr *n = nla_nest_start(x.m, NAT64_A_POOL4);
	nla_put_u32(x.m, NAT64_POOL4_MARK, 0);
	nla_put_u8(x.m, NAT64_POOL4_PROTO, IPPROTO_TCP);
	uint32_t a = a4("192.0.2.0");
	nla_put(x.m, NAT64_POOL4_ADDR, 4, &a);
	nla_put_u8(x.m, NAT64_POOL4_PLEN, 30);
	nla_put_u16(x.m, NAT64_POOL4_PORT_MIN, 61001);
	nla_put_u16(x.m, NAT64_POOL4_PORT_MAX, 65535);
	nla_put_u32(x.m, NAT64_POOL4_MAX_ITER, 0);
	nla_nest_end(x.m, n);
	return x.bytes();
}

Bytes bib_answer()
{
	Msg x(NAT64_CMD_BIB_GET);
	nlattr *n = nla_nest_start(x.m, NAT64_A_BIB);
	nla_put_u8(x.m, NAT64_BIB_PROTO, IPPROTO_UDP);
	in6_addr a = a6("2001:db8::1");
	nla_put(x.m, NAT64_BIB_ADDR6, 16, &a);
	nla_put_u16(x.m, NAT64_BIB_PORT6, 5000);
	uint32_t b = a4("198.51.100.1");
	nla_put(x.m, NAT64_BIB_ADDR4, 4, &b);
	nla_put_u16(x.m, NAT64_BIB_PORT4, 61001);
	nla_put_u8(x.m, NAT64_BIB_STATIC, 1);
	nla_nest_end(x.m, n);
	return x.bytes();
}

Bytes session_answer()
{
	Msg x(NAT64_CMD_SESSION_GET);
	nlattr *n = nla_nest_start(x.m, NAT64_A_SESSION);
	nla_put_u8(x.m, NAT64_SESSION_PROTO, IPPROTO_TCP);
	in6_addr s6 = a6("2001:db8::1"), d6 = a6("64:ff9b::c000:221");
	uint32_t s4 = a4("198.51.100.1"), d4 = a4("192.0.2.33");
	nla_put(x.m, NAT64_SESSION_SRC6_ADDR, 16, &s6);
	nla_put_u16(x.m, NAT64_SESSION_SRC6_PORT, 40000);
	nla_put(x.m, NAT64_SESSION_DST6_ADDR, 16, &d6);
	nla_put_u16(x.m, NAT64_SESSION_DST6_PORT, 80);
	nla_put(x.m, NAT64_SESSION_SRC4_ADDR, 4, &s4);
	nla_put_u16(x.m, NAT64_SESSION_SRC4_PORT, 61002);
	nla_put(x.m, NAT64_SESSION_DST4_ADDR, 4, &d4);
	nla_put_u16(x.m, NAT64_SESSION_DST4_PORT, 80);
	nla_put_u8(x.m, NAT64_SESSION_STATE, NAT64_TCP_V4_FIN_RCV);
	nla_put_u64(x.m, NAT64_SESSION_EXPIRES, 7199000);
	nla_nest_end(x.m, n);
	return x.bytes();
}

Bytes stats_answer()
{
	Msg x(NAT64_CMD_STATS_GET);
	nlattr *n = nla_nest_start(x.m, NAT64_A_STATS);
	nla_put_u64(x.m, NAT64_STAT_SUCCESS, 35);
	nla_put_u64(x.m, NAT64_STAT_RECEIVED6, 40);
	nla_put_u64(x.m, NAT64_STAT_UNUSED, 0);
	nla_put_u64(x.m, NAT64_STAT_COUNT + 3, 9);
	nla_nest_end(x.m, n);
	return x.bytes();
}

Bytes globals_answer()
{
	Msg x(NAT64_CMD_GLOBAL_GET);
	// Every key at its default, as the kernel answers GLOBAL_GET: the
	// request encoder writes the same nest.
	auto req = nat64::encode_global_set(0x1d, "default", nat64::default_globals());
	nlattr *tb[NAT64_A_MAX + 1] = {};
	genlmsg_parse(nlmsg_hdr(req->get()), 0, tb, NAT64_A_MAX, nullptr);
	nla_put(x.m, NAT64_A_GLOBALS, nla_len(tb[NAT64_A_GLOBALS]), nla_data(tb[NAT64_A_GLOBALS]));
	return x.bytes();
}

// NLMSG_ERROR / NLMSG_DONE with an extack message.
Bytes extack(uint16_t type, int err, const char *text)
{
	size_t body = type == NLMSG_ERROR ? sizeof(nlmsgerr) : sizeof(int);
	size_t tlv = NLA_HDRLEN + NLA_ALIGN(strlen(text) + 1);
	Bytes b(NLMSG_HDRLEN + NLMSG_ALIGN(body) + tlv);
	auto *h = reinterpret_cast<nlmsghdr *>(b.data());
	h->nlmsg_len = (uint32_t)b.size();
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_ACK_TLVS | (type == NLMSG_ERROR ? NLM_F_CAPPED : NLM_F_MULTI);
	if (type == NLMSG_ERROR) {
		auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(h));
		e->error = err;
		e->msg.nlmsg_len = NLMSG_HDRLEN + 4;
		e->msg.nlmsg_type = 0x1d;
	} else {
		memcpy(NLMSG_DATA(h), &err, sizeof(err));
	}
	auto *a = reinterpret_cast<nlattr *>(b.data() + NLMSG_HDRLEN + NLMSG_ALIGN(body));
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = (uint16_t)(NLA_HDRLEN + strlen(text) + 1);
	memcpy(reinterpret_cast<uint8_t *>(a) + NLA_HDRLEN, text, strlen(text) + 1);
	return b;
}

}  // namespace

void gen_netlink(const std::string &root_dir)
{
	root = root_dir;
	const std::string t = "fuzz_nlattr";
	put(t, "instance", instance_answer());
	put(t, "pool4", pool4_answer());
	put(t, "bib", bib_answer());
	put(t, "session", session_answer());
	put(t, "stats", stats_answer());
	put(t, "globals", globals_answer());
	put(t, "error-extack", extack(NLMSG_ERROR, -ESRCH, "instance 'x' does not exist"));
	put(t, "done-extack", extack(NLMSG_DONE, -ENOENT, "no such instance"));
	// One datagram of a dump: two entries and the end.
	Bytes dump = session_answer();
	Bytes more = bib_answer(), done = extack(NLMSG_DONE, 0, "");
	dump.insert(dump.end(), more.begin(), more.end());
	dump.insert(dump.end(), done.begin(), done.end());
	put(t, "dump", dump);
}

