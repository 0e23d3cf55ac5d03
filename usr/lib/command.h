// SPDX-License-Identifier: GPL-2.0-or-later
// What the user asked for, fully parsed and validated (no netlink here).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "globals.h"
#include "types.h"

namespace nat64 {

struct TableOpts {
  bool csv = false;
  bool no_headers = false;
  bool json = false;  // beyond Jool: machine-readable output (docs/JOOL-COMPAT.md)
};

struct InstanceDisplay {
  TableOpts table;
};
struct InstanceAdd {
  std::string iname;
  Framework framework = Framework::netfilter;
  Prefix6 pool6;
};
struct InstanceRemove {
  std::string iname;
};
struct InstanceFlush {};
struct InstanceStatus {
  std::string iname;
  bool json = false;
};

struct Pool4Display {
  std::string iname;
  std::optional<Proto> proto;  // none: every protocol
  TableOpts table;
};
// One entry per protocol (no protocol flag: TCP, UDP and ICMP).
struct Pool4Add {
  std::string iname;
  std::vector<Pool4Entry> entries;
};
struct Pool4Remove {
  std::string iname;
  std::vector<Pool4Entry> entries;
  bool quick = false;
};
struct Pool4Flush {
  std::string iname;
  bool quick = false;
};

struct BibDisplay {
  std::string iname;
  Proto proto = Proto::tcp;
  bool numeric = false;
  TableOpts table;
};
struct BibAdd {
  std::string iname;
  Proto proto = Proto::tcp;
  Taddr6 addr6;
  Taddr4 addr4;
};
struct BibRemove {
  std::string iname;
  Proto proto = Proto::tcp;
  std::optional<Taddr6> addr6;  // Jool: either one is enough
  std::optional<Taddr4> addr4;
};

struct SessionDisplay {
  std::string iname;
  Proto proto = Proto::tcp;
  bool numeric = false;
  TableOpts table;
};

struct StatsDisplay {
  std::string iname;
  bool all = false;
  bool explain = false;
  TableOpts table;
};

struct GlobalDisplay {
  std::string iname;
  TableOpts table;
};
struct GlobalUpdate {
  std::string iname;
  GlobalValue value;
};

// `file handle FILE`: the whole configuration of an instance from a JSON
// file (config.h), applied all or nothing (plan.h).
struct FileHandle {
  std::string path;
  std::optional<std::string> iname;  // -i, if given
  bool force = false;
};

using Command = std::variant<InstanceDisplay, InstanceAdd, InstanceRemove, InstanceFlush, InstanceStatus,
                             Pool4Display, Pool4Add, Pool4Remove, Pool4Flush, BibDisplay, BibAdd, BibRemove,
                             SessionDisplay, StatsDisplay, GlobalDisplay, GlobalUpdate, FileHandle>;

}  // namespace nat64
