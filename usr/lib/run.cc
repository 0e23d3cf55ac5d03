// SPDX-License-Identifier: GPL-2.0-or-later
#include "run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "cli.h"
#include "config.h"
#include "nlmsg.h"
#include "output.h"
#include "plan.h"
#include "request.h"
#include "values.h"

namespace nat64 {

std::string Error::describe() const
{
  std::string reason = err ? std::strerror(err) : "";
  if (kind == Kind::kernel && err == EPERM && message.empty())
    return reason + " (CAP_NET_ADMIN is required)";
  if (message.empty())
    return reason.empty() ? "unknown error" : reason;
  if (reason.empty())
    return message;
  return fmt::format("{} ({})", message, reason);
}

namespace {

Error with_context(Error e, std::string_view context)
{
  if (e.kind == Error::Kind::kernel)
    e.message = e.message.empty() ? fmt::format("{}", context) : fmt::format("{}: {}", context, e.message);
  return e;
}

// A table streamed from a dump: the header goes out with the first row (or
// at the end of a successful, empty dump), so a failure prints no header.
template <typename Decode, typename Row>
Status stream_table(Transport &t, Result<MsgPtr> msg, std::ostream &out, const std::string &header,
                    Decode decode, Row row)
{
  bool started = false;
  Status s = collect(t, std::move(msg), decode, [&](const auto &entry) {
    if (!started)
      out << header;
    started = true;
    out << row(entry);
  });
  if (s && !started)
    out << header;
  return s;
}

// A JSON array streamed from a dump: "[" goes out with the first element,
// so a failure before it prints nothing.
template <typename Decode, typename Row>
Status stream_json(Transport &t, Result<MsgPtr> msg, std::ostream &out, Decode decode, Row row)
{
  bool started = false;
  Status s = collect(t, std::move(msg), decode, [&](const auto &entry) {
    out << (started ? ",\n  " : "[\n  ") << row(entry);
    started = true;
  });
  if (s)
    out << (started ? "\n]\n" : "[]\n");
  else if (started)
    out << "\n";
  return s;
}

struct Runner {
  Transport &t;
  std::ostream &out;
  int fam = t.family();

  Status operator()(const InstanceDisplay &c)
  {
    if (c.table.json)
      return stream_json(t, encode_instance_dump(fam), out, decode_instance, json_instance_row);
    auto s = stream_table(t, encode_instance_dump(fam), out, instance_header(c.table), decode_instance,
                          [&](const InstanceEntry &e) { return instance_row(e, c.table); });
    if (s)
      out << instance_footer(c.table);
    return s;
  }

  Status operator()(const InstanceAdd &c) { return send(t, encode_instance_add(fam, c)); }
  Status operator()(const InstanceRemove &c) { return send(t, encode_instance_remove(fam, c.iname)); }
  Status operator()(const InstanceFlush &) { return send(t, encode_instance_flush(fam)); }

  Status operator()(const InstanceStatus &c)
  {
    Status s = collect(t, encode_instance_get(fam, c.iname), decode_instance, [](const InstanceEntry &) {});
    if (s) {
      out << (c.json ? json_status(c.iname, true) : "Running\n");
      return s;
    }
    if (s.error().kind == Error::Kind::kernel && s.error().err == ESRCH) {
      if (c.json)
        out << json_status(c.iname, false);
      else
        out << "Dead\n" << fmt::format("(Instance '{}' does not exist.)\n", c.iname);
      return {};
    }
    if (!c.json)
      out << "Status unknown\n";
    return s;
  }

  Status operator()(const Pool4Display &c)
  {
    std::vector<Pool4Entry> entries;
    auto s = collect(t, encode_pool4_dump(fam, c.iname, c.proto), decode_pool4,
                     [&](Pool4Entry e) { entries.push_back(e); });
    if (s)
      out << (c.table.json ? json_pool4(entries) : pool4_table(entries, c.table));
    return s;
  }

  // Without a protocol flag: one entry per protocol. All of them or none:
  // a rejection takes back the entries already added.
  Status operator()(const Pool4Add &c)
  {
    for (std::size_t i = 0; i < c.entries.size(); i++) {
      Status s = send(t, encode_pool4_add(fam, c.iname, c.entries[i]));
      if (s)
        continue;
      if (c.entries.size() == 1)
        return s;
      Error e = with_context(std::move(s).error(), proto_name(c.entries[i].proto));
      bool undone = true;
      for (std::size_t j = i; j-- > 0;)
        undone = send(t, encode_pool4_remove(fam, c.iname, c.entries[j], true)).ok() && undone;
      if (i > 0)
        e = Error{e.kind, 0, e.describe() + (undone ? "; nothing was changed" : "; undoing it failed too")};
      return e;
    }
    return {};
  }

  // Without a protocol flag: from every protocol that has the entry (a
  // protocol without it is not an error, unless none has it).
  Status operator()(const Pool4Remove &c)
  {
    std::optional<Error> missing;
    std::size_t removed = 0;
    for (const auto &e : c.entries) {
      Status s = send(t, encode_pool4_remove(fam, c.iname, e, c.quick));
      if (s) {
        removed++;
        continue;
      }
      Error err = c.entries.size() > 1 ? with_context(std::move(s).error(), proto_name(e.proto)) : s.error();
      if (c.entries.size() > 1 && err.kind == Error::Kind::kernel && err.err == ESRCH) {
        if (!missing)
          missing = err;
        continue;
      }
      return err;
    }
    if (!removed && missing)
      return *missing;
    return {};
  }

  Status operator()(const Pool4Flush &c) { return send(t, encode_pool4_flush(fam, c.iname, c.quick)); }

  Status operator()(const BibDisplay &c)
  {
    if (c.table.json)
      return stream_json(t, encode_bib_dump(fam, c.iname, c.proto), out, decode_bib, json_bib_row);
    return stream_table(t, encode_bib_dump(fam, c.iname, c.proto), out, bib_header(c.table), decode_bib,
                        [&](const BibEntry &e) { return bib_row(e, c.table); });
  }

  Status operator()(const BibAdd &c) { return send(t, encode_bib_add(fam, c)); }
  Status operator()(const BibRemove &c) { return send(t, encode_bib_remove(fam, c)); }

  Status operator()(const SessionDisplay &c)
  {
    if (c.table.json)
      return stream_json(t, encode_session_dump(fam, c.iname, c.proto), out, decode_session,
                         json_session_row);
    return stream_table(t, encode_session_dump(fam, c.iname, c.proto), out, session_header(c.table),
                        decode_session, [&](const SessionEntry &e) { return session_row(e, c.table); });
  }

  Status operator()(const StatsDisplay &c)
  {
    std::vector<StatValue> stats;
    auto s = collect(t, encode_stats_get(fam, c.iname), decode_stats,
                     [&](std::vector<StatValue> v) { stats = std::move(v); });
    if (s)
      out << (c.table.json ? json_stats(stats, c.explain) : stats_table(stats, c.all, c.explain, c.table));
    return s;
  }

  Status operator()(const GlobalDisplay &c)
  {
    std::vector<GlobalValue> values;
    auto s = collect(t, encode_global_get(fam, c.iname), decode_globals,
                     [&](std::vector<GlobalValue> v) { values = std::move(v); });
    if (!s)
      return s;
    std::stable_sort(values.begin(), values.end(),
                     [](const GlobalValue &a, const GlobalValue &b) { return a.meta->id < b.meta->id; });
    out << (c.table.json ? json_globals(values) : globals_table(values, c.table));
    return s;
  }

  Status operator()(const GlobalUpdate &c)
  {
    return send(t, encode_global_set(fam, c.iname, std::span<const GlobalValue>(&c.value, 1)));
  }

  Status operator()(const FileHandle &c)
  {
    auto cfg = load_config_file(c.path, c.iname, c.force);
    if (!cfg)
      return std::move(cfg).error();
    return apply_config(t, *cfg);
  }
};

void report(std::ostream &err, const Error &e)
{
  err << program_name << ": " << e.describe() << "\n";
}

// The instance a command is about, if any.
std::optional<std::string> target_instance(const Command &cmd)
{
  return std::visit(
      [](const auto &c) -> std::optional<std::string> {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, FileHandle>)
          return std::nullopt;
        else if constexpr (requires { c.iname; })
          return c.iname;
        else
          return std::nullopt;
      },
      cmd);
}

}  // namespace

Status run(const Command &cmd, Transport &t, std::ostream &out)
{
  Status s = std::visit(Runner{t, out}, cmd);
  out.flush();
  // Some kernels drop the extack message of a failed dump start; ESRCH
  // always means the instance is missing.
  if (!s && s.error().kind == Error::Kind::kernel && s.error().err == ESRCH && s.error().message.empty()) {
    if (auto iname = target_instance(cmd)) {
      Error e = s.error();
      e.message = fmt::format("there is no instance '{}' in this network namespace", *iname);
      return e;
    }
  }
  return s;
}

int nat64_main(std::span<const std::string> args, const TransportOpener &open, std::ostream &out,
               std::ostream &err)
{
  auto inv = parse_command_line(args);
  if (!inv) {
    report(err, inv.error());
    return inv.error().exit_code();
  }
  for (const auto &w : inv->warnings)
    err << program_name << ": warning: " << w << "\n";
  if (!inv->command) {
    out << inv->text;
    return 0;
  }

  // A configuration file is read and checked completely before the kernel
  // hears of it (and even when the module is not loaded).
  if (const auto *fh = std::get_if<FileHandle>(&*inv->command)) {
    auto cfg = load_config_file(fh->path, fh->iname, fh->force);
    if (!cfg) {
      report(err, cfg.error());
      return cfg.error().exit_code();
    }
  }

  auto transport = open();
  if (!transport) {
    if (std::holds_alternative<InstanceStatus>(*inv->command))
      out << "Dead\n";  // init scripts read this label (as with Jool)
    report(err, transport.error());
    return transport.error().exit_code();
  }
  (*transport)->set_warning_handler([&err](const std::string &w) {
    err << program_name << ": warning: " << w << "\n";
  });

  Status s = run(*inv->command, **transport, out);
  if (!s) {
    report(err, s.error());
    return s.error().exit_code();
  }
  return 0;
}

}  // namespace nat64
