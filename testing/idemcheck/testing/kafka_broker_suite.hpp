// idemcheck/testing/kafka_broker_suite.hpp
//
// THE KAFKA CONFORMANCE SUITE, BROKER HALF, AS A KIT: Kafka's own unit tests
// of the producer-state rules as value-parametrized GoogleTests over any
// spec::BrokerPartition. Included (through broker_conformance.hpp) by the
// project's own test for spec and impl and by a user's test for their core;
// IDEMCHECK_KAFKA_BROKER_SUITE (broker_conformance.hpp) instantiates it.
//
// Contract: include it in exactly ONE translation unit of a test executable.
// It defines the tests (TEST_P), not just declares them: GoogleTest registers
// them by static initializers in the including object file, which is why the
// kit is headers and not a static library (whose unreferenced object would be
// dropped by the linker, and its tests with it). A second including unit of
// the same executable fails to link (multiple definitions), not silently.
//
// Guarantees: a test that needs an operation the core does not support
// (BrokerBackend::support, properties::CoreSupport) skips with the operation's
// name instead of failing; one that needs what no core of this interface can
// express skips with "not expressible: ..."; every other test asserts exactly
// what its Kafka test asserts, on a fresh partition from the factory.
//
// The suite as it was written against the project's two backends:
//
// Kafka conformance suite, broker half: Kafka's own unit tests of the
// producer-state rules, re-expressed on this model's broker interface and run
// on the reference model (spec) and on the optimized core behind its adapter
// (impl). One GoogleTest per Kafka test, named after it, in a suite named
// after its Kafka test class; each runs once per implementation.
//
// Sources (apache/kafka, trunk of late 2024):
//   PSMT = storage/src/test/java/org/apache/kafka/storage/internals/log/ProducerStateManagerTest.java
//   ULT  = core/src/test/scala/unit/kafka/log/UnifiedLogTest.scala
//   LLT  = core/src/test/scala/unit/kafka/log/LogLoaderTest.scala
// Every test of PSMT is here, and every test of ULT and LLT that writes with a
// producer id or asserts on producer state or its snapshots. A test the model
// cannot express skips with "not expressible: <what the model lacks>".
//
// Translation to the model's vocabulary:
//   * appendClientEntry / appendAsLeader  -> BrokerPartition::append (the whole
//     leader path: UnifiedLog's duplicate check, then ProducerAppendInfo).
//   * appendReplicationEntry / appendAsFollower -> BrokerPartition::replicate.
//   * Kafka's tests name the offset of each batch; the model writes at the log
//     end, so the log is first filled up to that offset with records without a
//     producer id (they touch no producer state). ProducerStateManager tests
//     that put several batches at one offset keep the model's offsets.
//   * ProducerStateEntry.firstSeq/firstDataOffset = the oldest cached batch,
//     lastSeq/lastDataOffset = the newest.
//   * takeSnapshot / log.roll -> take_snapshot; a snapshot file at offset o ->
//     o in snapshot_offsets().
//   * truncateAndReload on a new ProducerStateManager, or reopening a log ->
//     restart (clean: shutdown snapshot then reload; unclean: reload the
//     newest snapshot and replay the log after it, as LogLoader does).
//   * damaging a snapshot file -> restart with a spec::SnapshotDamage.
//   * MockTime -> explicit timestamps; the expiration scheduler -> expire(now).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idemcheck/properties/broker_check.hpp"
#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::conformance {

/// One core the suite runs on: its name (a C++ identifier: it ends every test
/// name, "Kafka/ProducerStateManagerTest.testBasicIdMapping/<name>"), a
/// factory of fresh partitions, and the operations it supports.
struct BrokerBackend {
  std::string name;
  /// A fresh, empty partition for `config`; never null.
  std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)> make;
  properties::CoreSupport support = {};
};

/// GoogleTest prints a parameter with this (found by ADL): its name.
inline void PrintTo(const BrokerBackend& backend, std::ostream* os) { *os << backend.name; }
/// The parameter's part of a test name.
inline std::string broker_backend_name(const ::testing::TestParamInfo<BrokerBackend>& info) { return info.param.name; }

}  // namespace idemcheck::conformance

// The suite's own shorthands, scoped to this header: a user's macros of the
// same names are saved and restored around it.
#pragma push_macro("NOT_EXPRESSIBLE")
#pragma push_macro("REQUIRES")
#undef NOT_EXPRESSIBLE
#undef REQUIRES
#define NOT_EXPRESSIBLE(what) GTEST_SKIP() << "not expressible: " << (what)
// Skips the test on a core that does not support `op` (a CoreSupport member).
#define REQUIRES(op)                  \
  if (GetParam().support.op) {        \
  } else                              \
    GTEST_SKIP() << "the core does not support " #op " (CoreSupport::" #op " is false)"

namespace idemcheck::conformance::kafka_broker {

using spec::AppendOutcome;
using spec::Batch;
using spec::BrokerPartition;
using spec::Error;
using spec::kMaxSequence;
using spec::ProducerEntry;
using spec::SnapshotDamage;

constexpr std::int64_t kNow = 1'700'000'000'000;  // MockTime's clock in ms (its start is arbitrary)
constexpr std::int64_t kDay = 86'400'000;           // TransactionLogConfig.PRODUCER_ID_EXPIRATION_MS_DEFAULT

inline AppendOutcome written(std::int64_t first, std::int64_t last) { return {Error::none, false, first, last}; }
inline AppendOutcome duplicate(std::int64_t first, std::int64_t last) { return {Error::none, true, first, last}; }
inline AppendOutcome rejected(Error e) { return {e, false, -1, -1}; }

/// lastEntry(pid).
inline std::optional<ProducerEntry> entry(const BrokerPartition& p, std::int64_t pid) {
  for (const auto& e : p.producers()) {
    if (e.producer_id == pid) return e;
  }
  return std::nullopt;
}

/// lastEntry(pid).get(), failing the test (and returning an empty entry) without one.
inline ProducerEntry entry_or_fail(const BrokerPartition& p, std::int64_t pid) {
  auto e = entry(p, pid);
  if (!e) {
    ADD_FAILURE() << "producer " << pid << " should have an entry";
    return ProducerEntry{};
  }
  return *e;
}

// ProducerStateEntry's accessors: the oldest cached batch gives firstSeq and
// firstDataOffset, the newest lastSeq and lastDataOffset; -1 without a batch.
inline std::int64_t first_seq(const ProducerEntry& e) {
  return e.batches.empty() ? -1 : e.batches.front().first_sequence;
}
inline std::int64_t last_seq(const ProducerEntry& e) { return e.batches.empty() ? -1 : e.batches.back().last_sequence; }
inline std::int64_t first_data_offset(const ProducerEntry& e) {
  return e.batches.empty() ? -1 : e.batches.front().first_offset;
}
inline std::int64_t last_data_offset(const ProducerEntry& e) {
  return e.batches.empty() ? -1 : e.batches.back().last_offset;
}

class KafkaConformance : public ::testing::TestWithParam<BrokerBackend> {
 protected:
  /// A partition with Kafka's defaults (window 5, expiration 1 day, newest batch per snapshot).
  std::unique_ptr<BrokerPartition> make(spec::BrokerConfig config = {}) {
    std::unique_ptr<BrokerPartition> p = GetParam().make(config);
    // A null partition would crash the test binary; an exception fails this test alone.
    if (!p) throw std::invalid_argument("the factory of core '" + GetParam().name + "' returned no partition");
    return p;
  }

  /// Fill the log with records without a producer id up to `offset`, so that
  /// the next batch is written there (Kafka's tests name their offsets). A
  /// core without replication gets them as a client append: without a
  /// producer id that is rule R1 (written, no producer state), as the
  /// replicated batch is, so the tests that only fill the log need no
  /// replication.
  void fill_log_to(BrokerPartition& p, std::int64_t offset) {
    const std::int64_t gap = offset - p.log_end_offset();
    ASSERT_GE(gap, 0) << "offset " << offset << " is behind the log end " << p.log_end_offset();
    if (gap == 0) return;
    const Batch filler{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, gap, 0};
    if (GetParam().support.replicate) {
      p.replicate(filler);
    } else {
      p.append(filler);
    }
  }

  /// A leader append at `offset` (appendClientEntry / appendAsLeader).
  AppendOutcome client(BrokerPartition& p, std::int64_t pid, std::int32_t epoch, std::int64_t seq, std::int64_t offset,
                       std::int64_t ts, std::int64_t records = 1) {
    fill_log_to(p, offset);
    return p.append(Batch{pid, epoch, seq, records, ts});
  }

  /// A follower append at `offset` (appendReplicationEntry / appendAsFollower).
  /// Every test that replicates skips first without replication
  /// (REQUIRES(replicate)); getting here without it is a defect of the suite.
  void replication(BrokerPartition& p, std::int64_t pid, std::int32_t epoch, std::int64_t seq, std::int64_t offset,
                   std::int64_t ts, std::int64_t records = 1) {
    ASSERT_TRUE(GetParam().support.replicate) << "the suite replicates on a core without replication";
    fill_log_to(p, offset);
    p.replicate(Batch{pid, epoch, seq, records, ts});
  }
};

class ProducerStateManagerTest : public KafkaConformance {};
class UnifiedLogTest : public KafkaConformance {};
class LogLoaderTest : public KafkaConformance {};

using Offsets = std::vector<std::int64_t>;

// ===================================================================== ProducerStateManagerTest

// PSMT testBasicIdMapping (line 104).
// Kafka appends every batch at offset 0 (the state manager does not check
// offsets); here they go at the log end. Kafka's state manager has no
// duplicate check -- UnifiedLog runs it before -- so there the retry of
// sequence 1 is OUT_OF_ORDER ("Duplicates are checked separately"); the
// model's append is the whole leader path, where that check answers it.
TEST_P(ProducerStateManagerTest, testBasicIdMapping) {
  auto p = make();
  EXPECT_EQ(p->append(Batch{1, 0, 0, 1, 0}), written(0, 0));
  EXPECT_EQ(p->append(Batch{1, 0, 1, 1, 1}), written(1, 1));
  EXPECT_EQ(p->append(Batch{1, 0, 1, 1, 1}), duplicate(1, 1))
      << "the duplicate is caught by the check that precedes ProducerAppendInfo, and not written";
  EXPECT_EQ(p->append(Batch{1, 0, 5, 1, 2}), rejected(Error::out_of_order_sequence_number));
  EXPECT_EQ(p->append(Batch{1, 1, 0, 1, 3}), written(2, 2)) << "change epoch";
  EXPECT_EQ(p->append(Batch{1, 0, 0, 1, 4}), rejected(Error::invalid_producer_epoch)) << "incorrect epoch";
}

// PSMT testAppendTxnMarkerWithNoProducerState (line 125).
TEST_P(ProducerStateManagerTest, testAppendTxnMarkerWithNoProducerState) {
  NOT_EXPRESSIBLE("transaction markers (an entry created by an end-transaction marker, with no batch)");
}

// PSMT testProducerSequenceWrapAround (line 153).
TEST_P(ProducerStateManagerTest, testProducerSequenceWrapAround) {
  REQUIRES(replicate);
  auto p = make();
  replication(*p, 1, 15, kMaxSequence, 735, kNow);
  EXPECT_EQ(client(*p, 1, 15, 0, 735 + 500, kNow), written(1235, 1235));
  const auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(e.epoch, 15);
  EXPECT_EQ(first_seq(e), kMaxSequence);
  EXPECT_EQ(last_seq(e), 0);
}

// PSMT testProducerSequenceWithWrapAroundBatchRecord (line 169).
// Sequences MAX-10 .. 9 (21 records) at offsets 2000 .. 2020, from a replica.
// Kafka also asserts that the prepared, not yet applied, update is invisible;
// the model applies an append in one step, so that is checked before it.
TEST_P(ProducerStateManagerTest, testProducerSequenceWithWrapAroundBatchRecord) {
  REQUIRES(replicate);
  auto p = make();
  EXPECT_FALSE(entry(*p, 1).has_value());
  replication(*p, 1, 15, kMaxSequence - 10, 2000, kNow, 21);
  const auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(first_seq(e), kMaxSequence - 10);
  EXPECT_EQ(last_seq(e), 9);
  EXPECT_EQ(first_data_offset(e), 2000);
  EXPECT_EQ(last_data_offset(e), 2020);
}

// PSMT testProducerSequenceInvalidWrapAround (line 192).
TEST_P(ProducerStateManagerTest, testProducerSequenceInvalidWrapAround) {
  REQUIRES(replicate);
  auto p = make();
  replication(*p, 1, 15, kMaxSequence, 735, kNow);
  EXPECT_EQ(client(*p, 1, 15, 1, 735 + 500, kNow), rejected(Error::out_of_order_sequence_number));
}

// PSMT testNoValidationOnFirstEntryWhenLoadingLog (line 203).
TEST_P(ProducerStateManagerTest, testNoValidationOnFirstEntryWhenLoadingLog) {
  REQUIRES(replicate);
  auto p = make();
  replication(*p, 1, 5, 16, 735, kNow);
  const auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(e.epoch, 5);
  EXPECT_EQ(first_seq(e), 16);
  EXPECT_EQ(last_seq(e), 16);
  EXPECT_EQ(last_data_offset(e), 735);
  EXPECT_EQ(first_data_offset(e), 735);
}

// PSMT testControlRecordBumpsProducerEpoch (line 219).
TEST_P(ProducerStateManagerTest, testControlRecordBumpsProducerEpoch) {
  NOT_EXPRESSIBLE("transaction markers (an ABORT marker that bumps the epoch)");
}

// PSMT testTxnFirstOffsetMetadataCached (line 238).
TEST_P(ProducerStateManagerTest, testTxnFirstOffsetMetadataCached) {
  NOT_EXPRESSIBLE("transactions (first unstable offset metadata)");
}

// PSMT testHasLateTransaction (line 253).
TEST_P(ProducerStateManagerTest, testHasLateTransaction) { NOT_EXPRESSIBLE("transactions (late transactions)"); }

// PSMT testHasLateTransactionInitializedAfterReload (line 285).
TEST_P(ProducerStateManagerTest, testHasLateTransactionInitializedAfterReload) {
  NOT_EXPRESSIBLE("transactions (late transactions after a reload)");
}

// PSMT testHasLateTransactionUpdatedAfterPartialTruncation (line 312).
TEST_P(ProducerStateManagerTest, testHasLateTransactionUpdatedAfterPartialTruncation) {
  NOT_EXPRESSIBLE("transactions and log truncation");
}

// PSMT testHasLateTransactionUpdatedAfterFullTruncation (line 328).
TEST_P(ProducerStateManagerTest, testHasLateTransactionUpdatedAfterFullTruncation) {
  NOT_EXPRESSIBLE("transactions and log truncation (truncateFullyAndStartAt)");
}

// PSMT testPrepareUpdateDoesNotMutate (line 344).
// Sequences 0..5 at offsets 15..20, then 6..10 at 26..30. Kafka prepares the
// second update and checks that the entry is unchanged before applying it;
// the model has no prepared-but-unapplied append, so the entry is checked
// before the second append and after it.
TEST_P(ProducerStateManagerTest, testPrepareUpdateDoesNotMutate) {
  auto p = make();
  EXPECT_FALSE(entry(*p, 1).has_value());
  EXPECT_EQ(client(*p, 1, 0, 0, 15, kNow, 6), written(15, 20));
  auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(first_seq(e), 0);
  EXPECT_EQ(last_seq(e), 5);
  EXPECT_EQ(last_data_offset(e), 20);
  EXPECT_EQ(client(*p, 1, 0, 6, 26, kNow, 5), written(26, 30));
  e = entry_or_fail(*p, 1);
  EXPECT_EQ(first_seq(e), 0);
  EXPECT_EQ(last_seq(e), 10);
  EXPECT_EQ(last_data_offset(e), 30);
}

// PSMT updateProducerTransactionState (line 371).
TEST_P(ProducerStateManagerTest, updateProducerTransactionState) {
  NOT_EXPRESSIBLE("transactions (transactional batches, COMMIT marker, coordinator epoch)");
}

// PSMT testOutOfSequenceAfterControlRecordEpochBump (line 404).
TEST_P(ProducerStateManagerTest, testOutOfSequenceAfterControlRecordEpochBump) {
  NOT_EXPRESSIBLE("transaction markers (an ABORT marker that bumps the epoch)");
}

// PSMT testNonTransactionalAppendWithOngoingTransaction (line 427).
TEST_P(ProducerStateManagerTest, testNonTransactionalAppendWithOngoingTransaction) {
  NOT_EXPRESSIBLE("transactions (INVALID_TXN_STATE)");
}

// PSMT testTruncateAndReloadRemovesOutOfRangeSnapshots (line 434).
TEST_P(ProducerStateManagerTest, testTruncateAndReloadRemovesOutOfRangeSnapshots) {
  NOT_EXPRESSIBLE("log truncation and a log start offset (snapshots out of [logStart, logEnd] deleted)");
}

// PSMT testTakeSnapshot (line 453). One snapshot file, at the log end (2).
TEST_P(ProducerStateManagerTest, testTakeSnapshot) {
  REQUIRES(snapshot);
  auto p = make();
  ASSERT_EQ(p->append(Batch{1, 0, 0, 1, 0}), written(0, 0));
  ASSERT_EQ(p->append(Batch{1, 0, 1, 1, 1}), written(1, 1));
  p->take_snapshot();
  EXPECT_EQ(p->snapshot_offsets(), Offsets{2}) << "exactly one snapshot";
}

// PSMT testFetchSnapshotEmptySnapShot (line 467).
TEST_P(ProducerStateManagerTest, testFetchSnapshotEmptySnapShot) {
  REQUIRES(snapshot);
  auto p = make();
  EXPECT_EQ(p->snapshot_offsets(), Offsets{}) << "no snapshot at offset 1 (nor any other)";
}

// PSMT testRecoverFromSnapshotUnfinishedTransaction (line 473). PARTIAL: the
// batches are idempotent, not transactional, and the assertion on
// currentTxnFirstOffset is dropped (no transactions); what remains is the
// test's own comment: "The snapshot only persists the last appended batch
// metadata". truncateAndReload(0, 3) on a new state manager = a restart that
// reloads the newest snapshot (at the log end: nothing to replay).
TEST_P(ProducerStateManagerTest, testRecoverFromSnapshotUnfinishedTransaction) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  auto p = make();
  ASSERT_EQ(client(*p, 1, 0, 0, 0, kNow), written(0, 0));
  ASSERT_EQ(client(*p, 1, 0, 1, 1, kNow), written(1, 1));
  p->take_snapshot();
  p->restart(kNow, false);
  const auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(first_data_offset(e), 1);
  EXPECT_EQ(first_seq(e), 1);
  EXPECT_EQ(last_data_offset(e), 1);
  EXPECT_EQ(last_seq(e), 1);
  EXPECT_EQ(client(*p, 1, 0, 2, 2, kNow), written(2, 2)) << "entry added after recovery";
}

// PSMT testRecoverFromSnapshotFinishedTransaction (line 495).
TEST_P(ProducerStateManagerTest, testRecoverFromSnapshotFinishedTransaction) {
  NOT_EXPRESSIBLE("transaction markers (an ABORT marker in the snapshotted state)");
}

// PSMT testRecoverFromSnapshotEmptyTransaction (line 515).
TEST_P(ProducerStateManagerTest, testRecoverFromSnapshotEmptyTransaction) {
  NOT_EXPRESSIBLE("transaction markers (an entry made by a marker alone)");
}

// PSMT testProducerStateAfterFencingAbortMarker (line 530).
TEST_P(ProducerStateManagerTest, testProducerStateAfterFencingAbortMarker) {
  NOT_EXPRESSIBLE("transaction markers (fencing marker; ongoing transactions never expire)");
}

// PSMT testRemoveExpiredPidsOnReload (line 545). ADAPTED: Kafka's reload,
// truncateAndReload(0, 1, 70000), empties the state by truncating to offset 1
// (the snapshot at 2 lies beyond the new log end and is deleted); at the
// default one-day expiration nothing expires at 70000. The model has no
// truncation, so here the producer expires at the reload as the test's name
// and comment say (expiration 60 s; its last batch is at 1 ms), and Kafka's
// assertions follow; the cached window shows the producer was re-added.
TEST_P(ProducerStateManagerTest, testRemoveExpiredPidsOnReload) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 60'000;
  auto p = make(config);
  ASSERT_EQ(client(*p, 1, 0, 0, 0, 0), written(0, 0));
  ASSERT_EQ(client(*p, 1, 0, 1, 1, 1), written(1, 1));
  p->take_snapshot();
  p->restart(70'000, false);
  EXPECT_FALSE(entry(*p, 1).has_value()) << "expired as the snapshot loaded";
  EXPECT_EQ(client(*p, 1, 0, 2, 2, 70'001), written(2, 2)) << "an unknown producer is accepted at any sequence";
  ASSERT_EQ(p->producers().size(), 1u);
  EXPECT_EQ(last_seq(p->producers()[0]), 2);
  EXPECT_EQ(first_seq(p->producers()[0]), 2) << "the entry holds only the new batch";
  EXPECT_EQ(p->log_end_offset(), 3) << "mapEndOffset";
}

// PSMT testAcceptAppendWithoutProducerStateOnReplica (line 564). ADAPTED as
// testRemoveExpiredPidsOnReload: the state is lost by expiry at the reload,
// not by truncation.
TEST_P(ProducerStateManagerTest, testAcceptAppendWithoutProducerStateOnReplica) {
  REQUIRES(replicate);
  REQUIRES(snapshot);
  REQUIRES(restart);
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 60'000;
  auto p = make(config);
  ASSERT_EQ(client(*p, 1, 0, 0, 0, 0), written(0, 0));
  ASSERT_EQ(client(*p, 1, 0, 1, 1, 1), written(1, 1));
  p->take_snapshot();
  p->restart(70'000, false);
  EXPECT_FALSE(entry(*p, 1).has_value());
  replication(*p, 1, 0, 2, 2, 70'001);
  const auto e = entry_or_fail(*p, 1);
  EXPECT_EQ(e.epoch, 0);
  EXPECT_EQ(first_seq(e), 2);
  EXPECT_EQ(last_seq(e), 2);
}

// PSMT testAcceptAppendWithSequenceGapsOnReplica (line 586).
TEST_P(ProducerStateManagerTest, testAcceptAppendWithSequenceGapsOnReplica) {
  REQUIRES(replicate);
  auto p = make();
  ASSERT_EQ(client(*p, 1, 0, 0, 0, 0), written(0, 0));
  EXPECT_EQ(client(*p, 1, 0, 3, 1, 1), rejected(Error::out_of_order_sequence_number)) << "from a client";
  ASSERT_TRUE(entry(*p, 1).has_value());
  EXPECT_EQ(last_seq(entry_or_fail(*p, 1)), 0);
  replication(*p, 1, 0, 3, 1, 1);
  EXPECT_EQ(last_seq(entry_or_fail(*p, 1)), 3) << "from a replica the gap is accepted";
}

// PSMT testDeleteSnapshotsBefore (line 605).
TEST_P(ProducerStateManagerTest, testDeleteSnapshotsBefore) {
  NOT_EXPRESSIBLE("snapshot deletion with segments (deleteSnapshotsBefore)");
}

// PSMT testTruncateFullyAndStartAt (line 627).
TEST_P(ProducerStateManagerTest, testTruncateFullyAndStartAt) {
  NOT_EXPRESSIBLE("log truncation (truncateFullyAndStartAt)");
}

// PSMT testReloadSnapshots (line 651).
TEST_P(ProducerStateManagerTest, testReloadSnapshots) {
  NOT_EXPRESSIBLE("log truncation and snapshot files restored from outside (truncateFullyAndReloadSnapshots)");
}

// PSMT testFirstUnstableOffsetAfterTruncation (line 681).
TEST_P(ProducerStateManagerTest, testFirstUnstableOffsetAfterTruncation) {
  NOT_EXPRESSIBLE("transactions and log truncation");
}

// PSMT testLoadFromSnapshotRetainsNonExpiredProducers (line 704).
// truncateAndReload(1, 2) moves the log start offset to 1, which the model
// does not have (it removes no producer state in Kafka either); the reload is
// a restart.
TEST_P(ProducerStateManagerTest, testLoadFromSnapshotRetainsNonExpiredProducers) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  auto p = make();
  ASSERT_EQ(client(*p, 1, 0, 0, 0, kNow), written(0, 0));
  ASSERT_EQ(client(*p, 2, 0, 0, 1, kNow), written(1, 1));
  p->take_snapshot();
  EXPECT_EQ(p->producers().size(), 2u);
  p->restart(kNow, true);
  EXPECT_EQ(p->producers().size(), 2u);
  const auto e1 = entry_or_fail(*p, 1);
  EXPECT_EQ(last_seq(e1), 0);
  EXPECT_EQ(last_data_offset(e1), 0);
  const auto e2 = entry_or_fail(*p, 2);
  EXPECT_EQ(last_seq(e2), 0);
  EXPECT_EQ(last_data_offset(e2), 1);
}

// PSMT testSkipSnapshotIfOffsetUnchanged (line 726). Kafka skips the second
// write; the model overwrites the file at the same offset. Either way one file.
TEST_P(ProducerStateManagerTest, testSkipSnapshotIfOffsetUnchanged) {
  REQUIRES(snapshot);
  auto p = make();
  ASSERT_EQ(client(*p, 1, 0, 0, 0, 0), written(0, 0));
  p->take_snapshot();
  EXPECT_EQ(p->snapshot_offsets(), Offsets{1});
  p->take_snapshot();
  EXPECT_EQ(p->snapshot_offsets(), Offsets{1}) << "nothing changed so there should be no new snapshot";
}

// PSMT testPidExpirationTimeout (line 740).
TEST_P(ProducerStateManagerTest, testPidExpirationTimeout) {
  REQUIRES(expire);
  auto p = make();
  ASSERT_EQ(client(*p, 1, 5, 0, 1, kNow), written(1, 1));
  const std::int64_t later = kNow + kDay + 1;
  p->expire(later);
  EXPECT_EQ(client(*p, 1, 5, 1, 2, later), written(2, 2));
  ASSERT_EQ(p->producers().size(), 1u);
  EXPECT_EQ(last_seq(p->producers()[0]), 1);
  EXPECT_EQ(p->log_end_offset(), 3);
}

// PSMT testFirstUnstableOffset (line 752).
TEST_P(ProducerStateManagerTest, testFirstUnstableOffset) {
  NOT_EXPRESSIBLE("transactions (first undecided / unstable offset)");
}

// PSMT testProducersWithOngoingTransactionsDontExpire (line 785).
TEST_P(ProducerStateManagerTest, testProducersWithOngoingTransactionsDontExpire) {
  NOT_EXPRESSIBLE("transactions (an ongoing transaction blocks expiry)");
}

// PSMT testSequenceNotValidatedForGroupMetadataTopic (line 802).
TEST_P(ProducerStateManagerTest, testSequenceNotValidatedForGroupMetadataTopic) {
  NOT_EXPRESSIBLE("COORDINATOR-origin appends (group metadata topic, NO_SEQUENCE batches)");
}

// PSMT testOldEpochForControlRecord (line 814).
TEST_P(ProducerStateManagerTest, testOldEpochForControlRecord) {
  NOT_EXPRESSIBLE("transaction markers (a COMMIT marker with an old epoch)");
}

// PSMT testCoordinatorFencing (line 826).
TEST_P(ProducerStateManagerTest, testCoordinatorFencing) { NOT_EXPRESSIBLE("coordinator epochs"); }

// PSMT testCoordinatorFencedAfterReload (line 848).
TEST_P(ProducerStateManagerTest, testCoordinatorFencedAfterReload) {
  NOT_EXPRESSIBLE("coordinator epochs (kept across a reload)");
}

// The shared body of PSMT testLoadFrom{Empty,Truncated,Corrupt}SnapshotFile
// (PSMT testLoadFromCorruptSnapshot, line 1263): snapshots at 1 and 2, the
// one at 2 damaged; the reload deletes it and loads the one at 1. Kafka's
// test reloads the state manager alone, so its state is the snapshot's
// (lastDataOffset 0); the model's restart then replays the log after offset
// 1, as LogLoader does. The damaged snapshot, had it loaded, would give the
// window [1] alone; the fallback gives [0 (from the snapshot at 1), 1
// (replayed)]. The restart's own snapshot at the log end takes the deleted
// file's offset.
inline void load_from_damaged_snapshot(BrokerPartition& p, SnapshotDamage damage) {
  ASSERT_EQ(p.append(Batch{1, 0, 0, 1, kNow}), written(0, 0));
  p.take_snapshot();
  ASSERT_EQ(p.append(Batch{1, 0, 1, 1, kNow}), written(1, 1));
  p.take_snapshot();
  ASSERT_EQ(p.snapshot_offsets(), (Offsets{1, 2}));
  ASSERT_EQ(p.snapshot_offsets().back(), 2) << "latestSnapshotOffset";
  p.restart(kNow, false, damage);
  const auto e = entry_or_fail(p, 1);
  ASSERT_EQ(e.batches.size(), 2u) << "the damaged snapshot (newest batch only) did not load";
  EXPECT_EQ(e.batches[0].last_offset, 0) << "lastDataOffset of the state loaded from the previous snapshot";
  EXPECT_EQ(e.batches[1].last_offset, 1) << "then replayed from the log";
  EXPECT_EQ(p.snapshot_offsets(), (Offsets{1, 2})) << "the snapshot at 1 is kept; 2 is the restart's new one";
  EXPECT_EQ(p.append(Batch{1, 0, 0, 1, kNow}), duplicate(0, 0));
}

// PSMT testLoadFromEmptySnapshotFile (line 863). An empty file is a torn one
// (the model does not tell cuts apart; the impl adapter cuts to half, and
// impl's decoder rejecting an empty file is ImplSnapshotFallback.
// EmptyFileIsRejectedAndThePreviousOneLoads in impl_snapshot_test).
TEST_P(ProducerStateManagerTest, testLoadFromEmptySnapshotFile) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  REQUIRES(damage);
  auto p = make();
  load_from_damaged_snapshot(*p, SnapshotDamage::torn);
}

// PSMT testLoadFromTruncatedSnapshotFile (line 874).
TEST_P(ProducerStateManagerTest, testLoadFromTruncatedSnapshotFile) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  REQUIRES(damage);
  auto p = make();
  load_from_damaged_snapshot(*p, SnapshotDamage::torn);
}

// PSMT testLoadFromCorruptSnapshotFile (line 887).
TEST_P(ProducerStateManagerTest, testLoadFromCorruptSnapshotFile) {
  REQUIRES(snapshot);
  REQUIRES(restart);
  REQUIRES(damage);
  auto p = make();
  load_from_damaged_snapshot(*p, SnapshotDamage::corrupt);
}

// PSMT testAppendEmptyControlBatch (line 900).
TEST_P(ProducerStateManagerTest, testAppendEmptyControlBatch) {
  NOT_EXPRESSIBLE("control batches (an empty control batch)");
}

// PSMT testRemoveStraySnapshotsKeepCleanShutdownSnapshot (line 914).
TEST_P(ProducerStateManagerTest, testRemoveStraySnapshotsKeepCleanShutdownSnapshot) {
  NOT_EXPRESSIBLE("segments (stray snapshots are those at no segment base offset)");
}

// PSMT testRemoveAllStraySnapshots (line 938).
TEST_P(ProducerStateManagerTest, testRemoveAllStraySnapshots) {
  NOT_EXPRESSIBLE("segments (stray snapshots are those at no segment base offset)");
}

// PSMT testRemoveAndMarkSnapshotForDeletion (line 961).
TEST_P(ProducerStateManagerTest, testRemoveAndMarkSnapshotForDeletion) {
  NOT_EXPRESSIBLE("segment deletion (snapshot files renamed with the deletion suffix)");
}

// PSMT testRemoveAndMarkSnapshotForDeletionAlreadyDeleted (line 979).
TEST_P(ProducerStateManagerTest, testRemoveAndMarkSnapshotForDeletionAlreadyDeleted) {
  NOT_EXPRESSIBLE("segment deletion and files removed behind the state manager's back");
}

// PSMT testEntryForVerification (line 990).
TEST_P(ProducerStateManagerTest, testEntryForVerification) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification entries)");
}

// PSMT testSequenceAndEpochInVerificationEntry (line 1008).
TEST_P(ProducerStateManagerTest, testSequenceAndEpochInVerificationEntry) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification entries)");
}

// PSMT testThrowOutOfOrderSequenceWithVerificationSequenceCheck (line 1029;
// parameterized over dynamicallyDisable in Kafka).
TEST_P(ProducerStateManagerTest, testThrowOutOfOrderSequenceWithVerificationSequenceCheck) {
  NOT_EXPRESSIBLE("transaction verification (the verification entry's lowest sequence)");
}

// PSMT testVerificationStateEntryExpiration (line 1044).
TEST_P(ProducerStateManagerTest, testVerificationStateEntryExpiration) {
  NOT_EXPRESSIBLE("transaction verification (expiry of verification entries)");
}

// PSMT testLastStableOffsetCompletedTxn (line 1058).
TEST_P(ProducerStateManagerTest, testLastStableOffsetCompletedTxn) {
  NOT_EXPRESSIBLE("transactions (last stable offset)");
}

// PSMT testSkipEmptyTransactions (line 1097).
TEST_P(ProducerStateManagerTest, testSkipEmptyTransactions) { NOT_EXPRESSIBLE("transactions (empty transactions)"); }

// PSMT testReadWriteSnapshot (line 1135).
TEST_P(ProducerStateManagerTest, testReadWriteSnapshot) {
  NOT_EXPRESSIBLE("coordinator epochs, transaction offsets and entries without batches in a snapshot; its batch "
                  "(last offset 2, offset delta 3) starts at offset -1, which no model batch can");
}

// ===================================================================== UnifiedLogTest

// ULT testTruncateBelowFirstUnstableOffset (line 184).
TEST_P(UnifiedLogTest, testTruncateBelowFirstUnstableOffset) { NOT_EXPRESSIBLE("transactions and log truncation"); }

// ULT testTruncateFullyAndStartBelowFirstUnstableOffset (line 189).
TEST_P(UnifiedLogTest, testTruncateFullyAndStartBelowFirstUnstableOffset) {
  NOT_EXPRESSIBLE("transactions and log truncation");
}

// ULT testTruncateFullyAndStart (line 194).
TEST_P(UnifiedLogTest, testTruncateFullyAndStart) { NOT_EXPRESSIBLE("transactions and log truncation"); }

// ULT testActiveProducers (line 415). PARTIAL: the transactional producer 1
// (open transaction, then a COMMIT marker with coordinator epoch 15) is not
// expressible; the idempotent producer 2 is, with Kafka's assertions on it
// (its transaction start offset and coordinator epoch are "none" by default).
TEST_P(UnifiedLogTest, testActiveProducers) {
  auto p = make();
  ASSERT_EQ(p->append(Batch{2, 5, 0, 3, kNow}), written(0, 2)) << "appendIdempotentAsLeader(...)(3)";
  const auto e = entry_or_fail(*p, 2);
  EXPECT_EQ(e.epoch, 5);
  EXPECT_EQ(last_seq(e), 2);
}

// ULT testFetchUpToLastStableOffset (line 473).
TEST_P(UnifiedLogTest, testFetchUpToLastStableOffset) { NOT_EXPRESSIBLE("transactions (last stable offset)"); }

// ULT testOffsetFromProducerSnapshotFile (line 522).
TEST_P(UnifiedLogTest, testOffsetFromProducerSnapshotFile) { NOT_EXPRESSIBLE("snapshot file names"); }

// ULT testNonSequentialAppend (line 627).
TEST_P(UnifiedLogTest, testNonSequentialAppend) {
  auto p = make();
  ASSERT_EQ(p->append(Batch{1, 0, 0, 1, kNow}), written(0, 0));
  EXPECT_EQ(p->append(Batch{1, 0, 2, 1, kNow}), rejected(Error::out_of_order_sequence_number));
}

// ULT testInitializationOfProducerSnapshotsUpgradePath (line 710).
TEST_P(UnifiedLogTest, testInitializationOfProducerSnapshotsUpgradePath) {
  NOT_EXPRESSIBLE("segments, recovery points and snapshot files deleted from outside (the upgrade path)");
}

// ULT testProducerExpireCheckAfterDelete (line 764).
TEST_P(UnifiedLogTest, testProducerExpireCheckAfterDelete) {
  NOT_EXPRESSIBLE("the expiration scheduler and log deletion");
}

// ULT testProducerIdMapOffsetUpdatedForNonIdempotentData (line 783).
TEST_P(UnifiedLogTest, testProducerIdMapOffsetUpdatedForNonIdempotentData) {
  REQUIRES(snapshot);
  auto p = make();
  ASSERT_EQ(p->append(Batch{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, 1, kNow}), written(0, 0));
  p->take_snapshot();
  ASSERT_FALSE(p->snapshot_offsets().empty());
  EXPECT_EQ(p->snapshot_offsets().back(), 1) << "latestProducerSnapshotOffset";
}

// ULT testRebuildProducerIdMapWithCompactedData (line 793).
TEST_P(UnifiedLogTest, testRebuildProducerIdMapWithCompactedData) {
  NOT_EXPRESSIBLE("log truncation (truncateTo rebuilds the state)");
}

// ULT testRebuildProducerStateWithEmptyCompactedBatch (line 837).
TEST_P(UnifiedLogTest, testRebuildProducerStateWithEmptyCompactedBatch) {
  NOT_EXPRESSIBLE("log truncation (truncateTo rebuilds the state) and empty compacted batches");
}

// ULT testUpdateProducerIdMapWithCompactedData (line 879). Compaction removed
// two of the batch's four records but kept its header (base offset 23,
// last offset delta 3, base sequence 0); the model's batch is its header, so
// the follower append is that of a four-record batch at offset 23.
TEST_P(UnifiedLogTest, testUpdateProducerIdMapWithCompactedData) {
  REQUIRES(replicate);
  auto p = make();
  replication(*p, 1, 0, 0, 23, kNow, 4);
  ASSERT_TRUE(entry(*p, 1).has_value());
  EXPECT_EQ(last_seq(entry_or_fail(*p, 1)), 3);
}

// ULT testProducerIdMapTruncateTo (line 913).
TEST_P(UnifiedLogTest, testProducerIdMapTruncateTo) { NOT_EXPRESSIBLE("log truncation (truncateTo)"); }

// ULT testProducerIdMapTruncateToWithNoSnapshots (line 937).
TEST_P(UnifiedLogTest, testProducerIdMapTruncateToWithNoSnapshots) {
  NOT_EXPRESSIBLE("log truncation (truncateTo) and snapshot files deleted from outside");
}

// ULT testRetentionDeletesProducerStateSnapshots (line 963; parameterized
// over createEmptyActiveSegment in Kafka).
TEST_P(UnifiedLogTest, testRetentionDeletesProducerStateSnapshots) {
  NOT_EXPRESSIBLE("retention and segment deletion");
}

// ULT testLogStartOffsetMovementDeletesSnapshots (line 1017).
TEST_P(UnifiedLogTest, testLogStartOffsetMovementDeletesSnapshots) {
  NOT_EXPRESSIBLE("a log start offset (DeleteRecords) and segment deletion");
}

// ULT testCompactionDeletesProducerStateSnapshots (line 1044).
TEST_P(UnifiedLogTest, testCompactionDeletesProducerStateSnapshots) {
  NOT_EXPRESSIBLE("compaction and segment deletion");
}

// ULT testLoadingLogDeletesProducerStateSnapshotsPastLogEndOffset (line 1086).
TEST_P(UnifiedLogTest, testLoadingLogDeletesProducerStateSnapshotsPastLogEndOffset) {
  NOT_EXPRESSIBLE("snapshot files placed beyond the log end from outside");
}

// ULT testProducerIdMapTruncateFullyAndStartAt (line 1096).
TEST_P(UnifiedLogTest, testProducerIdMapTruncateFullyAndStartAt) {
  NOT_EXPRESSIBLE("log truncation (truncateFullyAndStartAt) and segments");
}

// ULT testProducerIdExpirationOnSegmentDeletion (line 1118).
TEST_P(UnifiedLogTest, testProducerIdExpirationOnSegmentDeletion) {
  NOT_EXPRESSIBLE("retention and segment deletion");
}

// ULT testTakeSnapshotOnRollAndDeleteSnapshotOnRecoveryPointCheckpoint (line
// 1145). A segment roll writes a snapshot at the new segment's base offset:
// take_snapshot at the log end. The flush (recovery point checkpoint) is not
// modelled; Kafka's point is that it deletes no snapshot.
TEST_P(UnifiedLogTest, testTakeSnapshotOnRollAndDeleteSnapshotOnRecoveryPointCheckpoint) {
  REQUIRES(snapshot);
  auto p = make();
  const Batch record{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, 1, kNow};
  ASSERT_EQ(p->append(record), written(0, 0));
  p->take_snapshot();  // roll(Some(1L))
  EXPECT_EQ(p->snapshot_offsets().back(), 1);
  EXPECT_EQ(p->snapshot_offsets().front(), 1);
  ASSERT_EQ(p->append(record), written(1, 1));
  p->take_snapshot();  // roll(Some(2L))
  EXPECT_EQ(p->snapshot_offsets().back(), 2);
  EXPECT_EQ(p->snapshot_offsets().front(), 1);
  ASSERT_EQ(p->append(record), written(2, 2));
  p->take_snapshot();  // roll(Some(3L))
  EXPECT_EQ(p->snapshot_offsets().back(), 3);
  EXPECT_EQ(p->snapshot_offsets().front(), 1) << "we should retain all snapshots";
  ASSERT_EQ(p->append(record), written(3, 3));  // then a flush within the active segment
  EXPECT_EQ(p->snapshot_offsets().back(), 3) << "the snapshot should remain";
}

// ULT testProducerSnapshotAfterSegmentRollOnAppend (line 1172).
TEST_P(UnifiedLogTest, testProducerSnapshotAfterSegmentRollOnAppend) {
  NOT_EXPRESSIBLE("segment rolls by size and log truncation (truncateTo forces the reload)");
}

// ULT testRebuildTransactionalState (line 1205).
TEST_P(UnifiedLogTest, testRebuildTransactionalState) {
  NOT_EXPRESSIBLE("transactions (first unstable offset after recovery)");
}

// ULT testPeriodicProducerIdExpiration (line 1233). Expiration 200 ms,
// checked every 100 ms: the scheduled checks become expire() at their times.
TEST_P(UnifiedLogTest, testPeriodicProducerIdExpiration) {
  REQUIRES(expire);
  spec::BrokerConfig config;
  config.producer_id_expiration_ms = 200;
  auto p = make(config);
  ASSERT_EQ(p->append(Batch{23, 0, 0, 1, kNow}), written(0, 0));
  ASSERT_EQ(p->producers().size(), 1u);
  EXPECT_EQ(p->producers()[0].producer_id, 23);
  p->expire(kNow + 100);
  ASSERT_EQ(p->producers().size(), 1u) << "after 100 ms";
  p->expire(kNow + 200);
  EXPECT_TRUE(p->producers().empty()) << "after 200 ms";
}

// ULT testDuplicateAppends (line 1254).
TEST_P(UnifiedLogTest, testDuplicateAppends) {
  auto p = make();
  std::int64_t seq = 0;
  for (int i = 0; i <= 5; ++i, ++seq) ASSERT_EQ(p->append(Batch{1, 0, seq, 1, kNow}), written(seq, seq));
  const Batch three{1, 0, seq, 3, kNow};  // sequences 6..8
  const AppendOutcome multi = p->append(three);
  EXPECT_EQ(multi.last_offset - multi.first_offset + 1, 3) << "should have appended 3 entries";
  const AppendOutcome dup_multi = p->append(three);
  EXPECT_EQ(dup_multi.first_offset, multi.first_offset) << "duplicate of a multi-record tail";
  EXPECT_EQ(dup_multi.last_offset, multi.last_offset);
  seq += 3;
  EXPECT_EQ(p->append(Batch{1, 0, seq - 2, 2, kNow}), rejected(Error::out_of_order_sequence_number))
      << "a partial duplicate of the tail";
  EXPECT_EQ(p->append(Batch{1, 0, 2, 1, kNow}).error, Error::none) << "a duplicate still in the last 5 batches";
  EXPECT_EQ(p->append(Batch{1, 0, 1, 1, kNow}), rejected(Error::out_of_order_sequence_number))
      << "a duplicate older than the last 5 batches";
  const Batch single{1, 0, seq, 1, kNow};
  const AppendOutcome orig = p->append(single);
  const AppendOutcome again = p->append(single);
  EXPECT_EQ(orig.first_offset, again.first_offset) << "Inserted a duplicate records into the log";
  EXPECT_EQ(orig.last_offset, again.last_offset);
}

// ULT testMultipleProducerIdsPerMemoryRecord (line 1330). Four follower
// batches of producers 1..4, each at sequence 0; Kafka reads them back and
// compares producer id, base offset and base sequence: here the producer
// state records the same three for each.
TEST_P(UnifiedLogTest, testMultipleProducerIdsPerMemoryRecord) {
  REQUIRES(replicate);
  auto p = make();
  for (std::int64_t i = 0; i < 4; ++i) p->replicate(Batch{i + 1, 0, 0, 1, kNow});
  const auto entries = p->producers();
  ASSERT_EQ(entries.size(), 4u);
  for (std::int64_t i = 0; i < 4; ++i) {
    const auto& e = entries[static_cast<std::size_t>(i)];
    EXPECT_EQ(e.producer_id, i + 1);
    ASSERT_EQ(e.batches.size(), 1u);
    EXPECT_EQ(e.batches[0].first_offset, i);
    EXPECT_EQ(e.batches[0].first_sequence, 0);
  }
}

// ULT testDuplicateAppendToFollower (line 1376).
TEST_P(UnifiedLogTest, testDuplicateAppendToFollower) {
  REQUIRES(replicate);
  auto p = make();
  EXPECT_EQ(p->log_end_offset(), 0);
  p->replicate(Batch{1, 0, 0, 2, kNow});
  p->replicate(Batch{1, 0, 0, 2, kNow});
  EXPECT_EQ(p->log_end_offset(), 4) << "even the duplicate sequences are accepted on the follower";
}

// ULT testMultipleProducersWithDuplicatesInSingleAppend (line 1397).
TEST_P(UnifiedLogTest, testMultipleProducersWithDuplicatesInSingleAppend) {
  REQUIRES(replicate);
  auto p = make();
  EXPECT_EQ(p->log_end_offset(), 0);
  p->replicate(Batch{1, 0, 0, 1, kNow});
  p->replicate(Batch{2, 0, 0, 1, kNow});
  p->replicate(Batch{1, 0, 1, 1, kNow});
  p->replicate(Batch{2, 0, 1, 1, kNow});
  p->replicate(Batch{1, 0, 1, 1, kNow});  // duplicate
  EXPECT_EQ(p->log_end_offset(), 5);
}

// ULT testOldProducerEpoch (line 1449).
TEST_P(UnifiedLogTest, testOldProducerEpoch) {
  auto p = make();
  ASSERT_EQ(p->append(Batch{1, 1, 0, 1, kNow}), written(0, 0));
  EXPECT_EQ(p->append(Batch{1, 0, 0, 1, kNow}), rejected(Error::invalid_producer_epoch));
}

// ULT testDeleteSnapshotsOnIncrementLogStartOffset (line 1464).
TEST_P(UnifiedLogTest, testDeleteSnapshotsOnIncrementLogStartOffset) {
  NOT_EXPRESSIBLE("a log start offset (DeleteRecords) and segment deletion");
}

// ULT testAppendToOrReadFromLogInFailedLogDir (line 2483).
TEST_P(UnifiedLogTest, testAppendToOrReadFromLogInFailedLogDir) {
  NOT_EXPRESSIBLE("failed log directories and transactions");
}

// ULT testFirstUnstableOffsetWithTransactionalData (line 3073).
TEST_P(UnifiedLogTest, testFirstUnstableOffsetWithTransactionalData) {
  NOT_EXPRESSIBLE("transactions (first unstable offset)");
}

// ULT testReadCommittedWithConcurrentHighWatermarkUpdates (line 3110).
TEST_P(UnifiedLogTest, testReadCommittedWithConcurrentHighWatermarkUpdates) {
  NOT_EXPRESSIBLE("transactions and the high watermark");
}

// ULT testTransactionIndexUpdated (line 3163).
TEST_P(UnifiedLogTest, testTransactionIndexUpdated) { NOT_EXPRESSIBLE("transactions (transaction index)"); }

// ULT testTransactionIndexUpdatedThroughReplication (line 3218).
TEST_P(UnifiedLogTest, testTransactionIndexUpdatedThroughReplication) {
  NOT_EXPRESSIBLE("transactions (transaction index)");
}

// ULT testZombieCoordinatorFenced (line 3308).
TEST_P(UnifiedLogTest, testZombieCoordinatorFenced) { NOT_EXPRESSIBLE("coordinator epochs and markers"); }

// ULT testZombieCoordinatorFencedEmptyTransaction (line 3328).
TEST_P(UnifiedLogTest, testZombieCoordinatorFencedEmptyTransaction) {
  NOT_EXPRESSIBLE("coordinator epochs and markers");
}

// ULT testEndTxnWithFencedProducerEpoch (line 3349).
TEST_P(UnifiedLogTest, testEndTxnWithFencedProducerEpoch) {
  NOT_EXPRESSIBLE("transaction markers (a marker with a fenced epoch)");
}

// ULT testLastStableOffsetDoesNotExceedLogStartOffsetMidSegment (line 3361).
TEST_P(UnifiedLogTest, testLastStableOffsetDoesNotExceedLogStartOffsetMidSegment) {
  NOT_EXPRESSIBLE("transactions and a log start offset");
}

// ULT testLastStableOffsetDoesNotExceedLogStartOffsetAfterSegmentDeletion (line 3386).
TEST_P(UnifiedLogTest, testLastStableOffsetDoesNotExceedLogStartOffsetAfterSegmentDeletion) {
  NOT_EXPRESSIBLE("transactions and segment deletion");
}

// ULT testAppendToTransactionIndexFailure (line 3414).
TEST_P(UnifiedLogTest, testAppendToTransactionIndexFailure) {
  NOT_EXPRESSIBLE("transactions and I/O failures");
}

// ULT testLastStableOffsetWithMixedProducerData (line 3478).
TEST_P(UnifiedLogTest, testLastStableOffsetWithMixedProducerData) {
  NOT_EXPRESSIBLE("transactions (last stable offset)");
}

// ULT testAbortedTransactionSpanningMultipleSegments (line 3528).
TEST_P(UnifiedLogTest, testAbortedTransactionSpanningMultipleSegments) {
  NOT_EXPRESSIBLE("transactions and segments");
}

// ULT testTransactionIsOngoingAndVerificationGuard (line 3883; parameterized
// over the append origin in Kafka).
TEST_P(UnifiedLogTest, testTransactionIsOngoingAndVerificationGuard) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification guards)");
}

// ULT testEmptyTransactionStillClearsVerificationGuard (line 3957).
TEST_P(UnifiedLogTest, testEmptyTransactionStillClearsVerificationGuard) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification guards)");
}

// ULT testDisabledVerificationClearsVerificationGuard (line 3980).
TEST_P(UnifiedLogTest, testDisabledVerificationClearsVerificationGuard) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification guards)");
}

// ULT testEnablingVerificationWhenRequestIsAtLogLayer (line 4008).
TEST_P(UnifiedLogTest, testEnablingVerificationWhenRequestIsAtLogLayer) {
  NOT_EXPRESSIBLE("transaction verification (KIP-890 verification guards)");
}

// ULT testAllowNonZeroSequenceOnFirstAppendNonZeroEpoch (line 4040).
// PARTIAL: Kafka's batch is transactional and passes a verification guard;
// the model has neither. What remains is the rule the name states: a producer
// the partition has no state for is accepted at epoch 1, sequence 3.
TEST_P(UnifiedLogTest, testAllowNonZeroSequenceOnFirstAppendNonZeroEpoch) {
  auto p = make();
  EXPECT_EQ(p->append(Batch{23, 1, 3, 2, kNow}), written(0, 1)) << "append should not throw";
}

// ULT testRecoveryPointNotIncrementedOnProducerStateSnapshotFlushFailure (line 4066).
TEST_P(UnifiedLogTest, testRecoveryPointNotIncrementedOnProducerStateSnapshotFlushFailure) {
  NOT_EXPRESSIBLE("I/O failures and recovery points");
}

// ULT testSegmentDeletionEnabledBeforeUploadToRemoteTierWhenLogStartOffsetMovedAhead (line 4199).
TEST_P(UnifiedLogTest, testSegmentDeletionEnabledBeforeUploadToRemoteTierWhenLogStartOffsetMovedAhead) {
  NOT_EXPRESSIBLE("remote storage, a log start offset and segment deletion");
}

// ===================================================================== LogLoaderTest

// LLT testProducerSnapshotsRecoveryAfterUncleanShutdownV1 (line 251).
TEST_P(LogLoaderTest, testProducerSnapshotsRecoveryAfterUncleanShutdownV1) {
  NOT_EXPRESSIBLE("message format v1, segments and recovery points");
}

// LLT testProducerSnapshotsRecoveryAfterUncleanShutdownCurrentMessageFormat (line 256).
TEST_P(LogLoaderTest, testProducerSnapshotsRecoveryAfterUncleanShutdownCurrentMessageFormat) {
  NOT_EXPRESSIBLE("segments and recovery points (which segments recovery reads and where it snapshots)");
}

// LLT testSkipLoadingIfEmptyProducerStateBeforeTruncation (line 426).
TEST_P(LogLoaderTest, testSkipLoadingIfEmptyProducerStateBeforeTruncation) {
  NOT_EXPRESSIBLE("a mocked state manager and log truncation");
}

// LLT testRecoverAfterNonMonotonicCoordinatorEpochWrite (line 504).
TEST_P(LogLoaderTest, testRecoverAfterNonMonotonicCoordinatorEpochWrite) {
  NOT_EXPRESSIBLE("transaction markers and coordinator epochs");
}

// LLT testSkipTruncateAndReloadIfOldMessageFormatAndNoCleanShutdown (line 538).
TEST_P(LogLoaderTest, testSkipTruncateAndReloadIfOldMessageFormatAndNoCleanShutdown) {
  NOT_EXPRESSIBLE("message formats before v2 and a mocked state manager");
}

// LLT testSkipTruncateAndReloadIfOldMessageFormatAndCleanShutdown (line 595).
TEST_P(LogLoaderTest, testSkipTruncateAndReloadIfOldMessageFormatAndCleanShutdown) {
  NOT_EXPRESSIBLE("message formats before v2 and a mocked state manager");
}

// LLT testSkipTruncateAndReloadIfNewMessageFormatAndCleanShutdown (line 650).
TEST_P(LogLoaderTest, testSkipTruncateAndReloadIfNewMessageFormatAndCleanShutdown) {
  NOT_EXPRESSIBLE("a clean shutdown that left no snapshot (the model's clean restart always writes one) and a "
                  "mocked state manager");
}

// LLT testLoadProducersAfterDeleteRecordsMidSegment (line 705).
TEST_P(LogLoaderTest, testLoadProducersAfterDeleteRecordsMidSegment) {
  NOT_EXPRESSIBLE("a log start offset (DeleteRecords)");
}

// LLT testLoadingLogKeepsLargestStrayProducerStateSnapshot (line 737).
TEST_P(LogLoaderTest, testLoadingLogKeepsLargestStrayProducerStateSnapshot) {
  NOT_EXPRESSIBLE("segments (stray snapshot files placed from outside)");
}

// LLT testLoadProducersAfterDeleteRecordsOnSegment (line 767).
TEST_P(LogLoaderTest, testLoadProducersAfterDeleteRecordsOnSegment) {
  NOT_EXPRESSIBLE("a log start offset (DeleteRecords) and segment deletion");
}

// LLT testRecoverOnlyLastSegment (line 1479).
TEST_P(LogLoaderTest, testRecoverOnlyLastSegment) { NOT_EXPRESSIBLE("transactions (aborted transactions index)"); }

// LLT testRecoverLastSegmentWithNoSnapshots (line 1530).
TEST_P(LogLoaderTest, testRecoverLastSegmentWithNoSnapshots) {
  NOT_EXPRESSIBLE("transactions (aborted transactions index) and snapshot files deleted from outside");
}

// LLT testFullTransactionIndexRecovery (line 1428).
TEST_P(LogLoaderTest, testFullTransactionIndexRecovery) { NOT_EXPRESSIBLE("transactions (transaction index)"); }

// LLT testCorruptedLogRecoveryDoesNotDeleteProducerStateSnapshotsPostRecovery (line 1625).
TEST_P(LogLoaderTest, testCorruptedLogRecoveryDoesNotDeleteProducerStateSnapshotsPostRecovery) {
  NOT_EXPRESSIBLE("corrupt segments, a log start offset and segment deletion");
}

}  // namespace idemcheck::conformance::kafka_broker

#undef NOT_EXPRESSIBLE
#undef REQUIRES
#pragma pop_macro("REQUIRES")
#pragma pop_macro("NOT_EXPRESSIBLE")
