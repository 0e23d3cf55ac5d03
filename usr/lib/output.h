// SPDX-License-Identifier: GPL-2.0-or-later
// How tables and values look on standard output (Jool's formats).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "command.h"
#include "globals.h"
#include "types.h"

namespace nat64 {

// instance display: header, one row per instance, footer.
std::string instance_header(const TableOpts &t);
std::string instance_row(const InstanceEntry &e, const TableOpts &t);
std::string instance_footer(const TableOpts &t);

// pool4 display groups entries by (mark, protocol), so it takes them all;
// like Jool, it shows one row per address.
std::string pool4_table(std::span<const Pool4Entry> entries, const TableOpts &t);
// Jool's automatic --max-iterations for a group of `taddrs` transport addresses.
std::uint32_t pool4_auto_iterations(std::uint64_t taddrs);

std::string bib_header(const TableOpts &t);
std::string bib_row(const BibEntry &e, const TableOpts &t);

std::string session_header(const TableOpts &t);
std::string session_row(const SessionEntry &e, const TableOpts &t);

// Counter names and explanations (NAT64_STATS_LIST).
std::string_view stat_name(unsigned id);
std::string_view stat_doc(unsigned id);
std::string stats_table(std::span<const StatValue> stats, bool all, bool explain, const TableOpts &t);

std::string globals_table(std::span<const GlobalValue> values, const TableOpts &t);

}  // namespace nat64
