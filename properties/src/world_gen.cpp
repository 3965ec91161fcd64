#include "idemcheck/properties/world_gen.hpp"

#include <algorithm>
#include <vector>

namespace idemcheck::properties {

namespace {
using K = spec::Event::Kind;
}

WorldProfile faults_profile(const spec::WorldConfig& config) {
  WorldProfile p;
  p.config = config;
  p.weight(K::send) = 12;
  p.weight(K::drain) = 16;
  p.weight(K::deliver_request) = 14;
  p.weight(K::fail_request) = 3;
  p.weight(K::deliver_response) = 14;
  p.weight(K::lose_response) = 3;
  p.weight(K::break_connection) = 2;
  p.weight(K::process_zombie) = 2;
  p.weight(K::timeout) = 3;
  p.weight(K::tick) = 8;
  p.weight(K::move_leader) = config.brokers > 1 ? 1 : 0;
  // The InitProducerId answer only matters once an epoch can run out.
  p.weight(K::init_producer_id) = config.initial_epoch > 0 ? 2 : 0;
  return p;
}

WorldProfile lost_ack_profile(const spec::WorldConfig& config) {
  WorldProfile p;
  p.config = config;
  p.weight(K::send) = 10;
  p.weight(K::drain) = 14;
  p.weight(K::deliver_request) = 12;
  p.weight(K::deliver_response) = 10;
  p.weight(K::lose_response) = 4;
  p.weight(K::timeout) = 3;
  p.weight(K::break_connection) = 1;
  p.weight(K::tick) = 6;
  return p;
}

WorldProfile everything_profile(const spec::WorldConfig& config) {
  WorldProfile p = faults_profile(config);
  p.weight(K::restart_broker) = 1;
  p.weight(K::expire) = 1;
  p.weight(K::restart_producer) = 1;
  return p;
}

std::vector<spec::Event> warm_up(const spec::WorldConfig& config) {
  std::vector<spec::Event> out;
  for (int p = 0; p < config.producers; ++p) {
    for (int q = 0; q < config.partitions; ++q) {
      spec::Event e;
      e.producer = p;
      e.partition = q;
      e.broker = q % config.brokers;
      e.count = 1;
      for (K k : {K::send, K::drain, K::deliver_request, K::deliver_response}) {
        e.kind = k;
        out.push_back(e);
      }
    }
  }
  return out;
}

rc::Gen<spec::Event> gen_world_event(const WorldProfile& profile) {
  // Cumulative weights: a uniform draw below the total picks a kind.
  std::vector<std::pair<int, K>> cumulative;
  int total = 0;
  for (std::size_t i = 0; i < kEventKinds; ++i) {
    if (profile.weights[i] <= 0) continue;
    total += profile.weights[i];
    cumulative.emplace_back(total, static_cast<K>(i));
  }
  if (total == 0) cumulative.emplace_back(total = 1, K::tick);
  auto kind_gen = rc::gen::map(rc::gen::inRange(0, total), [cumulative](int r) {
    for (const auto& [bound, kind] : cumulative) {
      if (r < bound) return kind;
    }
    return cumulative.back().second;
  });
  const spec::WorldConfig c = profile.config;
  const std::int64_t max_records = profile.max_records;
  const bool huge = profile.huge_sends;
  const bool late_polls = profile.late_polls;
  const int late_odds = std::max(1, profile.late_poll_odds);
  // Mostly short steps of time, sometimes long enough for request and
  // delivery timeouts and producer-state expiry, and sometimes close to the
  // delivery timeout less the request timeout (a request sent then is still
  // in flight at its batch's deadline).
  const std::int64_t gap = std::max<std::int64_t>(
      1, profile.config.producer.delivery_timeout_ms - profile.config.producer.request_timeout_ms);
  const auto& tw = profile.tick_weights;
  auto tick_weight = [&tw](std::size_t i) { return static_cast<std::size_t>(std::max(0, tw[i])); };
  auto ms = rc::gen::weightedOneOf<std::int64_t>(
      {{tick_weight(0), rc::gen::inRange<std::int64_t>(1, 250)},
       {tick_weight(1), rc::gen::inRange<std::int64_t>(1'000, 40'000)},
       {tick_weight(2), rc::gen::inRange<std::int64_t>(std::max<std::int64_t>(1, gap - 5'000), gap + 5'000)},
       {tick_weight(3), rc::gen::inRange<std::int64_t>(100'000, 200'000)}});
  auto records = huge ? rc::gen::weightedOneOf<std::int64_t>(
                            {{6, rc::gen::inRange<std::int64_t>(1, max_records + 1)},
                             {1, rc::gen::inRange<std::int64_t>((std::int64_t{1} << 31) - 65'536, (std::int64_t{1} << 31) - 1)}})
                      : rc::gen::inRange<std::int64_t>(1, max_records + 1);
  auto error = rc::gen::element(spec::Error::not_leader_or_follower, spec::Error::not_enough_replicas,
                                spec::Error::request_timed_out, spec::Error::not_enough_replicas_after_append);
  return rc::gen::mapcat(kind_gen, [=](K kind) {
    return rc::gen::build<spec::Event>(
        rc::gen::set(&spec::Event::kind, rc::gen::just(kind)),
        rc::gen::set(&spec::Event::producer, rc::gen::inRange(0, c.producers)),
        rc::gen::set(&spec::Event::broker, rc::gen::inRange(0, c.brokers)),
        rc::gen::set(&spec::Event::partition, rc::gen::inRange(0, c.partitions)),
        rc::gen::set(&spec::Event::other, rc::gen::inRange(0, c.producers)),
        rc::gen::set(&spec::Event::count, kind == K::send ? records
                                                          : rc::gen::weightedOneOf<std::int64_t>(
                                                                {{3, rc::gen::just<std::int64_t>(0)},
                                                                 {1, rc::gen::inRange<std::int64_t>(1, 3)}})),
        rc::gen::set(&spec::Event::ms, kind == K::tick ? ms : rc::gen::just<std::int64_t>(0)),
        rc::gen::set(&spec::Event::error, kind == K::fail_request ? error : rc::gen::just(spec::Error::none)),
        rc::gen::set(&spec::Event::flag, rc::gen::arbitrary<bool>()),
        // The late-poll race is rare in Kafka; a few of the events a poll
        // handles are drawn with it, so that searches reach the stories that need it.
        rc::gen::set(&spec::Event::late_poll,
                     late_polls && (kind == K::deliver_response || kind == K::timeout || kind == K::break_connection)
                         ? rc::gen::weightedOneOf<bool>({{static_cast<std::size_t>(late_odds - 1), rc::gen::just(false)},
                                                         {1, rc::gen::just(true)}})
                         : rc::gen::just(false)),
        // A restart sometimes finds its newest snapshot torn or corrupt.
        rc::gen::set(&spec::Event::damage,
                     kind == K::restart_broker
                         ? rc::gen::weightedOneOf<spec::SnapshotDamage>(
                               {{4, rc::gen::just(spec::SnapshotDamage::none)},
                                {1, rc::gen::just(spec::SnapshotDamage::torn)},
                                {1, rc::gen::just(spec::SnapshotDamage::corrupt)}})
                         : rc::gen::just(spec::SnapshotDamage::none)));
  });
}

rc::Gen<WorldProfile> gen_any_world_profile() {
  auto shape = rc::gen::tuple(rc::gen::inRange(1, 4), rc::gen::inRange(1, 4), rc::gen::inRange(1, 4));
  auto producer = rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::inRange(1, 6), rc::gen::inRange(0, 3));
  auto broker = rc::gen::tuple(rc::gen::inRange(1, 9), rc::gen::element<std::int64_t>(20'000, 60'000, 86'400'000),
                               rc::gen::arbitrary<bool>());
  auto extras = rc::gen::tuple(rc::gen::element<std::int32_t>(0, 0, 0, 32'765), rc::gen::arbitrary<bool>());
  auto all = rc::gen::tuple(shape, producer, broker, extras);
  return rc::gen::map(rc::gen::resize(100, all), [](const auto& t) {
    const auto& [sh, pr, br, ex] = t;
    spec::WorldConfig c;
    c.producers = std::get<0>(sh);
    c.partitions = std::get<1>(sh);
    c.brokers = std::get<2>(sh);
    spec::ProducerSettings settings{{"enable.idempotence", std::get<0>(pr) ? "true" : "false"},
                                    {"max.in.flight.requests.per.connection", std::to_string(std::get<1>(pr))}};
    if (std::get<2>(pr) == 1) settings["max.in.flight.requests.per.connection"] = "1";
    if (std::get<2>(pr) == 2) settings["delivery.timeout.ms"] = "60000";
    c.producer = std::get<spec::ProducerConfig>(spec::validate_producer_settings(settings));
    c.broker.window = std::get<0>(br);
    c.broker.producer_id_expiration_ms = std::get<1>(br);
    c.broker.snapshot_keeps_window = std::get<2>(br);
    c.initial_epoch = std::get<0>(ex);
    WorldProfile p = everything_profile(c);
    p.weight(spec::Event::Kind::send_same) = c.producers > 1 ? 1 : 0;
    p.huge_sends = std::get<1>(ex);
    return p;
  });
}

rc::Gen<spec::History> gen_any_world_history() {
  return rc::gen::mapcat(gen_any_world_profile(), [](const WorldProfile& p) { return gen_world_history(p); });
}

rc::Gen<spec::History> gen_world_history(const WorldProfile& profile) {
  using Events = std::vector<spec::Event>;
  // inRange() scales with RapidCheck's size: events are drawn at full size,
  // only the number of chunks and events per chunk grow with it.
  auto event = rc::gen::resize(100, gen_world_event(profile));
  auto chunks =
      rc::gen::container<std::vector<Events>>(rc::gen::resize(profile.chunk, rc::gen::container<Events>(event)));
  const spec::WorldConfig config = profile.config;
  const Events prefix = profile.prefix;
  return rc::gen::map(chunks, [config, prefix](const std::vector<Events>& cs) {
    spec::History h;
    h.config = config;
    h.events = prefix;
    for (const Events& c : cs) h.events.insert(h.events.end(), c.begin(), c.end());
    return h;
  });
}

}  // namespace idemcheck::properties
