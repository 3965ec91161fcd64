// Every row of the broker's decision table (spec header, R1..R10), the
// wrap-around cases, expiry and restarts, run against the reference model and
// the optimized core through the same interface: both must give the answers
// Kafka gives.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

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

INSTANTIATE_TEST_SUITE_P(Broker, DecisionTable,
                         ::testing::Values(Backend{"spec", spec::make_reference_partition},
                                           Backend{"impl", properties::make_impl_partition}),
                         [](const ::testing::TestParamInfo<Backend>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace idemcheck
