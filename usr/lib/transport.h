// SPDX-License-Identifier: GPL-2.0-or-later
// Talking to the kernel: one request, its answers, its ACK (or dump end).
#pragma once

#include <linux/netlink.h>
#include <netlink/msg.h>

#include <functional>
#include <memory>
#include <string>

#include "result.h"

namespace nat64 {

class Transport {
 public:
  using ReplyHandler = std::function<Status(const nlmsghdr *)>;
  using WarningHandler = std::function<void(const std::string &)>;

  virtual ~Transport() = default;
  // Generic netlink family id of "nat64".
  virtual int family() const = 0;
  // Sends `req` and calls `on_reply` for each data message of the answer
  // (dumps: every message until NLMSG_DONE). Fails with the kernel's errno
  // and extack message, or with the first error `on_reply` returns.
  virtual Status exchange(nl_msg *req, const ReplyHandler &on_reply) = 0;
  // Messages the kernel attached to a successful ACK.
  void set_warning_handler(WarningHandler h) { on_warning_ = std::move(h); }

 protected:
  void warn(const std::string &msg)
  {
    if (on_warning_)
      on_warning_(msg);
  }

 private:
  WarningHandler on_warning_;
};

// Opens a generic netlink socket with extended ACKs and resolves the nat64
// family ("the nat64 kernel module is not loaded" if it is absent).
Result<std::unique_ptr<Transport>> open_netlink();

}  // namespace nat64
