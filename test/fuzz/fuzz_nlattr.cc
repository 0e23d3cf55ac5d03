// libFuzzer target: the CLI's decoder of kernel answers (usr/lib/nlmsg.cc)
// and the output formats the decoded values go to. The input is what one
// recvmsg() on the netlink socket could return: messages back to back.
// They are split as libnl's nl_recvmsgs() splits them (nlmsg_ok /
// nlmsg_next) and each is copied into a heap buffer of exactly nlmsg_len
// bytes, so that ASan reports any read past the message. Every decoder and
// extack_message() run on every message (each must cope with any
// message: a newer or broken module may send anything); what decodes is
// printed in every format, as `nat64 ... display` would.
#include <netlink/msg.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "nlmsg.h"
#include "output.h"

using namespace nat64;

namespace {

[[noreturn]] void finding(const char *what)
{
  fprintf(stderr, "FINDING: %s\n", what);
  abort();
}

const TableOpts kFormats[] = {{false, false, false}, {true, false, false}, {false, true, false}};

void show(const InstanceEntry &e)
{
  for (const TableOpts &t : kFormats)
    (void)instance_row(e, t);
  (void)json_instance_row(e);
}

void show(const Pool4Entry &e)
{
  // pool4 display prints one row per address, as Jool does: keep it to
  // prefixes the kernel accepts without --force, not 2^32 rows.
  if (e.prefix.len < 24)
    return;
  std::span<const Pool4Entry> one(&e, 1);
  for (const TableOpts &t : kFormats)
    (void)pool4_table(one, t);
  (void)json_pool4(one);
}

void show(const BibEntry &e)
{
  for (const TableOpts &t : kFormats)
    (void)bib_row(e, t);
  (void)json_bib_row(e);
}

void show(const SessionEntry &e)
{
  for (const TableOpts &t : kFormats)
    (void)session_row(e, t);
  (void)json_session_row(e);
}

void show(const std::vector<StatValue> &v)
{
  for (std::size_t i = 1; i < v.size(); i++)
    if (v[i - 1].id > v[i].id)
      finding("decode_stats: counters not in ascending order");
  for (const TableOpts &t : kFormats) {
    (void)stats_table(v, true, true, t);
    (void)stats_table(v, false, false, t);
  }
  (void)json_stats(v, true);
  (void)json_stats(v, false);
}

void show(const std::vector<GlobalValue> &v)
{
  for (const GlobalValue &g : v)
    if (!g.meta)
      finding("decode_globals: a value without its key");
  for (const TableOpts &t : kFormats)
    (void)globals_table(v, t);
  (void)json_globals(v);
}

template <typename R>
void decoded(const R &r)
{
  if (r.ok())
    show(*r);
  else if (r.error().message.empty())
    finding("decoder error without a message");
}

void one_message(const nlmsghdr *h)
{
  decoded(decode_instance(h));
  decoded(decode_pool4(h));
  decoded(decode_bib(h));
  decoded(decode_session(h));
  decoded(decode_stats(h));
  decoded(decode_globals(h));
  std::string msg = extack_message(h);
  if (msg.find('\0') != std::string::npos)
    finding("extack message with a NUL byte");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  // An aligned copy of the datagram to walk (libnl's receive buffer).
  std::vector<uint32_t> buf((size + 3) / 4);
  if (size)
    memcpy(buf.data(), data, size);
  auto *h = reinterpret_cast<nlmsghdr *>(buf.data());
  int rem = static_cast<int>(size);
  for (; nlmsg_ok(h, rem); h = nlmsg_next(h, &rem)) {
    // The message alone, as libnl hands it to the callbacks: a heap
    // buffer of exactly nlmsg_len bytes (new[] aligns it for nlmsghdr).
    std::unique_ptr<uint8_t[]> msg(new uint8_t[h->nlmsg_len]);
    memcpy(msg.get(), h, h->nlmsg_len);
    one_message(reinterpret_cast<const nlmsghdr *>(msg.get()));
  }
  return 0;
}
