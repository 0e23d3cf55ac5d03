// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of pool4, BIB and session (genl.c routes them here).
 * Every rejection carries an extack message. Dumps put one nest per
 * message and remember their position in nat64_dump_ctx.pos[], so that a
 * table that does not change is dumped exactly once, in any number of
 * calls.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "genl.h"
#include "state_int.h"
#include "core/rfc6052.h"

/* ---- attribute helpers -------------------------------------------------- */

/* -ENOENT when absent: the caller says what is missing. */
static int get_bin(struct nlattr **tb, int type, void *dst, int len,
		   struct netlink_ext_ack *extack)
{
	if (!tb[type])
		return -ENOENT;
	if (nla_len(tb[type]) != len) {	/* the policy checks too */
		NL_SET_ERR_MSG_ATTR(extack, tb[type], "address has the wrong length");
		return -EINVAL;
	}
	memcpy(dst, nla_data(tb[type]), len);
	return 0;
}

#define MISSING(extack, err, msg)				\
	({							\
		if ((err) == -ENOENT) {				\
			NL_SET_ERR_MSG(extack, msg);		\
			(err) = -EINVAL;			\
		}						\
		(err);						\
	})

static int parse_nest(struct genl_info *info, int type, int maxtype,
		      const struct nla_policy *policy, struct nlattr **tb)
{
	if (!info->attrs[type])
		return -ENOENT;
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy, info->extack);
}

/* ---- pool4 ------------------------------------------------------------ */

static int parse_pool4(struct genl_info *info, struct nat64_pool4_entry *e, bool adding)
{
	struct nlattr *tb[NAT64_POOL4_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	int err;

	err = parse_nest(info, NAT64_A_POOL4, NAT64_POOL4_MAX, nat64_pool4_policy, tb);
	if (MISSING(extack, err, "missing pool4 entry (NAT64_A_POOL4)"))
		return err;
	memset(e, 0, sizeof(*e));
	if (!tb[NAT64_POOL4_PROTO]) {
		NL_SET_ERR_MSG(extack, "missing pool4 protocol");
		return -EINVAL;
	}
	e->proto = nla_get_u8(tb[NAT64_POOL4_PROTO]);
	err = get_bin(tb, NAT64_POOL4_ADDR, &e->addr, 4, extack);
	if (MISSING(extack, err, "missing pool4 address"))
		return err;
	e->plen = tb[NAT64_POOL4_PLEN] ? nla_get_u8(tb[NAT64_POOL4_PLEN]) : 32;
	e->mark = tb[NAT64_POOL4_MARK] ? nla_get_u32(tb[NAT64_POOL4_MARK]) : 0;
	/* No ports given: every port (removal: every entry of the prefix). */
	e->port_min = tb[NAT64_POOL4_PORT_MIN] ? nla_get_u16(tb[NAT64_POOL4_PORT_MIN]) : 0;
	e->port_max = tb[NAT64_POOL4_PORT_MAX] ? nla_get_u16(tb[NAT64_POOL4_PORT_MAX]) : 65535;
	if (adding && !tb[NAT64_POOL4_PORT_MIN] && e->proto != IPPROTO_ICMP)
		e->port_min = 1;
	e->max_iterations = tb[NAT64_POOL4_MAX_ITER] ?
			    nla_get_u32(tb[NAT64_POOL4_MAX_ITER]) : 0;
	return 0;
}

/* NAT64_A_FLAGS: unknown bits are refused, so that a newer CLI's flag is
 * never silently ignored by an older module. */
static int parse_flags(struct genl_info *info, bool *quick)
{
	u32 flags = info->attrs[NAT64_A_FLAGS] ? nla_get_u32(info->attrs[NAT64_A_FLAGS]) : 0;

	if (flags & ~NAT64_FLAG_QUICK) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NAT64_A_FLAGS],
				    "unknown flag in NAT64_A_FLAGS");
		return -EINVAL;
	}
	*quick = flags & NAT64_FLAG_QUICK;
	return 0;
}

int nat64_nl_pool4_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_pool4_entry e;
	struct nat64_instance *inst;
	int err;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = parse_pool4(info, &e, true);
	if (!err)
		err = nat64_pool4_add(inst, &e, info->extack);
	nat64_instance_put(inst);
	return err;
}

int nat64_nl_pool4_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_pool4_entry e;
	struct nat64_instance *inst;
	bool quick;
	int err;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = parse_flags(info, &quick);
	if (!err)
		err = parse_pool4(info, &e, false);
	if (!err)
		err = nat64_pool4_del(inst, &e, quick, info->extack);
	nat64_instance_put(inst);
	return err;
}

int nat64_nl_pool4_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	bool quick;
	int err;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = parse_flags(info, &quick);
	if (!err)
		nat64_pool4_flush(inst, quick);
	nat64_instance_put(inst);
	return err;
}

/* Dumps: a full skb ends this call; an entry that never fits is an error. */
static int dump_result(struct sk_buff *skb, int err)
{
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* One dump message holding one nest of type @attr; NULL when full. */
static void *msg_start(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		       int attr, struct nlattr **nest)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &nat64_genl_family,
				NLM_F_MULTI, cmd);

	if (!hdr)
		return NULL;
	*nest = nla_nest_start(skb, attr);
	if (!*nest) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/* Closes what msg_start() opened; @full: an attribute did not fit. */
static int msg_end(struct sk_buff *skb, void *hdr, struct nlattr *nest,
		   bool full)
{
	if (full) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/* One row per address, as Jool lists pool4. */
static int put_pool4(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct nat64_pool4_entry *e, u32 j)
{
	__be32 addr = cpu_to_be32(be32_to_cpu(e->addr) + j);
	struct nlattr *nest;
	void *hdr;

	hdr = msg_start(skb, cb, NAT64_CMD_POOL4_GET, NAT64_A_POOL4, &nest);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr, nest,
		       nla_put_u32(skb, NAT64_POOL4_MARK, e->mark) ||
		       nla_put_u8(skb, NAT64_POOL4_PROTO, e->proto) ||
		       nla_put_in_addr(skb, NAT64_POOL4_ADDR, addr) ||
		       nla_put_u8(skb, NAT64_POOL4_PLEN, 32) ||
		       nla_put_u16(skb, NAT64_POOL4_PORT_MIN, e->port_min) ||
		       nla_put_u16(skb, NAT64_POOL4_PORT_MAX, e->port_max) ||
		       nla_put_u32(skb, NAT64_POOL4_MAX_ITER, e->max_iterations));
}

/* pos[0]: protocol index, pos[1]: entry index in it, pos[2]: address. */
int nat64_nl_pool4_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);
	struct nat64_state *st;
	struct nat64_p4range *r;
	int err = nat64_dump_failed(cb);

	if (err)
		return err;
	st = ctx->inst->state;
	/* The list changes only under st->cfg; holding it keeps indexes exact. */
	mutex_lock(&st->cfg);
	for (; ctx->pos[0] < NAT64_NPROTO; ctx->pos[0]++, ctx->pos[1] = 0) {
		int pi = ctx->pos[0];
		u64 i = 0;

		if (ctx->proto && nat64_proto_index(ctx->proto) != pi)
			continue;
		list_for_each_entry(r, &st->ranges[pi], list) {
			if (i++ < ctx->pos[1])
				continue;
			for (; ctx->pos[2] < r->naddrs; ctx->pos[2]++) {
				err = put_pool4(skb, cb, &r->e, ctx->pos[2]);
				if (err)
					goto out;
			}
			ctx->pos[1] = i;
			ctx->pos[2] = 0;
		}
	}
out:
	mutex_unlock(&st->cfg);
	return dump_result(skb, err);
}

/* A table's buckets in order, under RCU (dumps; contract in state_int.h). */
int nat64_table_walk(struct rhashtable *ht, u64 *pos,
		     int (*fn)(void *obj, void *arg), void *arg)
{
	const struct bucket_table *tbl;
	struct rhash_head *he;
	int err = 0;
	u64 b, i;

	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	for (b = pos[0]; b < tbl->size; b++) {
		i = 0;
		rht_for_each_rcu(he, tbl, b) {
			if (i++ < pos[1])
				continue;
			if (fn(rht_obj(ht, he), arg)) {
				pos[0] = b;
				pos[1] = i - 1;
				err = -EMSGSIZE;
				goto out;
			}
		}
		pos[1] = 0;
	}
	pos[0] = b;
out:
	rcu_read_unlock();
	return err;
}

/* ---- BIB -------------------------------------------------------------- */

struct bib_args {
	u8 proto;
	struct in6_addr a6;
	__be16 p6;
	__be32 a4;
	__be16 p4;
	bool has6;
	bool has4;
};

/* One side of an entry: address and port come together or not at all. */
static int bib_side(struct nlattr **tb, int addr, int port, void *a, int len,
		    __be16 *p, bool *has, struct netlink_ext_ack *extack)
{
	*has = tb[addr] && tb[port];
	if (!*has) {
		if (!tb[addr] && !tb[port])
			return 0;
		NL_SET_ERR_MSG(extack, "a BIB transport address needs both its address and its port");
		return -EINVAL;
	}
	*p = cpu_to_be16(nla_get_u16(tb[port]));
	return get_bin(tb, addr, a, len, extack);
}

/* need_both: adding. Removing takes either side (as Jool does) or both. */
static int parse_bib(struct genl_info *info, struct bib_args *a, bool need_both)
{
	struct nlattr *tb[NAT64_BIB_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	int err;

	err = parse_nest(info, NAT64_A_BIB, NAT64_BIB_MAX, nat64_bib_policy, tb);
	if (MISSING(extack, err, "missing BIB entry (NAT64_A_BIB)"))
		return err;
	memset(a, 0, sizeof(*a));
	if (!tb[NAT64_BIB_PROTO]) {
		NL_SET_ERR_MSG(extack, "BIB entry needs a protocol");
		return -EINVAL;
	}
	a->proto = nla_get_u8(tb[NAT64_BIB_PROTO]);
	err = bib_side(tb, NAT64_BIB_ADDR6, NAT64_BIB_PORT6, &a->a6, 16, &a->p6,
		       &a->has6, extack);
	if (!err)
		err = bib_side(tb, NAT64_BIB_ADDR4, NAT64_BIB_PORT4, &a->a4, 4,
			       &a->p4, &a->has4, extack);
	if (err)
		return err;
	if (need_both && !(a->has6 && a->has4)) {
		NL_SET_ERR_MSG(extack, "BIB entry needs the IPv6 and the IPv4 transport address");
		return -EINVAL;
	}
	if (!a->has6 && !a->has4) {
		NL_SET_ERR_MSG(extack, "BIB entry needs the IPv6 or the IPv4 transport address");
		return -EINVAL;
	}
	return 0;
}

int nat64_nl_bib_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	struct bib_args a;
	int err;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = parse_bib(info, &a, true);
	if (!err)
		err = nat64_bib_add_static(inst, a.proto, &a.a6, a.p6, a.a4, a.p4,
					   info->extack);
	nat64_instance_put(inst);
	return err;
}

int nat64_nl_bib_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nat64_instance *inst;
	struct bib_args a;
	int err;

	inst = nat64_genl_instance(info, &err);
	if (!inst)
		return err;
	err = parse_bib(info, &a, false);
	if (!err)
		err = nat64_bib_del(inst, a.proto, a.has6 ? &a.a6 : NULL, a.p6,
				    a.has4 ? &a.a4 : NULL, a.p4, info->extack);
	nat64_instance_put(inst);
	return err;
}

struct dump_args {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct nat64_instance *inst;
	unsigned long now;
};

static int put_bib(void *obj, void *arg)
{
	const struct nat64_bib *b = obj;
	struct dump_args *d = arg;
	struct sk_buff *skb = d->skb;
	struct nlattr *nest;
	void *hdr;

	hdr = msg_start(skb, d->cb, NAT64_CMD_BIB_GET, NAT64_A_BIB, &nest);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr, nest,
		       nla_put_u8(skb, NAT64_BIB_PROTO, b->proto) ||
		       nla_put_in6_addr(skb, NAT64_BIB_ADDR6, &b->addr6) ||
		       nla_put_u16(skb, NAT64_BIB_PORT6, be16_to_cpu(b->port6)) ||
		       nla_put_in_addr(skb, NAT64_BIB_ADDR4, b->addr4) ||
		       nla_put_u16(skb, NAT64_BIB_PORT4, be16_to_cpu(b->port4)) ||
		       nla_put_u8(skb, NAT64_BIB_STATIC, READ_ONCE(b->is_static)));
}

/* The protocol is required: one table per dump, as in Jool. */
static struct nat64_tables *dump_tables(struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);
	int pi = nat64_proto_index(ctx->proto);

	if (pi < 0) {
		NL_SET_ERR_MSG(cb->extack, "a protocol (TCP, UDP or ICMP) is required");
		return NULL;
	}
	return &ctx->inst->state->tab[pi];
}


int nat64_nl_bib_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);
	struct dump_args d = { .skb = skb, .cb = cb, .inst = ctx->inst };
	struct nat64_tables *t;
	int err = nat64_dump_failed(cb);

	if (err)
		return err;
	t = dump_tables(cb);
	if (!t)
		return -EINVAL;
	/* bib6 holds each entry once; pos[0..1] is the bucket cursor. */
	return dump_result(skb, nat64_table_walk(&t->bib6, ctx->pos, put_bib, &d));
}

/* ---- sessions ----------------------------------------------------------- */

static int put_session(void *obj, void *arg)
{
	const struct nat64_session *s = obj;
	const struct nat64_bib *b = s->bib;
	struct dump_args *d = arg;
	struct sk_buff *skb = d->skb;
	unsigned long expires = nat64_session_expires(s);
	u64 ms = time_after(expires, d->now) ? jiffies_to_msecs(expires - d->now) : 0;
	bool icmp = b->proto == IPPROTO_ICMP;
	u8 state = b->proto == IPPROTO_TCP ? nat64_sess_state(s) : NAT64_TCP_ESTABLISHED;
	struct in6_addr y6;
	struct nlattr *nest;
	void *hdr;

	nat64_rfc6052_embed(&d->inst->pool6, s->raddr, &y6);
	hdr = msg_start(skb, d->cb, NAT64_CMD_SESSION_GET, NAT64_A_SESSION, &nest);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr, nest,
		       nla_put_u8(skb, NAT64_SESSION_PROTO, b->proto) ||
		       nla_put_in6_addr(skb, NAT64_SESSION_SRC6_ADDR, &b->addr6) ||
		       nla_put_u16(skb, NAT64_SESSION_SRC6_PORT, be16_to_cpu(b->port6)) ||
		       nla_put_in6_addr(skb, NAT64_SESSION_DST6_ADDR, &y6) ||
		       nla_put_u16(skb, NAT64_SESSION_DST6_PORT,
				   be16_to_cpu(icmp ? b->port6 : s->rport)) ||
		       nla_put_in_addr(skb, NAT64_SESSION_SRC4_ADDR, b->addr4) ||
		       nla_put_u16(skb, NAT64_SESSION_SRC4_PORT, be16_to_cpu(b->port4)) ||
		       nla_put_in_addr(skb, NAT64_SESSION_DST4_ADDR, s->raddr) ||
		       nla_put_u16(skb, NAT64_SESSION_DST4_PORT,
				   be16_to_cpu(icmp ? b->port4 : s->rport)) ||
		       nla_put_u8(skb, NAT64_SESSION_STATE, state) ||
		       nla_put_u64_64bit(skb, NAT64_SESSION_EXPIRES, ms, NAT64_SESSION_PAD));
}

int nat64_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nat64_dump_ctx *ctx = nat64_dump_ctx(cb);
	struct dump_args d = { .skb = skb, .cb = cb, .inst = ctx->inst, .now = jiffies };
	struct nat64_tables *t;
	int err = nat64_dump_failed(cb);

	if (err)
		return err;
	t = dump_tables(cb);
	if (!t)
		return -EINVAL;
	/* The one session table (keyed by the IPv4 side), in bucket order. */
	return dump_result(skb, nat64_table_walk(&t->sess, ctx->pos, put_session, &d));
}
