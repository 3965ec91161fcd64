#include "timeline_text.hpp"

#include <sstream>

#include <fmt/format.h>

namespace idemcheck::cli {

namespace {

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string in_flight_text(const std::vector<std::pair<int, spec::BatchStamp>>& f) {
  std::string out;
  for (const auto& [q, s] : f) out += (out.empty() ? "" : ", ") + report::batch_label(s) + " (p" + std::to_string(q) + ")";
  return out.empty() ? "none" : out;
}

std::string entries_text(const std::vector<spec::ProducerEntry>& entries) {
  if (entries.empty()) return "no producer state";
  std::string out;
  for (const auto& e : entries) {
    out += (out.empty() ? "" : "; ") + fmt::format("pid {} epoch {}:", e.producer_id, e.epoch);
    if (e.batches.empty()) out += " (no batches)";
    for (const auto& b : e.batches) out += " [" + report::cached_label(b) + "]";
  }
  return out;
}

}  // namespace

std::string format_timeline(const report::Timeline& t, const std::vector<std::string>& notes) {
  std::string out;
  const auto& file_notes = notes;
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const report::Step& s = t.steps[i];
    const std::string note = i < file_notes.size() && !file_notes[i].empty() ? "   # " + file_notes[i] : "";
    out += fmt::format("{:>4}  {}{}\n", i + 1, str(s.event), note);
    if (s.spec.effects.empty()) out += fmt::format("        (nothing happens)\n");
    for (const auto& e : s.spec.effects) out += fmt::format("        {}\n", str(e));
    for (int q : s.changed_partitions) {
      out += fmt::format("        = p{} on broker: {}\n", q, entries_text(s.spec.entries[static_cast<std::size_t>(q)]));
    }
    for (int p : s.changed_producers) {
      out += fmt::format("        = P{} in flight: {}\n", p, in_flight_text(s.spec.in_flight[static_cast<std::size_t>(p)]));
    }
    for (const auto& e : s.spec.effects) {
      if (e.kind == spec::Effect::Kind::late_poll) {
        out += fmt::format("  ~~~ race: this poll crossed a delivery deadline (about a millisecond wide in Kafka)\n");
      }
    }
    if (t.first_divergence == i) out += fmt::format("  >>> spec and impl disagree first here\n");
    if (!s.impl_failure.empty()) out += fmt::format("  >>> impl: {}\n", s.impl_failure);
    if (s.impl && s.effects_differ) {
      out += fmt::format("  >>> impl's effects differ:\n");
      if (s.impl->effects.empty()) out += fmt::format("        impl: (nothing happens)\n");
      for (const auto& e : s.impl->effects) out += fmt::format("        impl: {}\n", str(e));
    }
    if (s.impl && s.state_differs) {
      out += fmt::format("  >>> impl's component state differs:\n");
      for (std::size_t q = 0; q < s.spec.entries.size(); ++q) {
        if (s.spec.entries[q] != s.impl->entries[q]) {
          out += fmt::format("        spec p{} on broker: {}\n        impl p{} on broker: {}\n", q,
                     entries_text(s.spec.entries[q]), q, entries_text(s.impl->entries[q]));
        }
      }
      const auto& a = s.spec.observation.sequencers;
      const auto& b = s.impl->observation.sequencers;
      for (std::size_t p = 0; p < a.size() && p < b.size(); ++p) {
        if (!(a[p] == b[p])) out += fmt::format("        spec P{} sequencer: {}\n        impl P{} sequencer: {}\n", p, str(a[p]), p, str(b[p]));
      }
      if (s.spec.observation.log_end_offsets != s.impl->observation.log_end_offsets) {
        out += fmt::format("        log end offsets differ\n");
      }
    }
    if (t.first_anomaly == i) {
      for (const auto& a : s.spec.anomalies) out += fmt::format("  !!! first anomaly: {}\n", str(a));
    }
  }

  return out;
}

std::string format_timeline(const spec::History& history) {
  return format_timeline(report::build_timeline(history, true));
}

}  // namespace idemcheck::cli
