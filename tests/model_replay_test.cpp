// The replay of a client's trace on the reference producer (model_replay.hpp):
// hand-built traces, each the shape of something a real client did or could
// do, with the exact deviation (rule, request, partition) or none.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/clients/model_replay.hpp"

namespace {

using idemcheck::clients::Deviation;
using idemcheck::clients::first_model_deviation;
using idemcheck::frontend::BatchTrace;
using idemcheck::frontend::Trace;
using idemcheck::frontend::TraceEvent;
using idemcheck::frontend::TraceKind;

constexpr std::int64_t kPid = 1000;
constexpr std::int16_t kNotLeader = 6;
constexpr std::int16_t kInvalidRecord = 87;  // not retriable

/// One batch of app 0's records `numbers`, stamped (pid, epoch, seq), and what the broker answered.
BatchTrace batch(int partition, std::int64_t pid, std::int32_t epoch, std::int64_t seq,
                 std::initializer_list<std::int64_t> numbers, std::int16_t error = 0, std::int64_t offset = 0) {
  BatchTrace b;
  b.partition = partition;
  b.header.producer_id = pid;
  b.header.epoch = epoch;
  b.header.first_sequence = seq;
  b.header.record_count = static_cast<std::int64_t>(numbers.size());
  for (const std::int64_t n : numbers) b.records.push_back({0, n, 1});
  b.error = error;
  b.base_offset = error == 0 ? offset : -1;
  b.appended = error == 0;
  return b;
}

/// A trace written event by event; each event is a millisecond after the last
/// unless `same_ms()` says otherwise.
class TraceBuilder {
 public:
  TraceBuilder& producer_id(std::int64_t pid) {
    TraceEvent& e = add(TraceKind::producer_id, 0);
    e.value = pid;
    return *this;
  }
  /// A Produce request on `connection` with correlation id `correlation`.
  TraceBuilder& produce(std::uint64_t connection, std::int32_t correlation, std::vector<BatchTrace> batches) {
    TraceEvent& e = add(TraceKind::produce, connection);
    e.api_key = 0;
    e.correlation_id = correlation;
    e.number = ++produce_requests_;
    e.batches = std::move(batches);
    return *this;
  }
  TraceBuilder& response(std::uint64_t connection, std::int32_t correlation) {
    add(TraceKind::response, connection).correlation_id = correlation;
    return *this;
  }
  TraceBuilder& disconnect(std::uint64_t connection) {
    add(TraceKind::disconnected, connection).text = "fault";
    return *this;
  }
  /// A fault at the next Produce request (its trace event comes first, as the cluster writes it).
  TraceBuilder& fault(std::uint64_t connection, std::string text) {
    TraceEvent& e = add(TraceKind::fault, connection);
    e.number = produce_requests_ + 1;
    e.text = std::move(text);
    return *this;
  }
  /// A Produce request the front end never read: the fault is all the trace keeps of it.
  TraceBuilder& lost_request(std::uint64_t connection) {
    fault(connection, "lose-request");
    ++produce_requests_;
    return disconnect(connection);
  }
  /// The next event happens `ms` milliseconds after the last.
  TraceBuilder& after(std::int64_t ms) {
    ms_ += ms - 1;
    return *this;
  }
  /// The next event happens in the same millisecond as the last.
  TraceBuilder& same_ms() {
    same_ = true;
    return *this;
  }
  [[nodiscard]] const Trace& trace() const { return trace_; }

 private:
  TraceEvent& add(TraceKind kind, std::uint64_t connection) {
    if (!same_) ++ms_;
    same_ = false;
    TraceEvent e;
    e.kind = kind;
    e.ms = ms_;
    e.broker = 0;
    e.connection = connection;
    trace_.push_back(std::move(e));
    return trace_.back();
  }
  Trace trace_;
  std::int64_t ms_ = 0;
  std::int64_t produce_requests_ = 0;
  bool same_ = false;
};

/// The trace index of Produce request `number`.
std::size_t index_of(const Trace& t, std::int64_t number) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind == TraceKind::produce && t[i].number == number) return i;
  }
  return t.size();
}

void expect_deviation(const Trace& t, const std::string& rule, std::int64_t request, int partition) {
  const std::optional<Deviation> d = first_model_deviation(t);
  ASSERT_TRUE(d.has_value()) << "expected " << rule << " at request " << request;
  EXPECT_EQ(d->rule, rule) << d->detail;
  EXPECT_EQ(d->request, request) << d->detail;
  EXPECT_EQ(d->partition, partition) << d->detail;
  EXPECT_EQ(d->trace_index, index_of(t, request)) << d->detail;
  EXPECT_FALSE(d->detail.empty());
}

void expect_none(const Trace& t) {
  const std::optional<Deviation> d = first_model_deviation(t);
  EXPECT_FALSE(d.has_value()) << d->rule << " at request " << d->request << ": " << d->detail;
}

TEST(ModelReplay, CleanPipelinedRunOnTwoPartitionsHasNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .produce(2, 1, {batch(1, kPid, 0, 0, {1}, 0, 0)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2, 4}, 0, 1)})
      .response(2, 1)
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, 0, 3, {6}, 0, 3), batch(1, kPid, 0, 1, {3}, 0, 1)})
      .response(1, 3);
  expect_none(b.trace());
}

TEST(ModelReplay, RunWithoutProducerIdsHasNoDeviation) {
  TraceBuilder b;
  b.produce(1, 1, {batch(0, -1, -1, -1, {0}, 0, 0)})
      .produce(1, 2, {batch(0, -1, -1, -1, {0}, 0, 1)})  // a duplicate, but no idempotence to judge
      .response(1, 1)
      .response(1, 2);
  expect_none(b.trace());
}

TEST(ModelReplay, NewBatchWithASkippedSequenceIsM5) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0})})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 2, {2}, 0, 1)})
      .response(1, 2);
  expect_deviation(b.trace(), "M5", 2, 0);
  EXPECT_NE(first_model_deviation(b.trace())->detail.find("seq 1"), std::string::npos);
}

TEST(ModelReplay, FirstBatchUnderAnotherIdIsM5) {
  TraceBuilder b;
  b.producer_id(kPid).produce(1, 1, {batch(0, kPid + 1, 0, 0, {0})}).response(1, 1);
  expect_deviation(b.trace(), "M5", 1, 0);
}

// kafkajs 2.2.4 (sendMessages.js, updateSequence(-n) on any error): a request
// timed out, the client takes its sequence back and gives it to the next record.
TEST(ModelReplay, SequenceTakenBackAfterAHeldAnswerIsM2) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0})})
      .response(1, 1)
      .fault(1, "hold-response 1488 ms")
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 2)  // past the client's timeout: it sends A0:2 again below, so it did not take this
      .produce(1, 3, {batch(0, kPid, 0, 1, {4}, 0, 1)})
      .response(1, 3)
      .produce(1, 4, {batch(0, kPid, 0, 2, {2}, 0, 2)})
      .response(1, 4);
  expect_deviation(b.trace(), "M2", 3, 0);
  const std::string detail = first_model_deviation(b.trace())->detail;
  EXPECT_NE(detail.find("A0:4"), std::string::npos) << detail;
  EXPECT_NE(detail.find("to A0:2"), std::string::npos) << detail;
}

TEST(ModelReplay, SequenceTakenBackAfterAZombieIsM2) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0})})
      .fault(1, "zombie")
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .disconnect(1)
      .produce(2, 1, {batch(0, kPid, 0, 1, {4}, 0, 1)})
      .response(2, 1);
  expect_deviation(b.trace(), "M2", 3, 0);
}

// librdkafka 2.0.2 keeps its connection through a hold and may take the late answer.
TEST(ModelReplay, HeldAnswerTheClientTookIsAnAcknowledgement) {
  TraceBuilder b;
  b.producer_id(kPid)
      .fault(1, "hold-response 1379 ms")
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 1)
      .same_ms()
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 2);
  expect_none(b.trace());
}

// A held answer the client took, then a request on the same connection and
// its answer, then that request again on a new connection: whether the resend
// is a retry depends on when the front end read the request.
Trace resend_after_a_hold(bool read_as_the_hold_ended) {
  TraceBuilder b;
  b.producer_id(kPid)
      .fault(1, "hold-response 1379 ms")
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 1);
  if (read_as_the_hold_ended) {
    b.same_ms();
  } else {
    b.after(5);
  }
  b.produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 2)
      .disconnect(1)
      .produce(2, 1, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(2, 1);
  return b.trace();
}

// Read as the held answer left, it waited in the socket past the client's
// timeout too: resending it is a retry.
TEST(ModelReplay, RequestQueuedBehindAHeldAnswerThenResentIsARetry) {
  expect_none(resend_after_a_hold(true));
}

// librdkafka pipelines behind a held answer: a new batch read a millisecond
// after the held answer left was written long before, while the held batch
// was still in flight, so it does not overtake that batch's retry.
TEST(ModelReplay, NewBatchQueuedBehindAHeldAnswerIsNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .fault(1, "hold-response 1379 ms")
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 2)
      .disconnect(1)
      .produce(2, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(2, 1)
      .same_ms()
      .produce(2, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(2, 2);
  expect_none(b.trace());
}

// Read well after, its answer reached the client in time: the model finished it.
TEST(ModelReplay, RequestReadAfterAHoldThenResentIsM8) {
  expect_deviation(resend_after_a_hold(false), "M8", 3, 0);
}

TEST(ModelReplay, NewBatchBeforeAKnownRetryIsM4) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kNotLeader)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 0)})
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, 0, 0, {0}, 0, 1)})
      .response(1, 3);
  expect_deviation(b.trace(), "M4", 2, 0);
}

// A pipelined request read right after an answer of the same millisecond may
// have been written before the client read it.
TEST(ModelReplay, NewBatchPipelinedBehindAnErrorOfTheSameMillisecondIsNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kNotLeader)})
      .response(1, 1)
      .same_ms()
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 0)})
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 3);
  expect_none(b.trace());
}

TEST(ModelReplay, RetryOfTheHigherBatchFirstIsM6) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0})})
      .produce(1, 2, {batch(0, kPid, 0, 1, {2})})
      .disconnect(1)
      .produce(2, 1, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(2, 1)
      .produce(2, 2, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(2, 2);
  expect_deviation(b.trace(), "M6", 3, 0);
}

// librdkafka resends every in-flight batch at once; the Java client waits for
// the lowest one's answer (S3).
TEST(ModelReplay, SeveralRetriesAtOnceIsM6) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kNotLeader)})
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, kNotLeader)})
      .response(1, 1)
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .produce(1, 4, {batch(0, kPid, 0, 1, {2}, 0, 1)})  // before A0:0's answer left
      .response(1, 3)
      .response(1, 4);
  expect_deviation(b.trace(), "M6", 4, 0);
  EXPECT_NE(first_model_deviation(b.trace())->detail.find("design difference"), std::string::npos);
}

TEST(ModelReplay, RetriesOneAtATimeHaveNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kNotLeader)})
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, kNotLeader)})
      .response(1, 1)
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 3)
      .produce(1, 4, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 4)
      .produce(1, 5, {batch(0, kPid, 0, 2, {4}, 0, 2)})
      .response(1, 5);
  expect_none(b.trace());
}

// A0:0 fails for good with retries left, so the model bumps the epoch (S6, S8)
// and re-stamps A0:2, which waits for its retry, from sequence 0.
Trace bump_then_retry(std::int32_t retry_epoch, std::int64_t retry_seq) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kInvalidRecord)})
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, kNotLeader)})
      .response(1, 1)
      .response(1, 2)
      .produce(1, 3, {batch(0, kPid, retry_epoch, retry_seq, {2}, 0, 0)})
      .response(1, 3);
  return b.trace();
}

TEST(ModelReplay, RetryAfterAnEpochBumpUnderTheOldEpochIsM7) {
  const Trace t = bump_then_retry(0, 1);
  expect_deviation(t, "M7", 3, 0);
  const std::string detail = first_model_deviation(t)->detail;
  EXPECT_NE(detail.find("pid 1000 epoch 1 seq 0"), std::string::npos) << detail;
}

TEST(ModelReplay, RetryRestampedByTheBumpHasNoDeviation) { expect_none(bump_then_retry(1, 0)); }

// The front end gives a new id on every InitProducerId (K4): a client that bumps
// that way shows the new id where the model bumps its epoch.
TEST(ModelReplay, NewProducerIdStandsForThePendingBump) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kInvalidRecord)})
      .response(1, 1)
      .producer_id(kPid + 1)
      .produce(1, 2, {batch(0, kPid + 1, 0, 0, {2}, 0, 0)})
      .response(1, 2);
  expect_none(b.trace());
}

TEST(ModelReplay, NewBatchUnderTheOldEpochAfterTheBumpIsM5) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kInvalidRecord)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 0)})
      .response(1, 2);
  expect_deviation(b.trace(), "M5", 2, 0);
}

// Partition 1's failure bumps the epoch; partition 0 still has a batch in
// flight under epoch 0, so a new one there waits (S2).
TEST(ModelReplay, NewBatchWhileTheOldEpochIsInFlightIsM3) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0})})
      .produce(2, 1, {batch(1, kPid, 0, 0, {1}, kInvalidRecord)})
      .response(2, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(1, 1)
      .response(1, 2);
  expect_deviation(b.trace(), "M3", 3, 0);
}

TEST(ModelReplay, RecordsMovedBetweenBatchesIsM1) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0, 2}, kNotLeader)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 2);
  expect_deviation(b.trace(), "M1", 2, 0);
}

TEST(ModelReplay, AcknowledgedBatchSentAgainIsM8) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(1, 2);
  expect_deviation(b.trace(), "M8", 2, 0);
}

TEST(ModelReplay, RetryOfAnUnansweredAttemptIsNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .fault(1, "lose-response")
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .produce(2, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})  // the client timed it out and resent it
      .response(2, 1)
      .disconnect(1);
  expect_none(b.trace());
}

// A request the front end never read (lose-request) left no batches; A0:0's
// sequence shows when it is sent again.
TEST(ModelReplay, NewBatchBeforeTheRetryOfAnUnreadRequestIsM4) {
  TraceBuilder b;
  b.producer_id(kPid)
      .lost_request(1)
      .produce(2, 1, {batch(0, kPid, 0, 1, {2}, 0, 0)})
      .produce(2, 2, {batch(0, kPid, 0, 0, {0}, 0, 1)})
      .response(2, 1)
      .response(2, 2);
  expect_deviation(b.trace(), "M4", 2, 0);
  EXPECT_NE(first_model_deviation(b.trace())->detail.find("never read"), std::string::npos);
}

TEST(ModelReplay, UnreadRequestRetriedFirstIsNoDeviation) {
  TraceBuilder b;
  b.producer_id(kPid)
      .lost_request(1)
      .produce(2, 1, {batch(0, kPid, 0, 0, {0}, 0, 0)})
      .response(2, 1)
      .produce(2, 2, {batch(0, kPid, 0, 1, {2}, 0, 1)})
      .response(2, 2);
  expect_none(b.trace());
}

// The client gives up on A0:0 (its delivery timeout) and goes on under the
// same epoch; the Java client's expiry leaves the sequence unresolved and bumps (S7, S8).
TEST(ModelReplay, BatchTheClientGaveUpOnMakesTheModelBump) {
  TraceBuilder b;
  b.producer_id(kPid)
      .produce(1, 1, {batch(0, kPid, 0, 0, {0}, kNotLeader)})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 1, {2}, 0, 0)})
      .response(1, 2);
  expect_deviation(b.trace(), "M5", 2, 0);
  const std::string detail = first_model_deviation(b.trace())->detail;
  EXPECT_NE(detail.find("epoch 1 seq 0"), std::string::npos) << detail;
  EXPECT_NE(detail.find("A0:0 as given up"), std::string::npos) << detail;
}

TEST(ModelReplay, RecordsOfUnknownIdentityEndTheReplay) {
  TraceBuilder b;
  BatchTrace unknown = batch(0, kPid, 0, 0, {0});
  unknown.records[0].origin = -1;
  b.producer_id(kPid)
      .produce(1, 1, {unknown})
      .response(1, 1)
      .produce(1, 2, {batch(0, kPid, 0, 5, {2}, 0, 1)})  // would be M5 if judged
      .response(1, 2);
  expect_none(b.trace());
}

}  // namespace
