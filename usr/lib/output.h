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

// --json (beyond Jool). Tables are arrays of objects, streamed one element
// at a time (json_*_row gives one object, without a trailing newline);
// stats, global and instance status are one object. Keys are documented in
// nat64(8) and stay stable.
std::string json_instance_row(const InstanceEntry &e);
std::string json_pool4(std::span<const Pool4Entry> entries);
std::string json_bib_row(const BibEntry &e);
std::string json_session_row(const SessionEntry &e);
// Every counter, zero or not; with `explain`, {"value": N, "explanation": "..."}.
std::string json_stats(std::span<const StatValue> stats, bool explain);
// Keys and value types as in the file's "global" object (timeouts in seconds).
std::string json_globals(std::span<const GlobalValue> values);
std::string json_status(const std::string &iname, bool running);

}  // namespace nat64
