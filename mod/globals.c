// SPDX-License-Identifier: GPL-2.0
/*
 * Global keys. GLOBAL_SET builds a complete new copy, validates it, and
 * only then writes it over the instance's globals, so a rejected request
 * changes nothing. Writers are serialised by genl_mutex; the data path
 * reads single fields with READ_ONCE.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "globals.h"

#define BOOL_POLICY NLA_POLICY_MAX(NLA_U8, 1)
/* Beyond NAT64_MAX_TIMEOUT the expiry lists could not order sessions.
 * (The policy's own min/max are s16: too small for these bounds. Not
 * const: nla_policy.range points to non-const data before 6.2.) */
#define TIMEOUT_RANGE(name, lo) \
	static struct netlink_range_validation name = { .min = lo, .max = NAT64_MAX_TIMEOUT }
TIMEOUT_RANGE(tcp_est_range, NAT64_MIN_TCP_EST_TIMEOUT);
TIMEOUT_RANGE(tcp_trans_range, NAT64_MIN_TCP_TRANS_TIMEOUT);
TIMEOUT_RANGE(udp_range, NAT64_MIN_UDP_TIMEOUT);
TIMEOUT_RANGE(icmp_range, NAT64_MIN_ICMP_TIMEOUT);
#define TIMEOUT_POLICY(range) NLA_POLICY_FULL_RANGE(NLA_U32, &(range))

const struct nla_policy nat64_globals_policy[NAT64_G_MAX + 1] = {
	[NAT64_G_MANUALLY_ENABLED] = BOOL_POLICY,
	[NAT64_G_POOL6] = { .type = NLA_REJECT,
			    .reject_message = "pool6 cannot change after the instance is created" },
	[NAT64_G_LOWEST_IPV6_MTU] = NLA_POLICY_MIN(NLA_U32, NAT64_MIN_LOWEST_IPV6_MTU),
	[NAT64_G_LOGGING_DEBUG] = BOOL_POLICY,
	[NAT64_G_ZEROIZE_TRAFFIC_CLASS] = BOOL_POLICY,
	[NAT64_G_OVERRIDE_TOS] = BOOL_POLICY,
	[NAT64_G_TOS] = { .type = NLA_U8 },
	[NAT64_G_MTU_PLATEAUS] = { .type = NLA_BINARY,
				   .len = NAT64_MAX_PLATEAUS * sizeof(u16) },
	[NAT64_G_ADDRESS_DEPENDENT_FILTERING] = BOOL_POLICY,
	[NAT64_G_DROP_EXTERNALLY_INITIATED_TCP] = BOOL_POLICY,
	[NAT64_G_DROP_ICMPV6_INFO] = BOOL_POLICY,
	[NAT64_G_SOURCE_ICMPV6_ERRORS_BETTER] = BOOL_POLICY,
	[NAT64_G_F_ARGS] = NLA_POLICY_MAX(NLA_U8, 0x0f),
	[NAT64_G_HANDLE_RST_DURING_FIN_RCV] = BOOL_POLICY,
	[NAT64_G_TCP_EST_TIMEOUT] = TIMEOUT_POLICY(tcp_est_range),
	[NAT64_G_TCP_TRANS_TIMEOUT] = TIMEOUT_POLICY(tcp_trans_range),
	[NAT64_G_UDP_TIMEOUT] = TIMEOUT_POLICY(udp_range),
	[NAT64_G_ICMP_TIMEOUT] = TIMEOUT_POLICY(icmp_range),
	[NAT64_G_MAXIMUM_SIMULTANEOUS_OPENS] = { .type = NLA_U32 },
	[NAT64_G_LOGGING_BIB] = BOOL_POLICY,
	[NAT64_G_LOGGING_SESSION] = BOOL_POLICY,
	[NAT64_G_MAXIMUM_SESSIONS] = { .type = NLA_U32 },
};

static int put_bool(struct sk_buff *msg, int type, bool v)
{
	return nla_put_u8(msg, type, v);
}

static int put_pool6(struct sk_buff *msg, const struct nat64_prefix6 *p)
{
	struct nlattr *nest = nla_nest_start(msg, NAT64_G_POOL6);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(msg, NAT64_PFX_ADDR, 16, &p->addr) ||
	    nla_put_u8(msg, NAT64_PFX_LEN, p->len))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int nat64_globals_put(struct sk_buff *msg, const struct nat64_instance *inst)
{
	const struct nat64_globals *g = &inst->globals;
	struct nlattr *nest = nla_nest_start(msg, NAT64_A_GLOBALS);

	if (!nest)
		return -EMSGSIZE;
	if (put_bool(msg, NAT64_G_MANUALLY_ENABLED, g->enabled) ||
	    put_pool6(msg, &inst->pool6) ||
	    nla_put_u32(msg, NAT64_G_LOWEST_IPV6_MTU, g->lowest_ipv6_mtu) ||
	    put_bool(msg, NAT64_G_LOGGING_DEBUG, g->logging_debug) ||
	    put_bool(msg, NAT64_G_ZEROIZE_TRAFFIC_CLASS, g->zeroize_traffic_class) ||
	    put_bool(msg, NAT64_G_OVERRIDE_TOS, g->override_tos) ||
	    nla_put_u8(msg, NAT64_G_TOS, g->tos) ||
	    nla_put(msg, NAT64_G_MTU_PLATEAUS, g->plateau_count * sizeof(u16), g->plateaus) ||
	    put_bool(msg, NAT64_G_ADDRESS_DEPENDENT_FILTERING, g->address_dependent_filtering) ||
	    put_bool(msg, NAT64_G_DROP_EXTERNALLY_INITIATED_TCP, g->drop_externally_initiated_tcp) ||
	    put_bool(msg, NAT64_G_DROP_ICMPV6_INFO, g->drop_icmpv6_info) ||
	    put_bool(msg, NAT64_G_SOURCE_ICMPV6_ERRORS_BETTER, g->source_icmpv6_errors_better) ||
	    nla_put_u8(msg, NAT64_G_F_ARGS, g->f_args) ||
	    put_bool(msg, NAT64_G_HANDLE_RST_DURING_FIN_RCV, g->handle_rst_during_fin_rcv) ||
	    nla_put_u32(msg, NAT64_G_TCP_EST_TIMEOUT, g->tcp_est_timeout) ||
	    nla_put_u32(msg, NAT64_G_TCP_TRANS_TIMEOUT, g->tcp_trans_timeout) ||
	    nla_put_u32(msg, NAT64_G_UDP_TIMEOUT, g->udp_timeout) ||
	    nla_put_u32(msg, NAT64_G_ICMP_TIMEOUT, g->icmp_timeout) ||
	    nla_put_u32(msg, NAT64_G_MAXIMUM_SIMULTANEOUS_OPENS, g->max_simultaneous_opens) ||
	    put_bool(msg, NAT64_G_LOGGING_BIB, g->logging_bib) ||
	    put_bool(msg, NAT64_G_LOGGING_SESSION, g->logging_session) ||
	    nla_put_u32(msg, NAT64_G_MAXIMUM_SESSIONS, g->max_sessions))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Plateaus: 1..NAT64_MAX_PLATEAUS values, strictly descending, none zero. */
static int parse_plateaus(const struct nlattr *attr, struct nat64_globals *g,
			  struct netlink_ext_ack *extack)
{
	int len = nla_len(attr), i, n = len / (int)sizeof(u16);
	const u16 *v = nla_data(attr);

	if (len == 0 || len % sizeof(u16)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "mtu-plateaus needs 1 to 64 16-bit values");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (v[i] == 0 || (i > 0 && v[i] >= v[i - 1])) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "mtu-plateaus must be non-zero and strictly descending");
			return -EINVAL;
		}
	}
	memcpy(g->plateaus, v, len);
	g->plateau_count = n;
	return 0;
}

#define GET_U8(key, field) do { if (tb[key]) g.field = nla_get_u8(tb[key]); } while (0)
#define GET_U32(key, field) do { if (tb[key]) g.field = nla_get_u32(tb[key]); } while (0)

int nat64_globals_parse(const struct nlattr *nest, struct nat64_globals *out,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NAT64_G_MAX + 1];
	struct nat64_globals g = *out;
	int err;

	/* The policy enforces types, booleans and the RFC minimums. */
	err = nla_parse_nested(tb, NAT64_G_MAX, nest, nat64_globals_policy, extack);
	if (err)
		return err;
	if (tb[NAT64_G_MTU_PLATEAUS]) {
		err = parse_plateaus(tb[NAT64_G_MTU_PLATEAUS], &g, extack);
		if (err)
			return err;
	}
	GET_U8(NAT64_G_MANUALLY_ENABLED, enabled);
	GET_U32(NAT64_G_LOWEST_IPV6_MTU, lowest_ipv6_mtu);
	GET_U8(NAT64_G_LOGGING_DEBUG, logging_debug);
	GET_U8(NAT64_G_ZEROIZE_TRAFFIC_CLASS, zeroize_traffic_class);
	GET_U8(NAT64_G_OVERRIDE_TOS, override_tos);
	GET_U8(NAT64_G_TOS, tos);
	GET_U8(NAT64_G_ADDRESS_DEPENDENT_FILTERING, address_dependent_filtering);
	GET_U8(NAT64_G_DROP_EXTERNALLY_INITIATED_TCP, drop_externally_initiated_tcp);
	GET_U8(NAT64_G_DROP_ICMPV6_INFO, drop_icmpv6_info);
	GET_U8(NAT64_G_SOURCE_ICMPV6_ERRORS_BETTER, source_icmpv6_errors_better);
	GET_U8(NAT64_G_F_ARGS, f_args);
	GET_U8(NAT64_G_HANDLE_RST_DURING_FIN_RCV, handle_rst_during_fin_rcv);
	GET_U32(NAT64_G_TCP_EST_TIMEOUT, tcp_est_timeout);
	GET_U32(NAT64_G_TCP_TRANS_TIMEOUT, tcp_trans_timeout);
	GET_U32(NAT64_G_UDP_TIMEOUT, udp_timeout);
	GET_U32(NAT64_G_ICMP_TIMEOUT, icmp_timeout);
	GET_U32(NAT64_G_MAXIMUM_SIMULTANEOUS_OPENS, max_simultaneous_opens);
	GET_U8(NAT64_G_LOGGING_BIB, logging_bib);
	GET_U8(NAT64_G_LOGGING_SESSION, logging_session);
	GET_U32(NAT64_G_MAXIMUM_SESSIONS, max_sessions);

	*out = g;
	return 0;
}

int nat64_globals_set(struct nat64_instance *inst, const struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	return nat64_globals_parse(nest, &inst->globals, extack);
}
