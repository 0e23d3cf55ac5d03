// SPDX-License-Identifier: GPL-2.0-or-later
// The iptables extension, loaded by the real iptables-translate (which needs
// no kernel support): option parsing, checks and the saved form of the rule.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct Ran {
  int status;
  std::string output;
};

Ran translate(const std::string &tool, const std::string &rule)
{
  std::string cmd = "XTABLES_LIBDIR='" NAT64_XT_BUILD_DIR ":" NAT64_XT_SYSTEM_DIR "' " + tool +
                    " -t mangle -A PREROUTING " + rule + " 2>&1";
  Ran r{-1, ""};
  FILE *p = popen(cmd.c_str(), "r");
  if (!p)
    return r;
  std::array<char, 512> buf;
  while (fgets(buf.data(), buf.size(), p))
    r.output += buf.data();
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

bool have(const std::string &tool)
{
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

class Xt : public ::testing::Test {
 protected:
  void SetUp() override
  {
    if (!have("iptables-translate") || !have("ip6tables-translate"))
      GTEST_SKIP() << "iptables-translate is not installed";
  }
};

TEST_F(Xt, SavedForm)
{
  auto r = translate("iptables-translate", "-d 192.0.2.1 -j JOOL --instance alpha");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("-j JOOL --instance alpha"), std::string::npos) << r.output;
  r = translate("ip6tables-translate", "-d 64:ff9b::/96 -j JOOL --instance default");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("-j JOOL --instance default"), std::string::npos) << r.output;
  r = translate("ip6tables-translate", "-j NAT64 --instance a.b-c_9");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("-j NAT64 --instance a.b-c_9"), std::string::npos) << r.output;
  r = translate("iptables-translate", "-j JOOL --instance 012345678901234");
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(Xt, InstanceIsRequired)
{
  auto r = translate("iptables-translate", "-j JOOL");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("JOOL: --instance NAME is required (e.g. -j JOOL --instance default)"),
            std::string::npos)
      << r.output;
  r = translate("ip6tables-translate", "-j NAT64");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("NAT64: --instance NAME is required"), std::string::npos) << r.output;
}

TEST_F(Xt, BadNames)
{
  auto r = translate("iptables-translate", "-j JOOL --instance 'a b'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("JOOL: invalid instance name \"a b\""), std::string::npos) << r.output;
  r = translate("iptables-translate", "-j JOOL --instance 0123456789abcdef");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("maximum length of 15"), std::string::npos) << r.output;
  r = translate("iptables-translate", "-j JOOL --instance ''");
  EXPECT_EQ(r.status, 2) << r.output;
}

}  // namespace
