// SPDX-License-Identifier: GPL-2.0-or-later
// The global keys: table, parsing with bounds, printing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "globals.h"
#include "test_util.h"

namespace nat64 {
namespace {

std::string show(const char *key, const char *value, bool csv)
{
  auto v = parse_global(key, value);
  EXPECT_TRUE(v.ok()) << key << " " << (v.ok() ? "" : v.error().message);
  return v.ok() ? format_global(*v, csv) : "<error>";
}

TEST(Globals, TableCoversEveryKey)
{
  std::set<std::string_view> names;
  std::set<int> ids;
  for (const auto &m : global_metas()) {
    names.insert(m.name);
    ids.insert(m.id);
    EXPECT_EQ(global_meta(m.name), &m);
    EXPECT_EQ(global_meta(m.id), &m);
    EXPECT_FALSE(m.doc.empty()) << m.name;
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(NAT64_G_MAX));
  for (int id = 1; id <= NAT64_G_MAX; id++)
    EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_EQ(global_meta("nope"), nullptr);
  EXPECT_EQ(global_meta(NAT64_G_MAX + 1), nullptr);
  EXPECT_FALSE(global_meta("pool6")->writable);
  // Bounds from the uapi header.
  EXPECT_EQ(global_meta("tcp-est-timeout")->min, NAT64_MIN_TCP_EST_TIMEOUT);
  EXPECT_EQ(global_meta("tcp-trans-timeout")->min, NAT64_MIN_TCP_TRANS_TIMEOUT);
  EXPECT_EQ(global_meta("udp-timeout")->min, NAT64_MIN_UDP_TIMEOUT);
  EXPECT_EQ(global_meta("icmp-timeout")->min, NAT64_MIN_ICMP_TIMEOUT);
  EXPECT_EQ(global_meta("lowest-ipv6-mtu")->min, NAT64_MIN_LOWEST_IPV6_MTU);
}

TEST(Globals, SessionSyncKeys)
{
  for (const char *k : {"ss-enabled", "ss-flush-asap", "ss-flush-deadline", "ss-capacity", "ss-max-payload",
                        "ss-max-sessions-per-packet"}) {
    EXPECT_TRUE(is_session_sync_key(k));
    auto v = parse_global(k, "1");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().message, fmt::format("'{}': session synchronization is not supported yet", k));
  }
  EXPECT_FALSE(is_session_sync_key("tos"));
}

TEST(Globals, Print)
{
  EXPECT_EQ(show("manually-enabled", "yes", false), "true");
  EXPECT_EQ(show("manually-enabled", "off", false), "false");
  EXPECT_EQ(show("manually-enabled", "yes", true), "TRUE");
  EXPECT_EQ(show("manually-enabled", "no", true), "FALSE");
  EXPECT_EQ(show("tcp-est-timeout", "7200", false), "2:00:00 (HH:MM:SS)");
  EXPECT_EQ(show("tcp-est-timeout", "7200", true), "2:00:00");
  EXPECT_EQ(show("udp-timeout", "5:00", false), "0:05:00 (HH:MM:SS)");
  EXPECT_EQ(show("icmp-timeout", "60", true), "0:01:00");
  EXPECT_EQ(show("mtu-plateaus", "65535,32000,17914,8166,4352,2002,1492,1006,508,296,68", false),
            "65535,32000,17914,8166,4352,2002,1492,1006,508,296,68");
  EXPECT_EQ(show("mtu-plateaus", "1280,1500", true), "\"1500,1280\"");
  EXPECT_EQ(show("f-args", "11", false), "11 (0b1011): SrcAddr:1 SrcPort:0 DstAddr:1 DstPort:1");
  EXPECT_EQ(show("f-args", "0b0100", false), "4 (0b0100): SrcAddr:0 SrcPort:1 DstAddr:0 DstPort:0");
  EXPECT_EQ(show("f-args", "11", true), "11");
  EXPECT_EQ(show("tos", "7", false), "7");
  EXPECT_EQ(show("lowest-ipv6-mtu", "1280", true), "1280");
  EXPECT_EQ(show("maximum-sessions", "0", false), "0");
  GlobalValue pool6{global_meta("pool6"), Prefix6{test::a6("64:ff9b::"), 96}};
  EXPECT_EQ(format_global(pool6, false), "64:ff9b::/96");
  EXPECT_EQ(format_global(pool6, true), "64:ff9b::/96");
}

TEST(Globals, Bounds)
{
  EXPECT_TRUE(parse_global("tcp-est-timeout", "2:00:00").ok());
  EXPECT_FALSE(parse_global("tcp-est-timeout", "7199").ok());
  EXPECT_TRUE(parse_global("tcp-trans-timeout", "240").ok());
  EXPECT_FALSE(parse_global("tcp-trans-timeout", "3:59").ok());
  EXPECT_TRUE(parse_global("udp-timeout", "2:00").ok());
  EXPECT_FALSE(parse_global("udp-timeout", "1:59").ok());
  EXPECT_TRUE(parse_global("icmp-timeout", "1").ok());
  // At most 20 days, as the module's policy (NAT64_MAX_TIMEOUT).
  for (const char *key : {"tcp-est-timeout", "tcp-trans-timeout", "udp-timeout", "icmp-timeout"}) {
    EXPECT_TRUE(parse_global(key, "1728000").ok()) << key;
    auto r = parse_global(key, "1728001");
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().message, std::string(key) + ": '1728001' is too large (maximum: 480:00:00)");
  }
  EXPECT_TRUE(parse_global("lowest-ipv6-mtu", "4294967295").ok());
  EXPECT_FALSE(parse_global("lowest-ipv6-mtu", "4294967296").ok());
  EXPECT_TRUE(parse_global("tos", "0").ok());
  EXPECT_TRUE(parse_global("maximum-simultaneous-opens", "0").ok());
  EXPECT_FALSE(parse_global("maximum-simultaneous-opens", "-1").ok());
}

// The defaults a file falls back to are the kernel's (mod/instance.c and
// the NAT64_DEF_* of the uapi header).
TEST(Globals, Defaults)
{
  auto d = default_globals();
  std::size_t writable = 0;
  for (const auto &m : global_metas()) {
    writable += m.writable;
    if (m.writable) {
      EXPECT_TRUE(parse_global(m.name, m.def).ok()) << m.name;
    }
  }
  ASSERT_EQ(d.size(), writable);
  auto get = [&](std::string_view key) -> const GlobalData & {
    for (const auto &g : d)
      if (g.meta->name == key)
        return g.data;
    static GlobalData none;
    ADD_FAILURE() << key;
    return none;
  };
  EXPECT_EQ(std::get<bool>(get("manually-enabled")), true);
  EXPECT_EQ(std::get<std::uint32_t>(get("lowest-ipv6-mtu")), NAT64_DEF_LOWEST_IPV6_MTU);
  EXPECT_EQ(std::get<std::uint8_t>(get("f-args")), NAT64_DEF_F_ARGS);
  EXPECT_EQ(std::get<std::uint32_t>(get("tcp-est-timeout")), NAT64_DEF_TCP_EST_TIMEOUT);
  EXPECT_EQ(std::get<std::uint32_t>(get("tcp-trans-timeout")), NAT64_DEF_TCP_TRANS_TIMEOUT);
  EXPECT_EQ(std::get<std::uint32_t>(get("udp-timeout")), NAT64_DEF_UDP_TIMEOUT);
  EXPECT_EQ(std::get<std::uint32_t>(get("icmp-timeout")), NAT64_DEF_ICMP_TIMEOUT);
  EXPECT_EQ(std::get<std::uint32_t>(get("maximum-simultaneous-opens")), NAT64_DEF_MAX_SIMULTANEOUS_OPENS);
  EXPECT_EQ(std::get<bool>(get("source-icmpv6-errors-better")), true);
  EXPECT_EQ(std::get<std::vector<std::uint16_t>>(get("mtu-plateaus")),
            (std::vector<std::uint16_t>{65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68}));
  EXPECT_EQ(std::get<std::uint32_t>(get("maximum-sessions")), 0U);
  EXPECT_TRUE(same_value(d[0], d[0]));
  EXPECT_FALSE(same_value(d[0], d[1]));
}

}  // namespace
}  // namespace nat64
