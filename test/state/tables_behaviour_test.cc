// SPDX-License-Identifier: GPL-2.0
// Behaviour of the real BIB/session/pool4 tables (mod/state*.c, pool4.c)
// in userspace: endpoint-independent mapping, filtering, static BIB
// entries, maximum-sessions, pool4 removal, and pool4's port choice as
// seen through whole flows.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <set>
#include <string>
#include <utility>

extern "C" {
#include <linux/types.h>
#include "../../include/nat64.h"
}
#include "tables_harness.h"

namespace {

constexpr uint64_t kSec = TH_HZ;
constexpr const char* kX = "2001:db8::2";
constexpr const char* kZ1 = "203.0.113.9";
constexpr const char* kZ2 = "203.0.113.10";

class Tables : public ::testing::Test {
 protected:
  void SetUp() override {
    static const char* const own[] = {"192.0.2.1"};
    th_own_addrs(own, 1);
    th_clock_set(5000 * kSec);
    th_cpu(1);
    th_sent_reset();
    th_ = th_new();
    ASSERT_NE(th_, nullptr);
  }
  void TearDown() override { th_free(th_); }

  int Udp6(const char* x6, uint16_t x, const char* z, uint16_t y, th_out* out = nullptr,
           int* why = nullptr) {
    int w;
    return th_6to4(th_, IPPROTO_UDP, x6, x, z, y, 0, 0, out, why ? why : &w);
  }
  int Udp4(const char* z, uint16_t zp, const th_out& m, th_out* out = nullptr,
           int* why = nullptr) {
    int w;
    return th_4to6(th_, IPPROTO_UDP, z, zp, m.src, m.sport, 0, out, why ? why : &w);
  }
  // The UDP session (kX#5000 -> kZ1#y) by the 6->4 lookup, which must be
  // the one the 4->6 lookup by m's (T,t) finds.
  void* SessionBothWays(uint16_t y, const th_out& m) {
    th_rcu_read_lock();
    void* s6 = th_session_ref(th_, IPPROTO_UDP, kX, 5000, kZ1, y);
    void* s4 = th_session4_ref(th_, IPPROTO_UDP, kZ1, y, m.src, m.sport);
    th_rcu_read_unlock();
    EXPECT_EQ(s6, s4) << "remote port " << y;
    return s6;
  }

  th* th_ = nullptr;
};

TEST_F(Tables, EndpointIndependentMapping) {
  th_out a, b, c;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, &a), 0);
  ASSERT_EQ(Udp6(kX, 5000, kZ2, 123, &b), 0);
  EXPECT_EQ(std::string(a.src), std::string(b.src));
  EXPECT_EQ(a.sport, b.sport);
  EXPECT_EQ(std::string(a.src), "192.0.2.1");  // the only own address
  EXPECT_GE(a.sport, NAT64_DEFAULT_PORT_MIN);
  EXPECT_EQ(std::string(a.dst), kZ1);
  EXPECT_EQ(a.dport, 53);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_SESS), 2u);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_BIB_CREATED), 1u);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_CREATED), 2u);
  // Another source port of the same host: another binding, same address
  // (addresses are chosen by X' alone).
  ASSERT_EQ(Udp6(kX, 5001, kZ1, 53, &c), 0);
  EXPECT_EQ(std::string(c.src), std::string(a.src));
  EXPECT_NE(c.sport, a.sport);
  // The reply finds the session: (Y', y) -> (X', x).
  th_out r;
  ASSERT_EQ(Udp4(kZ1, 53, a, &r), 0);
  EXPECT_EQ(std::string(r.src), "64:ff9b::cb00:7109");
  EXPECT_EQ(r.sport, 53);
  EXPECT_EQ(std::string(r.dst), kX);
  EXPECT_EQ(r.dport, 5000);
}

TEST_F(Tables, EndpointIndependentFilteringByDefault) {
  th_out m, r;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, &m), 0);
  // Another IPv4 host may use the binding: a new session.
  ASSERT_EQ(Udp4(kZ2, 999, m, &r), 0);
  EXPECT_EQ(std::string(r.dst), kX);
  EXPECT_EQ(th_nsessions(th_), 2);
  // Without a binding the packet is not ours.
  th_out none = m;
  none.sport = m.sport == 65535 ? 65534 : m.sport + 1;
  int why;
  EXPECT_EQ(Udp4(kZ2, 999, none, nullptr, &why), -ENOENT);
  EXPECT_EQ(why, NAT64_STAT_DROP_NO_BIB4);
}

TEST_F(Tables, AddressDependentFiltering) {
  th_set_adf(th_, true);
  th_out m;
  int why;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, &m), 0);
  EXPECT_EQ(Udp4(kZ2, 53, m, nullptr, &why), -EPERM);
  EXPECT_EQ(why, NAT64_STAT_DROP_NO_SESSION4);
  EXPECT_EQ(th_nsessions(th_), 1);
  // The address talked to is enough: another port of Z1 gets in.
  EXPECT_EQ(Udp4(kZ1, 4444, m), 0);
  EXPECT_EQ(th_nsessions(th_), 2);
  // Once (X', x) has talked to Z2, Z2 gets in too.
  ASSERT_EQ(Udp6(kX, 5000, kZ2, 7, nullptr), 0);
  EXPECT_EQ(Udp4(kZ2, 53, m), 0);
  EXPECT_EQ(th_nsessions(th_), 4);
}

TEST_F(Tables, StaticBibSurvivesItsSessions) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1999), 0);
  ASSERT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::80", 8080, "198.51.100.2", 1080), 0);
  char t4[16];
  uint16_t t;
  bool st;
  ASSERT_EQ(th_bib(th_, IPPROTO_UDP, "2001:db8::80", 8080, t4, &t, &st), 0);
  EXPECT_EQ(std::string(t4), "198.51.100.2");
  EXPECT_EQ(t, 1080);
  EXPECT_TRUE(st);
  // An IPv4 host opens a session through it (the IPv6 server never spoke).
  th_out m{}, r;
  strcpy(m.src, "198.51.100.2");
  m.sport = 1080;
  ASSERT_EQ(Udp4(kZ1, 4000, m, &r), 0);
  EXPECT_EQ(std::string(r.dst), "2001:db8::80");
  EXPECT_EQ(r.dport, 8080);
  // A dynamic entry next to it, for contrast.
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, nullptr), 0);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 2u);
  th_clock_advance(120 * kSec);
  th_gc(th_);
  EXPECT_EQ(th_nsessions(th_), 0);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);
  EXPECT_EQ(th_bib(th_, IPPROTO_UDP, "2001:db8::80", 8080, t4, &t, &st), 0);
  EXPECT_EQ(th_bib(th_, IPPROTO_UDP, kX, 5000, t4, &t, &st), -1);
  // Its port stays taken: a second static entry on it is refused.
  EXPECT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::81", 1, "198.51.100.2", 1080), -EEXIST);
  // bib remove takes it.
  ASSERT_EQ(th_bib_del(th_, IPPROTO_UDP, "2001:db8::80", 8080), 0);
  th_rcu_barrier();
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 0u);
  EXPECT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::81", 1, "198.51.100.2", 1080), 0);
  // Outside pool4: refused.
  EXPECT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::82", 1, "198.51.100.9", 1080), -EINVAL);
}

// Both limits answer the same way: -ENOSPC, nothing created, the drop
// counted; a freed slot serves again.
TEST_F(Tables, MaximumSessionsBehavesLikeExhaustion) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  th_set_max_sessions(th_, 2);
  int why;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 1, nullptr), 0);
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 2, nullptr), 0);
  EXPECT_EQ(Udp6(kX, 5000, kZ1, 3, nullptr, &why), -ENOSPC);
  EXPECT_EQ(why, NAT64_STAT_DROP_MAX_SESSIONS);
  EXPECT_EQ(Udp6("2001:db8::3", 5000, kZ1, 3, nullptr, &why), -ENOSPC);
  EXPECT_EQ(why, NAT64_STAT_DROP_MAX_SESSIONS);
  EXPECT_EQ(th_nsessions(th_), 2);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);  // nothing half-made
  th_clock_advance(120 * kSec);
  th_gc(th_);
  EXPECT_EQ(Udp6(kX, 5000, kZ1, 3, nullptr), 0);

  // pool4 exhaustion, the same way: 2 ports for 3 hosts.
  th_set_max_sessions(th_, 0);
  ASSERT_EQ(th_pool4_add(th_, 7, IPPROTO_UDP, "198.51.100.1", 32, 2000, 2001), 0);
  ASSERT_EQ(th_6to4(th_, IPPROTO_UDP, "2001:db8::a", 1, kZ1, 1, 0, 7, nullptr, &why), 0);
  ASSERT_EQ(th_6to4(th_, IPPROTO_UDP, "2001:db8::b", 1, kZ1, 1, 0, 7, nullptr, &why), 0);
  EXPECT_EQ(th_6to4(th_, IPPROTO_UDP, "2001:db8::c", 1, kZ1, 1, 0, 7, nullptr, &why), -ENOSPC);
  EXPECT_EQ(why, NAT64_STAT_DROP_POOL4_EXHAUSTED);
  EXPECT_EQ(th_nsessions(th_), 3);
}

TEST_F(Tables, Pool4RemovalKillsItsSessions) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1999), 0);
  // Many hosts: addresses are spread by a hash of X'.
  std::set<std::string> used;
  int on1 = 0;
  for (int i = 0; i < 64; i++) {
    std::string x6 = "2001:db8::" + std::to_string(100 + i);
    th_out m;
    ASSERT_EQ(Udp6(x6.c_str(), 5000, kZ1, 53, &m), 0);
    ASSERT_EQ(Udp6(x6.c_str(), 5000, kZ2, 53, nullptr), 0);
    used.insert(m.src);
    on1 += std::string(m.src) == "198.51.100.1";
  }
  ASSERT_GT(on1, 0);
  ASSERT_EQ(used.size(), 4u);
  ASSERT_EQ(th_nsessions(th_), 128);
  // Remove one address of the /30: its entries and sessions go.
  ASSERT_EQ(th_pool4_del(th_, 0, IPPROTO_UDP, "198.51.100.1", 32, 1000, 1999, false), 0);
  th_rcu_barrier();
  EXPECT_EQ(th_nsessions(th_), 128 - 2 * on1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 64u - on1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_SESS), 128u - 2 * on1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIBSESS), 128u - 2 * on1);
  // --quick: the rest of the pool goes, the entries stay.
  ASSERT_EQ(th_pool4_del(th_, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1999, true), 0);
  EXPECT_EQ(th_nsessions(th_), 128 - 2 * on1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 64u - on1);
}

// pool4 through whole flows: each (X', x) gets its own (T, t); the port
// keeps parity and range class; the same flow gets the same mapping again
// once its old one expired (deterministic for the instance's key); a full
// pool is refused at once.
TEST_F(Tables, Pool4ChoiceThroughFlows) {
  th_set_timeouts(th_, 120, 60, 7200, 240);
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.0", 31, 1, 2000), 0);
  std::set<std::pair<std::string, uint16_t>> maps;
  for (int i = 0; i < 400; i++) {
    uint16_t x = static_cast<uint16_t>(i % 2 ? 40000 + i : 100 + i);
    th_out m;
    ASSERT_EQ(Udp6(kX, x, kZ1, 53, &m), 0) << i;
    EXPECT_TRUE(maps.insert({m.src, m.sport}).second) << "duplicate " << m.src;
    EXPECT_EQ(m.sport % 2, x % 2);
    EXPECT_EQ(m.sport < 1024, x < 1024);
  }
  th_out first;
  ASSERT_EQ(Udp6(kX, 40001, kZ1, 53, &first), 0);
  th_clock_advance(120 * kSec);
  th_gc(th_);
  ASSERT_EQ(th_nsessions(th_), 0);
  th_out again;
  ASSERT_EQ(Udp6(kX, 40001, kZ2, 53, &again), 0);
  EXPECT_EQ(std::string(again.src), std::string(first.src));
  EXPECT_EQ(again.sport, first.sport);
}

TEST_F(Tables, FullPoolIsRefusedAndCounted) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.1", 32, 1000, 1003), 0);
  int why;
  for (int i = 0; i < 4; i++)
    ASSERT_EQ(Udp6(kX, static_cast<uint16_t>(2000 + i), kZ1, 53, nullptr), 0);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(Udp6(kX, 3000, kZ1, 53, nullptr, &why), -ENOSPC);
    EXPECT_EQ(why, NAT64_STAT_DROP_POOL4_EXHAUSTED);
  }
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 4u);
}

// One session table, keyed by the IPv4 side: the 6->4 lookup (bib6, then
// (T,t,Z,y)) and the 4->6 lookup ((T,t,Z,z)) find the very same session,
// and a packet either way neither makes a second one.
TEST_F(Tables, BothDirectionsFindTheSameSession) {
  th_out m, r;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, &m), 0);
  ASSERT_EQ(Udp4(kZ1, 53, m, &r), 0);
  EXPECT_EQ(std::string(r.dst), kX);
  EXPECT_EQ(r.dport, 5000);
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, nullptr), 0);
  EXPECT_EQ(th_nsessions(th_), 1);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_SESS), 1u);
  EXPECT_EQ(th_stat(th_, NAT64_STAT_SESSIONS_CREATED), 1u);
  void* s6 = SessionBothWays(53, m);
  ASSERT_NE(s6, nullptr);
  char x6[48];
  uint16_t x = 0;
  EXPECT_EQ(th_session4(th_, IPPROTO_UDP, kZ1, 53, m.src, m.sport, x6, &x),
            NAT64_TCP_ESTABLISHED);
  EXPECT_EQ(std::string(x6), kX);
  EXPECT_EQ(x, 5000);
  // Another remote port of the same BIB entry: another session, found by
  // both lookups; the first one's keys do not find it.
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 54, nullptr), 0);
  void* t6 = SessionBothWays(54, m);
  ASSERT_NE(t6, nullptr);
  EXPECT_NE(t6, s6);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB4), 1u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIBSESS), 2u);
}

// After bib remove, neither direction finds the entry's sessions, and the
// BIB entry of an IPv6 end with no session towards Z finds nothing.
TEST_F(Tables, LookupsAfterRemoval) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1999), 0);
  th_out m;
  ASSERT_EQ(Udp6(kX, 5000, kZ1, 53, &m), 0);
  ASSERT_EQ(Udp6(kX, 5000, kZ2, 53, nullptr), 0);
  EXPECT_EQ(th_session(th_, IPPROTO_UDP, kX, 5000, kZ1, 54, nullptr), -1);  // no such port
  EXPECT_EQ(th_session(th_, IPPROTO_UDP, kX, 5001, kZ1, 53, nullptr), -1);  // no such BIB
  ASSERT_EQ(th_bib_del(th_, IPPROTO_UDP, kX, 5000), 0);
  th_rcu_barrier();
  EXPECT_EQ(th_nsessions(th_), 0);
  char x6[48];
  uint16_t x;
  for (const char* z : {kZ1, kZ2}) {
    EXPECT_EQ(th_session(th_, IPPROTO_UDP, kX, 5000, z, 53, nullptr), -1);
    EXPECT_EQ(th_session4(th_, IPPROTO_UDP, z, 53, m.src, m.sport, x6, &x), -1);
  }
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_SESS), 0u);
  EXPECT_EQ(th_count(th_, IPPROTO_UDP, TH_BIB6), 0u);
  // The reply of the removed flow is not ours any more.
  int why;
  EXPECT_EQ(Udp4(kZ1, 53, m, nullptr, &why), -ENOENT);
  EXPECT_EQ(why, NAT64_STAT_DROP_NO_BIB4);
}

// A 6->4 lookup that still sees a removed BIB entry (RCU: a packet that
// found it in bib6 just before bib remove) must not take the session of
// the entry that got its (T,t) since: the session table is keyed by
// (T,t,Z,y), so the owner decides.
TEST_F(Tables, SixToFourLookupAfterTheBibSideChanged) {
  ASSERT_EQ(th_pool4_add(th_, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1999), 0);
  ASSERT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::80", 8080, "198.51.100.2", 1080), 0);
  ASSERT_EQ(Udp6("2001:db8::80", 8080, kZ1, 53, nullptr), 0);
  th_rcu_read_lock();
  void* old = th_bib_ref(th_, IPPROTO_UDP, "2001:db8::80", 8080);
  ASSERT_NE(old, nullptr);
  EXPECT_TRUE(th_sess_of_bib(th_, IPPROTO_UDP, old, kZ1, 53));
  // (T,t) passes to another IPv6 end, which talks to the same (Z,y).
  ASSERT_EQ(th_bib_del(th_, IPPROTO_UDP, "2001:db8::80", 8080), 0);
  ASSERT_EQ(th_bib_add(th_, IPPROTO_UDP, "2001:db8::81", 8081, "198.51.100.2", 1080), 0);
  th_out m;
  ASSERT_EQ(Udp6("2001:db8::81", 8081, kZ1, 53, &m), 0);
  EXPECT_EQ(std::string(m.src), "198.51.100.2");
  EXPECT_EQ(m.sport, 1080);
  void* now = th_bib_ref(th_, IPPROTO_UDP, "2001:db8::81", 8081);
  ASSERT_NE(now, nullptr);
  ASSERT_NE(now, old);
  EXPECT_TRUE(th_sess_of_bib(th_, IPPROTO_UDP, now, kZ1, 53));
  EXPECT_FALSE(th_sess_of_bib(th_, IPPROTO_UDP, old, kZ1, 53));
  EXPECT_EQ(th_bib_ref(th_, IPPROTO_UDP, "2001:db8::80", 8080), nullptr);
  th_rcu_read_unlock();
  th_rcu_barrier();
  EXPECT_EQ(th_session(th_, IPPROTO_UDP, "2001:db8::80", 8080, kZ1, 53, nullptr), -1);
  EXPECT_EQ(th_session(th_, IPPROTO_UDP, "2001:db8::81", 8081, kZ1, 53, nullptr),
            NAT64_TCP_ESTABLISHED);
}

}  // namespace
