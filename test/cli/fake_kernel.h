// SPDX-License-Identifier: GPL-2.0-or-later
// A fake kernel with state, for `file handle`: it keeps instances, globals,
// pool4 (one row per address, as the module dumps it) and bindings, answers
// the requests the CLI sends the way the module does, and can be told to
// reject the Nth change.
#pragma once

#include <arpa/inet.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "globals.h"
#include "nlmsg.h"
#include "plan.h"
#include "test_util.h"
#include "transport.h"
#include "values.h"

namespace nat64::test {

struct FakeInstance {
  std::uint8_t framework = NAT64_FW_NETFILTER;
  Prefix6 pool6;
  std::vector<GlobalValue> globals = default_globals();
  std::vector<Pool4Entry> rows;  // /32 each
  std::vector<BibEntry> bib;

  friend bool operator==(const FakeInstance &a, const FakeInstance &b)
  {
    auto rows_eq = [](const Pool4Entry &x, const Pool4Entry &y) {
      return x.mark == y.mark && x.proto == y.proto && x.prefix == y.prefix && x.ports.min == y.ports.min &&
             x.ports.max == y.ports.max && x.max_iter == y.max_iter;
    };
    auto bib_eq = [](const BibEntry &x, const BibEntry &y) {
      return x.proto == y.proto && x.is_static == y.is_static && x.addr6.port == y.addr6.port &&
             x.addr4.port == y.addr4.port && x.addr4.addr.s_addr == y.addr4.addr.s_addr &&
             std::memcmp(&x.addr6.addr, &y.addr6.addr, 16) == 0;
    };
    auto globals_eq = [](const GlobalValue &x, const GlobalValue &y) { return same_value(x, y); };
    return a.framework == b.framework && a.pool6 == b.pool6 &&
           std::is_permutation(a.rows.begin(), a.rows.end(), b.rows.begin(), b.rows.end(), rows_eq) &&
           std::is_permutation(a.bib.begin(), a.bib.end(), b.bib.begin(), b.bib.end(), bib_eq) &&
           std::equal(a.globals.begin(), a.globals.end(), b.globals.begin(), b.globals.end(), globals_eq);
  }
};

class FakeKernel final : public Transport {
 public:
  std::map<std::string, FakeInstance> instances;
  // Changes (not reads) the kernel accepted, as describe() would say them.
  std::vector<std::string> changes;
  int requests = 0;
  // Reject the change number `fail_at` (0-based, counting attempts), and
  // also every undo when `fail_undo`.
  int fail_at = -1;
  bool fail_all_after = false;
  int attempts = 0;

  int family() const override { return kFamily; }

  Status exchange(nl_msg *req, const ReplyHandler &on_reply) override
  {
    requests++;
    nlmsghdr *h = nlmsg_hdr(req);
    auto *g = static_cast<genlmsghdr *>(nlmsg_data(h));
    nlattr *tb[NAT64_A_MAX + 1] = {};
    if (genlmsg_parse(h, 0, tb, NAT64_A_MAX, nullptr) < 0)
      return Error::kernel(EINVAL, "bad request");
    std::string iname = tb[NAT64_A_INAME] ? nla_get_string(tb[NAT64_A_INAME]) : "";
    bool change = g->cmd != NAT64_CMD_INSTANCE_GET && g->cmd != NAT64_CMD_GLOBAL_GET &&
                  g->cmd != NAT64_CMD_POOL4_GET && g->cmd != NAT64_CMD_BIB_GET &&
                  g->cmd != NAT64_CMD_SESSION_GET && g->cmd != NAT64_CMD_STATS_GET;
    if (change) {
      int n = attempts++;
      if (n == fail_at || (fail_all_after && fail_at >= 0 && n > fail_at))
        return Error::kernel(EEXIST, "injected failure");
    }
    if (g->cmd == NAT64_CMD_INSTANCE_ADD) {
      if (instances.count(iname))
        return Error::kernel(EEXIST, "instance exists");
      FakeInstance inst;
      inst.framework = nla_get_u8(tb[NAT64_A_FRAMEWORK]);
      nlattr *p[NAT64_PFX_MAX + 1];
      nla_parse_nested(p, NAT64_PFX_MAX, tb[NAT64_A_POOL6], nullptr);
      std::memcpy(&inst.pool6.addr, nla_data(p[NAT64_PFX_ADDR]), 16);
      inst.pool6.len = nla_get_u8(p[NAT64_PFX_LEN]);
      instances[iname] = inst;
      changes.push_back("instance add");
      return {};
    }
    auto it = instances.find(iname);
    if (it == instances.end())
      return Error::kernel(ESRCH, "No instance with that name in this namespace");
    FakeInstance &inst = it->second;

    switch (g->cmd) {
      case NAT64_CMD_INSTANCE_DEL:
        instances.erase(it);
        changes.push_back("instance remove");
        return {};
      case NAT64_CMD_INSTANCE_GET:
        return reply(on_reply, instance_msg(iname, inst));
      case NAT64_CMD_GLOBAL_GET:
        return reply(on_reply, globals_msg(inst));
      case NAT64_CMD_GLOBAL_SET: {
        auto v = decode_globals(h);
        if (!v)
          return Error::kernel(EINVAL, "bad globals");
        for (const auto &nv : *v)
          for (auto &old : inst.globals)
            if (old.meta == nv.meta)
              old = nv;
        changes.push_back(describe(op::SetGlobals{*v}));
        return {};
      }
      case NAT64_CMD_POOL4_GET:
        for (const auto &r : inst.rows)
          if (Status s = reply(on_reply, pool4_msg(r)); !s)
            return s;
        return {};
      case NAT64_CMD_POOL4_ADD:
        return pool4_add(inst, h);
      case NAT64_CMD_POOL4_DEL:
        return pool4_del(inst, h);
      case NAT64_CMD_BIB_GET: {
        auto proto = proto_from_u8(nla_get_u8(tb[NAT64_A_PROTO]));
        for (const auto &b : inst.bib)
          if (b.proto == proto)
            if (Status s = reply(on_reply, bib_msg(b)); !s)
              return s;
        return {};
      }
      case NAT64_CMD_BIB_ADD:
        return bib_add(inst, h);
      case NAT64_CMD_BIB_DEL:
        return bib_del(inst, h);
      default:
        return Error::kernel(EOPNOTSUPP, "not in the fake kernel");
    }
  }

  // Adds `e` as rows, as POOL4_ADD would.
  static void add_rows(FakeInstance &inst, const Pool4Entry &e)
  {
    std::uint32_t base = ntohl(e.prefix.addr.s_addr);
    for (std::uint64_t k = 0; k < (std::uint64_t{1} << (32 - e.prefix.len)); k++) {
      Pool4Entry r = e;
      r.prefix = {in_addr{htonl(static_cast<std::uint32_t>(base + k))}, 32};
      inst.rows.push_back(r);
    }
  }

 private:
  static Status reply(const ReplyHandler &on_reply, const MsgPtr &m) { return on_reply(nlmsg_hdr(m.get())); }

  static bool in(const Prefix4 &p, const in_addr &a)
  {
    std::uint32_t mask = p.len ? ~std::uint32_t{0} << (32 - p.len) : 0;
    return (ntohl(p.addr.s_addr) & mask) == (ntohl(a.s_addr) & mask);
  }

  Status pool4_add(FakeInstance &inst, nlmsghdr *h)
  {
    auto e = decode_pool4(h);
    if (!e)
      return Error::kernel(EINVAL, "bad pool4 entry");
    for (const auto &r : inst.rows)
      if (r.proto == e->proto && in(e->prefix, r.prefix.addr) && r.ports.min <= e->ports.max &&
          e->ports.min <= r.ports.max)
        return Error::kernel(EEXIST, "pool4 entry overlaps an existing entry");
    add_rows(inst, *e);
    changes.push_back(describe(op::AddPool4{*e}));
    return {};
  }

  Status pool4_del(FakeInstance &inst, nlmsghdr *h)
  {
    auto e = decode_pool4(h);
    if (!e)
      return Error::kernel(EINVAL, "bad pool4 entry");
    auto victim = [&](const Pool4Entry &r) {
      return r.proto == e->proto && r.mark == e->mark && in(e->prefix, r.prefix.addr) &&
             r.ports.min <= e->ports.max && e->ports.min <= r.ports.max;
    };
    std::size_t n = 0;
    for (const auto &r : inst.rows) {
      if (!victim(r))
        continue;
      n++;
      if (e->ports.min > r.ports.min || e->ports.max < r.ports.max)
        return Error::kernel(EOPNOTSUPP, "pool4 remove cannot take part of an entry's port range");
    }
    if (!n)
      return Error::kernel(ESRCH, "no pool4 entry matches");
    std::erase_if(inst.rows, victim);
    e->max_iter = max_iter_auto;
    changes.push_back(describe(op::RemovePool4{*e}));
    return {};
  }

  Status bib_add(FakeInstance &inst, nlmsghdr *h)
  {
    auto b = decode_bib(h);
    if (!b)
      return Error::kernel(EINVAL, "bad BIB entry");
    for (auto &x : inst.bib) {
      if (x.proto != b->proto)
        continue;
      bool same6 = x.addr6.port == b->addr6.port && std::memcmp(&x.addr6.addr, &b->addr6.addr, 16) == 0;
      bool same4 = x.addr4.port == b->addr4.port && x.addr4.addr.s_addr == b->addr4.addr.s_addr;
      if (same6 && same4) {
        x.is_static = true;
        return {};
      }
      if (same6)
        return Error::kernel(EEXIST, "IPv6 transport address already has a binding");
      if (same4)
        return Error::kernel(EEXIST, "IPv4 transport address already has a binding");
    }
    bool owned = std::any_of(inst.rows.begin(), inst.rows.end(), [&](const Pool4Entry &r) {
      return r.proto == b->proto && r.prefix.addr.s_addr == b->addr4.addr.s_addr &&
             r.ports.min <= b->addr4.port && b->addr4.port <= r.ports.max;
    });
    if (!owned)
      return Error::kernel(EINVAL, "IPv4 transport address is not in pool4 (add it to pool4 first)");
    b->is_static = true;
    inst.bib.push_back(*b);
    changes.push_back(describe(op::AddBib{*b}));
    return {};
  }

  Status bib_del(FakeInstance &inst, nlmsghdr *h)
  {
    auto b = decode_bib(h);
    if (!b)
      return Error::kernel(EINVAL, "bad BIB entry");
    auto match = [&](const BibEntry &x) {
      return x.proto == b->proto && x.addr6.port == b->addr6.port &&
             std::memcmp(&x.addr6.addr, &b->addr6.addr, 16) == 0;
    };
    if (std::none_of(inst.bib.begin(), inst.bib.end(), match))
      return Error::kernel(ESRCH, "no such BIB entry");
    std::erase_if(inst.bib, match);
    changes.push_back(describe(op::RemoveBib{*b}));
    return {};
  }

  static void put_prefix(nl_msg *m, int type, const Prefix6 &p)
  {
    nlattr *n = nla_nest_start(m, type);
    nla_put(m, NAT64_PFX_ADDR, 16, &p.addr);
    nla_put_u8(m, NAT64_PFX_LEN, p.len);
    nla_nest_end(m, n);
  }

  static MsgPtr instance_msg(const std::string &name, const FakeInstance &inst)
  {
    auto m = kernel_msg(NAT64_CMD_INSTANCE_GET);
    nlattr *n = nla_nest_start(m.get(), NAT64_A_INSTANCE);
    nla_put_string(m.get(), NAT64_INST_NAME, name.c_str());
    nla_put_u8(m.get(), NAT64_INST_FRAMEWORK, inst.framework);
    put_prefix(m.get(), NAT64_INST_POOL6, inst.pool6);
    nla_put_u32(m.get(), NAT64_INST_NETNS, 4026531840U);
    nla_nest_end(m.get(), n);
    return m;
  }

  static MsgPtr globals_msg(const FakeInstance &inst)
  {
    auto m = kernel_msg(NAT64_CMD_GLOBAL_GET);
    nlattr *n = nla_nest_start(m.get(), NAT64_A_GLOBALS);
    put_prefix(m.get(), NAT64_G_POOL6, inst.pool6);
    for (const auto &v : inst.globals) {
      int id = v.meta->id;
      switch (v.meta->type) {
        case GlobalType::boolean:
          nla_put_u8(m.get(), id, std::get<bool>(v.data));
          break;
        case GlobalType::u8:
        case GlobalType::fargs:
          nla_put_u8(m.get(), id, std::get<std::uint8_t>(v.data));
          break;
        case GlobalType::u32:
        case GlobalType::timeout:
          nla_put_u32(m.get(), id, std::get<std::uint32_t>(v.data));
          break;
        case GlobalType::plateaus: {
          const auto &p = std::get<std::vector<std::uint16_t>>(v.data);
          nla_put(m.get(), id, static_cast<int>(p.size() * 2), p.data());
          break;
        }
        case GlobalType::prefix6:
          break;
      }
    }
    nla_nest_end(m.get(), n);
    return m;
  }

  static MsgPtr pool4_msg(const Pool4Entry &e)
  {
    auto m = kernel_msg(NAT64_CMD_POOL4_GET);
    nlattr *n = nla_nest_start(m.get(), NAT64_A_POOL4);
    nla_put_u32(m.get(), NAT64_POOL4_MARK, e.mark);
    nla_put_u8(m.get(), NAT64_POOL4_PROTO, static_cast<std::uint8_t>(e.proto));
    nla_put(m.get(), NAT64_POOL4_ADDR, 4, &e.prefix.addr);
    nla_put_u8(m.get(), NAT64_POOL4_PLEN, e.prefix.len);
    nla_put_u16(m.get(), NAT64_POOL4_PORT_MIN, e.ports.min);
    nla_put_u16(m.get(), NAT64_POOL4_PORT_MAX, e.ports.max);
    nla_put_u32(m.get(), NAT64_POOL4_MAX_ITER, e.max_iter);
    nla_nest_end(m.get(), n);
    return m;
  }

  static MsgPtr bib_msg(const BibEntry &b)
  {
    auto m = kernel_msg(NAT64_CMD_BIB_GET);
    nlattr *n = nla_nest_start(m.get(), NAT64_A_BIB);
    nla_put_u8(m.get(), NAT64_BIB_PROTO, static_cast<std::uint8_t>(b.proto));
    nla_put(m.get(), NAT64_BIB_ADDR6, 16, &b.addr6.addr);
    nla_put_u16(m.get(), NAT64_BIB_PORT6, b.addr6.port);
    nla_put(m.get(), NAT64_BIB_ADDR4, 4, &b.addr4.addr);
    nla_put_u16(m.get(), NAT64_BIB_PORT4, b.addr4.port);
    nla_put_u8(m.get(), NAT64_BIB_STATIC, b.is_static);
    nla_nest_end(m.get(), n);
    return m;
  }
};

}  // namespace nat64::test
