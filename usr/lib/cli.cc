// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <functional>
#include <string_view>

#include "config.h"
#include "values.h"

#ifndef NAT64_VERSION
#define NAT64_VERSION "0.0.0"
#endif

namespace nat64 {

namespace {

struct ModeSpec {
  std::string_view name;
  std::vector<std::string_view> ops;
};

const std::vector<ModeSpec> &mode_specs()
{
  static const std::vector<ModeSpec> specs = {
      {"instance", {"display", "add", "remove", "flush", "status"}},
      {"pool4", {"display", "add", "remove", "flush"}},
      {"bib", {"display", "add", "remove"}},
      {"session", {"display"}},
      {"stats", {"display"}},
      {"global", {"display", "update"}},
      {"file", {"handle"}},
  };
  return specs;
}

// Exact match, else the only candidate starting with `token`.
Result<std::string> match_token(std::string_view token, const std::vector<std::string_view> &candidates,
                                std::string_view what)
{
  std::vector<std::string_view> hits;
  for (auto c : candidates) {
    if (c == token)
      return std::string(c);
    if (c.starts_with(token))
      hits.push_back(c);
  }
  if (hits.size() == 1)
    return std::string(hits.front());
  if (hits.empty())
    return Error::usage(
        fmt::format("unexpected {} '{}' (expected one of: {})", what, token, fmt::join(candidates, ", ")));
  return Error::usage(fmt::format("ambiguous {} '{}' (could be: {})", what, token, fmt::join(hits, ", ")));
}

bool is_option(std::string_view s)
{
  return s.size() > 1 && s[0] == '-';
}

// Root options that take a value in the next token.
bool root_option_takes_value(std::string_view s)
{
  return s == "-i" || s == "--instance" || s == "-f" || s == "--file";
}

std::string lowercase_first(std::string s)
{
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// CLI11's messages, reworded to name the offending token in our style.
std::string reword(const CLI::ParseError &e)
{
  std::string msg = e.what();
  for (std::string_view prefix :
       {"The following argument was not expected: ", "The following arguments were not expected: "}) {
    if (msg.starts_with(prefix))
      return fmt::format("unexpected argument '{}'", msg.substr(prefix.size()));
  }
  // "--mark: 1 required MARK missing"
  if (auto pos = msg.find(": 1 required "); pos != std::string::npos && msg.ends_with(" missing"))
    return fmt::format("{} requires a value", msg.substr(0, pos));
  return lowercase_first(msg);
}

struct ProtoFlags {
  bool tcp = false, udp = false, icmp = false;

  // `what` has a {} for the protocol's name.
  void add_to(CLI::App *app, std::string_view what)
  {
    app->add_flag("--tcp", tcp, fmt::format(fmt::runtime(what), "TCP"));
    app->add_flag("--udp", udp, fmt::format(fmt::runtime(what), "UDP"));
    app->add_flag("--icmp", icmp, fmt::format(fmt::runtime(what), "ICMP"));
  }

  Result<std::optional<Proto>> get() const
  {
    if (tcp + udp + icmp > 1)
      return Error::usage("only one protocol is allowed per request (--tcp, --udp or --icmp)");
    if (tcp)
      return std::optional<Proto>(Proto::tcp);
    if (udp)
      return std::optional<Proto>(Proto::udp);
    if (icmp)
      return std::optional<Proto>(Proto::icmp);
    return std::optional<Proto>();
  }
};

void add_table_flags(CLI::App *app, TableOpts &t)
{
  app->add_flag("--csv", t.csv, "Print the table in Comma-Separated Values format");
  app->add_flag("--no-headers", t.no_headers, "Print the table entries only; omit the headers");
  app->add_flag("--json", t.json, "Print JSON, for scripts (keys in nat64(8))");
}

// Everything CLI11 fills in, plus what to build once it is done.
class Parser {
 public:
  Parser();
  Result<Invocation> parse(std::span<const std::string> args);

 private:
  using Builder = std::function<Result<Command>()>;

  CLI::App *op(CLI::App *mode, std::string name, std::string desc, Builder build)
  {
    CLI::App *sub = mode->add_subcommand(std::move(name), std::move(desc));
    builders_.push_back({sub, std::move(build)});
    return sub;
  }

  // -i, or the positional name of "instance add|remove|status", or "default".
  Result<std::string> iname(const std::string &positional = {}) const
  {
    if (!root_iname_.empty() && !positional.empty() && root_iname_ != positional)
      return Error::usage(
          fmt::format("two different instance names given ('{}' and '{}'); please give only one", root_iname_,
                      positional));
    const std::string &name = !positional.empty()    ? positional
                              : !root_iname_.empty() ? root_iname_
                                                     : std::string(NAT64_INAME_DEFAULT);
    return parse_iname(name);
  }

  void build_instance(CLI::App *mode);
  void build_pool4(CLI::App *mode);
  void build_bib(CLI::App *mode);
  void build_session(CLI::App *mode);
  void build_stats(CLI::App *mode);
  void build_global(CLI::App *mode);
  void build_file(CLI::App *mode);

  CLI::App app_;
  std::string root_iname_;
  std::string root_file_;
  std::vector<std::pair<CLI::App *, Builder>> builders_;
  std::vector<std::string> warnings_;

  // Storage bound to CLI11, one member per operation.
  struct {
    TableOpts table;
    std::string add_name, rm_name, status_name, pool6;
    bool netfilter = false, iptables = false, status_json = false;
  } instance_;
  struct {
    ProtoFlags disp_proto, add_proto, rm_proto;
    TableOpts table;
    std::string add_mark, rm_mark, max_iter;
    std::vector<std::string> add_entry, rm_entry;
    bool force = false, rm_quick = false, flush_quick = false;
  } pool4_;
  struct {
    ProtoFlags disp_proto, add_proto, rm_proto;
    TableOpts table;
    bool numeric = false;
    std::vector<std::string> add_taddrs, rm_taddrs;
  } bib_;
  struct {
    ProtoFlags proto;
    TableOpts table;
    bool numeric = false;
  } session_;
  struct {
    bool all = false, explain = false;
    TableOpts table;
  } stats_;
  struct {
    TableOpts table;
    std::vector<std::string> key_value;
    bool force = false;
  } global_;
  struct {
    std::string path;
    bool force = false;
  } file_;
};

std::string modes_footer()
{
  std::string s = "Modes and their operations:\n";
  for (const auto &m : mode_specs())
    s += fmt::format("  {:<9} {}\n", m.name, fmt::join(m.ops, " "));
  s += fmt::format("\nSee `{} MODE OPERATION --help` for each operation's arguments.\n", program_name);
  return s;
}

Parser::Parser()
    : app_("Stateful NAT64 (RFC 6146) configuration tool, command-compatible with Jool 4.1.", program_name)
{
  app_.add_option("-i,--instance", root_iname_, "Name of the instance to operate on (default: default)")
      ->type_name("NAME");
  app_.add_option("-f,--file", root_file_, "Take the instance name from this JSON file's \"instance\"")
      ->type_name("FILE");
  app_.set_version_flag("-V,--version", std::string(program_name) + " " + NAT64_VERSION);

  build_instance(app_.add_subcommand("instance", "Create, remove and list translator instances"));
  build_pool4(app_.add_subcommand("pool4", "The IPv4 transport address pool"));
  build_bib(app_.add_subcommand("bib", "The Binding Information Base"));
  build_session(app_.add_subcommand("session", "The session tables"));
  build_stats(app_.add_subcommand("stats", "The instance's counters"));
  build_global(app_.add_subcommand("global", "The instance's global configuration"));
  build_file(app_.add_subcommand("file", "The whole configuration of an instance from a JSON file"));
  app_.footer(modes_footer());  // after the subcommands, which would inherit it
}

void Parser::build_instance(CLI::App *mode)
{
  auto *d = op(mode, "display", "List the instances of this network namespace", [this]() -> Result<Command> {
    if (!root_iname_.empty())
      warnings_.push_back("instance display ignores the instance name argument");
    return InstanceDisplay{instance_.table};
  });
  add_table_flags(d, instance_.table);

  auto *a = op(mode, "add", "Create an instance", [this]() -> Result<Command> {
    auto name = iname(instance_.add_name);
    if (!name)
      return std::move(name).error();
    if (instance_.netfilter && instance_.iptables)
      return Error::usage("the translator can only be hooked to one framework (--netfilter or --iptables)");
    if (instance_.pool6.empty())
      return Error::usage("instance add: --pool6 is required (e.g. --pool6 64:ff9b::/96)");
    auto pool6 = parse_pool6(instance_.pool6);
    if (!pool6)
      return std::move(pool6).error();
    return InstanceAdd{*name, instance_.iptables ? Framework::iptables : Framework::netfilter, *pool6};
  });
  a->add_option("name", instance_.add_name, "Name of the new instance (default: default)")->type_name("NAME");
  a->add_flag("--netfilter", instance_.netfilter, "Hook the translator to Netfilter (default)");
  a->add_flag("--iptables", instance_.iptables, "Reach the translator through -j JOOL --instance NAME");
  a->add_option("--pool6", instance_.pool6, "IPv6 prefix of the translator (RFC 6052), e.g. 64:ff9b::/96")
      ->type_name("PREFIX");

  auto *r = op(mode, "remove", "Remove an instance", [this]() -> Result<Command> {
    auto name = iname(instance_.rm_name);
    if (!name)
      return std::move(name).error();
    return InstanceRemove{*name};
  });
  r->add_option("name", instance_.rm_name, "Name of the instance (default: default)")->type_name("NAME");

  op(mode, "flush", "Remove every instance of this network namespace", [this]() -> Result<Command> {
    if (!root_iname_.empty())
      warnings_.push_back("instance flush ignores the instance name argument");
    return InstanceFlush{};
  });

  auto *s = op(mode, "status", "Print whether an instance exists", [this]() -> Result<Command> {
    auto name = iname(instance_.status_name);
    if (!name)
      return std::move(name).error();
    return InstanceStatus{*name, instance_.status_json};
  });
  s->add_option("name", instance_.status_name, "Name of the instance (default: default)")->type_name("NAME");
  s->add_flag("--json", instance_.status_json, "Print JSON, for scripts");
}

// pool4 add/remove's positionals: an IPv4 prefix and a port range, in any
// order (Jool tells them apart by the dot).
struct Pool4Positionals {
  std::optional<Prefix4> prefix;
  std::optional<PortRange> ports;
};

Result<Pool4Positionals> parse_pool4_positionals(const std::vector<std::string> &tokens, std::string_view op)
{
  Pool4Positionals out;
  if (tokens.size() > 2)
    return Error::usage(fmt::format("unexpected argument '{}'", tokens[2]));
  for (const auto &t : tokens) {
    if (t.find('.') != std::string::npos) {
      if (out.prefix)
        return Error::usage(fmt::format("pool4 {}: unexpected second IPv4 prefix '{}'", op, t));
      auto p = parse_pool4_prefix(t);
      if (!p)
        return std::move(p).error();
      out.prefix = *p;
    } else {
      if (out.ports)
        return Error::usage(fmt::format("pool4 {}: unexpected second port range '{}'", op, t));
      auto r = parse_port_range(t);
      if (!r)
        return std::move(r).error();
      out.ports = *r;
    }
  }
  if (!out.prefix)
    return Error::usage(
        fmt::format("pool4 {}: missing the IPv4 prefix (e.g. 192.0.2.1 or 192.0.2.0/28)", op));
  return out;
}

Result<std::uint32_t> parse_mark(const std::string &s)
{
  if (s.empty())
    return 0U;
  auto v = parse_uint(s, 0, 0xffffffffULL, "--mark");
  if (!v)
    return std::move(v).error();
  return static_cast<std::uint32_t>(*v);
}

void Parser::build_pool4(CLI::App *mode)
{
  auto *d = op(mode, "display", "Print the pool", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = pool4_.disp_proto.get();
    if (!proto)
      return std::move(proto).error();
    return Pool4Display{*name, *proto, pool4_.table};
  });
  pool4_.disp_proto.add_to(d, "Print only the {} entries");
  add_table_flags(d, pool4_.table);

  auto *a = op(mode, "add", "Add addresses and ports to the pool", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = pool4_.add_proto.get();
    if (!proto)
      return std::move(proto).error();
    auto mark = parse_mark(pool4_.add_mark);
    if (!mark)
      return std::move(mark).error();
    auto pos = parse_pool4_positionals(pool4_.add_entry, "add");
    if (!pos)
      return std::move(pos).error();
    std::uint32_t max_iter = max_iter_auto;
    if (!pool4_.max_iter.empty()) {
      auto m = parse_max_iterations(pool4_.max_iter);
      if (!m)
        return std::move(m).error();
      max_iter = *m;
    }
    if (pos->prefix->len < 24 && !pool4_.force)
      return Error::usage(
          fmt::format("pool4 add: {} holds {} addresses, which might defeat the point of NAT64 over SIIT; "
                      "use --force to add it anyway",
                      format_prefix(*pos->prefix), 1U << (32 - pos->prefix->len)));

    Pool4Add cmd{*name, {}};
    for (Proto p : all_protos) {
      if (*proto && **proto != p)
        continue;
      PortRange ports =
          pos->ports ? *pos->ports : PortRange{static_cast<std::uint16_t>(p == Proto::icmp ? 0 : 1), 65535};
      cmd.entries.push_back(Pool4Entry{*mark, p, *pos->prefix, ports, max_iter});
    }
    return cmd;
  });
  a->add_option("--mark", pool4_.add_mark, "Only packets carrying this mark use the entry (default 0)")
      ->type_name("MARK");
  pool4_.add_proto.add_to(a, "Add the entry for {} only (default: all protocols)");
  a->add_option("--max-iterations", pool4_.max_iter,
                "Port search iterations: auto, infinity or a number (accepted for Jool compatibility)")
      ->type_name("auto|infinity|N");
  a->add_flag("--force", pool4_.force, "Add the entry even if it has many addresses (/16 to /23)");
  a->add_option("entry", pool4_.add_entry, "IPV4-PREFIX [PORT-RANGE] (default range: 1-65535, ICMP 0-65535)")

      ->type_name("PREFIX [PORTS]");

  auto *r = op(mode, "remove", "Remove addresses and ports from the pool", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = pool4_.rm_proto.get();
    if (!proto)
      return std::move(proto).error();
    auto mark = parse_mark(pool4_.rm_mark);
    if (!mark)
      return std::move(mark).error();
    auto pos = parse_pool4_positionals(pool4_.rm_entry, "remove");
    if (!pos)
      return std::move(pos).error();
    Pool4Remove cmd{*name, {}, pool4_.rm_quick};
    for (Proto p : all_protos) {
      if (*proto && **proto != p)
        continue;
      cmd.entries.push_back(
          Pool4Entry{*mark, p, *pos->prefix, pos->ports ? *pos->ports : PortRange{0, 65535}, max_iter_auto});
    }
    return cmd;
  });
  r->add_option("--mark", pool4_.rm_mark, "Only remove entries with this mark (default 0)")
      ->type_name("MARK");
  pool4_.rm_proto.add_to(r, "Remove the entry of {} only (default: all protocols)");
  r->add_flag("--quick", pool4_.rm_quick,
              "Do not remove the BIB entries and sessions that used the addresses");
  r->add_option("entry", pool4_.rm_entry, "IPV4-PREFIX [PORT-RANGE] (default range: 0-65535)")

      ->type_name("PREFIX [PORTS]");

  auto *f = op(mode, "flush", "Empty the pool", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    return Pool4Flush{*name, pool4_.flush_quick};
  });
  f->add_flag("--quick", pool4_.flush_quick,
              "Do not remove the BIB entries and sessions that used the addresses");
}

// bib add/remove's positionals: IPV6#PORT and IPV4#PORT in any order.
struct TaddrPair {
  std::optional<Taddr6> addr6;
  std::optional<Taddr4> addr4;
};

Result<TaddrPair> parse_taddr_pair(const std::vector<std::string> &tokens, std::string_view op)
{
  TaddrPair out;
  if (tokens.size() > 2)
    return Error::usage(fmt::format("unexpected argument '{}'", tokens[2]));
  for (const auto &t : tokens) {
    if (t.find(':') != std::string::npos) {
      if (out.addr6)
        return Error::usage(fmt::format("bib {}: unexpected second IPv6 transport address '{}'", op, t));
      auto a = parse_taddr6(t);
      if (!a)
        return std::move(a).error();
      out.addr6 = *a;
    } else if (t.find('.') != std::string::npos) {
      if (out.addr4)
        return Error::usage(fmt::format("bib {}: unexpected second IPv4 transport address '{}'", op, t));
      auto a = parse_taddr4(t);
      if (!a)
        return std::move(a).error();
      out.addr4 = *a;
    } else {
      return Error::usage(
          fmt::format("bib {}: cannot parse '{}' as a transport address (expected ADDRESS#PORT)", op, t));
    }
  }
  return out;
}

void Parser::build_bib(CLI::App *mode)
{
  auto *d = op(mode, "display", "Print a BIB table", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = bib_.disp_proto.get();
    if (!proto)
      return std::move(proto).error();
    return BibDisplay{*name, proto->value_or(Proto::tcp), bib_.numeric, bib_.table};
  });
  bib_.disp_proto.add_to(d, "Print the {} table (default: TCP)");
  d->add_flag("--numeric", bib_.numeric, "Do not resolve names (nat64 never does; accepted for Jool)");
  add_table_flags(d, bib_.table);

  auto *a = op(mode, "add", "Add a static BIB entry", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = bib_.add_proto.get();
    if (!proto)
      return std::move(proto).error();
    auto pair = parse_taddr_pair(bib_.add_taddrs, "add");
    if (!pair)
      return std::move(pair).error();
    if (!pair->addr6)
      return Error::usage("bib add: missing the IPv6 transport address (e.g. 2001:db8::6#80)");
    if (!pair->addr4)
      return Error::usage("bib add: missing the IPv4 transport address (e.g. 192.0.2.4#80)");
    return BibAdd{*name, proto->value_or(Proto::tcp), *pair->addr6, *pair->addr4};
  });
  bib_.add_proto.add_to(a, "Add the entry to the {} table (default: TCP)");
  a->add_option("taddrs", bib_.add_taddrs, "IPV6#PORT IPV4#PORT")->type_name("TADDR");

  auto *r = op(mode, "remove", "Remove a BIB entry", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = bib_.rm_proto.get();
    if (!proto)
      return std::move(proto).error();
    auto pair = parse_taddr_pair(bib_.rm_taddrs, "remove");
    if (!pair)
      return std::move(pair).error();
    if (!pair->addr6 && !pair->addr4)
      return Error::usage("bib remove: missing a transport address (IPV6#PORT and/or IPV4#PORT)");
    return BibRemove{*name, proto->value_or(Proto::tcp), pair->addr6, pair->addr4};
  });
  bib_.rm_proto.add_to(r, "Remove the entry from the {} table (default: TCP)");
  r->add_option("taddrs", bib_.rm_taddrs, "IPV6#PORT and/or IPV4#PORT")->type_name("TADDR");
}

void Parser::build_session(CLI::App *mode)
{
  auto *d = op(mode, "display", "Print a session table", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    auto proto = session_.proto.get();
    if (!proto)
      return std::move(proto).error();
    return SessionDisplay{*name, proto->value_or(Proto::tcp), session_.numeric, session_.table};
  });
  session_.proto.add_to(d, "Print the {} table (default: TCP)");
  d->add_flag("--numeric", session_.numeric, "Do not resolve names (nat64 never does; accepted for Jool)");
  add_table_flags(d, session_.table);
}

void Parser::build_stats(CLI::App *mode)
{
  auto *d = op(mode, "display", "Print the counters", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    return StatsDisplay{*name, stats_.all, stats_.explain, stats_.table};
  });
  d->add_flag("-a,--all", stats_.all, "Also print the counters that are zero");
  d->add_flag("-e,--explain", stats_.explain, "Print what each counter means");
  add_table_flags(d, stats_.table);
}

void Parser::build_global(CLI::App *mode)
{
  auto *d = op(mode, "display", "Print the global configuration", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    return GlobalDisplay{*name, global_.table};
  });
  add_table_flags(d, global_.table);

  auto *u = op(mode, "update", "Change one global value", [this]() -> Result<Command> {
    auto name = iname();
    if (!name)
      return std::move(name).error();
    if (global_.key_value.empty())
      return Error::usage("global update: missing the key (see `nat64 global update --help`)");
    if (global_.key_value.size() > 2)
      return Error::usage(fmt::format("unexpected argument '{}'", global_.key_value[2]));
    const std::string &key = global_.key_value[0];
    if (global_.key_value.size() < 2) {
      if (is_session_sync_key(key) || global_meta(key))
        return Error::usage(fmt::format("global update: missing the value of '{}'", key));
      return Error::usage(fmt::format("unknown global key '{}'", key));
    }
    auto v = parse_global(key, global_.key_value[1]);
    if (!v)
      return std::move(v).error();
    return GlobalUpdate{*name, std::move(*v)};
  });
  u->add_option("key-value", global_.key_value, "KEY VALUE")->type_name("KEY VALUE");
  u->add_flag("--force", global_.force, "Accepted for Jool compatibility");
  std::string keys = "Keys:\n";
  for (const auto &m : global_metas()) {
    if (m.writable)
      keys += fmt::format("  {:<30} {}\n", m.name, m.doc);
  }
  keys += "\nTimeouts: [[HH:]MM:]SS or seconds. Booleans: true/false, 1/0, yes/no, on/off.\n";
  u->footer(keys);
}

void Parser::build_file(CLI::App *mode)
{
  auto *h = op(mode, "handle", "Apply a JSON configuration file (Jool's format), all or nothing",
               [this]() -> Result<Command> {
                 if (file_.path.empty())
                   return Error::usage("file handle: missing the JSON file (e.g. /etc/nat64/nat64.conf)");
                 std::optional<std::string> name;
                 if (!root_iname_.empty()) {
                   auto n = parse_iname(root_iname_);
                   if (!n)
                     return std::move(n).error();
                   name = *n;
                 }
                 return FileHandle{file_.path, name, file_.force};
               });
  h->add_option("file", file_.path, "The JSON file")->type_name("FILE");
  h->add_flag("--force", file_.force, "Accept pool4 entries of more than 256 addresses (/16 to /23)");
  h->footer(
      "The file describes one instance: \"instance\", \"framework\", \"global\" (with pool6),\n"
      "\"pool4\" and \"bib\". A missing instance is created; keys left out take their defaults;\n"
      "pool4 and the static BIB become exactly the file's. See nat64(8).\n");
}

// Flags that cannot go together, whatever the operation.
Status check_output_flags(const Command &cmd)
{
  return std::visit(
      [](const auto &c) -> Status {
        if constexpr (requires { c.table; }) {
          if (c.table.json && c.table.csv)
            return Error::usage("--json and --csv cannot be used together");
        }
        return {};
      },
      cmd);
}

Result<Invocation> Parser::parse(std::span<const std::string> raw)
{
  auto expanded = expand_abbreviations(raw);
  if (!expanded)
    return std::move(expanded).error();
  // CLI11 consumes the vector from its back.
  std::vector<std::string> args(expanded->rbegin(), expanded->rend());

  Invocation inv;
  try {
    app_.parse(args);
  } catch (const CLI::CallForHelp &) {
    inv.text = app_.help();
    return inv;
  } catch (const CLI::CallForAllHelp &) {
    inv.text = app_.help("", CLI::AppFormatMode::All);
    return inv;
  } catch (const CLI::CallForVersion &e) {
    inv.text = std::string(e.what()) + "\n";
    return inv;
  } catch (const CLI::ParseError &e) {
    return Error::usage(reword(e));
  }

  if (!root_file_.empty()) {
    auto name = instance_name_of_file(root_file_);
    if (!name)
      return std::move(name).error();
    if (!root_iname_.empty() && root_iname_ != *name)
      return Error::usage(
          fmt::format("two different instance names given ('{}' and '{}' from {}); please give only one",
                      root_iname_, *name, root_file_));
    root_iname_ = *name;
  }

  auto modes = app_.get_subcommands();
  if (modes.empty()) {
    if (raw.empty()) {  // Jool prints its help when run without arguments.
      inv.text = app_.help();
      return inv;
    }
    std::vector<std::string_view> names;
    for (const auto &m : mode_specs())
      names.push_back(m.name);
    return Error::usage(fmt::format("missing the mode (one of: {})", fmt::join(names, ", ")));
  }
  CLI::App *mode = modes.front();
  auto ops = mode->get_subcommands();
  if (ops.empty()) {
    std::vector<std::string_view> names;
    for (const auto &m : mode_specs())
      if (m.name == mode->get_name())
        names = m.ops;
    return Error::usage(
        fmt::format("{}: missing the operation (one of: {})", mode->get_name(), fmt::join(names, ", ")));
  }
  for (auto &[sub, build] : builders_) {
    if (sub != ops.front())
      continue;
    auto cmd = build();
    if (!cmd)
      return std::move(cmd).error();
    if (Status s = check_output_flags(*cmd); !s)
      return std::move(s).error();
    inv.command = std::move(*cmd);
    inv.warnings = warnings_;
    return inv;
  }
  return Error::usage("internal error: unhandled operation");
}

}  // namespace

Result<std::vector<std::string>> expand_abbreviations(std::span<const std::string> args)
{
  std::vector<std::string> out(args.begin(), args.end());
  std::size_t i = 0;

  // Skip the root options.
  while (i < out.size() && is_option(out[i])) {
    if (out[i] == "--")
      return out;
    i += root_option_takes_value(out[i]) ? 2 : 1;
  }
  if (i >= out.size())
    return out;

  std::vector<std::string_view> mode_names;
  for (const auto &m : mode_specs())
    mode_names.push_back(m.name);
  auto mode = match_token(out[i], mode_names, "mode");
  if (!mode)
    return std::move(mode).error();
  out[i] = *mode;
  const ModeSpec *spec = nullptr;
  for (const auto &m : mode_specs())
    if (m.name == *mode)
      spec = &m;

  if (++i >= out.size() || is_option(out[i]))
    return out;
  auto op = match_token(out[i], spec->ops, fmt::format("{} operation", *mode));
  if (!op)
    return std::move(op).error();
  out[i] = *op;

  if (*mode != "global" || *op != "update")
    return out;
  // The key: the first non-option token after "update".
  for (++i; i < out.size() && is_option(out[i]); i++)
    if (out[i] == "--")
      return out;
  if (i >= out.size() || is_session_sync_key(out[i]))
    return out;
  std::vector<std::string_view> keys;
  for (const auto &m : global_metas())
    keys.push_back(m.name);
  auto key = match_token(out[i], keys, "global key");
  if (key)
    out[i] = *key;
  else if (key.error().message.starts_with("ambiguous"))
    return std::move(key).error();
  // Unknown keys are left for parse_global() to report.
  return out;
}

Result<Invocation> parse_command_line(std::span<const std::string> args)
{
  Parser p;
  return p.parse(args);
}

}  // namespace nat64
