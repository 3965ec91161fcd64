#include "idemcheck/report/timeline.hpp"

#include <algorithm>
#include <exception>
#include <memory>
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

void add_unique(std::vector<LogRef>& v, LogRef r) {
  if (std::find(v.begin(), v.end(), r) == v.end()) v.push_back(r);
}
void add_unique(std::vector<std::size_t>& v, std::size_t i) {
  if (std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
}

// The log entries and sends an anomaly report is about, found with the
// checker's own definitions (every instance, not only the first).
Involved involved_in(const Timeline& t, std::size_t report) {
  using spec::Anomaly;
  using State = spec::SendOutcome::State;
  const spec::AnomalyReport& r = t.anomalies[report];
  Involved out{report, {}, {}};
  const int q = r.partition;
  if (q < 0 || static_cast<std::size_t>(q) >= t.logs.size()) return out;
  const auto& log = t.logs[static_cast<std::size_t>(q)];
  auto holding = [&](const spec::RecordRange& rr) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (contains(log[i].records, rr)) return i;
    }
    return std::nullopt;
  };
  auto sends_overlapping = [&](const spec::RecordRange& rr) {
    for (std::size_t s = 0; s < t.sends.size(); ++s) {
      if (t.sends[s].partition == q && overlaps(t.sends[s].records, rr)) add_unique(out.sends, s);
    }
  };
  switch (r.kind) {
    case Anomaly::duplicate:
      for (std::size_t i = 0; i < log.size(); ++i) {
        for (std::size_t j = i + 1; j < log.size(); ++j) {
          if (!overlaps(log[i].records, log[j].records)) continue;
          add_unique(out.log_entries, LogRef{q, i});
          add_unique(out.log_entries, LogRef{q, j});
          sends_overlapping(log[i].records);
        }
      }
      break;
    case Anomaly::lost_write:
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        if (sr.partition == q && sr.outcome.state == State::acknowledged && !holding(sr.records)) add_unique(out.sends, s);
      }
      break;
    case Anomaly::inconsistent_offsets:
      for (std::size_t s = 0; s < t.sends.size(); ++s) {
        const auto& sr = t.sends[s];
        if (sr.partition != q || sr.outcome.state != State::acknowledged || sr.outcome.offset < 0) continue;
        bool holds = false;
        for (const auto& b : log) holds = holds || (b.first_offset == sr.outcome.offset && b.records == sr.records);
        if (holds) continue;
        add_unique(out.sends, s);
        for (std::size_t i = 0; i < log.size(); ++i) {
          if (log[i].first_offset == sr.outcome.offset) add_unique(out.log_entries, LogRef{q, i});
        }
      }
      break;
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
          add_unique(out.sends, s);
          add_unique(out.log_entries, LogRef{q, *at});
        }
      }
      break;
    case Anomaly::nonmonotonic_send: {
      // Per producer session: a send written before an earlier send of the same session.
      for (std::size_t a = 0; a < t.sends.size(); ++a) {
        for (std::size_t b = a + 1; b < t.sends.size(); ++b) {
          const auto& sa = t.sends[a];
          const auto& sb = t.sends[b];
          if (sa.partition != q || sb.partition != q || sa.producer != sb.producer || sa.session != sb.session) continue;
          const auto ia = holding(sa.records);
          const auto ib = holding(sb.records);
          if (!ia || !ib || log[*ib].first_offset >= log[*ia].first_offset) continue;
          add_unique(out.sends, a);
          add_unique(out.sends, b);
          add_unique(out.log_entries, LogRef{q, *ia});
          add_unique(out.log_entries, LogRef{q, *ib});
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace

Timeline build_timeline(const spec::History& history, bool run_impl) {
  Timeline t;
  t.config = history.config;
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
