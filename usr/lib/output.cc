// SPDX-License-Identifier: GPL-2.0-or-later
#include "output.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "values.h"

namespace nat64 {

namespace {

// "+----+---+" for columns of the given widths (plus one space each side).
std::string separator(std::initializer_list<int> widths)
{
  std::string s = "+";
  for (int w : widths)
    s += std::string(w + 2, '-') + "+";
  return s + "\n";
}

const std::string instance_sep = separator({18, 15, 9});
const std::string pool4_sep = separator({10, 5, 18, 15, 11});
const std::string session_rule = "---------------------------------\n";

struct StatMeta {
  std::string_view name;
  std::string_view doc;
};

constexpr std::array<StatMeta, NAT64_STAT_COUNT> stat_metas = {StatMeta{"UNUSED", ""},
#define NAT64_STAT_META(id, text) StatMeta{#id, text},
                                                               NAT64_STATS_LIST(NAT64_STAT_META)
#undef NAT64_STAT_META
};

std::string taddr(const Taddr6 &t, std::string_view sep)
{
  return fmt::format("{}{}{}", format_addr(t.addr), sep, t.port);
}
std::string taddr(const Taddr4 &t, std::string_view sep)
{
  return fmt::format("{}{}{}", format_addr(t.addr), sep, t.port);
}

// Inside a quoted CSV field, a quote is written twice.
std::string csv_escape(std::string_view in)
{
  std::string out;
  for (char c : in) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out;
}

std::uint64_t pool4_taddrs(const Pool4Entry &e)
{
  return (std::uint64_t{1} << (32 - e.prefix.len)) * (std::uint64_t{e.ports.max} - e.ports.min + 1);
}

// Jool lists pool4 in groups: consecutive entries of one mark and protocol
// share their max iterations (computed from the group's size when auto).
template <typename F>
void for_each_pool4_group(std::span<const Pool4Entry> entries, F f)
{
  for (std::size_t i = 0; i < entries.size();) {
    std::size_t end = i;
    std::uint64_t taddrs = 0;
    while (end < entries.size() && entries[end].mark == entries[i].mark &&
           entries[end].proto == entries[i].proto)
      taddrs += pool4_taddrs(entries[end++]);
    const Pool4Entry &first = entries[i];
    bool fixed = first.max_iter != max_iter_auto;
    std::uint32_t iterations = fixed ? first.max_iter : pool4_auto_iterations(taddrs);
    f(entries.subspan(i, end - i), iterations, fixed);
    i = end;
  }
}

using ojson = nlohmann::ordered_json;

std::string dump(const ojson &j)
{
  // Addresses and names are ASCII; replace anything else rather than throw.
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace

std::string instance_header(const TableOpts &t)
{
  if (t.csv)
    return t.no_headers ? "" : "Namespace,Name,Framework\n";
  std::string s;
  if (!t.no_headers)
    s = instance_sep + "|          Namespace |            Name | Framework |\n";
  return s + instance_sep;
}

std::string instance_row(const InstanceEntry &e, const TableOpts &t)
{
  std::string_view fw = e.framework == NAT64_FW_NETFILTER  ? "netfilter"
                        : e.framework == NAT64_FW_IPTABLES ? "iptables"
                                                           : "unknown";
  if (t.csv)
    return fmt::format("{},{},{}\n", e.netns, e.name, fw);
  return fmt::format("| {:>18} | {:>15} | {:>9} |\n", e.netns, e.name, fw);
}

std::string instance_footer(const TableOpts &t)
{
  return t.csv ? "" : instance_sep;
}

std::uint32_t pool4_auto_iterations(std::uint64_t taddrs)
{
  if (taddrs < 128ULL * 1024)
    return 1024;
  if (taddrs > 1024ULL * 1024)
    return 8192;
  return static_cast<std::uint32_t>(taddrs / 128);
}

std::string pool4_table(std::span<const Pool4Entry> entries, const TableOpts &t)
{
  std::string s;
  if (!t.no_headers) {
    if (t.csv)
      s += "Mark,Protocol,Address,Min port,Max port,Iterations,Iterations fixed\n";
    else
      s += pool4_sep + fmt::format("| {:>10} | {:>5} | {:>18} | {:>15} | {:>11} |\n", "Mark", "Proto",
                                   "Max iterations", "Address", "Ports");
  }

  for_each_pool4_group(entries, [&](std::span<const Pool4Entry> group, std::uint32_t max_iter, bool fixed) {
    std::string iterations =
        max_iter == max_iter_infinity ? (t.csv ? "infinite" : "Infinite") : std::to_string(max_iter);
    // Like Jool, one row per address.
    bool group_head = true;
    for (const Pool4Entry &e : group) {
      std::uint32_t base = ntohl(e.prefix.addr.s_addr);
      std::uint64_t count = std::uint64_t{1} << (32 - e.prefix.len);
      for (std::uint64_t k = 0; k < count; k++) {
        in_addr a{htonl(static_cast<std::uint32_t>(base + k))};
        if (t.csv) {
          s += fmt::format("{},{},{},{},{},{},{}\n", e.mark, proto_name(e.proto), format_addr(a), e.ports.min,
                           e.ports.max, iterations, fixed ? 1 : 0);
          continue;
        }
        if (group_head)
          s += pool4_sep + fmt::format("| {:>10} | {:>5} | {:>10} ({:>5})", e.mark, proto_name(e.proto),
                                       iterations, fixed ? "fixed" : "auto");
        else
          s += fmt::format("| {:>10} | {:>5} | {:>18}", "", "", "");
        group_head = false;
        s += fmt::format(" | {:>15} | {:>5}-{:>5} |\n", format_addr(a), e.ports.min, e.ports.max);
      }
    }
  });

  if (!t.csv && (!entries.empty() || !t.no_headers))
    s += pool4_sep;
  return s;
}

std::string bib_header(const TableOpts &t)
{
  if (t.csv && !t.no_headers)
    return "Protocol,IPv6 Address,IPv6 L4-ID,IPv4 Address,IPv4 L4-ID,Static?\n";
  return "";
}

std::string bib_row(const BibEntry &e, const TableOpts &t)
{
  if (t.csv)
    return fmt::format("{},{},{},{}\n", proto_name(e.proto), taddr(e.addr6, ","), taddr(e.addr4, ","),
                       e.is_static ? 1 : 0);
  return fmt::format("[{} {}] {} - {}\n", e.is_static ? "Static" : "Dynamic", proto_name(e.proto),
                     taddr(e.addr4, "#"), taddr(e.addr6, "#"));
}

std::string session_header(const TableOpts &t)
{
  if (!t.csv)
    return session_rule;
  if (t.no_headers)
    return "";
  return "Protocol,"
         "IPv6 Remote Address,IPv6 Remote L4-ID,"
         "IPv6 Local Address,IPv6 Local L4-ID,"
         "IPv4 Local Address,IPv4 Local L4-ID,"
         "IPv4 Remote Address,IPv4 Remote L4-ID,"
         "Expires in,State\n";
}

std::string session_row(const SessionEntry &e, const TableOpts &t)
{
  std::string expires = format_timeout_ms(e.expires_ms);
  if (t.csv) {
    std::string s = fmt::format("{},{},{},{},{},{}", proto_name(e.proto), taddr(e.src6, ","),
                                taddr(e.dst6, ","), taddr(e.src4, ","), taddr(e.dst4, ","), expires);
    if (e.proto == Proto::tcp)
      s += fmt::format(",{}", tcp_state_name(e.state));
    return s + "\n";
  }
  std::string s;
  if (e.proto == Proto::tcp)
    s += fmt::format("({}) ", tcp_state_name(e.state));
  s += fmt::format("Expires in {}\n", expires);
  s += fmt::format("Remote: {}\t{}\n", taddr(e.dst4, "#"), taddr(e.src6, "#"));
  s += fmt::format("Local: {}\t{}\n", taddr(e.src4, "#"), taddr(e.dst6, "#"));
  return s + session_rule;
}

std::string_view stat_name(unsigned id)
{
  return id < stat_metas.size() ? stat_metas[id].name : "UNKNOWN";
}
std::string_view stat_doc(unsigned id)
{
  return id < stat_metas.size() ? stat_metas[id].doc : "Counter unknown to this version of nat64.";
}

std::string stats_table(std::span<const StatValue> stats, bool all, bool explain, const TableOpts &t)
{
  std::string s;
  if (t.csv && !t.no_headers)
    s += explain ? "Stat,Value,Explanation\n" : "Stat,Value\n";
  for (const auto &st : stats) {
    if (!all && st.value == 0)
      continue;
    std::string name =
        st.id < stat_metas.size() ? std::string(stat_name(st.id)) : fmt::format("UNKNOWN_{}", st.id);
    if (t.csv) {
      s += fmt::format("{},{}", name, st.value);
      if (explain)
        s += fmt::format(",\"{}\"", csv_escape(stat_doc(st.id)));
      s += "\n";
    } else {
      s += fmt::format("{}: {}\n", name, st.value);
      if (explain)
        s += fmt::format("{}\n\n", stat_doc(st.id));
    }
  }
  return s;
}

std::string globals_table(std::span<const GlobalValue> values, const TableOpts &t)
{
  std::string s;
  if (t.csv && !t.no_headers)
    s += "Field,Value\n";
  for (const auto &v : values) {
    if (t.csv)
      s += fmt::format("{},{}\n", v.meta->name, format_global(v, true));
    else
      s += fmt::format("  {}: {}\n", v.meta->name, format_global(v, false));
  }
  return s;
}

// ---- JSON ------------------------------------------------------------

std::string json_instance_row(const InstanceEntry &e)
{
  std::string_view fw = e.framework == NAT64_FW_NETFILTER  ? "netfilter"
                        : e.framework == NAT64_FW_IPTABLES ? "iptables"
                                                           : "unknown";
  ojson j = {{"name", e.name}, {"framework", fw}};
  j["pool6"] = e.pool6 ? ojson(format_prefix(*e.pool6)) : ojson(nullptr);
  j["netns"] = e.netns;
  return dump(j);
}

std::string json_pool4(std::span<const Pool4Entry> entries)
{
  std::string s = "[";
  bool first = true;
  for_each_pool4_group(entries, [&](std::span<const Pool4Entry> group, std::uint32_t max_iter, bool fixed) {
    ojson iterations = max_iter == max_iter_infinity ? ojson("infinity") : ojson(max_iter);
    for (const Pool4Entry &e : group) {
      std::uint32_t base = ntohl(e.prefix.addr.s_addr);
      std::uint64_t count = std::uint64_t{1} << (32 - e.prefix.len);
      for (std::uint64_t k = 0; k < count; k++) {
        in_addr a{htonl(static_cast<std::uint32_t>(base + k))};
        ojson j = {{"mark", e.mark},
                   {"protocol", proto_name(e.proto)},
                   {"address", format_addr(a)},
                   {"port_min", e.ports.min},
                   {"port_max", e.ports.max},
                   {"max_iterations", iterations},
                   {"max_iterations_fixed", fixed}};
        s += (first ? "\n  " : ",\n  ") + dump(j);
        first = false;
      }
    }
  });
  return s + (first ? "]\n" : "\n]\n");
}

std::string json_bib_row(const BibEntry &e)
{
  ojson j = {{"protocol", proto_name(e.proto)}, {"ipv6_address", format_addr(e.addr6.addr)},
             {"ipv6_port", e.addr6.port},       {"ipv4_address", format_addr(e.addr4.addr)},
             {"ipv4_port", e.addr4.port},       {"static", e.is_static}};
  return dump(j);
}

std::string json_session_row(const SessionEntry &e)
{
  ojson j = {{"protocol", proto_name(e.proto)}, {"ipv6_remote_address", format_addr(e.src6.addr)},
             {"ipv6_remote_port", e.src6.port}, {"ipv6_local_address", format_addr(e.dst6.addr)},
             {"ipv6_local_port", e.dst6.port},  {"ipv4_local_address", format_addr(e.src4.addr)},
             {"ipv4_local_port", e.src4.port},  {"ipv4_remote_address", format_addr(e.dst4.addr)},
             {"ipv4_remote_port", e.dst4.port}, {"expires_ms", e.expires_ms}};
  j["state"] = e.proto == Proto::tcp ? ojson(tcp_state_name(e.state)) : ojson(nullptr);
  return dump(j);
}

std::string json_stats(std::span<const StatValue> stats, bool explain)
{
  ojson j = ojson::object();
  for (const auto &st : stats) {
    std::string name =
        st.id < stat_metas.size() ? std::string(stat_name(st.id)) : fmt::format("UNKNOWN_{}", st.id);
    if (explain)
      j[name] = {{"value", st.value}, {"explanation", stat_doc(st.id)}};
    else
      j[name] = st.value;
  }
  return j.dump(2) + "\n";
}

std::string json_globals(std::span<const GlobalValue> values)
{
  ojson j = ojson::object();
  for (const auto &v : values) {
    std::string key(v.meta->name);
    switch (v.meta->type) {
      case GlobalType::boolean:
        j[key] = std::get<bool>(v.data);
        break;
      case GlobalType::u8:
      case GlobalType::fargs:
        j[key] = std::get<std::uint8_t>(v.data);
        break;
      case GlobalType::u32:
      case GlobalType::timeout:
        j[key] = std::get<std::uint32_t>(v.data);
        break;
      case GlobalType::plateaus:
        j[key] = std::get<std::vector<std::uint16_t>>(v.data);
        break;
      case GlobalType::prefix6:
        j[key] = format_prefix(std::get<Prefix6>(v.data));
        break;
    }
  }
  return j.dump(2) + "\n";
}

std::string json_status(const std::string &iname, bool running)
{
  ojson j = {{"name", iname}, {"running", running}};
  return dump(j) + "\n";
}

}  // namespace nat64
