// SPDX-License-Identifier: GPL-2.0-or-later
// `file handle`'s JSON: what is accepted, how it is normalized, and the
// exact message (with its JSON path) of every kind of mistake.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "cli.h"
#include "config.h"
#include "test_util.h"
#include "values.h"

namespace nat64 {
namespace {

using test::a4;
using test::a6;

FileConfig ok(const std::string &text, std::optional<std::string> iname = std::nullopt, bool force = false)
{
  auto r = parse_config(text, iname, force);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : FileConfig{};
}

std::string error(const std::string &text, std::optional<std::string> iname = std::nullopt,
                  bool force = false)
{
  auto r = parse_config(text, iname, force);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok())
    return "<accepted>";
  EXPECT_EQ(r.error().kind, Error::Kind::system);
  EXPECT_EQ(r.error().exit_code(), 1);
  return r.error().message;
}

const GlobalValue &global(const FileConfig &c, std::string_view key)
{
  for (const auto &g : c.globals)
    if (g.meta->name == key)
      return g;
  static GlobalValue none;
  ADD_FAILURE() << "no global " << key;
  return none;
}

// Only "framework" is needed; everything else has a default.
const std::string minimal = R"({"framework": "netfilter"})";

// Jool's sample NAT64 file (docs/en/config-atomic.md), without the session
// synchronization keys (not supported yet) and with the TCP binding moved
// into the TCP pool4 entry's ports (Jool's kernel would refuse port 80).
const std::string jool_sample = R"({
	"comment": "Sample full NAT64 configuration.",
	"instance": "instance-name",
	"framework": "netfilter",
	"global": {
		"pool6": "64:ff9b::/96",
		"manually-enabled": false,
		"zeroize-traffic-class": true,
		"override-tos": false,
		"tos": 254,
		"mtu-plateaus": [1, 2, 3, 4, 5, 6],
		"maximum-simultaneous-opens": 16,
		"source-icmpv6-errors-better": true,
		"handle-rst-during-fin-rcv": true,
		"f-args": 10,
		"logging-bib": true,
		"logging-session": true,
		"address-dependent-filtering": true,
		"drop-icmpv6-info": true,
		"drop-externally-initiated-tcp": true,
		"udp-timeout": "1:00:00",
		"tcp-est-timeout": "10:00:00",
		"tcp-trans-timeout": "5:00",
		"icmp-timeout": "5:30"
	},
	"pool4": [
		{
			"mark": 1,
			"protocol": "UDP",
			"prefix": "192.0.2.1",
			"port range": "61001-62000",
			"max-iterations": 1500
		}, {
			"comment": "mark, port range and max-iterations are optional.",
			"protocol": "TCP",
			"prefix": "192.0.2.2/31"
		}, {
			"mark": 1,
			"protocol": "ICMP",
			"prefix": "192.0.2.1/32",
			"port range": "1000-2000"
		}
	],
	"bib": [
		{
			"protocol": "TCP",
			"ipv6 address": "2001:db8::1#80",
			"ipv4 address": "192.0.2.2#61080"
		}, {
			"protocol": "UDP",
			"ipv6 address": "2001:db8::2#10000",
			"ipv4 address": "192.0.2.1#61500"
		}, {
			"protocol": "ICMP",
			"ipv6 address": "2001:db8:AAAA::1#44",
			"ipv4 address": "192.0.2.1#1044"
		}
	]
})";

TEST(Config, JoolSample)
{
  FileConfig c = ok(jool_sample);
  EXPECT_EQ(c.iname, "instance-name");
  EXPECT_EQ(c.framework, Framework::netfilter);
  ASSERT_TRUE(c.pool6);
  EXPECT_EQ(format_prefix(*c.pool6), "64:ff9b::/96");
  EXPECT_EQ(std::get<bool>(global(c, "manually-enabled").data), false);
  EXPECT_EQ(std::get<std::uint8_t>(global(c, "tos").data), 254);
  EXPECT_EQ(std::get<std::vector<std::uint16_t>>(global(c, "mtu-plateaus").data),
            (std::vector<std::uint16_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(std::get<std::uint8_t>(global(c, "f-args").data), 10);
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "udp-timeout").data), 3600U);
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "tcp-est-timeout").data), 36000U);
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "icmp-timeout").data), 330U);
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "maximum-simultaneous-opens").data), 16U);
  // Left out: the default.
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "lowest-ipv6-mtu").data), 1280U);

  ASSERT_EQ(c.pool4.size(), 3U);
  EXPECT_EQ(c.pool4_paths, (std::vector<std::string>{"pool4[0]", "pool4[1]", "pool4[2]"}));
  EXPECT_EQ(c.pool4[0].mark, 1U);
  EXPECT_EQ(c.pool4[0].proto, Proto::udp);
  EXPECT_EQ(format_prefix(c.pool4[0].prefix), "192.0.2.1/32");
  EXPECT_EQ(c.pool4[0].ports.min, 61001);
  EXPECT_EQ(c.pool4[0].ports.max, 62000);
  EXPECT_EQ(c.pool4[0].max_iter, 1500U);
  // Jool's defaults for a file entry: mark 0, ports 61001-65535, auto.
  EXPECT_EQ(c.pool4[1].mark, 0U);
  EXPECT_EQ(format_prefix(c.pool4[1].prefix), "192.0.2.2/31");
  EXPECT_EQ(c.pool4[1].ports.min, 61001);
  EXPECT_EQ(c.pool4[1].ports.max, 65535);
  EXPECT_EQ(c.pool4[1].max_iter, max_iter_auto);

  ASSERT_EQ(c.bib.size(), 3U);
  EXPECT_EQ(c.bib[2].proto, Proto::icmp);
  EXPECT_EQ(format_addr(c.bib[2].addr6.addr), "2001:db8:aaaa::1");
  EXPECT_EQ(c.bib[2].addr6.port, 44);
  EXPECT_EQ(format_addr(c.bib[2].addr4.addr), "192.0.2.1");
  EXPECT_EQ(c.bib[2].addr4.port, 1044);
  EXPECT_TRUE(c.bib[2].is_static);
}

TEST(Config, Minimal)
{
  FileConfig c = ok(minimal);
  EXPECT_EQ(c.iname, "default");
  EXPECT_FALSE(c.pool6);
  EXPECT_TRUE(c.pool4.empty());
  EXPECT_TRUE(c.bib.empty());
  // Every writable key, at its default.
  auto defaults = default_globals();
  ASSERT_EQ(c.globals.size(), defaults.size());
  for (std::size_t i = 0; i < defaults.size(); i++)
    EXPECT_TRUE(same_value(c.globals[i], defaults[i])) << defaults[i].meta->name;
  EXPECT_EQ(ok(minimal, "beta").iname, "beta");
  EXPECT_EQ(ok(R"({"framework": "iptables"})").framework, Framework::iptables);
}

TEST(Config, KeysAreCaseInsensitiveAndCommentsAnywhere)
{
  FileConfig c = ok(R"({"Instance": "x", "FRAMEWORK": "netfilter", "comment": [1, 2],
    "Global": {"Comment": {"a": 1}, "UDP-Timeout": 600},
    "pool4": [{"Protocol": "tcp", "PREFIX": "192.0.2.1", "Port Range": "1-100", "comment": null}]})");
  EXPECT_EQ(c.iname, "x");
  EXPECT_EQ(std::get<std::uint32_t>(global(c, "udp-timeout").data), 600U);
  ASSERT_EQ(c.pool4.size(), 1U);
  EXPECT_EQ(c.pool4[0].proto, Proto::tcp);
}

TEST(Config, ValueForms)
{
  // Timeouts: "HH:MM:SS", "MM:SS", plain seconds as a string or a number.
  for (auto [text, secs] : std::vector<std::pair<std::string, std::uint32_t>>{
           {"\"2:00:00\"", 7200}, {"\"10:00\"", 600}, {"\"600\"", 600}, {"600", 600}}) {
    FileConfig c = ok(R"({"framework": "netfilter", "global": {"udp-timeout": )" + text + "}}");
    EXPECT_EQ(std::get<std::uint32_t>(global(c, "udp-timeout").data), secs) << text;
  }
  // Plateaus: a JSON array or our command line's list.
  FileConfig c = ok(R"({"framework": "netfilter", "global": {"mtu-plateaus": "1500,9000,0,1500"}})");
  EXPECT_EQ(std::get<std::vector<std::uint16_t>>(global(c, "mtu-plateaus").data),
            (std::vector<std::uint16_t>{9000, 1500}));
  c = ok(R"({"framework": "netfilter", "global": {"f-args": "0b0101"}})");
  EXPECT_EQ(std::get<std::uint8_t>(global(c, "f-args").data), 5);
  // max-iterations: a number, auto or infinity.
  c = ok(R"({"framework": "netfilter", "pool4": [
    {"protocol": "TCP", "prefix": "192.0.2.1", "max-iterations": "infinity"},
    {"protocol": "UDP", "prefix": "192.0.2.1", "max-iterations": "auto"},
    {"protocol": "ICMP", "prefix": "192.0.2.1", "max-iterations": 7}]})");
  EXPECT_EQ(c.pool4[0].max_iter, max_iter_infinity);
  EXPECT_EQ(c.pool4[1].max_iter, max_iter_auto);
  EXPECT_EQ(c.pool4[2].max_iter, 7U);
}

TEST(Config, PortZeroIsNormalizedAsTheKernelDoes)
{
  FileConfig c = ok(R"({"framework": "netfilter", "pool4": [
    {"protocol": "TCP", "prefix": "192.0.2.1", "port range": "0-65535"},
    {"protocol": "ICMP", "prefix": "192.0.2.1", "port range": "0-65535"}]})");
  EXPECT_EQ(c.pool4[0].ports.min, 1);
  EXPECT_EQ(c.pool4[1].ports.min, 0);
  EXPECT_EQ(error(R"({"framework": "netfilter", "pool4": [
    {"protocol": "UDP", "prefix": "192.0.2.1", "port range": "0"}]})"),
            "pool4[0].port range: port 0 is not usable for TCP or UDP");
}

TEST(Config, InstanceName)
{
  EXPECT_EQ(ok(R"({"instance": "same", "framework": "netfilter"})", "same").iname, "same");
  EXPECT_EQ(error(R"({"instance": "file", "framework": "netfilter"})", "cli"),
            "instance: 'file' differs from the -i argument 'cli'; give only one");
  EXPECT_EQ(error(R"({"instance": "bad name", "framework": "netfilter"})"),
            "instance: instance name 'bad name' has an invalid character (allowed: A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(error(R"({"instance": 5, "framework": "netfilter"})"),
            "instance: expected an instance name, got 5");
}

TEST(Config, StructureErrors)
{
  EXPECT_EQ(error(""),
            "invalid JSON: parse error at line 1, column 1: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(error("{\"framework\": \"netfilter\",\n}"),
            "invalid JSON: parse error at line 2, column 1: syntax error while parsing object key - "
            "unexpected '}'; expected string literal");
  EXPECT_EQ(error("[]"), "the file must hold a JSON object, not an array");
  EXPECT_EQ(error("{}"), "missing key 'framework' (\"netfilter\" or \"iptables\")");
  EXPECT_EQ(error(R"({"framework": "nftables"})"),
            "framework: unknown framework 'nftables' (expected netfilter or iptables)");
  EXPECT_EQ(error(R"({"framework": true})"), "framework: expected \"netfilter\" or \"iptables\", got true");
  EXPECT_EQ(error(R"({"framework": "netfilter", "pool6": "64:ff9b::/96"})"),
            "pool6: unknown key (expected instance, framework, global, pool4, bib)");
  EXPECT_EQ(error(R"({"framework": "netfilter", "eamt": []})"),
            "eamt: is a SIIT key; nat64 is a stateful NAT64 translator");
  EXPECT_EQ(error(R"({"framework": "netfilter", "global": []})"), "global: expected an object, got an array");
  EXPECT_EQ(error(R"({"framework": "netfilter", "pool4": {}})"),
            "pool4: expected an array of pool4 entries, got an object");
  EXPECT_EQ(error(R"({"framework": "netfilter", "bib": "none"})"),
            "bib: expected an array of BIB entries, got 'none'");
}

// Fuzzing finding: a number beyond a double made nlohmann-json throw
// out_of_range (not parse_error), which escaped parse_config() and
// aborted `nat64 file handle`. It is invalid JSON like any other.
TEST(Config, NumberOverflowIsInvalidJson)
{
  EXPECT_EQ(error(R"({"framework": "netfilter", "global": {"tos": 1e999}})"),
            "invalid JSON: number overflow parsing '1e999'");
  EXPECT_EQ(error("888888888E87777777777777776"),
            "invalid JSON: number overflow parsing '888888888E87777777777777776'");
}

TEST(Config, DuplicateKeys)
{
  EXPECT_EQ(error(R"({"framework": "netfilter", "Framework": "iptables"})"),
            "Framework: the key appears twice in the same object");
  EXPECT_EQ(error(R"({"framework": "netfilter", "global": {"tos": 1, "tos": 2}})"),
            "global.tos: the key appears twice in the same object");
  EXPECT_EQ(error(R"({"framework": "netfilter", "pool4": [{"protocol": "TCP", "prefix": "192.0.2.1"},
    {"protocol": "UDP", "prefix": "192.0.2.1", "mark": 1, "mark": 2}]})"),
            "pool4[1].mark: the key appears twice in the same object");
  // The same key in different objects is fine.
  ok(R"({"framework": "netfilter", "pool4": [{"protocol": "TCP", "prefix": "192.0.2.1"},
    {"protocol": "UDP", "prefix": "192.0.2.1"}], "bib": []})");
}

TEST(Config, GlobalErrors)
{
  auto g = [](const std::string &kv) {
    return error(R"({"framework": "netfilter", "global": {)" + kv + "}}");
  };
  EXPECT_EQ(g(R"("udp-timeout": "1:00")"), "global.udp-timeout: '1:00' is too small (minimum: 0:02:00)");
  EXPECT_EQ(g(R"("udp-timeout": 60)"), "global.udp-timeout: '60' is too small (minimum: 0:02:00)");
  EXPECT_EQ(
      g(R"("udp-timeout": "1 hour")"),
      "global.udp-timeout: cannot parse '1 hour' as a timeout (expected [[HH:]MM:]SS[.mmm] or seconds)");
  EXPECT_EQ(g(R"("udp-timeout": true)"),
            "global.udp-timeout: expected a timeout (\"HH:MM:SS\" or seconds), got true");
  EXPECT_EQ(g(R"("tcp-est-timeout": "1:59:59")"),
            "global.tcp-est-timeout: '1:59:59' is too small (minimum: 2:00:00)");
  EXPECT_EQ(g(R"("lowest-ipv6-mtu": 1279)"), "global.lowest-ipv6-mtu: '1279' is too small (minimum: 1280)");
  EXPECT_EQ(g(R"("lowest-ipv6-mtu": "1500")"),
            "global.lowest-ipv6-mtu: expected an unsigned integer, got '1500'");
  EXPECT_EQ(g(R"("lowest-ipv6-mtu": -1)"), "global.lowest-ipv6-mtu: expected an unsigned integer, got -1");
  EXPECT_EQ(g(R"("lowest-ipv6-mtu": 1500.5)"),
            "global.lowest-ipv6-mtu: expected an unsigned integer, got 1500.5");
  EXPECT_EQ(g(R"("maximum-sessions": 4294967296)"),
            "global.maximum-sessions: '4294967296' is out of range (0-4294967295)");
  EXPECT_EQ(g(R"("tos": 256)"), "global.tos: '256' is out of range (0-255)");
  EXPECT_EQ(g(R"("manually-enabled": "yes")"), "global.manually-enabled: expected true or false, got 'yes'");
  EXPECT_EQ(g(R"("manually-enabled": 1)"), "global.manually-enabled: expected true or false, got 1");
  EXPECT_EQ(g(R"("f-args": 16)"), "global.f-args: cannot parse '16' (expected 0-15 or 0b0000-0b1111)");
  EXPECT_EQ(g(R"("mtu-plateaus": [1500, 70000])"),
            "global.mtu-plateaus[1]: expected an MTU (0-65535), got 70000");
  EXPECT_EQ(g(R"("mtu-plateaus": [0])"), "global.mtu-plateaus: mtu-plateaus '0' contains nothing but zeroes");
  EXPECT_EQ(g(R"("mtu-plateaus": [])"), "global.mtu-plateaus: the MTU plateaus list cannot be empty");
  EXPECT_EQ(g(R"("mtu-plateaus": 1500)"),
            "global.mtu-plateaus: expected a list of MTUs (e.g. [65535, 1500, 68]), got 1500");
  EXPECT_EQ(
      g(R"("pool6": "64:ff9b::/95")"),
      "global.pool6: pool6 '64:ff9b::/95': the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052)");
  EXPECT_EQ(g(R"("pool6": "64:ff9b::1/96")"),
            "global.pool6: pool6 '64:ff9b::1/96': the address has bits set after the prefix length");
  EXPECT_EQ(g(R"("pool6": null)"), "global.pool6: expected an IPv6 prefix (e.g. \"64:ff9b::/96\"), got null");
  EXPECT_EQ(g(R"("ss-enabled": false)"), "global.ss-enabled: session synchronization is not supported yet");
  EXPECT_EQ(g(R"("udp-timeot": "5:00")"), "global.udp-timeot: unknown key (the keys are listed in nat64(8))");
  // The first mistake in the file is the one reported.
  EXPECT_EQ(g(R"("tos": 1, "udp-timeout": 1, "icmp-timeout": 0)"),
            "global.udp-timeout: '1' is too small (minimum: 0:02:00)");
}

TEST(Config, Pool4Errors)
{
  auto p = [](const std::string &entry, bool force = false) {
    return error(R"({"framework": "netfilter", "pool4": [)" + entry + "]}", std::nullopt, force);
  };
  EXPECT_EQ(p(R"({"prefix": "192.0.2.1"})"), "pool4[0]: missing key 'protocol'");
  EXPECT_EQ(p(R"({"protocol": "TCP"})"), "pool4[0]: missing key 'prefix'");
  EXPECT_EQ(p(R"({"protocol": "SCTP", "prefix": "192.0.2.1"})"),
            "pool4[0].protocol: unknown protocol 'SCTP' (expected TCP, UDP or ICMP)");
  EXPECT_EQ(p(R"({"protocol": 6, "prefix": "192.0.2.1"})"),
            "pool4[0].protocol: expected \"TCP\", \"UDP\" or \"ICMP\", got 6");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.300"})"),
            "pool4[0].prefix: cannot parse '192.0.2.300' as an IPv4 prefix (expected ADDRESS[/LENGTH], e.g. "
            "192.0.2.0/24)");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1/24"})"),
            "pool4[0].prefix: '192.0.2.1/24': the address has bits set after the prefix length");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "10.0.0.0/8"})"),
            "pool4[0].prefix: '10.0.0.0/8' is too large: a pool4 entry holds at most 65536 addresses (/16)");
  EXPECT_EQ(
      p(R"({"protocol": "TCP", "prefix": "198.51.100.0/23"})"),
      "pool4[0].prefix: 198.51.100.0/23 holds 512 addresses, which might defeat the point of NAT64 over "
      "SIIT; use --force to add it anyway");
  EXPECT_EQ(ok(R"({"framework": "netfilter", "pool4": [{"protocol": "TCP", "prefix": "198.51.100.0/23"}]})",
               std::nullopt, true)
                .pool4.size(),
            1U);
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "port range": "2000-1000"})"),
            "pool4[0].port range: port range '2000-1000': the minimum exceeds the maximum");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "port range": 80})"),
            "pool4[0].port range: expected a port range (e.g. \"61001-65535\"), got 80");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "mark": -1})"),
            "pool4[0].mark: expected an unsigned integer, got -1");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "mark": 4294967296})"),
            "pool4[0].mark: 4294967296 is out of range (0-4294967295)");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "max-iterations": 0})"),
            "pool4[0].max-iterations: 0 is out of range (1-4294967295)");
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "max-iterations": "many"})"),
            "pool4[0].max-iterations: expected a positive integer, \"auto\" or \"infinity\", got 'many'");
  EXPECT_EQ(
      p(R"({"protocol": "TCP", "prefix": "192.0.2.1", "max iterations": 5})"),
      "pool4[0].max iterations: unknown key (expected mark, protocol, prefix, port range, max-iterations)");
  EXPECT_EQ(p(R"("192.0.2.1")"), "pool4[0]: expected an object, got '192.0.2.1'");
  // One (protocol, address, port) has one owner, whatever the marks.
  EXPECT_EQ(p(R"({"protocol": "TCP", "prefix": "192.0.2.0/28", "port range": "1000-2000"},
                 {"protocol": "UDP", "prefix": "192.0.2.0/28", "port range": "1000-2000"},
                 {"protocol": "TCP", "prefix": "192.0.2.5", "port range": "2000-3000", "mark": 9})"),
            "pool4[2]: overlaps pool4[0] (same protocol, addresses and ports)");
  ok(R"({"framework": "netfilter", "pool4": [
    {"protocol": "TCP", "prefix": "192.0.2.0/28", "port range": "1000-2000"},
    {"protocol": "TCP", "prefix": "192.0.2.5", "port range": "2001-3000"},
    {"protocol": "TCP", "prefix": "192.0.2.16/28", "port range": "1000-2000"}]})");
}

TEST(Config, BibErrors)
{
  const std::string pool = R"({"framework": "netfilter", "pool4": [
    {"protocol": "TCP", "prefix": "192.0.2.0/30", "port range": "1000-2000"}], "bib": [)";
  auto b = [&](const std::string &entries) { return error(pool + entries + "]}"); };
  EXPECT_EQ(b(R"({"ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1000"})"),
            "bib[0]: missing key 'protocol'");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv4 address": "192.0.2.1#1000"})"),
            "bib[0]: missing key 'ipv6 address'");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80"})"),
            "bib[0]: missing key 'ipv4 address'");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1", "ipv4 address": "192.0.2.1#1000"})"),
            "bib[0].ipv6 address: cannot parse '2001:db8::1' as an IPv6 transport address (expected "
            "ADDRESS#PORT, e.g. 2001:db8::1#80)");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#99999"})"),
            "bib[0].ipv4 address: cannot parse '192.0.2.1#99999' as an IPv4 transport address (expected "
            "ADDRESS#PORT, e.g. 192.0.2.1#80)");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#80"})"),
            "bib[0].ipv4 address: 192.0.2.1#80 is not in the file's pool4 (TCP)");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1000"},
                 {"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1001"})"),
            "bib[1]: the IPv6 transport address is already bound by bib[0]");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1000"},
                 {"protocol": "TCP", "ipv6 address": "2001:db8::2#80", "ipv4 address": "192.0.2.1#1000"})"),
            "bib[1]: the IPv4 transport address is already bound by bib[0]");
  EXPECT_EQ(b(R"({"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1000",
                  "static": true})"),
            "bib[0].static: unknown key (expected protocol, ipv6 address, ipv4 address)");
  // No pool4 for the protocol in the file: the kernel decides.
  FileConfig c = ok(pool + R"({"protocol": "UDP", "ipv6 address": "2001:db8::1#53",
                                "ipv4 address": "198.51.100.1#53"}]})");
  ASSERT_EQ(c.bib.size(), 1U);
  EXPECT_EQ(c.bib_paths[0], "bib[0]");
}

TEST(Config, LoadFile)
{
  char path[] = "/tmp/nat64-config-test.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream f(path);
    f << R"({"framework": "netfilter", "global": {"udp-timeout": "1:00"}})";
  }
  auto r = load_config_file(path, std::nullopt, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            std::string(path) + ": global.udp-timeout: '1:00' is too small (minimum: 0:02:00)");
  std::remove(path);
  r = load_config_file(path, std::nullopt, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), fmt::format("cannot read {} (No such file or directory)", path));
}

// Endless or huge inputs end in an error instead of exhausting memory.
TEST(Config, LoadFileBounded)
{
  auto r = load_config_file("/dev/zero", std::nullopt, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "/dev/zero is larger than 64 MiB; is it a configuration file?");
  EXPECT_EQ(instance_name_of_file("/dev/zero").error().message,
            "/dev/zero is larger than 64 MiB; is it a configuration file?");
  r = load_config_file("/", std::nullopt, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "cannot read / (Is a directory)");
}

// `nat64 -f FILE MODE OP`: the instance named in the file (Jool's -f).
TEST(Config, InstanceFromFileOption)
{
  char path[] = "/tmp/nat64-config-test.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto write = [&](const char *text) { std::ofstream(path) << text; };
  auto parse = [&](std::vector<std::string> args) { return parse_command_line(args); };

  write(R"({"comment": "x", "Instance": "gw", "framework": "netfilter"})");
  auto r = parse({"-f", path, "instance", "remove"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::get<InstanceRemove>(*r->command).iname, "gw");
  r = parse({"--file", path, "-i", "gw", "pool4", "display"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Pool4Display>(*r->command).iname, "gw");
  r = parse({"-i", "other", "-f", path, "pool4", "display"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit_code(), 2);
  EXPECT_EQ(r.error().message,
            fmt::format("two different instance names given ('other' and 'gw' from {}); please "
                        "give only one",
                        path));
  // Abbreviations still work after -f FILE.
  r = parse({"-f", path, "ins", "rem"});
  ASSERT_TRUE(r.ok());

  write(R"({"framework": "netfilter"})");
  r = parse({"-f", path, "instance", "remove"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, fmt::format("{}: the file does not contain an instance name", path));
  write(R"({"instance": "a b"})");
  EXPECT_EQ(
      instance_name_of_file(path).error().message,
      fmt::format("{}: instance: instance name 'a b' has an invalid character (allowed: A-Z a-z 0-9 _ . -)",
                  path));
  write("[1]");
  EXPECT_EQ(instance_name_of_file(path).error().message,
            fmt::format("{}: not a JSON object (see `nat64 file handle`)", path));
  std::remove(path);
  EXPECT_EQ(instance_name_of_file(path).error().describe(),
            fmt::format("cannot read {} (No such file or directory)", path));
}

}  // namespace
}  // namespace nat64
