// The two containers behind the explicit-state search's speed, internal to
// spec/: Fifo (the world's queues, in place of std::deque) and KeySet (the
// visited set). Both are checked against the standard container they replace,
// on a long, seeded random sequence of operations.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <iostream>
#include <random>
#include <string>
#include <unordered_set>

#include "fifo.hpp"
#include "key_set.hpp"

namespace idemcheck::spec::detail {
namespace {

std::vector<std::string> contents(const Fifo<std::string>& f) { return {f.begin(), f.end()}; }
std::vector<std::string> contents(const std::deque<std::string>& d) { return {d.begin(), d.end()}; }

TEST(Fifo, BehavesAsADequeUnderRandomOperations) {
  const std::uint64_t seed = 20261202;  // fixed: mt19937_64 gives the same sequence under every compiler
  std::cout << "Fifo against std::deque, seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  Fifo<std::string> f;
  std::deque<std::string> d;
  for (int i = 0; i < 200'000; ++i) {
    const auto op = rng() % 10;
    const std::string v = std::to_string(i);
    if (op < 4) {
      f.push_back(v);
      d.push_back(v);
    } else if (op < 6) {
      f.push_front(v);
      d.push_front(v);
    } else if (op < 9 && !d.empty()) {
      ASSERT_EQ(f.front(), d.front()) << "at operation " << i;
      f.pop_front();
      d.pop_front();
    } else if (op == 9 && rng() % 50 == 0) {
      f.clear();
      d.clear();
    }
    ASSERT_EQ(f.size(), d.size()) << "at operation " << i;
    ASSERT_EQ(f.empty(), d.empty());
    if (i % 997 == 0) {
      ASSERT_EQ(contents(f), contents(d)) << "at operation " << i;
      const Fifo<std::string> copy = f;  // a copy holds the live elements, in order
      ASSERT_EQ(contents(copy), contents(d));
    }
  }
}

TEST(Fifo, CopiesAndMovesAreIndependentValues) {
  Fifo<int> a;
  for (int i = 0; i < 10; ++i) a.push_back(i);
  a.pop_front();
  a.push_front(-1);
  Fifo<int> b = a;
  b.pop_front();
  b.push_back(99);
  EXPECT_EQ(std::vector<int>(a.begin(), a.end()), (std::vector<int>{-1, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(std::vector<int>(b.begin(), b.end()), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 99}));
  Fifo<int> c = std::move(b);
  EXPECT_EQ(c.size(), 10U);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): a moved-from Fifo is empty by contract
  c = a;
  EXPECT_EQ(c.front(), -1);
  EXPECT_EQ(c.size(), 10U);
}

TEST(KeySet, AgreesWithAnUnorderedSet) {
  const std::uint64_t seed = 7;
  std::cout << "KeySet against std::unordered_set, seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  KeySet set;
  std::unordered_set<std::string> reference;
  for (int i = 0; i < 300'000; ++i) {
    // Short keys from a small alphabet collide often as strings; embedded NULs and the empty key included.
    std::string key(rng() % 12, '\0');
    for (char& ch : key) ch = static_cast<char>(rng() % 3);
    ASSERT_EQ(set.insert(key), reference.insert(key).second) << "at insert " << i;
    ASSERT_EQ(set.size(), reference.size());
  }
  // Long keys, each inserted twice.
  for (int i = 0; i < 20'000; ++i) {
    std::string key(200 + rng() % 3000, 'k');
    key += std::to_string(i);
    EXPECT_TRUE(set.insert(key));
    EXPECT_FALSE(set.insert(key));
  }
  EXPECT_GT(set.bytes(), 0U);
}

TEST(KeySet, RefusesAKeyItCannotStore) {
  KeySet set;
  EXPECT_THROW(set.insert(std::string(1U << 24, 'x')), std::length_error);
  EXPECT_TRUE(set.insert(std::string((1U << 24) - 1, 'x')));
}

}  // namespace
}  // namespace idemcheck::spec::detail
