#include "idemcheck/properties/claims.hpp"

#include <algorithm>
#include <chrono>
#include <variant>

namespace idemcheck::properties {

namespace {

using K = spec::Event::Kind;

spec::WorldConfig world(const spec::ProducerSettings& settings, int producers, int partitions, int brokers,
                        bool unsafe_in_flight = false) {
  spec::WorldConfig c;
  c.producers = producers;
  c.partitions = partitions;
  c.brokers = brokers;
  c.producer = std::get<spec::ProducerConfig>(spec::validate_producer_settings(settings, unsafe_in_flight));
  return c;
}


// The claims about what idempotence does not cover are checked where the
// narrowed guarantees hold, so that the violation found is the claim's own
// story and not one of the findings: delivery.timeout.ms is never reached,
// and the lost-ack profile has no failure before an append, so the broker
// cannot write a producer's later batch before its first one.
WorldProfile isolated(WorldProfile p) { return p; }

// The weights below lean each must-fail search toward its claim's story (the
// events it needs more often, the ones that end it sooner less often), so
// that every seed finds it within the budget, not only lucky ones; measured
// with ci/seed-sweep.sh (the README's table). They change which histories
// are drawn, never what a history means.

// Finding 2 needs a failure before the append and no time at all: failures
// more often, and no tick long enough to reach a delivery deadline in a few
// steps (whose stories need the race, and would send the search for a
// race-free one again).
WorldProfile unknown_producer_story(const spec::WorldConfig& c) {
  WorldProfile p = faults_profile(c);
  p.weight(K::fail_request) = 8;
  p.weight(K::timeout) = 1;
  p.weight(K::break_connection) = 1;
  p.tick_weights[3] = 0;
  return p;
}

std::vector<Claim> make_claims() {
  std::vector<Claim> out;
  const spec::ProducerSettings kafka_defaults{};
  const spec::ProducerSettings no_idempotence{{"enable.idempotence", "false"}};
  const spec::ProducerSettings no_delivery_timeout{{"delivery.timeout.ms", "2147483647"}};
  using A = spec::Anomaly;

  {
    Claim c{"idempotence-no-duplicate",
            "with idempotence, retries never write a record twice",
            "enable.idempotence=true (default), max.in.flight.requests.per.connection=5, faults; one producer, "
            "partition and broker (where the violation is easiest to find)",
            unknown_producer_story(world(kafka_defaults, 1, 1, 1)), spec::CheckSet::only(A::duplicate), true,
            "FINDING: violated. (2) While the broker does not know the producer, it accepts a later batch at any "
            "sequence (KIP-360); the retried first batch then gets OUT_OF_ORDER_SEQUENCE_NUMBER, the producer bumps "
            "and re-sends the later one. (1) is idempotence-no-duplicate-known-producer."};
    out.push_back(c);
  }
  {
    // Finding 1 alone: the broker knows the producer before faults start (no
    // finding 2), and delivery.timeout.ms can be reached.
    spec::WorldConfig w = world({{"delivery.timeout.ms", "40000"}}, 1, 1, 1);
    WorldProfile p = faults_profile(w);
    p.prefix = warm_up(w);
    // Its stories need a failure handled at a deadline: late polls three times as often (seed 7 missed).
    p.late_poll_odds = 2;
    Claim c{"idempotence-no-duplicate-known-producer",
            "with idempotence, retries never write a record twice (the broker knows the producer)",
            "enable.idempotence=true (default), delivery.timeout.ms=40000 (a nearer deadline, found sooner), faults; "
            "the producer is known to the broker before faults start",
            p, spec::CheckSet::only(A::duplicate), true,
            "FINDING: violated. A batch that fails for good at or after its delivery deadline, in response handling "
            "and before any expiry, fails 'with retries left', which makes an idempotent producer bump its epoch; the "
            "bump re-stamps the partition's other in-flight batches from sequence 0, and one the broker had already "
            "written is written again. The searches find it first with the late-poll race; a schedule without any "
            "race exists (a retry stuck behind a younger batch in flight, tests/corpus/"
            "idempotence-no-duplicate-no-race.json)."};
    c.needs_race.reset();  // what the search meets first depends on the seed
    out.push_back(c);
  }
  {
    Claim c{"idempotence-no-reorder",
            "with idempotence, up to 5 requests in flight keep each partition in send order",
            "enable.idempotence=true (default), max.in.flight.requests.per.connection=5, faults; one producer, "
            "partition and broker (where the violation is easiest to find)",
            unknown_producer_story(world(kafka_defaults, 1, 1, 1)), spec::CheckSet::only(A::nonmonotonic_send), true,
            "FINDING: violated while the broker does not know the producer: its first batch fails before append "
            "(e.g. NOT_ENOUGH_REPLICAS), the broker accepts the next batch at any sequence (KIP-360), and the "
            "retried first batch is written after it (after an epoch bump)."};
    out.push_back(c);
  }
  {
    // Narrowed: the broker knows the producer before faults start, and no
    // batch ever reaches delivery.timeout.ms.
    spec::WorldConfig w = world({{"delivery.timeout.ms", "2147483647"}}, 2, 2, 2);
    WorldProfile p = faults_profile(w);
    p.prefix = warm_up(w);
    Claim c{"idempotence-no-duplicate-narrowed",
            "(narrowed) with idempotence, retries never write a record twice",
            "as idempotence-no-duplicate, but every producer is known to the broker before faults start, and "
            "delivery.timeout.ms is never reached",
            p, spec::CheckSet::only(A::duplicate), false, ""};
    out.push_back(c);
    Claim r{"idempotence-no-reorder-narrowed",
            "(narrowed) with idempotence, up to 5 requests in flight keep each partition in send order",
            c.setting, p, spec::CheckSet::only(A::nonmonotonic_send), false, ""};
    out.push_back(r);
    // The stories of this finding need a poll at a delivery deadline: draw
    // late polls and lost answers more often than the other searches do.
    // delivery.timeout.ms=40000 and request.timeout.ms=10000 (Kafka accepts a delivery timeout down to
    // linger.ms + request.timeout.ms) only bring the deadline and the retries closer, so that a search meets
    // them sooner; the story is the same with Kafka's defaults.
    WorldProfile narrowed = faults_profile(world({{"delivery.timeout.ms", "40000"}, {"request.timeout.ms", "10000"}}, 1, 1, 1));
    narrowed.late_poll_odds = 2;
    narrowed.weight(K::lose_response) = 6;
    // The story: an attempt written, its answer lost; the last attempt, sent
    // within request.timeout.ms of the deadline, answered with a definite
    // error before the append, that answer handled by a poll that crossed the
    // deadline. Every answer a late poll (the race search rules them out
    // anyway), failures as often as appends, time near the deadline more
    // often, fewer answers (each one that arrives early ends the story).
    WorldProfile fp = narrowed;
    fp.late_poll_odds = 1;
    fp.weight(K::fail_request) = 16;
    fp.weight(K::deliver_response) = 6;
    fp.weight(K::tick) = 14;
    fp.tick_weights[2] = 4;
    Claim f{"idempotence-failed-not-written",
            "a send that fails with a definite error (not a timeout) was not written",
            "enable.idempotence=true (default), delivery.timeout.ms=40000, request.timeout.ms=10000, faults; one "
            "producer, partition and broker",
            fp, spec::CheckSet::only(A::failed_but_written), true,
            "FINDING: violated. The error a failed send reports is its last attempt's; an earlier attempt may have "
            "been written and its answer lost; the last attempt is answered (NOT_LEADER_OR_FOLLOWER, for example) at "
            "or after the delivery deadline, before the batch expires."};
    f.needs_race.reset();  // the searches find it only with the late-poll race (see the README)
    out.push_back(f);
    spec::CheckSet single = spec::CheckSet::only(A::failed_but_written);
    single.failed_single_attempt_only = true;
    Claim g{"idempotence-failed-not-written-narrowed",
            "(narrowed) a send that fails with a definite error on its only attempt was not written",
            f.setting, narrowed, single, false, ""};
    out.push_back(g);
  }
  {
    spec::CheckSet checks = spec::CheckSet::only(A::lost_write);
    checks.inconsistent_offsets = true;
    Claim c{"idempotence-no-lost-write",
            "an acknowledged record is in the log, at the offset it was acknowledged with",
            "enable.idempotence=true (default), faults", faults_profile(world(kafka_defaults, 2, 2, 2)), checks, false,
            ""};
    out.push_back(c);
  }
  {
    // Liveness (spec/liveness.hpp): with Kafka's defaults, faults as in the main job.
    Claim c{"idempotence-every-send-completes",
            "with idempotence, once faults stop every send is acknowledged or fails within delivery.timeout.ms, and "
            "the producer can send again",
            "enable.idempotence=true (default), Kafka's defaults, faults; then no fault for delivery.timeout.ms + "
            "request.timeout.ms, and one more send per producer and partition",
            faults_profile(world(kafka_defaults, 2, 2, 2)), spec::CheckSet::only(A::stuck_send), true,
            "FINDING: violated. A batch that expires on its first attempt while its request is unread leaves a "
            "sequence gap that nothing marks (only a batch in retry is marked unresolved); the broker never saw the "
            "epoch the batch carried, so the next batch gets OUT_OF_ORDER_SEQUENCE_NUMBER, is retried unchanged (it "
            "is not the next expected sequence) and fails at its own delivery deadline with no fault left "
            "(tests/corpus/stuck-after-first-attempt-expiry.json)."};
    c.needs_race.reset();
    out.push_back(c);
  }
  {
    Claim c{"no-idempotence-duplicates",
            "without idempotence, a retry after a lost ack writes the record twice",
            "enable.idempotence=false, retries=MAX", lost_ack_profile(world(no_idempotence, 1, 1, 1)),
            spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  {
    WorldProfile p = lost_ack_profile(world(no_idempotence, 1, 1, 1));
    p.weight(K::fail_request) = 4;
    Claim c{"no-idempotence-reorders",
            "without idempotence and with more than one request in flight, retries reorder records",
            "enable.idempotence=false, max.in.flight.requests.per.connection=5", p,
            spec::CheckSet::only(A::nonmonotonic_send), true, ""};
    out.push_back(c);
  }
  {
    WorldProfile p = isolated(lost_ack_profile(world(no_delivery_timeout, 2, 1, 1)));
    p.weight(K::send_same) = 4;
    Claim c{"two-producers-same-records",
            "idempotence does not deduplicate two producers sending the same records",
            "enable.idempotence=true, two producers; delivery.timeout.ms never reached", p, spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  {
    WorldProfile p = isolated(lost_ack_profile(world(no_delivery_timeout, 1, 1, 1)));
    p.weight(K::restart_producer) = 3;
    Claim c{"producer-restart-duplicates",
            "idempotence does not deduplicate across a producer restart",
            "enable.idempotence=true, the application re-sends what was not acknowledged; delivery.timeout.ms never reached", p,
            spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  {
    WorldProfile p = isolated(lost_ack_profile(
        world({{"max.in.flight.requests.per.connection", "6"}, {"delivery.timeout.ms", "2147483647"}}, 1, 1, 1, true)));
    p.max_records = 1;
    // The story fills a pipeline six deep, every request written and none
    // answered, before a timeout: sends, drains and appends more often,
    // answers and broken connections (which fail the requests not yet
    // written) rarely or never, and longer chunks.
    p.weight(K::send) = 14;
    p.weight(K::drain) = 18;
    p.weight(K::deliver_request) = 16;
    p.weight(K::deliver_response) = 2;
    p.weight(K::lose_response) = 2;
    p.weight(K::break_connection) = 0;
    p.chunk = 10;
    Claim c{"six-in-flight",
            "more requests in flight than the broker caches (6 against 5) breaks the guarantee",
            "enable.idempotence=true, max.in.flight.requests.per.connection=6 (Kafka refuses this; the model allows it); delivery.timeout.ms never reached",
            p, spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  {
    spec::WorldConfig w = world(no_delivery_timeout, 1, 1, 1);
    w.broker.producer_id_expiration_ms = 60'000;  // below delivery.timeout.ms, against Kafka's advice
    WorldProfile p = isolated(lost_ack_profile(w));
    p.weight(K::expire) = 3;
    p.weight(K::tick) = 8;
    Claim c{"retry-after-expiry",
            "(reference surprise 3) a retry after the broker expired the producer's state is written again",
            "enable.idempotence=true, producer.id.expiration.ms=60000 < delivery.timeout.ms; delivery.timeout.ms never reached", p,
            spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  {
    spec::WorldConfig w = world(no_delivery_timeout, 1, 1, 1);
    // Producer state must not expire within the claim's time either, or the
    // shortest story is "expired at load", which is retry-after-expiry's.
    w.broker.producer_id_expiration_ms = 2'147'483'647;
    WorldProfile p = isolated(lost_ack_profile(w));
    p.weight(K::restart_broker) = 3;
    Claim c{"retry-after-reload",
            "(reference surprise 5) after a broker reload keeps one batch per producer, retries of older in-flight "
            "batches are written again",
            "enable.idempotence=true, the leader restarts cleanly and reloads its snapshot; delivery.timeout.ms and producer.id.expiration.ms never reached", p,
            spec::CheckSet::only(A::duplicate), true, ""};
    out.push_back(c);
  }
  return out;
}

}  // namespace

// The claims that assume delivery.timeout.ms is never reached.
std::vector<Claim> scoped(std::vector<Claim> all) {
  for (Claim& c : all) {
    if (c.profile.config.producer.delivery_timeout_ms == 2'147'483'647) {
      c.time_limit_ms = c.profile.config.producer.delivery_timeout_ms;
    }
  }
  return all;
}

const std::vector<Claim>& claims() {
  static const std::vector<Claim> all = scoped(make_claims());
  return all;
}

const Claim* find_claim(const std::string& id) {
  for (const Claim& c : claims()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool violates(const Claim& claim, const WorldRunResult& run) {
  if (run.anomalies.empty()) return false;
  return claim.time_limit_ms <= 0 || run.end_time < claim.time_limit_ms;
}

bool violates(const Claim& claim, const spec::History& history) {
  return violates(claim, run_world(history, claim.checks));
}

namespace {

bool has_late_poll(const spec::History& h) {
  return std::any_of(h.events.begin(), h.events.end(), [](const spec::Event& e) { return e.late_poll; });
}

// One search: histories drawn from `profile` until one violates the claim
// (then shrunk) or the budget is spent.
ClaimResult search(const Claim& claim, const WorldProfile& profile, const ClaimBudget& budget) {
  ClaimResult r;
  const auto gen = gen_world_history(profile);
  auto fails = [&](const spec::History& h) { return violates(claim, h); };
  for (std::uint64_t i = 0; i < budget.histories; ++i) {
    const rc::Shrinkable<spec::History> drawn =
        gen(rc::Random(history_seed(budget.seed, i)), history_size(i, budget.max_size));
    const spec::History h = drawn.value();
    ++r.histories;
    const WorldRunResult run = budget.differential ? run_world_differential(h, claim.checks) : run_world(h, claim.checks);
    r.coverage.merge(run.coverage);
    if (run.divergence) {
      r.divergence = run.divergence;
      r.divergence_index = i;
      break;
    }
    if (violates(claim, run)) {
      Counterexample cx;
      cx.history_index = i;
      cx.original = h;
      shrinkers::ShrinkOptions options;
      options.keep_prefix = profile.prefix.size();
      cx.shrunk = shrinkers::shrink_history(h, fails, cx.stats, options);
      cx.anomalies = run_world(cx.shrunk, claim.checks).anomalies;
      r.counterexample = std::move(cx);
      break;
    }
  }
  return r;
}

}  // namespace

ClaimResult check_claim(const Claim& claim, const ClaimBudget& given) {
  const auto start = std::chrono::steady_clock::now();
  ClaimBudget budget = given;
  // The impl core implements the reference rules only: a variant runs on the reference world alone.
  const spec::WorldConfig& w = claim.profile.config;
  if (w.broker.rules != spec::BrokerRules::kafka_2_5 || w.client_rules != spec::ClientRules::java_2_5) {
    budget.differential = false;
  }
  ClaimResult r = search(claim, claim.profile, budget);
  if (budget.race_search && r.counterexample && has_late_poll(r.counterexample->shrunk)) {
    // The shrinker keeps a late poll only when the story needs it. Is there a
    // story without the race? Search again with races ruled out.
    WorldProfile race_free = claim.profile;
    race_free.late_polls = false;
    // Searched first on one producer, partition and broker: a history of that
    // world is a history of the claim's world too (it leaves the rest idle),
    // and the stories without the race are long, so a small world finds them
    // sooner. Only the claim's own prefix (if any) needs the whole shape.
    if (race_free.prefix.empty()) {
      race_free.config.producers = 1;
      race_free.config.partitions = 1;
      race_free.config.brokers = 1;
      race_free.weight(K::send_same) = 0;
      race_free.weight(K::move_leader) = 0;
    }
    ClaimResult again = search(claim, race_free, budget);
    r.race_free_histories = again.histories;
    r.coverage.merge(again.coverage);
    if (again.divergence) {
      r.divergence = again.divergence;
      r.divergence_index = again.divergence_index;
    } else if (again.counterexample) {
      r.counterexample = std::move(again.counterexample);
    } else {
      r.needs_race = true;
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace idemcheck::properties
