// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "values.h"

namespace nat64 {

namespace {

using json = nlohmann::ordered_json;  // members in file order: the first mistake is reported

constexpr std::uint64_t u32max = 0xffffffffULL;

std::string lower(std::string_view s)
{
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string child(const std::string &path, std::string_view key)
{
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string element(const std::string &path, std::size_t i)
{
  return fmt::format("{}[{}]", path, i);
}

// How a value is named in messages.
std::string shown(const json &j)
{
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return fmt::format("'{}'", j.get<std::string>());
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return j.dump();
  }
}

Error at(const std::string &path, std::string_view msg)
{
  return Error::system(path.empty() ? std::string(msg) : fmt::format("{}: {}", path, msg));
}

Error wrong_type(const std::string &path, std::string_view expected, const json &j)
{
  return at(path, fmt::format("expected {}, got {}", expected, shown(j)));
}

// The value parsers prefix their messages with the key; the path says it.
std::string without_key(std::string msg, std::string_view key)
{
  std::string prefix = fmt::format("{}: ", key);
  if (msg.starts_with(prefix))
    msg.erase(0, prefix.size());
  return msg;
}

// Every member of `obj` but "comment", with its key in lower case.
template <typename F>
Status each_member(const json &obj, const std::string &path, F on)
{
  for (const auto &[key, value] : obj.items()) {
    std::string k = lower(key);
    if (k == "comment")
      continue;
    if (Status s = on(k, child(path, key), value); !s)
      return s;
  }
  return {};
}

Result<std::string> get_string(const json &j, const std::string &path, std::string_view expected)
{
  if (!j.is_string())
    return wrong_type(path, expected, j);
  return j.get<std::string>();
}

Result<std::uint32_t> get_u32(const json &j, const std::string &path)
{
  if (!j.is_number_unsigned())
    return wrong_type(path, "an unsigned integer", j);
  auto v = j.get<std::uint64_t>();
  if (v > u32max)
    return at(path, fmt::format("{} is out of range (0-{})", v, u32max));
  return static_cast<std::uint32_t>(v);
}

Result<Proto> get_proto(const json &j, const std::string &path)
{
  auto s = get_string(j, path, "\"TCP\", \"UDP\" or \"ICMP\"");
  if (!s)
    return std::move(s).error();
  std::string l = lower(*s);
  if (l == "tcp")
    return Proto::tcp;
  if (l == "udp")
    return Proto::udp;
  if (l == "icmp")
    return Proto::icmp;
  return at(path, fmt::format("unknown protocol '{}' (expected TCP, UDP or ICMP)", *s));
}

// ---- duplicate keys ---------------------------------------------------

// nlohmann keeps the last of two equal keys; Jool refuses them (and its
// keys are case-insensitive), so the parser's callback watches for them.
class DuplicateWatch {
 public:
  bool operator()(int, json::parse_event_t ev, json &parsed)
  {
    switch (ev) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        stack_.push_back({ev == json::parse_event_t::array_start, 0, {}, {}});
        break;
      case json::parse_event_t::key: {
        Frame &f = stack_.back();
        std::string key = parsed.get<std::string>();
        std::string k = lower(key);
        if (!error_ && std::find(f.keys.begin(), f.keys.end(), k) != f.keys.end())
          error_ = at(path(key), "the key appears twice in the same object");
        f.keys.push_back(k);
        f.key = key;
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack_.pop_back();
        next_element();
        break;
      case json::parse_event_t::value:
        next_element();
        break;
    }
    return true;
  }

  const std::optional<Error> &error() const { return error_; }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::vector<std::string> keys;
    std::string key;
  };

  void next_element()
  {
    if (!stack_.empty() && stack_.back().array)
      stack_.back().index++;
  }

  // The path of `key` in the innermost object.
  std::string path(const std::string &key) const
  {
    std::string p;
    for (std::size_t i = 0; i + 1 < stack_.size(); i++)
      p = stack_[i].array ? element(p, stack_[i].index) : child(p, stack_[i].key);
    return child(p, key);
  }

  std::vector<Frame> stack_;
  std::optional<Error> error_;
};

// ---- global -----------------------------------------------------------

Result<GlobalValue> json_global(const GlobalMeta &m, const json &v, const std::string &path)
{
  std::string text;
  switch (m.type) {
    case GlobalType::boolean:
      if (!v.is_boolean())
        return wrong_type(path, "true or false", v);
      text = v.get<bool>() ? "true" : "false";
      break;
    case GlobalType::u8:
    case GlobalType::u32:
      if (!v.is_number_unsigned())
        return wrong_type(path, "an unsigned integer", v);
      text = std::to_string(v.get<std::uint64_t>());
      break;
    case GlobalType::fargs:
      if (v.is_number_unsigned())
        text = std::to_string(v.get<std::uint64_t>());
      else if (v.is_string())
        text = v.get<std::string>();
      else
        return wrong_type(path, "an integer 0-15 or a string \"0bXXXX\"", v);
      break;
    case GlobalType::timeout:
      if (v.is_number_unsigned())
        text = std::to_string(v.get<std::uint64_t>());
      else if (v.is_string())
        text = v.get<std::string>();
      else
        return wrong_type(path, "a timeout (\"HH:MM:SS\" or seconds)", v);
      break;
    case GlobalType::plateaus:
      if (v.is_string()) {
        text = v.get<std::string>();
      } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); i++) {
          const json &e = v[i];
          if (!e.is_number_unsigned() || e.get<std::uint64_t>() > 65535)
            return wrong_type(element(path, i), "an MTU (0-65535)", e);
          text += (i ? "," : "") + std::to_string(e.get<std::uint64_t>());
        }
      } else {
        return wrong_type(path, "a list of MTUs (e.g. [65535, 1500, 68])", v);
      }
      break;
    case GlobalType::prefix6:
      break;
  }
  auto r = parse_global(m.name, text);
  if (!r)
    return at(path, without_key(r.error().message, m.name));
  return r;
}

Status parse_globals(const json &obj, const std::string &path, FileConfig &cfg)
{
  if (!obj.is_object())
    return wrong_type(path, "an object", obj);
  std::vector<GlobalValue> given;
  Status s =
      each_member(obj, path, [&](const std::string &key, const std::string &p, const json &v) -> Status {
        if (key == "pool6") {
          auto text = get_string(v, p, "an IPv6 prefix (e.g. \"64:ff9b::/96\")");
          if (!text)
            return std::move(text).error();
          auto pool6 = parse_pool6(*text);
          if (!pool6)
            return at(p, pool6.error().message);
          cfg.pool6 = *pool6;
          return {};
        }
        if (is_session_sync_key(key))
          return at(p, "session synchronization is not supported yet");
        const GlobalMeta *m = global_meta(key);
        if (!m)
          return at(p, "unknown key (the keys are listed in nat64(8))");
        auto gv = json_global(*m, v, p);
        if (!gv)
          return std::move(gv).error();
        given.push_back(std::move(*gv));
        return {};
      });
  if (!s)
    return s;
  for (auto &d : cfg.globals)
    for (const auto &g : given)
      if (g.meta == d.meta)
        d = g;
  return {};
}

// ---- pool4 ------------------------------------------------------------

bool prefixes_overlap(const Prefix4 &a, const Prefix4 &b)
{
  unsigned len = std::min(a.len, b.len);
  std::uint32_t mask = len ? ~std::uint32_t{0} << (32 - len) : 0;
  return (ntohl(a.addr.s_addr) & mask) == (ntohl(b.addr.s_addr) & mask);
}

bool prefix_has(const Prefix4 &p, const in_addr &a)
{
  return prefixes_overlap(p, Prefix4{a, 32});
}

Result<std::uint32_t> json_max_iterations(const json &v, const std::string &path)
{
  if (v.is_number_unsigned()) {
    auto n = v.get<std::uint64_t>();
    if (n < 1 || n > u32max)
      return at(path, fmt::format("{} is out of range (1-{})", n, u32max));
    return static_cast<std::uint32_t>(n);
  }
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s == "auto")
      return max_iter_auto;
    if (s == "infinity")
      return max_iter_infinity;
  }
  return wrong_type(path, "a positive integer, \"auto\" or \"infinity\"", v);
}

Result<Pool4Entry> parse_pool4_entry(const json &obj, const std::string &path, bool force)
{
  if (!obj.is_object())
    return wrong_type(path, "an object", obj);
  Pool4Entry e;
  e.ports = file_default_ports;
  bool have_proto = false, have_prefix = false;
  std::string ports_path = child(path, "port range");
  Status s =
      each_member(obj, path, [&](const std::string &key, const std::string &p, const json &v) -> Status {
        if (key == "mark") {
          auto m = get_u32(v, p);
          if (!m)
            return std::move(m).error();
          e.mark = *m;
        } else if (key == "protocol") {
          auto pr = get_proto(v, p);
          if (!pr)
            return std::move(pr).error();
          e.proto = *pr;
          have_proto = true;
        } else if (key == "prefix") {
          auto text = get_string(v, p, "an IPv4 prefix (e.g. \"192.0.2.0/28\")");
          if (!text)
            return std::move(text).error();
          auto pf = parse_pool4_prefix(*text);
          if (!pf)
            return at(p, pf.error().message);
          if (pf->len < 24 && !force)
            return at(p,
                      fmt::format("{} holds {} addresses, which might defeat the point of NAT64 over SIIT; "
                                  "use --force to add it anyway",
                                  format_prefix(*pf), 1U << (32 - pf->len)));
          e.prefix = *pf;
          have_prefix = true;
        } else if (key == "port range") {
          auto text = get_string(v, p, "a port range (e.g. \"61001-65535\")");
          if (!text)
            return std::move(text).error();
          auto r = parse_port_range(*text);
          if (!r)
            return at(p, r.error().message);
          e.ports = *r;
          ports_path = p;
        } else if (key == "max-iterations") {
          auto m = json_max_iterations(v, p);
          if (!m)
            return std::move(m).error();
          e.max_iter = *m;
        } else {
          return at(p, "unknown key (expected mark, protocol, prefix, port range, max-iterations)");
        }
        return {};
      });
  if (!s)
    return std::move(s).error();
  if (!have_proto)
    return at(path, "missing key 'protocol'");
  if (!have_prefix)
    return at(path, "missing key 'prefix'");
  // As the kernel stores it: port 0 cannot carry TCP or UDP.
  if (e.proto != Proto::icmp && e.ports.min == 0) {
    if (e.ports.max == 0)
      return at(ports_path, "port 0 is not usable for TCP or UDP");
    e.ports.min = 1;
  }
  return e;
}

Status parse_pool4(const json &arr, const std::string &path, bool force, FileConfig &cfg)
{
  if (!arr.is_array())
    return wrong_type(path, "an array of pool4 entries", arr);
  for (std::size_t i = 0; i < arr.size(); i++) {
    std::string p = element(path, i);
    auto e = parse_pool4_entry(arr[i], p, force);
    if (!e)
      return std::move(e).error();
    // One (protocol, address, port) has one owner, whatever the marks.
    for (std::size_t j = 0; j < cfg.pool4.size(); j++) {
      const Pool4Entry &o = cfg.pool4[j];
      if (o.proto == e->proto && prefixes_overlap(o.prefix, e->prefix) && o.ports.min <= e->ports.max &&
          e->ports.min <= o.ports.max)
        return at(p, fmt::format("overlaps {} (same protocol, addresses and ports)", cfg.pool4_paths[j]));
    }
    cfg.pool4.push_back(*e);
    cfg.pool4_paths.push_back(p);
  }
  return {};
}

// ---- bib --------------------------------------------------------------

Result<BibEntry> parse_bib_entry(const json &obj, const std::string &path)
{
  if (!obj.is_object())
    return wrong_type(path, "an object", obj);
  BibEntry b;
  b.is_static = true;
  bool have_proto = false, have6 = false, have4 = false;
  Status s =
      each_member(obj, path, [&](const std::string &key, const std::string &p, const json &v) -> Status {
        if (key == "protocol") {
          auto pr = get_proto(v, p);
          if (!pr)
            return std::move(pr).error();
          b.proto = *pr;
          have_proto = true;
        } else if (key == "ipv6 address") {
          auto text = get_string(v, p, "an IPv6 transport address (e.g. \"2001:db8::1#80\")");
          if (!text)
            return std::move(text).error();
          auto t = parse_taddr6(*text);
          if (!t)
            return at(p, t.error().message);
          b.addr6 = *t;
          have6 = true;
        } else if (key == "ipv4 address") {
          auto text = get_string(v, p, "an IPv4 transport address (e.g. \"192.0.2.1#80\")");
          if (!text)
            return std::move(text).error();
          auto t = parse_taddr4(*text);
          if (!t)
            return at(p, t.error().message);
          b.addr4 = *t;
          have4 = true;
        } else {
          return at(p, "unknown key (expected protocol, ipv6 address, ipv4 address)");
        }
        return {};
      });
  if (!s)
    return std::move(s).error();
  if (!have_proto)
    return at(path, "missing key 'protocol'");
  if (!have6)
    return at(path, "missing key 'ipv6 address'");
  if (!have4)
    return at(path, "missing key 'ipv4 address'");
  return b;
}

bool same_taddr(const Taddr6 &a, const Taddr6 &b)
{
  return a.port == b.port && std::memcmp(&a.addr, &b.addr, sizeof(a.addr)) == 0;
}
bool same_taddr(const Taddr4 &a, const Taddr4 &b)
{
  return a.port == b.port && a.addr.s_addr == b.addr.s_addr;
}

Status parse_bib(const json &arr, const std::string &path, FileConfig &cfg)
{
  if (!arr.is_array())
    return wrong_type(path, "an array of BIB entries", arr);
  for (std::size_t i = 0; i < arr.size(); i++) {
    std::string p = element(path, i);
    auto b = parse_bib_entry(arr[i], p);
    if (!b)
      return std::move(b).error();
    for (std::size_t j = 0; j < cfg.bib.size(); j++) {
      const BibEntry &o = cfg.bib[j];
      if (o.proto != b->proto)
        continue;
      if (same_taddr(o.addr6, b->addr6))
        return at(p, fmt::format("the IPv6 transport address is already bound by {}", cfg.bib_paths[j]));
      if (same_taddr(o.addr4, b->addr4))
        return at(p, fmt::format("the IPv4 transport address is already bound by {}", cfg.bib_paths[j]));
    }
    // A static binding takes its IPv4 side from pool4 (when the file sets
    // one for the protocol; an empty pool4 is the kernel's business).
    bool any = false, inside = false;
    for (const auto &e : cfg.pool4) {
      if (e.proto != b->proto)
        continue;
      any = true;
      inside = inside || (prefix_has(e.prefix, b->addr4.addr) && b->addr4.port >= e.ports.min &&
                          b->addr4.port <= e.ports.max);
    }
    if (any && !inside)
      return at(child(p, "ipv4 address"),
                fmt::format("{}#{} is not in the file's pool4 ({})", format_addr(b->addr4.addr),
                            b->addr4.port, proto_name(b->proto)));
    cfg.bib.push_back(*b);
    cfg.bib_paths.push_back(p);
  }
  return {};
}

// ---- the root ---------------------------------------------------------

bool is_siit_key(std::string_view k)
{
  return k == "eamt" || k == "blacklist4" || k == "denylist4";
}

}  // namespace

Result<FileConfig> parse_config(std::string_view text, const std::optional<std::string> &cli_iname,
                                bool force)
{
  DuplicateWatch watch;
  json root;
  try {
    root = json::parse(text.begin(), text.end(), std::ref(watch));
  } catch (const json::exception &e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ...",
    // also out_of_range.406 for a number beyond a double ("1e999").
    std::string msg = e.what();
    if (auto pos = msg.find("] "); msg.starts_with("[json.exception") && pos != std::string::npos)
      msg.erase(0, pos + 2);
    return Error::system(fmt::format("invalid JSON: {}", msg));
  }
  if (watch.error())
    return *watch.error();
  if (!root.is_object())
    return Error::system(fmt::format("the file must hold a JSON object, not {}", shown(root)));

  FileConfig cfg;
  cfg.globals = default_globals();
  const json *iname = nullptr, *framework = nullptr, *global = nullptr, *pool4 = nullptr, *bib = nullptr;
  std::string global_path, pool4_path, bib_path;
  Status s =
      each_member(root, "", [&](const std::string &key, const std::string &p, const json &v) -> Status {
        if (key == "instance")
          iname = &v;
        else if (key == "framework")
          framework = &v;
        else if (key == "global")
          global = &v, global_path = p;
        else if (key == "pool4")
          pool4 = &v, pool4_path = p;
        else if (key == "bib")
          bib = &v, bib_path = p;
        else if (is_siit_key(key))
          return at(p, "is a SIIT key; nat64 is a stateful NAT64 translator");
        else
          return at(p, "unknown key (expected instance, framework, global, pool4, bib)");
        return {};
      });
  if (!s)
    return std::move(s).error();

  if (iname) {
    auto name = get_string(*iname, "instance", "an instance name");
    if (!name)
      return std::move(name).error();
    auto valid = parse_iname(*name);
    if (!valid)
      return at("instance", valid.error().message);
    if (cli_iname && *cli_iname != *valid)
      return at("instance",
                fmt::format("'{}' differs from the -i argument '{}'; give only one", *valid, *cli_iname));
    cfg.iname = *valid;
  } else {
    cfg.iname = cli_iname.value_or(NAT64_INAME_DEFAULT);
  }

  if (!framework)
    return Error::system("missing key 'framework' (\"netfilter\" or \"iptables\")");
  auto fw = get_string(*framework, "framework", "\"netfilter\" or \"iptables\"");
  if (!fw)
    return std::move(fw).error();
  if (*fw == "netfilter")
    cfg.framework = Framework::netfilter;
  else if (*fw == "iptables")
    cfg.framework = Framework::iptables;
  else
    return at("framework", fmt::format("unknown framework '{}' (expected netfilter or iptables)", *fw));

  if (global)
    if (Status g = parse_globals(*global, global_path, cfg); !g)
      return std::move(g).error();
  if (pool4)
    if (Status p = parse_pool4(*pool4, pool4_path, force, cfg); !p)
      return std::move(p).error();
  if (bib)
    if (Status b = parse_bib(*bib, bib_path, cfg); !b)
      return std::move(b).error();
  return cfg;
}

namespace {

Result<std::string> read_file(const std::string &path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error::system(fmt::format("cannot read {}", path), errno);
  // Bounded: `nat64 file handle /dev/zero` (or a runaway generator) must
  // end in an error, not in the CLI eating all memory.
  std::string text;
  std::array<char, 65536> chunk;
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    if (text.size() + static_cast<size_t>(in.gcount()) > kMaxConfigFileBytes)
      return Error::system(fmt::format("{} is larger than {} MiB; is it a configuration file?", path,
                                       kMaxConfigFileBytes >> 20));
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad())
    return Error::system(fmt::format("cannot read {}", path), errno);
  return text;
}

Error in_file(const std::string &path, Error e)
{
  e.message = fmt::format("{}: {}", path, e.message);
  return e;
}

}  // namespace

Result<std::string> instance_name_of_file(const std::string &path)
{
  auto text = read_file(path);
  if (!text)
    return std::move(text).error();
  json root = json::parse(*text, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return in_file(path, Error::system("not a JSON object (see `nat64 file handle`)"));
  for (const auto &[key, value] : root.items()) {
    if (lower(key) != "instance")
      continue;
    auto name = get_string(value, "instance", "an instance name");
    if (!name)
      return in_file(path, std::move(name).error());
    auto valid = parse_iname(*name);
    if (!valid)
      return in_file(path, at("instance", valid.error().message));
    return valid;
  }
  return in_file(path, Error::system("the file does not contain an instance name"));
}

Result<FileConfig> load_config_file(const std::string &path, const std::optional<std::string> &cli_iname,
                                    bool force)
{
  auto text = read_file(path);
  if (!text)
    return std::move(text).error();
  auto cfg = parse_config(*text, cli_iname, force);
  if (!cfg)
    return in_file(path, std::move(cfg).error());
  return cfg;
}

}  // namespace nat64
