// Every row of the broker's decision table (spec header, R1..R10), the
// wrap-around cases, expiry and restarts, run against the reference model and
// the optimized core through the same interface: both must give the answers
// Kafka gives.
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <vector>

#include "idemcheck/properties/broker_adapters.hpp"

namespace idemcheck {
namespace {

using spec::AppendOutcome;
using spec::Batch;
using spec::Error;
using spec::kMaxSequence;

using Factory = std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)>;

struct Backend {
  const char* name;
  Factory make;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class DecisionTable : public ::testing::TestWithParam<Backend> {
 protected:
  std::unique_ptr<spec::BrokerPartition> make(spec::BrokerConfig config = {}) { return GetParam().make(config); }
};

Batch b(std::int64_t pid, std::int32_t epoch, std::int64_t seq, std::int64_t records = 1, std::int64_t ts = 0) {
  return Batch{pid, epoch, seq, records, ts};
}

AppendOutcome written(std::int64_t first, std::int64_t last) { return {Error::none, false, first, last}; }
AppendOutcome duplicate(std::int64_t first, std::int64_t last) { return {Error::none, true, first, last}; }
AppendOutcome rejected(Error e) { return {e, false, -1, -1}; }

TEST_P(DecisionTable, R1_BatchWithoutProducerIdIsAlwaysWritten) {
  auto p = make();
  EXPECT_EQ(p->append(b(-1, -1, -1, 3)), written(0, 2));
  EXPECT_EQ(p->append(b(-1, -1, -1, 3)), written(3, 5)) << "a retry without a producer id is written twice";
  EXPECT_TRUE(p->producers().empty()) << "no producer state for batches without a producer id";
}

TEST_P(DecisionTable, R2_NegativeSequenceWithProducerIdIsInvalidRecord) {
  auto p = make();
  EXPECT_EQ(p->append(b(7, 0, -1)), rejected(Error::invalid_record));
  ASSERT_EQ(p->append(b(7, 0, 0)), written(0, 0));
  EXPECT_EQ(p->append(b(7, 0, -5)), rejected(Error::invalid_record));
  EXPECT_EQ(p->log_end_offset(), 1) << "a rejected append writes nothing";
}

TEST_P(DecisionTable, R3_ExactDuplicateIsAnsweredFromTheCacheWithOriginalOffsets) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0, 2)), written(0, 1));
  ASSERT_EQ(p->append(b(1, 0, 2, 3)), written(2, 4));
  EXPECT_EQ(p->append(b(1, 0, 0, 2)), duplicate(0, 1));
  EXPECT_EQ(p->append(b(1, 0, 2, 3)), duplicate(2, 4));
  EXPECT_EQ(p->log_end_offset(), 5) << "a duplicate writes nothing";
}

TEST_P(DecisionTable, R3_AllFiveCachedBatchesAreDuplicatesButTheSixthOldestIsOutOfOrder) {
  auto p = make();
  for (int i = 0; i < 6; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
  for (int i = 1; i < 6; ++i) EXPECT_EQ(p->append(b(1, 0, i)), duplicate(i, i)) << "batch " << i << " is cached";
  EXPECT_EQ(p->append(b(1, 0, 0)), rejected(Error::out_of_order_sequence_number))
      << "the oldest batch was evicted: its retry is not recognised";
}

TEST_P(DecisionTable, R3_PartialOverlapIsNotADuplicate) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0, 3)), written(0, 2));
  EXPECT_EQ(p->append(b(1, 0, 0, 2)), rejected(Error::out_of_order_sequence_number));
  EXPECT_EQ(p->append(b(1, 0, 1, 2)), rejected(Error::out_of_order_sequence_number));
  EXPECT_EQ(p->append(b(1, 0, 0, 4)), rejected(Error::out_of_order_sequence_number));
}

TEST_P(DecisionTable, R4_LowerEpochIsFencedEvenForACachedBatchOfThatEpoch) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0)), written(0, 0));
  ASSERT_EQ(p->append(b(1, 1, 0)), written(1, 1));
  EXPECT_EQ(p->append(b(1, 0, 0)), rejected(Error::invalid_producer_epoch))
      << "the epoch bump cleared the cache: the old batch is fenced, not deduplicated";
  EXPECT_EQ(p->append(b(1, 0, 1)), rejected(Error::invalid_producer_epoch));
}

TEST_P(DecisionTable, R5_UnknownProducerIsAcceptedAtAnySequenceAndEpoch) {
  auto p = make();
  EXPECT_EQ(p->append(b(1, 9, 12345, 2)), written(0, 1));
  EXPECT_EQ(p->append(b(2, 0, kMaxSequence)), written(2, 2));
  ASSERT_EQ(p->producers().size(), 2u);
  EXPECT_EQ(p->producers()[0].epoch, 9);
}

TEST_P(DecisionTable, R6_R7_HigherEpochMustStartAtSequenceZero) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0, 5)), written(0, 4));
  EXPECT_EQ(p->append(b(1, 1, 5)), rejected(Error::out_of_order_sequence_number)) << "R7";
  EXPECT_EQ(p->append(b(1, 1, 0, 2)), written(5, 6)) << "R6";
  const auto entries = p->producers();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].epoch, 1);
  EXPECT_EQ(entries[0].batches.size(), 1u) << "the new epoch restarts the cache";
}

TEST_P(DecisionTable, R8_EpochMinusOneOnBothSidesAcceptsAnySequence) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, -1, 10)), written(0, 0));
  EXPECT_EQ(p->append(b(1, -1, 3)), written(1, 1));
  EXPECT_EQ(p->append(b(1, -1, 3)), duplicate(1, 1)) << "the duplicate check still comes first";
}

TEST_P(DecisionTable, R9_R10_SameEpochNeedsTheNextSequence) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0, 3)), written(0, 2));
  EXPECT_EQ(p->append(b(1, 0, 4)), rejected(Error::out_of_order_sequence_number)) << "gap";
  EXPECT_EQ(p->append(b(1, 0, 2)), rejected(Error::out_of_order_sequence_number)) << "overlap";
  EXPECT_EQ(p->append(b(1, 0, 3)), written(3, 3)) << "next in sequence";
  EXPECT_EQ(p->log_end_offset(), 4);
}

TEST_P(DecisionTable, Wrap_SuccessorOfMaxIsZero) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, kMaxSequence - 1, 2)), written(0, 1));
  EXPECT_EQ(p->append(b(1, 0, 1)), rejected(Error::out_of_order_sequence_number)) << "1 is not the successor of MAX";
  EXPECT_EQ(p->append(b(1, 0, 0)), written(2, 2));
}

TEST_P(DecisionTable, Wrap_BatchSpanningTheBoundaryIsDeduplicatedAndFollowed) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, kMaxSequence - 1, 4)), written(0, 3));  // sequences MAX-1, MAX, 0, 1
  EXPECT_EQ(p->append(b(1, 0, kMaxSequence - 1, 4)), duplicate(0, 3));
  EXPECT_EQ(p->append(b(1, 0, 0)), rejected(Error::out_of_order_sequence_number)) << "0 lies inside the batch";
  EXPECT_EQ(p->append(b(1, 0, 2)), written(4, 4));
  const auto e = p->producers().at(0);
  EXPECT_EQ(e.batches.front().first_sequence, kMaxSequence - 1);
  EXPECT_EQ(e.batches.front().last_sequence, 1);
}

TEST_P(DecisionTable, Wrap_GapAcrossTheBoundaryIsOutOfOrder) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, kMaxSequence)), written(0, 0));
  EXPECT_EQ(p->append(b(1, 0, 1)), rejected(Error::out_of_order_sequence_number));
  EXPECT_EQ(p->append(b(1, 0, kMaxSequence)), duplicate(0, 0));
}

TEST_P(DecisionTable, RejectedAppendChangesNothing) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 2, 0, 2)), written(0, 1));
  const auto before = p->producers();
  p->append(b(1, 2, 7));
  p->append(b(1, 1, 2));
  p->append(b(1, 3, 4));
  p->append(b(1, 2, -1));
  EXPECT_EQ(p->producers(), before);
  EXPECT_EQ(p->log_end_offset(), 2);
}

TEST_P(DecisionTable, WindowParameterSetsHowManyBatchesAreCached) {
  spec::BrokerConfig config;
  config.window = 2;
  auto p = make(config);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
  EXPECT_EQ(p->append(b(1, 0, 0)), rejected(Error::out_of_order_sequence_number));
  EXPECT_EQ(p->append(b(1, 0, 1)), duplicate(1, 1));
}

TEST_P(DecisionTable, ReplicatedAppendSkipsValidationAndAdoptsALowerEpoch) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 5, 0)), written(0, 0));
  p->replicate(b(1, 3, 77, 2));
  const auto e = p->producers().at(0);
  EXPECT_EQ(e.epoch, 3);
  ASSERT_EQ(e.batches.size(), 1u) << "the epoch change cleared the cache";
  EXPECT_EQ(e.batches[0].first_sequence, 77);
  EXPECT_EQ(p->log_end_offset(), 3);
}

TEST_P(DecisionTable, ExpiryRemovesProducerAndARetryIsThenWrittenAgain) {
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 1000;
  auto p = make(config);
  ASSERT_EQ(p->append(b(1, 0, 0, 1, 100)), written(0, 0));
  p->expire(1099);
  EXPECT_EQ(p->producers().size(), 1u) << "999 ms after its last batch the producer is kept";
  p->expire(1100);
  EXPECT_TRUE(p->producers().empty()) << "at exactly producer.id.expiration.ms it expires";
  EXPECT_EQ(p->append(b(1, 0, 0, 1, 100)), written(1, 1)) << "Kafka's documented duplicate after expiry";
}

TEST_P(DecisionTable, CleanRestartKeepsOnlyTheNewestBatch) {
  auto p = make();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
  p->restart(0, true);
  EXPECT_EQ(p->producers().at(0).batches.size(), 1u);
  EXPECT_EQ(p->append(b(1, 0, 2)), duplicate(2, 2));
  EXPECT_EQ(p->append(b(1, 0, 1)), rejected(Error::out_of_order_sequence_number))
      << "after a reload the second newest batch is no longer recognised";
}

TEST_P(DecisionTable, CleanRestartCanKeepTheWholeWindowWhenConfigured) {
  spec::BrokerConfig config;
  config.snapshot_keeps_window = true;
  auto p = make(config);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
  p->restart(0, true);
  EXPECT_EQ(p->append(b(1, 0, 0)), duplicate(0, 0));
}

TEST_P(DecisionTable, UncleanRestartReplaysTheLogAfterTheSnapshot) {
  auto p = make();
  ASSERT_EQ(p->append(b(1, 0, 0)), written(0, 0));
  p->take_snapshot();
  ASSERT_EQ(p->append(b(1, 0, 1)), written(1, 1));
  ASSERT_EQ(p->append(b(2, 0, 0)), written(2, 2));
  p->restart(0, false);
  const auto entries = p->producers();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].batches.size(), 2u) << "snapshot batch plus the replayed one";
  EXPECT_EQ(p->append(b(1, 0, 0)), duplicate(0, 0));
}

TEST_P(DecisionTable, UncleanRestartWithoutSnapshotRebuildsFromTheWholeLog) {
  auto p = make();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
  p->restart(0, false);
  EXPECT_EQ(p->producers().at(0).batches.size(), 3u);
}

TEST_P(DecisionTable, RestartDropsProducersExpiredAtLoad) {
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 10;
  auto p = make(config);
  ASSERT_EQ(p->append(b(1, 0, 0, 1, 0)), written(0, 0));
  ASSERT_EQ(p->append(b(2, 0, 0, 1, 50)), written(1, 1));
  p->restart(55, true);
  const auto entries = p->producers();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].producer_id, 2);
}

// ------------------------------------------------------------------ damaged snapshots
// Kafka: ProducerStateManager.loadFromSnapshot deletes a snapshot that fails to
// read and falls back to the next-latest; the log after it is replayed
// (partition_model.hpp, "Damaged snapshots"). Each test runs with a torn and
// with a corrupt snapshot; on impl the adapter really damages the bytes.

constexpr spec::SnapshotDamage kDamages[] = {spec::SnapshotDamage::torn, spec::SnapshotDamage::corrupt};

std::vector<std::int64_t> offsets(std::initializer_list<std::int64_t> l) { return l; }

std::vector<std::int64_t> cached_sequences(const spec::BrokerPartition& p, std::int64_t pid) {
  std::vector<std::int64_t> out;
  for (const auto& e : p.producers()) {
    if (e.producer_id != pid) continue;
    for (const auto& c : e.batches) out.push_back(c.first_sequence);
  }
  return out;
}

TEST_P(DecisionTable, DamagedCleanRestartRebuildsTheWindowFromThePreviousSnapshotPlusTheTail) {
  for (const auto damage : kDamages) {
    SCOPED_TRACE(::testing::Message() << "damage " << damage);
    auto p = make();
    ASSERT_EQ(p->append(b(1, 0, 0)), written(0, 0));
    ASSERT_EQ(p->append(b(1, 0, 1)), written(1, 1));
    p->take_snapshot();  // at offset 2: only batch 1 survives it
    ASSERT_EQ(p->append(b(1, 0, 2)), written(2, 2));
    ASSERT_EQ(p->append(b(1, 0, 3)), written(3, 3));

    auto undamaged = p->clone();
    undamaged->restart(0, true);
    EXPECT_EQ(cached_sequences(*undamaged, 1), offsets({3})) << "the shutdown snapshot keeps the newest batch only";
    EXPECT_EQ(undamaged->append(b(1, 0, 2)), rejected(Error::out_of_order_sequence_number))
        << "undamaged: the retry of batch 2 is no longer recognised";

    p->restart(0, true, damage);
    EXPECT_EQ(cached_sequences(*p, 1), offsets({1, 2, 3}))
        << "batch 1 from the snapshot at offset 2, batches 2 and 3 replayed from the log";
    EXPECT_EQ(p->append(b(1, 0, 2)), duplicate(2, 2)) << "damaged: the retry of batch 2 is a duplicate";
    EXPECT_EQ(p->append(b(1, 0, 1)), duplicate(1, 1)) << "batch 1 came from the fallback snapshot";
    EXPECT_EQ(p->append(b(1, 0, 0)), rejected(Error::out_of_order_sequence_number))
        << "batch 0 is in no snapshot: the fallback is the snapshot at 2, not an empty state with the whole log";
    EXPECT_EQ(p->snapshot_offsets(), offsets({2, 4}))
        << "the damaged shutdown snapshot is gone; the restart wrote a new one at the log end";
    EXPECT_EQ(p->log_end_offset(), 4);
  }
}

TEST_P(DecisionTable, DamagedUncleanRestartDeletesTheNewestSnapshotForGood) {
  for (const auto damage : kDamages) {
    SCOPED_TRACE(::testing::Message() << "damage " << damage);
    auto p = make();
    ASSERT_EQ(p->append(b(1, 0, 0)), written(0, 0));
    p->take_snapshot();  // at 1: batch 0
    ASSERT_EQ(p->append(b(1, 0, 1)), written(1, 1));
    p->take_snapshot();  // at 2: batch 1 only
    ASSERT_EQ(p->append(b(1, 0, 2)), written(2, 2));
    ASSERT_EQ(p->append(b(1, 0, 3)), written(3, 3));

    auto undamaged = p->clone();
    undamaged->restart(0, false);
    EXPECT_EQ(cached_sequences(*undamaged, 1), offsets({1, 2, 3})) << "undamaged: the snapshot at 2 plus the tail";

    p->restart(0, false, damage);  // the snapshot at 2 is damaged
    EXPECT_EQ(cached_sequences(*p, 1), offsets({0, 1, 2, 3})) << "the snapshot at 1 plus the log after it";
    EXPECT_EQ(p->snapshot_offsets(), offsets({1, 4}));
    EXPECT_EQ(p->append(b(1, 0, 0)), duplicate(0, 0));

    p->restart(0, false, damage);  // now the snapshot at 4 is damaged
    EXPECT_EQ(cached_sequences(*p, 1), offsets({0, 1, 2, 3}))
        << "the fallback is the snapshot at 1 again: the one at 2 was deleted for good";
    EXPECT_EQ(p->snapshot_offsets(), offsets({1, 4}));
  }
}

TEST_P(DecisionTable, DamagedRestartWithNoOlderSnapshotReplaysTheWholeLog) {
  for (const auto damage : kDamages) {
    SCOPED_TRACE(::testing::Message() << "damage " << damage);
    auto p = make();
    for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
    ASSERT_EQ(p->append(b(-1, -1, -1, 2)), written(3, 4));
    p->restart(0, true, damage);
    EXPECT_EQ(cached_sequences(*p, 1), offsets({0, 1, 2})) << "no snapshot left: empty state plus the whole log";
    EXPECT_EQ(p->snapshot_offsets(), offsets({5}));
    EXPECT_EQ(p->log_end_offset(), 5);
    EXPECT_EQ(p->append(b(1, 0, 0)), duplicate(0, 0));
  }
}

TEST_P(DecisionTable, DamagedUncleanRestartWithoutSnapshotsHasNothingToDamage) {
  for (const auto damage : kDamages) {
    SCOPED_TRACE(::testing::Message() << "damage " << damage);
    auto p = make();
    for (int i = 0; i < 3; ++i) ASSERT_EQ(p->append(b(1, 0, i)), written(i, i));
    auto undamaged = p->clone();
    undamaged->restart(0, false);
    p->restart(0, false, damage);
    EXPECT_EQ(p->producers(), undamaged->producers());
    EXPECT_EQ(p->snapshot_offsets(), undamaged->snapshot_offsets());
    EXPECT_EQ(p->snapshot_offsets(), offsets({3}));
  }
}

TEST_P(DecisionTable, DamagedRestartExpiresTheFallbackSnapshotsProducersAtLoadButNotTheReplayedOnes) {
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 10;
  for (const auto damage : kDamages) {
    SCOPED_TRACE(::testing::Message() << "damage " << damage);
    auto p = make(config);
    ASSERT_EQ(p->append(b(1, 0, 0, 1, 0)), written(0, 0));
    ASSERT_EQ(p->append(b(2, 0, 0, 1, 0)), written(1, 1));
    p->take_snapshot();  // at 2: producers 1 and 2, both last written at 0
    ASSERT_EQ(p->append(b(2, 0, 1, 1, 0)), written(2, 2));
    p->restart(55, true, damage);
    const auto entries = p->producers();
    ASSERT_EQ(entries.size(), 1u) << "producer 1 expired as the fallback snapshot loaded";
    EXPECT_EQ(entries[0].producer_id, 2);
    EXPECT_EQ(cached_sequences(*p, 2), offsets({1})) << "producer 2 only through the replayed batch";
  }
}

TEST_P(DecisionTable, UndamagedRestartsAndSnapshotsKeepOneSnapshotPerOffset) {
  auto p = make();
  EXPECT_TRUE(p->snapshot_offsets().empty());
  ASSERT_EQ(p->append(b(1, 0, 0)), written(0, 0));
  p->take_snapshot();
  p->take_snapshot();
  EXPECT_EQ(p->snapshot_offsets(), offsets({1})) << "a second snapshot at the same offset replaces the first";
  ASSERT_EQ(p->append(b(1, 0, 1)), written(1, 1));
  p->restart(0, true);
  EXPECT_EQ(p->snapshot_offsets(), offsets({1, 2}));
  ASSERT_EQ(p->append(b(1, 0, 2)), written(2, 2));
  p->restart(0, false);
  EXPECT_EQ(p->snapshot_offsets(), offsets({1, 2, 3}));
}

TEST(SnapshotDamage, NamesParseAndPrint) {
  for (const auto d : {spec::SnapshotDamage::none, spec::SnapshotDamage::torn, spec::SnapshotDamage::corrupt}) {
    spec::SnapshotDamage parsed = spec::SnapshotDamage::none;
    EXPECT_TRUE(spec::parse_snapshot_damage(spec::name(d), parsed)) << spec::name(d);
    EXPECT_EQ(parsed, d);
    std::ostringstream os;
    os << d;
    EXPECT_EQ(os.str(), spec::name(d));
  }
  EXPECT_EQ(spec::name(spec::SnapshotDamage::none), "none");
  EXPECT_EQ(spec::name(spec::SnapshotDamage::torn), "torn");
  EXPECT_EQ(spec::name(spec::SnapshotDamage::corrupt), "corrupt");
  spec::SnapshotDamage untouched = spec::SnapshotDamage::torn;
  EXPECT_FALSE(spec::parse_snapshot_damage("Torn", untouched));
  EXPECT_FALSE(spec::parse_snapshot_damage("", untouched));
  EXPECT_FALSE(spec::parse_snapshot_damage("corrupted", untouched));
  EXPECT_EQ(untouched, spec::SnapshotDamage::torn) << "a failed parse leaves the value alone";
}

INSTANTIATE_TEST_SUITE_P(Broker, DecisionTable,
                         ::testing::Values(Backend{"spec", spec::make_reference_partition},
                                           Backend{"impl", properties::make_impl_partition}),
                         [](const ::testing::TestParamInfo<Backend>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace idemcheck
