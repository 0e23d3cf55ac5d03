// SPDX-License-Identifier: GPL-2.0-or-later
// `file handle` against a fake kernel with state: the changes it plans, the
// requests it sends, idempotence, and the rollback after a rejection at any
// point.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "config.h"
#include "fake_kernel.h"
#include "plan.h"
#include "run.h"

namespace nat64 {
namespace {

using test::a4;
using test::a6;
using test::FakeInstance;
using test::FakeKernel;

FileConfig config(const std::string &json, std::optional<std::string> iname = std::nullopt)
{
  auto r = parse_config(json, iname, false);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : FileConfig{};
}

Pool4Entry entry(Proto p, const char *prefix, std::uint16_t min, std::uint16_t max, std::uint32_t mark = 0)
{
  Pool4Entry e;
  e.proto = p;
  e.prefix = *parse_prefix4(prefix);
  e.ports = {min, max};
  e.mark = mark;
  return e;
}

BibEntry binding(Proto p, const char *t6, const char *t4, bool is_static = true)
{
  return BibEntry{p, *parse_taddr6(t6), *parse_taddr4(t4), is_static};
}

void set_global(FakeInstance &inst, const char *key, const char *value)
{
  auto v = parse_global(key, value);
  ASSERT_TRUE(v.ok());
  for (auto &g : inst.globals)
    if (g.meta == v->meta)
      g = *v;
}

std::vector<std::string> described(const Plan &p)
{
  std::vector<std::string> out;
  for (const auto &s : p.steps)
    out.push_back(describe(s.op));
  return out;
}

const std::string new_instance = R"({
  "framework": "iptables",
  "global": {"pool6": "64:ff9b::/96", "udp-timeout": "10:00"},
  "pool4": [{"protocol": "TCP", "prefix": "192.0.2.0/30", "port range": "1000-2000"}],
  "bib": [{"protocol": "TCP", "ipv6 address": "2001:db8::1#80", "ipv4 address": "192.0.2.1#1000"}]
})";

TEST(Plan, CreatesTheInstanceThenNothingMore)
{
  FakeKernel k;
  ASSERT_TRUE(apply_config(k, config(new_instance)).ok());
  EXPECT_EQ(k.changes,
            (std::vector<std::string>{"instance add", "pool4 add TCP 192.0.2.0/30 1000-2000 mark 0",
                                      "bib add TCP 2001:db8::1#80 192.0.2.1#1000",
                                      "global update udp-timeout 0:10:00"}));
  ASSERT_EQ(k.instances.count("default"), 1U);
  const FakeInstance &inst = k.instances["default"];
  EXPECT_EQ(inst.framework, NAT64_FW_IPTABLES);
  EXPECT_EQ(format_prefix(inst.pool6), "64:ff9b::/96");
  EXPECT_EQ(inst.rows.size(), 4U);
  EXPECT_EQ(inst.bib.size(), 1U);

  // Applied again: six reads (instance, globals, pool4, three BIB tables),
  // no change at all.
  k.changes.clear();
  k.requests = 0;
  ASSERT_TRUE(apply_config(k, config(new_instance)).ok());
  EXPECT_TRUE(k.changes.empty());
  EXPECT_EQ(k.attempts, 4);
  EXPECT_EQ(k.requests, 6);
}

// An instance with some of everything.
FakeInstance populated()
{
  FakeInstance inst;
  inst.pool6 = *parse_pool6("64:ff9b::/96");
  FakeKernel::add_rows(inst, entry(Proto::tcp, "192.0.2.0/28", 1000, 2000));
  FakeKernel::add_rows(inst, entry(Proto::udp, "192.0.2.1", 61001, 65535));
  FakeKernel::add_rows(inst, entry(Proto::icmp, "192.0.2.1", 0, 65535, 5));
  inst.bib.push_back(binding(Proto::tcp, "2001:db8::1#80", "192.0.2.1#1000"));
  inst.bib.push_back(binding(Proto::udp, "2001:db8::9#5000", "192.0.2.1#61001", false));
  set_global(inst, "tos", "5");
  return inst;
}

const std::string update = R"({
  "framework": "netfilter",
  "global": {"udp-timeout": "10:00"},
  "pool4": [
    {"protocol": "TCP", "prefix": "192.0.2.0/29", "port range": "1000-2000"},
    {"protocol": "UDP", "prefix": "192.0.2.1", "port range": "61001-62000"},
    {"protocol": "ICMP", "prefix": "192.0.2.2"}
  ],
  "bib": [{"protocol": "TCP", "ipv6 address": "2001:db8::2#80", "ipv4 address": "192.0.2.2#1001"}]
})";

const std::vector<std::string> update_steps = {
    "bib remove TCP 2001:db8::1#80 192.0.2.1#1000",   "pool4 remove ICMP 192.0.2.1/32 0-65535 mark 5",
    "pool4 remove TCP 192.0.2.8/29 1000-2000 mark 0", "pool4 remove UDP 192.0.2.1/32 61001-65535 mark 0",
    "pool4 add UDP 192.0.2.1/32 61001-62000 mark 0",  "pool4 add ICMP 192.0.2.2/32 61001-65535 mark 0",
    "bib add TCP 2001:db8::2#80 192.0.2.2#1001",      "global update tos 0, udp-timeout 0:10:00",
};

TEST(Plan, UpdateChangesOnlyWhatDiffers)
{
  FakeKernel k;
  k.instances["default"] = populated();
  auto now = read_current(k, "default");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->pool4.size(), 18U);
  EXPECT_EQ(now->bib.size(), 1U);  // static only
  auto plan = make_plan(config(update), *now);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(described(*plan), update_steps);
  EXPECT_EQ(plan->steps[4].where, "pool4[1]");
  EXPECT_EQ(plan->steps[0].where, "");
  ASSERT_TRUE(plan->steps[2].undo);
  EXPECT_EQ(describe(*plan->steps[2].undo), "pool4 add TCP 192.0.2.8/29 1000-2000 mark 0");
  ASSERT_TRUE(plan->steps[7].undo);
  EXPECT_EQ(describe(*plan->steps[7].undo), "global update tos 5, udp-timeout 0:05:00");

  ASSERT_TRUE(execute(k, *plan).ok());
  EXPECT_EQ(k.changes, update_steps);
  FakeInstance want;
  want.pool6 = *parse_pool6("64:ff9b::/96");
  FakeKernel::add_rows(want, entry(Proto::tcp, "192.0.2.0/29", 1000, 2000));
  FakeKernel::add_rows(want, entry(Proto::udp, "192.0.2.1", 61001, 62000));
  FakeKernel::add_rows(want, entry(Proto::icmp, "192.0.2.2", 61001, 65535));
  want.bib.push_back(binding(Proto::udp, "2001:db8::9#5000", "192.0.2.1#61001", false));  // dynamic: kept
  want.bib.push_back(binding(Proto::tcp, "2001:db8::2#80", "192.0.2.2#1001"));
  set_global(want, "udp-timeout", "10:00");
  EXPECT_TRUE(k.instances["default"] == want);

  k.changes.clear();
  ASSERT_TRUE(apply_config(k, config(update)).ok());
  EXPECT_TRUE(k.changes.empty());
}

TEST(Plan, RejectionAtAnyStepRestoresThePreviousConfiguration)
{
  for (int n = 0; n < static_cast<int>(update_steps.size()); n++) {
    FakeKernel k;
    k.instances["default"] = populated();
    k.fail_at = n;
    Status s = apply_config(k, config(update));
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().exit_code(), 1);
    EXPECT_TRUE(k.instances["default"] == populated()) << "after a rejection of step " << n;
    std::string where = n == 4   ? "pool4[1]"
                        : n == 5 ? "pool4[2]"
                        : n == 6 ? "bib[0]"
                        : n == 7 ? "global"
                                 : update_steps[n];
    std::string outcome = n == 0 ? "nothing was changed" : "the previous configuration was restored";
    EXPECT_EQ(s.error().message, fmt::format("{}: injected failure (File exists); {}", where, outcome));
  }
}

TEST(Plan, RejectionFromTheKernelItself)
{
  // The file binds an IPv4 address that a dynamic binding holds.
  FakeKernel k;
  k.instances["default"] = populated();
  std::string file = update;
  file.replace(
      file.find("]\n}"), 1,
      R"(, {"protocol": "UDP", "ipv6 address": "2001:db8::7#53", "ipv4 address": "192.0.2.1#61001"}])");
  Status s = apply_config(k, config(file));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.error().message,
      "bib[1]: IPv4 transport address already has a binding (File exists); the previous configuration was "
      "restored");
  EXPECT_TRUE(k.instances["default"] == populated());
}

TEST(Plan, RejectionOfANewInstanceRemovesIt)
{
  FakeKernel k;
  k.fail_at = 2;  // the binding
  Status s = apply_config(k, config(new_instance));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "bib[0]: injected failure (File exists); the previous configuration was restored");
  EXPECT_TRUE(k.instances.empty());
  EXPECT_EQ(k.changes,
            (std::vector<std::string>{"instance add", "pool4 add TCP 192.0.2.0/30 1000-2000 mark 0",
                                      "instance remove"}));
}

TEST(Plan, FailedRollbackIsReported)
{
  FakeKernel k;
  k.instances["default"] = populated();
  k.fail_at = 3;
  k.fail_all_after = true;
  Status s = apply_config(k, config(update));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.error().message,
      "pool4 remove UDP 192.0.2.1/32 61001-65535 mark 0: injected failure (File exists); undoing the changes "
      "failed too (pool4 add TCP 192.0.2.8/29 1000-2000 mark 0: injected failure (File exists)), so the "
      "configuration is partly applied");
}

TEST(Plan, WhatCannotChange)
{
  FakeKernel k;
  k.instances["default"] = populated();
  auto now = read_current(k, "default");
  ASSERT_TRUE(now.ok());
  auto p = make_plan(config(R"({"framework": "iptables"})"), *now);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "framework: instance 'default' exists with framework netfilter; remove it first to change that");
  p = make_plan(config(R"({"framework": "netfilter", "global": {"pool6": "2001:db8:64::/96"}})"), *now);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(
      p.error().message,
      "global.pool6: instance 'default' has pool6 64:ff9b::/96, which cannot change; remove the instance "
      "first");
  // The same pool6 is fine.
  EXPECT_TRUE(
      make_plan(config(R"({"framework": "netfilter", "global": {"pool6": "64:ff9b::/96"}})"), *now).ok());

  auto none = read_current(k, "other");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->instance);
  p = make_plan(config(R"({"framework": "netfilter"})", "other"), *none);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "global.pool6: missing; instance 'other' does not exist and pool6 is needed to create it");
  EXPECT_EQ(k.attempts, 0);
}

TEST(Plan, MergeRows)
{
  auto merged = [](std::vector<Pool4Entry> rows) {
    std::vector<std::string> out;
    for (const auto &e : merge_pool4_rows(std::move(rows)))
      out.push_back(fmt::format("{} {} {}", proto_name(e.proto), format_prefix(e.prefix), e.mark));
    return out;
  };
  std::vector<Pool4Entry> rows;
  for (const char *a : {"192.0.2.3", "192.0.2.0", "192.0.2.1", "192.0.2.2", "192.0.2.5", "192.0.2.6"})
    rows.push_back(entry(Proto::tcp, a, 1, 65535));
  EXPECT_EQ(merged(rows),
            (std::vector<std::string>{"TCP 192.0.2.0/30 0", "TCP 192.0.2.5/32 0", "TCP 192.0.2.6/32 0"}));
  // Misaligned runs split; other attributes never merge.
  rows.clear();
  for (const char *a : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"})
    rows.push_back(entry(Proto::tcp, a, 1, 65535));
  rows.push_back(entry(Proto::tcp, "192.0.2.5", 1, 65535, 7));
  rows.push_back(entry(Proto::udp, "192.0.2.6", 1, 65535));
  rows.push_back(entry(Proto::udp, "192.0.2.7", 1, 100));
  EXPECT_EQ(merged(rows),
            (std::vector<std::string>{"TCP 192.0.2.1/32 0", "TCP 192.0.2.2/31 0", "TCP 192.0.2.4/32 0",
                                      "TCP 192.0.2.5/32 7", "UDP 192.0.2.7/32 0", "UDP 192.0.2.6/32 0"}));
  // Entries wider than /32 count as their rows; /16 is the widest result.
  rows = {entry(Proto::icmp, "10.0.0.0/16", 0, 65535), entry(Proto::icmp, "10.1.0.0/16", 0, 65535),
          entry(Proto::icmp, "10.2.0.0/24", 0, 65535), entry(Proto::icmp, "10.2.1.0/24", 0, 65535)};
  EXPECT_EQ(merged(rows),
            (std::vector<std::string>{"ICMP 10.0.0.0/16 0", "ICMP 10.1.0.0/16 0", "ICMP 10.2.0.0/23 0"}));
}

// ---- through the whole program -----------------------------------------

struct TempFile {
  std::string path;
  explicit TempFile(const std::string &text)
  {
    char p[] = "/tmp/nat64-plan-test.XXXXXX";
    int fd = mkstemp(p);
    EXPECT_GE(fd, 0);
    close(fd);
    path = p;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

struct Outcome {
  int code;
  std::string out, err;
  int opened;
};

Outcome run_main(FakeKernel &k, std::vector<std::string> args)
{
  std::ostringstream out, err;
  int opened = 0;
  TransportOpener open = [&]() -> Result<std::unique_ptr<Transport>> {
    opened++;
    struct Borrowed final : Transport {
      FakeKernel &k;
      explicit Borrowed(FakeKernel &k) : k(k) {}
      int family() const override { return k.family(); }
      Status exchange(nl_msg *req, const ReplyHandler &h) override { return k.exchange(req, h); }
    };
    return std::unique_ptr<Transport>(std::make_unique<Borrowed>(k));
  };
  int code = nat64_main(args, open, out, err);
  return {code, out.str(), err.str(), opened};
}

TEST(FileHandle, WholeProgram)
{
  FakeKernel k;
  TempFile good(new_instance);
  auto r = run_main(k, {"-i", "alpha", "file", "handle", good.path});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(k.instances.count("alpha"), 1U);
  r = run_main(k, {"-i", "alpha", "file", "handle", good.path});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(k.changes.size(), 4U);

  // A bad file: reported before the kernel is even asked.
  TempFile bad(R"({"framework": "iptables", "global": {"udp-timeout": "1:00"}})");
  r = run_main(k, {"-i", "alpha", "file", "handle", bad.path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            fmt::format("nat64: {}: global.udp-timeout: '1:00' is too small (minimum: 0:02:00)\n", bad.path));
  EXPECT_EQ(r.opened, 0);

  // Too many addresses without --force; abbreviations work as for Jool.
  TempFile big(R"({"framework": "netfilter", "global": {"pool6": "64:ff9b::/96"},
                   "pool4": [{"protocol": "UDP", "prefix": "198.51.100.0/22"}]})");
  r = run_main(k, {"file", "handle", big.path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("use --force to add it anyway"), std::string::npos);
  r = run_main(k, {"fi", "han", big.path, "--force"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(k.instances["default"].rows.size(), 1024U);

  // Usage errors.
  r = run_main(k, {"file", "handle"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "nat64: file handle: missing the JSON file (e.g. /etc/nat64/nat64.conf)\n");
  r = run_main(k, {"file"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "nat64: file: missing the operation (one of: handle)\n");
  r = run_main(k, {"file", "handle", "a.json", "b.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "nat64: unexpected argument 'b.json'\n");
}

}  // namespace
}  // namespace nat64
