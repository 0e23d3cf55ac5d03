// libFuzzer target: the JSON configuration of `nat64 file handle`
// (usr/lib/config.cc): parse and validate arbitrary text, once as
// `nat64 file handle FILE` and once as `nat64 -i fuzz file handle FILE
// --force`. Nothing is sent anywhere. A configuration that validates
// must be complete and consistent (the apply step relies on that).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config.h"

using namespace nat64;

namespace {

[[noreturn]] void finding(const char *what)
{
  fprintf(stderr, "FINDING: %s\n", what);
  abort();
}

void check(const Result<FileConfig> &r)
{
  if (!r.ok()) {
    if (r.error().message.empty())
      finding("error without a message");
    return;
  }
  const FileConfig &c = *r;
  if (c.iname.empty())
    finding("valid configuration without an instance name");
  if (c.pool4.size() != c.pool4_paths.size() || c.bib.size() != c.bib_paths.size())
    finding("entries and their JSON paths differ in number");
  for (const auto &g : c.globals)
    if (!g.meta)
      finding("a global without its key");
  for (const auto &e : c.pool4)
    if (e.prefix.len > 32 || e.ports.min > e.ports.max)
      finding("pool4 entry out of range");
  if (c.pool6 && c.pool6->len > 128)
    finding("pool6 longer than 128 bits");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  std::string_view text(reinterpret_cast<const char *>(data), size);
  check(parse_config(text, std::nullopt, false));
  check(parse_config(text, std::string("fuzz"), true));
  return 0;
}
