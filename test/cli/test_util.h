// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the CLI tests: building "kernel" messages by hand.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <string>
#include <vector>

#include "nlmsg.h"

namespace nat64::test {

inline constexpr int kFamily = 0x1d;

// An answer of the kernel: generic netlink header of `cmd`, no attributes yet.
inline MsgPtr kernel_msg(std::uint8_t cmd)
{
  MsgPtr m(nlmsg_alloc());
  genlmsg_put(m.get(), 0, 1, kFamily, 0, 0, cmd, NAT64_GENL_VERSION);
  return m;
}

inline in6_addr a6(const char *s)
{
  in6_addr a{};
  EXPECT_EQ(inet_pton(AF_INET6, s, &a), 1) << s;
  return a;
}

inline in_addr a4(const char *s)
{
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s, &a), 1) << s;
  return a;
}

// Top-level attributes of a request (checks the generic netlink header).
struct Parsed {
  nlattr *tb[NAT64_A_MAX + 1] = {};
  int cmd = -1;
  int flags = 0;
};

inline Parsed parse_request(nl_msg *m)
{
  Parsed p;
  nlmsghdr *h = nlmsg_hdr(m);
  EXPECT_EQ(h->nlmsg_type, kFamily);
  p.flags = h->nlmsg_flags;
  auto *g = static_cast<genlmsghdr *>(nlmsg_data(h));
  EXPECT_EQ(g->version, NAT64_GENL_VERSION);
  p.cmd = g->cmd;
  EXPECT_EQ(genlmsg_parse(h, 0, p.tb, NAT64_A_MAX, nullptr), 0);
  return p;
}

// Same, keeping the message alive until the test program ends (the
// attribute pointers point into it).
inline Parsed parse_request(MsgPtr m)
{
  static std::vector<MsgPtr> keep;
  Parsed p = parse_request(m.get());
  keep.push_back(std::move(m));
  return p;
}

inline std::string iname_of(const Parsed &p)
{
  return p.tb[NAT64_A_INAME] ? nla_get_string(p.tb[NAT64_A_INAME]) : std::string("<none>");
}

}  // namespace nat64::test
