// SPDX-License-Identifier: GPL-2.0
// The real tables under concurrency, built with -fsanitize=thread: worker
// threads (each its own "CPU") create, look up and refresh UDP and TCP
// flows through one instance while a gc thread moves the clock and
// reclaims, and a configuration thread adds and removes a static BIB
// entry. ThreadSanitizer must report nothing (any report fails the
// process) and every count must add up exactly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <linux/types.h>
#include "../../include/nat64.h"
}
#include "tables_harness.h"

namespace {

constexpr uint64_t kSec = TH_HZ;
constexpr int kWorkers = 4;
constexpr int kIterations = 2500;

struct Tally {
  uint64_t ok = 0, exhausted = 0, dying = 0, other = 0;
  uint64_t replies = 0;     // the reply reached the flow's (X', x)
  uint64_t reply_gone = 0;  // the mapping expired in between (no binding;
                            // a TCP SYN+ACK is then held)
  uint64_t reply_bad = 0;   // any other failure
};

// A small xorshift per thread: the same flows on every run.
uint32_t Next(uint32_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

void Worker(th* t, int id, std::atomic<int>* running, Tally* out) {
  uint32_t seed = 0x9e3779b9u * (id + 1);
  Tally n;
  th_cpu(static_cast<unsigned>(id));
  for (int i = 0; i < kIterations; i++) {
    uint32_t r = Next(&seed);
    // 64 hosts shared by every worker: creations race on the same entries.
    std::string x6 = "2001:db8::" + std::to_string(1 + r % 64);
    uint16_t x = static_cast<uint16_t>(1000 + (r >> 8) % 8);
    std::string z = "203.0.113." + std::to_string(1 + (r >> 12) % 4);
    uint16_t y = static_cast<uint16_t>(1 + (r >> 16) % 4);
    bool tcp = (r >> 20) % 4 == 0;
    th_out m;
    int why = 0;
    int err = th_6to4(t, tcp ? IPPROTO_TCP : IPPROTO_UDP, x6.c_str(), x, z.c_str(), y,
                      tcp ? 0x02 : 0, 0, &m, &why);
    if (!err) {
      n.ok++;
      // The reply: a lookup from the IPv4 side (SYN+ACK for TCP).
      th_out back;
      int w2 = 0;
      int e2 = th_4to6(t, tcp ? IPPROTO_TCP : IPPROTO_UDP, z.c_str(), y, m.src, m.sport,
                       tcp ? 0x12 : 0, &back, &w2);
      if (!e2)
        n.replies += back.dport == x && x6 == back.dst;  // else: port reused
      else if ((e2 == -ENOENT && w2 == NAT64_STAT_DROP_NO_BIB4) || e2 == -EINPROGRESS)
        n.reply_gone++;
      else
        n.reply_bad++;
    } else if (err == -ENOSPC && why == NAT64_STAT_DROP_POOL4_EXHAUSTED) {
      n.exhausted++;
    } else if (err == -EAGAIN && why == NAT64_STAT_DROP_INTERNAL) {
      // sess_new6() met a BIB entry that was being destroyed on each of
      // its NAT64_CREATE_TRIES tries (claimed dead, not yet unpublished).
      n.dying++;
    } else {
      n.other++;
      fprintf(stderr, "6to4 %s: %d why %d\n", tcp ? "tcp" : "udp", err, why);
    }
  }
  *out = n;
  running->fetch_sub(1);
}

TEST(TablesConcurrency, FlowsAndGcAtOnce) {
  static const char* const own[] = {"192.0.2.1", "192.0.2.2"};
  th_own_addrs(own, 2);
  th_clock_set(100 * kSec);
  th_sent_reset();
  th* t = th_new();
  ASSERT_NE(t, nullptr);
  th_set_timeouts(t, 120, 60, 7200, 240);
  // A small UDP pool (4 x 100 ports) so that ports are exhausted and
  // reused while the threads run; TCP uses the own addresses.
  ASSERT_EQ(th_pool4_add(t, 0, IPPROTO_UDP, "198.51.100.0", 30, 1000, 1099), 0);

  std::atomic<int> running{kWorkers};
  std::vector<Tally> tally(kWorkers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; i++)
    threads.emplace_back(Worker, t, i, &running, &tally[i]);
  // gc: 5 s of clock per pass, so sessions come and go during the run.
  uint64_t passes = 0;
  std::thread gc([&] {
    while (running.load() > 0 || passes < 50) {
      th_clock_advance(5 * kSec);
      th_gc(t);
      passes++;
    }
  });
  // Configuration: a static entry comes and goes on an address of pool4.
  int adds = 0;
  std::thread cfg([&] {
    while (running.load() > 0) {
      adds += th_bib_add(t, IPPROTO_UDP, "2001:db8:1::1", 9, "198.51.100.3", 1099) == 0;
      th_bib_del(t, IPPROTO_UDP, "2001:db8:1::1", 9);
    }
  });
  for (auto& th : threads) th.join();
  gc.join();
  cfg.join();

  Tally sum;
  for (const auto& n : tally) {
    sum.ok += n.ok;
    sum.exhausted += n.exhausted;
    sum.dying += n.dying;
    sum.other += n.other;
    sum.replies += n.replies;
    sum.reply_gone += n.reply_gone;
    sum.reply_bad += n.reply_bad;
  }
  EXPECT_EQ(sum.ok + sum.exhausted + sum.dying + sum.other,
            uint64_t{kWorkers} * kIterations);
  EXPECT_EQ(sum.other, 0u);
  EXPECT_EQ(sum.reply_bad, 0u);
  EXPECT_GT(sum.ok, 0u);
  printf("flows ok %llu (replies %llu, expired in between %llu), exhausted %llu, "
         "dying BIB entry %llu, gc passes %llu, static BIB adds %d\n",
         (unsigned long long)sum.ok, (unsigned long long)sum.replies,
         (unsigned long long)sum.reply_gone, (unsigned long long)sum.exhausted,
         (unsigned long long)sum.dying,
         (unsigned long long)passes, adds);

  // Exact accounting while sessions are live: created = live + expired.
  uint64_t live = static_cast<uint64_t>(th_nsessions(t));
  uint64_t created = th_stat(t, NAT64_STAT_SESSIONS_CREATED);
  EXPECT_EQ(created, live + th_stat(t, NAT64_STAT_SESSIONS_EXPIRED));
  unsigned tables = 0;
  for (uint8_t p : {IPPROTO_UDP, IPPROTO_TCP}) {
    EXPECT_EQ(th_count(t, p, TH_SESS), th_count(t, p, TH_BIBSESS));
    EXPECT_EQ(th_count(t, p, TH_BIB6), th_count(t, p, TH_BIB4));
    tables += th_count(t, p, TH_SESS);
  }
  EXPECT_EQ(tables, live);

  // Everything expires: the tables empty out and every port comes back.
  th_clock_advance(10000 * kSec);
  for (int i = 0; i < 8 && th_gc(t); i++) {
  }
  th_clock_advance(10000 * kSec);  // TRANS after the probes
  for (int i = 0; i < 8 && th_gc(t); i++) {
  }
  EXPECT_EQ(th_nsessions(t), 0);
  EXPECT_EQ(th_stat(t, NAT64_STAT_SESSIONS_CREATED), th_stat(t, NAT64_STAT_SESSIONS_EXPIRED));
  for (uint8_t p : {IPPROTO_UDP, IPPROTO_TCP}) {
    EXPECT_EQ(th_count(t, p, TH_BIBSESS), 0u);
    EXPECT_EQ(th_count(t, p, TH_SESS), 0u);
    EXPECT_EQ(th_count(t, p, TH_BIB6), 0u);
    EXPECT_EQ(th_count(t, p, TH_BIB4), 0u);
  }
  // 400 ports: exactly 400 new hosts get one each, the 401st none.
  int why;
  for (int i = 0; i < 400; i++) {
    std::string x6 = "2001:db8:2::" + std::to_string(i + 1);
    ASSERT_EQ(th_6to4(t, IPPROTO_UDP, x6.c_str(), 1, "203.0.113.1", 1, 0, 0, nullptr, &why), 0)
        << i;
  }
  EXPECT_EQ(th_6to4(t, IPPROTO_UDP, "2001:db8:3::1", 1, "203.0.113.1", 1, 0, 0, nullptr, &why),
            -ENOSPC);
  EXPECT_EQ(why, NAT64_STAT_DROP_POOL4_EXHAUSTED);
  th_free(t);
}

}  // namespace
