// SPDX-License-Identifier: GPL-2.0-or-later
// Generic netlink messages of the nat64 family: building requests and
// decoding answers. No I/O here (see transport.h), so all of it is testable.
#pragma once

#include <linux/netlink.h>
#include <netlink/msg.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "command.h"
#include "globals.h"
#include "result.h"
#include "types.h"

namespace nat64 {

struct NlMsgDeleter {
  void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using MsgPtr = std::unique_ptr<nl_msg, NlMsgDeleter>;

// Requests. `family` is the resolved generic netlink family id. Table reads
// carry NLM_F_DUMP, everything else NLM_F_ACK.
Result<MsgPtr> encode_instance_add(int family, const InstanceAdd &c);
Result<MsgPtr> encode_instance_remove(int family, const std::string &iname);
Result<MsgPtr> encode_instance_dump(int family);
Result<MsgPtr> encode_instance_get(int family, const std::string &iname);
Result<MsgPtr> encode_instance_flush(int family);
Result<MsgPtr> encode_pool4_add(int family, const std::string &iname, const Pool4Entry &e);
Result<MsgPtr> encode_pool4_remove(int family, const std::string &iname, const Pool4Entry &e, bool quick);
Result<MsgPtr> encode_pool4_dump(int family, const std::string &iname, std::optional<Proto> proto);
Result<MsgPtr> encode_pool4_flush(int family, const std::string &iname, bool quick);
Result<MsgPtr> encode_bib_add(int family, const BibAdd &c);
Result<MsgPtr> encode_bib_remove(int family, const BibRemove &c);
Result<MsgPtr> encode_bib_dump(int family, const std::string &iname, Proto proto);
Result<MsgPtr> encode_session_dump(int family, const std::string &iname, Proto proto);
Result<MsgPtr> encode_stats_get(int family, const std::string &iname);
Result<MsgPtr> encode_global_get(int family, const std::string &iname);
Result<MsgPtr> encode_global_set(int family, const std::string &iname, std::span<const GlobalValue> values);

// Answers: one message each (dumps: one entry per message).
Result<InstanceEntry> decode_instance(const nlmsghdr *h);
Result<Pool4Entry> decode_pool4(const nlmsghdr *h);
Result<BibEntry> decode_bib(const nlmsghdr *h);
Result<SessionEntry> decode_session(const nlmsghdr *h);
Result<std::vector<StatValue>> decode_stats(const nlmsghdr *h);      // ascending id, unknown ids kept
Result<std::vector<GlobalValue>> decode_globals(const nlmsghdr *h);  // unknown keys skipped

// The extack message (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR or NLMSG_DONE
// message, "" if there is none.
std::string extack_message(const nlmsghdr *h);

}  // namespace nat64
