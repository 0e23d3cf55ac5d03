// The pool4 port allocator (port_alloc.c): uniqueness, parity and range
// class preservation, determinism, O(1) exhaustion, bounded search, reuse.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <vector>

extern "C" {
#include "port_alloc.h"
}

namespace {

struct Free {
  void operator()(nat64_ports *p) const { std::free(p); }
};
using Ports = std::unique_ptr<nat64_ports, Free>;

Ports Make(u16 min, u16 max) {
  Ports p(static_cast<nat64_ports *>(std::malloc(nat64_ports_size(min, max))));
  nat64_ports_init(p.get(), min, max);
  return p;
}

u32 Words(u16 min, u16 max) { return (u32(max) - min + 64) / 64; }

TEST(PortAlloc, SizeAndInit) {
  auto p = Make(61001, 65535);
  EXPECT_EQ(p->nfree, 4535u);
  EXPECT_EQ(p->cnt[0][0] + p->cnt[0][1], 0u);
  EXPECT_EQ(p->cnt[1][0], 2267u);  // even ports 61002..65534
  EXPECT_EQ(p->cnt[1][1], 2268u);  // odd ports 61001..65535
  EXPECT_EQ(nat64_ports_size(0, 65535), sizeof(nat64_ports) + 1024 * 8);
  auto q = Make(1000, 1100);
  EXPECT_EQ(q->cnt[0][0] + q->cnt[0][1], 24u);  // 1000..1023
  EXPECT_EQ(q->cnt[1][0] + q->cnt[1][1], 77u);  // 1024..1100
}

TEST(PortAlloc, NoDuplicatesUntilFull) {
  for (auto [min, max] : {std::pair<u16, u16>{61001, 65535}, {0, 65535}, {7, 7}, {1, 200},
                          {1000, 1100}, {65535, 65535}}) {
    auto p = Make(min, max);
    std::mt19937 rng(min * 31 + max);
    std::set<u16> seen;
    u32 n = u32(max) - min + 1;
    for (u32 i = 0; i < n; i++) {
      u16 port;
      ASSERT_EQ(nat64_ports_alloc(p.get(), u16(rng()), rng(), &port), 0) << i;
      ASSERT_GE(port, min);
      ASSERT_LE(port, max);
      ASSERT_TRUE(seen.insert(port).second) << "duplicate " << port;
      ASSERT_TRUE(nat64_ports_used(p.get(), port));
    }
    EXPECT_EQ(p->nfree, 0u);
    u16 port;
    EXPECT_EQ(nat64_ports_alloc(p.get(), 5000, 1, &port), -ENOSPC);
  }
}

TEST(PortAlloc, ExhaustionIsDetectedWithoutSearch) {
  auto p = Make(0, 65535);
  u16 port;
  for (u32 i = 0; i < 65536; i++) ASSERT_EQ(nat64_ports_alloc(p.get(), i, i * 2654435761u, &port), 0);
  for (u32 h = 0; h < 100; h++) {
    EXPECT_EQ(nat64_ports_alloc(p.get(), u16(h), h, &port), -ENOSPC);
    EXPECT_EQ(p->probes, 0u);  // no word examined
  }
}

TEST(PortAlloc, SearchIsBounded) {
  // One free port left somewhere in a full 64k range: found in at most
  // one pass over the words of its (class, parity) group.
  std::mt19937 rng(42);
  for (int round = 0; round < 50; round++) {
    auto p = Make(0, 65535);
    u16 port;
    for (u32 i = 0; i < 65536; i++) ASSERT_EQ(nat64_ports_take(p.get(), u16(i)), 0);
    u16 hole = u16(rng());
    nat64_ports_free(p.get(), hole);
    u16 want = u16(rng());
    ASSERT_EQ(nat64_ports_alloc(p.get(), want, rng(), &port), 0);
    EXPECT_EQ(port, hole);
    // Other (class, parity) groups are skipped by their counts: one search.
    EXPECT_LE(p->probes, Words(0, 65535) + 1);
  }
}

TEST(PortAlloc, ParityPreserved) {
  auto p = Make(2000, 2999);
  u16 port;
  // 500 odd and 500 even ports: each request gets its own parity.
  for (int i = 0; i < 500; i++) {
    ASSERT_EQ(nat64_ports_alloc(p.get(), 40001, i * 7919u, &port), 0);
    EXPECT_EQ(port & 1, 1) << port;
    ASSERT_EQ(nat64_ports_alloc(p.get(), 40000, i * 104729u, &port), 0);
    EXPECT_EQ(port & 1, 0) << port;
  }
  // Parity differs from the range start's parity too.
  auto q = Make(3, 10);
  ASSERT_EQ(nat64_ports_alloc(q.get(), 4, 0, &port), 0);
  EXPECT_EQ(port & 1, 0);
  // Odd ports gone: an odd request falls back to an even port.
  auto r = Make(100, 103);
  ASSERT_EQ(nat64_ports_take(r.get(), 101), 0);
  ASSERT_EQ(nat64_ports_take(r.get(), 103), 0);
  ASSERT_EQ(nat64_ports_alloc(r.get(), 1, 0, &port), 0);
  EXPECT_EQ(port & 1, 0);
}

TEST(PortAlloc, RangeClassPreserved) {
  auto p = Make(1000, 1100);  // 24 ports < 1024, 77 ports >= 1024
  u16 port;
  for (int i = 0; i < 24; i++) {
    ASSERT_EQ(nat64_ports_alloc(p.get(), 80 + (i & 1), i * 31u, &port), 0);
    EXPECT_LT(port, 1024) << i;
  }
  // Low class full: a low request falls back to the high class.
  ASSERT_EQ(nat64_ports_alloc(p.get(), 80, 5, &port), 0);
  EXPECT_GE(port, 1024);
  for (int i = 0; i < 76; i++) {
    ASSERT_EQ(nat64_ports_alloc(p.get(), 50000, i * 17u, &port), 0);
    EXPECT_GE(port, 1024);
  }
  EXPECT_EQ(nat64_ports_alloc(p.get(), 50000, 0, &port), -ENOSPC);
}

TEST(PortAlloc, HighRequestsStayHigh) {
  auto p = Make(1, 65535);
  u16 port;
  std::mt19937 rng(7);
  for (int i = 0; i < 10000; i++) {
    ASSERT_EQ(nat64_ports_alloc(p.get(), 1024 + u16(rng() % 64000), rng(), &port), 0);
    ASSERT_GE(port, 1024);
  }
}

TEST(PortAlloc, DeterministicForAKey) {
  auto a = Make(61001, 65535), b = Make(61001, 65535);
  for (u32 i = 0; i < 3000; i++) {
    u16 pa, pb;
    u32 h = i * 2246822519u + 3266489917u;
    ASSERT_EQ(nat64_ports_alloc(a.get(), u16(i * 13), h, &pa), 0);
    ASSERT_EQ(nat64_ports_alloc(b.get(), u16(i * 13), h, &pb), 0);
    ASSERT_EQ(pa, pb);
  }
  // The hash decides the start: different keys, different ports.
  auto c = Make(61001, 65535);
  std::set<u16> ports;
  for (u32 h = 0; h < 64; h++) {
    auto d = Make(61001, 65535);
    u16 port;
    ASSERT_EQ(nat64_ports_alloc(d.get(), 40000, h * 0x9e3779b9u, &port), 0);
    ports.insert(port);
  }
  EXPECT_GT(ports.size(), 60u);
}

TEST(PortAlloc, FreeAndReuse) {
  auto p = Make(5000, 5009);
  u16 port, got[10];
  for (auto &g : got) ASSERT_EQ(nat64_ports_alloc(p.get(), 6000, 3, &g), 0);
  ASSERT_EQ(nat64_ports_alloc(p.get(), 6000, 3, &port), -ENOSPC);
  nat64_ports_free(p.get(), got[4]);
  EXPECT_EQ(p->nfree, 1u);
  EXPECT_FALSE(nat64_ports_used(p.get(), got[4]));
  ASSERT_EQ(nat64_ports_alloc(p.get(), 6001, 99, &port), 0);
  EXPECT_EQ(port, got[4]);
  // Double free and out-of-range free are harmless.
  nat64_ports_free(p.get(), got[0]);
  nat64_ports_free(p.get(), got[0]);
  nat64_ports_free(p.get(), 4000);
  EXPECT_EQ(p->nfree, 1u);
  u32 sum = p->cnt[0][0] + p->cnt[0][1] + p->cnt[1][0] + p->cnt[1][1];
  EXPECT_EQ(sum, p->nfree);
}

TEST(PortAlloc, Take) {
  auto p = Make(61001, 65535);
  EXPECT_EQ(nat64_ports_take(p.get(), 61001), 0);
  EXPECT_EQ(nat64_ports_take(p.get(), 61001), -EEXIST);
  EXPECT_EQ(nat64_ports_take(p.get(), 61000), -ERANGE);
  EXPECT_EQ(nat64_ports_take(p.get(), 65535), 0);
  EXPECT_EQ(p->nfree, 4533u);
  u16 port;
  for (int i = 0; i < 4533; i++) {
    ASSERT_EQ(nat64_ports_alloc(p.get(), 0, i, &port), 0);
    ASSERT_NE(port, 61001);
    ASSERT_NE(port, 65535);
  }
}

// Counts stay equal to the bitmap through random alloc/free churn.
TEST(PortAlloc, ChurnKeepsCountsExact) {
  auto p = Make(900, 1300);
  std::mt19937 rng(1);
  std::set<u16> used;
  for (int i = 0; i < 20000; i++) {
    if (rng() % 3 && p->nfree) {
      u16 port;
      ASSERT_EQ(nat64_ports_alloc(p.get(), u16(rng()), rng(), &port), 0);
      ASSERT_TRUE(used.insert(port).second);
    } else if (!used.empty()) {
      auto it = used.begin();
      std::advance(it, rng() % used.size());
      nat64_ports_free(p.get(), *it);
      used.erase(it);
    }
    ASSERT_EQ(p->nfree, 401 - used.size());
    u32 sum = p->cnt[0][0] + p->cnt[0][1] + p->cnt[1][0] + p->cnt[1][1];
    ASSERT_EQ(sum, p->nfree);
  }
}

// pool4 remove of part of an entry: the blocks around the removed prefix.
TEST(Cidr, Subtract) {
  nat64_cidr out[32];
  // 198.51.100.0/30 minus .1/32: .0/32 and .2/31.
  u32 base = 0xc6336400;
  ASSERT_EQ(nat64_cidr_subtract({base, 30}, {base + 1, 32}, out), 2u);
  EXPECT_EQ(out[0].addr, base + 2);
  EXPECT_EQ(out[0].plen, 31);
  EXPECT_EQ(out[1].addr, base + 0);
  EXPECT_EQ(out[1].plen, 32);
  // Same length: nothing is left.
  EXPECT_EQ(nat64_cidr_subtract({base, 30}, {base, 30}, out), 0u);
  // Exhaustive on /24 minus every /24../32 inside it: the pieces and the
  // removed prefix tile the outer prefix exactly once.
  for (u8 ilen = 24; ilen <= 32; ilen++) {
    for (u32 off = 0; off < 256; off += 1u << (32 - ilen)) {
      u32 inner = base + off;
      unsigned n = nat64_cidr_subtract({base, 24}, {inner, ilen}, out);
      ASSERT_EQ(n, unsigned(ilen - 24));
      std::vector<int> hits(256, 0);
      for (u32 a = 0; a < (1u << (32 - ilen)); a++)
        hits[off + a]++;
      for (unsigned i = 0; i < n; i++) {
        ASSERT_GT(out[i].plen, 24);
        ASSERT_EQ(out[i].addr & ~(~0u << (32 - out[i].plen)), 0u) << "not aligned";
        for (u32 a = 0; a < (1u << (32 - out[i].plen)); a++)
          hits[out[i].addr - base + a]++;
      }
      for (int h : hits)
        ASSERT_EQ(h, 1) << "inner " << off << "/" << int(ilen);
    }
  }
  // The largest case: a /16 minus one address gives 16 blocks.
  EXPECT_EQ(nat64_cidr_subtract({0x0a000000, 16}, {0x0a00abcd, 32}, out), 16u);
}

}  // namespace
