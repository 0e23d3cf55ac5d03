// SPDX-License-Identifier: GPL-2.0-or-later
// Plain data exchanged with the kernel (decoded form of the uapi nests).
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "nat64.h"

namespace nat64 {

enum class Proto : std::uint8_t {
  tcp = IPPROTO_TCP,
  udp = IPPROTO_UDP,
  icmp = IPPROTO_ICMP,
};
inline constexpr std::array<Proto, 3> all_protos = {Proto::tcp, Proto::udp, Proto::icmp};

// "TCP", "UDP", "ICMP" (Jool's spelling).
std::string_view proto_name(Proto p);
std::optional<Proto> proto_from_u8(std::uint8_t v);

enum class Framework : std::uint8_t {
  netfilter = NAT64_FW_NETFILTER,
  iptables = NAT64_FW_IPTABLES,
};

struct Prefix6 {
  in6_addr addr{};
  std::uint8_t len = 0;

  friend bool operator==(const Prefix6 &a, const Prefix6 &b)
  {
    return a.len == b.len && std::memcmp(&a.addr, &b.addr, sizeof(a.addr)) == 0;
  }
};

struct Prefix4 {
  in_addr addr{};
  std::uint8_t len = 0;

  friend bool operator==(const Prefix4 &a, const Prefix4 &b)
  {
    return a.len == b.len && a.addr.s_addr == b.addr.s_addr;
  }
};

struct PortRange {
  std::uint16_t min = 0;
  std::uint16_t max = 0;
};

struct Taddr6 {
  in6_addr addr{};
  std::uint16_t port = 0;
};

struct Taddr4 {
  in_addr addr{};
  std::uint16_t port = 0;
};

// Jool's --max-iterations. Encoded as NAT64_POOL4_MAX_ITER: 0 = auto,
// 0xffffffff = infinity, anything else = that many.
inline constexpr std::uint32_t max_iter_auto = 0;
inline constexpr std::uint32_t max_iter_infinity = 0xffffffffU;

struct Pool4Entry {
  std::uint32_t mark = 0;
  Proto proto = Proto::tcp;
  Prefix4 prefix;
  PortRange ports;
  std::uint32_t max_iter = max_iter_auto;
};

struct BibEntry {
  Proto proto = Proto::tcp;
  Taddr6 addr6;
  Taddr4 addr4;
  bool is_static = false;
};

struct SessionEntry {
  Proto proto = Proto::tcp;
  Taddr6 src6;  // remote IPv6 node (X', x)
  Taddr6 dst6;  // its destination: pool6 + IPv4 remote (Y', y)
  Taddr4 src4;  // our pool4 address (T, t)
  Taddr4 dst4;  // remote IPv4 node (Z, z)
  std::uint8_t state = NAT64_TCP_ESTABLISHED;
  std::uint64_t expires_ms = 0;
};

struct InstanceEntry {
  std::string name;
  std::uint8_t framework = 0;  // enum nat64_framework; kept raw to print "unknown"
  std::optional<Prefix6> pool6;
  std::uint32_t netns = 0;
};

// One counter as STATS_GET reports it.
struct StatValue {
  unsigned id = 0;  // enum nat64_stat
  std::uint64_t value = 0;
};

}  // namespace nat64
