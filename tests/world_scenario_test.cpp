// Hand-written histories of the simulated world, each the shortest story of
// one claim: the idempotent producer survives a lost ack; without idempotence
// the same story writes the record twice; and so on. They pin the model's
// behaviour on the cases a reader can check by hand.
#include <gtest/gtest.h>

#include <sstream>

#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck {
namespace {

using spec::Anomaly;
using spec::Event;
using K = spec::Event::Kind;

Event ev(K kind, int producer = 0, int broker = 0) {
  Event e;
  e.kind = kind;
  e.producer = producer;
  e.broker = broker;
  return e;
}
Event send(int producer, int partition, std::int64_t records = 1) {
  Event e = ev(K::send, producer);
  e.partition = partition;
  e.count = records;
  return e;
}

spec::WorldConfig config(const spec::ProducerSettings& settings, bool unsafe = false) {
  spec::WorldConfig c;
  auto v = spec::validate_producer_settings(settings, unsafe);
  c.producer = std::get<spec::ProducerConfig>(v);
  return c;
}

std::vector<spec::AnomalyReport> run(const spec::WorldConfig& c, const std::vector<Event>& events) {
  spec::World w(c);
  for (const Event& e : events) w.apply(e);
  return spec::find_anomalies(w);
}

bool has(const std::vector<spec::AnomalyReport>& rs, Anomaly a) {
  for (const auto& r : rs) {
    if (r.kind == a) return true;
  }
  return false;
}

std::string show(const std::vector<spec::AnomalyReport>& rs) {
  std::ostringstream os;
  for (const auto& r : rs) os << "\n  " << r;
  return rs.empty() ? "none" : os.str();
}

Event tick(std::int64_t ms) {
  Event e = ev(K::tick);
  e.ms = ms;
  return e;
}

// send, drain, broker writes, ack lost, request times out, the retry backoff
// passes, retry, broker answers, ack arrives
const std::vector<Event> kLostAckThenRetry{send(0, 0),        ev(K::drain),           ev(K::deliver_request),
                                           ev(K::lose_response), ev(K::timeout),       tick(100),
                                           ev(K::drain),        ev(K::deliver_request), ev(K::deliver_response)};

TEST(WorldScenario, IdempotentProducerDeduplicatesTheRetryAfterALostAck) {
  const auto c = config({});
  spec::World w(c);
  for (const Event& e : kLostAckThenRetry) w.apply(e);
  EXPECT_TRUE(spec::find_anomalies(w).empty()) << show(spec::find_anomalies(w));
  ASSERT_EQ(w.log(0).size(), 1u) << "the retry must be answered from the cache, not written";
  ASSERT_EQ(w.sends().size(), 1u);
  EXPECT_EQ(w.sends()[0].outcome.state, spec::SendOutcome::State::acknowledged);
  EXPECT_EQ(w.sends()[0].outcome.offset, 0) << "the duplicate answer carries the original offset";
}

TEST(WorldScenario, WithoutIdempotenceTheSameStoryWritesTheRecordTwice) {
  const auto reports = run(config({{"enable.idempotence", "false"}}), kLostAckThenRetry);
  EXPECT_TRUE(has(reports, Anomaly::duplicate)) << show(reports);
}

TEST(WorldScenario, WithoutIdempotenceARetryOvertakesALaterBatch) {
  // Two batches in flight on one connection; the first fails before append and
  // is retried after the second was written.
  Event fail = ev(K::fail_request);
  fail.error = spec::Error::not_enough_replicas;
  std::vector<Event> h{send(0, 0), ev(K::drain), send(0, 0), ev(K::drain), fail, ev(K::deliver_request),
                       ev(K::deliver_response), ev(K::deliver_response), ev(K::tick), ev(K::drain),
                       ev(K::deliver_request), ev(K::deliver_response)};
  h[8].ms = 200;  // past retry.backoff.ms
  const auto reports = run(config({{"enable.idempotence", "false"}}), h);
  EXPECT_TRUE(has(reports, Anomaly::nonmonotonic_send)) << show(reports);
  const auto same_with_idempotence = run(config({}), h);
  EXPECT_FALSE(has(same_with_idempotence, Anomaly::nonmonotonic_send)) << show(same_with_idempotence);
}

TEST(WorldScenario, ConfigValidationFollowsKafka) {
  auto explicit_six = spec::validate_producer_settings(
      {{"enable.idempotence", "true"}, {"max.in.flight.requests.per.connection", "6"}});
  ASSERT_TRUE(std::holds_alternative<spec::ConfigError>(explicit_six));
  EXPECT_EQ(std::get<spec::ConfigError>(explicit_six).message,
            "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.");
  auto implicit_six = spec::validate_producer_settings({{"max.in.flight.requests.per.connection", "6"}});
  ASSERT_TRUE(std::holds_alternative<spec::ProducerConfig>(implicit_six));
  EXPECT_FALSE(std::get<spec::ProducerConfig>(implicit_six).idempotence) << "quietly disabled, as in Kafka";
  auto acks1 = spec::validate_producer_settings({{"enable.idempotence", "true"}, {"acks", "1"}});
  ASSERT_TRUE(std::holds_alternative<spec::ConfigError>(acks1));
  auto retries0 = spec::validate_producer_settings({{"retries", "0"}});
  EXPECT_FALSE(std::get<spec::ProducerConfig>(retries0).idempotence);
  auto bad_acks = spec::validate_producer_settings({{"acks", "2"}});
  ASSERT_TRUE(std::holds_alternative<spec::ConfigError>(bad_acks));
  EXPECT_EQ(std::get<spec::ConfigError>(bad_acks).message, "Invalid configuration value for 'acks': 2");
  auto short_delivery = spec::validate_producer_settings({{"delivery.timeout.ms", "1000"}});
  ASSERT_TRUE(std::holds_alternative<spec::ConfigError>(short_delivery));
}

TEST(WorldScenario, SixInFlightAgainstAFiveBatchCacheDuplicates) {
  // Six batches written, all six acks lost: the retry of the first is no
  // longer cached, gets OUT_OF_ORDER_SEQUENCE_NUMBER, the producer bumps its
  // epoch and re-sends all six from sequence 0: each is written twice.
  auto c = config({{"max.in.flight.requests.per.connection", "6"}, {"enable.idempotence", "true"}}, true);
  std::vector<Event> h;
  for (int i = 0; i < 6; ++i) {
    h.push_back(send(0, 0));
    h.push_back(ev(K::drain));
    h.push_back(ev(K::deliver_request));
  }
  h.push_back(ev(K::break_connection));
  for (int i = 0; i < 30; ++i) {
    Event t = ev(K::tick);
    t.ms = 100;
    h.push_back(t);
    h.push_back(ev(K::drain));
    h.push_back(ev(K::deliver_request));
    h.push_back(ev(K::deliver_response));
  }
  const auto reports = run(c, h);
  EXPECT_TRUE(has(reports, Anomaly::duplicate)) << show(reports);
  // The same with five in flight: every retry is a cache hit.
  std::vector<Event> five;
  for (int i = 0; i < 5; ++i) {
    five.push_back(send(0, 0));
    five.push_back(ev(K::drain));
    five.push_back(ev(K::deliver_request));
  }
  five.insert(five.end(), h.begin() + 18, h.end());
  const auto ok = run(config({}), five);
  EXPECT_TRUE(ok.empty()) << show(ok);
}

}  // namespace
}  // namespace idemcheck
