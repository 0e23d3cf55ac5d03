// SPDX-License-Identifier: GPL-2.0-or-later
// The whole program against a scripted fake kernel: requests sent, output
// printed, errors reported, exit codes.
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run.h"
#include "test_util.h"
#include "values.h"

namespace nat64 {
namespace {

using test::a4;
using test::a6;
using test::kernel_msg;
using test::kFamily;

// What the fake kernel answers to one request.
struct Answer {
  std::vector<MsgPtr> replies;
  std::optional<Error> error;
  std::string warning;  // extack message of a successful ACK
};

// Outlives the transport (nat64_main destroys it).
struct Script {
  std::deque<Answer> answers;
  std::vector<std::vector<char>> requests;  // raw copies
  int opened = 0;

  test::Parsed request(std::size_t i)
  {
    auto *h = reinterpret_cast<const nlmsghdr *>(requests.at(i).data());
    MsgPtr copy(nlmsg_convert(const_cast<nlmsghdr *>(h)));
    return test::parse_request(std::move(copy));
  }
};

class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(Script &s) : s_(s) {}
  int family() const override { return kFamily; }
  Status exchange(nl_msg *req, const ReplyHandler &on_reply) override
  {
    nlmsghdr *h = nlmsg_hdr(req);
    auto *bytes = reinterpret_cast<const char *>(h);
    s_.requests.emplace_back(bytes, bytes + h->nlmsg_len);
    if (s_.answers.empty())
      return {};
    Answer a = std::move(s_.answers.front());
    s_.answers.pop_front();
    for (auto &m : a.replies) {
      Status st = on_reply(nlmsg_hdr(m.get()));
      if (!st)
        return st;
    }
    if (a.error)
      return *a.error;
    if (!a.warning.empty())
      warn(a.warning);
    return {};
  }

 private:
  Script &s_;
};

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run_main(Script &script, std::vector<std::string> args)
{
  std::ostringstream out, err;
  TransportOpener open = [&]() -> Result<std::unique_ptr<Transport>> {
    script.opened++;
    return std::unique_ptr<Transport>(std::make_unique<FakeTransport>(script));
  };
  int code = nat64_main(args, open, out, err);
  return {code, out.str(), err.str()};
}

MsgPtr instance_msg(const char *name, std::uint8_t fw, std::uint32_t ns)
{
  auto m = kernel_msg(NAT64_CMD_INSTANCE_GET);
  nlattr *n = nla_nest_start(m.get(), NAT64_A_INSTANCE);
  nla_put_string(m.get(), NAT64_INST_NAME, name);
  nla_put_u8(m.get(), NAT64_INST_FRAMEWORK, fw);
  nla_put_u32(m.get(), NAT64_INST_NETNS, ns);
  nla_nest_end(m.get(), n);
  return m;
}

TEST(Run, InstanceDisplay)
{
  Script s;
  Answer a;
  a.replies.push_back(instance_msg("default", NAT64_FW_NETFILTER, 4026531840U));
  a.replies.push_back(instance_msg("alpha", NAT64_FW_IPTABLES, 4026531840U));
  s.answers.push_back(std::move(a));
  auto r = run_main(s, {"instance", "display"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "+--------------------+-----------------+-----------+\n"
            "|          Namespace |            Name | Framework |\n"
            "+--------------------+-----------------+-----------+\n"
            "|         4026531840 |         default | netfilter |\n"
            "|         4026531840 |           alpha |  iptables |\n"
            "+--------------------+-----------------+-----------+\n");
  ASSERT_EQ(s.requests.size(), 1U);
  auto p = s.request(0);
  EXPECT_EQ(p.cmd, NAT64_CMD_INSTANCE_GET);
  EXPECT_EQ((p.flags & NLM_F_DUMP), NLM_F_DUMP);
}

TEST(Run, InstanceAddSendsOneRequest)
{
  Script s;
  auto r = run_main(s, {"instance", "add", "alpha", "--iptables", "--pool6", "64:ff9b::/96"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(s.requests.size(), 1U);
  auto p = s.request(0);
  EXPECT_EQ(p.cmd, NAT64_CMD_INSTANCE_ADD);
  EXPECT_EQ(test::iname_of(p), "alpha");
  EXPECT_EQ(nla_get_u8(p.tb[NAT64_A_FRAMEWORK]), NAT64_FW_IPTABLES);
}

// Jool's grammar: either side names the binding to remove. Only the side
// given is sent; the module finds the entry by it.
TEST(Run, BibRemoveByEitherSide)
{
  Script s;
  auto r = run_main(s, {"bib", "remove", "--udp", "192.0.2.4#4444"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
  r = run_main(s, {"bib", "remove", "2001:db8::6#6666"});
  EXPECT_EQ(r.code, 0);
  ASSERT_EQ(s.requests.size(), 2U);
  for (std::size_t i = 0; i < 2; i++) {
    auto p = s.request(i);
    EXPECT_EQ(p.cmd, NAT64_CMD_BIB_DEL);
    ASSERT_NE(p.tb[NAT64_A_BIB], nullptr);
    nlattr *tb[NAT64_BIB_MAX + 1] = {};
    ASSERT_EQ(nla_parse_nested(tb, NAT64_BIB_MAX, p.tb[NAT64_A_BIB], nullptr), 0);
    EXPECT_EQ(nla_get_u8(tb[NAT64_BIB_PROTO]), i == 0 ? IPPROTO_UDP : IPPROTO_TCP);
    EXPECT_EQ(tb[NAT64_BIB_ADDR6] != nullptr, i == 1);
    EXPECT_EQ(tb[NAT64_BIB_PORT6] != nullptr, i == 1);
    EXPECT_EQ(tb[NAT64_BIB_ADDR4] != nullptr, i == 0);
    ASSERT_NE(tb[i == 0 ? NAT64_BIB_PORT4 : NAT64_BIB_PORT6], nullptr);
    EXPECT_EQ(nla_get_u16(tb[i == 0 ? NAT64_BIB_PORT4 : NAT64_BIB_PORT6]), i == 0 ? 4444 : 6666);
  }
  // The module's refusal (no such entry) is reported.
  Answer missing;
  missing.error = Error::kernel(ESRCH, "no such BIB entry");
  s.answers.push_back(std::move(missing));
  r = run_main(s, {"bib", "remove", "192.0.2.4#4444"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "nat64: no such BIB entry (No such process)\n");
}

TEST(Run, KernelRejection)
{
  Script s;
  Answer a;
  a.error = Error::kernel(ESRCH, "instance 'nope' does not exist");
  s.answers.push_back(std::move(a));
  auto r = run_main(s, {"-i", "nope", "pool4", "flush"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "nat64: instance 'nope' does not exist (No such process)\n");

  Answer b;
  b.error = Error::kernel(EPERM, "");
  s.answers.push_back(std::move(b));
  r = run_main(s, {"instance", "flush"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "nat64: Operation not permitted (CAP_NET_ADMIN is required)\n");
}

TEST(Run, Pool4AddEveryProtocolAllOrNothing)
{
  Script s;
  s.answers.emplace_back();
  Answer fail;
  fail.error = Error::kernel(EEXIST, "192.0.2.1#1-65535 overlaps an existing entry");
  s.answers.push_back(std::move(fail));
  auto r = run_main(s, {"pool4", "add", "192.0.2.1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "nat64: UDP: 192.0.2.1#1-65535 overlaps an existing entry (File exists); nothing was changed\n");
  // TCP added, UDP refused, TCP taken back (quick: nothing else goes).
  ASSERT_EQ(s.requests.size(), 3U);
  for (std::size_t i = 0; i < 3; i++) {
    auto p = s.request(i);
    EXPECT_EQ(p.cmd, i < 2 ? NAT64_CMD_POOL4_ADD : NAT64_CMD_POOL4_DEL);
    nlattr *tb[NAT64_POOL4_MAX + 1];
    ASSERT_EQ(nla_parse_nested(tb, NAT64_POOL4_MAX, p.tb[NAT64_A_POOL4], nullptr), 0);
    EXPECT_EQ(nla_get_u8(tb[NAT64_POOL4_PROTO]), i == 1 ? IPPROTO_UDP : IPPROTO_TCP);
  }
  auto undo = s.request(2);
  EXPECT_EQ(nla_get_u32(undo.tb[NAT64_A_FLAGS]), NAT64_FLAG_QUICK);

  // Refused at once: nothing to take back.
  Answer first;
  first.error = Error::kernel(EEXIST, "pool4 entry already exists");
  s.answers.push_back(std::move(first));
  r = run_main(s, {"pool4", "add", "192.0.2.9"});
  EXPECT_EQ(r.err, "nat64: TCP: pool4 entry already exists (File exists)\n");
  EXPECT_EQ(s.requests.size(), 4U);

  Script ok;
  r = run_main(ok, {"pool4", "add", "192.0.2.1", "--icmp"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(ok.requests.size(), 1U);
  Script all;
  r = run_main(all, {"pool4", "remove", "192.0.2.1", "--quick"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(all.requests.size(), 3U);
}

TEST(Run, Pool4RemoveFromTheProtocolsThatHaveIt)
{
  auto missing = [] {
    Answer a;
    a.error = Error::kernel(ESRCH, "no pool4 entry matches (mark, protocol, prefix and ports)");
    return a;
  };
  Script s;
  s.answers.push_back(missing());
  s.answers.emplace_back();
  s.answers.push_back(missing());
  auto r = run_main(s, {"pool4", "remove", "192.0.2.1"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(s.requests.size(), 3U);

  for (int i = 0; i < 3; i++)
    s.answers.push_back(missing());
  r = run_main(s, {"pool4", "remove", "192.0.2.1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "nat64: TCP: no pool4 entry matches (mark, protocol, prefix and ports) (No such process)\n");

  s.answers.push_back(missing());
  r = run_main(s, {"pool4", "remove", "--udp", "192.0.2.1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "nat64: no pool4 entry matches (mark, protocol, prefix and ports) (No such process)\n");
}

TEST(Run, ModuleNotLoaded)
{
  std::ostringstream out, err;
  TransportOpener missing = []() -> Result<std::unique_ptr<Transport>> {
    return Error::system("the nat64 kernel module is not loaded (modprobe nat64)");
  };
  std::vector<std::string> args = {"instance", "display"};
  EXPECT_EQ(nat64_main(args, missing, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "nat64: the nat64 kernel module is not loaded (modprobe nat64)\n");

  std::ostringstream out2, err2;
  args = {"instance", "status"};
  EXPECT_EQ(nat64_main(args, missing, out2, err2), 1);
  EXPECT_EQ(out2.str(), "Dead\n");
  EXPECT_EQ(err2.str(), "nat64: the nat64 kernel module is not loaded (modprobe nat64)\n");
}

TEST(Run, InstanceStatus)
{
  Script s;
  Answer alive;
  alive.replies.push_back(instance_msg("default", NAT64_FW_NETFILTER, 1));
  s.answers.push_back(std::move(alive));
  auto r = run_main(s, {"instance", "status"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Running\n");
  auto p = s.request(0);
  EXPECT_EQ(p.cmd, NAT64_CMD_INSTANCE_GET);
  EXPECT_FALSE(p.flags & NLM_F_DUMP);
  EXPECT_EQ(test::iname_of(p), "default");

  Answer dead;
  dead.error = Error::kernel(ESRCH, "instance 'x' does not exist");
  s.answers.push_back(std::move(dead));
  r = run_main(s, {"instance", "status", "x"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Dead\n(Instance 'x' does not exist.)\n");
  EXPECT_EQ(r.err, "");

  Answer broken;
  broken.error = Error::kernel(ENOMEM, "");
  s.answers.push_back(std::move(broken));
  r = run_main(s, {"instance", "status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Status unknown\n");
  EXPECT_EQ(r.err, "nat64: Cannot allocate memory\n");
}

TEST(Run, UsageErrorsNeverTouchTheKernel)
{
  Script s;
  auto r = run_main(s, {"pool4", "add", "--tcp", "--udp", "192.0.2.1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "nat64: only one protocol is allowed per request (--tcp, --udp or --icmp)\n");
  r = run_main(s, {"global", "update", "ss-enabled", "true"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "nat64: 'ss-enabled': session synchronization is not supported yet\n");
  r = run_main(s, {"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage: nat64"), std::string::npos);
  r = run_main(s, {"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(s.opened, 0);
  EXPECT_TRUE(s.requests.empty());
}

TEST(Run, Warnings)
{
  Script s;
  s.answers.emplace_back();
  auto r = run_main(s, {"-i", "x", "instance", "display", "--csv"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Namespace,Name,Framework\n");
  EXPECT_EQ(r.err, "nat64: warning: instance display ignores the instance name argument\n");

  Answer w;
  w.warning = "pool4 is empty; using the interfaces' addresses";
  s.answers.push_back(std::move(w));
  r = run_main(s, {"pool4", "flush"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "nat64: warning: pool4 is empty; using the interfaces' addresses\n");
}

TEST(Run, BibAndSessionDisplay)
{
  Script s;
  Answer bib;
  auto m = kernel_msg(NAT64_CMD_BIB_GET);
  nlattr *n = nla_nest_start(m.get(), NAT64_A_BIB);
  nla_put_u8(m.get(), NAT64_BIB_PROTO, IPPROTO_UDP);
  in6_addr x6 = a6("2001:db8::6");
  in_addr x4 = a4("192.0.2.4");
  nla_put(m.get(), NAT64_BIB_ADDR6, 16, &x6);
  nla_put_u16(m.get(), NAT64_BIB_PORT6, 6666);
  nla_put(m.get(), NAT64_BIB_ADDR4, 4, &x4);
  nla_put_u16(m.get(), NAT64_BIB_PORT4, 4444);
  nla_put_u8(m.get(), NAT64_BIB_STATIC, 1);
  nla_nest_end(m.get(), n);
  bib.replies.push_back(std::move(m));
  s.answers.push_back(std::move(bib));
  auto r = run_main(s, {"bib", "display", "--udp", "--numeric"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "[Static UDP] 192.0.2.4#4444 - 2001:db8::6#6666\n");
  auto p = s.request(0);
  EXPECT_EQ(p.cmd, NAT64_CMD_BIB_GET);
  EXPECT_EQ(nla_get_u8(p.tb[NAT64_A_PROTO]), IPPROTO_UDP);

  // An empty session table, then a failed dump.
  s.answers.emplace_back();
  r = run_main(s, {"session", "display", "--csv"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.substr(0, 9), "Protocol,");
  s.answers.emplace_back();
  r = run_main(s, {"session", "display"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "---------------------------------\n");
  Answer fail;
  fail.error = Error::kernel(ESRCH, "instance 'default' does not exist");
  s.answers.push_back(std::move(fail));
  r = run_main(s, {"session", "display"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");  // no header for a failed listing
  EXPECT_EQ(r.err, "nat64: instance 'default' does not exist (No such process)\n");

  // Without the kernel's message, ESRCH still names the instance.
  Answer bare;
  bare.error = Error::kernel(ESRCH, "");
  s.answers.push_back(std::move(bare));
  r = run_main(s, {"-i", "beta", "session", "display", "--udp"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "nat64: there is no instance 'beta' in this network namespace (No such process)\n");
}

TEST(Run, MalformedAnswer)
{
  Script s;
  Answer bad;
  bad.replies.push_back(kernel_msg(NAT64_CMD_BIB_GET));
  s.answers.push_back(std::move(bad));
  auto r = run_main(s, {"bib", "display"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "nat64: malformed answer from the kernel: no BIB attribute (module and tool versions differ?)\n");
}

TEST(Run, StatsAndGlobals)
{
  Script s;
  Answer stats;
  auto m = kernel_msg(NAT64_CMD_STATS_GET);
  nlattr *n = nla_nest_start(m.get(), NAT64_A_STATS);
  for (unsigned id = 1; id < NAT64_STAT_COUNT; id++)
    nla_put_u64(m.get(), id, id == NAT64_STAT_SUCCESS ? 35 : 0);
  nla_nest_end(m.get(), n);
  stats.replies.push_back(std::move(m));
  s.answers.push_back(std::move(stats));
  auto r = run_main(s, {"stats", "display"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "SUCCESS: 35\n");

  Answer globals;
  m = kernel_msg(NAT64_CMD_GLOBAL_GET);
  n = nla_nest_start(m.get(), NAT64_A_GLOBALS);
  // Out of order on purpose: display follows the key order.
  nla_put_u32(m.get(), NAT64_G_UDP_TIMEOUT, 300);
  nla_put_u8(m.get(), NAT64_G_MANUALLY_ENABLED, 1);
  nla_nest_end(m.get(), n);
  globals.replies.push_back(std::move(m));
  s.answers.push_back(std::move(globals));
  r = run_main(s, {"global", "display"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "  manually-enabled: true\n  udp-timeout: 0:05:00 (HH:MM:SS)\n");

  r = run_main(s, {"global", "update", "udp-timeout", "10:00"});
  EXPECT_EQ(r.code, 0);
  auto p = s.request(2);
  EXPECT_EQ(p.cmd, NAT64_CMD_GLOBAL_SET);
  nlattr *tb[NAT64_G_MAX + 1];
  ASSERT_EQ(nla_parse_nested(tb, NAT64_G_MAX, p.tb[NAT64_A_GLOBALS], nullptr), 0);
  EXPECT_EQ(nla_get_u32(tb[NAT64_G_UDP_TIMEOUT]), 600U);
}

// --json through the whole program: streamed arrays, one object, errors.
TEST(Run, JsonDisplays)
{
  using json = nlohmann::json;
  Script s;
  Answer inst;
  inst.replies.push_back(instance_msg("default", NAT64_FW_NETFILTER, 7));
  inst.replies.push_back(instance_msg("alpha", NAT64_FW_IPTABLES, 7));
  s.answers.push_back(std::move(inst));
  auto r = run_main(s, {"instance", "display", "--json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "[\n  {\"name\":\"default\",\"framework\":\"netfilter\",\"pool6\":null,\"netns\":7},\n"
            "  {\"name\":\"alpha\",\"framework\":\"iptables\",\"pool6\":null,\"netns\":7}\n]\n");
  EXPECT_EQ(json::parse(r.out).size(), 2U);

  // An empty table is an empty array; so is one with --no-headers.
  s.answers.emplace_back();
  r = run_main(s, {"session", "display", "--udp", "--json", "--no-headers"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "[]\n");

  // A failed listing prints nothing on stdout.
  Answer fail;
  fail.error = Error::kernel(ESRCH, "");
  s.answers.push_back(std::move(fail));
  r = run_main(s, {"bib", "display", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");

  Answer stats;
  auto m = kernel_msg(NAT64_CMD_STATS_GET);
  nlattr *n = nla_nest_start(m.get(), NAT64_A_STATS);
  for (unsigned id = 1; id < NAT64_STAT_COUNT; id++)
    nla_put_u64(m.get(), id, id == NAT64_STAT_SUCCESS ? 35 : 0);
  nla_nest_end(m.get(), n);
  stats.replies.push_back(std::move(m));
  s.answers.push_back(std::move(stats));
  r = run_main(s, {"stats", "display", "--json"});
  EXPECT_EQ(r.code, 0);
  json j = json::parse(r.out);
  EXPECT_EQ(j.size(), static_cast<std::size_t>(NAT64_STAT_COUNT - 1));  // zeroes too
  EXPECT_EQ(j["SUCCESS"], 35);
  EXPECT_EQ(j["DROP_NOMEM"], 0);

  Answer dead;
  dead.error = Error::kernel(ESRCH, "");
  s.answers.push_back(std::move(dead));
  r = run_main(s, {"instance", "status", "--json", "x"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "{\"name\":\"x\",\"running\":false}\n");

  std::size_t before = s.requests.size();
  r = run_main(s, {"pool4", "display", "--json", "--csv"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "nat64: --json and --csv cannot be used together\n");
  EXPECT_EQ(s.requests.size(), before);
}

// On a host without the module (like the build machine), the real thing
// must say so plainly.
TEST(RealNetlink, MissingModuleMessage)
{
  auto t = open_netlink();
  if (t.ok())
    GTEST_SKIP() << "the nat64 module is loaded here";
  if (t.error().message.starts_with("cannot open"))
    GTEST_SKIP() << "no generic netlink here: " << t.error().message;
  EXPECT_EQ(t.error().message, "the nat64 kernel module is not loaded (modprobe nat64)");
  EXPECT_EQ(t.error().exit_code(), 1);
}

}  // namespace
}  // namespace nat64
