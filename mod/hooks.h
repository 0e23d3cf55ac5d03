/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of packets: netfilter hooks (netfilter mode) and the JOOL
 * xtables target (iptables mode). Both end in packet.c. */
#ifndef NAT64_HOOKS_H
#define NAT64_HOOKS_H

#include <net/net_namespace.h>

int nat64_hooks_register(struct net *net);
void nat64_hooks_unregister(struct net *net);

int nat64_xt_init(void);
void nat64_xt_exit(void);

#endif
