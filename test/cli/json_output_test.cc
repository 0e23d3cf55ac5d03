// SPDX-License-Identifier: GPL-2.0-or-later
// --json: every display's exact text, parsed back, keys and types as
// documented in nat64(8); and the globals object fed back to `file handle`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config.h"
#include "output.h"
#include "test_util.h"
#include "values.h"

namespace nat64 {
namespace {

using json = nlohmann::json;
using test::a4;
using test::a6;

json parsed(const std::string &s)
{
  json j = json::parse(s, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << s;
  return j;
}

TEST(JsonOutput, Instance)
{
  InstanceEntry nf{"default", NAT64_FW_NETFILTER, Prefix6{a6("64:ff9b::"), 96}, 4026531840U};
  InstanceEntry odd{"x", 9, std::nullopt, 1};
  EXPECT_EQ(json_instance_row(nf),
            R"({"name":"default","framework":"netfilter","pool6":"64:ff9b::/96","netns":4026531840})");
  EXPECT_EQ(json_instance_row(odd), R"({"name":"x","framework":"unknown","pool6":null,"netns":1})");
  EXPECT_EQ(json_status("alpha", true), "{\"name\":\"alpha\",\"running\":true}\n");
  EXPECT_EQ(parsed(json_status("alpha", false))["running"], false);
}

TEST(JsonOutput, Pool4)
{
  std::vector<Pool4Entry> entries = {
      {1, Proto::tcp, {a4("192.0.2.1"), 32}, {1500, 2500}, max_iter_auto},
      {0, Proto::tcp, {a4("192.0.2.8"), 31}, {1, 65535}, max_iter_auto},
      {0, Proto::udp, {a4("192.0.2.100"), 32}, {1, 65535}, 5000},
      {2, Proto::icmp, {a4("192.0.2.1"), 32}, {0, 65535}, max_iter_infinity},
  };
  std::string s = json_pool4(entries);
  EXPECT_EQ(s,
            "[\n"
            R"(  {"mark":1,"protocol":"TCP","address":"192.0.2.1","port_min":1500,"port_max":2500,)"
            R"("max_iterations":1024,"max_iterations_fixed":false},)"
            "\n"
            R"(  {"mark":0,"protocol":"TCP","address":"192.0.2.8","port_min":1,"port_max":65535,)"
            R"("max_iterations":1024,"max_iterations_fixed":false},)"
            "\n"
            R"(  {"mark":0,"protocol":"TCP","address":"192.0.2.9","port_min":1,"port_max":65535,)"
            R"("max_iterations":1024,"max_iterations_fixed":false},)"
            "\n"
            R"(  {"mark":0,"protocol":"UDP","address":"192.0.2.100","port_min":1,"port_max":65535,)"
            R"("max_iterations":5000,"max_iterations_fixed":true},)"
            "\n"
            R"(  {"mark":2,"protocol":"ICMP","address":"192.0.2.1","port_min":0,"port_max":65535,)"
            R"("max_iterations":"infinity","max_iterations_fixed":true})"
            "\n]\n");
  json j = parsed(s);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 5U);
  EXPECT_EQ(json_pool4({}), "[]\n");
  EXPECT_EQ(parsed(json_pool4({})).size(), 0U);
}

TEST(JsonOutput, BibAndSession)
{
  BibEntry b{Proto::udp, {a6("2001:db8::6"), 6666}, {a4("192.0.2.4"), 4444}, true};
  EXPECT_EQ(json_bib_row(b), R"({"protocol":"UDP","ipv6_address":"2001:db8::6","ipv6_port":6666,)"
                             R"("ipv4_address":"192.0.2.4","ipv4_port":4444,"static":true})");
  SessionEntry tcp{Proto::tcp,
                   {a6("2001:db8::2"), 40000},
                   {a6("64:ff9b::c000:202"), 80},
                   {a4("192.0.2.1"), 61001},
                   {a4("192.0.2.2"), 80},
                   NAT64_TCP_V4_FIN_RCV,
                   7199500};
  EXPECT_EQ(
      json_session_row(tcp),
      R"({"protocol":"TCP","ipv6_remote_address":"2001:db8::2","ipv6_remote_port":40000,)"
      R"("ipv6_local_address":"64:ff9b::c000:202","ipv6_local_port":80,"ipv4_local_address":"192.0.2.1",)"
      R"("ipv4_local_port":61001,"ipv4_remote_address":"192.0.2.2","ipv4_remote_port":80,)"
      R"("expires_ms":7199500,"state":"V4_FIN_RCV"})");
  SessionEntry icmp = tcp;
  icmp.proto = Proto::icmp;
  EXPECT_TRUE(parsed(json_session_row(icmp))["state"].is_null());
}

TEST(JsonOutput, StatsHaveEveryCounter)
{
  std::vector<StatValue> stats = {{NAT64_STAT_RECEIVED6, 0}, {NAT64_STAT_SUCCESS, 35}, {200, 1}};
  EXPECT_EQ(json_stats(stats, false),
            "{\n  \"RECEIVED6\": 0,\n  \"SUCCESS\": 35,\n  \"UNKNOWN_200\": 1\n}\n");
  json j = parsed(json_stats(stats, true));
  EXPECT_EQ(j["SUCCESS"]["value"], 35);
  EXPECT_EQ(j["SUCCESS"]["explanation"], "Packets translated and sent");
}

TEST(JsonOutput, GlobalsRoundTripThroughTheFile)
{
  std::vector<GlobalValue> values = default_globals();
  values.insert(values.begin() + 1, GlobalValue{global_meta("pool6"), Prefix6{a6("64:ff9b::"), 96}});
  std::string s = json_globals(values);
  json j = parsed(s);
  EXPECT_EQ(j["manually-enabled"], true);
  EXPECT_EQ(j["pool6"], "64:ff9b::/96");
  EXPECT_EQ(j["udp-timeout"], 300);
  EXPECT_EQ(j["f-args"], 11);
  EXPECT_EQ(j["mtu-plateaus"], json({65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68}));
  EXPECT_EQ(nlohmann::ordered_json::parse(s).begin().key(), "manually-enabled");  // display order
  EXPECT_EQ(s.substr(0, 30), "{\n  \"manually-enabled\": true,\n");

  // `global display --json` is a valid "global" object for `file handle`.
  auto parsed_back = parse_config(R"({"framework": "netfilter", "global": )" + s + "}", std::nullopt, false);
  ASSERT_TRUE(parsed_back.ok()) << parsed_back.error().message;
  ASSERT_EQ(parsed_back->globals.size(), values.size() - 1);
  for (std::size_t i = 0; i < parsed_back->globals.size(); i++)
    EXPECT_TRUE(same_value(parsed_back->globals[i], default_globals()[i]));
}

}  // namespace
}  // namespace nat64
