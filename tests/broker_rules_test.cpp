// The broker variants' decision tables (spec/broker_rules.hpp), row by row
// against the facts they follow: for each row a situation (the broker's entry
// and the incoming batch) and the answer each variant gives, as the rows of
// the banner (and their sources) state it. Then the lifecycle differences,
// on the partition model: what a restart leaves a retry under each variant.
#include <gtest/gtest.h>

#include <list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "idemcheck/spec/broker_rules.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck::spec {
namespace {

using R = BrokerRules;
using Kind = SequenceDecision::Kind;

CachedBatch cached(std::int64_t first, std::int64_t last, std::int64_t offset) {
  return CachedBatch{first, last, offset, offset + (last - first)};
}

// The views' batches live for the whole test program.
EntryView entry(std::int32_t epoch, std::vector<CachedBatch> batches, bool recovered = false) {
  static std::list<std::vector<CachedBatch>> kept;
  kept.push_back(std::move(batches));
  return EntryView{true, epoch, kept.back(), recovered};
}

Batch batch(std::int32_t epoch, std::int64_t first, std::int64_t count = 1, std::int64_t ts = 0) {
  return Batch{1, epoch, first, count, ts};
}

// An expected answer: write, dup (of cached batch i) or an error.
struct Want {
  Kind kind;
  Error error = Error::none;
  std::size_t cached = 0;
};
const Want kWrite{Kind::write};
Want dup(std::size_t i) { return Want{Kind::duplicate, Error::none, i}; }
Want err(Error e) { return Want{Kind::reject, e}; }
const Want kOose = err(Error::out_of_order_sequence_number);
const Want kUpid = err(Error::unknown_producer_id);
const Want kIpe = err(Error::invalid_producer_epoch);
const Want kDup = err(Error::duplicate_sequence_number);

struct Row {
  std::string name;
  EntryView entry;
  Batch batch;
  PartitionFacts facts;
  std::map<R, Want> want;  // every variant
};

// One value for every variant but those listed.
std::map<R, Want> all_but(const Want& common, std::map<R, Want> except = {}) {
  for (R r : all_broker_rules()) except.try_emplace(r, common);
  return except;
}

void check(const Row& row) {
  ASSERT_EQ(row.want.size(), all_broker_rules().size()) << row.name << ": every variant needs an answer";
  for (const auto& [rules, want] : row.want) {
    const SequenceDecision d = decide(rules, row.entry, row.batch, row.facts);
    const std::string where = row.name + " under " + std::string(name(rules)) + ": got " + [&] {
      std::ostringstream os;
      os << d;
      return os.str();
    }();
    EXPECT_EQ(d.kind, want.kind) << where;
    if (want.kind == Kind::reject) {
      EXPECT_EQ(d.error, want.error) << where;
    }
    if (want.kind == Kind::duplicate) {
      EXPECT_EQ(d.cached, want.cached) << where;
    }
  }
}

const PartitionFacts kFresh{false, 0};            // a log that never held a record, just opened
const PartitionFacts kOld{true, 3'600'000};       // a log with records, opened an hour ago

// Kafka's rows K1..K10 (rule-variants facts sheet, section 1), with what the
// other brokers answer in the same situation (sections 2 to 4).
TEST(BrokerRules, KafkaRowsByVersion) {
  const EntryView two = entry(3, {cached(0, 0, 0), cached(1, 1, 1)});
  const EntryView five_late = entry(3, {cached(10, 10, 0), cached(11, 11, 1), cached(12, 12, 2), cached(13, 13, 3),
                                        cached(14, 14, 4)});
  const EntryView none{};
  const EntryView empty_cache = entry(3, {});
  const std::vector<Row> rows{
      {"K1 exact retry of a cached batch", two, batch(3, 1), kOld, all_but(dup(1))},
      // Kafka 1.0.0 answers a retry older than the cache with DUP; AutoMQ (A3, within 65536 below the
      // oldest) too; the others see a sequence that does not follow.
      {"K2 too old", five_late, batch(3, 5), kOld, all_but(kOose, {{R::kafka_1_0_0, kDup}, {R::automq, kDup}})},
      // Redpanda checks no epoch (P8): the lower-epoch batch continues the current epoch's sequence.
      {"K3 lower epoch", two, batch(2, 2), kOld, all_but(kIpe, {{R::redpanda, kWrite}})},
      {"K4 no entry, first sequence 7, on a log with records", none, batch(0, 7), kOld,
       all_but(kUpid, {{R::kafka_0_11, kOose}, {R::kafka_2_5, kWrite}, {R::kafka_4_5, kWrite}, {R::redpanda, kWrite},
                       {R::automq, kWrite}, {R::kfake, kWrite}})},
      // 4.5 rejects it on a log that never held a record; AutoMQ within 120 s of opening the log.
      {"K4 no entry, first sequence 7, on a fresh log", none, batch(0, 7), kFresh,
       all_but(kUpid, {{R::kafka_0_11, kOose}, {R::kafka_2_5, kWrite}, {R::kafka_4_5, kOose}, {R::redpanda, kWrite},
                       {R::automq, kOose}, {R::kfake, kWrite}})},
      {"K5 no entry, first sequence 0", none, batch(0, 0), kFresh, all_but(kWrite)},
      {"K6 higher epoch, first sequence 2", two, batch(4, 2), kOld, all_but(kOose)},
      {"K7 higher epoch, first sequence 0", two, batch(4, 0), kOld, all_but(kWrite)},
      // Kafka 2.0.1 to 2.4 answer UNKNOWN_PRODUCER_ID (KAFKA-7298); kfake has no window to check against.
      {"K8 entry without cached batches, first sequence 5", empty_cache, batch(3, 5), kOld,
       all_but(kOose, {{R::kafka_2_0_1, kUpid}, {R::kafka_2_4, kUpid}, {R::kfake, kWrite}})},
      {"K9 next sequence", two, batch(3, 2), kOld, all_but(kWrite)},
      {"K10 gap", two, batch(3, 4), kOld, all_but(kOose)},
      {"K10 partial overlap", two, batch(3, 1, 2), kOld, all_but(kOose)},
  };
  for (const Row& row : rows) check(row);
}

// Wrap-around: Kafka, Redpanda and AutoMQ follow 2^31 - 1 with 0; kfake wraps
// modulo 2^31 - 1 (its quirk), and Redpanda refuses a batch that wraps (P0).
TEST(BrokerRules, WrapAround) {
  const std::int64_t max = kMaxSequence;
  const EntryView at_max = entry(3, {cached(max - 1, max, 0)});
  const EntryView below_max = entry(3, {cached(max - 2, max - 1, 0)});
  check({"after MAX, sequence 0", at_max, batch(3, 0), kOld, all_but(kWrite, {{R::kfake, kOose}})});
  check({"after MAX - 1, sequence MAX", below_max, batch(3, max), kOld, all_but(kWrite, {{R::kfake, kOose}})});
  check({"after MAX - 1, sequence 0", below_max, batch(3, 0), kOld, all_but(kOose, {{R::kfake, kWrite}})});
  check({"a batch that wraps (MAX, 0)", below_max, batch(3, max, 2), kOld,
         all_but(kWrite, {{R::redpanda, err(Error::invalid_request)}, {R::kfake, kOose}})});
}

// Redpanda's missing epoch check (P8): a lower epoch's retry is answered from
// the current epoch's requests -- for a different batch -- and a lower epoch's
// write leaves the entry's epoch.
TEST(BrokerRules, RedpandaJudgesALowerEpochAgainstTheCurrentOne) {
  const EntryView two = entry(3, {cached(0, 0, 0), cached(1, 1, 1)});
  const SequenceDecision retry = decide(R::redpanda, two, batch(1, 1), kOld);
  EXPECT_EQ(retry.kind, Kind::duplicate);
  EXPECT_EQ(retry.rule, "P4");
  const SequenceDecision next = decide(R::redpanda, two, batch(1, 2), kOld);
  EXPECT_EQ(next.kind, Kind::write);
  EXPECT_TRUE(next.keep_entry_epoch);
  EXPECT_EQ(next.rule, "P8");
  EXPECT_FALSE(decide(R::kafka_2_5, two, batch(3, 2), kOld).keep_entry_epoch);
}

// AutoMQ's A2: a batch within the recovered range is a duplicate; the same
// batch against a range that was not recovered is out of order.
TEST(BrokerRules, AutomqRecoveredRange) {
  const EntryView coarse = entry(3, {cached(0, 4, 0)}, true);
  EXPECT_EQ(decide(R::automq, coarse, batch(3, 2), kOld).error, Error::duplicate_sequence_number);
  EXPECT_EQ(decide(R::automq, coarse, batch(3, 2), kOld).rule, "A2");
  EXPECT_EQ(decide(R::automq, coarse, batch(3, 0, 5), kOld).kind, Kind::duplicate);  // A1 first
  EntryView fresh = coarse;
  fresh.front_recovered = false;
  EXPECT_EQ(decide(R::automq, fresh, batch(3, 2), kOld).error, Error::out_of_order_sequence_number);
  EXPECT_EQ(decide(R::automq, coarse, batch(3, 5), kOld).kind, Kind::write);
  // A3 reaches exactly 65536 below the oldest cached sequence.
  const EntryView high = entry(3, {cached(70'000, 70'000, 0)});
  EXPECT_EQ(decide(R::automq, high, batch(3, 70'000 - 65'536), kOld).error, Error::duplicate_sequence_number);
  EXPECT_EQ(decide(R::automq, high, batch(3, 70'000 - 65'537), kOld).error, Error::out_of_order_sequence_number);
}

TEST(BrokerRules, NamesRoundTrip) {
  for (R r : all_broker_rules()) {
    R back = R::kfake;
    ASSERT_TRUE(parse_broker_rules(name(r), back)) << name(r);
    EXPECT_EQ(back, r);
  }
  R r = R::redpanda;
  EXPECT_TRUE(parse_broker_rules("kafka-4.4", r));
  EXPECT_EQ(r, R::kafka_2_5);
  EXPECT_FALSE(parse_broker_rules("kafka-9.9", r));
  EXPECT_EQ(r, R::kafka_2_5);
  EXPECT_EQ(effective_window(R::kafka_0_11, 5), 1);
  EXPECT_EQ(effective_window(R::kafka_1_0_0, 5), 5);
}

// --- the lifecycle, on the partition model -------------------------------------

// Five batches of one record (sequences 0..4) by producer 1 at epoch 0.
PartitionModel five_written(R rules) {
  BrokerConfig config;
  config.rules = rules;
  PartitionModel p(config);
  for (int s = 0; s < 5; ++s) EXPECT_EQ(p.append(batch(0, s)).error, Error::none);
  return p;
}

// What a retry of sequence `seq` gets after a clean restart.
AppendOutcome retry_after_restart(R rules, std::int64_t seq) {
  PartitionModel p = five_written(rules);
  p.restart(1, true);
  return p.append(batch(0, seq));
}

TEST(BrokerRules, WhatARestartLeavesARetry) {
  // Kafka keeps the newest batch only: its retry is a duplicate, an older one out of order.
  EXPECT_TRUE(retry_after_restart(R::kafka_2_5, 4).duplicate);
  EXPECT_EQ(retry_after_restart(R::kafka_2_5, 3).error, Error::out_of_order_sequence_number);
  // Redpanda and kfake keep the window.
  EXPECT_TRUE(retry_after_restart(R::redpanda, 2).duplicate);
  EXPECT_TRUE(retry_after_restart(R::kfake, 2).duplicate);
  // AutoMQ keeps the window as one range: even the newest batch's exact retry is now DUP (A2), which
  // clients take as success without offsets.
  EXPECT_EQ(retry_after_restart(R::automq, 4).error, Error::duplicate_sequence_number);
  EXPECT_EQ(retry_after_restart(R::automq, 1).error, Error::duplicate_sequence_number);
  EXPECT_EQ(retry_after_restart(R::automq, 5).error, Error::none);  // the next one still follows
}

TEST(BrokerRules, KafkaZeroElevenCachesOneBatch) {
  PartitionModel p = five_written(R::kafka_0_11);
  EXPECT_TRUE(p.append(batch(0, 4)).duplicate);
  EXPECT_EQ(p.append(batch(0, 3)).error, Error::out_of_order_sequence_number);
  ASSERT_TRUE(p.producer(1).has_value());
  EXPECT_EQ(p.producer(1)->batches.size(), 1U);
  EXPECT_EQ(five_written(R::kafka_2_5).producer(1)->batches.size(), 5U);
}

TEST(BrokerRules, KafkaFourFiveRejectsANonZeroFirstSequenceOnlyOnAFreshLog) {
  BrokerConfig config;
  config.rules = R::kafka_4_5;
  PartitionModel p(config);
  EXPECT_EQ(p.append(batch(0, 7)).error, Error::out_of_order_sequence_number);
  EXPECT_EQ(p.append(Batch{2, 0, 0, 1, 0}).error, Error::none);  // another producer writes
  EXPECT_EQ(p.append(batch(0, 7)).error, Error::none);           // after expiry, say: accepted
  BrokerConfig today;
  EXPECT_EQ(PartitionModel(today).append(batch(0, 7)).error, Error::none);
}

TEST(BrokerRules, RedpandaLowerEpochWriteKeepsTheEntryEpoch) {
  BrokerConfig config;
  config.rules = R::redpanda;
  PartitionModel p(config);
  ASSERT_EQ(p.append(batch(3, 0)).error, Error::none);
  ASSERT_EQ(p.append(batch(1, 1)).error, Error::none);
  ASSERT_TRUE(p.producer(1).has_value());
  EXPECT_EQ(p.producer(1)->epoch, 3);
  EXPECT_EQ(p.producer(1)->batches.size(), 2U);
  EXPECT_TRUE(p.checkpoint_matches_rederivation());
}

}  // namespace
}  // namespace idemcheck::spec
