// SPDX-License-Identifier: GPL-2.0-or-later
// Value parsing and printing, with round trips.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "values.h"

namespace nat64 {
namespace {

template <typename T>
std::string err(const Result<T> &r)
{
  EXPECT_FALSE(r.ok());
  return r.ok() ? "<ok>" : r.error().message;
}

TEST(Values, Timeouts)
{
  struct Case {
    const char *in;
    std::uint32_t seconds;
  };
  for (auto [in, s] : std::vector<Case>{{"0", 0},
                                        {"60", 60},
                                        {"7200", 7200},
                                        {"1:30", 90},
                                        {"4:00", 240},
                                        {"0:04:59", 299},
                                        {"2:00:00", 7200},
                                        {"1:00:00.000", 3600},
                                        {"5:00.0", 300},
                                        {"100:00:00", 360000},
                                        {"4294967295", 4294967295U}}) {
    auto r = parse_timeout(in);
    ASSERT_TRUE(r.ok()) << in;
    EXPECT_EQ(*r, s) << in;
  }
  for (const char *bad : {"", "x", "1:", ":1", "1::2", "1:2:3:4", "-1", "1.x", "1.", " 1", "1h"})
    EXPECT_EQ(err(parse_timeout(bad)),
              fmt::format("cannot parse '{}' as a timeout (expected [[HH:]MM:]SS[.mmm] or seconds)", bad));
  EXPECT_EQ(err(parse_timeout("1.5")), "timeout '1.5': the resolution is one second");
  EXPECT_EQ(err(parse_timeout("0:00:01.001")), "timeout '0:00:01.001': the resolution is one second");
  EXPECT_EQ(err(parse_timeout("4294967296")),
            "cannot parse '4294967296' as a timeout (expected [[HH:]MM:]SS[.mmm] or seconds)");
  EXPECT_EQ(err(parse_timeout("1193047:00:00")), "timeout '1193047:00:00' is too large");
}

TEST(Values, TimeoutFormat)
{
  EXPECT_EQ(format_timeout_ms(0), "0:00:00");
  EXPECT_EQ(format_timeout_ms(299000), "0:04:59");
  EXPECT_EQ(format_timeout_ms(299123), "0:04:59.123");
  EXPECT_EQ(format_timeout_ms(7200000), "2:00:00");
  EXPECT_EQ(format_timeout_ms(7 * 3600000ULL + 5 * 60000 + 9000 + 7), "7:05:09.007");
  EXPECT_EQ(format_timeout_ms(100 * 3600000ULL), "100:00:00");
}

TEST(Values, TimeoutRoundTrip)
{
  for (std::uint32_t s : {0U, 1U, 59U, 60U, 61U, 120U, 240U, 300U, 3599U, 3600U, 7200U, 86399U, 86400U,
                          1234567U, 4294967295U}) {
    std::string text = format_timeout_ms(std::uint64_t{s} * 1000);
    auto back = parse_timeout(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, s) << text;
  }
}

TEST(Values, Booleans)
{
  for (const char *t : {"true", "TRUE", "True", "1", "yes", "YES", "on", "On"}) {
    auto r = parse_bool(t);
    ASSERT_TRUE(r.ok()) << t;
    EXPECT_TRUE(*r) << t;
  }
  for (const char *f : {"false", "FALSE", "0", "no", "No", "off", "OFF"}) {
    auto r = parse_bool(f);
    ASSERT_TRUE(r.ok()) << f;
    EXPECT_FALSE(*r) << f;
  }
  for (const char *bad : {"", "2", "tru", "y", "enable"})
    EXPECT_EQ(err(parse_bool(bad)),
              fmt::format("cannot parse '{}' as a boolean (true|false|1|0|yes|no|on|off)", bad));
}

TEST(Values, Plateaus)
{
  auto r = parse_plateaus("1500,9000,1500,0,68");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::uint16_t>{9000, 1500, 68}));
  EXPECT_EQ(format_plateaus(*r), "9000,1500,68");

  const char *jool_default = "65535,32000,17914,8166,4352,2002,1492,1006,508,296,68";
  r = parse_plateaus(jool_default);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 11U);
  EXPECT_EQ(format_plateaus(*r), jool_default);  // round trip

  r = parse_plateaus("1280");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(format_plateaus(*r), "1280");

  EXPECT_EQ(err(parse_plateaus("")), "the MTU plateaus list cannot be empty");
  EXPECT_EQ(err(parse_plateaus("0,0")), "mtu-plateaus '0,0' contains nothing but zeroes");
  EXPECT_EQ(err(parse_plateaus("1,,2")), "mtu-plateaus: '' is not a number between 0 and 65535 (in '1,,2')");
  EXPECT_EQ(err(parse_plateaus("1500,abc")),
            "mtu-plateaus: 'abc' is not a number between 0 and 65535 (in '1500,abc')");
  EXPECT_EQ(err(parse_plateaus("65536")),
            "mtu-plateaus: '65536' is not a number between 0 and 65535 (in '65536')");
  std::string many;
  for (int i = 1; i <= NAT64_MAX_PLATEAUS + 1; i++)
    many += (i > 1 ? "," : "") + std::to_string(i);
  EXPECT_EQ(err(parse_plateaus(many)), "mtu-plateaus: too many plateaus (65; at most 64)");
  many = many.substr(0, many.rfind(','));
  EXPECT_TRUE(parse_plateaus(many).ok());
}

TEST(Values, Prefixes)
{
  auto p6 = parse_prefix6("2001:db8::/32");
  ASSERT_TRUE(p6.ok());
  EXPECT_EQ(format_prefix(*p6), "2001:db8::/32");
  p6 = parse_prefix6("2001:db8::1");
  ASSERT_TRUE(p6.ok());
  EXPECT_EQ(p6->len, 128);
  EXPECT_FALSE(parse_prefix6("2001:db8::/129").ok());
  EXPECT_FALSE(parse_prefix6("2001:db8::/").ok());
  EXPECT_FALSE(parse_prefix6("2001:db8::/-1").ok());

  for (const char *ok : {"64:ff9b::/96", "2001:db8::/32", "2001:db8:100::/40", "2001:db8:1::/48",
                         "2001:db8:1:100::/56", "2001:db8:1:2::/64"}) {
    auto r = parse_pool6(ok);
    ASSERT_TRUE(r.ok()) << ok;
    EXPECT_EQ(format_prefix(*r), ok);
  }
  EXPECT_EQ(err(parse_pool6("64:ff9b::/128")),
            "pool6 '64:ff9b::/128': the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052)");

  auto p4 = parse_prefix4("192.0.2.0/24");
  ASSERT_TRUE(p4.ok());
  EXPECT_EQ(format_prefix(*p4), "192.0.2.0/24");
  p4 = parse_prefix4("192.0.2.1");
  ASSERT_TRUE(p4.ok());
  EXPECT_EQ(p4->len, 32);
  EXPECT_FALSE(parse_prefix4("192.0.2").ok());
  EXPECT_FALSE(parse_prefix4("192.0.2.0/24/1").ok());
  EXPECT_FALSE(parse_prefix4("::1").ok());
  EXPECT_TRUE(parse_pool4_prefix("192.0.2.0/24").ok());
  EXPECT_TRUE(parse_pool4_prefix("10.1.0.0/16").ok());
  EXPECT_FALSE(parse_pool4_prefix("10.0.0.0/8").ok());
}

TEST(Values, PortsAndTransportAddresses)
{
  auto r = parse_port_range("0-65535");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, 0);
  EXPECT_EQ(r->max, 65535);
  r = parse_port_range("80");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, 80);
  EXPECT_EQ(r->max, 80);
  for (const char *bad : {"", "-", "1-", "-1", "a-b", "1-2-3", "65536", "+1", "1 - 2"})
    EXPECT_FALSE(parse_port_range(bad).ok()) << bad;

  auto t6 = parse_taddr6("2001:db8::1#8080");
  ASSERT_TRUE(t6.ok());
  EXPECT_EQ(t6->port, 8080);
  EXPECT_EQ(format_addr(t6->addr), "2001:db8::1");
  auto t4 = parse_taddr4("192.0.2.1#0");
  ASSERT_TRUE(t4.ok());
  EXPECT_EQ(t4->port, 0);
  EXPECT_EQ(format_addr(t4->addr), "192.0.2.1");
  for (const char *bad : {"192.0.2.1", "192.0.2.1#", "192.0.2.1#x", "192.0.2.1#65536", "#1", "2001:db8::1#1"})
    EXPECT_FALSE(parse_taddr4(bad).ok()) << bad;
  for (const char *bad : {"2001:db8::1", "2001:db8::1#", "192.0.2.1#1", "[2001:db8::1]#1"})
    EXPECT_FALSE(parse_taddr6(bad).ok()) << bad;
}

TEST(Values, InstanceNames)
{
  for (const char *ok : {"default", "a", "A-b_c.d", "012345678901234"})
    EXPECT_TRUE(parse_iname(ok).ok()) << ok;
  EXPECT_EQ(err(parse_iname("")), "the instance name cannot be empty");
  EXPECT_EQ(err(parse_iname("0123456789012345")),
            "instance name '0123456789012345' is too long (at most 15 characters)");
  for (const char *bad : {"a b", "a/b", "ñ", "a\tb", "a:b"})
    EXPECT_FALSE(parse_iname(bad).ok()) << bad;
}

TEST(Values, IntegersAndFargs)
{
  auto v = parse_uint("42", 0, 100, "x");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42U);
  EXPECT_EQ(err(parse_uint("101", 0, 100, "x")), "x: '101' is out of range (0-100)");
  EXPECT_EQ(err(parse_uint("", 0, 100, "x")), "x: '' is not an unsigned integer");
  EXPECT_EQ(err(parse_uint("99999999999999999999999", 0, 100, "x")),
            "x: '99999999999999999999999' is not an unsigned integer");
  EXPECT_EQ(*parse_fargs("11"), 11);
  EXPECT_EQ(*parse_fargs("0b1011"), 11);
  EXPECT_EQ(*parse_fargs("0B0001"), 1);
  EXPECT_EQ(*parse_fargs("0"), 0);
  EXPECT_FALSE(parse_fargs("0b10111").ok());
  EXPECT_FALSE(parse_fargs("0b2").ok());
  EXPECT_FALSE(parse_fargs("16").ok());
  EXPECT_EQ(*parse_max_iterations("auto"), max_iter_auto);
  EXPECT_EQ(*parse_max_iterations("infinity"), max_iter_infinity);
  EXPECT_EQ(*parse_max_iterations("1"), 1U);
  EXPECT_FALSE(parse_max_iterations("0").ok());
  EXPECT_FALSE(parse_max_iterations("Infinity").ok());
}

TEST(Values, Names)
{
  EXPECT_EQ(proto_name(Proto::tcp), "TCP");
  EXPECT_EQ(proto_name(Proto::udp), "UDP");
  EXPECT_EQ(proto_name(Proto::icmp), "ICMP");
  EXPECT_EQ(proto_from_u8(IPPROTO_UDP), Proto::udp);
  EXPECT_FALSE(proto_from_u8(IPPROTO_SCTP));
  EXPECT_EQ(tcp_state_name(NAT64_TCP_ESTABLISHED), "ESTABLISHED");
  EXPECT_EQ(tcp_state_name(NAT64_TCP_V6_FIN_V4_FIN), "V4_FIN_V6_FIN_RCV");
  EXPECT_EQ(tcp_state_name(NAT64_TCP_TRANS), "TRANS");
  EXPECT_EQ(tcp_state_name(200), "UNKNOWN");
}

}  // namespace
}  // namespace nat64
