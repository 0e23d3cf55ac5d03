// SPDX-License-Identifier: GPL-2.0-or-later
#include "nlmsg.h"

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <algorithm>
#include <cstring>

namespace nat64 {

namespace {

Error too_big()
{
  return Error::system("netlink request too large");
}

Result<MsgPtr> new_request(int family, std::uint8_t cmd, int flags)
{
  MsgPtr msg(nlmsg_alloc());
  if (!msg)
    return Error::system("out of memory", ENOMEM);
  if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, NAT64_GENL_VERSION))
    return too_big();
  return msg;
}

Result<MsgPtr> new_request(int family, std::uint8_t cmd, int flags, const std::string &iname)
{
  auto msg = new_request(family, cmd, flags);
  if (msg && nla_put_string(msg->get(), NAT64_A_INAME, iname.c_str()) < 0)
    return too_big();
  return msg;
}

// Puts every attribute or fails; `ok` accumulates nla_put results.
struct Putter {
  nl_msg *msg;
  bool ok = true;

  void u8(int type, std::uint8_t v) { ok = ok && nla_put_u8(msg, type, v) >= 0; }
  void u16(int type, std::uint16_t v) { ok = ok && nla_put_u16(msg, type, v) >= 0; }
  void u32(int type, std::uint32_t v) { ok = ok && nla_put_u32(msg, type, v) >= 0; }
  void bin(int type, const void *p, int len) { ok = ok && nla_put(msg, type, len, p) >= 0; }
  nlattr *nest(int type)
  {
    nlattr *n = ok ? nla_nest_start(msg, type) : nullptr;
    ok = ok && n;
    return n;
  }
  void end(nlattr *n)
  {
    if (ok)
      nla_nest_end(msg, n);
  }
  void prefix6(int type, const Prefix6 &p)
  {
    nlattr *n = nest(type);
    bin(NAT64_PFX_ADDR, &p.addr, sizeof(p.addr));
    u8(NAT64_PFX_LEN, p.len);
    end(n);
  }
};

Result<MsgPtr> finish(Result<MsgPtr> msg, const Putter &p)
{
  if (msg && !p.ok)
    return too_big();
  return msg;
}

void put_pool4(Putter &p, const Pool4Entry &e, bool with_max_iter)
{
  nlattr *n = p.nest(NAT64_A_POOL4);
  p.u32(NAT64_POOL4_MARK, e.mark);
  p.u8(NAT64_POOL4_PROTO, static_cast<std::uint8_t>(e.proto));
  p.bin(NAT64_POOL4_ADDR, &e.prefix.addr, sizeof(e.prefix.addr));
  p.u8(NAT64_POOL4_PLEN, e.prefix.len);
  p.u16(NAT64_POOL4_PORT_MIN, e.ports.min);
  p.u16(NAT64_POOL4_PORT_MAX, e.ports.max);
  if (with_max_iter)
    p.u32(NAT64_POOL4_MAX_ITER, e.max_iter);
  p.end(n);
}

void put_bib(Putter &p, Proto proto, const std::optional<Taddr6> &a6, const std::optional<Taddr4> &a4)
{
  nlattr *n = p.nest(NAT64_A_BIB);
  p.u8(NAT64_BIB_PROTO, static_cast<std::uint8_t>(proto));
  if (a6) {
    p.bin(NAT64_BIB_ADDR6, &a6->addr, sizeof(a6->addr));
    p.u16(NAT64_BIB_PORT6, a6->port);
  }
  if (a4) {
    p.bin(NAT64_BIB_ADDR4, &a4->addr, sizeof(a4->addr));
    p.u16(NAT64_BIB_PORT4, a4->port);
  }
  p.end(n);
}

void put_global(Putter &p, const GlobalValue &v)
{
  int id = v.meta->id;
  switch (v.meta->type) {
    case GlobalType::boolean:
      p.u8(id, std::get<bool>(v.data) ? 1 : 0);
      break;
    case GlobalType::u8:
    case GlobalType::fargs:
      p.u8(id, std::get<std::uint8_t>(v.data));
      break;
    case GlobalType::u32:
    case GlobalType::timeout:
      p.u32(id, std::get<std::uint32_t>(v.data));
      break;
    case GlobalType::plateaus: {
      const auto &list = std::get<std::vector<std::uint16_t>>(v.data);
      p.bin(id, list.data(), static_cast<int>(list.size() * sizeof(std::uint16_t)));
      break;
    }
    case GlobalType::prefix6:
      p.prefix6(id, std::get<Prefix6>(v.data));
      break;
  }
}

// ---- decoding ---------------------------------------------------------

Error malformed(std::string_view what)
{
  return Error::system(
      fmt::format("malformed answer from the kernel: {} (module and tool versions differ?)", what));
}

template <int MAX>
struct Attrs {
  nlattr *tb[MAX + 1] = {};

  nlattr *operator[](int type) const { return tb[type]; }
  bool has(int type, int min_len) const { return tb[type] && nla_len(tb[type]) >= min_len; }
};

template <int MAX>
Result<Attrs<MAX>> parse_top(const nlmsghdr *h)
{
  Attrs<MAX> a;
  if (!genlmsg_valid_hdr(const_cast<nlmsghdr *>(h), 0))
    return malformed("truncated generic netlink header");
  if (genlmsg_parse(const_cast<nlmsghdr *>(h), 0, a.tb, MAX, nullptr) < 0)
    return malformed("bad attributes");
  return a;
}

template <int MAX>
Result<Attrs<MAX>> parse_nest(nlattr *nest, std::string_view what)
{
  Attrs<MAX> a;
  if (!nest)
    return malformed(fmt::format("no {} attribute", what));
  if (nla_parse_nested(a.tb, MAX, nest, nullptr) < 0)
    return malformed(fmt::format("bad {} attributes", what));
  return a;
}

// Top-level attribute `type` of `h`, parsed as a nest of MAX.
template <int MAX>
Result<Attrs<MAX>> nested(const nlmsghdr *h, int type, std::string_view what)
{
  auto top = parse_top<NAT64_A_MAX>(h);
  if (!top)
    return std::move(top).error();
  return parse_nest<MAX>((*top)[type], what);
}

template <int MAX>
struct Reader {
  const Attrs<MAX> &a;
  std::string_view what;
  std::optional<Error> error;

  bool need(int type, int len, std::string_view name)
  {
    if (a.has(type, len))
      return true;
    if (!error)
      error = malformed(fmt::format("{} without a valid {}", what, name));
    return false;
  }
  std::uint8_t u8(int type, std::string_view name) { return need(type, 1, name) ? nla_get_u8(a[type]) : 0; }
  std::uint16_t u16(int type, std::string_view name)
  {
    return need(type, 2, name) ? nla_get_u16(a[type]) : 0;
  }
  std::uint32_t u32(int type, std::string_view name)
  {
    return need(type, 4, name) ? nla_get_u32(a[type]) : 0;
  }
  std::uint64_t u64(int type, std::string_view name)
  {
    return need(type, 8, name) ? nla_get_u64(a[type]) : 0;
  }
  template <typename T>
  T addr(int type, std::string_view name)
  {
    T out{};
    if (need(type, sizeof(T), name) && nla_len(a[type]) == sizeof(T))
      std::memcpy(&out, nla_data(a[type]), sizeof(T));
    else if (!error)
      error = malformed(fmt::format("{} with a bad {}", what, name));
    return out;
  }
  Proto proto(int type)
  {
    auto p = proto_from_u8(u8(type, "protocol"));
    if (!p && !error)
      error = malformed(fmt::format("{} with an unknown protocol", what));
    return p.value_or(Proto::tcp);
  }
};

Result<Prefix6> decode_prefix6(nlattr *nest, std::string_view what)
{
  auto a = parse_nest<NAT64_PFX_MAX>(nest, what);
  if (!a)
    return std::move(a).error();
  Reader<NAT64_PFX_MAX> r{*a, what, {}};
  Prefix6 p;
  p.addr = r.addr<in6_addr>(NAT64_PFX_ADDR, "address");
  p.len = r.u8(NAT64_PFX_LEN, "length");
  if (r.error)
    return *r.error;
  if (p.len > 128)
    return malformed(fmt::format("{} longer than 128 bits", what));
  return p;
}

}  // namespace

Result<MsgPtr> encode_instance_add(int family, const InstanceAdd &c)
{
  auto msg = new_request(family, NAT64_CMD_INSTANCE_ADD, NLM_F_ACK, c.iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  p.u8(NAT64_A_FRAMEWORK, static_cast<std::uint8_t>(c.framework));
  p.prefix6(NAT64_A_POOL6, c.pool6);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_instance_remove(int family, const std::string &iname)
{
  return new_request(family, NAT64_CMD_INSTANCE_DEL, NLM_F_ACK, iname);
}

Result<MsgPtr> encode_instance_dump(int family)
{
  return new_request(family, NAT64_CMD_INSTANCE_GET, NLM_F_DUMP);
}

Result<MsgPtr> encode_instance_get(int family, const std::string &iname)
{
  return new_request(family, NAT64_CMD_INSTANCE_GET, NLM_F_ACK, iname);
}

Result<MsgPtr> encode_instance_flush(int family)
{
  return new_request(family, NAT64_CMD_INSTANCE_FLUSH, NLM_F_ACK);
}

Result<MsgPtr> encode_pool4_add(int family, const std::string &iname, const Pool4Entry &e)
{
  auto msg = new_request(family, NAT64_CMD_POOL4_ADD, NLM_F_ACK, iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  put_pool4(p, e, true);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_pool4_remove(int family, const std::string &iname, const Pool4Entry &e, bool quick)
{
  auto msg = new_request(family, NAT64_CMD_POOL4_DEL, NLM_F_ACK, iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  put_pool4(p, e, false);
  if (quick)
    p.u32(NAT64_A_FLAGS, NAT64_FLAG_QUICK);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_pool4_dump(int family, const std::string &iname, std::optional<Proto> proto)
{
  auto msg = new_request(family, NAT64_CMD_POOL4_GET, NLM_F_DUMP, iname);
  if (!msg || !proto)
    return msg;
  Putter p{msg->get()};
  p.u8(NAT64_A_PROTO, static_cast<std::uint8_t>(*proto));
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_pool4_flush(int family, const std::string &iname, bool quick)
{
  auto msg = new_request(family, NAT64_CMD_POOL4_FLUSH, NLM_F_ACK, iname);
  if (!msg || !quick)
    return msg;
  Putter p{msg->get()};
  p.u32(NAT64_A_FLAGS, NAT64_FLAG_QUICK);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_bib_add(int family, const BibAdd &c)
{
  auto msg = new_request(family, NAT64_CMD_BIB_ADD, NLM_F_ACK, c.iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  put_bib(p, c.proto, c.addr6, c.addr4);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_bib_remove(int family, const BibRemove &c)
{
  auto msg = new_request(family, NAT64_CMD_BIB_DEL, NLM_F_ACK, c.iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  put_bib(p, c.proto, c.addr6, c.addr4);
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_bib_dump(int family, const std::string &iname, Proto proto)
{
  auto msg = new_request(family, NAT64_CMD_BIB_GET, NLM_F_DUMP, iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  p.u8(NAT64_A_PROTO, static_cast<std::uint8_t>(proto));
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_session_dump(int family, const std::string &iname, Proto proto)
{
  auto msg = new_request(family, NAT64_CMD_SESSION_GET, NLM_F_DUMP, iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  p.u8(NAT64_A_PROTO, static_cast<std::uint8_t>(proto));
  return finish(std::move(msg), p);
}

Result<MsgPtr> encode_stats_get(int family, const std::string &iname)
{
  return new_request(family, NAT64_CMD_STATS_GET, NLM_F_ACK, iname);
}

Result<MsgPtr> encode_global_get(int family, const std::string &iname)
{
  return new_request(family, NAT64_CMD_GLOBAL_GET, NLM_F_ACK, iname);
}

Result<MsgPtr> encode_global_set(int family, const std::string &iname, std::span<const GlobalValue> values)
{
  auto msg = new_request(family, NAT64_CMD_GLOBAL_SET, NLM_F_ACK, iname);
  if (!msg)
    return msg;
  Putter p{msg->get()};
  nlattr *n = p.nest(NAT64_A_GLOBALS);
  for (const auto &v : values)
    put_global(p, v);
  p.end(n);
  return finish(std::move(msg), p);
}

Result<InstanceEntry> decode_instance(const nlmsghdr *h)
{
  auto a = nested<NAT64_INST_MAX>(h, NAT64_A_INSTANCE, "INSTANCE");
  if (!a)
    return std::move(a).error();
  Reader<NAT64_INST_MAX> r{*a, "instance", {}};
  InstanceEntry e;
  if (r.need(NAT64_INST_NAME, 1, "name")) {
    auto *name = static_cast<const char *>(nla_data((*a)[NAT64_INST_NAME]));
    e.name.assign(name, strnlen(name, nla_len((*a)[NAT64_INST_NAME])));
  }
  e.framework = r.u8(NAT64_INST_FRAMEWORK, "framework");
  if ((*a)[NAT64_INST_NETNS])
    e.netns = r.u32(NAT64_INST_NETNS, "namespace");
  if (r.error)
    return *r.error;
  if ((*a)[NAT64_INST_POOL6]) {
    auto p = decode_prefix6((*a)[NAT64_INST_POOL6], "instance pool6");
    if (!p)
      return std::move(p).error();
    e.pool6 = *p;
  }
  return e;
}

Result<Pool4Entry> decode_pool4(const nlmsghdr *h)
{
  auto a = nested<NAT64_POOL4_MAX>(h, NAT64_A_POOL4, "POOL4");
  if (!a)
    return std::move(a).error();
  Reader<NAT64_POOL4_MAX> r{*a, "pool4 entry", {}};
  Pool4Entry e;
  e.mark = (*a)[NAT64_POOL4_MARK] ? r.u32(NAT64_POOL4_MARK, "mark") : 0;
  e.proto = r.proto(NAT64_POOL4_PROTO);
  e.prefix.addr = r.addr<in_addr>(NAT64_POOL4_ADDR, "address");
  e.prefix.len = r.u8(NAT64_POOL4_PLEN, "prefix length");
  e.ports.min = r.u16(NAT64_POOL4_PORT_MIN, "minimum port");
  e.ports.max = r.u16(NAT64_POOL4_PORT_MAX, "maximum port");
  if ((*a)[NAT64_POOL4_MAX_ITER])
    e.max_iter = r.u32(NAT64_POOL4_MAX_ITER, "max iterations");
  if (r.error)
    return *r.error;
  if (e.prefix.len > 32)
    return malformed("pool4 entry with a prefix longer than 32 bits");
  return e;
}

Result<BibEntry> decode_bib(const nlmsghdr *h)
{
  auto a = nested<NAT64_BIB_MAX>(h, NAT64_A_BIB, "BIB");
  if (!a)
    return std::move(a).error();
  Reader<NAT64_BIB_MAX> r{*a, "BIB entry", {}};
  BibEntry e;
  e.proto = r.proto(NAT64_BIB_PROTO);
  e.addr6.addr = r.addr<in6_addr>(NAT64_BIB_ADDR6, "IPv6 address");
  e.addr6.port = r.u16(NAT64_BIB_PORT6, "IPv6 port");
  e.addr4.addr = r.addr<in_addr>(NAT64_BIB_ADDR4, "IPv4 address");
  e.addr4.port = r.u16(NAT64_BIB_PORT4, "IPv4 port");
  e.is_static = (*a)[NAT64_BIB_STATIC] ? r.u8(NAT64_BIB_STATIC, "static flag") != 0 : false;
  if (r.error)
    return *r.error;
  return e;
}

Result<SessionEntry> decode_session(const nlmsghdr *h)
{
  auto a = nested<NAT64_SESSION_MAX>(h, NAT64_A_SESSION, "SESSION");
  if (!a)
    return std::move(a).error();
  Reader<NAT64_SESSION_MAX> r{*a, "session", {}};
  SessionEntry e;
  e.proto = r.proto(NAT64_SESSION_PROTO);
  e.src6.addr = r.addr<in6_addr>(NAT64_SESSION_SRC6_ADDR, "IPv6 source address");
  e.src6.port = r.u16(NAT64_SESSION_SRC6_PORT, "IPv6 source port");
  e.dst6.addr = r.addr<in6_addr>(NAT64_SESSION_DST6_ADDR, "IPv6 destination address");
  e.dst6.port = r.u16(NAT64_SESSION_DST6_PORT, "IPv6 destination port");
  e.src4.addr = r.addr<in_addr>(NAT64_SESSION_SRC4_ADDR, "IPv4 source address");
  e.src4.port = r.u16(NAT64_SESSION_SRC4_PORT, "IPv4 source port");
  e.dst4.addr = r.addr<in_addr>(NAT64_SESSION_DST4_ADDR, "IPv4 destination address");
  e.dst4.port = r.u16(NAT64_SESSION_DST4_PORT, "IPv4 destination port");
  e.state =
      (*a)[NAT64_SESSION_STATE] ? r.u8(NAT64_SESSION_STATE, "state") : std::uint8_t{NAT64_TCP_ESTABLISHED};
  e.expires_ms = r.u64(NAT64_SESSION_EXPIRES, "expiration");
  if (r.error)
    return *r.error;
  return e;
}

Result<std::vector<StatValue>> decode_stats(const nlmsghdr *h)
{
  auto top = parse_top<NAT64_A_MAX>(h);
  if (!top)
    return std::move(top).error();
  nlattr *nest = (*top)[NAT64_A_STATS];
  if (!nest)
    return malformed("no STATS attribute");
  std::vector<StatValue> out;
  nlattr *attr;
  int rem;
  nla_for_each_nested(attr, nest, rem)
  {
    int type = nla_type(attr);
    if (type == NAT64_STAT_UNUSED)  // padding
      continue;
    if (nla_len(attr) < 8)
      return malformed("counter shorter than 64 bits");
    out.push_back({static_cast<unsigned>(type), nla_get_u64(attr)});
  }
  std::sort(out.begin(), out.end(), [](const auto &x, const auto &y) { return x.id < y.id; });
  return out;
}

Result<std::vector<GlobalValue>> decode_globals(const nlmsghdr *h)
{
  auto top = parse_top<NAT64_A_MAX>(h);
  if (!top)
    return std::move(top).error();
  nlattr *nest = (*top)[NAT64_A_GLOBALS];
  if (!nest)
    return malformed("no GLOBALS attribute");

  std::vector<GlobalValue> out;
  nlattr *attr;
  int rem;
  nla_for_each_nested(attr, nest, rem)
  {
    const GlobalMeta *m = global_meta(nla_type(attr));
    if (!m)
      continue;  // a newer module's key
    int len = nla_len(attr);
    auto short_attr = [&] { return malformed(fmt::format("global '{}' too short", m->name)); };
    switch (m->type) {
      case GlobalType::boolean:
        if (len < 1)
          return short_attr();
        out.push_back({m, nla_get_u8(attr) != 0});
        break;
      case GlobalType::u8:
      case GlobalType::fargs:
        if (len < 1)
          return short_attr();
        out.push_back({m, nla_get_u8(attr)});
        break;
      case GlobalType::u32:
      case GlobalType::timeout:
        if (len < 4)
          return short_attr();
        out.push_back({m, nla_get_u32(attr)});
        break;
      case GlobalType::plateaus: {
        if (len % 2)
          return malformed("mtu-plateaus of odd length");
        std::vector<std::uint16_t> list(len / 2);
        if (len)  // an empty vector's data() may be null, even for memcpy
          std::memcpy(list.data(), nla_data(attr), len);
        out.push_back({m, std::move(list)});
        break;
      }
      case GlobalType::prefix6: {
        auto p = decode_prefix6(attr, "pool6");
        if (!p)
          return std::move(p).error();
        out.push_back({m, *p});
        break;
      }
    }
  }
  return out;
}

std::string extack_message(const nlmsghdr *h)
{
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
    return "";
  std::size_t payload = h->nlmsg_len >= NLMSG_HDRLEN ? h->nlmsg_len - NLMSG_HDRLEN : 0;
  std::size_t off;
  if (h->nlmsg_type == NLMSG_ERROR) {
    if (payload < sizeof(nlmsgerr))
      return "";
    auto *e = static_cast<const nlmsgerr *>(NLMSG_DATA(h));
    off = sizeof(nlmsgerr);
    if (!(h->nlmsg_flags & NLM_F_CAPPED))
      off += e->msg.nlmsg_len >= NLMSG_HDRLEN ? e->msg.nlmsg_len - NLMSG_HDRLEN : 0;
  } else if (h->nlmsg_type == NLMSG_DONE) {
    off = sizeof(int);
  } else {
    return "";
  }
  off = NLMSG_ALIGN(off);
  if (off >= payload)
    return "";

  auto *attrs = reinterpret_cast<nlattr *>(static_cast<char *>(NLMSG_DATA(h)) + off);
  nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
  if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, static_cast<int>(payload - off), nullptr) < 0)
    return "";
  nlattr *msg = tb[NLMSGERR_ATTR_MSG];
  if (!msg || nla_len(msg) <= 0)
    return "";
  auto *s = static_cast<const char *>(nla_data(msg));
  return std::string(s, strnlen(s, nla_len(msg)));
}

}  // namespace nat64
