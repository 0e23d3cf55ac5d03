/* SPDX-License-Identifier: GPL-2.0 */
/* The "global" keys of an instance over netlink: policy, dump, update. */
#ifndef NAT64_GLOBALS_H
#define NAT64_GLOBALS_H

#include <net/genetlink.h>
#include "instance.h"

extern const struct nla_policy nat64_globals_policy[NAT64_G_MAX + 1];

int nat64_globals_put(struct sk_buff *msg, const struct nat64_instance *inst);
/* Validates every key in the nest first; writes *out (starting from its
 * current values) only when all of them are valid. */
int nat64_globals_parse(const struct nlattr *nest, struct nat64_globals *out,
			struct netlink_ext_ack *extack);
/* Validates every key in the nest first; applies all of them or none. */
int nat64_globals_set(struct nat64_instance *inst, const struct nlattr *nest,
		      struct netlink_ext_ack *extack);

#endif
