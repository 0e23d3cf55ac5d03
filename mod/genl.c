// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "nat64": the op table, the policies, and the
 * instance, global and stats handlers. Every op runs under genl_mutex
 * (parallel_ops is off), which also serialises configuration writers.
 * The contract is documented in include/nat64.h.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/proc_ns.h>
#include "genl.h"
#include "globals.h"
#include "state.h"
#include "stats.h"

static const struct nla_policy prefix_policy[NAT64_PFX_MAX + 1] = {
	[NAT64_PFX_ADDR] = NLA_POLICY_EXACT_LEN(16),
	[NAT64_PFX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy nat64_pool4_policy[NAT64_POOL4_MAX + 1] = {
	[NAT64_POOL4_MARK] = { .type = NLA_U32 },
	[NAT64_POOL4_PROTO] = { .type = NLA_U8 },
	[NAT64_POOL4_ADDR] = NLA_POLICY_EXACT_LEN(4),
	[NAT64_POOL4_PLEN] = NLA_POLICY_MAX(NLA_U8, 32),
	[NAT64_POOL4_PORT_MIN] = { .type = NLA_U16 },
	[NAT64_POOL4_PORT_MAX] = { .type = NLA_U16 },
	[NAT64_POOL4_MAX_ITER] = { .type = NLA_U32 },
};

const struct nla_policy nat64_bib_policy[NAT64_BIB_MAX + 1] = {
	[NAT64_BIB_PROTO] = { .type = NLA_U8 },
	[NAT64_BIB_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NAT64_BIB_PORT6] = { .type = NLA_U16 },
	[NAT64_BIB_ADDR4] = NLA_POLICY_EXACT_LEN(4),
	[NAT64_BIB_PORT4] = { .type = NLA_U16 },
	[NAT64_BIB_STATIC] = { .type = NLA_U8 },
};

static const struct nla_policy nat64_policy[NAT64_A_MAX + 1] = {
	[NAT64_A_INAME] = { .type = NLA_NUL_STRING, .len = NAT64_INAME_MAX - 1 },
	[NAT64_A_FRAMEWORK] = NLA_POLICY_RANGE(NLA_U8, NAT64_FW_NETFILTER, NAT64_FW_IPTABLES),
	[NAT64_A_POOL6] = NLA_POLICY_NESTED(prefix_policy),
	[NAT64_A_POOL4] = NLA_POLICY_NESTED(nat64_pool4_policy),
	[NAT64_A_BIB] = NLA_POLICY_NESTED(nat64_bib_policy),
	[NAT64_A_PROTO] = { .type = NLA_U8 },
	[NAT64_A_GLOBALS] = NLA_POLICY_NESTED(nat64_globals_policy),
	[NAT64_A_FLAGS] = { .type = NLA_U32 },
};

static struct net *info_net(struct genl_info *info)
{
	return genl_info_net(info);
}

struct nat64_instance *nat64_genl_instance(struct genl_info *info, int *err)
{
	struct nat64_instance *inst;

	if (!info->attrs[NAT64_A_INAME]) {
		NL_SET_ERR_MSG(info->extack, "Missing instance name");
		*err = -EINVAL;
		return NULL;
	}
	inst = nat64_instance_get(info_net(info), nla_data(info->attrs[NAT64_A_INAME]));
	if (!inst) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NAT64_A_INAME],
				    "No instance with that name in this namespace");
		*err = -ESRCH;
	}
	return inst;
}

enum nat64_dump_fail {
	DUMP_OK,
	DUMP_NO_NAME,
	DUMP_NO_INSTANCE,
	DUMP_BAD_PROTO,
};

static const struct {
	int err;
	const char *msg;
} dump_fails[] = {
	[DUMP_NO_NAME] = { -EINVAL, "Missing instance name" },
	[DUMP_NO_INSTANCE] = { -ESRCH, "No instance with that name in this namespace" },
	/* A filter that matches nothing would look like an empty table. */
	[DUMP_BAD_PROTO] = { -EINVAL, "protocol must be TCP, UDP or ICMP" },
};

static u8 dump_check(struct nat64_dump_ctx *ctx, struct nlattr **tb, struct net *net)
{
	if (!tb[NAT64_A_INAME])
		return DUMP_NO_NAME;
	if (tb[NAT64_A_PROTO]) {
		ctx->proto = nla_get_u8(tb[NAT64_A_PROTO]);
		if (ctx->proto != IPPROTO_TCP && ctx->proto != IPPROTO_UDP &&
		    ctx->proto != IPPROTO_ICMP)
			return DUMP_BAD_PROTO;
	}
	ctx->inst = nat64_instance_get(net, nla_data(tb[NAT64_A_INAME]));
	return ctx->inst ? DUMP_OK : DUMP_NO_INSTANCE;
}

int nat64_dump_start(struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);
	struct nlattr *tb[NAT64_A_MAX + 1];
	int err;

	memset(ctx, 0, sizeof(*ctx));
	/* genl validated the request against nat64_policy already. */
	err = nlmsg_parse_deprecated(cb->nlh, GENL_HDRLEN, tb, NAT64_A_MAX,
				     nat64_policy, cb->extack);
	if (err)
		return err;
	ctx->fail = dump_check(ctx, tb, sock_net(cb->skb->sk));
	return 0;
}

int nat64_dump_failed(struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);

	if (ctx->fail == DUMP_OK)
		return 0;
	/* What NL_SET_ERR_MSG does, for a message that is not a literal. */
	if (cb->extack)
		cb->extack->_msg = dump_fails[ctx->fail].msg;
	return dump_fails[ctx->fail].err;
}

int nat64_dump_done(struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);

	if (ctx->inst)
		nat64_instance_put(ctx->inst);
	ctx->inst = NULL;
	return 0;
}

/* ---- instances --------------------------------------------------------- */

static int parse_pool6(struct nlattr *attr, struct nat64_prefix6 *pool6,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NAT64_PFX_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NAT64_PFX_MAX, attr, prefix_policy, extack);
	if (err)
		return err;
	if (!tb[NAT64_PFX_ADDR] || !tb[NAT64_PFX_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "pool6 needs an address and a length");
		return -EINVAL;
	}
	memcpy(&pool6->addr, nla_data(tb[NAT64_PFX_ADDR]), 16);
	pool6->len = nla_get_u8(tb[NAT64_PFX_LEN]);
	return 0;
}

static int nl_instance_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_globals globals;
	struct nat64_prefix6 pool6;
	int err;

	if (!info->attrs[NAT64_A_INAME] || !info->attrs[NAT64_A_FRAMEWORK] ||
	    !info->attrs[NAT64_A_POOL6]) {
		NL_SET_ERR_MSG(info->extack, "instance add needs a name, a framework and pool6");
		return -EINVAL;
	}
	err = parse_pool6(info->attrs[NAT64_A_POOL6], &pool6, info->extack);
	if (err)
		return err;
	nat64_globals_default(&globals);
	if (info->attrs[NAT64_A_GLOBALS]) {
		err = nat64_globals_parse(info->attrs[NAT64_A_GLOBALS], &globals,
					  info->extack);
		if (err)
			return err;
	}
	return nat64_instance_add(info_net(info), nla_data(info->attrs[NAT64_A_INAME]),
				  nla_get_u8(info->attrs[NAT64_A_FRAMEWORK]),
				  &pool6, &globals, info->extack);
}

static int nl_instance_del(struct sk_buff *skb, struct genl_info *info)
{
	if (!info->attrs[NAT64_A_INAME]) {
		NL_SET_ERR_MSG(info->extack, "Missing instance name");
		return -EINVAL;
	}
	return nat64_instance_del(info_net(info), nla_data(info->attrs[NAT64_A_INAME]),
				  info->extack);
}

static int nl_instance_flush(struct sk_buff *skb, struct genl_info *info)
{
	nat64_instance_flush(info_net(info));
	return 0;
}

static int put_prefix(struct sk_buff *skb, int type, const struct nat64_prefix6 *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, NAT64_PFX_ADDR, 16, &p->addr) ||
	    nla_put_u8(skb, NAT64_PFX_LEN, p->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_instance(struct sk_buff *skb, const struct nat64_instance *inst)
{
	struct nlattr *nest = nla_nest_start(skb, NAT64_A_INSTANCE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, NAT64_INST_NAME, inst->name) ||
	    nla_put_u8(skb, NAT64_INST_FRAMEWORK, inst->framework) ||
	    put_prefix(skb, NAT64_INST_POOL6, &inst->pool6) ||
	    nla_put_u32(skb, NAT64_INST_NETNS, inst->net->ns.inum)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Reply with one message built by fill(); used by the "get" doits. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *, struct nat64_instance *),
		 struct nat64_instance *inst)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;
	int err;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nat64_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto fail;
	}
	err = fill(msg, inst);
	if (err)
		goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}

static int fill_instance(struct sk_buff *msg, struct nat64_instance *inst)
{
	return put_instance(msg, inst);
}

static int nl_instance_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	int err = 0;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = reply(info, NAT64_CMD_INSTANCE_GET, fill_instance, inst);
	nat64_instance_put(inst);
	return err;
}

static int nl_instance_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	struct nat64_instance *inst;
	void *hdr;
	int err = 0;

	rcu_read_lock();
	while ((inst = nat64_instance_nth_rcu(net, cb->args[0]))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &nat64_genl_family, NLM_F_MULTI, NAT64_CMD_INSTANCE_GET);
		if (!hdr)
			break;
		err = put_instance(skb, inst);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	rcu_read_unlock();
	/* A full buffer is not an error: netlink calls us again. */
	return skb->len;
}

/* ---- globals and stats -------------------------------------------------- */

static int fill_globals(struct sk_buff *msg, struct nat64_instance *inst)
{
	return nat64_globals_put(msg, inst);
}

static int nl_global_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	int err = 0;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = reply(info, NAT64_CMD_GLOBAL_GET, fill_globals, inst);
	nat64_instance_put(inst);
	return err;
}

static int nl_global_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	int err = 0;

	if (!info->attrs[NAT64_A_GLOBALS]) {
		NL_SET_ERR_MSG(info->extack, "Missing the globals to change");
		return -EINVAL;
	}
	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = nat64_globals_set(inst, info->attrs[NAT64_A_GLOBALS], info->extack);
	nat64_instance_put(inst);
	return err;
}

static int fill_stats(struct sk_buff *msg, struct nat64_instance *inst)
{
	u64 sums[NAT64_STAT_COUNT];
	struct nlattr *nest;
	int i;

	nat64_stats_sum(inst, sums);
	nest = nla_nest_start(msg, NAT64_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < NAT64_STAT_COUNT; i++)
		if (nla_put_u64_64bit(msg, i, sums[i], NAT64_STAT_UNUSED))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	int err = 0;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = reply(info, NAT64_CMD_STATS_GET, fill_stats, inst);
	nat64_instance_put(inst);
	return err;
}

/* ---- the family --------------------------------------------------------- */

#define ADMIN GENL_UNS_ADMIN_PERM

static const struct genl_ops nat64_ops[] = {
	{ .cmd = NAT64_CMD_INSTANCE_ADD, .doit = nl_instance_add, .flags = ADMIN },
	{ .cmd = NAT64_CMD_INSTANCE_DEL, .doit = nl_instance_del, .flags = ADMIN },
	{ .cmd = NAT64_CMD_INSTANCE_GET, .doit = nl_instance_get,
	  .dumpit = nl_instance_dump },
	{ .cmd = NAT64_CMD_INSTANCE_FLUSH, .doit = nl_instance_flush, .flags = ADMIN },
	{ .cmd = NAT64_CMD_POOL4_ADD, .doit = nat64_nl_pool4_add, .flags = ADMIN },
	{ .cmd = NAT64_CMD_POOL4_DEL, .doit = nat64_nl_pool4_del, .flags = ADMIN },
	{ .cmd = NAT64_CMD_POOL4_GET, .start = nat64_dump_start,
	  .dumpit = nat64_nl_pool4_dump, .done = nat64_dump_done },
	{ .cmd = NAT64_CMD_POOL4_FLUSH, .doit = nat64_nl_pool4_flush, .flags = ADMIN },
	{ .cmd = NAT64_CMD_BIB_ADD, .doit = nat64_nl_bib_add, .flags = ADMIN },
	{ .cmd = NAT64_CMD_BIB_DEL, .doit = nat64_nl_bib_del, .flags = ADMIN },
	/* Bindings and sessions reveal who talks to whom: admin only. */
	{ .cmd = NAT64_CMD_BIB_GET, .start = nat64_dump_start,
	  .dumpit = nat64_nl_bib_dump, .done = nat64_dump_done, .flags = ADMIN },
	{ .cmd = NAT64_CMD_SESSION_GET, .start = nat64_dump_start,
	  .dumpit = nat64_nl_session_dump, .done = nat64_dump_done, .flags = ADMIN },
	{ .cmd = NAT64_CMD_STATS_GET, .doit = nl_stats_get },
	{ .cmd = NAT64_CMD_GLOBAL_GET, .doit = nl_global_get },
	{ .cmd = NAT64_CMD_GLOBAL_SET, .doit = nl_global_set, .flags = ADMIN },
};

struct genl_family nat64_genl_family __ro_after_init = {
	.name = NAT64_GENL_NAME,
	.version = NAT64_GENL_VERSION,
	.maxattr = NAT64_A_MAX,
	.policy = nat64_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nat64_ops,
	.n_ops = ARRAY_SIZE(nat64_ops),
#ifdef NAT64_HAVE_GENL_RESV_START_OP
	.resv_start_op = NAT64_CMD_UNSPEC + 1,	/* strict validation of every op */
#endif
};

int nat64_genl_init(void)
{
	return genl_register_family(&nat64_genl_family);
}

void nat64_genl_exit(void)
{
	genl_unregister_family(&nat64_genl_family);
}
