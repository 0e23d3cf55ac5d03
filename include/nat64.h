/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nat64 — the one header shared by the kernel module, the command-line tool
 * and the iptables extension. It is the whole contract between them:
 *
 *  - generic netlink family NAT64_GENL_NAME, version NAT64_GENL_VERSION;
 *  - every command, the attributes it takes and the attributes it answers;
 *  - the xtables target info of the JOOL/NAT64 target;
 *  - the names of the counters (NAT64_STATS_LIST).
 *
 * Conventions (all commands):
 *  - NAT64_A_INAME names the instance (NUL-terminated, at most
 *    NAT64_INAME_MAX - 1 characters, [A-Za-z0-9_.-]). Every command except
 *    INSTANCE_GET and INSTANCE_FLUSH requires it.
 *  - Instances live in the network namespace of the netlink socket.
 *  - Commands that change anything require CAP_NET_ADMIN in the user
 *    namespace that owns that network namespace (GENL_UNS_ADMIN_PERM);
 *    others get -EPERM.
 *  - Rejections come back as a negative errno in the netlink ACK with an
 *    extack message saying what was wrong.
 *  - Table reads (INSTANCE_GET, POOL4_GET, BIB_GET, SESSION_GET) are
 *    netlink dumps (NLM_F_DUMP): one nested entry per message, resumable.
 *  - Integers are in host byte order, except addresses (network order,
 *    binary: 4 bytes IPv4, 16 bytes IPv6). Ports and ICMP identifiers are
 *    host-order u16.
 */
#ifndef _UAPI_NAT64_H
#define _UAPI_NAT64_H

#include <linux/types.h>

#define NAT64_GENL_NAME		"nat64"
#define NAT64_GENL_VERSION	1
/* Instance names: like Jool, 15 characters plus the NUL. */
#define NAT64_INAME_MAX		16
#define NAT64_INAME_DEFAULT	"default"

/* Jool's default when pool4 is empty: the namespace's own IPv4 addresses. */
#define NAT64_DEFAULT_PORT_MIN	61001
#define NAT64_DEFAULT_PORT_MAX	65535

enum nat64_framework {
	NAT64_FW_NETFILTER = 1,	/* one per netns, hooked at PRE_ROUTING */
	NAT64_FW_IPTABLES = 2,	/* reached through -j JOOL --instance NAME */
};

enum nat64_cmd {
	NAT64_CMD_UNSPEC,
	/* INAME, FRAMEWORK, POOL6 (required); GLOBALS (optional: the keys
	 * to set before the instance becomes visible; POOL6 not among them) */
	NAT64_CMD_INSTANCE_ADD,
	/* INAME */
	NAT64_CMD_INSTANCE_DEL,
	/* dump: one INSTANCE nest per message. With INAME and no NLM_F_DUMP:
	 * that instance only, -ESRCH if it does not exist (instance status). */
	NAT64_CMD_INSTANCE_GET,
	/* removes every instance of the namespace */
	NAT64_CMD_INSTANCE_FLUSH,
	/* INAME, POOL4 nest (MARK, PROTO, ADDR, PLEN, PORT_MIN, PORT_MAX) */
	NAT64_CMD_POOL4_ADD,
	/* INAME, POOL4 nest; FLAG_QUICK in NAT64_A_FLAGS keeps the sessions
	 * that use the removed addresses (Jool's --quick); other flag bits are
	 * rejected */
	NAT64_CMD_POOL4_DEL,
	/* dump: INAME; optional PROTO filter (TCP, UDP or ICMP; anything else
	 * is rejected); one POOL4 nest per message */
	NAT64_CMD_POOL4_GET,
	/* INAME; FLAG_QUICK as for POOL4_DEL */
	NAT64_CMD_POOL4_FLUSH,
	/* INAME, BIB nest (PROTO, ADDR6, PORT6, ADDR4, PORT4) */
	NAT64_CMD_BIB_ADD,
	NAT64_CMD_BIB_DEL,
	/* dump: INAME, PROTO (required); one BIB nest per message */
	NAT64_CMD_BIB_GET,
	/* dump: INAME, PROTO (required); one SESSION nest per message */
	NAT64_CMD_SESSION_GET,
	/* INAME; answers a STATS nest */
	NAT64_CMD_STATS_GET,
	/* INAME; answers a GLOBALS nest with every key */
	NAT64_CMD_GLOBAL_GET,
	/* INAME, GLOBALS nest with the keys to change (all or nothing) */
	NAT64_CMD_GLOBAL_SET,
	__NAT64_CMD_MAX,
};
#define NAT64_CMD_MAX (__NAT64_CMD_MAX - 1)

/* Top-level attributes. */
enum nat64_attr {
	NAT64_A_UNSPEC,
	NAT64_A_PAD,		/* padding for 64-bit values */
	NAT64_A_INAME,		/* string */
	NAT64_A_FRAMEWORK,	/* u8, enum nat64_framework */
	NAT64_A_POOL6,		/* nest, enum nat64_prefix_attr */
	NAT64_A_POOL4,		/* nest, enum nat64_pool4_attr */
	NAT64_A_BIB,		/* nest, enum nat64_bib_attr */
	NAT64_A_SESSION,	/* nest, enum nat64_session_attr */
	NAT64_A_PROTO,		/* u8, IPPROTO_TCP / IPPROTO_UDP / IPPROTO_ICMP */
	NAT64_A_STATS,		/* nest: attribute type = enum nat64_stat, u64 */
	NAT64_A_GLOBALS,	/* nest, enum nat64_global_attr */
	NAT64_A_INSTANCE,	/* nest, enum nat64_instance_attr */
	NAT64_A_FLAGS,		/* u32, NAT64_FLAG_* */
	__NAT64_A_MAX,
};
#define NAT64_A_MAX (__NAT64_A_MAX - 1)

#define NAT64_FLAG_QUICK	(1U << 0)

/* An IPv6 prefix (pool6). Length 32, 40, 48, 56, 64 or 96 (RFC 6052). */
enum nat64_prefix_attr {
	NAT64_PFX_UNSPEC,
	NAT64_PFX_ADDR,		/* binary, 16 bytes */
	NAT64_PFX_LEN,		/* u8 */
	__NAT64_PFX_MAX,
};
#define NAT64_PFX_MAX (__NAT64_PFX_MAX - 1)

/* One instance, as INSTANCE_GET answers it. */
enum nat64_instance_attr {
	NAT64_INST_UNSPEC,
	NAT64_INST_NAME,	/* string */
	NAT64_INST_FRAMEWORK,	/* u8 */
	NAT64_INST_POOL6,	/* nest, enum nat64_prefix_attr */
	NAT64_INST_NETNS,	/* u32: inode number of the network namespace */
	__NAT64_INST_MAX,
};
#define NAT64_INST_MAX (__NAT64_INST_MAX - 1)

/*
 * One pool4 entry: ADDR/PLEN is a range of IPv4 addresses, each offering
 * ports PORT_MIN..PORT_MAX (ICMP: identifiers) for protocol PROTO, used by
 * packets whose skb mark equals MARK.
 */
enum nat64_pool4_attr {
	NAT64_POOL4_UNSPEC,
	NAT64_POOL4_MARK,	/* u32, default 0 */
	NAT64_POOL4_PROTO,	/* u8, IPPROTO_TCP / UDP / ICMP */
	NAT64_POOL4_ADDR,	/* binary, 4 bytes */
	NAT64_POOL4_PLEN,	/* u8, 0..32 (at most 65536 addresses: >= 16) */
	NAT64_POOL4_PORT_MIN,	/* u16 */
	NAT64_POOL4_PORT_MAX,	/* u16 */
	NAT64_POOL4_MAX_ITER,	/* u32: Jool's --max-iterations, informational:
				 * our port search is bounded by itself.
				 * 0 = auto, 0xffffffff = infinity */
	__NAT64_POOL4_MAX,
};
#define NAT64_POOL4_MAX (__NAT64_POOL4_MAX - 1)

/* A binding: IPv6 transport address <-> IPv4 transport address. */
enum nat64_bib_attr {
	NAT64_BIB_UNSPEC,
	NAT64_BIB_PROTO,	/* u8 */
	NAT64_BIB_ADDR6,	/* binary, 16 bytes */
	NAT64_BIB_PORT6,	/* u16 */
	NAT64_BIB_ADDR4,	/* binary, 4 bytes */
	NAT64_BIB_PORT4,	/* u16 */
	NAT64_BIB_STATIC,	/* u8: 1 if added by BIB_ADD */
	__NAT64_BIB_MAX,
};
#define NAT64_BIB_MAX (__NAT64_BIB_MAX - 1)

/*
 * A session, named as in RFC 6146 §3.4:
 *   IPv6 side: source (X', x) = SRC6, destination (Y', y) = DST6
 *   IPv4 side: source (T, t)  = SRC4, destination (Z, z) = DST4
 * For ICMP the "ports" are the echo identifiers.
 */
enum nat64_session_attr {
	NAT64_SESSION_UNSPEC,
	NAT64_SESSION_PAD,
	NAT64_SESSION_PROTO,	/* u8 */
	NAT64_SESSION_SRC6_ADDR,	/* binary, 16 */
	NAT64_SESSION_SRC6_PORT,	/* u16 */
	NAT64_SESSION_DST6_ADDR,	/* binary, 16 */
	NAT64_SESSION_DST6_PORT,	/* u16 */
	NAT64_SESSION_SRC4_ADDR,	/* binary, 4 */
	NAT64_SESSION_SRC4_PORT,	/* u16 */
	NAT64_SESSION_DST4_ADDR,	/* binary, 4 */
	NAT64_SESSION_DST4_PORT,	/* u16 */
	NAT64_SESSION_STATE,	/* u8, enum nat64_tcp_state (UDP/ICMP: ESTABLISHED) */
	NAT64_SESSION_EXPIRES,	/* u64: milliseconds until it expires */
	__NAT64_SESSION_MAX,
};
#define NAT64_SESSION_MAX (__NAT64_SESSION_MAX - 1)

/* RFC 6146 §3.5.2 TCP states. */
enum nat64_tcp_state {
	NAT64_TCP_CLOSED,
	NAT64_TCP_V6_INIT,
	NAT64_TCP_V4_INIT,
	NAT64_TCP_ESTABLISHED,
	NAT64_TCP_V6_FIN_RCV,
	NAT64_TCP_V4_FIN_RCV,
	NAT64_TCP_V6_FIN_V4_FIN,
	NAT64_TCP_TRANS,
	__NAT64_TCP_STATE_COUNT,
};

/*
 * Global configuration of an instance (Jool's "global" keys). Booleans are
 * u8 0/1. Timeouts are u32 seconds. GLOBAL_SET applies every key it carries
 * or none of them.
 */
enum nat64_global_attr {
	NAT64_G_UNSPEC,
	NAT64_G_MANUALLY_ENABLED,	/* u8, default 1 */
	NAT64_G_POOL6,			/* nest, read-only after creation */
	NAT64_G_LOWEST_IPV6_MTU,	/* u32, >= 1280, default 1280 */
	NAT64_G_LOGGING_DEBUG,		/* u8, default 0 */
	NAT64_G_ZEROIZE_TRAFFIC_CLASS,	/* u8, default 0 */
	NAT64_G_OVERRIDE_TOS,		/* u8, default 0 */
	NAT64_G_TOS,			/* u8, default 0 */
	NAT64_G_MTU_PLATEAUS,		/* binary: array of u16, descending */
	NAT64_G_ADDRESS_DEPENDENT_FILTERING,	/* u8, default 0 */
	NAT64_G_DROP_EXTERNALLY_INITIATED_TCP,	/* u8, default 0 */
	NAT64_G_DROP_ICMPV6_INFO,	/* u8, default 0 */
	NAT64_G_SOURCE_ICMPV6_ERRORS_BETTER,	/* u8, default 1 */
	NAT64_G_F_ARGS,			/* u8, default 0b1011 */
	NAT64_G_HANDLE_RST_DURING_FIN_RCV,	/* u8, default 0 */
	NAT64_G_TCP_EST_TIMEOUT,	/* u32 s, >= 7200, default 7200 */
	NAT64_G_TCP_TRANS_TIMEOUT,	/* u32 s, >= 240, default 240 */
	NAT64_G_UDP_TIMEOUT,		/* u32 s, >= 120, default 300 */
	NAT64_G_ICMP_TIMEOUT,		/* u32 s, >= 1, default 60 */
	/* (every timeout: at most NAT64_MAX_TIMEOUT) */
	NAT64_G_MAXIMUM_SIMULTANEOUS_OPENS,	/* u32, default 10 */
	NAT64_G_LOGGING_BIB,		/* u8, default 0 */
	NAT64_G_LOGGING_SESSION,	/* u8, default 0 */
	NAT64_G_MAXIMUM_SESSIONS,	/* u32, 0 = unlimited (beyond Jool) */
	__NAT64_G_MAX,
};
#define NAT64_G_MAX (__NAT64_G_MAX - 1)

/* Defaults and bounds, shared so that the CLI can validate before asking. */
#define NAT64_DEF_LOWEST_IPV6_MTU	1280U
#define NAT64_MIN_LOWEST_IPV6_MTU	1280U
#define NAT64_DEF_TCP_EST_TIMEOUT	7200U	/* 2:00:00 (Jool's default) */
#define NAT64_MIN_TCP_EST_TIMEOUT	7200U	/* RFC 6146 §3.5.2.2: 2 h */
#define NAT64_DEF_TCP_TRANS_TIMEOUT	240U	/* 4:00 */
#define NAT64_MIN_TCP_TRANS_TIMEOUT	240U
#define NAT64_DEF_UDP_TIMEOUT		300U	/* 5:00 */
#define NAT64_MIN_UDP_TIMEOUT		120U	/* RFC 6146 §3.5.1: 2 min */
#define NAT64_DEF_ICMP_TIMEOUT		60U
#define NAT64_MIN_ICMP_TIMEOUT		1U
/* Every timeout: at most 20 days (the session expiry lists compare 32-bit
 * jiffies, which must stay within half their range even at HZ=1000). */
#define NAT64_MAX_TIMEOUT		1728000U
#define NAT64_DEF_MAX_SIMULTANEOUS_OPENS	10U
#define NAT64_DEF_F_ARGS		0x0bU
#define NAT64_TCP_INCOMING_SYN_TIMEOUT	6U	/* §3.5.2.2, not configurable */
#define NAT64_MAX_PLATEAUS		64

/*
 * Counters. X(ID, "explanation"). Every dropped packet moves exactly one
 * counter whose name starts with DROP_; every packet the translator looked
 * at moves RECEIVED6 or RECEIVED4. An unsolicited IPv4 SYN that is held
 * (RFC 6146 §3.5.2.2) moves SO_STORED instead of a DROP_ counter, and later
 * SO_OPENED or SO_EXPIRED. STATS_GET answers NAT64_A_STATS with one
 * u64 attribute per counter, attribute type = enum value (0 is unused so
 * that it can serve as padding).
 */
#define NAT64_STATS_LIST(X)						\
	X(RECEIVED6, "IPv6 packets the translator examined")		\
	X(RECEIVED4, "IPv4 packets the translator examined")		\
	X(SUCCESS, "Packets translated and sent")			\
	X(NOT_OURS6, "IPv6 packets not for the translator (passed on)")	\
	X(NOT_OURS4, "IPv4 packets not for the translator (passed on)")	\
	X(DISABLED, "Packets passed on: instance manually disabled")	\
	X(DROP_TRUNCATED6, "Dropped: IPv6 header or extension chain truncated or lying length") \
	X(DROP_TRUNCATED4, "Dropped: IPv4 header truncated or lying length") \
	X(DROP_L4_TRUNCATED, "Dropped: transport header truncated")	\
	X(DROP_BAD_EXTHDR, "Dropped: unsupported or malformed IPv6 extension header") \
	X(DROP_UNKNOWN_PROTO, "Dropped: transport protocol not TCP, UDP or ICMP") \
	X(DROP_FRAGMENT, "Dropped: fragment that could not be translated") \
	X(DROP_HOP_LIMIT, "Dropped: hop limit or TTL expired (ICMP error sent)") \
	X(DROP_ICMP6_TYPE, "Dropped: ICMPv6 type with no ICMPv4 equivalent") \
	X(DROP_ICMP4_TYPE, "Dropped: ICMPv4 type with no ICMPv6 equivalent") \
	X(DROP_ICMP_ERROR, "Dropped: ICMP error that could not be translated") \
	X(DROP_UDP_ZERO_CSUM_FRAG, "Dropped: IPv4 UDP fragment with zero checksum") \
	X(DROP_BAD_SRC6, "Dropped: IPv6 source not translatable")	\
	X(DROP_BAD_SRC4, "Dropped: IPv4 source not translatable")	\
	X(DROP_NO_BIB4, "Dropped: IPv4 packet with no binding")	\
	X(DROP_NO_SESSION4, "Dropped: IPv4 packet rejected by filtering") \
	X(DROP_POOL4_EXHAUSTED, "Dropped: no free pool4 port (ICMPv6 error sent)") \
	X(DROP_MAX_SESSIONS, "Dropped: maximum-sessions reached")	\
	X(DROP_NOMEM, "Dropped: out of memory")				\
	X(DROP_ROUTE, "Dropped: no route for the translated packet")	\
	X(DROP_TOO_BIG, "Dropped: translated packet too big (ICMP error sent)") \
	X(DROP_HAIRPIN_LOOP, "Dropped: hairpin loop")			\
	X(DROP_TCP_STATE, "Dropped: TCP packet not allowed in session state") \
	X(DROP_EXT_TCP, "Dropped: externally initiated TCP (drop-externally-initiated-tcp)") \
	X(DROP_SO_LIMIT, "Dropped: too many simultaneous opens")	\
	X(DROP_ICMP6_INFO, "Dropped: ICMPv6 informational (drop-icmpv6-info)") \
	X(DROP_CHECKSUM, "Dropped: bad checksum where one must be computed") \
	X(DROP_INTERNAL, "Dropped: internal error (please report)")	\
	X(BIB_CREATED, "BIB entries created")				\
	X(SESSIONS_CREATED, "Sessions created")				\
	X(SESSIONS_EXPIRED, "Sessions expired")				\
	X(SO_STORED, "Unsolicited IPv4 SYNs held for a simultaneous open (up to 6 s)") \
	X(SO_OPENED, "Held IPv4 SYNs met by an IPv6 SYN (simultaneous open)") \
	X(SO_EXPIRED, "Held IPv4 SYNs unanswered after 6 s (ICMP port unreachable sent)") \
	X(TCP_PROBES, "Probes sent to the IPv6 end of expired established TCP sessions") \
	X(DROP_SRC_ROUTE, "Dropped: IPv4 packet with an unexpired source route (ICMP error sent)")

enum nat64_stat {
	NAT64_STAT_UNUSED,	/* attribute type 0: padding */
#define NAT64_STAT_ENUM(id, text) NAT64_STAT_##id,
	NAT64_STATS_LIST(NAT64_STAT_ENUM)
#undef NAT64_STAT_ENUM
	NAT64_STAT_COUNT,
};

/*
 * xtables target info, revision 0, for targets "JOOL" and "NAT64":
 *   -j JOOL --instance NAME
 */
struct xt_nat64_tginfo {
	char instance[NAT64_INAME_MAX];
	__u32 flags;		/* reserved, must be 0 */
};

#endif /* _UAPI_NAT64_H */
