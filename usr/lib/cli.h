// SPDX-License-Identifier: GPL-2.0-or-later
// The command line: `nat64 [-i NAME] MODE OPERATION [ARGS]`, as Jool's.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "command.h"
#include "result.h"

namespace nat64 {

inline constexpr const char *program_name = "nat64";

struct Invocation {
  // Absent for --help and --version: print `text` and exit 0.
  std::optional<Command> command;
  std::string text;
  // Harmless oddities (e.g. "-i" given to "instance display"), for stderr.
  std::vector<std::string> warnings;
};

// `args` excludes the program name. Usage errors come back as
// Error::Kind::usage, one line naming the offending token.
Result<Invocation> parse_command_line(std::span<const std::string> args);

// Jool lets every mode, operation and global key be abbreviated to any
// unambiguous prefix ("nat64 inst disp"). Expands them in place.
Result<std::vector<std::string>> expand_abbreviations(std::span<const std::string> args);

}  // namespace nat64
