// The client variants (spec/client_rules.hpp), row by row against the Java
// client table of the facts (java-2.4, java-2.5, the KAFKA-14034 proposal),
// first on the reference sequencer alone and then in the world, where the
// rows meet the broker variants that send UNKNOWN_PRODUCER_ID and
// DUPLICATE_SEQUENCE_NUMBER.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/client_rules.hpp"
#include "idemcheck/spec/sequencer.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck {
namespace {

using spec::BatchStamp;
using spec::ClientRules;
using spec::Error;
using spec::PidEpoch;

constexpr PidEpoch kId{7, 0};

// A sequencer of `rules` with producer id 7, epoch 0, and `n` one-record
// batches stamped on partition 0 (sequences 0..n-1), all in flight.
struct Fixture {
  std::unique_ptr<spec::Sequencer> seq;
  std::vector<BatchStamp> batches;
  Fixture(ClientRules rules, int n) : seq(spec::make_reference_sequencer(rules)) {
    seq->set_producer_id(kId);
    for (int i = 0; i < n; ++i) batches.push_back(seq->stamp(0, static_cast<std::uint64_t>(i + 1), 1));
  }
  const spec::PartitionSequenceState& p0() const { return state.partitions.at(0); }
  spec::SequencerState state;
  void observe() { state = seq->state(); }
};

std::vector<std::int64_t> in_flight_sequences(const spec::SequencerState& s, int partition) {
  std::vector<std::int64_t> out;
  for (const BatchStamp& b : s.partitions.at(partition).in_flight) out.push_back(b.base_sequence);
  return out;
}

TEST(ClientRules, NamesRoundTripAndUnknownNamesAreRefused) {
  for (ClientRules r : spec::all_client_rules()) {
    ClientRules back = ClientRules::java_2_5;
    ASSERT_TRUE(spec::parse_client_rules(spec::name(r), back)) << spec::name(r);
    EXPECT_EQ(back, r);
  }
  ClientRules untouched = ClientRules::kafka_14034;
  EXPECT_FALSE(spec::parse_client_rules("java-2.6", untouched));
  EXPECT_FALSE(spec::parse_client_rules("", untouched));
  EXPECT_EQ(untouched, ClientRules::kafka_14034) << "a refused name leaves the output alone";
}

// Row "OOSE on the next expected batch".
TEST(ClientRules, OutOfOrderOnTheNextBatchResetsTheProducerIdBefore25AndBumpsFrom25) {
  Fixture old(ClientRules::java_2_4, 2);
  EXPECT_FALSE(old.seq->can_retry(0, old.batches[0], Error::out_of_order_sequence_number))
      << "2.4 does not retry an OOSE on the next expected batch";
  old.seq->on_failure(0, old.batches[0], Error::out_of_order_sequence_number, true);
  EXPECT_EQ(old.seq->current(), PidEpoch{}) << "resetProducerId: the id is gone, InitProducerId follows";
  EXPECT_TRUE(old.seq->state().partitions.empty()) << "and every partition's sequences with it";
  EXPECT_FALSE(old.seq->may_drain_new(0)) << "nothing drains until the new id arrives";

  Fixture now(ClientRules::java_2_5, 2);
  EXPECT_TRUE(now.seq->can_retry(0, now.batches[0], Error::out_of_order_sequence_number));
  const auto restamps = now.seq->begin_send_loop();
  EXPECT_EQ(now.seq->current(), (PidEpoch{7, 1})) << "2.5 bumps the epoch locally";
  ASSERT_EQ(restamps.size(), 2u) << "and re-stamps both in-flight batches from 0";
  EXPECT_EQ(restamps[0].batch.base_sequence, 0);
  EXPECT_EQ(restamps[1].batch.base_sequence, 1);
}

// Row "OOSE on a batch that is not next": retried unchanged by both; 2.4 not while unresolved.
TEST(ClientRules, OutOfOrderOnALaterBatchIsRetriedUnchanged) {
  for (ClientRules r : spec::all_client_rules()) {
    Fixture f(r, 2);
    EXPECT_TRUE(f.seq->can_retry(0, f.batches[1], Error::out_of_order_sequence_number)) << spec::name(r);
    EXPECT_TRUE(f.seq->begin_send_loop().empty()) << spec::name(r) << ": no bump, no re-stamp";
    EXPECT_EQ(f.seq->current(), kId) << spec::name(r);
  }
  Fixture old(ClientRules::java_2_4, 3);
  old.seq->on_expired(0, old.batches[0], true);  // unresolved up to sequence 1
  EXPECT_FALSE(old.seq->can_retry(0, old.batches[2], Error::out_of_order_sequence_number))
      << "2.4 retries no OOSE while the partition is unresolved";
}

// Row "Definitive failure with retries left (adjust)".
TEST(ClientRules, DefinitiveFailureShiftsLaterBatchesIn24BumpsIn25AndWaitsUnder14034) {
  Fixture old(ClientRules::java_2_4, 3);
  old.seq->on_failure(0, old.batches[0], Error::invalid_record, true);
  const auto shifted = old.seq->take_restamps();
  ASSERT_EQ(shifted.size(), 2u) << "the two later in-flight batches move down by one";
  EXPECT_EQ(shifted[0].batch.base_sequence, 0);
  EXPECT_EQ(shifted[1].batch.base_sequence, 1);
  EXPECT_TRUE(shifted[0].batch.reopened);
  EXPECT_EQ(shifted[0].batch.stamp, kId) << "same id and epoch";
  old.observe();
  EXPECT_EQ(old.p0().next_sequence, 2);
  EXPECT_TRUE(old.seq->take_restamps().empty()) << "taken once";
  EXPECT_TRUE(old.seq->begin_send_loop().empty());
  EXPECT_EQ(old.seq->current(), kId) << "2.4 never bumps";

  Fixture now(ClientRules::java_2_5, 3);
  now.seq->on_failure(0, now.batches[0], Error::invalid_record, true);
  EXPECT_EQ(now.seq->begin_send_loop().size(), 2u) << "2.5 bumps at once and re-stamps what is in flight";
  EXPECT_EQ(now.seq->current(), (PidEpoch{7, 1}));

  // KAFKA-14034: the bump waits for the in-flight batches, and is skipped if they were acknowledged...
  Fixture wait(ClientRules::kafka_14034, 3);
  wait.seq->on_failure(0, wait.batches[0], Error::invalid_record, true);
  EXPECT_TRUE(wait.seq->begin_send_loop().empty()) << "nothing re-stamped while batches are in flight";
  EXPECT_EQ(wait.seq->current(), kId);
  EXPECT_FALSE(wait.seq->may_drain_new(0)) << "the partition is unresolved: no new batch meanwhile";
  wait.seq->on_success(0, wait.batches[1], 1);
  wait.seq->on_success(0, wait.batches[2], 2);
  EXPECT_TRUE(wait.seq->begin_send_loop().empty());
  EXPECT_EQ(wait.seq->current(), kId) << "last acked (2) + 1 = next (3): resolved without a bump";
  EXPECT_TRUE(wait.seq->may_drain_new(0));

  // ...and happens once nothing is in flight if they were not.
  Fixture gap(ClientRules::kafka_14034, 3);
  gap.seq->on_failure(0, gap.batches[0], Error::invalid_record, true);
  gap.seq->on_failure(0, gap.batches[1], Error::invalid_record, false);
  gap.seq->on_failure(0, gap.batches[2], Error::invalid_record, false);
  gap.seq->begin_send_loop();
  EXPECT_EQ(gap.seq->current(), (PidEpoch{7, 1})) << "next (3) is not last acked (-1) + 1: bump";
}

// Row "Delivery timeout of a retried in-flight batch": resolve, else reset (2.4) or bump (2.5).
TEST(ClientRules, AnUnresolvedPartitionResetsTheIdBefore25) {
  Fixture old(ClientRules::java_2_4, 1);
  old.seq->on_expired(0, old.batches[0], true);
  old.seq->begin_send_loop();
  EXPECT_EQ(old.seq->current(), PidEpoch{}) << "shouldResetProducerStateAfterResolvingSequences";

  Fixture now(ClientRules::java_2_5, 1);
  now.seq->on_expired(0, now.batches[0], true);
  now.seq->begin_send_loop();
  EXPECT_EQ(now.seq->current(), (PidEpoch{7, 1}));
}

// Row "UPID".
TEST(ClientRules, UnknownProducerIdBefore25RestartsFromZeroOnlyWhenNothingWasAckedAtAnOffset) {
  Fixture fresh(ClientRules::java_2_4, 2);
  fresh.seq->on_success(0, fresh.batches[0], -1);  // acknowledged without an offset: lastAckedOffset stays -1
  EXPECT_TRUE(fresh.seq->can_retry(0, fresh.batches[1], Error::unknown_producer_id))
      << "lastAckedOffset (-1) < logStartOffset (0): startSequencesAtBeginning and retry";
  const auto restarted = fresh.seq->take_restamps();
  ASSERT_EQ(restarted.size(), 1u);
  EXPECT_EQ(restarted[0].batch.base_sequence, 0);
  EXPECT_EQ(restarted[0].batch.stamp, kId) << "same id and epoch";
  EXPECT_TRUE(restarted[0].batch.reopened);
  EXPECT_TRUE(fresh.seq->can_retry(0, restarted[0].batch, Error::unknown_producer_id))
      << "a re-stamped batch is retried as is";
  EXPECT_TRUE(fresh.seq->take_restamps().empty());

  Fixture acked(ClientRules::java_2_4, 2);
  acked.seq->on_success(0, acked.batches[0], 0);
  EXPECT_FALSE(acked.seq->can_retry(0, acked.batches[1], Error::unknown_producer_id))
      << "something was acknowledged at offset 0 >= log start: not retried";
  acked.seq->on_failure(0, acked.batches[1], Error::unknown_producer_id, true);
  EXPECT_EQ(acked.seq->current(), PidEpoch{}) << "UnknownProducerIdException is an OOSE: resetProducerId";
}

TEST(ClientRules, UnknownProducerIdFrom25BumpsAndRetries) {
  for (ClientRules r : {ClientRules::java_2_5, ClientRules::kafka_14034}) {
    Fixture f(r, 2);
    f.seq->on_success(0, f.batches[0], 0);
    EXPECT_TRUE(f.seq->can_retry(0, f.batches[1], Error::unknown_producer_id)) << spec::name(r);
    const auto restamps = f.seq->begin_send_loop();
    EXPECT_EQ(f.seq->current(), (PidEpoch{7, 1})) << spec::name(r);
    ASSERT_EQ(restamps.size(), 1u) << spec::name(r);
    EXPECT_TRUE(f.seq->can_retry(0, restamps[0].batch, Error::unknown_producer_id)) << spec::name(r);
    EXPECT_TRUE(f.seq->begin_send_loop().empty()) << spec::name(r) << ": the re-stamped batch asks for no second bump";
  }
}

// Before 2.5 a batch of an earlier id is left alone by the bookkeeping and never retried.
TEST(ClientRules, BatchesOfAResetIdAreIgnoredAndNotRetriedBefore25) {
  Fixture old(ClientRules::java_2_4, 2);
  old.seq->on_failure(0, old.batches[0], Error::out_of_order_sequence_number, true);
  old.seq->set_producer_id(PidEpoch{8, 0});
  const BatchStamp fresh = old.seq->stamp(0, 10, 1);
  EXPECT_EQ(fresh.stamp, (PidEpoch{8, 0}));
  EXPECT_EQ(fresh.base_sequence, 0) << "the new id starts the partition at 0";
  EXPECT_FALSE(old.seq->can_retry(0, old.batches[1], Error::network_exception))
      << "a retriable error of an old-id batch fails it (\"the producer id changed\")";
  old.seq->on_success(0, old.batches[1], 1);
  old.observe();
  EXPECT_EQ(old.p0().last_acked_sequence, -1) << "the old id's success is ignored";
  EXPECT_EQ(in_flight_sequences(old.state, 0), std::vector<std::int64_t>{0});
  EXPECT_TRUE(old.seq->may_drain_retry(0, fresh));

  Fixture empty(ClientRules::java_2_4, 0);
  BatchStamp queued{3, kId, 4, 1, false};
  EXPECT_TRUE(empty.seq->may_drain_retry(0, queued)) << "firstInFlightSequence is NO_SEQUENCE: it drains";
  Fixture now(ClientRules::java_2_5, 0);
  EXPECT_FALSE(now.seq->may_drain_retry(0, queued)) << "2.5 keeps S3 as it is";
}

// --- in the world ---------------------------------------------------------------

using spec::Event;
using K = spec::Event::Kind;

Event ev(K kind) {
  Event e;
  e.kind = kind;
  return e;
}
Event send_to(int partition) {
  Event e = ev(K::send);
  e.partition = partition;
  return e;
}
Event tick(std::int64_t ms) {
  Event e = ev(K::tick);
  e.ms = ms;
  return e;
}

std::string show(const std::vector<spec::AnomalyReport>& rs) {
  std::ostringstream os;
  for (const auto& r : rs) os << "\n  " << r;
  return rs.empty() ? "none" : os.str();
}

// `expiration_ms`: producer.id.expiration.ms (Kafka's default: a day).
spec::WorldConfig world(spec::BrokerRules broker, ClientRules client, std::int64_t expiration_ms = 86'400'000) {
  spec::WorldConfig c;
  c.broker.rules = broker;
  c.broker.producer_id_expiration_ms = expiration_ms;
  c.client_rules = client;
  return c;
}

// One record written and acknowledged, then the broker expires the producer
// and the next batch (sequence 1) meets a broker with no state for it.
std::vector<Event> after_expiry() {
  return {send_to(0), ev(K::drain), ev(K::deliver_request), ev(K::deliver_response), tick(2000), ev(K::expire),
          send_to(0), ev(K::drain), ev(K::deliver_request), ev(K::deliver_response)};
}

TEST(ClientRulesWorld, UnknownProducerIdFailsTheSendAndResetsTheIdBefore25) {
  spec::World w(world(spec::BrokerRules::kafka_2_4, ClientRules::java_2_4, 1000));
  for (const Event& e : after_expiry()) w.apply(e);
  ASSERT_EQ(w.sends().size(), 2u);
  EXPECT_EQ(w.sends()[1].outcome.state, spec::SendOutcome::State::failed);
  EXPECT_EQ(w.sends()[1].outcome.error, Error::unknown_producer_id);
  EXPECT_EQ(w.observe().sequencers[0].current, PidEpoch{}) << "InitProducerId is under way";
  std::vector<spec::Effect> effects;
  w.apply(ev(K::drain), effects);
  bool requested = false;
  for (const auto& e : effects) requested = requested || e.kind == spec::Effect::Kind::producer_id_requested;
  EXPECT_TRUE(requested);
  w.apply(ev(K::init_producer_id));
  EXPECT_EQ(w.observe().sequencers[0].current, (PidEpoch{1, 0})) << "a new producer id at epoch 0";
  EXPECT_EQ(w.log(0).size(), 1u) << "the failed send was not written";
}

TEST(ClientRulesWorld, UnknownProducerIdIsRetriedAfterABumpFrom25) {
  spec::World w(world(spec::BrokerRules::kafka_2_4, ClientRules::java_2_5, 1000));
  for (const Event& e : after_expiry()) w.apply(e);
  for (const Event& e : {tick(100), ev(K::drain), ev(K::deliver_request), ev(K::deliver_response)}) w.apply(e);
  ASSERT_EQ(w.sends().size(), 2u);
  EXPECT_EQ(w.sends()[1].outcome.state, spec::SendOutcome::State::acknowledged);
  ASSERT_EQ(w.log(0).size(), 2u);
  EXPECT_EQ(w.log(0)[1].header.epoch, 1) << "written under the bumped epoch";
  EXPECT_EQ(w.log(0)[1].header.first_sequence, 0);
  EXPECT_TRUE(spec::find_anomalies(w).empty()) << show(spec::find_anomalies(w));
}

// AutoMQ answers a retry inside the window it recovered from a snapshot with
// DUPLICATE_SEQUENCE_NUMBER; every client takes it as a success without an offset.
TEST(ClientRulesWorld, DuplicateSequenceIsASuccessWithoutAnOffset) {
  for (ClientRules r : spec::all_client_rules()) {
    spec::World w(world(spec::BrokerRules::automq, r));
    Event clean = ev(K::restart_broker);
    clean.flag = true;
    const std::vector<Event> events{send_to(0),        send_to(0),          ev(K::drain),   ev(K::drain),
                                    ev(K::deliver_request), ev(K::deliver_request), ev(K::lose_response),
                                    ev(K::lose_response), ev(K::timeout),  clean,          tick(1000),
                                    ev(K::drain),      ev(K::deliver_request), ev(K::deliver_response)};
    for (const Event& e : events) w.apply(e);
    ASSERT_EQ(w.sends().size(), 2u);
    EXPECT_EQ(w.sends()[0].outcome.state, spec::SendOutcome::State::acknowledged) << spec::name(r);
    EXPECT_EQ(w.sends()[0].outcome.offset, -1) << spec::name(r) << ": DUP carries no offset";
    EXPECT_EQ(w.log(0).size(), 2u) << spec::name(r) << ": nothing written twice";
  }
}

}  // namespace
}  // namespace idemcheck
