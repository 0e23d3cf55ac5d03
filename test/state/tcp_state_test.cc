// Every transition of the RFC 6146 §3.5.2.2 state machine (tcp_state.c).
#include <gtest/gtest.h>

extern "C" {
#include "tcp_state.h"
}

namespace {

constexpr u8 kNone = NAT64_TCPF_ACK;
constexpr u8 kSyn = NAT64_TCPF_SYN;
constexpr u8 kSynAck = NAT64_TCPF_SYN | NAT64_TCPF_ACK;
constexpr u8 kFin = NAT64_TCPF_FIN | NAT64_TCPF_ACK;
constexpr u8 kRst = NAT64_TCPF_RST;
constexpr auto kV6 = NAT64_TCP_FROM6;
constexpr auto kV4 = NAT64_TCP_FROM4;

struct Case {
  u8 state;
  nat64_tcp_dir dir;
  u8 flags;
  unsigned int opts;
  u8 next;
  u8 timer;
  u16 drop;
};

void Check(const Case &c) {
  nat64_tcp_step r = nat64_tcp_next(c.state, c.dir, c.flags, c.opts);
  SCOPED_TRACE(testing::Message() << "state " << int(c.state) << " dir " << int(c.dir)
                                  << " flags 0x" << std::hex << int(c.flags)
                                  << " opts " << c.opts);
  EXPECT_EQ(r.drop, c.drop);
  if (!c.drop) {
    EXPECT_EQ(r.state, c.next);
    EXPECT_EQ(r.timer, c.timer);
  }
}

void CheckAll(std::initializer_list<Case> cases) {
  for (const Case &c : cases) Check(c);
}

TEST(TcpState, Closed) {
  CheckAll({
      {NAT64_TCP_CLOSED, kV6, kSyn, 0, NAT64_TCP_V6_INIT, NAT64_TT_TRANS, 0},
      {NAT64_TCP_CLOSED, kV4, kSyn, 0, NAT64_TCP_V4_INIT, NAT64_TT_SYN4, 0},
      {NAT64_TCP_CLOSED, kV4, kSyn, NAT64_TCPO_DROP_EXT, 0, 0, NAT64_STAT_DROP_EXT_TCP},
      // drop-externally-initiated-tcp does not affect the IPv6 side.
      {NAT64_TCP_CLOSED, kV6, kSyn, NAT64_TCPO_DROP_EXT, NAT64_TCP_V6_INIT, NAT64_TT_TRANS, 0},
      {NAT64_TCP_CLOSED, kV6, kNone, 0, 0, 0, NAT64_STAT_DROP_TCP_STATE},
      {NAT64_TCP_CLOSED, kV4, kNone, 0, 0, 0, NAT64_STAT_DROP_TCP_STATE},
      {NAT64_TCP_CLOSED, kV6, kFin, 0, 0, 0, NAT64_STAT_DROP_TCP_STATE},
      {NAT64_TCP_CLOSED, kV4, kRst, 0, 0, 0, NAT64_STAT_DROP_TCP_STATE},
      {NAT64_TCP_CLOSED, kV4, kRst, NAT64_TCPO_DROP_EXT, 0, 0, NAT64_STAT_DROP_TCP_STATE},
  });
}

TEST(TcpState, V6Init) {
  CheckAll({
      // The answer (SYN+ACK) from IPv4 establishes.
      {NAT64_TCP_V6_INIT, kV4, kSynAck, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_V6_INIT, kV4, kSyn, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      // Retransmitted SYN from IPv6 refreshes the transitory timer.
      {NAT64_TCP_V6_INIT, kV6, kSyn, 0, NAT64_TCP_V6_INIT, NAT64_TT_TRANS, 0},
      // Anything else is translated and changes nothing.
      {NAT64_TCP_V6_INIT, kV6, kNone, 0, NAT64_TCP_V6_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V6_INIT, kV4, kNone, 0, NAT64_TCP_V6_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V6_INIT, kV4, kRst, 0, NAT64_TCP_V6_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V6_INIT, kV6, kFin, 0, NAT64_TCP_V6_INIT, NAT64_TT_KEEP, 0},
  });
}

TEST(TcpState, V4InitAndSimultaneousOpen) {
  CheckAll({
      // A SYN from IPv6 (answer or simultaneous open) establishes.
      {NAT64_TCP_V4_INIT, kV6, kSynAck, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_V4_INIT, kV6, kSyn, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      // Retried IPv4 SYN: translated, no refresh of the 6 s timer.
      {NAT64_TCP_V4_INIT, kV4, kSyn, 0, NAT64_TCP_V4_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V4_INIT, kV4, kNone, 0, NAT64_TCP_V4_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V4_INIT, kV6, kNone, 0, NAT64_TCP_V4_INIT, NAT64_TT_KEEP, 0},
      {NAT64_TCP_V4_INIT, kV6, kRst, 0, NAT64_TCP_V4_INIT, NAT64_TT_KEEP, 0},
  });
  // Simultaneous open from the IPv6 side: V6 SYN, then V4 SYN.
  nat64_tcp_step a = nat64_tcp_next(NAT64_TCP_CLOSED, kV6, kSyn, 0);
  nat64_tcp_step b = nat64_tcp_next(a.state, kV4, kSyn, 0);
  EXPECT_EQ(b.state, NAT64_TCP_ESTABLISHED);
  // And from the IPv4 side: V4 SYN, then V6 SYN.
  a = nat64_tcp_next(NAT64_TCP_CLOSED, kV4, kSyn, 0);
  b = nat64_tcp_next(a.state, kV6, kSyn, 0);
  EXPECT_EQ(b.state, NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(b.timer, NAT64_TT_EST);
}

TEST(TcpState, Established) {
  CheckAll({
      {NAT64_TCP_ESTABLISHED, kV6, kNone, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_ESTABLISHED, kV4, kNone, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_ESTABLISHED, kV4, kSyn, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_ESTABLISHED, kV4, kFin, 0, NAT64_TCP_V4_FIN_RCV, NAT64_TT_KEEP, 0},
      {NAT64_TCP_ESTABLISHED, kV6, kFin, 0, NAT64_TCP_V6_FIN_RCV, NAT64_TT_KEEP, 0},
      {NAT64_TCP_ESTABLISHED, kV4, kRst, 0, NAT64_TCP_TRANS, NAT64_TT_TRANS, 0},
      {NAT64_TCP_ESTABLISHED, kV6, kRst, 0, NAT64_TCP_TRANS, NAT64_TT_TRANS, 0},
  });
}

TEST(TcpState, V4FinRcv) {
  CheckAll({
      {NAT64_TCP_V4_FIN_RCV, kV6, kFin, 0, NAT64_TCP_V6_FIN_V4_FIN, NAT64_TT_TRANS, 0},
      // A repeated FIN from the side that already closed: ordinary packet.
      {NAT64_TCP_V4_FIN_RCV, kV4, kFin, 0, NAT64_TCP_V4_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V4_FIN_RCV, kV6, kNone, 0, NAT64_TCP_V4_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V4_FIN_RCV, kV4, kNone, 0, NAT64_TCP_V4_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V4_FIN_RCV, kV6, kRst, 0, NAT64_TCP_V4_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V4_FIN_RCV, kV6, kRst, NAT64_TCPO_RST_IN_FIN, NAT64_TCP_V4_FIN_RCV,
       NAT64_TT_TRANS, 0},
      {NAT64_TCP_V4_FIN_RCV, kV4, kRst, NAT64_TCPO_RST_IN_FIN, NAT64_TCP_V4_FIN_RCV,
       NAT64_TT_TRANS, 0},
  });
}

TEST(TcpState, V6FinRcv) {
  CheckAll({
      {NAT64_TCP_V6_FIN_RCV, kV4, kFin, 0, NAT64_TCP_V6_FIN_V4_FIN, NAT64_TT_TRANS, 0},
      {NAT64_TCP_V6_FIN_RCV, kV6, kFin, 0, NAT64_TCP_V6_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V6_FIN_RCV, kV4, kNone, 0, NAT64_TCP_V6_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V6_FIN_RCV, kV6, kNone, 0, NAT64_TCP_V6_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V6_FIN_RCV, kV4, kRst, 0, NAT64_TCP_V6_FIN_RCV, NAT64_TT_EST, 0},
      {NAT64_TCP_V6_FIN_RCV, kV4, kRst, NAT64_TCPO_RST_IN_FIN, NAT64_TCP_V6_FIN_RCV,
       NAT64_TT_TRANS, 0},
      // FIN+RST from the other side: the FIN wins.
      {NAT64_TCP_V6_FIN_RCV, kV4, NAT64_TCPF_FIN | NAT64_TCPF_RST, NAT64_TCPO_RST_IN_FIN,
       NAT64_TCP_V6_FIN_V4_FIN, NAT64_TT_TRANS, 0},
  });
}

TEST(TcpState, BothFin) {
  for (auto dir : {kV6, kV4})
    for (u8 f : {kNone, kSyn, kFin, kRst})
      Check({NAT64_TCP_V6_FIN_V4_FIN, dir, f, NAT64_TCPO_RST_IN_FIN, NAT64_TCP_V6_FIN_V4_FIN,
             NAT64_TT_KEEP, 0});
}

TEST(TcpState, Trans) {
  CheckAll({
      {NAT64_TCP_TRANS, kV6, kNone, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_TRANS, kV4, kNone, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_TRANS, kV4, kSynAck, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_TRANS, kV6, kFin, 0, NAT64_TCP_ESTABLISHED, NAT64_TT_EST, 0},
      {NAT64_TCP_TRANS, kV6, kRst, 0, NAT64_TCP_TRANS, NAT64_TT_KEEP, 0},
      {NAT64_TCP_TRANS, kV4, kRst, 0, NAT64_TCP_TRANS, NAT64_TT_KEEP, 0},
  });
}

TEST(TcpState, Expiry) {
  nat64_tcp_step r = nat64_tcp_expire(NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(r.drop, 0);
  EXPECT_EQ(r.state, NAT64_TCP_TRANS);
  EXPECT_EQ(r.timer, NAT64_TT_TRANS);
  EXPECT_TRUE(r.probe);  // RFC 6146 §3.5.2.2: probe the IPv6 end
  for (u8 s : {NAT64_TCP_V6_INIT, NAT64_TCP_V4_INIT, NAT64_TCP_V4_FIN_RCV, NAT64_TCP_V6_FIN_RCV,
               NAT64_TCP_V6_FIN_V4_FIN, NAT64_TCP_TRANS}) {
    EXPECT_EQ(nat64_tcp_expire(s).drop, NAT64_STAT_SESSIONS_EXPIRED) << int(s);
    EXPECT_FALSE(nat64_tcp_expire(s).probe) << int(s);
  }
  // The probe's answer (any non-RST segment) revives the session.
  r = nat64_tcp_next(NAT64_TCP_TRANS, kV6, kNone, 0);
  EXPECT_EQ(r.state, NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(r.timer, NAT64_TT_EST);
  // Packets never ask for a probe.
  for (unsigned s = 0; s < __NAT64_TCP_STATE_COUNT; s++)
    for (u8 f : {0, 1, 2, 4, 16, 17, 18, 20})
      for (auto dir : {kV6, kV4})
        EXPECT_FALSE(nat64_tcp_next(s, dir, f, 3).probe);
}

// Whatever the input, the result is a valid state and timer, and only
// CLOSED (no session) or an invalid state ever drops.
TEST(TcpState, ExhaustiveInvariants) {
  for (unsigned s = 0; s < __NAT64_TCP_STATE_COUNT; s++)
    for (auto dir : {kV6, kV4})
      for (unsigned f = 0; f < 256; f++)
        for (unsigned o = 0; o < 4; o++) {
          nat64_tcp_step r = nat64_tcp_next(s, dir, f, o);
          ASSERT_LT(r.state, __NAT64_TCP_STATE_COUNT);
          ASSERT_LE(r.timer, NAT64_TT_SYN4);
          if (s != NAT64_TCP_CLOSED) {
            ASSERT_EQ(r.drop, 0);
            ASSERT_NE(r.state, NAT64_TCP_CLOSED);
          } else if (r.drop == 0) {
            ASSERT_TRUE(f & NAT64_TCPF_SYN);
          }
          // Only sessions opened from IPv4 get the 6 s timer.
          if (r.timer == NAT64_TT_SYN4) {
            ASSERT_EQ(r.state, NAT64_TCP_V4_INIT);
          }
        }
  EXPECT_EQ(nat64_tcp_next(__NAT64_TCP_STATE_COUNT, kV6, kNone, 0).drop,
            NAT64_STAT_DROP_INTERNAL);
}

// A whole connection, closed by IPv6 first.
TEST(TcpState, FullConnection) {
  u8 s = NAT64_TCP_CLOSED;
  struct {
    nat64_tcp_dir dir;
    u8 flags;
    u8 expect;
  } seq[] = {
      {kV6, kSyn, NAT64_TCP_V6_INIT},        {kV4, kSynAck, NAT64_TCP_ESTABLISHED},
      {kV6, kNone, NAT64_TCP_ESTABLISHED},   {kV6, kFin, NAT64_TCP_V6_FIN_RCV},
      {kV4, kNone, NAT64_TCP_V6_FIN_RCV},    {kV4, kFin, NAT64_TCP_V6_FIN_V4_FIN},
      {kV6, kNone, NAT64_TCP_V6_FIN_V4_FIN},
  };
  for (auto &p : seq) {
    nat64_tcp_step r = nat64_tcp_next(s, p.dir, p.flags, 0);
    ASSERT_EQ(r.drop, 0);
    ASSERT_EQ(r.state, p.expect);
    s = r.state;
  }
}

}  // namespace
