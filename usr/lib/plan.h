// SPDX-License-Identifier: GPL-2.0-or-later
// `file handle`, all or nothing: read what the kernel has, compute the
// smallest list of changes that turns it into the file's configuration,
// apply them one by one, and on the first rejection undo the ones already
// done, in reverse order.
//
// Why in userspace: GLOBAL_SET is already atomic in the kernel, but pool4
// and the static BIB change one entry per request. Every change here has
// an exact inverse (pool4 entries are removed "quick", so that re-adding
// one restores its bindings; a removed static binding is re-added), and the
// file is validated completely before the first request, so a rollback
// only happens when the kernel disagrees (an address already bound by a
// dynamic binding, a concurrent change, out of memory).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config.h"
#include "result.h"
#include "transport.h"
#include "types.h"

namespace nat64 {

// The configuration of an instance as the kernel reports it.
struct CurrentState {
  std::optional<InstanceEntry> instance;  // absent: no such instance
  std::vector<GlobalValue> globals;
  std::vector<Pool4Entry> pool4;  // one row per address (prefix /32), as dumped
  std::vector<BibEntry> bib;      // static entries only
};

Result<CurrentState> read_current(Transport &t, const std::string &iname);

namespace op {
struct AddInstance {
  Framework framework;
  Prefix6 pool6;
};
struct RemoveInstance {};
struct AddPool4 {
  Pool4Entry entry;
};
struct RemovePool4 {  // always --quick: the bindings survive a re-add
  Pool4Entry entry;
};
struct AddBib {
  BibEntry entry;
};
struct RemoveBib {
  BibEntry entry;
};
struct SetGlobals {
  std::vector<GlobalValue> values;
};
}  // namespace op

using Op = std::variant<op::AddInstance, op::RemoveInstance, op::AddPool4, op::RemovePool4, op::AddBib,
                        op::RemoveBib, op::SetGlobals>;

struct Step {
  Op op;
  std::optional<Op> undo;  // none: undone by an earlier step's undo (instance removal)
  std::string where;       // JSON path it comes from, or "" for removals of old state
};

struct Plan {
  std::string iname;
  std::vector<Step> steps;  // empty: the kernel already has the file's configuration
};

// Fails when the file cannot be applied to this instance at all (another
// framework or pool6; pool6 missing for a new instance).
Result<Plan> make_plan(const FileConfig &file, const CurrentState &now);

// "pool4 add TCP 192.0.2.0/28 61001-65535 mark 0 (auto)", for messages and tests.
std::string describe(const Op &op);

// Applies the plan; on failure undoes what was done and returns the first
// error ("pool4[2]: <kernel message>"), saying whether the rollback worked.
Status execute(Transport &t, const Plan &plan);

// Read, plan, execute.
Status apply_config(Transport &t, const FileConfig &file);

// Adjacent addresses with identical attributes, merged into the fewest
// aligned CIDR blocks (pool4 rows as dumped -> entries to add or remove).
std::vector<Pool4Entry> merge_pool4_rows(std::vector<Pool4Entry> rows);

}  // namespace nat64
