/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing shared by the handlers of every table. genl.c
 * owns the family and the op table; instance, globals and stats handlers
 * live there, the pool4/BIB/session handlers in state_nl.c.
 */
#ifndef NAT64_GENL_H
#define NAT64_GENL_H

#include <net/genetlink.h>
#include "instance.h"

extern struct genl_family nat64_genl_family;

int nat64_genl_init(void);
void nat64_genl_exit(void);

/* Counted reference to the instance named by NAT64_A_INAME in the caller's
 * netns; NULL with an extack message (and *err) when missing. */
struct nat64_instance *nat64_genl_instance(struct genl_info *info, int *err);

/*
 * Dumps: .start = nat64_dump_start resolves NAT64_A_INAME (required) and
 * NAT64_A_PROTO (optional, 0 = none) into the context below; .done =
 * nat64_dump_done drops the reference. pos[] is free for the dumper to
 * remember where it stopped between calls.
 */
struct nat64_dump_ctx {
	struct nat64_instance *inst;
	u8 proto;
	u8 fail;	/* enum nat64_dump_fail: reported by the first dumpit */
	u64 pos[4];
};

static inline struct nat64_dump_ctx *nat64_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct nat64_dump_ctx) > sizeof(cb->ctx));
	return (struct nat64_dump_ctx *)cb->ctx;
}

int nat64_dump_start(struct netlink_callback *cb);
int nat64_dump_done(struct netlink_callback *cb);
/* Every dumpit starts with this: a request that .start found wrong fails
 * here, where the kernel passes an extack (before 6.2 .start gets none). */
int nat64_dump_failed(struct netlink_callback *cb);

/* state_nl.c: pool4, BIB and session handlers. */
int nat64_nl_pool4_add(struct sk_buff *skb, struct genl_info *info);
int nat64_nl_pool4_del(struct sk_buff *skb, struct genl_info *info);
int nat64_nl_pool4_flush(struct sk_buff *skb, struct genl_info *info);
int nat64_nl_pool4_dump(struct sk_buff *skb, struct netlink_callback *cb);
int nat64_nl_bib_add(struct sk_buff *skb, struct genl_info *info);
int nat64_nl_bib_del(struct sk_buff *skb, struct genl_info *info);
int nat64_nl_bib_dump(struct sk_buff *skb, struct netlink_callback *cb);
int nat64_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* Attribute policies of the nests, for nla_parse_nested in the handlers. */
extern const struct nla_policy nat64_pool4_policy[NAT64_POOL4_MAX + 1];
extern const struct nla_policy nat64_bib_policy[NAT64_BIB_MAX + 1];

#endif
