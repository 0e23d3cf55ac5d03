// SPDX-License-Identifier: GPL-2.0-or-later
// `file handle`: the configuration file (Jool's JSON format), read and
// validated completely before anything is sent to the kernel.
//
//   {
//     "instance": "default",             optional if -i is given (else "default")
//     "framework": "netfilter",          or "iptables"; required
//     "global": { "pool6": "64:ff9b::/96", "udp-timeout": "5:00", ... },
//     "pool4": [ { "mark": 0, "protocol": "TCP", "prefix": "192.0.2.1/32",
//                  "port range": "61001-65535", "max-iterations": "auto" } ],
//     "bib": [ { "protocol": "TCP", "ipv6 address": "2001:db8::1#80",
//                "ipv4 address": "192.0.2.1#80" } ]
//   }
//
// As in Jool: key names are case-insensitive, "comment" is allowed (and
// ignored) in every object, unknown keys are errors, and every global left
// out takes its default value. Errors name the JSON path of the bad value:
// "global.udp-timeout: '60' is too small (minimum: 0:02:00)".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "globals.h"
#include "result.h"
#include "types.h"

namespace nat64 {

struct FileConfig {
  std::string iname;
  Framework framework = Framework::netfilter;
  std::optional<Prefix6> pool6;          // global.pool6; required to create the instance
  std::vector<GlobalValue> globals;      // every writable key: the file's value or the default
  std::vector<Pool4Entry> pool4;         // normalized as the kernel stores them
  std::vector<std::string> pool4_paths;  // "pool4[3]", for messages
  std::vector<BibEntry> bib;             // static entries
  std::vector<std::string> bib_paths;
};

// A pool4 entry of the file without "port range" (Jool's default).
inline constexpr PortRange file_default_ports = {NAT64_DEFAULT_PORT_MIN, NAT64_DEFAULT_PORT_MAX};

// `cli_iname`: the -i argument, if any. `force`: accept pool4 prefixes
// shorter than /24. Errors are Error::Kind::system (exit status 1).
Result<FileConfig> parse_config(std::string_view text, const std::optional<std::string> &cli_iname,
                                bool force);
// Configuration files larger than this are refused before parsing (the
// largest real ones, with static BIB entries, are a few MiB).
inline constexpr size_t kMaxConfigFileBytes = size_t{64} << 20;
// Reads `path` and parses it; messages start with "PATH: ".
Result<FileConfig> load_config_file(const std::string &path, const std::optional<std::string> &cli_iname,
                                    bool force);

// `nat64 -f FILE ...` (as Jool): the instance name is the file's "instance".
Result<std::string> instance_name_of_file(const std::string &path);

}  // namespace nat64
