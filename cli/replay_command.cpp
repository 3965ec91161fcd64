// `idemcheck replay FILE`: replay a saved history on the reference world and
// the impl world in lockstep, print its timeline, optionally draw it as HTML.
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/io/history_file.hpp"
#include "idemcheck/report/html_chart.hpp"
#ifdef IDEMCHECK_HAVE_CLIENTS
#include "idemcheck/clients/run.hpp"
#include "idemcheck/clients/run_file.hpp"
#include "idemcheck/report/client_run_chart.hpp"
#endif
#include "idemcheck/report/timeline.hpp"
#include "options.hpp"
#include "timeline_text.hpp"

namespace idemcheck::cli {

namespace {

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

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

std::string settings_text(const io::HistoryFile& f) {
  std::string out;
  for (const auto& [k, v] : f.producer) out += (out.empty() ? "" : ", ") + k + "=" + v;
  if (out.empty()) out = "Kafka's defaults";
  if (f.allow_unsafe_in_flight) out += " (allow_unsafe_in_flight)";
  return out;
}

#ifdef IDEMCHECK_HAVE_CLIENTS
// A real client's run: its timeline, and its verdicts judged again from the
// saved log and reports (a mismatch means the file and the checker disagree).
int replay_client_run(const std::string& path, const std::string& text, const std::optional<std::string>& html,
                      std::FILE* out, std::FILE* err) {
  std::string error;
  const auto file = clients::from_json(text, error);
  if (!file) {
    fmt::print(err, "idemcheck replay: {}: {}\n", path, error);
    return 2;
  }
  fmt::print(out, "idemcheck replay {}\n", path);
  for (const auto& line : clients::run_header(*file)) fmt::print(out, "{}\n", line);
  fmt::print(out, "\n");
  const auto rows = clients::run_timeline(*file);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    fmt::print(out, "{:>5} {:>7} ms  {:<6} {}{}\n", i + 1, r.ms,
               r.broker >= 0 ? fmt::format("b{}", r.broker) : std::string("client"), r.text, r.bad ? "  <-- !" : "");
  }
  fmt::print(out, "\n");
  if (!file->fatal.empty()) fmt::print(out, "client: {}\n", file->fatal);
  if (const auto d = clients::first_deviation(file->trace)) {
    fmt::print(out, "conformance: {} at Produce #{} (p{}): {}\n", d->rule, d->request, d->partition, d->detail);
  } else {
    fmt::print(out, "conformance: every stamp keeps the model's invariants (C1..C5)\n");
  }
  if (const auto d = clients::first_model_deviation(file->trace)) {
    fmt::print(out, "model: {} at Produce #{} (p{}): {}\n", d->rule, d->request, d->partition, d->detail);
  } else {
    fmt::print(out, "model: the reference producer, given the same answers, would have sent every batch as the "
                    "client did (M1..M8)\n");
  }
  const auto again = clients::judge(*file);
  if (again.empty()) {
    fmt::print(out, "anomalies: none\n");
  } else {
    fmt::print(out, "anomalies:\n");
    for (const auto& a : again) fmt::print(out, "  {}\n", str(a));
  }
  const bool ok = again == file->anomalies;
  if (!ok) fmt::print(out, "MISMATCH: the file records {} anomaly report(s), the checker finds {}\n",
                      file->anomalies.size(), again.size());
  if (html) {
    const std::string page = report::client_run_chart(*file, std::filesystem::path(path).filename().string());
    std::ofstream f(*html, std::ios::binary);
    f << page;
    if (!f) {
      fmt::print(err, "idemcheck replay: cannot write '{}'\n", *html);
      return 2;
    }
    fmt::print(out, "chart written to {}\n", *html);
  }
  fmt::print(out, "{}\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
#endif

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
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
#ifdef IDEMCHECK_HAVE_CLIENTS
    if (in && clients::is_run_file(text.str())) return replay_client_run(path, text.str(), o.value("--html"), out, err);
#endif
  }
  const auto loaded = io::load_history_file(path);
  if (const auto* e = std::get_if<io::LoadError>(&loaded)) {
    fmt::print(err, "idemcheck replay: {}: {}\n", path, e->describe());
    return 2;
  }
  const io::LoadedHistory& lh = std::get<io::LoadedHistory>(loaded);
  const io::HistoryFile& file = lh.file;
  const report::Timeline t = report::build_timeline(lh.history, !o.has("--no-impl"));
  const bool run_impl = t.impl_ran;

  fmt::print(out, "idemcheck replay {}\n", path);
  if (!file.description.empty()) {
    std::istringstream lines(file.description);
    for (std::string line; std::getline(lines, line);) fmt::print(out, "  {}\n", line);
  }
  fmt::print(out, "world: {} producer(s), {} partition(s), {} broker(s); producer: {}; broker: "
                  "producer.id.expiration.ms={}, cached_batches={}, snapshot_keeps_window={}; initial epoch {}; "
                  "rules: broker {}, client {}\n",
             file.producers, file.partitions, file.brokers, settings_text(file),
             file.broker.producer_id_expiration_ms, file.broker.window, file.broker.snapshot_keeps_window,
             file.initial_epoch, spec::name(file.broker.rules), spec::name(file.client_rules));
  fmt::print(out, "{}\n\n",
             run_impl ? std::string("running spec and impl in lockstep")
                      : "running spec only (" + (t.impl_skipped.empty() ? std::string("--no-impl") : t.impl_skipped) + ")");

  fmt::print(out, "{}", format_timeline(t, file.notes));
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
    fmt::print(out, "expected: {}{}\n", want, run_impl ? std::string() : std::string(" (agreement not checked: ") + (t.impl_skipped.empty() ? "--no-impl" : "the impl core has no such variant") + ")");
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
