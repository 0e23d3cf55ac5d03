// SPDX-License-Identifier: GPL-2.0
/* RFC 6146 §3.5.2.2 TCP state machine; see tcp_state.h for the choices. */
#include "tcp_state.h"

static struct nat64_tcp_step step(u8 state, u8 timer)
{
	struct nat64_tcp_step r = { .state = state, .timer = timer, .drop = 0, .probe = false };

	return r;
}

static struct nat64_tcp_step drop(u8 state, u16 why)
{
	struct nat64_tcp_step r = {
		.state = state, .timer = NAT64_TT_KEEP, .drop = why, .probe = false,
	};

	return r;
}

/* No session yet: only a SYN opens one. */
static struct nat64_tcp_step closed(enum nat64_tcp_dir dir, u8 flags,
				    unsigned int opts)
{
	if (!(flags & NAT64_TCPF_SYN))
		return drop(NAT64_TCP_CLOSED, NAT64_STAT_DROP_TCP_STATE);
	if (dir == NAT64_TCP_FROM6)
		return step(NAT64_TCP_V6_INIT, NAT64_TT_TRANS);
	if (opts & NAT64_TCPO_DROP_EXT)
		return drop(NAT64_TCP_CLOSED, NAT64_STAT_DROP_EXT_TCP);
	return step(NAT64_TCP_V4_INIT, NAT64_TT_SYN4);
}

/* Outbound SYN seen; the answering SYN (SYN+ACK) from v4 establishes. */
static struct nat64_tcp_step v6_init(enum nat64_tcp_dir dir, u8 flags)
{
	if (!(flags & NAT64_TCPF_SYN))
		return step(NAT64_TCP_V6_INIT, NAT64_TT_KEEP);
	if (dir == NAT64_TCP_FROM4)
		return step(NAT64_TCP_ESTABLISHED, NAT64_TT_EST);
	return step(NAT64_TCP_V6_INIT, NAT64_TT_TRANS);	/* retransmission */
}

/* Inbound SYN seen; a SYN from v6 (answer or simultaneous open) establishes. */
static struct nat64_tcp_step v4_init(enum nat64_tcp_dir dir, u8 flags)
{
	if (dir == NAT64_TCP_FROM6 && (flags & NAT64_TCPF_SYN))
		return step(NAT64_TCP_ESTABLISHED, NAT64_TT_EST);
	return step(NAT64_TCP_V4_INIT, NAT64_TT_KEEP);
}

static struct nat64_tcp_step established(enum nat64_tcp_dir dir, u8 flags)
{
	if (flags & NAT64_TCPF_FIN)
		return step(dir == NAT64_TCP_FROM4 ? NAT64_TCP_V4_FIN_RCV :
			    NAT64_TCP_V6_FIN_RCV, NAT64_TT_KEEP);
	if (flags & NAT64_TCPF_RST)
		return step(NAT64_TCP_TRANS, NAT64_TT_TRANS);
	return step(NAT64_TCP_ESTABLISHED, NAT64_TT_EST);
}

/* One side closed; a FIN from the other side completes the close. */
static struct nat64_tcp_step fin_rcv(u8 state, enum nat64_tcp_dir fin_dir,
				     enum nat64_tcp_dir dir, u8 flags,
				     unsigned int opts)
{
	if (dir != fin_dir && (flags & NAT64_TCPF_FIN))
		return step(NAT64_TCP_V6_FIN_V4_FIN, NAT64_TT_TRANS);
	if ((flags & NAT64_TCPF_RST) && (opts & NAT64_TCPO_RST_IN_FIN))
		return step(state, NAT64_TT_TRANS);
	return step(state, NAT64_TT_EST);
}

static struct nat64_tcp_step trans(u8 flags)
{
	if (flags & NAT64_TCPF_RST)
		return step(NAT64_TCP_TRANS, NAT64_TT_KEEP);
	return step(NAT64_TCP_ESTABLISHED, NAT64_TT_EST);
}

struct nat64_tcp_step nat64_tcp_next(u8 state, enum nat64_tcp_dir dir, u8 flags,
				     unsigned int opts)
{
	switch (state) {
	case NAT64_TCP_CLOSED:
		return closed(dir, flags, opts);
	case NAT64_TCP_V6_INIT:
		return v6_init(dir, flags);
	case NAT64_TCP_V4_INIT:
		return v4_init(dir, flags);
	case NAT64_TCP_ESTABLISHED:
		return established(dir, flags);
	case NAT64_TCP_V4_FIN_RCV:
		return fin_rcv(state, NAT64_TCP_FROM4, dir, flags, opts);
	case NAT64_TCP_V6_FIN_RCV:
		return fin_rcv(state, NAT64_TCP_FROM6, dir, flags, opts);
	case NAT64_TCP_V6_FIN_V4_FIN:
		/* Both sides closed: only the timer ends this state. */
		return step(state, NAT64_TT_KEEP);
	case NAT64_TCP_TRANS:
		return trans(flags);
	}
	return drop(state, NAT64_STAT_DROP_INTERNAL);
}

struct nat64_tcp_step nat64_tcp_expire(u8 state)
{
	if (state == NAT64_TCP_ESTABLISHED) {
		struct nat64_tcp_step r = step(NAT64_TCP_TRANS, NAT64_TT_TRANS);

		r.probe = true;
		return r;
	}
	return drop(state, NAT64_STAT_SESSIONS_EXPIRED);
}
