// SPDX-License-Identifier: GPL-2.0-or-later
// The "global" keys: Jool's names, their uapi attribute, type and bounds.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "result.h"
#include "types.h"

namespace nat64 {

enum class GlobalType {
  boolean,   // u8 0/1
  u8,        // u8
  u32,       // u32
  timeout,   // u32 seconds
  plateaus,  // binary array of u16
  prefix6,   // nest (pool6)
  fargs,     // u8 0..15, printed with its bits
};

struct GlobalMeta {
  nat64_global_attr id;
  std::string_view name;  // Jool's key
  GlobalType type;
  std::uint64_t min;  // inclusive bounds for u8/u32/timeout
  std::uint64_t max;
  bool writable;  // false: display only (pool6)
  std::string_view doc;
  // The kernel's default, in `global update` syntax ("" for pool6).
  std::string_view def = "";
};

// Every key, in display order (the order of enum nat64_global_attr).
std::span<const GlobalMeta> global_metas();
const GlobalMeta *global_meta(std::string_view name);
// `id`: an attribute type as received, any number (a newer module's keys
// are not found). Not an enum: converting a number beyond its values to
// one is undefined behaviour.
const GlobalMeta *global_meta(int id);
// Jool's session synchronization keys, which we reject for now.
bool is_session_sync_key(std::string_view name);

using GlobalData = std::variant<bool, std::uint8_t, std::uint32_t, std::vector<std::uint16_t>, Prefix6>;

struct GlobalValue {
  const GlobalMeta *meta = nullptr;
  GlobalData data;
};

// `global update KEY VALUE`: looks KEY up, parses VALUE and checks bounds.
Result<GlobalValue> parse_global(std::string_view key, std::string_view value);
// Value as `global display` prints it (Jool's format; csv changes a few).
std::string format_global(const GlobalValue &v, bool csv);
// Every writable key at its default value, in display order.
std::vector<GlobalValue> default_globals();
bool same_value(const GlobalValue &a, const GlobalValue &b);

}  // namespace nat64
