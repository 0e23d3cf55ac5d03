// SPDX-License-Identifier: GPL-2.0
// Session expiry of the real tables (mod/state_expiry.c and friends) with
// an injected clock: timeouts by class, refresh, bounded gc passes, the
// probe of expired established TCP sessions, held simultaneous-open SYNs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

extern "C" {
#include <linux/types.h>
#include "../../include/nat64.h"
}
#include "tables_harness.h"

namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10;
constexpr uint64_t kSec = TH_HZ;
constexpr const char* kX = "2001:db8::2";
constexpr const char* kZ = "203.0.113.9";

class Expiry : public ::testing::Test {
 protected:
  void SetUp() override {
    static const char* const own[] = {"192.0.2.1"};
    th_own_addrs(own, 1);
    th_clock_set(1000 * kSec);
    th_cpu(0);
    th_sent_reset();
    th_ = th_new();
    ASSERT_NE(th_, nullptr);
  }
  void TearDown() override { th_free(th_); }

  int Udp6(uint16_t x, const char* z, uint16_t y, th_out* out = nullptr) {
    int why;
    return th_6to4(th_, IPPROTO_UDP, kX, x, z, y, 0, 0, out, &why);
  }
  int Tcp6(uint16_t x, uint16_t y, uint8_t flags) {
    int why;
    return th_6to4(th_, IPPROTO_TCP, kX, x, kZ, y, flags, 0, nullptr, &why);
  }
  int Tcp4(const th_out& m, uint16_t z, uint8_t flags) {
    int why;
    return th_4to6(th_, IPPROTO_TCP, kZ, z, m.src, m.sport, flags, nullptr, &why);
  }
  int State(uint8_t proto, uint16_t x, uint16_t y, uint64_t* exp = nullptr) {
    return th_session(th_, proto, kX, x, kZ, y, exp);
  }
  // Advance to exactly t (ticks) and run one gc pass.
  void GcAt(uint64_t t) {
    th_clock_set(t);
    th_gc(th_);
  }
  // Collection just before `when` leaves `before` sessions, at `when` `after`.
  void ExpectSessionsAt(uint64_t when, int before, int after) {
    SCOPED_TRACE(::testing::Message() << "expiry at " << when);
    GcAt(when - 1);
    EXPECT_EQ(th_nsessions(th_), before);
    GcAt(when);
    EXPECT_EQ(th_nsessions(th_), after);
  }

  th* th_ = nullptr;
};

TEST_F(Expiry, UdpGoesAtItsTimeoutNotBefore) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  uint64_t t0 = th_clock(), exp = 0;
  ASSERT_EQ(Udp6(5000, kZ, 53), 0);
  ASSERT_EQ(State(IPPROTO_UDP, 5000, 53, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + 120 * kSec);
  GcAt(t0 + 120 * kSec - 1);
  EXPECT_EQ(th_nsessions(th_), 1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);
  GcAt(t0 + 120 * kSec);
  EXPECT_EQ(th_nsessions(th_), 0);
  EXPECT_EQ(State(IPPROTO_UDP, 5000, 53), -1);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 1u);
  // The dynamic BIB entry went with its last session, from both tables.
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 0u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB6), 0u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_SESS), 0u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIBSESS), 0u);
}

// Sessions keep 32-bit jiffies: across the wrap of the low 32 bits a
// session neither goes early nor stays, and its refresh still counts.
TEST_F(Expiry, ThirtyTwoBitJiffiesWrap) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  const uint64_t t0 = (uint64_t{1} << 32) - 30 * kSec;
  uint64_t exp = 0;
  th_clock_set(t0);
  ASSERT_EQ(Udp6(5000, kZ, 53), 0);
  ASSERT_EQ(State(IPPROTO_UDP, 5000, 53, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + 120 * kSec);  // past the wrap, as a full value
  GcAt(t0 + 10 * kSec);  // before the wrap, the expiry after it
  EXPECT_EQ(th_nsessions(th_), 1);
  GcAt(t0 + 60 * kSec);  // after the wrap
  EXPECT_EQ(th_nsessions(th_), 1);
  ASSERT_EQ(Udp6(5000, kZ, 53), 0);  // moves it: expires t0 + 180 s
  ASSERT_EQ(State(IPPROTO_UDP, 5000, 53, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + 180 * kSec);
  ExpectSessionsAt(t0 + 180 * kSec, 1, 0);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 1u);
}

// The longest timeout (20 days) orders and expires right in 32 bits.
TEST_F(Expiry, LongestTimeoutIn32Bits) {
  th_set_timeouts(th_, NAT64_MAX_TIMEOUT, 60, 7200, 240);
  const uint64_t t0 = th_clock();
  uint64_t exp = 0;
  ASSERT_EQ(Udp6(5000, kZ, 53), 0);
  ASSERT_EQ(State(IPPROTO_UDP, 5000, 53, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + uint64_t{NAT64_MAX_TIMEOUT} * kSec);
  ExpectSessionsAt(t0 + uint64_t{NAT64_MAX_TIMEOUT} * kSec, 1, 0);
}

TEST_F(Expiry, EachClassHasItsTimeout) {
  th_set_timeouts(th_, 300, 60, 7200, 240);
  uint64_t t0 = th_clock();
  int why;
  ASSERT_EQ(Udp6(5000, kZ, 53), 0);
  ASSERT_EQ(th_6to4(th_, IPPROTO_ICMP, kX, 77, kZ, 77, 0, 0, nullptr, &why), 0);
  ASSERT_EQ(Tcp6(6000, 80, kSyn), 0);  // V6 INIT: transitory timer
  th_out m;
  ASSERT_EQ(th_6to4(th_, IPPROTO_TCP, kX, 6001, kZ, 80, kSyn, 0, &m, &why), 0);
  ASSERT_EQ(Tcp4(m, 80, kSyn | kAck), 0);  // ESTABLISHED: 2 h
  ASSERT_EQ(State(IPPROTO_TCP, 6001, 80), NAT64_TCP_ESTABLISHED);
  ASSERT_EQ(th_nsessions(th_), 4);

  ExpectSessionsAt(t0 + 60 * kSec, 4, 3);  // ICMP
  EXPECT_EQ(th_session(th_, IPPROTO_ICMP, kX, 77, kZ, 0, nullptr), -1);
  ExpectSessionsAt(t0 + 240 * kSec, 3, 2);  // TCP V6 INIT
  EXPECT_EQ(State(IPPROTO_TCP, 6000, 80), -1);
  GcAt(t0 + 300 * kSec);  // UDP
  EXPECT_EQ(th_nsessions(th_), 1);
  EXPECT_EQ(State(IPPROTO_UDP, 5000, 53), -1);
  GcAt(t0 + 7200 * kSec - 1);
  EXPECT_EQ(State(IPPROTO_TCP, 6001, 80), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 3u);
}

// A refresh that moves the expiry by more than 1/8 of the timeout moves the
// session to the tail of its list; a smaller one only pushes ->expires, and
// the session, at the head, holds its list until then.
TEST_F(Expiry, RefreshMovesTheSession) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  uint64_t t0 = th_clock();
  ASSERT_EQ(Udp6(5000, kZ, 1), 0);  // A
  th_clock_set(t0 + 1 * kSec);
  ASSERT_EQ(Udp6(5000, kZ, 2), 0);  // B, behind A
  th_clock_set(t0 + 20 * kSec);
  ASSERT_EQ(Udp6(5000, kZ, 1), 0);  // A refreshed: +20 s > 120/8 s: moved
  uint64_t exp = 0;
  ASSERT_EQ(State(IPPROTO_UDP, 5000, 1, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + 140 * kSec);

  GcAt(t0 + 121 * kSec);  // B is at the head now and due; A is not
  EXPECT_EQ(State(IPPROTO_UDP, 5000, 2), -1);
  EXPECT_EQ(State(IPPROTO_UDP, 5000, 1), NAT64_TCP_ESTABLISHED);
  ExpectSessionsAt(t0 + 140 * kSec, 1, 0);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 2u);
}

TEST_F(Expiry, SmallRefreshHoldsTheListHead) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  uint64_t t0 = th_clock();
  ASSERT_EQ(Udp6(5000, kZ, 1), 0);  // A, expires t0+120 s
  th_clock_set(t0 + 1 * kSec);
  ASSERT_EQ(Udp6(5000, kZ, 2), 0);  // B, expires t0+121 s
  th_clock_set(t0 + 10 * kSec);
  ASSERT_EQ(Udp6(5000, kZ, 1), 0);  // A: +10 s <= 15 s: not moved
  GcAt(t0 + 125 * kSec);
  // A is due at t0+130 s and still heads the list: B waits behind it.
  EXPECT_EQ(th_nsessions(th_), 2);
  GcAt(t0 + 130 * kSec);
  EXPECT_EQ(th_nsessions(th_), 0);
}

TEST_F(Expiry, OnePassReclaimsAtMostTheBudget) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  uint64_t t0 = th_clock();
  const int n = 16384 + 100;  // NAT64_GC_BUDGET + 100, one BIB entry
  for (int i = 0; i < n; i++)
    ASSERT_EQ(Udp6(5000, kZ, 1 + i), 0) << i;
  ASSERT_EQ(th_nsessions(th_), n);
  ASSERT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);
  th_clock_set(t0 + 120 * kSec);
  EXPECT_TRUE(th_gc(th_));  // out of budget: more is due
  EXPECT_EQ(th_nsessions(th_), 100);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 16384u);
  EXPECT_FALSE(th_gc(th_));
  EXPECT_EQ(th_nsessions(th_), 0);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIBSESS), 0u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 0u);
}

TEST_F(Expiry, EstablishedTcpIsProbedAndFallsToTrans) {
  uint64_t t0 = th_clock();
  th_out m;
  int why;
  ASSERT_EQ(th_6to4(th_, IPPROTO_TCP, kX, 6000, kZ, 80, kSyn, 0, &m, &why), 0);
  ASSERT_EQ(Tcp4(m, 80, kSyn | kAck), 0);
  ASSERT_EQ(State(IPPROTO_TCP, 6000, 80), NAT64_TCP_ESTABLISHED);

  GcAt(t0 + 7200 * kSec - 1);
  struct th_sent s;
  th_sent_get(&s);
  EXPECT_EQ(s.probes, 0u);
  GcAt(t0 + 7200 * kSec);
  th_sent_get(&s);
  EXPECT_EQ(s.probes, 1u);
  // From (Y', y) = (pool6 + Z, 80) to (X', x): the IPv6 end.
  EXPECT_EQ(std::string(s.probe_src), "64:ff9b::cb00:7109");
  EXPECT_EQ(s.probe_sport, 80);
  EXPECT_EQ(std::string(s.probe_dst), kX);
  EXPECT_EQ(s.probe_dport, 6000);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_TCP_PROBES), 1u);
  uint64_t exp = 0;
  EXPECT_EQ(State(IPPROTO_TCP, 6000, 80, &exp), NAT64_TCP_TRANS);
  EXPECT_EQ(exp, t0 + (7200 + 240) * kSec);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 0u);

  // The endpoint answers the probe: back to ESTABLISHED, 2 h again.
  th_clock_set(t0 + 7210 * kSec);
  ASSERT_EQ(Tcp6(6000, 80, kAck), 0);
  EXPECT_EQ(State(IPPROTO_TCP, 6000, 80, &exp), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(exp, t0 + (7210 + 7200) * kSec);

  // Next time nobody answers: TRANS, then gone after tcp-trans-timeout.
  uint64_t t1 = t0 + (7210 + 7200) * kSec;
  GcAt(t1);
  th_sent_get(&s);
  EXPECT_EQ(s.probes, 2u);
  EXPECT_EQ(State(IPPROTO_TCP, 6000, 80), NAT64_TCP_TRANS);
  ExpectSessionsAt(t1 + 240 * kSec, 1, 0);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_EXPIRED), 1u);
  th_sent_get(&s);
  EXPECT_EQ(s.probes, 2u);  // a TRANS session is not probed
}

// An unsolicited IPv4 SYN to a pool4 transport address is held 6 s, then
// answered with ICMP Port Unreachable quoting it.
TEST_F(Expiry, HeldSynIsAnsweredAfterSixSeconds) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_TCP, "198.51.100.1", 32, 1000, 1999), 0);
  uint64_t t0 = th_clock();
  int why;
  th_out m;
  strcpy(m.src, "198.51.100.1");
  m.sport = 1500;
  EXPECT_EQ(th_4to6(th_, IPPROTO_TCP, kZ, 4000, m.src, m.sport, kSyn, nullptr, &why),
            -EINPROGRESS);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SO_STORED), 1u);
  EXPECT_EQ(th_nsessions(th_), 0);
  // A retransmission while held: dropped as filtered, not held twice.
  EXPECT_EQ(th_4to6(th_, IPPROTO_TCP, kZ, 4000, m.src, m.sport, kSyn, nullptr, &why),
            -EPERM);
  EXPECT_EQ(why, NAT64_STAT_DROP_NO_BIB4);

  GcAt(t0 + 6 * kSec - 1);
  struct th_sent s;
  th_sent_get(&s);
  EXPECT_EQ(s.unreach, 0u);
  GcAt(t0 + 6 * kSec);
  th_sent_get(&s);
  ASSERT_EQ(s.unreach, 1u);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SO_EXPIRED), 1u);
  // The quote is the held SYN: IPv4 header from Z to T, then its ports.
  ASSERT_EQ(s.unreach_len, 40u);
  EXPECT_EQ(s.unreach_data[0], 0x45);
  EXPECT_EQ(s.unreach_data[9], IPPROTO_TCP);
  char a[16];
  inet_ntop(AF_INET, s.unreach_data + 12, a, sizeof(a));
  EXPECT_EQ(std::string(a), kZ);
  inet_ntop(AF_INET, s.unreach_data + 16, a, sizeof(a));
  EXPECT_EQ(std::string(a), "198.51.100.1");
  EXPECT_EQ(s.unreach_data[20] << 8 | s.unreach_data[21], 4000);
  EXPECT_EQ(s.unreach_data[22] << 8 | s.unreach_data[23], 1500);
  GcAt(t0 + 20 * kSec);
  th_sent_get(&s);
  EXPECT_EQ(s.unreach, 1u);  // answered once
}

// The IPv6 SYN that meets a held one opens the session at once, on the
// address the IPv4 end chose; nothing is answered later.
TEST_F(Expiry, HeldSynMetByIpv6SynOpens) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_TCP, "198.51.100.1", 32, 1000, 1999), 0);
  uint64_t t0 = th_clock();
  int why;
  ASSERT_EQ(th_4to6(th_, IPPROTO_TCP, kZ, 4000, "198.51.100.1", 1500, kSyn, nullptr, &why),
            -EINPROGRESS);
  th_clock_set(t0 + 3 * kSec);
  th_out m;
  ASSERT_EQ(th_6to4(th_, IPPROTO_TCP, kX, 6000, kZ, 4000, kSyn, 0, &m, &why), 0);
  EXPECT_EQ(std::string(m.src), "198.51.100.1");
  EXPECT_EQ(m.sport, 1500);
  EXPECT_EQ(State(IPPROTO_TCP, 6000, 4000), NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SO_OPENED), 1u);
  GcAt(t0 + 30 * kSec);
  struct th_sent s;
  th_sent_get(&s);
  EXPECT_EQ(s.unreach, 0u);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SO_EXPIRED), 0u);
}

}  // namespace
