// SPDX-License-Identifier: GPL-2.0-or-later
// One request to the kernel through a Transport: either expecting no data
// back (send) or decoding each answer (collect). Shared by the commands
// (run.cc) and `file handle` (plan.cc).
#pragma once

#include <utility>

#include "nlmsg.h"
#include "result.h"
#include "transport.h"

namespace nat64 {

// Sends a request that expects no data back.
inline Status send(Transport &t, Result<MsgPtr> msg)
{
  if (!msg)
    return std::move(msg).error();
  return t.exchange(msg->get(), [](const nlmsghdr *) { return Status(); });
}

// Sends a request and decodes each answer with `decode`, handing the result
// to `use`.
template <typename Decode, typename Use>
Status collect(Transport &t, Result<MsgPtr> msg, Decode decode, Use use)
{
  if (!msg)
    return std::move(msg).error();
  return t.exchange(msg->get(), [&](const nlmsghdr *h) -> Status {
    auto v = decode(h);
    if (!v)
      return std::move(v).error();
    use(std::move(*v));
    return {};
  });
}

}  // namespace nat64
