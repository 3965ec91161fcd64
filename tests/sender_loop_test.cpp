// The sender loop as Kafka's Sender.runOnce runs it, one test per rule, on
// the reference world. Each test names the Kafka source of the rule; most
// were written against a defect of the earlier world (noted per test) and
// fail on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "idemcheck/spec/world.hpp"

namespace idemcheck {
namespace {

using spec::Effect;
using spec::Error;
using spec::Event;
using K = spec::Event::Kind;
using EK = spec::Effect::Kind;
using State = spec::SendOutcome::State;

Event ev(K kind, int producer = 0, int broker = 0) {
  Event e;
  e.kind = kind;
  e.producer = producer;
  e.broker = broker;
  return e;
}
Event send(int partition = 0) {
  Event e = ev(K::send);
  e.partition = partition;
  return e;
}
Event tick(std::int64_t ms) {
  Event e = ev(K::tick);
  e.ms = ms;
  return e;
}
Event drain(int broker = 0) { return ev(K::drain, 0, broker); }
Event fail(Error error, int broker = 0) {
  Event e = ev(K::fail_request, 0, broker);
  e.error = error;
  return e;
}
Event response(int broker = 0, bool late = false) {
  Event e = ev(K::deliver_response, 0, broker);
  e.late_poll = late;
  return e;
}
Event move_leader(int partition, int broker) {
  Event e = ev(K::move_leader, 0, broker);
  e.partition = partition;
  return e;
}

spec::WorldConfig config(const spec::ProducerSettings& settings = {}, int partitions = 1, int brokers = 1) {
  spec::WorldConfig c;
  c.producer = std::get<spec::ProducerConfig>(spec::validate_producer_settings(settings));
  c.partitions = partitions;
  c.brokers = brokers;
  return c;
}

// The world, with every effect of every event kept for the assertions.
struct Replay {
  spec::World world;
  std::vector<std::vector<Effect>> effects;
  explicit Replay(const spec::WorldConfig& c) : world(c) {}
  std::vector<Effect>& apply(const Event& e) { return effects.emplace_back(world.apply(e)); }
  void apply_all(const std::vector<Event>& events) {
    for (const Event& e : events) apply(e);
  }
  [[nodiscard]] std::vector<Effect> all(EK kind) const {
    std::vector<Effect> out;
    for (const auto& step : effects) {
      for (const Effect& f : step) {
        if (f.kind == kind) out.push_back(f);
      }
    }
    return out;
  }
  [[nodiscard]] const spec::SendOutcome& outcome(std::size_t send) const { return world.sends().at(send).outcome; }
  [[nodiscard]] spec::PidEpoch current() const { return world.observe().sequencers.at(0).current; }
  [[nodiscard]] std::string trace() const {
    std::ostringstream os;
    for (std::size_t i = 0; i < effects.size(); ++i) {
      for (const Effect& f : effects[i]) os << "\n  [" << i + 1 << "] " << f;
    }
    return os.str();
  }
};

bool has(const std::vector<Effect>& effects, EK kind) {
  return std::any_of(effects.begin(), effects.end(), [&](const Effect& f) { return f.kind == kind; });
}

// --- item: attempts count re-enqueues --------------------------------------

// ProducerBatch.attempts() starts at 0 and grows in reenqueued(); Sender.canRetry
// allows a retry while attempts < retries. So retries=1 allows one retry.
// (The earlier world counted sends and never retried with retries=1.)
TEST(SenderLoop, RetriesOneAllowsOneRetry) {
  Replay r(config({{"retries", "1"}}));
  r.apply_all({send(), drain(), fail(Error::not_enough_replicas), response()});
  EXPECT_EQ(r.outcome(0).state, State::pending) << "the first failure is retried" << r.trace();
  ASSERT_EQ(r.all(EK::batch_retried).size(), 1u) << r.trace();
  r.apply_all({tick(100), drain(), fail(Error::not_enough_replicas), response()});
  EXPECT_EQ(r.outcome(0).state, State::failed) << "the second failure is final" << r.trace();
  EXPECT_EQ(r.outcome(0).error, Error::not_enough_replicas);
  EXPECT_EQ(r.outcome(0).attempts, 2) << "sent twice";
}

// failBatch(batch, response, adjust = attempts < retries): a batch that fails for
// good at its delivery deadline on its first attempt, with retries=1, still had a
// retry left, so the idempotent producer bumps its epoch (TransactionManager
// handleFailedBatch). (The earlier world computed adjust from sends: no bump.)
TEST(SenderLoop, AdjustOnAFinalFailureCountsReenqueues) {
  Replay r(config({{"retries", "1"}}));
  // Sent at t=100000, so that its request does not time out before the deadline at t=120000.
  r.apply_all({send(), tick(100'000), drain(), fail(Error::not_enough_replicas), tick(20'000), response(0, true),
               drain()});
  EXPECT_EQ(r.outcome(0).error, Error::not_enough_replicas) << r.trace();
  EXPECT_EQ(r.current().epoch, 1) << "retries remained, so the failure bumps the epoch" << r.trace();
}

// --- item: a batch that is done never reaches the sequencer again ------------

// Sender.failBatch calls handleFailedBatch only when completeExceptionally()
// succeeds, which it does not for a batch already done. Here the batch expires
// in flight, then its request fails: no epoch bump. (The earlier world bumped.)
TEST(SenderLoop, TheFailureOfAnExpiredBatchDoesNotBumpTheEpoch) {
  Replay r(config());
  r.apply_all({send(), tick(100'000), drain(), tick(20'000), drain(), fail(Error::not_enough_replicas), response(),
               drain()});
  ASSERT_EQ(r.all(EK::batch_expired).size(), 1u) << r.trace();
  EXPECT_EQ(r.outcome(0).error, Error::delivery_timeout);
  EXPECT_EQ(r.current().epoch, 0) << "the late error of a done batch must not bump the epoch" << r.trace();
  EXPECT_TRUE(r.all(EK::epoch_bumped).empty()) << r.trace();
}

// Sender.completeBatch(batch, response) calls handleCompletedBatch BEFORE
// batch.complete(), so the late success of a done batch does reach the
// sequence state: the last acknowledged sequence moves (Sender.java, the
// two-argument completeBatch). Kafka's source, not the issue text, decides.
TEST(SenderLoop, TheLateSuccessOfAnExpiredBatchStillMovesTheLastAckedSequence) {
  Replay r(config());
  r.apply_all({send(), tick(100'000), drain(), tick(20'000), drain(), ev(K::deliver_request), response()});
  EXPECT_EQ(r.outcome(0).state, State::failed) << r.trace();
  EXPECT_EQ(r.outcome(0).error, Error::delivery_timeout);
  const spec::WorldObservation seen = r.world.observe();
  const auto& p0 = seen.sequencers.at(0).partitions.at(0);
  EXPECT_EQ(p0.last_acked_sequence, 0) << r.trace();
  EXPECT_TRUE(p0.in_flight.empty());
}

// --- item: retry backoff -------------------------------------------------------

// RecordAccumulator.shouldBackoff: waitedTimeMs = now - lastAttemptMs, and
// reenqueued(now) sets lastAttemptMs; the backoff is ExponentialBackoff(100, 2,
// 1000, jitter 0.2).backoff(attempts - 1), at least 0.8 of 100 * 2^(attempts-1).
// (The earlier world waited a flat retry.backoff.ms from the last send.)
TEST(SenderLoop, RetryBackoffIsExponentialFromTheReenqueueTime) {
  Replay r(config());
  r.apply_all({send(), drain(), fail(Error::not_enough_replicas), tick(50), response()});  // re-enqueued at t=50
  r.apply_all({tick(79), drain()});                                                         // t=129: waited 79 < 80
  EXPECT_EQ(r.all(EK::request_sent).size(), 1u) << "still backing off" << r.trace();
  r.apply_all({tick(1), drain()});  // t=130: waited 80
  ASSERT_EQ(r.all(EK::request_sent).size(), 2u) << r.trace();
  r.apply_all({fail(Error::not_enough_replicas), response()});  // second re-enqueue at t=130
  r.apply_all({tick(159), drain()});
  EXPECT_EQ(r.all(EK::request_sent).size(), 2u) << "the second backoff is at least 160 ms" << r.trace();
  r.apply_all({tick(1), drain()});
  EXPECT_EQ(r.all(EK::request_sent).size(), 3u) << r.trace();
}

// The backoff never exceeds retry.backoff.max.ms (ExponentialBackoff caps it).
TEST(SenderLoop, RetryBackoffStopsGrowingAtTheMaximum) {
  Replay r(config({{"retry.backoff.max.ms", "300"}}));
  r.apply_all({send(), drain()});
  for (int i = 0; i < 4; ++i) r.apply_all({fail(Error::not_enough_replicas), response(), tick(300), drain()});
  EXPECT_EQ(r.all(EK::request_sent).size(), 5u) << "every retry waits at most 300 ms" << r.trace();
  r.apply_all({fail(Error::not_enough_replicas), response(), tick(239), drain()});
  EXPECT_EQ(r.all(EK::request_sent).size(), 5u) << "and at least 0.8 * 300 ms" << r.trace();
}

// ProducerBatch.hasLeaderChangedForTheOngoingRetry: a retry to a new leader does
// not back off (RecordAccumulator.shouldBackoff). (The earlier world always waited.)
TEST(SenderLoop, ARetryToANewLeaderSkipsTheBackoff) {
  Replay r(config({}, 1, 2));
  r.apply_all({send(), drain(0), fail(Error::not_leader_or_follower, 0), response(0)});
  r.apply(drain(0));
  EXPECT_EQ(r.all(EK::request_sent).size(), 1u) << "same leader: backing off" << r.trace();
  r.apply_all({move_leader(0, 1), drain(1)});
  EXPECT_EQ(r.all(EK::request_sent).size(), 2u) << "new leader: sent at once" << r.trace();
}

// --- item: epoch exhaustion ----------------------------------------------------

// At epoch Short.MAX_VALUE a bump resets the producer id; the sender sends
// InitProducerId and runs no sendProducerData until its answer
// (Sender.maybeSendAndPollTransactionalRequest); the new id starts at epoch 0.
// (The earlier world handed out the new id at once, at the initial epoch.)
TEST(SenderLoop, EpochExhaustionWaitsForInitProducerIdAndStartsAtEpochZero) {
  auto c = config();
  c.initial_epoch = 32'767;
  Replay r(c);
  // A definitive failure with retries left requests a bump (late poll at the deadline).
  r.apply_all({send(), tick(100'000), drain(), fail(Error::not_enough_replicas), tick(20'000), response(0, true)});
  r.apply_all({send(), drain()});
  EXPECT_EQ(r.all(EK::producer_id_requested).size(), 1u) << r.trace();
  EXPECT_EQ(r.current().producer_id, -1);
  EXPECT_EQ(r.all(EK::request_sent).size(), 1u) << "nothing is drained while InitProducerId is under way" << r.trace();
  r.apply_all({ev(K::init_producer_id), drain()});
  ASSERT_EQ(r.all(EK::request_sent).size(), 2u) << r.trace();
  const auto stamps = r.all(EK::batch_in_request);
  EXPECT_EQ(stamps.back().stamp.stamp.producer_id, 1);
  EXPECT_EQ(stamps.back().stamp.stamp.epoch, 0) << "a new producer id starts at epoch 0";
  EXPECT_EQ(stamps.back().stamp.base_sequence, 0);
}

// --- item: request timeouts ------------------------------------------------------

// InFlightRequests.hasExpiredRequest: elapsed > request.timeout.ms, strictly.
// NetworkClient.cancelInFlightRequests(timedOut = true) hands EVERY request of
// the closed connection back as timed out, so all fail with REQUEST_TIMED_OUT
// (Sender.handleProduceResponse); a plain disconnect gives NETWORK_EXCEPTION.
// (The earlier world fired at exactly request.timeout.ms with NETWORK_EXCEPTION.)
TEST(SenderLoop, ARequestTimesOutStrictlyAfterTheTimeoutAndItsConnectionFailsWithRequestTimedOut) {
  Replay r(config());
  r.apply_all({send(), drain(), tick(10), send(), drain(), ev(K::timeout)});
  EXPECT_EQ(r.world.now(), 30'001);
  const auto retried = r.all(EK::batch_retried);
  ASSERT_EQ(retried.size(), 2u) << r.trace();
  for (const Effect& f : retried) EXPECT_EQ(f.error, Error::request_timed_out) << r.trace();
  Replay b(config());
  b.apply_all({send(), drain(), ev(K::break_connection)});
  ASSERT_EQ(b.all(EK::batch_retried).size(), 1u);
  EXPECT_EQ(b.all(EK::batch_retried)[0].error, Error::network_exception);
}

// --- item: the order of one loop iteration ------------------------------------------

// The sender's poll never sleeps past the next batch expiry (Sender
// sendProducerData's poll timeout), so a response that arrives after a
// deadline finds the batch expired by the iteration at the deadline.
// (The earlier world handled the response first: the batch failed with retries
// left and the producer bumped its epoch.)
TEST(SenderLoop, TheIterationAtADeadlineExpiresTheBatchBeforeTheResponseIsHandled) {
  Replay r(config());
  r.apply_all({send(), tick(100'000), drain(), fail(Error::not_enough_replicas), tick(20'000), response(), drain()});
  EXPECT_FALSE(r.all(EK::sender_woke).empty()) << r.trace();
  EXPECT_EQ(r.outcome(0).error, Error::delivery_timeout) << r.trace();
  EXPECT_EQ(r.current().epoch, 0) << "no bump: the error reached a batch that was done" << r.trace();
}

// Only a poll already under way when the deadline passed (the history's
// late_poll) handles the response first; then the failure bumps the epoch.
TEST(SenderLoop, ALatePollHandlesTheResponseBeforeTheExpiry) {
  Replay r(config());
  r.apply_all({send(), tick(100'000), drain(), fail(Error::not_enough_replicas), tick(20'000)});
  EXPECT_TRUE(has(r.apply(response(0, true)), EK::late_poll)) << r.trace();
  r.apply(drain());
  EXPECT_EQ(r.outcome(0).error, Error::not_enough_replicas) << r.trace();
  EXPECT_EQ(r.current().epoch, 1) << r.trace();
}

// Inside sendProducerData drain comes before expiry and the drained request is
// sent afterwards: a batch drained at its deadline fails to the application and
// is still written. (The earlier world expired it before the drain.)
TEST(SenderLoop, ABatchDrainedAtItsDeadlineExpiresAndIsStillSent) {
  Replay r(config());
  r.apply_all({send(), tick(120'000), drain()});
  EXPECT_EQ(r.outcome(0).error, Error::delivery_timeout) << r.trace();
  ASSERT_EQ(r.all(EK::batch_in_request).size(), 1u) << r.trace();
  EXPECT_EQ(r.all(EK::batch_in_request)[0].value, 1) << "marked as sent after its expiry";
  r.apply(ev(K::deliver_request));
  EXPECT_EQ(r.world.log(0).size(), 1u) << "the expired batch is written" << r.trace();
}

// Sender.getExpiredInflightBatches walks each partition's in-flight list in
// drain order and stops at the first batch that has not expired. A retried
// batch is drained again behind a younger one, so past its deadline it stays
// in flight. (The earlier world expired every batch past its deadline.)
TEST(SenderLoop, InFlightExpiryStopsAtTheFirstUnexpiredBatch) {
  Replay r(config());
  // A (created t=0) and B (t=10) sent at t=95000, so no request times out before t=125001.
  r.apply_all({send(), tick(10), send(), tick(94'990), drain(), drain()});
  r.apply_all({fail(Error::not_enough_replicas), response()});      // A re-enqueued
  r.apply_all({tick(100), drain()});                                // A again, behind B in drain order
  r.apply_all({tick(120'000 - 95'100), drain()});                   // t = A's deadline, before B's
  EXPECT_TRUE(r.all(EK::batch_expired).empty()) << r.trace();
  EXPECT_EQ(r.outcome(0).state, State::pending);
  r.apply_all({tick(10), drain()});  // B's deadline: both go
  EXPECT_EQ(r.all(EK::batch_expired).size(), 2u) << r.trace();
}

// RecordAccumulator.drainBatchesForOneNode: a partition the sequencer stops
// (shouldStopDrainBatchesForPartition) ends the drain of its whole node
// (break, not continue), and the node's stored drain index stays on it, so
// the next drain starts with it. Here p0's head is a retry that is not the
// lowest in flight (S3), and p1's new batch behind it in B1's drain order
// waits too. (The earlier world skipped p0 and drained p1.)
TEST(SenderLoop, AStoppedPartitionStopsTheDrainOfItsWholeBroker) {
  Replay r(config({}, 2, 2));  // p0 led by B0, p1 by B1
  r.apply_all({send(0), drain(0)});                                   // A: p0 seq 0, to B0
  r.apply_all({move_leader(0, 1), send(0), drain(1)});               // B: p0 seq 1, to B1 (index ends on p1)
  r.apply_all({fail(Error::not_enough_replicas, 1), response(1)});   // B re-enqueued; A still in flight
  r.apply_all({tick(100), drain(1)});                                // from p1 (empty) to p0: stopped there
  r.apply_all({send(1), drain(1)});                                  // starts with p0 again: stopped at once
  EXPECT_EQ(r.all(EK::request_sent).size(), 2u) << "p0 stops the drain: p1's batch waits" << r.trace();
  EXPECT_EQ(r.outcome(2).state, State::pending);
  // Once A is answered, B is the lowest in flight and the drain takes both.
  r.apply_all({ev(K::deliver_request, 0, 0), response(0), drain(1)});
  EXPECT_EQ(r.all(EK::request_sent).size(), 3u) << r.trace();
  EXPECT_EQ(r.all(EK::batch_in_request).size(), 4u) << r.trace();
}

// NetworkClient.poll times requests out in every poll, and the sender's poll
// never sleeps longer than request.timeout.ms: once time has passed a
// request's timeout, the next event that touches the producer finds it timed
// out at that time, and the broker can no longer read it. (The earlier world
// let a request wait for ever until a `timeout` event.)
TEST(SenderLoop, ARequestTimesOutByItselfOnceItsTimeHasPassed) {
  Replay r(config());
  r.apply_all({send(), drain(), tick(40'000), ev(K::deliver_request)});
  ASSERT_EQ(r.all(EK::request_timeout).size(), 1u) << r.trace();
  EXPECT_EQ(r.all(EK::request_timeout)[0].value, 30'001) << "strictly after request.timeout.ms";
  EXPECT_TRUE(r.world.log(0).empty()) << "the closed connection carried the request away" << r.trace();
  ASSERT_EQ(r.all(EK::batch_retried).size(), 1u);
  EXPECT_EQ(r.all(EK::batch_retried)[0].error, Error::request_timed_out);
}

// Finding 1 without any race. A retried batch A is drained again behind a
// younger batch B (Sender.addToInflightBatches appends it), so at A's
// deadline the in-flight expiry stops at B and A stays in flight. B was
// written, but its answer is late (as an acks=all answer waiting for the ISR
// can be); when B's request times out, the connection closes, A fails there
// past its deadline with retries left (Sender.canRetry is false, failBatch
// adjusts), the epoch is bumped, and B, re-stamped to (epoch 1, seq 0), is
// written again. Every step happens at an ordinary time, seconds apart from the
// deadlines: a schedule the Java client runs without any race.
TEST(SenderLoop, AStuckRetryFailingPastItsDeadlineDuplicatesAWrittenBatchWithoutARace) {
  Replay r(config());
  r.apply_all({send(), tick(5'000), send()});                  // A at t=0, B at t=5000 (deadlines 120000, 125000)
  r.apply_all({tick(87'000), drain(), drain()});               // t=92000: A, then B, each in its own request
  r.apply_all({fail(Error::not_enough_replicas), ev(K::deliver_request), response()});  // A re-enqueued; B written
  r.apply_all({tick(100), drain()});                           // A again, behind B
  r.apply_all({tick(29'902), drain()});                        // t=122002: B's request timed out at 122001
  EXPECT_TRUE(r.all(EK::late_poll).empty());
  EXPECT_EQ(r.outcome(0).error, Error::request_timed_out) << "A failed past its deadline" << r.trace();
  EXPECT_EQ(r.current().epoch, 1) << r.trace();
  r.apply_all({tick(100), drain(), ev(K::deliver_request)});
  ASSERT_EQ(r.world.log(0).size(), 2u) << r.trace();
  EXPECT_EQ(r.world.log(0)[0].records, r.world.log(0)[1].records) << "B is in the log twice" << r.trace();
}

}  // namespace
}  // namespace idemcheck
