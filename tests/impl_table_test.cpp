// Unit tests of impl/'s ProducerStateTable: every row of the client-append
// decision table, sequence wrap-around, the compact/wide window encodings,
// replication, expiry, the request pipeline, growth and memory accounting.
// Randomized tests compare against a deliberately naive oracle written here
// (independent of spec/, so impl/ can be tested on its own); seeds are fixed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/impl/producer_state_table.hpp"
#include "idemcheck/impl/seeded_bugs.hpp"

namespace idemcheck::impl {
namespace {

constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

BatchHeader batch(std::int64_t pid, std::int16_t epoch, std::int32_t base, std::int32_t delta = 0,
                  std::int64_t ts = 0) {
  return BatchHeader{ProducerId{pid}, Epoch{epoch}, Sequence{base}, delta, Timestamp{ts}};
}

AppendResult ok(std::int64_t first, std::int64_t last) { return {Errc::none, false, Offset{first}, Offset{last}}; }
AppendResult dup(std::int64_t first, std::int64_t last) { return {Errc::none, true, Offset{first}, Offset{last}}; }
AppendResult err(Errc e) { return {e, false, Offset{}, Offset{}}; }

std::vector<CachedBatch> batches_of(const EntryView& v) { return {v.batches, v.batches + v.batch_count}; }

template <int W, class H>
std::vector<CachedBatch> window_of(const BasicProducerStateTable<W, H>& t, std::int64_t pid) {
  auto v = t.find(ProducerId{pid});
  return v ? batches_of(*v) : std::vector<CachedBatch>{};
}

CachedBatch cached(std::int32_t fs, std::int32_t ls, std::int64_t fo, std::int64_t lo) {
  return {Sequence{fs}, Sequence{ls}, Offset{fo}, Offset{lo}};
}

std::string describe(const EntryView& v) {
  std::ostringstream os;
  os << v.producer_id << " " << v.epoch << " ts " << v.last_timestamp << " [";
  for (int i = 0; i < v.batch_count; ++i) os << v.batches[i] << (i + 1 < v.batch_count ? ", " : "");
  return os.str() + "]";
}

template <int W, class H>
std::string dump(const BasicProducerStateTable<W, H>& t) {
  std::ostringstream os;
  os << "leo " << t.log_end_offset().value << "\n";
  for (const auto& e : t.entries()) os << describe(e) << "\n";
  return os.str();
}

// ------------------------------------------------------------------ naive oracle

/// The decision table written as plainly as possible, with 64-bit sequence
/// arithmetic and full-width offsets (no encodings, no hashing).
class Oracle {
 public:
  explicit Oracle(int window, std::int64_t expiration) : window_(window), expiration_(expiration) {}

  AppendResult append(const BatchHeader& b) {
    if (b.last_offset_delta < 0) return err(Errc::invalid_record);
    if (b.producer_id.value < 0) return write_raw(b);
    if (b.base_sequence.value < 0) return err(Errc::invalid_record);
    const auto it = entries_.find(b.producer_id.value);
    const int current = it == entries_.end() ? -1 : it->second.epoch;
    const std::int64_t last_seq = (std::int64_t{b.base_sequence.value} + b.last_offset_delta) % (std::int64_t{kMax} + 1);
    if (it != entries_.end() && b.epoch.value == current) {
      for (const auto& c : it->second.batches)
        if (c.first_sequence.value == b.base_sequence.value && c.last_sequence.value == last_seq)
          return dup(c.first_offset.value, c.last_offset.value);
    }
    if (b.epoch.value < current) return err(Errc::invalid_producer_epoch);
    if (b.epoch.value > current) {
      if (current != -1 && b.base_sequence.value != 0) return err(Errc::out_of_order_sequence_number);
    } else if (current != -1) {
      const auto& bs = it->second.batches;
      const std::int64_t l = bs.empty() ? -1 : bs.back().last_sequence.value;
      const std::int64_t f = b.base_sequence.value;
      if (!(f == l + 1 || (l == kMax && f == 0))) return err(Errc::out_of_order_sequence_number);
    }
    return write(b, static_cast<std::int32_t>(last_seq));
  }

  void replicate(const BatchHeader& b) {
    if (b.last_offset_delta < 0) return;
    if (b.producer_id.value < 0 || b.base_sequence.value < 0) {
      write_raw(b);
      return;
    }
    write(b, static_cast<std::int32_t>((std::int64_t{b.base_sequence.value} + b.last_offset_delta) %
                                       (std::int64_t{kMax} + 1)));
  }

  std::size_t expire(std::int64_t now) {
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      const __int128 age = static_cast<__int128>(now) - it->second.ts;
      if (age >= expiration_) {
        it = entries_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

  std::int64_t leo() const { return leo_; }

  std::string dump() const {
    std::ostringstream os;
    os << "leo " << leo_ << "\n";
    for (const auto& [pid, e] : entries_) {
      EntryView v;
      v.producer_id = ProducerId{pid};
      v.epoch = Epoch{static_cast<std::int16_t>(e.epoch)};
      v.last_timestamp = Timestamp{e.ts};
      v.batch_count = static_cast<int>(e.batches.size());
      std::copy(e.batches.begin(), e.batches.end(), v.batches);
      os << describe(v) << "\n";
    }
    return os.str();
  }

 private:
  struct E {
    int epoch = -1;
    std::int64_t ts = 0;
    std::deque<CachedBatch> batches;
  };
  AppendResult write_raw(const BatchHeader& b) {
    const std::int64_t first = leo_;
    leo_ += std::int64_t{b.last_offset_delta} + 1;
    return ok(first, leo_ - 1);
  }
  AppendResult write(const BatchHeader& b, std::int32_t last_seq) {
    E& e = entries_[b.producer_id.value];
    if (e.epoch != b.epoch.value) {
      e.batches.clear();
      e.epoch = b.epoch.value;
    }
    const std::int64_t first = leo_;
    const std::int64_t last = first + b.last_offset_delta;
    e.batches.push_back(cached(b.base_sequence.value, last_seq, first, last));
    while (static_cast<int>(e.batches.size()) > window_) e.batches.pop_front();
    e.ts = b.max_timestamp.ms;
    leo_ = last + 1;
    return ok(first, last);
  }
  int window_;
  std::int64_t expiration_;
  std::int64_t leo_ = 0;
  std::map<std::int64_t, E> entries_;
};

// ------------------------------------------------------------------ decision table

TEST(ImplDecisionTable, BatchWithoutProducerIdIsAppendedWithoutStateChange) {
  ProducerStateTable t;
  EXPECT_EQ(t.append(batch(-1, -1, -1, 9)), ok(0, 9)) << "a batch without producer id is always written";
  EXPECT_EQ(t.append(batch(-7, 3, 5, 0)), ok(10, 10)) << "any negative producer id means 'none'";
  EXPECT_EQ(t.size(), 0u) << "no producer entry may be created for a batch without producer id";
  EXPECT_EQ(t.log_end_offset(), Offset{11});
}

TEST(ImplDecisionTable, NegativeBaseSequenceIsInvalidRecordAndChangesNothing) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, 0)), ok(0, 0));
  const std::string before = dump(t);
  EXPECT_EQ(t.append(batch(1, 0, -1)), err(Errc::invalid_record));
  EXPECT_EQ(t.append(batch(2, 0, -5)), err(Errc::invalid_record)) << "also for an unknown producer";
  EXPECT_EQ(dump(t), before) << "a rejected append must not change the table";
}

TEST(ImplDecisionTable, NegativeLastOffsetDeltaIsInvalidRecord) {
  ProducerStateTable t;
  EXPECT_EQ(t.append(batch(1, 0, 0, -1)), err(Errc::invalid_record));
  EXPECT_EQ(t.append(batch(-1, 0, 0, -1)), err(Errc::invalid_record));
  EXPECT_EQ(t.log_end_offset(), Offset{0});
}

TEST(ImplDecisionTable, DuplicateOfEachCachedBatchIsAnsweredFromTheCache) {
  ProducerStateTable t;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(t.append(batch(7, 2, i * 3, 2)), ok(i * 3, i * 3 + 2));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(t.append(batch(7, 2, i * 3, 2)), dup(i * 3, i * 3 + 2)) << "cached batch #" << i;
  }
  EXPECT_EQ(t.log_end_offset(), Offset{15}) << "a duplicate writes nothing";
  EXPECT_EQ(t.append(batch(7, 2, 3, 1)), err(Errc::out_of_order_sequence_number))
      << "a partial overlap is not a duplicate";
}

TEST(ImplDecisionTable, LowerEpochIsFenced) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 5, 0)), ok(0, 0));
  EXPECT_EQ(t.append(batch(1, 4, 1)), err(Errc::invalid_producer_epoch));
  EXPECT_EQ(t.append(batch(1, 4, 0)), err(Errc::invalid_producer_epoch)) << "even if the sequences match";
}

TEST(ImplDecisionTable, UnknownProducerAcceptsAnySequenceAndEpoch) {
  ProducerStateTable t;
  EXPECT_EQ(t.append(batch(1, 3, 42, 1)), ok(0, 1));
  EXPECT_EQ(t.append(batch(2, 0, kMax)), ok(2, 2));
  EXPECT_EQ(t.append(batch(3, -1, 9)), ok(3, 3)) << "e == E == -1 is accepted";
  EXPECT_EQ(t.append(batch(4, -2, 0)), err(Errc::invalid_producer_epoch)) << "an epoch below -1 is lower than 'none'";
  EXPECT_EQ(t.find(ProducerId{1})->epoch, Epoch{3});
}

TEST(ImplDecisionTable, HigherEpochRequiresSequenceZeroAndResetsTheWindow) {
  ProducerStateTable t;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(t.append(batch(1, 0, i)), ok(i, i));
  EXPECT_EQ(t.append(batch(1, 1, 3)), err(Errc::out_of_order_sequence_number)) << "a new epoch must start at 0";
  EXPECT_EQ(t.append(batch(1, 1, 0, 4)), ok(3, 7));
  EXPECT_EQ(window_of(t, 1), (std::vector{cached(0, 4, 3, 7)})) << "the epoch bump clears the old epoch's batches";
  EXPECT_EQ(t.find(ProducerId{1})->epoch, Epoch{1});
  EXPECT_EQ(t.append(batch(1, 0, 2)), err(Errc::invalid_producer_epoch))
      << "a retry of an old-epoch batch is fenced, not deduplicated";
}

TEST(ImplDecisionTable, EntryWithoutEpochAcceptsAnySequence) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, -1, 0)), ok(0, 0));
  EXPECT_EQ(t.append(batch(1, -1, 0)), dup(0, 0)) << "dedup still applies at epoch -1";
  EXPECT_EQ(t.append(batch(1, -1, 100)), ok(1, 1)) << "e == E == -1: no sequence check";
  EXPECT_EQ(t.append(batch(1, 0, 55)), ok(2, 2)) << "E == -1 and e > E: any sequence";
  EXPECT_EQ(window_of(t, 1), (std::vector{cached(55, 55, 2, 2)}));
}

TEST(ImplDecisionTable, SameEpochNeedsTheNextSequence) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, 0, 4)), ok(0, 4));
  EXPECT_EQ(t.append(batch(1, 0, 6)), err(Errc::out_of_order_sequence_number)) << "gap";
  EXPECT_EQ(t.append(batch(1, 0, 4)), err(Errc::out_of_order_sequence_number)) << "overlap";
  EXPECT_EQ(t.append(batch(1, 0, 5, 1)), ok(5, 6));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(t.append(batch(1, 0, 7 + i)).error, Errc::none);
  EXPECT_EQ(t.append(batch(1, 0, 5, 1)), err(Errc::out_of_order_sequence_number))
      << "a duplicate older than the window falls through to OOSE";
}

TEST(ImplDecisionTable, SameEpochWithEmptyWindowAcceptsExactlyZero) {
  // An epoch without batches is reachable through a snapshot record without batches.
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 3, 10)), ok(0, 0));
  auto bytes = t.snapshot();
  // Rewrite the single record's batch count to 0 and drop its batch: the
  // record starts at byte 24 and its count is at 24 + 18.
  bytes[24 + 18] = std::byte{0};
  bytes.resize(bytes.size() - 16);
  // Fix the CRC (bytes 10..end) so the loader accepts the edited file.
  const std::uint32_t crc = crc32c(std::span<const std::byte>(bytes).subspan(10));
  for (int i = 0; i < 4; ++i) bytes[6 + static_cast<std::size_t>(i)] = std::byte{static_cast<unsigned char>(crc >> (8 * i))};
  auto loaded = ProducerStateTable::load(bytes, {}, Timestamp{0});
  ASSERT_EQ(loaded.index(), 0u) << std::get<1>(loaded).message;
  auto& u = std::get<0>(loaded);
  ASSERT_EQ(u.find(ProducerId{1})->batch_count, 0);
  EXPECT_EQ(u.check(batch(1, 3, 11)).kind, ProducerStateTable::Decision::Kind::rejected);
  EXPECT_EQ(u.append(batch(1, 3, 11)), err(Errc::out_of_order_sequence_number));
  EXPECT_EQ(u.append(batch(1, 3, 0)), ok(1, 1)) << "L = -1 accepts base 0";
}

// ------------------------------------------------------------------ wrap-around

TEST(ImplWrap, SuccessorOfMaxIsZero) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, kMax - 1, 1)), ok(0, 1));
  EXPECT_EQ(window_of(t, 1), (std::vector{cached(kMax - 1, kMax, 0, 1)}));
  EXPECT_EQ(t.append(batch(1, 0, 0)), ok(2, 2)) << "incrementSequence(MAX, 1) == 0";
}

TEST(ImplWrap, BatchSpanningTheWrapAndItsDuplicate) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, kMax - 2, 0)), ok(0, 0));
  ASSERT_EQ(t.append(batch(1, 0, kMax - 1, 3)), ok(1, 4)) << "seqs MAX-1, MAX, 0, 1";
  EXPECT_EQ(window_of(t, 1).back(), cached(kMax - 1, 1, 1, 4));
  EXPECT_EQ(t.append(batch(1, 0, kMax - 1, 3)), dup(1, 4)) << "dedup of a batch spanning the wrap";
  EXPECT_EQ(t.append(batch(1, 0, 2)), ok(5, 5)) << "the batch after the wrap";
}

TEST(ImplWrap, GapAcrossTheWrapIsOutOfOrder) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, kMax)), ok(0, 0));
  EXPECT_EQ(t.append(batch(1, 0, 1)), err(Errc::out_of_order_sequence_number));
  ProducerStateTable u;
  ASSERT_EQ(u.append(batch(1, 0, kMax - 1)), ok(0, 0));
  EXPECT_EQ(u.append(batch(1, 0, 0)), err(Errc::out_of_order_sequence_number)) << "0 only follows MAX";
}

TEST(ImplWrap, LargestDeltaWrapsExactly) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, 99, kMax)), ok(0, kMax)) << "incrementSequence(99, MAX) == 98";
  EXPECT_EQ(window_of(t, 1), (std::vector{cached(99, 98, 0, kMax)}));
  EXPECT_EQ(t.append(batch(1, 0, 99, kMax)), dup(0, kMax));
  EXPECT_EQ(t.append(batch(1, 0, 99)), ok(std::int64_t{kMax} + 1, std::int64_t{kMax} + 1));
}

// ------------------------------------------------------------------ check/commit

TEST(ImplCheck, CheckNeverMutates) {
  ProducerStateTable t;
  for (int p = 0; p < 50; ++p)
    for (int i = 0; i < 3; ++i) ASSERT_EQ(t.append(batch(p, 1, i * 2, 1)).error, Errc::none);
  const std::string before = dump(t);
  const auto snap = t.snapshot();
  const std::size_t bytes = t.memory_bytes();
  const std::vector<BatchHeader> probes = {
      batch(-1, 0, 0),   batch(3, 1, -2),     batch(3, 1, 2, 1), batch(3, 0, 9),  batch(3, 2, 5),
      batch(3, 2, 0),    batch(3, 1, 6),      batch(3, 1, 7),    batch(999, 4, 9), batch(3, 1, 0, -3)};
  for (const auto& b : probes) {
    [[maybe_unused]] const auto d = t.check(b);
    EXPECT_EQ(dump(t), before) << "check(" << b << ") changed the table";
  }
  EXPECT_EQ(t.snapshot(), snap);
  EXPECT_EQ(t.memory_bytes(), bytes);
}

TEST(ImplCheck, CommitAppliesTheCheckedDecision) {
  ProducerStateTable t;
  const auto b = batch(5, 0, 0, 2);
  const auto d = t.check(b);
  EXPECT_EQ(d.kind, ProducerStateTable::Decision::Kind::insert);
  EXPECT_EQ(t.commit(b, d), ok(0, 2));
  EXPECT_EQ(t.check(b).kind, ProducerStateTable::Decision::Kind::duplicate);
}

// ------------------------------------------------------------------ window

TEST(ImplWindow, OldestBatchIsEvictedBeyondTheWindow) {
  ProducerStateTable t;
  for (int i = 0; i < 7; ++i) ASSERT_EQ(t.append(batch(1, 0, i)), ok(i, i));
  const auto w = window_of(t, 1);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w.front(), cached(2, 2, 2, 2)) << "batches 0 and 1 are evicted, oldest first";
  EXPECT_EQ(w.back(), cached(6, 6, 6, 6));
  EXPECT_EQ(t.append(batch(1, 0, 1)), err(Errc::out_of_order_sequence_number));
  EXPECT_EQ(t.append(batch(1, 0, 2)), dup(2, 2));
}

TEST(ImplWindow, RuntimeWindowSmallerThanMaxWindow) {
  for (int window = 1; window <= 8; ++window) {
    BasicProducerStateTable<8> t(TableConfig{window, 1000, false});
    for (int i = 0; i < 12; ++i) ASSERT_EQ(t.append(batch(1, 0, i)).error, Errc::none);
    const auto w = window_of(t, 1);
    ASSERT_EQ(static_cast<int>(w.size()), window) << "window " << window;
    EXPECT_EQ(w.front().first_sequence, Sequence{12 - window});
    EXPECT_EQ(t.append(batch(1, 0, 12 - window)), dup(12 - window, 12 - window));
    if (window < 12) {
      EXPECT_EQ(t.append(batch(1, 0, 11 - window)).error, Errc::out_of_order_sequence_number);
    }
  }
}

TEST(ImplWindow, InvalidConfigurationIsRefused) {
  EXPECT_THROW(ProducerStateTable(TableConfig{0, 1, false}), std::invalid_argument);
  EXPECT_THROW(ProducerStateTable(TableConfig{6, 1, false}), std::invalid_argument);
  EXPECT_THROW(ProducerStateTable(TableConfig{5, -1, false}), std::invalid_argument);
}

// ------------------------------------------------------------------ replication

TEST(ImplReplicate, NoValidationAndLowerEpochIsAdopted) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 5, 0)), ok(0, 0));
  ASSERT_EQ(t.append(batch(1, 5, 1)), ok(1, 1));
  t.replicate(batch(1, 3, 77, 2, 9));
  auto v = t.find(ProducerId{1});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->epoch, Epoch{3}) << "a follower adopts a lower epoch";
  EXPECT_EQ(batches_of(*v), (std::vector{cached(77, 79, 2, 4)})) << "the epoch change clears the window";
  EXPECT_EQ(v->last_timestamp, Timestamp{9});
  t.replicate(batch(1, 3, 77, 2, 9));
  EXPECT_EQ(window_of(t, 1).size(), 2u) << "replication does not deduplicate";
  t.replicate(batch(-1, 0, 0, 9));
  EXPECT_EQ(t.log_end_offset(), Offset{18}) << "a batch without producer id just advances the log";
  t.replicate(batch(2, 0, -1, 0));
  EXPECT_FALSE(t.find(ProducerId{2})) << "no sequence, nothing to cache";
  EXPECT_EQ(t.log_end_offset(), Offset{19});
}

// ------------------------------------------------------------------ expiry

TEST(ImplExpire, BoundaryIsInclusive) {
  ProducerStateTable t(TableConfig{5, 1000, false});
  ASSERT_EQ(t.append(batch(1, 0, 0, 0, 500)).error, Errc::none);
  ASSERT_EQ(t.append(batch(2, 0, 0, 0, 600)).error, Errc::none);
  EXPECT_EQ(t.expire(Timestamp{1499}), 0u) << "age 999 < 1000";
  EXPECT_EQ(t.expire(Timestamp{1500}), 1u) << "age 1000 >= 1000 expires";
  EXPECT_FALSE(t.find(ProducerId{1}));
  EXPECT_TRUE(t.find(ProducerId{2}));
  EXPECT_EQ(t.append(batch(1, 0, 5)), ok(2, 2)) << "an expired producer is unknown again: any sequence";
}

TEST(ImplExpire, ExtremeTimestampsDoNotOverflow) {
  const auto lo = std::numeric_limits<std::int64_t>::min();
  const auto hi = std::numeric_limits<std::int64_t>::max();
  ProducerStateTable t(TableConfig{5, 1000, false});
  ASSERT_EQ(t.append(batch(1, 0, 0, 0, lo)).error, Errc::none);
  ASSERT_EQ(t.append(batch(2, 0, 0, 0, hi)).error, Errc::none);
  EXPECT_EQ(t.expire(Timestamp{lo}), 0u) << "now far before the timestamp: not expired";
  EXPECT_EQ(t.expire(Timestamp{hi}), 1u) << "now - MIN overflows: infinitely old";
  EXPECT_TRUE(t.find(ProducerId{2}));
}

// ------------------------------------------------------------------ wide entries

TEST(ImplWide, HugeBatchesAndHugeGapsStayExact) {
  ProducerStateTable t;
  Oracle o(5, 86'400'000);
  const std::vector<BatchHeader> script = {
      batch(1, 0, 0, 70'000),  // offset delta beyond 16 bits
      batch(1, 0, 70'001, 0),
      batch(-1, 0, 0, kMax),  // 2^31 records without producer id
      batch(-1, 0, 0, kMax),  // ... twice: the next batch is > 2^32 offsets away
      batch(1, 0, 70'002, 3),
      batch(2, 0, 0, 0),
      batch(1, 0, 70'001, 0),       // duplicate of a batch 2^32 offsets back
      batch(1, 0, 0, 70'000),       // duplicate of the huge batch
      batch(1, 0, 70'006, 0),
      batch(1, 0, 70'007, 0),
      batch(1, 0, 70'008, 0),
      batch(1, 0, 70'009, 0),  // the far batches are evicted: compact again
      batch(1, 0, 70'008, 0),  // dedup after returning to compact form
      batch(1, 1, 0, kMax),    // epoch bump with a huge batch
      batch(1, 1, kMax, 1),
  };
  for (const auto& b : script) {
    EXPECT_EQ(t.append(b), o.append(b)) << b;
    ASSERT_EQ(dump(t), o.dump()) << "after " << b;
  }
  t.replicate(batch(1, 1, 5, 80'000));
  o.replicate(batch(1, 1, 5, 80'000));
  EXPECT_EQ(dump(t), o.dump());
}

// ------------------------------------------------------------------ randomized vs oracle

template <int W, class H = DefaultProducerIdHash>
void run_random_ops(int window, std::uint64_t seed, int steps, int producers, H hash = {}) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  BasicProducerStateTable<W, H> t(TableConfig{window, 50, false}, hash);
  Oracle o(window, 50);
  std::mt19937_64 rng(seed);
  std::vector<std::int32_t> next(static_cast<std::size_t>(producers), 0);
  std::int64_t now = 0;
  for (int step = 0; step < steps; ++step) {
    const auto pick = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    const std::int64_t pid = pick(static_cast<std::uint64_t>(producers + 1)) - 1;
    const auto epoch = static_cast<std::int16_t>(pick(4) - 1);
    std::int32_t base;
    switch (pick(6)) {
      case 0: base = static_cast<std::int32_t>(pick(6)); break;
      case 1: base = kMax - static_cast<std::int32_t>(pick(4)); break;
      case 2: base = -1; break;
      default: base = pid >= 0 ? next[static_cast<std::size_t>(pid)] - static_cast<std::int32_t>(pick(3)) : 0;
    }
    if (base < -1) base = 0;
    const std::int32_t delta = pick(20) == 0 ? 70'000 + static_cast<std::int32_t>(pick(10)) : static_cast<std::int32_t>(pick(3));
    now += pick(3);
    const auto b = batch(pid, epoch, base, delta, now);
    const int op = static_cast<int>(pick(20));
    if (op == 0) {
      ASSERT_EQ(t.expire(Timestamp{now}), o.expire(now)) << "step " << step;
    } else if (op == 1) {
      t.replicate(b);
      o.replicate(b);
    } else {
      const auto r = t.append(b);
      ASSERT_EQ(r, o.append(b)) << "step " << step << " " << b;
      if (r.error == Errc::none && !r.duplicate && pid >= 0 && base >= 0)
        next[static_cast<std::size_t>(pid)] = static_cast<std::int32_t>((std::int64_t{base} + delta + 1) % (std::int64_t{kMax} + 1));
    }
    if (step % 64 == 0) {
      ASSERT_EQ(dump(t), o.dump()) << "step " << step;
      if (step % 1024 == 0) {
        // A copy, and an assignment over a table of its own, must hold the
        // same state, scattered windows (replication gaps) included.
        const BasicProducerStateTable<W, H> copy(t);
        ASSERT_EQ(dump(copy), o.dump()) << "copy at step " << step;
        BasicProducerStateTable<W, H> assigned(TableConfig{window, 50, false}, hash);
        for (int p = 0; p < 40; ++p) (void)assigned.append(batch(1000 + p, 0, 0));
        assigned = copy;
        ASSERT_EQ(dump(assigned), o.dump()) << "assigned copy at step " << step;
      }
    }
  }
  ASSERT_EQ(dump(t), o.dump());
  EXPECT_EQ(t.broken_invariant(), "");
}

// Hashes that collide on purpose: every producer id on one tag (one home
// bucket: full buckets, long probes, backward-shift deletion over the whole
// cluster), or on one of three tags spread over the index.
struct OneTag {
  constexpr std::uint32_t operator()(std::int64_t) const noexcept { return 0x1234'5678u; }
};
struct FewTags {
  std::uint32_t classes = 3;
  constexpr std::uint32_t operator()(std::int64_t pid) const noexcept {
    return static_cast<std::uint32_t>(((static_cast<std::uint64_t>(pid) % classes) << 32) / classes);
  }
};

TEST(ImplRandom, MatchesNaiveOracleWindow5) { run_random_ops<5>(5, 1, 20'000, 12); }
TEST(ImplRandom, MatchesNaiveOracleWindow3Of8) { run_random_ops<8>(3, 2, 20'000, 12); }
TEST(ImplRandom, MatchesNaiveOracleWindow8) { run_random_ops<8>(8, 3, 20'000, 40); }
TEST(ImplRandom, MatchesNaiveOracleWindow1) { run_random_ops<5>(1, 4, 20'000, 5); }
TEST(ImplRandom, MatchesNaiveOracleWithOneTagForEveryProducer) { run_random_ops<5>(5, 5, 20'000, 40, OneTag{}); }
TEST(ImplRandom, MatchesNaiveOracleWithThreeTags) { run_random_ops<8>(4, 6, 20'000, 60, FewTags{3}); }

// ------------------------------------------------------------------ the hash parameter

TEST(ImplHash, TheDefaultHashTakesNoSpace) {
  static_assert(std::is_empty_v<DefaultProducerIdHash>);
  static_assert(sizeof(BasicProducerStateTable<5>) == sizeof(BasicProducerStateTable<5, OneTag>));
  static_assert(sizeof(BasicProducerStateTable<5, FewTags>) > sizeof(BasicProducerStateTable<5>));
  EXPECT_EQ(ProducerStateTable().hash()(42), detail::tag_of(42)) << "the default is the table's own hash";
}

TEST(ImplHash, ATagMatchIsNotAKeyMatch) {
  BasicProducerStateTable<5, OneTag> t;
  ASSERT_EQ(t.append(batch(1, 0, 0)), ok(0, 0));
  EXPECT_FALSE(t.find(ProducerId{2}).has_value()) << "producer 2 shares producer 1's tag, not its entry";
  EXPECT_EQ(t.append(batch(2, 0, 0)), ok(1, 1)) << "a new producer, not a duplicate of producer 1's batch";
  EXPECT_EQ(t.append(batch(2, 0, 0)), dup(1, 1));
  EXPECT_EQ(t.append(batch(1, 0, 0)), dup(0, 0));
  EXPECT_EQ(t.size(), 2u);
}

TEST(ImplHash, OneTagForAThousandProducersGrowsExpiresAndFindsEveryOne) {
  // Every producer in one cluster from the same home bucket: growth rehashes
  // it, expiry deletes from its middle (backward shift across buckets).
  BasicProducerStateTable<5, OneTag> t(TableConfig{5, 100, false});
  constexpr int kN = 1000;
  for (int p = 0; p < kN; ++p) ASSERT_EQ(t.append(batch(p, 0, 0, 0, p % 3 == 0 ? 0 : 1000)).error, Errc::none);
  EXPECT_EQ(t.expire(Timestamp{100}), static_cast<std::size_t>((kN + 2) / 3));
  for (int p = 0; p < kN; ++p) ASSERT_EQ(t.find(ProducerId{p}).has_value(), p % 3 != 0) << "producer " << p;
  for (int p = 0; p < kN; ++p) {
    if (p % 3 != 0) {
      ASSERT_EQ(t.append(batch(p, 0, 1, 0, 1000)).error, Errc::none) << "producer " << p;
    }
  }
  EXPECT_EQ(t.expire(Timestamp{5000}), static_cast<std::size_t>(kN - (kN + 2) / 3));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.broken_invariant(), "");
}

#if defined(IDEMCHECK_SEEDED_BUGS)
TEST(ImplInvariant, ABrokenIndexIsReportedInsteadOfProbingForever) {
  // Seeded bug deletion_loses_shifted: a producer shifted back by a deletion
  // leaves the index. Deleting it afterwards used to search the index
  // forever; the probe bound (checked builds) stops the search and reports.
  ASSERT_TRUE(seeded_bugs::activate("deletion_loses_shifted"));
  BasicProducerStateTable<5, OneTag> t(TableConfig{5, 100, false});
  for (int p = 0; p < 12; ++p) ASSERT_EQ(t.append(batch(p, 0, 0, 0, p == 0 ? 0 : 50)).error, Errc::none);
  EXPECT_EQ(t.expire(Timestamp{100}), 1u);  // producer 0 leaves a full bucket: a producer is shifted, and lost
  EXPECT_EQ(t.broken_invariant(), "");
  EXPECT_EQ(t.expire(Timestamp{200}), 11u);  // deleting the lost one: the search must end
  seeded_bugs::deactivate();
  EXPECT_THAT(std::string(t.broken_invariant()), ::testing::HasSubstr("missing from the index"));
}
#endif

// ------------------------------------------------------------------ request pipeline

TEST(ImplRequest, EqualsSequentialAppends) {
  std::mt19937_64 rng(7);
  std::vector<ProducerStateTable> pipelined(3), sequential(3);
  std::vector<std::int32_t> next(60, 0);
  for (int request = 0; request < 300; ++request) {
    const std::size_t n = 1 + rng() % 64;
    std::vector<RequestItem<ProducerStateTable>> items, seq_items;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t table = rng() % 3;
      const auto pid = static_cast<std::int64_t>(rng() % 60) - (rng() % 10 == 0 ? 100 : 0);
      // Often the next sequence, sometimes a duplicate or a repeat of the
      // same producer inside one request (the pipeline must see its own writes).
      const auto base = pid >= 0 ? next[static_cast<std::size_t>(pid)] - static_cast<std::int32_t>(rng() % 2) : 0;
      const auto b = batch(pid, 0, std::max(base, 0), static_cast<std::int32_t>(rng() % 3));
      if (pid >= 0 && rng() % 2 == 0) next[static_cast<std::size_t>(pid)] = std::max(base, 0) + b.last_offset_delta + 1;
      items.push_back({&pipelined[table], b});
      seq_items.push_back({&sequential[table], b});
    }
    std::vector<AppendResult> out(n);
    append_request<ProducerStateTable>(items, out);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[i], seq_items[i].table->append(seq_items[i].batch)) << "request " << request << " item " << i;
    }
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(dump(pipelined[static_cast<std::size_t>(i)]), dump(sequential[static_cast<std::size_t>(i)]));
}

TEST(ImplRequest, SameProducerTwiceInOneRequest) {
  ProducerStateTable t;
  const std::vector<RequestItem<ProducerStateTable>> items = {
      {&t, batch(1, 0, 0)}, {&t, batch(1, 0, 1)}, {&t, batch(1, 0, 0)}, {&t, batch(1, 0, 5)}};
  std::vector<AppendResult> out(items.size());
  append_request<ProducerStateTable>(items, out);
  EXPECT_THAT(out, ::testing::ElementsAre(ok(0, 0), ok(1, 1), dup(0, 0), err(Errc::out_of_order_sequence_number)));
}

// ------------------------------------------------------------------ growth, deletion, memory

TEST(ImplGrowth, ManyProducersWithRehashAndExpiry) {
  ProducerStateTable t(TableConfig{5, 100, false});
  constexpr int kN = 50'000;
  for (int p = 0; p < kN; ++p) ASSERT_EQ(t.append(batch(p * 7919LL, 0, 0, 0, p % 2 == 0 ? 0 : 1000)).error, Errc::none);
  ASSERT_EQ(t.size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(t.expire(Timestamp{100}), static_cast<std::size_t>(kN / 2)) << "every even producer is expired";
  ASSERT_EQ(t.size(), static_cast<std::size_t>(kN / 2));
  for (int p = 0; p < kN; ++p) {
    const auto v = t.find(ProducerId{p * 7919LL});
    ASSERT_EQ(v.has_value(), p % 2 == 1) << "producer " << p;
    if (v) {
      ASSERT_EQ(v->batches[0].first_offset, Offset{p}) << "producer " << p << " kept its own state";
    }
  }
  for (int p = 1; p < kN; p += 2) ASSERT_EQ(t.append(batch(p * 7919LL, 0, 1)).error, Errc::none);
  EXPECT_EQ(t.expire(Timestamp{5000}), static_cast<std::size_t>(kN / 2));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.append(batch(3, 0, 0)), ok(kN + kN / 2, kN + kN / 2)) << "the emptied table still works";
}

TEST(ImplMemory, BytesPerProducerAtOneHundredThousand) {
  ProducerStateTable t;
  constexpr std::size_t kN = 100'000;
  for (std::size_t p = 0; p < kN; ++p) ASSERT_EQ(t.append(batch(static_cast<std::int64_t>(p), 0, 0)).error, Errc::none);
  for (std::size_t p = 0; p < kN; ++p)
    for (int s = 1; s < 5; ++s) ASSERT_EQ(t.append(batch(static_cast<std::int64_t>(p), 0, s)).error, Errc::none);
  ASSERT_EQ(t.size(), kN);
  const double per = static_cast<double>(t.memory_bytes()) / static_cast<double>(kN);
  EXPECT_LE(per, 96.0) << "bytes per producer with a full 5-batch window";
  EXPECT_GE(t.memory_bytes(), kN * 80) << "an entry cannot take less than its record";
  ProducerStateTable r;
  r.reserve(kN);
  for (std::size_t p = 0; p < kN; ++p) ASSERT_EQ(r.append(batch(static_cast<std::int64_t>(p), 0, 0)).error, Errc::none);
  EXPECT_LE(static_cast<double>(r.memory_bytes()) / kN, 96.0) << "after reserve()";
}

TEST(ImplCopy, CopiesAreIndependent) {
  ProducerStateTable t;
  ASSERT_EQ(t.append(batch(1, 0, 0)).error, Errc::none);
  ProducerStateTable c = t;
  ASSERT_EQ(c.append(batch(1, 0, 1)).error, Errc::none);
  EXPECT_EQ(window_of(t, 1).size(), 1u);
  EXPECT_EQ(window_of(c, 1).size(), 2u);
  t = c;
  EXPECT_EQ(dump(t), dump(c));
}

TEST(ImplPrint, ValuesPrintReadably) {
  std::ostringstream os;
  os << err(Errc::out_of_order_sequence_number) << " " << batch(1, 2, 3, 4, 5);
  EXPECT_THAT(os.str(), ::testing::HasSubstr("OUT_OF_ORDER_SEQUENCE_NUMBER"));
  EXPECT_THAT(os.str(), ::testing::HasSubstr("pid 1"));
}

}  // namespace
}  // namespace idemcheck::impl
