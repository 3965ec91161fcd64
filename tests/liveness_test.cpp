// The liveness check (spec/liveness.hpp): its fault-free run completes what a
// live world leaves pending, replays as an ordinary history, leaves the world
// it is given alone, and reports a producer that fails a send with no fault
// left (the committed finding of Kafka's own rules).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/spec/liveness.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck {
namespace {

using spec::Event;
using K = spec::Event::Kind;
using State = spec::SendOutcome::State;

Event ev(K kind) {
  Event e;
  e.kind = kind;
  return e;
}

spec::World after(const spec::History& h) {
  spec::World w(h.config);
  for (const Event& e : h.events) w.apply(e);
  return w;
}

spec::History lost_ack_in_flight() {
  spec::History h;
  h.events = {ev(K::send), ev(K::drain), ev(K::deliver_request), ev(K::lose_response), ev(K::send)};
  return h;
}

TEST(Liveness, ALiveWorldCompletesEverySendAndEveryProbe) {
  const spec::History h = lost_ack_in_flight();
  const spec::World w = after(h);
  ASSERT_EQ(w.sends()[0].outcome.state, State::pending) << "the history leaves a send pending";
  const spec::LivenessResult r = spec::check_liveness(w);
  EXPECT_TRUE(r.live);
  EXPECT_TRUE(r.pending.empty());
  EXPECT_TRUE(r.failed_probes.empty());
  EXPECT_EQ(r.bound_ms, 120'000 + 30'000) << "delivery.timeout.ms + request.timeout.ms, Kafka's defaults";
  ASSERT_EQ(r.sends.size(), 3u) << "two sends and one probe (one producer, one partition)";
  for (const auto& s : r.sends) EXPECT_EQ(s.outcome.state, State::acknowledged);
  EXPECT_LE(r.settled_ms - r.faults_stopped_ms, r.bound_ms);
  EXPECT_EQ(w.sends()[0].outcome.state, State::pending) << "the world given is left as it is";
}

TEST(Liveness, TheTailIsAFaultFreeScheduleThatReplays) {
  spec::History h = lost_ack_in_flight();
  const spec::LivenessResult r = spec::check_liveness(after(h));
  const std::vector<K> fault_free{K::init_producer_id, K::process_zombie, K::drain, K::deliver_request,
                                  K::deliver_response, K::tick,           K::send};
  for (const Event& e : r.tail) {
    EXPECT_NE(std::find(fault_free.begin(), fault_free.end(), e.kind), fault_free.end()) << e;
  }
  h.events.insert(h.events.end(), r.tail.begin(), r.tail.end());
  const spec::World replayed = after(h);
  EXPECT_EQ(replayed.sends(), r.sends) << "history + tail is the run the check made";
}

spec::History committed(const std::string& name) {
  const auto loaded = io::load_history_file((std::filesystem::path(IDEMCHECK_CORPUS_DIR) / name).string());
  if (const auto* e = std::get_if<io::LoadError>(&loaded)) ADD_FAILURE() << e->describe();
  return std::get<io::LoadedHistory>(loaded).history;
}

// The finding: Kafka's rules fail a fault-free send after a first-attempt expiry.
TEST(Liveness, AFirstAttemptExpiryMakesTheNextSendFailWithNoFaultLeft) {
  const spec::History h = committed("stuck-after-first-attempt-expiry.json");
  const spec::World w = after(h);
  for (const auto& s : w.sends()) EXPECT_NE(s.outcome.state, State::pending) << "every send of the history completed";
  const spec::LivenessResult r = spec::check_liveness(w);
  EXPECT_FALSE(r.live);
  EXPECT_TRUE(r.pending.empty());
  ASSERT_EQ(r.failed_probes.size(), 1u);
  const auto& probe = r.sends[r.failed_probes[0]];
  EXPECT_EQ(probe.outcome.error, spec::Error::delivery_timeout);
  EXPECT_GT(probe.outcome.attempts, 1) << "it was retried (OUT_OF_ORDER_SEQUENCE_NUMBER) until it expired";
  const auto report = properties::stuck_send_report(w);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->kind, spec::Anomaly::stuck_send);
  EXPECT_NE(report->detail.find("failed with DELIVERY_TIMEOUT"), std::string::npos) << report->detail;
  spec::CheckSet only = spec::CheckSet::only(spec::Anomaly::stuck_send);
  EXPECT_EQ(properties::run_world(h, only).anomalies.size(), 1u) << "run_world runs it when asked";
  EXPECT_TRUE(properties::run_world(h, spec::CheckSet{}).anomalies.empty()) << "and only then";
}

}  // namespace
}  // namespace idemcheck
