// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "nlmsg.h"
#include "request.h"
#include "values.h"

namespace nat64 {

namespace {

// ---- requests ---------------------------------------------------------

std::string_view framework_name(std::uint8_t fw)
{
  return fw == NAT64_FW_NETFILTER ? "netfilter" : fw == NAT64_FW_IPTABLES ? "iptables" : "unknown";
}

std::string ports(const PortRange &r)
{
  return fmt::format("{}-{}", r.min, r.max);
}

std::string pool4_text(const Pool4Entry &e)
{
  std::string s =
      fmt::format("{} {} {} mark {}", proto_name(e.proto), format_prefix(e.prefix), ports(e.ports), e.mark);
  if (e.max_iter == max_iter_infinity)
    s += " max-iterations infinity";
  else if (e.max_iter != max_iter_auto)
    s += fmt::format(" max-iterations {}", e.max_iter);
  return s;
}

std::string bib_text(const BibEntry &b)
{
  return fmt::format("{} {}#{} {}#{}", proto_name(b.proto), format_addr(b.addr6.addr), b.addr6.port,
                     format_addr(b.addr4.addr), b.addr4.port);
}

struct Describe {
  std::string operator()(const op::AddInstance &o) const
  {
    return fmt::format("instance add ({}, pool6 {})", framework_name(static_cast<std::uint8_t>(o.framework)),
                       format_prefix(o.pool6));
  }
  std::string operator()(const op::RemoveInstance &) const { return "instance remove"; }
  std::string operator()(const op::AddPool4 &o) const { return "pool4 add " + pool4_text(o.entry); }
  std::string operator()(const op::RemovePool4 &o) const { return "pool4 remove " + pool4_text(o.entry); }
  std::string operator()(const op::AddBib &o) const { return "bib add " + bib_text(o.entry); }
  std::string operator()(const op::RemoveBib &o) const { return "bib remove " + bib_text(o.entry); }
  std::string operator()(const op::SetGlobals &o) const
  {
    std::string s = "global update";
    for (std::size_t i = 0; i < o.values.size(); i++) {
      const GlobalValue &v = o.values[i];
      std::string value = v.meta->type == GlobalType::plateaus
                              ? format_plateaus(std::get<std::vector<std::uint16_t>>(v.data))
                              : format_global(v, true);
      s += fmt::format("{} {} {}", i ? "," : "", v.meta->name, value);
    }
    return s;
  }
};

struct Perform {
  Transport &t;
  const std::string &iname;
  int fam = t.family();

  Status operator()(const op::AddInstance &o)
  {
    return send(t, encode_instance_add(fam, InstanceAdd{iname, o.framework, o.pool6}));
  }
  Status operator()(const op::RemoveInstance &) { return send(t, encode_instance_remove(fam, iname)); }
  Status operator()(const op::AddPool4 &o) { return send(t, encode_pool4_add(fam, iname, o.entry)); }
  Status operator()(const op::RemovePool4 &o)
  {
    return send(t, encode_pool4_remove(fam, iname, o.entry, true));
  }
  Status operator()(const op::AddBib &o)
  {
    return send(t, encode_bib_add(fam, BibAdd{iname, o.entry.proto, o.entry.addr6, o.entry.addr4}));
  }
  Status operator()(const op::RemoveBib &o)
  {
    return send(t, encode_bib_remove(fam, BibRemove{iname, o.entry.proto, o.entry.addr6, o.entry.addr4}));
  }
  Status operator()(const op::SetGlobals &o) { return send(t, encode_global_set(fam, iname, o.values)); }
};

// ---- pool4 rows -------------------------------------------------------

// Everything of a row but its address.
using RowAttrs = std::tuple<std::uint8_t, std::uint32_t, std::uint16_t, std::uint16_t, std::uint32_t>;
// A row: attributes and the address in host order.
using RowKey = std::tuple<RowAttrs, std::uint32_t>;

RowAttrs attrs(const Pool4Entry &e)
{
  return {static_cast<std::uint8_t>(e.proto), e.mark, e.ports.min, e.ports.max, e.max_iter};
}

// Every address of the entry, as a row.
template <typename F>
void for_each_row(const Pool4Entry &e, F f)
{
  std::uint32_t base = ntohl(e.prefix.addr.s_addr);
  std::uint64_t count = std::uint64_t{1} << (32 - e.prefix.len);
  for (std::uint64_t k = 0; k < count; k++)
    f(RowKey{attrs(e), static_cast<std::uint32_t>(base + k)});
}

Pool4Entry row_entry(const RowAttrs &a, std::uint32_t addr, unsigned len)
{
  Pool4Entry e;
  e.proto = static_cast<Proto>(std::get<0>(a));
  e.mark = std::get<1>(a);
  e.ports = {std::get<2>(a), std::get<3>(a)};
  e.max_iter = std::get<4>(a);
  e.prefix.addr.s_addr = htonl(addr);
  e.prefix.len = static_cast<std::uint8_t>(len);
  return e;
}

bool same_bib(const BibEntry &a, const BibEntry &b)
{
  return a.proto == b.proto && a.addr6.port == b.addr6.port && a.addr4.port == b.addr4.port &&
         a.addr4.addr.s_addr == b.addr4.addr.s_addr && std::memcmp(&a.addr6.addr, &b.addr6.addr, 16) == 0;
}

}  // namespace

std::vector<Pool4Entry> merge_pool4_rows(std::vector<Pool4Entry> rows)
{
  std::map<RowAttrs, std::vector<std::uint32_t>> groups;
  for (const auto &r : rows)
    for_each_row(r, [&](const RowKey &k) { groups[std::get<0>(k)].push_back(std::get<1>(k)); });

  std::vector<Pool4Entry> out;
  for (auto &[a, addrs] : groups) {
    std::sort(addrs.begin(), addrs.end());
    addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
    for (std::size_t i = 0; i < addrs.size();) {
      std::uint32_t first = addrs[i];
      // The largest aligned block (at most /16, a pool4 entry's limit)
      // whose addresses are all there.
      unsigned bits = 16;
      for (; bits > 0; bits--) {
        std::uint64_t size = std::uint64_t{1} << bits;
        if (first % size == 0 && i + size - 1 < addrs.size() && addrs[i + size - 1] == first + size - 1)
          break;
      }
      out.push_back(row_entry(a, first, 32 - bits));
      i += std::size_t{1} << bits;
    }
  }
  return out;
}

std::string describe(const Op &o)
{
  return std::visit(Describe{}, o);
}

Result<CurrentState> read_current(Transport &t, const std::string &iname)
{
  CurrentState now;
  int fam = t.family();
  Status s = collect(t, encode_instance_get(fam, iname), decode_instance,
                     [&](InstanceEntry e) { now.instance = std::move(e); });
  if (!s) {
    if (s.error().kind == Error::Kind::kernel && s.error().err == ESRCH)
      return now;
    return std::move(s).error();
  }
  if (!now.instance)
    return Error::system("the kernel did not describe the instance");

  s = collect(t, encode_global_get(fam, iname), decode_globals, [&](std::vector<GlobalValue> v) {
    for (auto &g : v)
      if (g.meta->writable)
        now.globals.push_back(std::move(g));
  });
  if (!s)
    return std::move(s).error();
  s = collect(t, encode_pool4_dump(fam, iname, std::nullopt), decode_pool4,
              [&](Pool4Entry e) { now.pool4.push_back(e); });
  if (!s)
    return std::move(s).error();
  for (Proto p : all_protos) {
    s = collect(t, encode_bib_dump(fam, iname, p), decode_bib, [&](BibEntry b) {
      if (b.is_static)
        now.bib.push_back(b);
    });
    if (!s)
      return std::move(s).error();
  }
  return now;
}

Result<Plan> make_plan(const FileConfig &f, const CurrentState &now)
{
  Plan plan{f.iname, {}};
  bool creating = !now.instance;
  if (creating) {
    if (!f.pool6)
      return Error::system(fmt::format(
          "global.pool6: missing; instance '{}' does not exist and pool6 is needed to create it", f.iname));
    plan.steps.push_back({op::AddInstance{f.framework, *f.pool6}, op::RemoveInstance{}, "instance"});
  } else {
    const InstanceEntry &inst = *now.instance;
    if (inst.framework != static_cast<std::uint8_t>(f.framework))
      return Error::system(
          fmt::format("framework: instance '{}' exists with framework {}; remove it first to change that",
                      f.iname, framework_name(inst.framework)));
    if (f.pool6 && inst.pool6 && !(*inst.pool6 == *f.pool6))
      return Error::system(fmt::format(
          "global.pool6: instance '{}' has pool6 {}, which cannot change; remove the instance first", f.iname,
          format_prefix(*inst.pool6)));
  }
  // Undoing the creation undoes everything after it.
  auto undo = [&](Op o) -> std::optional<Op> {
    if (creating)
      return std::nullopt;
    return o;
  };

  // Static bindings that the file does not have.
  for (const auto &b : now.bib) {
    bool kept = std::any_of(f.bib.begin(), f.bib.end(), [&](const BibEntry &x) { return same_bib(x, b); });
    if (!kept)
      plan.steps.push_back({op::RemoveBib{b}, undo(op::AddBib{b}), ""});
  }

  // pool4, row by row: a file entry whose rows are all there stays; the
  // rest of the rows go, and the other file entries are added whole.
  std::set<RowKey> have, wanted;
  for (const auto &r : now.pool4)
    for_each_row(r, [&](const RowKey &k) { have.insert(k); });
  std::vector<std::size_t> to_add;
  for (std::size_t i = 0; i < f.pool4.size(); i++) {
    bool all = true;
    for_each_row(f.pool4[i], [&](const RowKey &k) { all = all && have.count(k); });
    if (all)
      for_each_row(f.pool4[i], [&](const RowKey &k) { wanted.insert(k); });
    else
      to_add.push_back(i);
  }
  std::vector<Pool4Entry> gone;
  for (const auto &k : have)
    if (!wanted.count(k))
      gone.push_back(row_entry(std::get<0>(k), std::get<1>(k), 32));
  for (const auto &e : merge_pool4_rows(std::move(gone)))
    plan.steps.push_back({op::RemovePool4{e}, undo(op::AddPool4{e}), ""});
  for (std::size_t i : to_add)
    plan.steps.push_back({op::AddPool4{f.pool4[i]}, undo(op::RemovePool4{f.pool4[i]}), f.pool4_paths[i]});

  // Static bindings that the kernel does not have.
  for (std::size_t i = 0; i < f.bib.size(); i++) {
    const BibEntry &b = f.bib[i];
    bool there =
        std::any_of(now.bib.begin(), now.bib.end(), [&](const BibEntry &x) { return same_bib(x, b); });
    if (!there)
      plan.steps.push_back({op::AddBib{b}, undo(op::RemoveBib{b}), f.bib_paths[i]});
  }

  // Globals: one request with every key that changes (the kernel applies
  // all of them or none).
  std::vector<GlobalValue> old = creating ? default_globals() : now.globals;
  op::SetGlobals set, restore;
  for (const auto &g : f.globals) {
    auto it = std::find_if(old.begin(), old.end(), [&](const GlobalValue &o) { return o.meta == g.meta; });
    if (it != old.end() && same_value(*it, g))
      continue;
    set.values.push_back(g);
    if (it != old.end())
      restore.values.push_back(*it);
  }
  if (!set.values.empty())
    plan.steps.push_back({set, undo(restore), "global"});
  return plan;
}

Status execute(Transport &t, const Plan &plan)
{
  std::vector<const Step *> done;
  for (const auto &step : plan.steps) {
    Status s = std::visit(Perform{t, plan.iname}, step.op);
    if (s) {
      done.push_back(&step);
      continue;
    }
    Error e = std::move(s).error();
    std::string where = step.where.empty() ? describe(step.op) : step.where;
    std::string text = fmt::format("{}: {}", where, e.describe());

    std::optional<std::string> rollback_error;
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      if (!(*it)->undo)
        continue;
      Status u = std::visit(Perform{t, plan.iname}, *(*it)->undo);
      if (!u && !rollback_error)
        rollback_error = fmt::format("{}: {}", describe(*(*it)->undo), u.error().describe());
    }
    if (rollback_error)
      text += fmt::format("; undoing the changes failed too ({}), so the configuration is partly applied",
                          *rollback_error);
    else if (done.empty())
      text += "; nothing was changed";
    else
      text += "; the previous configuration was restored";
    return Error{e.kind, 0, text};
  }
  return {};
}

Status apply_config(Transport &t, const FileConfig &file)
{
  auto now = read_current(t, file.iname);
  if (!now)
    return std::move(now).error();
  auto plan = make_plan(file, *now);
  if (!plan)
    return std::move(plan).error();
  return execute(t, *plan);
}

}  // namespace nat64
