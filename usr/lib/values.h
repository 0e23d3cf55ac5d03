// SPDX-License-Identifier: GPL-2.0-or-later
// Parsing of command-line values and their printing. Every parse error names
// the offending token, so that it can be shown as is ("nat64: <message>").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "types.h"

namespace nat64 {

// Instance names: 1..NAT64_INAME_MAX-1 characters of [A-Za-z0-9_.-].
Result<std::string> parse_iname(std::string_view s);

Result<Prefix6> parse_prefix6(std::string_view s);  // ADDR[/LEN], LEN default 128
Result<Prefix4> parse_prefix4(std::string_view s);  // ADDR[/LEN], LEN default 32
// pool6: RFC 6052 lengths only (32, 40, 48, 56, 64, 96), no bits past LEN.
Result<Prefix6> parse_pool6(std::string_view s);
// A pool4 prefix: no bits past LEN, at most 65536 addresses (LEN >= 16).
Result<Prefix4> parse_pool4_prefix(std::string_view s);

Result<PortRange> parse_port_range(std::string_view s);  // PORT or MIN-MAX
Result<Taddr6> parse_taddr6(std::string_view s);         // ADDR#PORT
Result<Taddr4> parse_taddr4(std::string_view s);         // ADDR#PORT

// Decimal unsigned integers within [min, max]. `what` names the value.
Result<std::uint64_t> parse_uint(std::string_view s, std::uint64_t min, std::uint64_t max,
                                 std::string_view what);
Result<bool> parse_bool(std::string_view s);  // true/false/1/0/yes/no/on/off
// [[HH:]MM:]SS[.mmm] or plain seconds; returns seconds. A non-zero
// millisecond part is rejected: timeouts have a resolution of one second.
Result<std::uint32_t> parse_timeout(std::string_view s);
// Comma-separated u16 list; sorted descending, zeroes and duplicates dropped.
Result<std::vector<std::uint16_t>> parse_plateaus(std::string_view s);
// auto | infinity | N (N >= 1); encoded as NAT64_POOL4_MAX_ITER.
Result<std::uint32_t> parse_max_iterations(std::string_view s);
// f-args: 0..15, decimal or 0bXXXX.
Result<std::uint8_t> parse_fargs(std::string_view s);

std::string format_addr(const in6_addr &a);
std::string format_addr(const in_addr &a);
std::string format_prefix(const Prefix6 &p);  // always ADDR/LEN
std::string format_prefix(const Prefix4 &p);
std::string format_timeout_ms(std::uint64_t ms);                // H:MM:SS[.mmm], like Jool
std::string format_plateaus(std::span<const std::uint16_t> p);  // "65535,32000,..."

std::string_view tcp_state_name(std::uint8_t state);

}  // namespace nat64
