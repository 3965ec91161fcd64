#include "idemcheck/properties/world_run.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>

#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/properties/sequencer_adapter.hpp"
#include "idemcheck/spec/liveness.hpp"

namespace idemcheck::properties {

spec::Components impl_components() {
  return spec::Components{make_impl_partition, [](spec::ClientRules rules) {
                            // The impl core is the current client only: a differential of another variant
                            // would compare it with rules it does not claim to follow.
                            if (rules != spec::ClientRules::java_2_5) {
                              throw std::invalid_argument("the impl sequencer follows java-2.5 only, not " +
                                                          std::string(spec::name(rules)));
                            }
                            return make_impl_sequencer();
                          }};
}

std::string_view name(WorldPath p) {
  switch (p) {
    case WorldPath::lost_ack_then_retry: return "lost ack, then retry";
    case WorldPath::duplicate_from_cache: return "duplicate answered from the cache";
    case WorldPath::out_of_order_rejection: return "out-of-order rejection";
    case WorldPath::epoch_bump: return "epoch bump";
    case WorldPath::unresolved_sequence: return "unresolved sequence";
    case WorldPath::wrap_around: return "sequence wrap-around";
    case WorldPath::restart: return "broker or producer restart";
    case WorldPath::expiry: return "producer-state expiry";
    case WorldPath::zombie_write: return "zombie request processed";
    case WorldPath::delivery_timeout: return "delivery timeout";
    case WorldPath::count_: break;
  }
  return "unknown path";
}

void WorldCoverage::merge(const WorldCoverage& o) {
  for (std::size_t i = 0; i < kWorldPathCount; ++i) counts[i] += o.counts[i];
  histories += o.histories;
  events += o.events;
}

std::vector<WorldPath> WorldCoverage::missing(const std::vector<WorldPath>& required) const {
  std::vector<WorldPath> out;
  for (WorldPath p : required) {
    if (counts[static_cast<std::size_t>(p)] == 0) out.push_back(p);
  }
  return out;
}

void PathCounter::add(const std::vector<spec::Effect>& effects, const spec::WorldObservation& after,
                      WorldCoverage& cov) {
  using EK = spec::Effect::Kind;
  auto count = [&](WorldPath p) { ++cov.counts[static_cast<std::size_t>(p)]; };
  for (const spec::Effect& e : effects) {
    const auto key = std::make_pair(e.producer, e.batch);
    switch (e.kind) {
      case EK::batch_answered:
        if (e.duplicate) count(WorldPath::duplicate_from_cache);
        if (e.error == spec::Error::out_of_order_sequence_number) count(WorldPath::out_of_order_rejection);
        if (e.error == spec::Error::none && e.stamp.base_sequence >= 0 &&
            e.stamp.base_sequence + e.stamp.record_count - 1 > spec::kMaxSequence) {
          count(WorldPath::wrap_around);
        }
        if (e.offset >= 0 || e.error == spec::Error::not_enough_replicas_after_append) written_unacked_.insert(key);
        if (e.zombie) count(WorldPath::zombie_write);
        break;
      case EK::batch_acknowledged:
      case EK::batch_failed:
        written_unacked_.erase(key);
        break;
      case EK::batch_in_request:
        if (e.retry && written_unacked_.contains(key)) {
          count(WorldPath::lost_ack_then_retry);
        }
        break;
      case EK::epoch_bumped: count(WorldPath::epoch_bump); break;
      case EK::broker_restarted:
      case EK::producer_restarted: count(WorldPath::restart); break;
      case EK::producer_state_expired: count(WorldPath::expiry); break;
      case EK::batch_expired: count(WorldPath::delivery_timeout); break;
      default: break;
    }
  }
  for (const spec::SequencerState& s : after.sequencers) {
    for (const auto& [q, p] : s.partitions) {
      if (p.unresolved) {
        count(WorldPath::unresolved_sequence);
        break;
      }
    }
  }
}

namespace {

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string show_effects(const std::vector<spec::Effect>& effects) {
  std::ostringstream os;
  for (const auto& e : effects) os << "\n      " << e;
  return effects.empty() ? std::string(" (nothing)") : os.str();
}

std::string show_observation(const spec::WorldObservation& o) {
  std::ostringstream os;
  for (std::size_t q = 0; q < o.partition_producers.size(); ++q) {
    os << "\n      p" << q << " log end " << o.log_end_offsets[q];
    for (const auto& e : o.partition_producers[q]) os << "\n        " << e;
  }
  for (std::size_t p = 0; p < o.sequencers.size(); ++p) os << "\n      P" << p << " " << o.sequencers[p];
  return os.str();
}

}  // namespace

WorldRunResult run_world(const spec::History& history, const spec::CheckSet& checks) {
  WorldRunResult r;
  r.coverage.histories = 1;
  spec::World w(history.config);
  spec::IncrementalChecker checker(history.config, checks);
  PathCounter paths;
  for (const spec::Event& e : history.events) {
    const auto effects = w.apply(e);
    checker.observe(w, effects);
    ++r.coverage.events;
    paths.add(effects, w.observe(), r.coverage);
  }
  r.anomalies = checker.anomalies();
  r.end_time = w.now();
  if (checks.stuck_send) {
    if (auto stuck = stuck_send_report(w)) r.anomalies.push_back(std::move(*stuck));
  }
  return r;
}

std::optional<spec::AnomalyReport> stuck_send_report(const spec::World& world) {
  const spec::LivenessResult l = spec::check_liveness(world);
  if (l.live) return std::nullopt;
  std::ostringstream detail;
  if (!l.pending.empty()) {
    const spec::SendRecord& first = l.sends[l.pending.front()];
    detail << l.pending.size() << " send(s) without an outcome " << l.bound_ms
           << " ms after the faults stopped (delivery.timeout.ms + request.timeout.ms), the first P" << first.producer
           << " " << first.records;
    if (l.pending.front() >= world.sends().size()) detail << " (a probe send made after the faults stopped)";
    detail << "; " << l.tail.size() << " fault-free events run";
    return spec::AnomalyReport{spec::Anomaly::stuck_send, first.partition, detail.str()};
  }
  const spec::SendRecord& probe = l.sends[l.failed_probes.front()];
  detail << "after the faults stopped and every send completed, a new send of P" << probe.producer << " to p"
         << probe.partition << " failed with " << spec::name(probe.outcome.error) << " (" << l.failed_probes.size()
         << " of the probe sends failed; " << l.tail.size() << " fault-free events run)";
  return spec::AnomalyReport{spec::Anomaly::stuck_send, probe.partition, detail.str()};
}

WorldRunResult run_world_differential(const spec::History& history, const spec::CheckSet& checks) {
  return run_world_differential(history, checks, impl_components());
}

WorldRunResult run_world_differential(const spec::History& history, const spec::CheckSet& checks,
                                      const spec::Components& components) {
  WorldRunResult r;
  r.coverage.histories = 1;
  spec::World reference(history.config);
  spec::World optimized(history.config, components);
  spec::IncrementalChecker checker(history.config, checks);
  PathCounter paths;
  for (std::size_t i = 0; i < history.events.size(); ++i) {
    const spec::Event& e = history.events[i];
    const auto a = reference.apply(e);
    checker.observe(reference, a);
    const auto b = optimized.apply(e);
    ++r.coverage.events;
    const auto oa = reference.observe();
    paths.add(a, oa, r.coverage);
    if (a != b) {
      r.divergence = WorldDivergence{i, str(e), "effects", show_effects(a), show_effects(b)};
      break;
    }
    const auto ob = optimized.observe();
    if (oa != ob) {
      r.divergence = WorldDivergence{i, str(e), "component state", show_observation(oa), show_observation(ob)};
      break;
    }
  }
  r.anomalies = checker.anomalies();
  r.end_time = reference.now();
  if (checks.stuck_send && !r.divergence) {
    // Liveness is a claim about the reference world: the impl's agreement was checked step by step.
    if (auto stuck = stuck_send_report(reference)) r.anomalies.push_back(std::move(*stuck));
  }
  return r;
}

}  // namespace idemcheck::properties
