// SPDX-License-Identifier: GPL-2.0-or-later
#include "values.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace nat64 {

std::string_view proto_name(Proto p)
{
  switch (p) {
    case Proto::tcp:
      return "TCP";
    case Proto::udp:
      return "UDP";
    case Proto::icmp:
      return "ICMP";
  }
  return "unknown";
}

std::optional<Proto> proto_from_u8(std::uint8_t v)
{
  switch (v) {
    case IPPROTO_TCP:
      return Proto::tcp;
    case IPPROTO_UDP:
      return Proto::udp;
    case IPPROTO_ICMP:
      return Proto::icmp;
    default:
      return std::nullopt;
  }
}

namespace {

bool all_digits(std::string_view s)
{
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal digits only, no sign, no spaces; false on overflow of u64.
bool to_u64(std::string_view s, std::uint64_t &out)
{
  if (!all_digits(s))
    return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// True if the bits of `bytes` after the first `len` bits are all zero.
bool host_bits_zero(const unsigned char *bytes, unsigned total_bits, unsigned len)
{
  for (unsigned bit = len; bit < total_bits; bit++)
    if (bytes[bit / 8] & (0x80U >> (bit % 8)))
      return false;
  return true;
}

}  // namespace

Result<std::string> parse_iname(std::string_view s)
{
  if (s.empty())
    return Error::usage("the instance name cannot be empty");
  if (s.size() > NAT64_INAME_MAX - 1)
    return Error::usage(
        fmt::format("instance name '{}' is too long (at most {} characters)", s, NAT64_INAME_MAX - 1));
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok)
      return Error::usage(
          fmt::format("instance name '{}' has an invalid character (allowed: A-Z a-z 0-9 _ . -)", s));
  }
  return std::string(s);
}

Result<Prefix6> parse_prefix6(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(
        fmt::format("cannot parse '{}' as an IPv6 prefix (expected ADDRESS[/LENGTH], e.g. 64:ff9b::/96)", s));
  };
  Prefix6 p;
  auto slash = s.find('/');
  std::string addr(s.substr(0, slash));
  if (inet_pton(AF_INET6, addr.c_str(), &p.addr) != 1)
    return bad();
  p.len = 128;
  if (slash != std::string_view::npos) {
    std::uint64_t len;
    if (!to_u64(s.substr(slash + 1), len) || len > 128)
      return bad();
    p.len = static_cast<std::uint8_t>(len);
  }
  return p;
}

Result<Prefix4> parse_prefix4(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(
        fmt::format("cannot parse '{}' as an IPv4 prefix (expected ADDRESS[/LENGTH], e.g. 192.0.2.0/24)", s));
  };
  Prefix4 p;
  auto slash = s.find('/');
  std::string addr(s.substr(0, slash));
  if (inet_pton(AF_INET, addr.c_str(), &p.addr) != 1)
    return bad();
  p.len = 32;
  if (slash != std::string_view::npos) {
    std::uint64_t len;
    if (!to_u64(s.substr(slash + 1), len) || len > 32)
      return bad();
    p.len = static_cast<std::uint8_t>(len);
  }
  return p;
}

Result<Prefix6> parse_pool6(std::string_view s)
{
  auto r = parse_prefix6(s);
  if (!r)
    return r;
  const Prefix6 &p = *r;
  switch (p.len) {
    case 32:
    case 40:
    case 48:
    case 56:
    case 64:
    case 96:
      break;
    default:
      return Error::usage(
          fmt::format("pool6 '{}': the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052)", s));
  }
  if (!host_bits_zero(p.addr.s6_addr, 128, p.len))
    return Error::usage(fmt::format("pool6 '{}': the address has bits set after the prefix length", s));
  return r;
}

Result<Prefix4> parse_pool4_prefix(std::string_view s)
{
  auto r = parse_prefix4(s);
  if (!r)
    return r;
  const Prefix4 &p = *r;
  auto *bytes = reinterpret_cast<const unsigned char *>(&p.addr.s_addr);
  if (!host_bits_zero(bytes, 32, p.len))
    return Error::usage(fmt::format("'{}': the address has bits set after the prefix length", s));
  if (p.len < 16)
    return Error::usage(
        fmt::format("'{}' is too large: a pool4 entry holds at most 65536 addresses (/16)", s));
  return r;
}

Result<PortRange> parse_port_range(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(
        fmt::format("cannot parse '{}' as a port range (expected PORT or MIN-MAX, each 0-65535)", s));
  };
  std::uint64_t min, max;
  auto dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!to_u64(s, min) || min > 65535)
      return bad();
    max = min;
  } else {
    if (!to_u64(s.substr(0, dash), min) || !to_u64(s.substr(dash + 1), max) || min > 65535 || max > 65535)
      return bad();
    if (min > max)
      return Error::usage(fmt::format("port range '{}': the minimum exceeds the maximum", s));
  }
  return PortRange{static_cast<std::uint16_t>(min), static_cast<std::uint16_t>(max)};
}

Result<Taddr6> parse_taddr6(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(fmt::format(
        "cannot parse '{}' as an IPv6 transport address (expected ADDRESS#PORT, e.g. 2001:db8::1#80)", s));
  };
  auto hash = s.find('#');
  if (hash == std::string_view::npos)
    return bad();
  Taddr6 t;
  std::string addr(s.substr(0, hash));
  std::uint64_t port;
  if (inet_pton(AF_INET6, addr.c_str(), &t.addr) != 1 || !to_u64(s.substr(hash + 1), port) || port > 65535)
    return bad();
  t.port = static_cast<std::uint16_t>(port);
  return t;
}

Result<Taddr4> parse_taddr4(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(fmt::format(
        "cannot parse '{}' as an IPv4 transport address (expected ADDRESS#PORT, e.g. 192.0.2.1#80)", s));
  };
  auto hash = s.find('#');
  if (hash == std::string_view::npos)
    return bad();
  Taddr4 t;
  std::string addr(s.substr(0, hash));
  std::uint64_t port;
  if (inet_pton(AF_INET, addr.c_str(), &t.addr) != 1 || !to_u64(s.substr(hash + 1), port) || port > 65535)
    return bad();
  t.port = static_cast<std::uint16_t>(port);
  return t;
}

Result<std::uint64_t> parse_uint(std::string_view s, std::uint64_t min, std::uint64_t max,
                                 std::string_view what)
{
  std::uint64_t v;
  if (!to_u64(s, v))
    return Error::usage(fmt::format("{}: '{}' is not an unsigned integer", what, s));
  if (v < min || v > max)
    return Error::usage(fmt::format("{}: '{}' is out of range ({}-{})", what, s, min, max));
  return v;
}

Result<bool> parse_bool(std::string_view s)
{
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "true" || l == "1" || l == "yes" || l == "on")
    return true;
  if (l == "false" || l == "0" || l == "no" || l == "off")
    return false;
  return Error::usage(fmt::format("cannot parse '{}' as a boolean (true|false|1|0|yes|no|on|off)", s));
}

Result<std::uint32_t> parse_timeout(std::string_view s)
{
  auto bad = [&] {
    return Error::usage(
        fmt::format("cannot parse '{}' as a timeout (expected [[HH:]MM:]SS[.mmm] or seconds)", s));
  };
  std::string_view whole = s;
  std::string_view frac;
  if (auto dot = s.find('.'); dot != std::string_view::npos) {
    whole = s.substr(0, dot);
    frac = s.substr(dot + 1);
    if (!all_digits(frac))
      return bad();
  }

  // Up to three colon-separated components: [[HH:]MM:]SS.
  std::uint64_t total = 0;
  int components = 0;
  while (true) {
    auto colon = whole.find(':');
    std::uint64_t v;
    if (!to_u64(whole.substr(0, colon), v) || v > 0xffffffffULL)
      return bad();
    total = total * 60 + v;
    if (total > 0xffffffffULL)
      return Error::usage(fmt::format("timeout '{}' is too large", s));
    if (++components > 3)
      return bad();
    if (colon == std::string_view::npos)
      break;
    whole = whole.substr(colon + 1);
  }

  if (!frac.empty() && frac.find_first_not_of('0') != std::string_view::npos)
    return Error::usage(fmt::format("timeout '{}': the resolution is one second", s));
  return static_cast<std::uint32_t>(total);
}

Result<std::vector<std::uint16_t>> parse_plateaus(std::string_view s)
{
  std::vector<std::uint16_t> out;
  if (s.empty())
    return Error::usage("the MTU plateaus list cannot be empty");
  std::size_t start = 0;
  while (true) {
    auto comma = s.find(',', start);
    auto token = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::uint64_t v;
    if (!to_u64(token, v) || v > 65535)
      return Error::usage(
          fmt::format("mtu-plateaus: '{}' is not a number between 0 and 65535 (in '{}')", token, s));
    out.push_back(static_cast<std::uint16_t>(v));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (!out.empty() && out.back() == 0)
    out.pop_back();
  if (out.empty())
    return Error::usage(fmt::format("mtu-plateaus '{}' contains nothing but zeroes", s));
  if (out.size() > NAT64_MAX_PLATEAUS)
    return Error::usage(
        fmt::format("mtu-plateaus: too many plateaus ({}; at most {})", out.size(), NAT64_MAX_PLATEAUS));
  return out;
}

Result<std::uint32_t> parse_max_iterations(std::string_view s)
{
  if (s == "auto")
    return max_iter_auto;
  if (s == "infinity")
    return max_iter_infinity;
  std::uint64_t v;
  if (!to_u64(s, v) || v < 1 || v > 0xffffffffULL)
    return Error::usage(fmt::format(
        "--max-iterations: cannot parse '{}' (expected auto, infinity or a positive integer)", s));
  return static_cast<std::uint32_t>(v);
}

Result<std::uint8_t> parse_fargs(std::string_view s)
{
  std::uint64_t v = 0;
  bool ok;
  if (s.size() > 2 && (s.substr(0, 2) == "0b" || s.substr(0, 2) == "0B")) {
    auto bits = s.substr(2);
    ok = bits.size() <= 4 && bits.find_first_not_of("01") == std::string_view::npos;
    for (char c : bits)
      v = v * 2 + (c - '0');
  } else {
    ok = to_u64(s, v);
  }
  if (!ok || v > 15)
    return Error::usage(fmt::format("f-args: cannot parse '{}' (expected 0-15 or 0b0000-0b1111)", s));
  return static_cast<std::uint8_t>(v);
}

std::string format_addr(const in6_addr &a)
{
  char buf[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, &a, buf, sizeof(buf)) ? std::string(buf) : std::string("?");
}

std::string format_addr(const in_addr &a)
{
  char buf[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, &a, buf, sizeof(buf)) ? std::string(buf) : std::string("?");
}

std::string format_prefix(const Prefix6 &p)
{
  return fmt::format("{}/{}", format_addr(p.addr), p.len);
}
std::string format_prefix(const Prefix4 &p)
{
  return fmt::format("{}/{}", format_addr(p.addr), p.len);
}

std::string format_timeout_ms(std::uint64_t ms)
{
  std::uint64_t h = ms / 3600000;
  ms %= 3600000;
  std::uint64_t m = ms / 60000;
  ms %= 60000;
  std::uint64_t s = ms / 1000;
  ms %= 1000;
  if (ms)
    return fmt::format("{}:{:02}:{:02}.{:03}", h, m, s, ms);
  return fmt::format("{}:{:02}:{:02}", h, m, s);
}

std::string format_plateaus(std::span<const std::uint16_t> p)
{
  return fmt::format("{}", fmt::join(p, ","));
}

std::string_view tcp_state_name(std::uint8_t state)
{
  switch (state) {
    case NAT64_TCP_CLOSED:
      return "CLOSED";
    case NAT64_TCP_V6_INIT:
      return "V6_INIT";
    case NAT64_TCP_V4_INIT:
      return "V4_INIT";
    case NAT64_TCP_ESTABLISHED:
      return "ESTABLISHED";
    case NAT64_TCP_V6_FIN_RCV:
      return "V6_FIN_RCV";
    case NAT64_TCP_V4_FIN_RCV:
      return "V4_FIN_RCV";
    case NAT64_TCP_V6_FIN_V4_FIN:
      return "V4_FIN_V6_FIN_RCV";  // Jool's name
    case NAT64_TCP_TRANS:
      return "TRANS";
    default:
      return "UNKNOWN";
  }
}

}  // namespace nat64
