// `idemcheck replay FILE`: replay a saved history on the reference world and
// the impl world in lockstep, print its timeline, optionally draw it as HTML.
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/io/history_file.hpp"
#include "idemcheck/report/html_chart.hpp"
#include "idemcheck/report/timeline.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck replay FILE [--html OUT.html] [--no-impl]\n"
    "\n"
    "Replays a saved history (a history file, see docs/history-format.md) on the\n"
    "reference world and, in lockstep, on the world built from the impl components,\n"
    "and prints a numbered timeline: each step's event and effects (impl's only\n"
    "where they differ), the producer state on the brokers and the producers'\n"
    "in-flight batches where the step changed them, the first step where spec and\n"
    "impl disagree, the first step with an anomaly, and the anomalies at the end.\n"
    "Exit status: 0 when spec and impl agree and the outcome matches the file's\n"
    "\"expect\" (if any), 1 otherwise, 2 for bad usage or a bad file.\n"
    "\n"
    "options:\n"
    "  --html OUT.html   also write the timeline as a message sequence chart\n"
    "                    (a self-contained HTML page)\n"
    "  --no-impl         run the reference world only\n";

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

std::string settings_text(const io::HistoryFile& f) {
  std::string out;
  for (const auto& [k, v] : f.producer) out += (out.empty() ? "" : ", ") + k + "=" + v;
  if (out.empty()) out = "Kafka's defaults";
  if (f.allow_unsafe_in_flight) out += " (allow_unsafe_in_flight)";
  return out;
}

}  // namespace

int run_replay_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto parsed = parse_options(args, {{"--html", true}, {"--no-impl"}, {"--help"}});
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    fmt::print(err, "idemcheck replay: {}\n", *e);
    return 2;
  }
  const ParsedOptions& o = std::get<ParsedOptions>(parsed);
  if (o.has("--help")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  if (o.positional.size() != 1) {
    fmt::print(err, "idemcheck replay: expected one history file, got {}\n\n{}", o.positional.size(), kUsage);
    return 2;
  }
  const std::string path = o.positional.front();
  const auto loaded = io::load_history_file(path);
  if (const auto* e = std::get_if<io::LoadError>(&loaded)) {
    fmt::print(err, "idemcheck replay: {}: {}\n", path, e->describe());
    return 2;
  }
  const io::LoadedHistory& lh = std::get<io::LoadedHistory>(loaded);
  const io::HistoryFile& file = lh.file;
  const bool run_impl = !o.has("--no-impl");
  const report::Timeline t = report::build_timeline(lh.history, run_impl);

  fmt::print(out, "idemcheck replay {}\n", path);
  if (!file.description.empty()) {
    std::istringstream lines(file.description);
    for (std::string line; std::getline(lines, line);) fmt::print(out, "  {}\n", line);
  }
  fmt::print(out, "world: {} producer(s), {} partition(s), {} broker(s); producer: {}; broker: "
                  "producer.id.expiration.ms={}, cached_batches={}, snapshot_keeps_window={}; initial epoch {}\n",
             file.producers, file.partitions, file.brokers, settings_text(file),
             file.broker.producer_id_expiration_ms, file.broker.window, file.broker.snapshot_keeps_window,
             file.initial_epoch);
  fmt::print(out, "{}\n\n", run_impl ? "running spec and impl in lockstep" : "running spec only (--no-impl)");

  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const report::Step& s = t.steps[i];
    const std::string note = i < file.notes.size() && !file.notes[i].empty() ? "   # " + file.notes[i] : "";
    fmt::print(out, "{:>4}  {}{}\n", i + 1, str(s.event), note);
    if (s.spec.effects.empty()) fmt::print(out, "        (nothing happens)\n");
    for (const auto& e : s.spec.effects) fmt::print(out, "        {}\n", str(e));
    for (int q : s.changed_partitions) {
      fmt::print(out, "        = p{} on broker: {}\n", q, entries_text(s.spec.entries[static_cast<std::size_t>(q)]));
    }
    for (int p : s.changed_producers) {
      fmt::print(out, "        = P{} in flight: {}\n", p, in_flight_text(s.spec.in_flight[static_cast<std::size_t>(p)]));
    }
    if (t.first_divergence == i) fmt::print(out, "  >>> spec and impl disagree first here\n");
    if (!s.impl_failure.empty()) fmt::print(out, "  >>> impl: {}\n", s.impl_failure);
    if (s.impl && s.effects_differ) {
      fmt::print(out, "  >>> impl's effects differ:\n");
      if (s.impl->effects.empty()) fmt::print(out, "        impl: (nothing happens)\n");
      for (const auto& e : s.impl->effects) fmt::print(out, "        impl: {}\n", str(e));
    }
    if (s.impl && s.state_differs) {
      fmt::print(out, "  >>> impl's component state differs:\n");
      for (std::size_t q = 0; q < s.spec.entries.size(); ++q) {
        if (s.spec.entries[q] != s.impl->entries[q]) {
          fmt::print(out, "        spec p{} on broker: {}\n        impl p{} on broker: {}\n", q,
                     entries_text(s.spec.entries[q]), q, entries_text(s.impl->entries[q]));
        }
      }
      const auto& a = s.spec.observation.sequencers;
      const auto& b = s.impl->observation.sequencers;
      for (std::size_t p = 0; p < a.size() && p < b.size(); ++p) {
        if (!(a[p] == b[p])) fmt::print(out, "        spec P{} sequencer: {}\n        impl P{} sequencer: {}\n", p, str(a[p]), p, str(b[p]));
      }
      if (s.spec.observation.log_end_offsets != s.impl->observation.log_end_offsets) {
        fmt::print(out, "        log end offsets differ\n");
      }
    }
    if (t.first_anomaly == i) {
      for (const auto& a : s.spec.anomalies) fmt::print(out, "  !!! first anomaly: {}\n", str(a));
    }
  }

  fmt::print(out, "\n");
  if (t.anomalies.empty()) {
    fmt::print(out, "anomalies after the last step: none\n");
  } else {
    fmt::print(out, "anomalies after the last step (first present after step {}):\n",
               t.first_anomaly ? *t.first_anomaly + 1 : t.steps.size());
    for (const auto& a : t.anomalies) fmt::print(out, "  {}\n", str(a));
  }
  if (run_impl) {
    fmt::print(out, "spec and impl: {}\n",
               t.first_divergence ? fmt::format("DISAGREE from step {}", *t.first_divergence + 1)
                                  : std::string("agree at every step"));
  }
  const auto mismatches = io::expectation_mismatches(file.expect, report::replay_outcome(t));
  if (file.expect) {
    std::string want;
    if (file.expect->anomalies) want = "anomalies: " + io::anomaly_list(*file.expect->anomalies);
    if (file.expect->spec_impl_agree) {
      want += (want.empty() ? "" : "; ") + std::string("spec and impl ") +
              (*file.expect->spec_impl_agree ? "agree" : "disagree");
    }
    fmt::print(out, "expected: {}{}\n", want, run_impl ? "" : " (agreement not checked: --no-impl)");
  }
  for (const auto& m : mismatches) fmt::print(out, "MISMATCH: {}\n", m);

  if (const auto html = o.value("--html")) {
    report::ChartText text{std::filesystem::path(path).filename().string(), file.description, file.notes};
    std::FILE* f = std::fopen(html->c_str(), "wb");
    const std::string page = report::html_chart(t, text);
    if (f == nullptr || std::fwrite(page.data(), 1, page.size(), f) != page.size()) {
      if (f != nullptr) std::fclose(f);
      fmt::print(err, "idemcheck replay: cannot write '{}'\n", *html);
      return 2;
    }
    if (std::fclose(f) != 0) {
      fmt::print(err, "idemcheck replay: cannot write '{}'\n", *html);
      return 2;
    }
    fmt::print(out, "chart written to {}\n", *html);
  }
  const bool ok = mismatches.empty();
  fmt::print(out, "{}\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace idemcheck::cli
