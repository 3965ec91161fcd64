#include "idemcheck/report/timeline.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "idemcheck/properties/world_run.hpp"

namespace idemcheck::report {

namespace {

// `checker` has been given every step before this one.
SideStep capture(const spec::World& w, std::vector<spec::Effect> effects, spec::IncrementalChecker& checker) {
  SideStep s;
  checker.observe(w, effects);
  s.effects = std::move(effects);
  s.observation = w.observe();
  s.entries = s.observation.partition_producers;  // the same entries World::producer_entries gives
  for (int p = 0; p < w.config().producers; ++p) s.in_flight.push_back(w.in_flight(p));
  s.anomalies = checker.anomalies();
  return s;
}

bool overlaps(const spec::RecordRange& a, const spec::RecordRange& b) {
  return a.origin == b.origin && a.first < b.first + b.count && b.first < a.first + a.count;
}

bool contains(const spec::RecordRange& outer, const spec::RecordRange& inner) {
  return outer.origin == inner.origin && outer.first <= inner.first &&
         inner.first + inner.count <= outer.first + outer.count;
}

// Record ranges of one application, sorted by first record, for the
// lookups below: the ranges that can overlap or contain a range start at most
// the longest range's count before it, so a lookup scans only that stretch
// (in a world two ranges of an application are equal or disjoint: a few).
struct RangeIndex {
  struct Item {
    std::int64_t first;
    std::size_t index;
  };
  std::map<int, std::vector<Item>> by_origin;
  std::map<int, std::int64_t> longest;

  void add(const spec::RecordRange& r, std::size_t index) {
    by_origin[r.origin].push_back(Item{r.first, index});
    auto& l = longest[r.origin];
    l = std::max(l, r.count);
  }
  void sort() {
    for (auto& [origin, items] : by_origin) {
      std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.first < b.first; });
    }
  }
  // Calls f(index) for every range that starts in [r.first - longest, r.first + r.count].
  template <class F>
  void near(const spec::RecordRange& r, F&& f) const {
    const auto it = by_origin.find(r.origin);
    if (it == by_origin.end()) return;
    const std::int64_t from = r.first - longest.at(r.origin);
    auto k = std::lower_bound(it->second.begin(), it->second.end(), from,
                              [](const Item& a, std::int64_t v) { return a.first < v; });
    for (; k != it->second.end() && k->first <= r.first + r.count; ++k) f(k->index);
  }
};

template <class T>
std::vector<T> sorted(const std::set<T>& s) {
  return std::vector<T>(s.begin(), s.end());
}

// The log entries and sends an anomaly report is about, found with the
// checker's own definitions (every instance, not only the first), each list
// in order (log order, send order).
Involved involved_in(const Timeline& t, std::size_t report) {
  using spec::Anomaly;
  using State = spec::SendOutcome::State;
  const spec::AnomalyReport& r = t.anomalies[report];
  Involved out{report, {}, {}};
  const int q = r.partition;
  if (q < 0 || static_cast<std::size_t>(q) >= t.logs.size()) return out;
  const auto& log = t.logs[static_cast<std::size_t>(q)];
  RangeIndex log_ranges, send_ranges;
  for (std::size_t i = 0; i < log.size(); ++i) log_ranges.add(log[i].records, i);
  for (std::size_t s = 0; s < t.sends.size(); ++s) {
    if (t.sends[s].partition == q) send_ranges.add(t.sends[s].records, s);
  }
  log_ranges.sort();
  send_ranges.sort();
  std::set<std::size_t> entries, sends;
  auto holding = [&](const spec::RecordRange& rr) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    log_ranges.near(rr, [&](std::size_t i) {
      if (contains(log[i].records, rr) && (!best || i < *best)) best = i;
    });
    return best;
  };
  auto sends_overlapping = [&](const spec::RecordRange& rr) {
    send_ranges.near(rr, [&](std::size_t s) {
      if (overlaps(t.sends[s].records, rr)) sends.insert(s);
    });
  };
  switch (r.kind) {
    case Anomaly::duplicate: {
      std::set<std::size_t> earlier;  // the first entry of some overlapping pair
      for (std::size_t j = 0; j < log.size(); ++j) {
        log_ranges.near(log[j].records, [&](std::size_t i) {
          if (i >= j || !overlaps(log[i].records, log[j].records)) return;
          entries.insert(i);
          entries.insert(j);
          earlier.insert(i);
        });
      }
      for (std::size_t i : earlier) sends_overlapping(log[i].records);
      break;
    }
    case Anomaly::lost_write:
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        if (sr.partition == q && sr.outcome.state == State::acknowledged && !holding(sr.records)) sends.insert(s);
      }
      break;
    case Anomaly::inconsistent_offsets: {
      std::map<std::int64_t, std::vector<std::size_t>> at_offset;
      for (std::size_t i = 0; i < log.size(); ++i) at_offset[log[i].first_offset].push_back(i);
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        if (sr.partition != q || sr.outcome.state != State::acknowledged || sr.outcome.offset < 0) continue;
        const auto it = at_offset.find(sr.outcome.offset);
        const bool holds = it != at_offset.end() && std::any_of(it->second.begin(), it->second.end(), [&](std::size_t i) {
                             return log[i].records == sr.records;
                           });
        if (holds) continue;
        sends.insert(s);
        if (it != at_offset.end()) entries.insert(it->second.begin(), it->second.end());
      }
      break;
    }
    case Anomaly::failed_but_written:
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        const auto e = sr.outcome.error;
        if (sr.partition != q || sr.outcome.state != State::failed || e == spec::Error::delivery_timeout ||
            e == spec::Error::network_exception || e == spec::Error::request_timed_out ||
            e == spec::Error::not_enough_replicas_after_append) {
          continue;
        }
        if (const auto at = holding(sr.records)) {
          sends.insert(s);
          entries.insert(*at);
        }
      }
      break;
    case Anomaly::stuck_send:
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        if (t.sends[s].partition == q && t.sends[s].outcome.state == State::pending) sends.insert(s);
      }
      break;
    case Anomaly::nonmonotonic_send: {
      // Per producer session, every pair of sends written in the other order:
      // a send is in such a pair iff a later send of its session is at a lower
      // offset, or an earlier one at a higher offset.
      struct Held {
        std::size_t send, entry;
        std::int64_t offset;
      };
      std::map<std::pair<int, int>, std::vector<Held>> sessions;
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        if (sr.partition != q) continue;
        if (const auto at = holding(sr.records)) sessions[{sr.producer, sr.session}].push_back({s, *at, log[*at].first_offset});
      }
      for (const auto& [key, held] : sessions) {
        std::vector<std::int64_t> min_after(held.size() + 1, std::numeric_limits<std::int64_t>::max());
        for (std::size_t k = held.size(); k-- > 0;) min_after[k] = std::min(min_after[k + 1], held[k].offset);
        std::int64_t max_before = std::numeric_limits<std::int64_t>::min();
        for (std::size_t k = 0; k < held.size(); ++k) {
          if (min_after[k + 1] < held[k].offset || max_before > held[k].offset) {
            sends.insert(held[k].send);
            entries.insert(held[k].entry);
          }
          max_before = std::max(max_before, held[k].offset);
        }
      }
      break;
    }
  }
  for (std::size_t i : entries) out.log_entries.push_back(LogRef{q, i});
  out.sends = sorted(sends);
  return out;
}

}  // namespace

Timeline build_timeline(const spec::History& history, bool run_impl) {
  Timeline t;
  t.config = history.config;
  if (run_impl && (history.config.broker.rules != spec::BrokerRules::kafka_2_5 ||
                   history.config.client_rules != spec::ClientRules::java_2_5)) {
    // The impl core is the reference rules only: a lockstep run of a variant would report
    // the variant's differences as the core's bugs.
    run_impl = false;
    t.impl_skipped = "the impl core follows kafka-2.5 and java-2.5 only; this history names broker " +
                     std::string(spec::name(history.config.broker.rules)) + ", client " +
                     std::string(spec::name(history.config.client_rules));
  }
  t.impl_ran = run_impl;
  spec::World reference(history.config);
  spec::IncrementalChecker reference_checker(history.config);
  spec::IncrementalChecker impl_checker(history.config);
  std::unique_ptr<spec::World> impl;
  std::string impl_failure;
  if (run_impl) {
    try {
      impl = std::make_unique<spec::World>(history.config, properties::impl_components());
    } catch (const std::exception& e) {
      impl_failure = std::string("the impl world could not be built: ") + e.what();
    }
  }
  std::vector<std::size_t> log_sizes(static_cast<std::size_t>(history.config.partitions), 0);
  t.steps.reserve(history.events.size());
  for (std::size_t i = 0; i < history.events.size(); ++i) {
    Step step;
    step.event = history.events[i];
    step.spec = capture(reference, reference.apply(step.event), reference_checker);
    if (run_impl && impl) {
      try {
        step.impl = capture(*impl, impl->apply(step.event), impl_checker);
        step.effects_differ = step.impl->effects != step.spec.effects;
        step.state_differs = step.impl->observation != step.spec.observation;
      } catch (const std::exception& e) {
        step.impl_failure = std::string("the impl world failed: ") + e.what();
        impl.reset();  // its state is unknown from here on
      }
    } else if (run_impl && !impl_failure.empty() && i == 0) {
      step.impl_failure = impl_failure;
    }
    const Step* prev = t.steps.empty() ? nullptr : &t.steps.back();
    for (int q = 0; q < history.config.partitions; ++q) {
      const auto uq = static_cast<std::size_t>(q);
      if (prev ? prev->spec.entries[uq] != step.spec.entries[uq] : !step.spec.entries[uq].empty()) {
        step.changed_partitions.push_back(q);
      }
      const auto& log = reference.log(q);
      for (std::size_t k = log_sizes[uq]; k < log.size(); ++k) step.written.push_back(LogRef{q, k});
      log_sizes[uq] = log.size();
    }
    for (int p = 0; p < history.config.producers; ++p) {
      const auto up = static_cast<std::size_t>(p);
      if (prev ? prev->spec.in_flight[up] != step.spec.in_flight[up] : !step.spec.in_flight[up].empty()) {
        step.changed_producers.push_back(p);
      }
    }
    if (!t.first_divergence && run_impl && step.disagrees()) t.first_divergence = i;
    if (!step.disagrees()) {
      // Compared already and shown only where the sides differ: a long replay keeps no copy of them.
      step.spec.observation = {};
      step.impl.reset();
    }
    if (!t.first_anomaly && !step.spec.anomalies.empty()) t.first_anomaly = i;
    t.steps.push_back(std::move(step));
  }
  t.anomalies = reference_checker.anomalies();
  if (auto stuck = properties::stuck_send_report(reference)) t.anomalies.push_back(std::move(*stuck));
  for (int q = 0; q < history.config.partitions; ++q) t.logs.push_back(reference.log(q));
  t.sends = reference.sends();
  for (std::size_t r = 0; r < t.anomalies.size(); ++r) t.involved.push_back(involved_in(t, r));
  return t;
}

io::ReplayOutcome replay_outcome(const Timeline& t) {
  io::ReplayOutcome o;
  for (const auto& a : t.anomalies) o.anomalies.push_back(a.kind);
  if (t.impl_ran) o.spec_impl_agree = !t.first_divergence.has_value();
  return o;
}

std::string batch_label(const spec::BatchStamp& s) {
  std::ostringstream os;
  os << "b" << s.batch_id;
  if (s.base_sequence >= 0) {
    os << " seq " << s.base_sequence;
    if (s.record_count > 1) os << ".." << spec::last_sequence(s.base_sequence, s.record_count);
    if (s.stamp.epoch >= 0) os << " e" << s.stamp.epoch;
  }
  return os.str();
}

std::string cached_label(const spec::CachedBatch& b) {
  std::ostringstream os;
  os << "seq " << b.first_sequence;
  if (b.last_sequence != b.first_sequence) os << ".." << b.last_sequence;
  os << " @" << b.first_offset;
  if (b.last_offset != b.first_offset) os << ".." << b.last_offset;
  return os.str();
}

std::string records_label(const spec::RecordRange& r) {
  std::ostringstream os;
  os << r;
  return os.str();
}

}  // namespace idemcheck::report
