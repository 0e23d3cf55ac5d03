/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP session state machine of RFC 6146 §3.5.2.2 as a pure function:
 * (state, direction, flags, options) -> (new state, timer, verdict). It
 * touches no session; the caller applies the result under its own lock.
 *
 * Timers: a session lives on the expiry list of its timer class. EST is
 * tcp-est-timeout (2 h), TRANS tcp-trans-timeout (4 min), SYN4 the fixed
 * 6 s of TCP_INCOMING_SYN given to sessions opened from the IPv4 side
 * (V4 INIT) so that unanswered inbound SYNs cannot fill the table.
 * KEEP means "leave the timer alone" (no refresh, no class change).
 *
 * Choices where the RFC leaves room (same as Jool unless said otherwise):
 *  - ESTABLISHED + FIN changes the state but does not refresh the timer.
 *  - V4/V6 FIN RCV + RST: with NAT64_TCPO_RST_IN_FIN (global
 *    handle-rst-during-fin-rcv) the timer drops to TRANS; otherwise RST is
 *    an ordinary packet that refreshes EST.
 *  - V4 INIT + another IPv4 packet: translated, no refresh (a retried SYN
 *    must not keep an unanswered session alive).
 *  - CLOSED (no session) + non-SYN: dropped; CLOSED + V4 SYN with
 *    NAT64_TCPO_DROP_EXT (drop-externally-initiated-tcp): dropped.
 *  - Storing unsolicited V4 SYNs for 6 s (simultaneous open without a
 *    BIB entry, §3.5.2.2) is not done here: without a BIB entry the caller
 *    drops the packet before asking.
 */
#ifndef NAT64_CORE_TCP_STATE_H
#define NAT64_CORE_TCP_STATE_H

#include "platform.h"
#include "../../include/nat64.h"

/* Direction of the packet. */
enum nat64_tcp_dir {
	NAT64_TCP_FROM6,	/* from the IPv6 side ("V6" packet) */
	NAT64_TCP_FROM4,	/* from the IPv4 side ("V4" packet) */
};

enum nat64_tcp_timer {
	NAT64_TT_KEEP,	/* no change to the timer */
	NAT64_TT_EST,
	NAT64_TT_TRANS,
	NAT64_TT_SYN4,
};

/* The TCP flags byte, as in the header (same values as TCPHDR_*). */
#define NAT64_TCPF_FIN	0x01
#define NAT64_TCPF_SYN	0x02
#define NAT64_TCPF_RST	0x04
#define NAT64_TCPF_ACK	0x10

/* Options from the instance's globals. */
#define NAT64_TCPO_RST_IN_FIN	(1U << 0)	/* handle-rst-during-fin-rcv */
#define NAT64_TCPO_DROP_EXT	(1U << 1)	/* drop-externally-initiated-tcp */

struct nat64_tcp_step {
	u8 state;	/* enum nat64_tcp_state after the packet */
	u8 timer;	/* enum nat64_tcp_timer */
	u16 drop;	/* 0: translate; else the enum nat64_stat to count */
	bool probe;	/* expiry: send the §3.5.2.2 probe to the IPv6 end */
};

/*
 * One packet. state NAT64_TCP_CLOSED means "no session yet": a result with
 * drop == 0 then says which state and timer the new session starts with.
 */
struct nat64_tcp_step nat64_tcp_next(u8 state, enum nat64_tcp_dir dir, u8 flags,
				     unsigned int opts);

/*
 * The session's timer ran out. Returns the next state and timer, or
 * drop != 0 (the value is NAT64_STAT_SESSIONS_EXPIRED) when the session
 * must be removed. Only ESTABLISHED survives: it falls to TRANS and, as
 * RFC 6146 §3.5.2.2 suggests, the caller probes the IPv6 end (probe set):
 * the endpoint's answer moves the session back to ESTABLISHED.
 */
struct nat64_tcp_step nat64_tcp_expire(u8 state);

#endif
