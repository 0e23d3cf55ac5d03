// SPDX-License-Identifier: GPL-2.0-or-later
#include "globals.h"

#include <fmt/format.h>

#include <array>
#include <cassert>

#include "values.h"

namespace nat64 {

namespace {

constexpr std::uint64_t u32max = 0xffffffffULL;

constexpr std::array metas = {
    GlobalMeta{NAT64_G_MANUALLY_ENABLED, "manually-enabled", GlobalType::boolean, 0, 1, true,
               "Resumes or pauses the instance's translation.", "true"},
    GlobalMeta{NAT64_G_POOL6, "pool6", GlobalType::prefix6, 0, 0, false,
               "The IPv6 Address Pool prefix (fixed when the instance is created)."},
    GlobalMeta{NAT64_G_LOWEST_IPV6_MTU, "lowest-ipv6-mtu", GlobalType::u32, NAT64_MIN_LOWEST_IPV6_MTU, u32max,
               true, "Smallest reachable IPv6 MTU.", "1280"},
    GlobalMeta{NAT64_G_LOGGING_DEBUG, "logging-debug", GlobalType::boolean, 0, 1, true,
               "Pour lots of debugging messages on the log?", "false"},
    GlobalMeta{NAT64_G_ZEROIZE_TRAFFIC_CLASS, "zeroize-traffic-class", GlobalType::boolean, 0, 1, true,
               "Always set the IPv6 header's 'Traffic Class' field as zero? Otherwise copy from IPv4 "
               "header's 'TOS'.",
               "false"},
    GlobalMeta{NAT64_G_OVERRIDE_TOS, "override-tos", GlobalType::boolean, 0, 1, true,
               "Override the IPv4 header's 'TOS' field as tos? Otherwise copy from IPv6 header's "
               "'Traffic Class'.",
               "false"},
    GlobalMeta{NAT64_G_TOS, "tos", GlobalType::u8, 0, 255, true,
               "Value to override TOS as (only when override-tos is ON).", "0"},
    GlobalMeta{NAT64_G_MTU_PLATEAUS, "mtu-plateaus", GlobalType::plateaus, 0, 0, true,
               "The list of plateaus for ICMPv4 Fragmentation Neededs with MTU unset.",
               "65535,32000,17914,8166,4352,2002,1492,1006,508,296,68"},
    GlobalMeta{NAT64_G_ADDRESS_DEPENDENT_FILTERING, "address-dependent-filtering", GlobalType::boolean, 0, 1,
               true,
               "Use Address-Dependent Filtering? ON is (address)-restricted-cone NAT, OFF is full-cone "
               "NAT.",
               "false"},
    GlobalMeta{NAT64_G_DROP_EXTERNALLY_INITIATED_TCP, "drop-externally-initiated-tcp", GlobalType::boolean, 0,
               1, true, "Drop externally initiated TCP connections?", "false"},
    GlobalMeta{NAT64_G_DROP_ICMPV6_INFO, "drop-icmpv6-info", GlobalType::boolean, 0, 1, true,
               "Filter ICMPv6 Informational packets?", "false"},
    GlobalMeta{NAT64_G_SOURCE_ICMPV6_ERRORS_BETTER, "source-icmpv6-errors-better", GlobalType::boolean, 0, 1,
               true, "Translate source addresses directly on 4-to-6 ICMP errors?", "true"},
    GlobalMeta{NAT64_G_F_ARGS, "f-args", GlobalType::fargs, 0, 15, true,
               "The arguments of F() (RFC 6056, algorithm 3), one bit each, leftmost first: source "
               "address, source port, destination address, destination port.",
               "0b1011"},
    GlobalMeta{NAT64_G_HANDLE_RST_DURING_FIN_RCV, "handle-rst-during-fin-rcv", GlobalType::boolean, 0, 1,
               true, "Use transitory timer when RST is received during the V6 FIN RCV or V4 FIN RCV states?",
               "false"},
    GlobalMeta{NAT64_G_TCP_EST_TIMEOUT, "tcp-est-timeout", GlobalType::timeout, NAT64_MIN_TCP_EST_TIMEOUT,
               NAT64_MAX_TIMEOUT, true, "The TCP established session lifetime (HH:MM:SS).", "2:00:00"},
    GlobalMeta{NAT64_G_TCP_TRANS_TIMEOUT, "tcp-trans-timeout", GlobalType::timeout,
               NAT64_MIN_TCP_TRANS_TIMEOUT, NAT64_MAX_TIMEOUT, true, "The TCP transitory session lifetime (HH:MM:SS).",
               "4:00"},
    GlobalMeta{NAT64_G_UDP_TIMEOUT, "udp-timeout", GlobalType::timeout, NAT64_MIN_UDP_TIMEOUT, NAT64_MAX_TIMEOUT, true,
               "The UDP session lifetime (HH:MM:SS).", "5:00"},
    GlobalMeta{NAT64_G_ICMP_TIMEOUT, "icmp-timeout", GlobalType::timeout, NAT64_MIN_ICMP_TIMEOUT, NAT64_MAX_TIMEOUT,
               true, "The ICMP session lifetime (HH:MM:SS).", "1:00"},
    GlobalMeta{NAT64_G_MAXIMUM_SIMULTANEOUS_OPENS, "maximum-simultaneous-opens", GlobalType::u32, 0, u32max,
               true, "The maximum allowable 'simultaneous' Simultaneous Opens of TCP connections.", "10"},
    GlobalMeta{NAT64_G_LOGGING_BIB, "logging-bib", GlobalType::boolean, 0, 1, true,
               "Log BIBs as they are created and destroyed?", "false"},
    GlobalMeta{NAT64_G_LOGGING_SESSION, "logging-session", GlobalType::boolean, 0, 1, true,
               "Log sessions as they are created and destroyed?", "false"},
    GlobalMeta{NAT64_G_MAXIMUM_SESSIONS, "maximum-sessions", GlobalType::u32, 0, u32max, true,
               "Maximum number of sessions of the instance (0 = unlimited).", "0"},
};

static_assert(metas.size() == NAT64_G_MAX, "one GlobalMeta per enum nat64_global_attr key");

constexpr std::array<std::string_view, 6> ss_keys = {
    "ss-enabled",  "ss-flush-asap",  "ss-flush-deadline",
    "ss-capacity", "ss-max-payload", "ss-max-sessions-per-packet",
};

std::string format_seconds(std::uint32_t s)
{
  return format_timeout_ms(std::uint64_t{s} * 1000);
}

}  // namespace

std::span<const GlobalMeta> global_metas()
{
  return metas;
}

const GlobalMeta *global_meta(std::string_view name)
{
  for (const auto &m : metas)
    if (m.name == name)
      return &m;
  return nullptr;
}

const GlobalMeta *global_meta(int id)
{
  for (const auto &m : metas)
    if (m.id == id)
      return &m;
  return nullptr;
}

bool is_session_sync_key(std::string_view name)
{
  for (auto k : ss_keys)
    if (k == name)
      return true;
  return name.starts_with("ss-");
}

Result<GlobalValue> parse_global(std::string_view key, std::string_view value)
{
  if (is_session_sync_key(key))
    return Error::usage(fmt::format("'{}': session synchronization is not supported yet", key));
  const GlobalMeta *m = global_meta(key);
  if (!m)
    return Error::usage(fmt::format("unknown global key '{}'", key));
  if (!m->writable)
    return Error::usage(
        fmt::format("'{}' cannot be changed after the instance is created (remove and re-add it)", key));

  auto bounds = [&](std::uint64_t v, std::string shown) -> Status {
    if (v < m->min || v > m->max) {
      if (m->max == u32max)
        return Error::usage(fmt::format("{}: '{}' is too small (minimum: {})", key, value, shown));
      return Error::usage(fmt::format("{}: '{}' is out of range ({})", key, value, shown));
    }
    return {};
  };

  switch (m->type) {
    case GlobalType::boolean: {
      auto b = parse_bool(value);
      if (!b)
        return Error::usage(fmt::format("{}: {}", key, b.error().message));
      return GlobalValue{m, *b};
    }
    case GlobalType::u8: {
      auto v = parse_uint(value, m->min, m->max, key);
      if (!v)
        return std::move(v).error();
      return GlobalValue{m, static_cast<std::uint8_t>(*v)};
    }
    case GlobalType::u32: {
      auto v = parse_uint(value, 0, u32max, key);
      if (!v)
        return std::move(v).error();
      if (auto s =
              bounds(*v, m->max == u32max ? std::to_string(m->min) : fmt::format("{}-{}", m->min, m->max));
          !s)
        return std::move(s).error();
      return GlobalValue{m, static_cast<std::uint32_t>(*v)};
    }
    case GlobalType::timeout: {
      auto v = parse_timeout(value);
      if (!v)
        return Error::usage(fmt::format("{}: {}", key, v.error().message));
      if (*v < m->min)
        return Error::usage(fmt::format("{}: '{}' is too small (minimum: {})", key, value,
                                        format_seconds(static_cast<std::uint32_t>(m->min))));
      if (*v > m->max)
        return Error::usage(fmt::format("{}: '{}' is too large (maximum: {})", key, value,
                                        format_seconds(static_cast<std::uint32_t>(m->max))));
      return GlobalValue{m, *v};
    }
    case GlobalType::plateaus: {
      auto v = parse_plateaus(value);
      if (!v)
        return std::move(v).error();
      return GlobalValue{m, std::move(*v)};
    }
    case GlobalType::fargs: {
      auto v = parse_fargs(value);
      if (!v)
        return std::move(v).error();
      return GlobalValue{m, *v};
    }
    case GlobalType::prefix6:
      break;
  }
  return Error::usage(fmt::format("'{}' cannot be updated", key));
}

std::string format_global(const GlobalValue &v, bool csv)
{
  switch (v.meta->type) {
    case GlobalType::boolean: {
      bool b = std::get<bool>(v.data);
      return csv ? (b ? "TRUE" : "FALSE") : (b ? "true" : "false");
    }
    case GlobalType::u8:
      return std::to_string(std::get<std::uint8_t>(v.data));
    case GlobalType::u32:
      return std::to_string(std::get<std::uint32_t>(v.data));
    case GlobalType::timeout: {
      auto s = format_seconds(std::get<std::uint32_t>(v.data));
      return csv ? s : s + " (HH:MM:SS)";
    }
    case GlobalType::plateaus: {
      auto s = format_plateaus(std::get<std::vector<std::uint16_t>>(v.data));
      return csv ? "\"" + s + "\"" : s;
    }
    case GlobalType::prefix6:
      return format_prefix(std::get<Prefix6>(v.data));
    case GlobalType::fargs: {
      unsigned f = std::get<std::uint8_t>(v.data);
      if (csv)
        return std::to_string(f);
      return fmt::format("{} (0b{:04b}): SrcAddr:{} SrcPort:{} DstAddr:{} DstPort:{}", f, f, (f >> 3) & 1,
                         (f >> 2) & 1, (f >> 1) & 1, f & 1);
    }
  }
  return "?";
}

std::vector<GlobalValue> default_globals()
{
  std::vector<GlobalValue> out;
  for (const auto &m : metas) {
    if (!m.writable)
      continue;
    auto v = parse_global(m.name, m.def);
    assert(v.ok());  // globals_test checks every default
    if (v)
      out.push_back(std::move(*v));
  }
  return out;
}

bool same_value(const GlobalValue &a, const GlobalValue &b)
{
  return a.meta == b.meta && a.data == b.data;
}

}  // namespace nat64
