// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables/ip6tables extension of the JOOL target (and its alias NAT64):
 *
 *	-j JOOL --instance NAME
 *
 * sends the packet to the nat64 instance NAME (created with
 * `nat64 instance add NAME --iptables ...`). iptables loads
 * libxt_<TARGET>.so, so this file is built twice: as libxt_JOOL.so with
 * NAT64_XT_TARGET "JOOL" and as libxt_NAT64.so with "NAT64".
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "nat64.h"

#ifndef NAT64_XT_TARGET
#define NAT64_XT_TARGET "JOOL"
#endif

enum {
	O_INSTANCE = 0,
};

static const struct xt_option_entry nat64_tg_opts[] = {
	{
		.name = "instance",
		.id = O_INSTANCE,
		.type = XTTYPE_STRING,
		.flags = XTOPT_PUT,
		XTOPT_POINTER(struct xt_nat64_tginfo, instance),
		.min = 1,
		.max = NAT64_INAME_MAX - 1,
	},
	XTOPT_TABLEEND,
};

static void nat64_tg_help(void)
{
	printf(NAT64_XT_TARGET " target options:\n"
	       "  --instance NAME    Name of the nat64 instance that translates the packet\n"
	       "                     (at most %d characters of A-Z a-z 0-9 _ . -)\n",
	       NAT64_INAME_MAX - 1);
}

static int iname_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static void nat64_tg_parse(struct xt_option_call *cb)
{
	const struct xt_nat64_tginfo *info;
	const char *c;

	/* Length checks and the copy into info->instance. */
	xtables_option_parse(cb);

	info = cb->data;
	for (c = info->instance; *c; c++) {
		if (!iname_char_ok(*c))
			xtables_error(PARAMETER_PROBLEM,
				      NAT64_XT_TARGET ": invalid instance name \"%s\" "
				      "(allowed characters: A-Z a-z 0-9 _ . -)",
				      cb->arg);
	}
}

static void nat64_tg_check(struct xt_fcheck_call *cb)
{
	if (!(cb->xflags & (1U << O_INSTANCE)))
		xtables_error(PARAMETER_PROBLEM,
			      NAT64_XT_TARGET ": --instance NAME is required "
			      "(e.g. -j " NAT64_XT_TARGET " --instance default)");
}

/* iptables -L */
static void nat64_tg_print(const void *ip, const struct xt_entry_target *target,
			   int numeric)
{
	const struct xt_nat64_tginfo *info = (const void *)target->data;

	(void)ip;
	(void)numeric;
	printf(" instance:%.*s", NAT64_INAME_MAX, info->instance);
}

/* iptables -S, iptables-save */
static void nat64_tg_save(const void *ip, const struct xt_entry_target *target)
{
	const struct xt_nat64_tginfo *info = (const void *)target->data;

	(void)ip;
	printf(" --instance %.*s", NAT64_INAME_MAX, info->instance);
}

static struct xtables_target nat64_tg_reg[] = {
	{
		.version       = XTABLES_VERSION,
		.name          = NAT64_XT_TARGET,
		.revision      = 0,
		.family        = NFPROTO_IPV4,
		.size          = XT_ALIGN(sizeof(struct xt_nat64_tginfo)),
		.userspacesize = XT_ALIGN(sizeof(struct xt_nat64_tginfo)),
		.help          = nat64_tg_help,
		.print         = nat64_tg_print,
		.save          = nat64_tg_save,
		.x6_parse      = nat64_tg_parse,
		.x6_fcheck     = nat64_tg_check,
		.x6_options    = nat64_tg_opts,
	},
	{
		.version       = XTABLES_VERSION,
		.name          = NAT64_XT_TARGET,
		.revision      = 0,
		.family        = NFPROTO_IPV6,
		.size          = XT_ALIGN(sizeof(struct xt_nat64_tginfo)),
		.userspacesize = XT_ALIGN(sizeof(struct xt_nat64_tginfo)),
		.help          = nat64_tg_help,
		.print         = nat64_tg_print,
		.save          = nat64_tg_save,
		.x6_parse      = nat64_tg_parse,
		.x6_fcheck     = nat64_tg_check,
		.x6_options    = nat64_tg_opts,
	},
};

static __attribute__((constructor)) void nat64_tg_ldr(void)
{
	xtables_register_targets(nat64_tg_reg, sizeof(nat64_tg_reg) / sizeof(nat64_tg_reg[0]));
}
