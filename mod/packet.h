/* SPDX-License-Identifier: GPL-2.0 */
/* The data path: one packet through one instance (RFC 6146 §3.1). */
#ifndef NAT64_PACKET_H
#define NAT64_PACKET_H

#include <linux/skbuff.h>
#include "instance.h"

/* The one verdict of the data path; hooks.c and xt_target.c map it to
 * their framework's values in one place each. */
enum nat64_verdict {
	NAT64_CONTINUE,	/* not for the translator: let the stack have it */
	NAT64_STOLEN,	/* translated and sent on: the skb is gone */
	NAT64_DROP,	/* dropped and counted */
};

/* Called at PRE_ROUTING with rcu_read_lock held and skb->data at the
 * network header. */
enum nat64_verdict nat64_translate6(struct nat64_instance *inst, struct sk_buff *skb);
enum nat64_verdict nat64_translate4(struct nat64_instance *inst, struct sk_buff *skb);

#endif
