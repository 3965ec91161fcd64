// The sequencer differential property: random sequences of the calls an
// idempotent producer makes on its sequencer, run on the reference sequencer
// and on the optimized one, must get the same answer from every call and leave
// the same observable state after every call. The harness (in properties/,
// shared with the mutation campaign) plays the producer: it only refers to
// batches that are in flight, applies every re-stamp to its batches, drains a
// new batch only when the sequencer allows it, marks a batch "in retry" once a
// retry was allowed and drains it again (on_drained) when the sequencer lets
// it. It counts the interesting paths it reached and the test fails if one
// never occurred.
//
// Also: the re-drain rule (a drain clears `reopened`) on both sequencers, and
// unit tests of the optimized sequencer on its own API.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idemcheck/impl/producer_sequencer.hpp"
#include "idemcheck/properties/sequencer_adapter.hpp"
#include "idemcheck/properties/sequencer_differential.hpp"
#include "idemcheck/spec/sequencer.hpp"

namespace idemcheck {
namespace {


TEST(SequencerDifferential, SpecAndImplAgreeAtEveryCall) {
  properties::SequencerCoverage coverage;
  const auto result = rc::check("spec and impl sequencers agree on every call", [&] {
    const properties::SequencerHistory h = *properties::gen_sequencer_history();
    const properties::SequencerRunResult run = properties::run_sequencer_differential(h);
    coverage.merge(run.coverage);
    if (run.divergence) RC_FAIL(*run.divergence);
  });
  ASSERT_TRUE(result) << "see RapidCheck's output above for the seed and the reproduce string";

  std::ostringstream report;
  report << "coverage over " << coverage.histories << " histories, " << coverage.steps << " steps:\n";
  for (std::size_t i = 0; i < properties::kSequencerCaseCount; ++i) {
    report << "  " << properties::name(static_cast<properties::SequencerCase>(i)) << ": " << coverage.counts[i] << "\n";
  }
  std::cout << report.str();
  for (const properties::SequencerCase c : coverage.missing()) {
    ADD_FAILURE() << "the histories never reached the case '" << properties::name(c) << "'\n" << report.str();
  }
}

// ---------------------------------------------------------------------------
// S3: a drain clears `reopened` (Kafka: RecordAccumulator.drainBatchesForOneNode
// calls ProducerBatch.close() on every drained batch, and close() sets
// reopened = false). Both sequencers, through the interface.

struct SequencerFactory {
  const char* name;
  std::unique_ptr<spec::Sequencer> (*make)();
};
// GoogleTest prints a parameter with this (found by ADL): its name.
void PrintTo(const SequencerFactory& f, std::ostream* os) { *os << f.name; }

class SequencerRedrain : public ::testing::TestWithParam<SequencerFactory> {};

TEST_P(SequencerRedrain, RedrainClearsReopenedSoANextExpectedOoseBumpsAgain) {
  const auto s = GetParam().make();
  s->set_producer_id(spec::PidEpoch{7, 3});
  const spec::BatchStamp a = s->stamp(0, 1, 2);
  const spec::BatchStamp b = s->stamp(0, 2, 1);
  // OOSE on the next expected batch: retry, bump, both in-flight batches re-stamped (reopened).
  EXPECT_TRUE(s->can_retry(0, a, spec::Error::out_of_order_sequence_number));
  ASSERT_TRUE(s->state().epoch_bump_required);
  const std::vector<spec::Restamp> r = s->begin_send_loop();
  ASSERT_EQ(r.size(), 2u);
  const spec::BatchStamp a1 = r[0].batch;
  ASSERT_EQ(a1.batch_id, a.batch_id);
  EXPECT_TRUE(a1.reopened);
  EXPECT_EQ(a1.base_sequence, 0);
  EXPECT_EQ(a1.stamp, (spec::PidEpoch{7, 4}));
  EXPECT_EQ(r[1].batch.batch_id, b.batch_id);
  EXPECT_TRUE(r[1].batch.reopened);

  // The stale answer of the request in flight at the bump: OOSE on the (reopened) next
  // expected batch is collateral, no new bump.
  EXPECT_TRUE(s->can_retry(0, a1, spec::Error::out_of_order_sequence_number));
  EXPECT_FALSE(s->state().epoch_bump_required);

  // The retry is drained: the in-flight copy loses `reopened`, the other batch keeps it.
  ASSERT_TRUE(s->may_drain_retry(0, a1));
  const spec::BatchStamp a2 = s->on_drained(0, a1);
  EXPECT_FALSE(a2.reopened);
  EXPECT_EQ(a2.base_sequence, a1.base_sequence);
  EXPECT_EQ(a2.stamp, a1.stamp);
  const spec::SequencerState st = s->state();
  ASSERT_EQ(st.partitions.at(0).in_flight.size(), 2u);
  EXPECT_EQ(st.partitions.at(0).in_flight[0], a2);
  EXPECT_TRUE(st.partitions.at(0).in_flight[1].reopened);
  EXPECT_FALSE(st.epoch_bump_required);

  // An OOSE answering the new attempt is judged afresh: the next expected batch bumps.
  EXPECT_TRUE(s->can_retry(0, a2, spec::Error::out_of_order_sequence_number));
  EXPECT_TRUE(s->state().epoch_bump_required);
  EXPECT_EQ(s->state().partitions_to_rewrite, std::vector<int>{0});
}

TEST_P(SequencerRedrain, RedrainOfABatchNotInFlightReturnsItClosedAndChangesNothing) {
  const auto s = GetParam().make();
  s->set_producer_id(spec::PidEpoch{7, 0});
  const spec::BatchStamp a = s->stamp(0, 1, 1);
  s->on_success(0, a, 5);
  const spec::SequencerState before = s->state();
  spec::BatchStamp gone = a;
  gone.reopened = true;
  EXPECT_EQ(s->on_drained(0, gone), a);
  EXPECT_EQ(s->on_drained(3, gone), a) << "a partition never seen";
  EXPECT_EQ(s->state(), before) << "no state is created or changed";
}

// The instantiation's name puts "sequencer" in every CTest name (ctest -R sequencer).
INSTANTIATE_TEST_SUITE_P(sequencer_redrain, SequencerRedrain,
                         ::testing::Values(SequencerFactory{"spec", &spec::make_reference_sequencer},
                                           SequencerFactory{"impl", &properties::make_impl_sequencer}),
                         [](const ::testing::TestParamInfo<SequencerFactory>& i) { return std::string(i.param.name); });

// ---------------------------------------------------------------------------
// Unit tests of the optimized sequencer on its own API.

using impl::BatchId;
using impl::BatchStamp;
using impl::ClientError;
using impl::Epoch;
using impl::Offset;
using impl::PartitionIndex;
using impl::ProducerId;
using impl::ProducerIdEpoch;
using impl::ProducerSequencer;
using impl::RecordCount;
using impl::Sequence;
using impl::SequencerError;

constexpr ProducerIdEpoch pid(std::int64_t id, std::int16_t epoch) { return {ProducerId{id}, Epoch{epoch}}; }

BatchStamp stamp_ok(ProducerSequencer& s, int partition, std::uint64_t id, std::int32_t records) {
  const auto r = s.stamp(PartitionIndex{partition}, BatchId{id}, RecordCount{records});
  EXPECT_TRUE(r.ok()) << r.error();
  return r.value();
}

std::vector<std::uint64_t> in_flight_ids(const ProducerSequencer& s, int partition) {
  std::vector<std::uint64_t> ids;
  if (const auto v = s.partition(PartitionIndex{partition})) {
    for (const BatchStamp& b : v->in_flight) ids.push_back(b.id.value);
  }
  return ids;
}

TEST(ProducerSequencer, EpochExhaustionResetsTheProducerIdAndRestampsWithNone) {
  ProducerSequencer s;
  s.set_producer_id(pid(7, 32'767));
  const BatchStamp b1 = stamp_ok(s, 0, 1, 3);
  const BatchStamp b2 = stamp_ok(s, 0, 2, 2);
  EXPECT_EQ(b2.base_sequence, Sequence{3});
  EXPECT_EQ(s.on_failure(PartitionIndex{0}, b1, ClientError::invalid_record, /*adjust=*/true), SequencerError::none);
  EXPECT_TRUE(s.epoch_bump_required());

  const auto restamps = s.begin_send_loop();
  EXPECT_EQ(s.current(), ProducerIdEpoch{});
  ASSERT_EQ(restamps.size(), 1u);
  EXPECT_EQ(restamps[0].partition, PartitionIndex{0});
  EXPECT_EQ(restamps[0].batch.id, BatchId{2});
  EXPECT_EQ(restamps[0].batch.stamp(), ProducerIdEpoch{});
  EXPECT_EQ(restamps[0].batch.base_sequence, Sequence{0});
  EXPECT_TRUE(restamps[0].batch.reopened);
  const auto v = s.partition(PartitionIndex{0});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->next_sequence, Sequence{2});
  EXPECT_EQ(v->last_acked_sequence, Sequence{-1});
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value()) << "no producer id";

  // A new producer id: the partition switches lazily once its old batch is done.
  s.set_producer_id(pid(8, 0));
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value()) << "an old-epoch batch is still in flight";
  EXPECT_EQ(s.on_success(PartitionIndex{0}, restamps[0].batch, Offset{10}), SequencerError::none);
  EXPECT_TRUE(s.may_drain_new(PartitionIndex{0}).value());
  const BatchStamp b3 = stamp_ok(s, 0, 3, 1);
  EXPECT_EQ(b3.stamp(), pid(8, 0));
  EXPECT_EQ(b3.base_sequence, Sequence{0});
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_offset, Offset{11});
}

TEST(ProducerSequencer, RestampsGoPartitionByPartitionInSequenceOrder) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 4));
  stamp_ok(s, 3, 10, 1);
  const BatchStamp a = stamp_ok(s, 1, 20, 2);
  const BatchStamp b = stamp_ok(s, 1, 21, 5);
  const BatchStamp c = stamp_ok(s, 1, 22, 1);
  stamp_ok(s, 2, 30, 1);  // partition 2 does not ask: it keeps its stamp
  // OOSE on partition 1's next expected batch, collateral on the others.
  EXPECT_TRUE(s.can_retry(PartitionIndex{1}, a, ClientError::out_of_order_sequence_number).value());
  EXPECT_TRUE(s.can_retry(PartitionIndex{1}, b, ClientError::out_of_order_sequence_number).value());
  EXPECT_TRUE(s.on_failure(PartitionIndex{3}, BatchStamp{BatchId{10}, ProducerId{1}, Sequence{0}, RecordCount{1},
                                                         Epoch{4}, false},
                           ClientError::invalid_record, true) == SequencerError::none);
  stamp_ok(s, 3, 11, 4);  // same epoch still: partition 3 continues at 1
  const auto rewrite = s.partitions_to_rewrite();
  ASSERT_EQ(rewrite.size(), 2u);
  EXPECT_EQ(rewrite[0], PartitionIndex{1});
  EXPECT_EQ(rewrite[1], PartitionIndex{3});

  const auto r = s.begin_send_loop();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].partition, PartitionIndex{1});
  EXPECT_EQ(r[0].batch.id, a.id);
  EXPECT_EQ(r[0].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[1].batch.id, b.id);
  EXPECT_EQ(r[1].batch.base_sequence, Sequence{2});
  EXPECT_EQ(r[2].batch.id, c.id);
  EXPECT_EQ(r[2].batch.base_sequence, Sequence{7});
  EXPECT_EQ(r[3].partition, PartitionIndex{3});
  EXPECT_EQ(r[3].batch.id, BatchId{11});
  EXPECT_EQ(r[3].batch.base_sequence, Sequence{0});
  for (const auto& x : r) EXPECT_EQ(x.batch.stamp(), pid(1, 5));
  EXPECT_EQ(s.partition(PartitionIndex{1})->next_sequence, Sequence{8});
  EXPECT_EQ(s.partition(PartitionIndex{2})->in_flight[0].stamp(), pid(1, 4));
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{2}).value()) << "stale epoch with a batch in flight";
  // Partition 0 was never used: nothing there.
  EXPECT_FALSE(s.partition(PartitionIndex{0}).has_value());
}

TEST(ProducerSequencer, RestampAfterAWrapKeepsEqualSequencesInOrder) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 1 << 30);        // base 0
  stamp_ok(s, 0, 2, (1 << 30) - 1);                        // base 2^30
  stamp_ok(s, 0, 3, 5);                                    // base 2^31 - 1, next wraps to 4
  const BatchStamp d = stamp_ok(s, 0, 4, 1);               // base 4
  EXPECT_EQ(d.base_sequence, Sequence{4});
  EXPECT_EQ(in_flight_ids(s, 0), (std::vector<std::uint64_t>{1, 4, 2, 3}));
  // OOSE on the next expected batch: bump; re-stamping in that order gives
  // 1 -> 0, 4 -> 2^30, 2 -> 2^30 + 1, 3 -> 2^31 mod 2^31 = 0: a key equal to
  // batch 1's, which must stay behind it.
  EXPECT_TRUE(s.can_retry(PartitionIndex{0}, a, ClientError::out_of_order_sequence_number).value());
  const auto r = s.begin_send_loop();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].batch.id, BatchId{1});
  EXPECT_EQ(r[0].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[1].batch.id, BatchId{3});
  EXPECT_EQ(r[1].batch.base_sequence, Sequence{0});
  EXPECT_EQ(r[2].batch.id, BatchId{4});
  EXPECT_EQ(r[2].batch.base_sequence, Sequence{1 << 30});
  EXPECT_EQ(r[3].batch.id, BatchId{2});
  EXPECT_EQ(r[3].batch.base_sequence, Sequence{(1 << 30) + 1});
  EXPECT_EQ(s.partition(PartitionIndex{0})->next_sequence, Sequence{5});

  // The reference agrees on the same calls.
  auto ref = spec::make_reference_sequencer();
  ref->set_producer_id(spec::PidEpoch{1, 0});
  const spec::BatchStamp ra = ref->stamp(0, 1, 1 << 30);
  (void)ref->stamp(0, 2, (1 << 30) - 1);
  (void)ref->stamp(0, 3, 5);
  (void)ref->stamp(0, 4, 1);
  EXPECT_TRUE(ref->can_retry(0, ra, spec::Error::out_of_order_sequence_number));
  const auto rr = ref->begin_send_loop();
  ASSERT_EQ(rr.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rr[i].batch.batch_id, r[i].batch.id.value);
    EXPECT_EQ(rr[i].batch.base_sequence, r[i].batch.base_sequence.value);
  }
}

TEST(ProducerSequencer, UnresolvedSequenceResolvesWhenALaterBatchWasAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 3);
  const BatchStamp b = stamp_ok(s, 0, 2, 2);
  EXPECT_TRUE(s.can_retry(PartitionIndex{0}, a, ClientError::request_timed_out).value());
  EXPECT_EQ(s.on_expired(PartitionIndex{0}, a, /*in_retry=*/true), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->unresolved, Sequence{3});
  EXPECT_FALSE(s.may_drain_new(PartitionIndex{0}).value());
  EXPECT_TRUE(s.begin_send_loop().empty());  // b still in flight: nothing resolves
  EXPECT_TRUE(s.partition(PartitionIndex{0})->unresolved.has_value());
  EXPECT_EQ(s.on_success(PartitionIndex{0}, b, Offset{-1}), SequencerError::none);
  EXPECT_TRUE(s.begin_send_loop().empty());
  EXPECT_FALSE(s.epoch_bump_required());
  EXPECT_EQ(s.current(), pid(1, 0));
  EXPECT_FALSE(s.partition(PartitionIndex{0})->unresolved.has_value());
  EXPECT_TRUE(s.may_drain_new(PartitionIndex{0}).value());
}

TEST(ProducerSequencer, UnresolvedSequenceBumpsWhenNothingLaterWasAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 5, 1, 3);
  EXPECT_TRUE(s.can_retry(PartitionIndex{5}, a, ClientError::network_exception).value());
  EXPECT_EQ(s.on_expired(PartitionIndex{5}, a, true), SequencerError::none);
  EXPECT_TRUE(s.begin_send_loop().empty());  // bumped, but nothing to re-stamp
  EXPECT_EQ(s.current(), pid(1, 1));
  const auto v = s.partition(PartitionIndex{5});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->stamp, pid(1, 1));
  EXPECT_EQ(v->next_sequence, Sequence{0});
  EXPECT_FALSE(v->unresolved.has_value());
}

TEST(ProducerSequencer, JavaIntLastSequenceOverflowNeverMovesLastAcked) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 2'147'483'647);  // 0 .. 2^31 - 2
  const BatchStamp b = stamp_ok(s, 0, 2, 3);              // base 2^31 - 1, last wraps negative
  EXPECT_EQ(b.base_sequence, Sequence{2'147'483'647});
  EXPECT_EQ(impl::client_last_sequence(b.base_sequence, b.record_count), Sequence{-2'147'483'647});
  EXPECT_EQ(s.partition(PartitionIndex{0})->next_sequence, Sequence{2});
  EXPECT_EQ(s.on_success(PartitionIndex{0}, a, Offset{0}), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_sequence, Sequence{2'147'483'646});
  EXPECT_EQ(s.on_success(PartitionIndex{0}, b, Offset{-1}), SequencerError::none);
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_sequence, Sequence{2'147'483'646});
  EXPECT_TRUE(impl::is_next_sequence(Sequence{0}, Sequence{-1}));
  EXPECT_TRUE(impl::is_next_sequence(Sequence{-2'147'483'648}, Sequence{2'147'483'647}));
}

TEST(ProducerSequencer, AnAckEndingPastInt64MaxIsRefusedAndChangesNothing) {
  // base offset + count - 1 used to be computed first: a signed overflow.
  constexpr std::int64_t kMaxOffset = std::numeric_limits<std::int64_t>::max();
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 2);
  std::ostringstream before;
  before << s;
  EXPECT_EQ(s.on_success(PartitionIndex{0}, a, Offset{kMaxOffset}), SequencerError::offset_out_of_range);
  std::ostringstream after;
  after << s;
  EXPECT_EQ(after.str(), before.str());
  EXPECT_EQ(s.on_success(PartitionIndex{0}, a, Offset{kMaxOffset - 1}), SequencerError::none) << "ends at INT64_MAX";
  EXPECT_EQ(s.partition(PartitionIndex{0})->last_acked_offset, Offset{kMaxOffset});
}

TEST(ProducerSequencer, ManyInFlightSpillToTheHeapAndCopyDeeply) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const std::size_t before = s.memory_bytes();
  std::vector<BatchStamp> batches;
  for (std::uint64_t i = 0; i < 40; ++i) batches.push_back(stamp_ok(s, 2, i, 1));
  EXPECT_GT(s.memory_bytes(), before);
  ASSERT_EQ(s.partition(PartitionIndex{2})->in_flight.size(), 40u);
  ProducerSequencer copy = s;
  for (std::uint64_t i = 0; i < 40; i += 3) {
    EXPECT_EQ(s.on_success(PartitionIndex{2}, batches[i], Offset{-1}), SequencerError::none);
  }
  EXPECT_EQ(copy.partition(PartitionIndex{2})->in_flight.size(), 40u);
  const auto v = s.partition(PartitionIndex{2});
  ASSERT_EQ(v->in_flight.size(), 26u);
  for (std::size_t i = 1; i < v->in_flight.size(); ++i) {
    EXPECT_LT(v->in_flight[i - 1].base_sequence, v->in_flight[i].base_sequence);
  }
  EXPECT_TRUE(s.may_drain_retry(PartitionIndex{2}, batches[1]).value());
  EXPECT_FALSE(s.may_drain_retry(PartitionIndex{2}, batches[2]).value());
  ProducerSequencer moved = std::move(copy);
  EXPECT_EQ(moved.partition(PartitionIndex{2})->in_flight.size(), 40u);
  copy = s;  // assign into a moved-from object
  EXPECT_EQ(copy.partition(PartitionIndex{2})->in_flight.size(), 26u);
}

TEST(ProducerSequencer, RefusedCallsAreErrorValuesAndChangeNothing) {
  ProducerSequencer s;
  s.set_producer_id(pid(1, 0));
  const BatchStamp a = stamp_ok(s, 0, 1, 1);
  std::ostringstream before;
  before << s;

  EXPECT_EQ(s.stamp(PartitionIndex{-1}, BatchId{2}, RecordCount{1}).error(), SequencerError::partition_out_of_range);
  EXPECT_EQ(s.stamp(PartitionIndex{1 << 16}, BatchId{2}, RecordCount{1}).error(),
            SequencerError::partition_out_of_range);
  EXPECT_EQ(s.stamp(PartitionIndex{0}, BatchId{2}, RecordCount{0}).error(), SequencerError::record_count_out_of_range);
  BatchStamp unstamped = a;
  unstamped.base_sequence = Sequence{-1};
  EXPECT_EQ(s.on_success(PartitionIndex{0}, unstamped, Offset{0}), SequencerError::batch_not_stamped);
  EXPECT_EQ(s.can_retry(PartitionIndex{0}, unstamped, ClientError::out_of_order_sequence_number).error(),
            SequencerError::batch_not_stamped);
  BatchStamp empty = a;
  empty.record_count = RecordCount{0};
  EXPECT_EQ(s.on_expired(PartitionIndex{0}, empty, true), SequencerError::record_count_out_of_range);
  EXPECT_EQ(s.on_failure(PartitionIndex{70'000}, a, ClientError::invalid_record, true),
            SequencerError::partition_out_of_range);
  EXPECT_EQ(s.may_drain_new(PartitionIndex{-3}).error(), SequencerError::partition_out_of_range);
  EXPECT_EQ(s.on_drained(PartitionIndex{-1}, a).error(), SequencerError::partition_out_of_range);
  EXPECT_EQ(s.on_drained(PartitionIndex{0}, unstamped).error(), SequencerError::batch_not_stamped);
  EXPECT_EQ(s.on_drained(PartitionIndex{0}, empty).error(), SequencerError::record_count_out_of_range);

  std::ostringstream after;
  after << s;
  EXPECT_EQ(before.str(), after.str());
  EXPECT_FALSE(s.epoch_bump_required());
  EXPECT_THROW((void)s.may_drain_new(PartitionIndex{-3}).value(), std::logic_error);
  EXPECT_THROW(ProducerSequencer(impl::SequencerConfig{0}), std::invalid_argument);
}

TEST(ProducerSequencer, AdapterRefusesWhatImplCannotRepresent) {
  auto s = properties::make_impl_sequencer();
  EXPECT_THROW(s->set_producer_id(spec::PidEpoch{1, 40'000}), std::invalid_argument);
  s->set_producer_id(spec::PidEpoch{1, 0});
  EXPECT_THROW((void)s->stamp(0, 1, std::int64_t{1} << 31), std::invalid_argument);
  EXPECT_THROW((void)s->stamp(-1, 1, 1), std::invalid_argument);
  EXPECT_EQ(s->stamp(0, 1, 1).base_sequence, 0);
}

}  // namespace
}  // namespace idemcheck
