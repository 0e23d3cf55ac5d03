// libFuzzer target: the command line (usr/lib/cli.cc, CLI11). The input is
// an argument vector, one argument per line (without the program name);
// it goes through expand_abbreviations() and parse_command_line() only:
// nothing is run and no kernel is asked.
//
// `-f FILE` makes the parser read FILE (for its instance name). The target
// works in an empty temporary directory holding one valid configuration,
// nat64.conf, and skips inputs with arguments that could name any other
// file: a '/' followed by something other than a digit (prefix lengths
// such as /96 stay), or "..".
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cli.h"

using namespace nat64;

namespace {

[[noreturn]] void finding(const char *what)
{
  fprintf(stderr, "FINDING: %s\n", what);
  abort();
}

bool may_name_a_file(const std::string &a)
{
  if (a.find("..") != std::string::npos)
    return true;
  for (std::size_t i = 0; i < a.size(); i++)
    if (a[i] == '/' && (i + 1 == a.size() || a[i + 1] < '0' || a[i + 1] > '9'))
      return true;
  return false;
}

const char kConfig[] = R"({
  "instance": "fuzz", "framework": "netfilter",
  "global": { "pool6": "64:ff9b::/96" },
  "pool4": [ { "protocol": "TCP", "prefix": "192.0.2.1" } ]
})";

char scratch[] = "/tmp/nat64-fuzz-cli.XXXXXX";

void remove_scratch()
{
  unlink((std::string(scratch) + "/nat64.conf").c_str());
  rmdir(scratch);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
  if (!mkdtemp(scratch) || chdir(scratch))
    finding("cannot make the scratch directory");
  atexit(remove_scratch);
  std::ofstream("nat64.conf") << kConfig;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  std::vector<std::string> args;
  std::string cur;
  for (std::size_t i = 0; i < size; i++) {
    if (data[i] == '\n') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  if (!cur.empty())
    args.push_back(cur);
  for (const auto &a : args)
    if (may_name_a_file(a))
      return 0;

  auto expanded = expand_abbreviations(args);
  if (!expanded.ok() && expanded.error().message.empty())
    finding("expand_abbreviations: error without a message");
  auto inv = parse_command_line(args);
  if (inv.ok()) {
    if (!inv->command && inv->text.empty())
      finding("neither a command nor a text to print");
  } else if (inv.error().message.empty()) {
    finding("parse_command_line: error without a message");
  }
  return 0;
}
