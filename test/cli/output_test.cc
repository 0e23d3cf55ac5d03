// SPDX-License-Identifier: GPL-2.0-or-later
// Output formats: exact tables and CSV.
#include <gtest/gtest.h>

#include <algorithm>

#include "output.h"
#include "test_util.h"
#include "values.h"

namespace nat64 {
namespace {

using test::a4;
using test::a6;

const TableOpts table{false, false};
const TableOpts table_nh{false, true};
const TableOpts csv{true, false};
const TableOpts csv_nh{true, true};

TEST(Output, Instances)
{
  InstanceEntry nf{"default", NAT64_FW_NETFILTER, Prefix6{a6("64:ff9b::"), 96}, 4026531840U};
  InstanceEntry ipt{"alpha", NAT64_FW_IPTABLES, std::nullopt, 4026532290U};
  InstanceEntry odd{"x", 9, std::nullopt, 1};

  std::string s = instance_header(table) + instance_row(nf, table) + instance_row(ipt, table) +
                  instance_row(odd, table) + instance_footer(table);
  EXPECT_EQ(s,
            "+--------------------+-----------------+-----------+\n"
            "|          Namespace |            Name | Framework |\n"
            "+--------------------+-----------------+-----------+\n"
            "|         4026531840 |         default | netfilter |\n"
            "|         4026532290 |           alpha |  iptables |\n"
            "|                  1 |               x |   unknown |\n"
            "+--------------------+-----------------+-----------+\n");
  EXPECT_EQ(instance_header(table_nh) + instance_footer(table_nh),
            "+--------------------+-----------------+-----------+\n"
            "+--------------------+-----------------+-----------+\n");
  EXPECT_EQ(instance_header(csv) + instance_row(nf, csv) + instance_row(ipt, csv) + instance_footer(csv),
            "Namespace,Name,Framework\n"
            "4026531840,default,netfilter\n"
            "4026532290,alpha,iptables\n");
  EXPECT_EQ(instance_header(csv_nh) + instance_row(nf, csv_nh), "4026531840,default,netfilter\n");
}

std::vector<Pool4Entry> sample_pool4()
{
  return {
      {1, Proto::tcp, {a4("192.0.2.1"), 32}, {1500, 2500}, max_iter_auto},
      {0, Proto::tcp, {a4("192.0.2.1"), 32}, {1000, 3000}, max_iter_auto},
      {0, Proto::tcp, {a4("192.0.2.8"), 30}, {1, 65535}, max_iter_auto},
      {0, Proto::udp, {a4("192.0.2.100"), 32}, {1, 65535}, 5000},
      {2, Proto::icmp, {a4("192.0.2.1"), 32}, {0, 65535}, max_iter_infinity},
  };
}

TEST(Output, Pool4Table)
{
  EXPECT_EQ(pool4_table(sample_pool4(), table),
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|       Mark | Proto |     Max iterations |         Address |       Ports |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|          1 |   TCP |       1024 ( auto) |       192.0.2.1 |  1500- 2500 |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|          0 |   TCP |       2063 ( auto) |       192.0.2.1 |  1000- 3000 |\n"
            "|            |       |                    |       192.0.2.8 |     1-65535 |\n"
            "|            |       |                    |       192.0.2.9 |     1-65535 |\n"
            "|            |       |                    |      192.0.2.10 |     1-65535 |\n"
            "|            |       |                    |      192.0.2.11 |     1-65535 |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|          0 |   UDP |       5000 (fixed) |     192.0.2.100 |     1-65535 |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|          2 |  ICMP |   Infinite (fixed) |       192.0.2.1 |     0-65535 |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n");
}

TEST(Output, Pool4Empty)
{
  EXPECT_EQ(pool4_table({}, table),
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|       Mark | Proto |     Max iterations |         Address |       Ports |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n");
  EXPECT_EQ(pool4_table({}, table_nh), "");
  EXPECT_EQ(pool4_table({}, csv), "Mark,Protocol,Address,Min port,Max port,Iterations,Iterations fixed\n");
  EXPECT_EQ(pool4_table({}, csv_nh), "");
}

TEST(Output, Pool4NoHeadersAndCsv)
{
  std::vector<Pool4Entry> one = {{0, Proto::tcp, {a4("192.0.2.1"), 32}, {61001, 65535}, max_iter_auto}};
  EXPECT_EQ(pool4_table(one, table_nh),
            "+------------+-------+--------------------+-----------------+-------------+\n"
            "|          0 |   TCP |       1024 ( auto) |       192.0.2.1 | 61001-65535 |\n"
            "+------------+-------+--------------------+-----------------+-------------+\n");
  EXPECT_EQ(pool4_table(sample_pool4(), csv),
            "Mark,Protocol,Address,Min port,Max port,Iterations,Iterations fixed\n"
            "1,TCP,192.0.2.1,1500,2500,1024,0\n"
            "0,TCP,192.0.2.1,1000,3000,2063,0\n"
            "0,TCP,192.0.2.8,1,65535,2063,0\n"
            "0,TCP,192.0.2.9,1,65535,2063,0\n"
            "0,TCP,192.0.2.10,1,65535,2063,0\n"
            "0,TCP,192.0.2.11,1,65535,2063,0\n"
            "0,UDP,192.0.2.100,1,65535,5000,1\n"
            "2,ICMP,192.0.2.1,0,65535,infinite,1\n");
  EXPECT_EQ(pool4_table(one, csv_nh), "0,TCP,192.0.2.1,61001,65535,1024,0\n");
}

TEST(Output, Pool4LargePrefix)
{
  std::vector<Pool4Entry> big = {{0, Proto::udp, {a4("10.1.0.0"), 16}, {1, 65535}, max_iter_auto}};
  std::string csv_rows = pool4_table(big, csv_nh);
  EXPECT_EQ(std::count(csv_rows.begin(), csv_rows.end(), '\n'), 65536);
  EXPECT_TRUE(csv_rows.starts_with("0,UDP,10.1.0.0,1,65535,8192,0\n"));
  EXPECT_TRUE(csv_rows.ends_with("0,UDP,10.1.255.255,1,65535,8192,0\n"));
  std::vector<Pool4Entry> last = {{0, Proto::udp, {a4("255.255.255.254"), 31}, {1, 2}, max_iter_auto}};
  EXPECT_EQ(pool4_table(last, csv_nh),
            "0,UDP,255.255.255.254,1,2,1024,0\n0,UDP,255.255.255.255,1,2,1024,0\n");
}

TEST(Output, Pool4AutoIterations)
{
  EXPECT_EQ(pool4_auto_iterations(1), 1024U);
  EXPECT_EQ(pool4_auto_iterations(128 * 1024 - 1), 1024U);
  EXPECT_EQ(pool4_auto_iterations(128 * 1024), 1024U);
  EXPECT_EQ(pool4_auto_iterations(512 * 1024), 4096U);
  EXPECT_EQ(pool4_auto_iterations(1024 * 1024), 8192U);
  EXPECT_EQ(pool4_auto_iterations(65536ULL * 65536), 8192U);
}

TEST(Output, Bib)
{
  BibEntry st{Proto::tcp, {a6("2001:db8::6"), 6}, {a4("192.0.2.4"), 4}, true};
  BibEntry dy{Proto::icmp, {a6("2001:db8::6"), 1234}, {a4("192.0.2.4"), 61001}, false};
  EXPECT_EQ(bib_header(table), "");
  EXPECT_EQ(bib_row(st, table), "[Static TCP] 192.0.2.4#4 - 2001:db8::6#6\n");
  EXPECT_EQ(bib_row(dy, table), "[Dynamic ICMP] 192.0.2.4#61001 - 2001:db8::6#1234\n");
  EXPECT_EQ(bib_header(csv), "Protocol,IPv6 Address,IPv6 L4-ID,IPv4 Address,IPv4 L4-ID,Static?\n");
  EXPECT_EQ(bib_header(csv_nh), "");
  EXPECT_EQ(bib_row(st, csv), "TCP,2001:db8::6,6,192.0.2.4,4,1\n");
  EXPECT_EQ(bib_row(dy, csv), "ICMP,2001:db8::6,1234,192.0.2.4,61001,0\n");
}

SessionEntry sample_session(Proto p)
{
  return {p,
          {a6("2001:db8::2"), 58239},
          {a6("64:ff9b::5db8:d877"), 80},
          {a4("192.0.2.1"), 60477},
          {a4("93.184.216.119"), 80},
          NAT64_TCP_V6_FIN_V4_FIN,
          177000};
}

TEST(Output, Sessions)
{
  EXPECT_EQ(session_header(table), "---------------------------------\n");
  EXPECT_EQ(session_header(table_nh), "---------------------------------\n");
  EXPECT_EQ(session_row(sample_session(Proto::tcp), table),
            "(V4_FIN_V6_FIN_RCV) Expires in 0:02:57\n"
            "Remote: 93.184.216.119#80\t2001:db8::2#58239\n"
            "Local: 192.0.2.1#60477\t64:ff9b::5db8:d877#80\n"
            "---------------------------------\n");
  SessionEntry udp = sample_session(Proto::udp);
  udp.expires_ms = 299500;
  EXPECT_EQ(session_row(udp, table),
            "Expires in 0:04:59.500\n"
            "Remote: 93.184.216.119#80\t2001:db8::2#58239\n"
            "Local: 192.0.2.1#60477\t64:ff9b::5db8:d877#80\n"
            "---------------------------------\n");
}

TEST(Output, SessionsCsv)
{
  EXPECT_EQ(session_header(csv),
            "Protocol,IPv6 Remote Address,IPv6 Remote L4-ID,IPv6 Local Address,IPv6 Local L4-ID,"
            "IPv4 Local Address,IPv4 Local L4-ID,IPv4 Remote Address,IPv4 Remote L4-ID,Expires in,State\n");
  EXPECT_EQ(session_header(csv_nh), "");
  EXPECT_EQ(session_row(sample_session(Proto::tcp), csv),
            "TCP,2001:db8::2,58239,64:ff9b::5db8:d877,80,192.0.2.1,60477,93.184.216.119,80,0:02:57,"
            "V4_FIN_V6_FIN_RCV\n");
  EXPECT_EQ(session_row(sample_session(Proto::icmp), csv),
            "ICMP,2001:db8::2,58239,64:ff9b::5db8:d877,80,192.0.2.1,60477,93.184.216.119,80,0:02:57\n");
}

TEST(Output, StatNames)
{
  EXPECT_EQ(stat_name(NAT64_STAT_RECEIVED6), "RECEIVED6");
  EXPECT_EQ(stat_name(NAT64_STAT_SESSIONS_EXPIRED), "SESSIONS_EXPIRED");
  EXPECT_EQ(stat_doc(NAT64_STAT_DROP_NO_BIB4), "Dropped: IPv4 packet with no binding");
  for (unsigned id = 1; id < NAT64_STAT_COUNT; id++) {
    EXPECT_FALSE(stat_name(id).empty());
    EXPECT_FALSE(stat_doc(id).empty());
  }
}

TEST(Output, Stats)
{
  std::vector<StatValue> stats = {{NAT64_STAT_RECEIVED6, 40},
                                  {NAT64_STAT_RECEIVED4, 0},
                                  {NAT64_STAT_SUCCESS, 35},
                                  {NAT64_STAT_COUNT + 2, 1}};
  const std::string unknown = "UNKNOWN_" + std::to_string(NAT64_STAT_COUNT + 2);
  EXPECT_EQ(stats_table(stats, false, false, table), "RECEIVED6: 40\nSUCCESS: 35\n" + unknown + ": 1\n");
  EXPECT_EQ(stats_table(stats, true, false, table),
            "RECEIVED6: 40\nRECEIVED4: 0\nSUCCESS: 35\n" + unknown + ": 1\n");
  EXPECT_EQ(stats_table({stats.data(), 1}, false, true, table),
            "RECEIVED6: 40\nIPv6 packets the translator examined\n\n");
  EXPECT_EQ(stats_table({stats.data(), 3}, false, false, csv), "Stat,Value\nRECEIVED6,40\nSUCCESS,35\n");
  EXPECT_EQ(stats_table({stats.data(), 2}, true, true, csv),
            "Stat,Value,Explanation\n"
            "RECEIVED6,40,\"IPv6 packets the translator examined\"\n"
            "RECEIVED4,0,\"IPv4 packets the translator examined\"\n");
  EXPECT_EQ(stats_table({stats.data(), 1}, false, false, csv_nh), "RECEIVED6,40\n");
  EXPECT_EQ(stats_table({}, false, false, table), "");
}

TEST(Output, Globals)
{
  std::vector<GlobalValue> values = {
      {global_meta("manually-enabled"), true},
      {global_meta("pool6"), Prefix6{a6("64:ff9b::"), 96}},
      {global_meta("mtu-plateaus"), std::vector<std::uint16_t>{65535, 1500}},
      {global_meta("f-args"), std::uint8_t{11}},
      {global_meta("tcp-est-timeout"), std::uint32_t{7200}},
  };
  EXPECT_EQ(globals_table(values, table),
            "  manually-enabled: true\n"
            "  pool6: 64:ff9b::/96\n"
            "  mtu-plateaus: 65535,1500\n"
            "  f-args: 11 (0b1011): SrcAddr:1 SrcPort:0 DstAddr:1 DstPort:1\n"
            "  tcp-est-timeout: 2:00:00 (HH:MM:SS)\n");
  EXPECT_EQ(globals_table(values, csv),
            "Field,Value\n"
            "manually-enabled,TRUE\n"
            "pool6,64:ff9b::/96\n"
            "mtu-plateaus,\"65535,1500\"\n"
            "f-args,11\n"
            "tcp-est-timeout,2:00:00\n");
  EXPECT_EQ(globals_table({values.data(), 1}, csv_nh), "manually-enabled,TRUE\n");
}

}  // namespace
}  // namespace nat64
