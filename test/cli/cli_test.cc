// SPDX-License-Identifier: GPL-2.0-or-later
// Command-line parsing: every operation, valid and invalid.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "test_util.h"

namespace nat64 {
namespace {

using test::a4;
using test::a6;

Result<Invocation> parse(std::vector<std::string> args)
{
  return parse_command_line(args);
}

// Parses and returns the command, which must be a T.
template <typename T>
T get(std::vector<std::string> args)
{
  auto r = parse(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok() || !r->command)
    return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r->command));
  if (!std::holds_alternative<T>(*r->command))
    return T{};
  return std::get<T>(*r->command);
}

// Parses expecting a usage error; returns its message.
std::string usage_error(std::vector<std::string> args)
{
  auto r = parse(args);
  EXPECT_FALSE(r.ok());
  if (r.ok())
    return "<parsed>";
  EXPECT_EQ(r.error().kind, Error::Kind::usage);
  EXPECT_EQ(r.error().exit_code(), 2);
  return r.error().message;
}

bool same(const in6_addr &x, const in6_addr &y)
{
  return std::memcmp(&x, &y, sizeof(x)) == 0;
}
bool same(const in_addr &x, const in_addr &y)
{
  return x.s_addr == y.s_addr;
}

// ---- top level -----------------------------------------------------------

TEST(Cli, NoArgumentsPrintsHelp)
{
  auto r = parse({});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->command);
  EXPECT_NE(r->text.find("Usage: nat64"), std::string::npos);
  EXPECT_NE(r->text.find("pool4     display add remove flush"), std::string::npos);
}

TEST(Cli, HelpAtEveryLevel)
{
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"instance", "--help"},
                                             {"instance", "add", "--help"},
                                             {"pool4", "add", "--help"},
                                             {"pool4", "remove", "-h"},
                                             {"bib", "add", "--help"},
                                             {"session", "display", "--help"},
                                             {"stats", "display", "--help"},
                                             {"global", "update", "--help"},
                                             {"-i", "x", "pool4", "display", "--help"}}) {
    auto r = parse(args);
    ASSERT_TRUE(r.ok()) << args.front();
    EXPECT_FALSE(r->command);
    EXPECT_NE(r->text.find("Usage: nat64"), std::string::npos) << r->text;
  }
  auto r = parse({"pool4", "add", "--help"});
  EXPECT_NE(r->text.find("Usage: nat64 pool4 add"), std::string::npos);
  EXPECT_NE(r->text.find("--max-iterations"), std::string::npos);
  // The mode list is the top level's footer only.
  EXPECT_EQ(r->text.find("Modes and their operations"), std::string::npos);
  r = parse({"global", "update", "--help"});
  EXPECT_NE(r->text.find("tcp-est-timeout"), std::string::npos);
  EXPECT_EQ(r->text.find("  pool6 "), std::string::npos);
}

TEST(Cli, Version)
{
  for (const char *flag : {"--version", "-V"}) {
    auto r = parse({flag});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->command);
    EXPECT_TRUE(r->text.starts_with("nat64 ")) << r->text;
    EXPECT_TRUE(r->text.ends_with("\n"));
  }
}

TEST(Cli, UnknownModeAndOperation)
{
  EXPECT_EQ(usage_error({"bogus"}),
            "unexpected mode 'bogus' (expected one of: instance, pool4, bib, session, stats, global, file)");
  EXPECT_EQ(usage_error({"pool4", "bogus"}),
            "unexpected pool4 operation 'bogus' (expected one of: display, add, remove, flush)");
  EXPECT_EQ(usage_error({"session", "add"}), "unexpected session operation 'add' (expected one of: display)");
  EXPECT_EQ(usage_error({"pool4"}), "pool4: missing the operation (one of: display, add, remove, flush)");
  EXPECT_EQ(usage_error({"-i", "x"}),
            "missing the mode (one of: instance, pool4, bib, session, stats, global, file)");
}

TEST(Cli, UnknownOption)
{
  EXPECT_EQ(usage_error({"pool4", "display", "--foo"}), "unexpected argument '--foo'");
  EXPECT_EQ(usage_error({"--foo", "pool4", "display"}), "unexpected argument '--foo'");
  EXPECT_EQ(usage_error({"stats", "display", "extra"}), "unexpected argument 'extra'");
  EXPECT_EQ(usage_error({"pool4", "add", "--mark"}), "--mark requires a value");
  EXPECT_EQ(usage_error({"-i"}), "--instance requires a value");
}

TEST(Cli, Abbreviations)
{
  get<InstanceDisplay>({"inst", "disp"});
  get<InstanceDisplay>({"i", "d"});
  auto a = get<Pool4Add>({"po", "a", "--tcp", "192.0.2.1", "1-2"});
  EXPECT_EQ(a.entries.size(), 1U);
  get<StatsDisplay>({"st", "d"});
  get<SessionDisplay>({"se", "d"});
  EXPECT_EQ(usage_error({"s", "display"}), "ambiguous mode 's' (could be: session, stats)");
  auto u = get<GlobalUpdate>({"glob", "up", "tcp-est", "3:00:00"});
  EXPECT_EQ(u.value.meta->id, NAT64_G_TCP_EST_TIMEOUT);
  EXPECT_EQ(std::get<std::uint32_t>(u.value.data), 10800U);
  EXPECT_EQ(usage_error({"global", "update", "logging", "true"}),
            "ambiguous global key 'logging' (could be: logging-debug, logging-bib, logging-session)");
}

TEST(Cli, InstanceNameOption)
{
  EXPECT_EQ(get<Pool4Display>({"pool4", "display"}).iname, "default");
  EXPECT_EQ(get<Pool4Display>({"-i", "alpha", "pool4", "display"}).iname, "alpha");
  EXPECT_EQ(get<Pool4Display>({"--instance", "alpha", "pool4", "display"}).iname, "alpha");
  EXPECT_EQ(get<Pool4Display>({"--instance=beta", "pool4", "display"}).iname, "beta");
  EXPECT_EQ(get<Pool4Display>({"-igamma", "pool4", "display"}).iname, "gamma");
  // Only before the mode.
  EXPECT_EQ(usage_error({"pool4", "display", "-i", "x"}).substr(0, 20), "unexpected argument ");
  EXPECT_EQ(usage_error({"-i", "bad name", "pool4", "display"}),
            "instance name 'bad name' has an invalid character (allowed: A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(usage_error({"-i", "0123456789abcdef", "stats", "display"}),
            "instance name '0123456789abcdef' is too long (at most 15 characters)");
  EXPECT_EQ(get<StatsDisplay>({"-i", "0123456789abcde", "stats", "display"}).iname, "0123456789abcde");
}

// ---- instance ------------------------------------------------------------

TEST(CliInstance, Add)
{
  auto c = get<InstanceAdd>({"instance", "add", "--pool6", "64:ff9b::/96"});
  EXPECT_EQ(c.iname, "default");
  EXPECT_EQ(c.framework, Framework::netfilter);
  EXPECT_TRUE(same(c.pool6.addr, a6("64:ff9b::")));
  EXPECT_EQ(c.pool6.len, 96);

  c = get<InstanceAdd>({"instance", "add", "alpha", "--iptables", "--pool6", "2001:db8:100::/40"});
  EXPECT_EQ(c.iname, "alpha");
  EXPECT_EQ(c.framework, Framework::iptables);
  EXPECT_EQ(c.pool6.len, 40);

  c = get<InstanceAdd>({"-i", "beta", "instance", "add", "--netfilter", "--pool6=64:ff9b::/96"});
  EXPECT_EQ(c.iname, "beta");
  EXPECT_EQ(c.framework, Framework::netfilter);
  c = get<InstanceAdd>({"-i", "beta", "instance", "add", "beta", "--pool6", "64:ff9b::/96"});
  EXPECT_EQ(c.iname, "beta");
}

TEST(CliInstance, AddErrors)
{
  EXPECT_EQ(usage_error({"instance", "add"}),
            "instance add: --pool6 is required (e.g. --pool6 64:ff9b::/96)");
  EXPECT_EQ(usage_error({"instance", "add", "--netfilter", "--iptables", "--pool6", "64:ff9b::/96"}),
            "the translator can only be hooked to one framework (--netfilter or --iptables)");
  EXPECT_EQ(usage_error({"-i", "a", "instance", "add", "b", "--pool6", "64:ff9b::/96"}),
            "two different instance names given ('a' and 'b'); please give only one");
  EXPECT_EQ(usage_error({"instance", "add", "--pool6", "64:ff9b::/97"}),
            "pool6 '64:ff9b::/97': the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052)");
  EXPECT_EQ(usage_error({"instance", "add", "--pool6", "64:ff9b::1/96"}),
            "pool6 '64:ff9b::1/96': the address has bits set after the prefix length");
  EXPECT_EQ(usage_error({"instance", "add", "--pool6", "192.0.2.0/24"}),
            "cannot parse '192.0.2.0/24' as an IPv6 prefix (expected ADDRESS[/LENGTH], e.g. 64:ff9b::/96)");
  EXPECT_EQ(usage_error({"instance", "add", "a/b", "--pool6", "64:ff9b::/96"}),
            "instance name 'a/b' has an invalid character (allowed: A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(usage_error({"instance", "add", "--pool6"}), "--pool6 requires a value");
}

TEST(CliInstance, OtherOperations)
{
  EXPECT_EQ(get<InstanceRemove>({"instance", "remove"}).iname, "default");
  EXPECT_EQ(get<InstanceRemove>({"instance", "remove", "alpha"}).iname, "alpha");
  EXPECT_EQ(get<InstanceRemove>({"-i", "alpha", "instance", "remove"}).iname, "alpha");
  EXPECT_EQ(usage_error({"-i", "a", "instance", "remove", "b"}),
            "two different instance names given ('a' and 'b'); please give only one");
  EXPECT_EQ(get<InstanceStatus>({"instance", "status"}).iname, "default");
  EXPECT_EQ(get<InstanceStatus>({"instance", "status", "x"}).iname, "x");
  get<InstanceFlush>({"instance", "flush"});
  auto d = get<InstanceDisplay>({"instance", "display", "--csv", "--no-headers"});
  EXPECT_TRUE(d.table.csv);
  EXPECT_TRUE(d.table.no_headers);
  EXPECT_EQ(usage_error({"instance", "flush", "x"}), "unexpected argument 'x'");
}

TEST(CliInstance, IgnoredInstanceNameWarns)
{
  auto r = parse({"-i", "x", "instance", "display"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1U);
  EXPECT_EQ(r->warnings[0], "instance display ignores the instance name argument");
  r = parse({"-i", "x", "instance", "flush"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1U);
  EXPECT_EQ(r->warnings[0], "instance flush ignores the instance name argument");
  r = parse({"instance", "display"});
  EXPECT_TRUE(r->warnings.empty());
}

// ---- pool4 ---------------------------------------------------------------

TEST(CliPool4, AddAllProtocolsByDefault)
{
  auto c = get<Pool4Add>({"pool4", "add", "192.0.2.1"});
  EXPECT_EQ(c.iname, "default");
  ASSERT_EQ(c.entries.size(), 3U);
  EXPECT_EQ(c.entries[0].proto, Proto::tcp);
  EXPECT_EQ(c.entries[1].proto, Proto::udp);
  EXPECT_EQ(c.entries[2].proto, Proto::icmp);
  EXPECT_EQ(c.entries[0].ports.min, 1);
  EXPECT_EQ(c.entries[0].ports.max, 65535);
  EXPECT_EQ(c.entries[1].ports.min, 1);
  EXPECT_EQ(c.entries[2].ports.min, 0);
  EXPECT_EQ(c.entries[2].ports.max, 65535);
  for (const auto &e : c.entries) {
    EXPECT_EQ(e.mark, 0U);
    EXPECT_TRUE(same(e.prefix.addr, a4("192.0.2.1")));
    EXPECT_EQ(e.prefix.len, 32);
    EXPECT_EQ(e.max_iter, max_iter_auto);
  }
}

TEST(CliPool4, AddJoolStyle)
{
  auto c = get<Pool4Add>({"-i", "alpha", "pool4", "add", "--tcp", "192.0.2.1", "61001-65535"});
  EXPECT_EQ(c.iname, "alpha");
  ASSERT_EQ(c.entries.size(), 1U);
  EXPECT_EQ(c.entries[0].proto, Proto::tcp);
  EXPECT_EQ(c.entries[0].ports.min, 61001);
  EXPECT_EQ(c.entries[0].ports.max, 65535);

  // Jool's order-agnostic positionals, trailing flags, --mark, --max-iterations.
  c = get<Pool4Add>(
      {"pool4", "add", "100-200", "192.0.2.8/30", "--icmp", "--mark", "7", "--max-iterations", "infinity"});
  ASSERT_EQ(c.entries.size(), 1U);
  const Pool4Entry &e = c.entries[0];
  EXPECT_EQ(e.proto, Proto::icmp);
  EXPECT_EQ(e.mark, 7U);
  EXPECT_TRUE(same(e.prefix.addr, a4("192.0.2.8")));
  EXPECT_EQ(e.prefix.len, 30);
  EXPECT_EQ(e.ports.min, 100);
  EXPECT_EQ(e.ports.max, 200);
  EXPECT_EQ(e.max_iter, max_iter_infinity);

  EXPECT_EQ(get<Pool4Add>({"pool4", "add", "--udp", "192.0.2.1", "5", "--max-iterations", "999"})
                .entries[0]
                .max_iter,
            999U);
  EXPECT_EQ(
      get<Pool4Add>({"pool4", "add", "--udp", "192.0.2.1", "--max-iterations", "auto"}).entries[0].max_iter,
      max_iter_auto);
  auto single = get<Pool4Add>({"pool4", "add", "--udp", "192.0.2.1", "5"}).entries[0].ports;
  EXPECT_EQ(single.min, 5);
  EXPECT_EQ(single.max, 5);
}

TEST(CliPool4, AddLargePrefixNeedsForce)
{
  EXPECT_EQ(usage_error({"pool4", "add", "--tcp", "192.0.0.0/23"}),
            "pool4 add: 192.0.0.0/23 holds 512 addresses, which might defeat the point of NAT64 over "
            "SIIT; use --force to add it anyway");
  auto c = get<Pool4Add>({"pool4", "add", "--tcp", "192.0.0.0/23", "--force"});
  EXPECT_EQ(c.entries[0].prefix.len, 23);
  get<Pool4Add>({"pool4", "add", "--tcp", "10.0.0.0/16", "--force"});
  EXPECT_EQ(usage_error({"pool4", "add", "--tcp", "10.0.0.0/15", "--force"}),
            "'10.0.0.0/15' is too large: a pool4 entry holds at most 65536 addresses (/16)");
}

TEST(CliPool4, AddErrors)
{
  EXPECT_EQ(usage_error({"pool4", "add"}),
            "pool4 add: missing the IPv4 prefix (e.g. 192.0.2.1 or 192.0.2.0/28)");
  EXPECT_EQ(usage_error({"pool4", "add", "1-2"}),
            "pool4 add: missing the IPv4 prefix (e.g. 192.0.2.1 or 192.0.2.0/28)");
  EXPECT_EQ(usage_error({"pool4", "add", "--tcp", "--udp", "192.0.2.1"}),
            "only one protocol is allowed per request (--tcp, --udp or --icmp)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "1-2", "3"}), "unexpected argument '3'");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "192.0.2.2"}),
            "pool4 add: unexpected second IPv4 prefix '192.0.2.2'");
  EXPECT_EQ(usage_error({"pool4", "add", "1", "2"}), "pool4 add: unexpected second port range '2'");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.300"}),
            "cannot parse '192.0.2.300' as an IPv4 prefix (expected ADDRESS[/LENGTH], e.g. 192.0.2.0/24)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1/33"}),
            "cannot parse '192.0.2.1/33' as an IPv4 prefix (expected ADDRESS[/LENGTH], e.g. 192.0.2.0/24)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1/24"}),
            "'192.0.2.1/24': the address has bits set after the prefix length");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "2-1"}),
            "port range '2-1': the minimum exceeds the maximum");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "1-65536"}),
            "cannot parse '1-65536' as a port range (expected PORT or MIN-MAX, each 0-65535)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "x"}),
            "cannot parse 'x' as a port range (expected PORT or MIN-MAX, each 0-65535)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--mark", "-1"}).substr(0, 6), "--mark");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--mark", "4294967296"}),
            "--mark: '4294967296' is out of range (0-4294967295)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--mark", "x"}),
            "--mark: 'x' is not an unsigned integer");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--max-iterations", "0"}),
            "--max-iterations: cannot parse '0' (expected auto, infinity or a positive integer)");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--quick"}), "unexpected argument '--quick'");
}

TEST(CliPool4, Remove)
{
  auto c = get<Pool4Remove>({"pool4", "remove", "192.0.2.0/24"});
  ASSERT_EQ(c.entries.size(), 3U);
  for (const auto &e : c.entries) {
    EXPECT_EQ(e.ports.min, 0);
    EXPECT_EQ(e.ports.max, 65535);
    EXPECT_EQ(e.prefix.len, 24);  // no --force needed to remove
  }
  EXPECT_FALSE(c.quick);
  c = get<Pool4Remove>({"pool4", "remove", "--mark", "3", "--udp", "192.0.2.1", "10-20", "--quick"});
  ASSERT_EQ(c.entries.size(), 1U);
  EXPECT_EQ(c.entries[0].proto, Proto::udp);
  EXPECT_EQ(c.entries[0].mark, 3U);
  EXPECT_EQ(c.entries[0].ports.min, 10);
  EXPECT_EQ(c.entries[0].ports.max, 20);
  EXPECT_TRUE(c.quick);
  EXPECT_EQ(usage_error({"pool4", "remove"}),
            "pool4 remove: missing the IPv4 prefix (e.g. 192.0.2.1 or 192.0.2.0/28)");
  EXPECT_EQ(usage_error({"pool4", "remove", "192.0.2.1", "--force"}), "unexpected argument '--force'");
}

TEST(CliPool4, FlushAndDisplay)
{
  EXPECT_FALSE(get<Pool4Flush>({"pool4", "flush"}).quick);
  EXPECT_TRUE(get<Pool4Flush>({"pool4", "flush", "--quick"}).quick);
  auto d = get<Pool4Display>({"pool4", "display"});
  EXPECT_FALSE(d.proto);
  EXPECT_FALSE(d.table.csv);
  d = get<Pool4Display>({"pool4", "display", "--udp", "--csv", "--no-headers"});
  EXPECT_EQ(d.proto, Proto::udp);
  EXPECT_TRUE(d.table.csv);
  EXPECT_TRUE(d.table.no_headers);
  EXPECT_EQ(usage_error({"pool4", "display", "--tcp", "--icmp"}),
            "only one protocol is allowed per request (--tcp, --udp or --icmp)");
  EXPECT_EQ(usage_error({"pool4", "flush", "192.0.2.1"}), "unexpected argument '192.0.2.1'");
}

// ---- bib -----------------------------------------------------------------

TEST(CliBib, Display)
{
  auto d = get<BibDisplay>({"bib", "display"});
  EXPECT_EQ(d.proto, Proto::tcp);
  EXPECT_FALSE(d.numeric);
  d = get<BibDisplay>({"-i", "a", "bib", "display", "--icmp", "--numeric", "--csv", "--no-headers"});
  EXPECT_EQ(d.iname, "a");
  EXPECT_EQ(d.proto, Proto::icmp);
  EXPECT_TRUE(d.numeric);
  EXPECT_TRUE(d.table.csv);
  EXPECT_TRUE(d.table.no_headers);
}

TEST(CliBib, Add)
{
  auto c = get<BibAdd>({"bib", "add", "2001:db8::6#6", "192.0.2.4#4"});
  EXPECT_EQ(c.proto, Proto::tcp);
  EXPECT_TRUE(same(c.addr6.addr, a6("2001:db8::6")));
  EXPECT_EQ(c.addr6.port, 6);
  EXPECT_TRUE(same(c.addr4.addr, a4("192.0.2.4")));
  EXPECT_EQ(c.addr4.port, 4);
  c = get<BibAdd>({"bib", "add", "192.0.2.4#44", "--udp", "2001:db8::6#66"});
  EXPECT_EQ(c.proto, Proto::udp);
  EXPECT_EQ(c.addr6.port, 66);
  EXPECT_EQ(c.addr4.port, 44);

  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6#6"}),
            "bib add: missing the IPv4 transport address (e.g. 192.0.2.4#80)");
  EXPECT_EQ(usage_error({"bib", "add", "192.0.2.4#4"}),
            "bib add: missing the IPv6 transport address (e.g. 2001:db8::6#80)");
  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6", "192.0.2.4#4"}),
            "cannot parse '2001:db8::6' as an IPv6 transport address (expected ADDRESS#PORT, e.g. "
            "2001:db8::1#80)");
  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6#1", "192.0.2.4#65536"}),
            "cannot parse '192.0.2.4#65536' as an IPv4 transport address (expected ADDRESS#PORT, e.g. "
            "192.0.2.1#80)");
  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6#1", "potato#1"}),
            "bib add: cannot parse 'potato#1' as a transport address (expected ADDRESS#PORT)");
  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6#1", "2001:db8::7#1"}),
            "bib add: unexpected second IPv6 transport address '2001:db8::7#1'");
  EXPECT_EQ(usage_error({"bib", "add", "2001:db8::6#1", "1.2.3.4#1", "1.2.3.5#1"}),
            "unexpected argument '1.2.3.5#1'");
  EXPECT_EQ(usage_error({"bib", "add", "--tcp", "--udp", "2001:db8::6#1", "1.2.3.4#1"}),
            "only one protocol is allowed per request (--tcp, --udp or --icmp)");
}

TEST(CliBib, Remove)
{
  auto c = get<BibRemove>({"bib", "remove", "--udp", "2001:db8::6#6666"});
  EXPECT_EQ(c.proto, Proto::udp);
  ASSERT_TRUE(c.addr6);
  EXPECT_EQ(c.addr6->port, 6666);
  EXPECT_FALSE(c.addr4);
  c = get<BibRemove>({"bib", "remove", "192.0.2.4#4444"});
  EXPECT_FALSE(c.addr6);
  ASSERT_TRUE(c.addr4);
  c = get<BibRemove>({"bib", "remove", "192.0.2.4#4444", "2001:db8::6#6666"});
  EXPECT_TRUE(c.addr6 && c.addr4);
  EXPECT_EQ(usage_error({"bib", "remove"}),
            "bib remove: missing a transport address (IPV6#PORT and/or IPV4#PORT)");
}

// ---- session, stats ----------------------------------------------------

TEST(CliSession, Display)
{
  auto d = get<SessionDisplay>({"session", "display"});
  EXPECT_EQ(d.proto, Proto::tcp);
  d = get<SessionDisplay>({"session", "display", "--udp", "--numeric", "--csv"});
  EXPECT_EQ(d.proto, Proto::udp);
  EXPECT_TRUE(d.numeric);
  EXPECT_TRUE(d.table.csv);
  EXPECT_FALSE(d.table.no_headers);
  EXPECT_EQ(usage_error({"session", "display", "--udp", "--icmp"}),
            "only one protocol is allowed per request (--tcp, --udp or --icmp)");
}

TEST(CliStats, Display)
{
  auto d = get<StatsDisplay>({"stats", "display"});
  EXPECT_FALSE(d.all || d.explain || d.table.csv || d.table.no_headers);
  d = get<StatsDisplay>({"stats", "display", "--all", "--explain", "--csv", "--no-headers"});
  EXPECT_TRUE(d.all && d.explain && d.table.csv && d.table.no_headers);
  d = get<StatsDisplay>({"stats", "display", "-a", "-e"});
  EXPECT_TRUE(d.all && d.explain);
}

// ---- global --------------------------------------------------------------

TEST(CliGlobal, Display)
{
  auto d = get<GlobalDisplay>({"-i", "x", "global", "display", "--csv"});
  EXPECT_EQ(d.iname, "x");
  EXPECT_TRUE(d.table.csv);
}

TEST(CliGlobal, UpdateEveryKey)
{
  struct Case {
    const char *key;
    const char *value;
    GlobalData expected;
  };
  const std::vector<Case> cases = {
      {"manually-enabled", "false", false},
      {"lowest-ipv6-mtu", "1500", std::uint32_t{1500}},
      {"logging-debug", "on", true},
      {"zeroize-traffic-class", "yes", true},
      {"override-tos", "1", true},
      {"tos", "254", std::uint8_t{254}},
      {"mtu-plateaus", "1500,9000,1280", std::vector<std::uint16_t>{9000, 1500, 1280}},
      {"address-dependent-filtering", "TRUE", true},
      {"drop-externally-initiated-tcp", "true", true},
      {"drop-icmpv6-info", "true", true},
      {"source-icmpv6-errors-better", "no", false},
      {"f-args", "0b1011", std::uint8_t{11}},
      {"handle-rst-during-fin-rcv", "true", true},
      {"tcp-est-timeout", "2:00:00", std::uint32_t{7200}},
      {"tcp-trans-timeout", "4:00", std::uint32_t{240}},
      {"udp-timeout", "300", std::uint32_t{300}},
      {"icmp-timeout", "0:01:00.000", std::uint32_t{60}},
      {"maximum-simultaneous-opens", "20", std::uint32_t{20}},
      {"logging-bib", "true", true},
      {"logging-session", "true", true},
      {"maximum-sessions", "100000", std::uint32_t{100000}},
  };
  EXPECT_EQ(cases.size() + 1, static_cast<std::size_t>(NAT64_G_MAX));  // + pool6
  for (const auto &c : cases) {
    auto u = get<GlobalUpdate>({"-i", "x", "global", "update", c.key, c.value});
    EXPECT_EQ(u.iname, "x");
    ASSERT_NE(u.value.meta, nullptr) << c.key;
    EXPECT_EQ(u.value.meta->name, c.key);
    EXPECT_EQ(u.value.data, c.expected) << c.key;
  }
  // Jool's --force is accepted.
  get<GlobalUpdate>({"global", "update", "tos", "1", "--force"});
}

TEST(CliGlobal, UpdateErrors)
{
  EXPECT_EQ(usage_error({"global", "update", "ss-enabled", "true"}),
            "'ss-enabled': session synchronization is not supported yet");
  EXPECT_EQ(usage_error({"global", "update", "ss-capacity", "512"}),
            "'ss-capacity': session synchronization is not supported yet");
  EXPECT_EQ(usage_error({"global", "update", "pool6", "64:ff9b::/96"}),
            "'pool6' cannot be changed after the instance is created (remove and re-add it)");
  EXPECT_EQ(usage_error({"global", "update", "bogus", "1"}), "unknown global key 'bogus'");
  EXPECT_EQ(usage_error({"global", "update", "bogus"}), "unknown global key 'bogus'");
  EXPECT_EQ(usage_error({"global", "update", "tos"}), "global update: missing the value of 'tos'");
  EXPECT_EQ(usage_error({"global", "update"}),
            "global update: missing the key (see `nat64 global update --help`)");
  EXPECT_EQ(usage_error({"global", "update", "tos", "256"}), "tos: '256' is out of range (0-255)");
  EXPECT_EQ(usage_error({"global", "update", "tcp-est-timeout", "1:59:59"}),
            "tcp-est-timeout: '1:59:59' is too small (minimum: 2:00:00)");
  EXPECT_EQ(usage_error({"global", "update", "udp-timeout", "119"}),
            "udp-timeout: '119' is too small (minimum: 0:02:00)");
  EXPECT_EQ(usage_error({"global", "update", "icmp-timeout", "0"}),
            "icmp-timeout: '0' is too small (minimum: 0:00:01)");
  EXPECT_EQ(usage_error({"global", "update", "lowest-ipv6-mtu", "1279"}),
            "lowest-ipv6-mtu: '1279' is too small (minimum: 1280)");
  EXPECT_EQ(usage_error({"global", "update", "manually-enabled", "maybe"}),
            "manually-enabled: cannot parse 'maybe' as a boolean (true|false|1|0|yes|no|on|off)");
  EXPECT_EQ(usage_error({"global", "update", "f-args", "16"}),
            "f-args: cannot parse '16' (expected 0-15 or 0b0000-0b1111)");
  EXPECT_EQ(usage_error({"global", "update", "tos", "1", "2"}), "unexpected argument '2'");
}

// ---- file handle and --json ------------------------------------------------

TEST(Cli, FileHandle)
{
  auto f = get<FileHandle>({"file", "handle", "/etc/nat64/nat64.conf"});
  EXPECT_EQ(f.path, "/etc/nat64/nat64.conf");
  EXPECT_FALSE(f.iname);
  EXPECT_FALSE(f.force);
  f = get<FileHandle>({"-i", "gw", "file", "handle", "x.json", "--force"});
  EXPECT_EQ(f.iname, std::optional<std::string>("gw"));
  EXPECT_TRUE(f.force);
  f = get<FileHandle>({"fil", "h", "x.json"});
  EXPECT_EQ(f.path, "x.json");
  EXPECT_EQ(usage_error({"file", "handle"}),
            "file handle: missing the JSON file (e.g. /etc/nat64/nat64.conf)");
  EXPECT_EQ(usage_error({"file", "display"}),
            "unexpected file operation 'display' (expected one of: handle)");
  EXPECT_EQ(usage_error({"-i", "a/b", "file", "handle", "x.json"}),
            "instance name 'a/b' has an invalid character (allowed: A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(usage_error({"file", "handle", "x.json", "--csv"}), "unexpected argument '--csv'");
}

TEST(Cli, JsonOnEveryDisplay)
{
  EXPECT_TRUE(get<InstanceDisplay>({"instance", "display", "--json"}).table.json);
  EXPECT_TRUE(get<InstanceStatus>({"instance", "status", "--json"}).json);
  EXPECT_FALSE(get<InstanceStatus>({"instance", "status"}).json);
  EXPECT_TRUE(get<Pool4Display>({"pool4", "display", "--json", "--udp"}).table.json);
  EXPECT_TRUE(get<BibDisplay>({"bib", "display", "--json"}).table.json);
  EXPECT_TRUE(get<SessionDisplay>({"session", "display", "--icmp", "--json", "--numeric"}).table.json);
  EXPECT_TRUE(get<StatsDisplay>({"stats", "display", "--json", "--all", "--explain"}).table.json);
  EXPECT_TRUE(get<GlobalDisplay>({"global", "display", "--json"}).table.json);
  EXPECT_FALSE(get<GlobalDisplay>({"global", "display", "--csv"}).table.json);
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"instance", "display", "--json", "--csv"},
                                             {"pool4", "display", "--csv", "--json"},
                                             {"bib", "display", "--json", "--csv"},
                                             {"session", "display", "--json", "--csv"},
                                             {"stats", "display", "--json", "--csv"},
                                             {"global", "display", "--json", "--csv"}})
    EXPECT_EQ(usage_error(args), "--json and --csv cannot be used together");
  EXPECT_EQ(usage_error({"pool4", "add", "192.0.2.1", "--json"}), "unexpected argument '--json'");
  EXPECT_EQ(usage_error({"global", "update", "tos", "1", "--json"}), "unexpected argument '--json'");
}

}  // namespace
}  // namespace nat64
