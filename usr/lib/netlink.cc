// SPDX-License-Identifier: GPL-2.0-or-later
#include <fmt/format.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "nat64.h"
#include "nlmsg.h"
#include "transport.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace nat64 {

namespace {

struct SockDeleter {
  void operator()(nl_sock *s) const { nl_socket_free(s); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;

struct CbDeleter {
  void operator()(nl_cb *cb) const { nl_cb_put(cb); }
};
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

// libnl errors are not errnos; keep them apart from the kernel's.
Error libnl_error(std::string_view what, int nlerr)
{
  return Error::system(fmt::format("{}: {}", what, nl_geterror(nlerr)));
}

struct Exchange {
  const Transport::ReplyHandler *on_reply;
  std::function<void(const std::string &)> warn;
  Status status;
  bool done = false;
  bool interrupted = false;

  void fail(Error e)
  {
    if (status.ok())
      status = std::move(e);
    done = true;
  }
};

int on_valid(nl_msg *msg, void *arg)
{
  auto *x = static_cast<Exchange *>(arg);
  if (!x->status.ok())
    return NL_STOP;
  Status s = (*x->on_reply)(nlmsg_hdr(msg));
  if (!s.ok()) {
    x->fail(std::move(s).error());
    return NL_STOP;
  }
  return NL_OK;
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg)
{
  auto *x = static_cast<Exchange *>(arg);
  // libnl hands us the payload; the header (flags, TLVs) sits right before.
  auto *hdr = reinterpret_cast<const nlmsghdr *>(reinterpret_cast<const char *>(err) - NLMSG_HDRLEN);
  x->fail(Error::kernel(-err->error, extack_message(hdr)));
  return NL_STOP;
}

int on_ack(nl_msg *msg, void *arg)
{
  auto *x = static_cast<Exchange *>(arg);
  std::string warning = extack_message(nlmsg_hdr(msg));
  if (!warning.empty() && x->warn)
    x->warn(warning);
  x->done = true;
  return NL_STOP;
}

// NLMSG_DONE of a dump; a failed dump carries a negative errno (and extack).
int on_finish(nl_msg *msg, void *arg)
{
  auto *x = static_cast<Exchange *>(arg);
  nlmsghdr *h = nlmsg_hdr(msg);
  if (nlmsg_datalen(h) >= static_cast<int>(sizeof(int))) {
    int e;
    std::memcpy(&e, nlmsg_data(h), sizeof(e));
    if (e < 0) {
      x->fail(Error::kernel(-e, extack_message(h)));
      return NL_STOP;
    }
  }
  x->done = true;
  return NL_STOP;
}

int on_dump_intr(nl_msg *, void *arg)
{
  static_cast<Exchange *>(arg)->interrupted = true;
  return NL_OK;
}

class NetlinkTransport final : public Transport {
 public:
  NetlinkTransport(SockPtr sock, int family) : sock_(std::move(sock)), family_(family) {}

  int family() const override { return family_; }

  Status exchange(nl_msg *req, const ReplyHandler &on_reply) override
  {
    CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb)
      return Error::system("out of memory", ENOMEM);
    Exchange x{&on_reply, [this](const std::string &m) { warn(m); }, {}, false, false};
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
    nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &x);
    nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &x);
    nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &x);

    int err = nl_send_auto(sock_.get(), req);
    if (err < 0)
      return libnl_error("cannot send the request to the kernel", err);
    while (!x.done) {
      err = nl_recvmsgs(sock_.get(), cb.get());
      if (err < 0 && !x.done)
        return libnl_error("cannot read the kernel's answer", err);
    }
    if (x.status.ok() && x.interrupted)
      warn("the table changed during the listing; it may be inconsistent");
    return x.status;
  }

 private:
  SockPtr sock_;
  int family_;
};

}  // namespace

Result<std::unique_ptr<Transport>> open_netlink()
{
  SockPtr sock(nl_socket_alloc());
  if (!sock)
    return Error::system("out of memory", ENOMEM);
  int err = genl_connect(sock.get());
  if (err < 0)
    return libnl_error("cannot open a generic netlink socket", err);

  int fd = nl_socket_get_fd(sock.get());
  int one = 1;
  // Best effort: kernels without these still work, only less verbosely.
  (void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  (void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  // Big dumps (hundreds of thousands of sessions): let libnl size its
  // buffer to whatever the kernel packs into one datagram.
  nl_socket_enable_msg_peek(sock.get());
  (void)nl_socket_set_buffer_size(sock.get(), 1 << 20, 0);

  int family = genl_ctrl_resolve(sock.get(), NAT64_GENL_NAME);
  if (family == -NLE_OBJ_NOTFOUND)
    return Error::system("the nat64 kernel module is not loaded (modprobe nat64)");
  if (family < 0)
    return libnl_error("cannot look up the nat64 generic netlink family", family);
  return std::unique_ptr<Transport>(std::make_unique<NetlinkTransport>(std::move(sock), family));
}

}  // namespace nat64
