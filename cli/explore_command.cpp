// `idemcheck explore`: search random histories of a world configured with
// Kafka's property names for a violation of the chosen checks, shrink the
// first one found, print it with the command that replays it, and save it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/shrinkers/rc_history.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/producer_config.hpp"
#include "idemcheck/spec/world.hpp"
#include "options.hpp"
#include "timeline_text.hpp"
#ifdef IDEMCHECK_HAVE_IO
#include "idemcheck/io/history_file.hpp"
#endif

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck explore [options]\n"
    "\n"
    "Searches random histories of the simulated world for a violation of the\n"
    "checks, under a configuration given with Kafka's property names. The first\n"
    "violation is shrunk to a short history, printed with the command that\n"
    "replays the search, and saved with --out. Exit status: 0 no violation\n"
    "within the budget, 1 a violation was found, 2 bad usage or a configuration\n"
    "Kafka refuses.\n"
    "\n"
    "options:\n"
    "  --set KEY=VALUE    a producer property (enable.idempotence, acks, retries,\n"
    "                     max.in.flight.requests.per.connection, delivery.timeout.ms,\n"
    "                     ...) or a broker setting (producer.id.expiration.ms,\n"
    "                     idemcheck.broker.cached.batches, idemcheck.snapshot.keeps.window),\n"
    "                     or idemcheck.initial.epoch, idemcheck.allow.unsafe.in.flight,\n"
    "                     or a rule variant: idemcheck.broker.rules (kafka-0.11,\n"
    "                     kafka-1.0.0, kafka-1.0.2, kafka-2.0.1, kafka-2.4, kafka-2.5\n"
    "                     (default), kafka-4.5, kafka-19880, redpanda, automq, kfake),\n"
    "                     idemcheck.client.rules (java-2.4, java-2.5 (default),\n"
    "                     kafka-14034)\n"
    "                     (repeatable; applied after --config)\n"
    "  --config FILE      a .properties file of such settings\n"
    "  --producers N      producers, 1..8 (default 2)\n"
    "  --partitions N     partitions, 1..8 (default 2)\n"
    "  --brokers N        brokers, 1..8 (default 2)\n"
    "  --faults NAME      what can happen: faults (default), everything, lost-ack\n"
    "  --huge-sends       sometimes send up to 2^30 records (sequences wrap)\n"
    "  --check LIST       anomalies to look for, comma-separated: duplicate,\n"
    "                     lost-write, nonmonotonic-send, inconsistent-offsets,\n"
    "                     failed-but-written, stuck-send (liveness: a send with no\n"
    "                     outcome delivery.timeout.ms + request.timeout.ms after\n"
    "                     the faults stop), or all (default: all but stuck-send)\n"
    "  --seed N|random    seed of the search (default random, printed)\n"
    "  --histories N      histories at most (default 100000 without --time-budget)\n"
    "  --time-budget S    stop after S seconds\n"
    "  --max-size N       RapidCheck size cap, 1..100 (default 60)\n"
    "  --out FILE         save the shrunk counterexample to FILE\n"
    "  --quiet            no progress line even on a terminal\n";

bool parse_checks(const std::string& list, spec::CheckSet& out, std::string& error) {
  if (list == "all") {
    out = spec::CheckSet{};
    out.stuck_send = true;
    return true;
  }
  out = spec::CheckSet{false, false, false, false, false};
  std::stringstream ss(list);
  std::string item;
  bool any = false;
  while (std::getline(ss, item, ',')) {
    spec::Anomaly a{};
    if (!spec::parse_anomaly(item, a)) {
      error = fmt::format("unknown check '{}' (known: duplicate, lost-write, nonmonotonic-send, "
                          "inconsistent-offsets, failed-but-written, stuck-send, all)",
                          item);
      return false;
    }
    switch (a) {
      case spec::Anomaly::duplicate: out.duplicate = true; break;
      case spec::Anomaly::lost_write: out.lost_write = true; break;
      case spec::Anomaly::nonmonotonic_send: out.nonmonotonic_send = true; break;
      case spec::Anomaly::inconsistent_offsets: out.inconsistent_offsets = true; break;
      case spec::Anomaly::failed_but_written: out.failed_but_written = true; break;
      case spec::Anomaly::stuck_send: out.stuck_send = true; break;
    }
    any = true;
  }
  if (!any) error = "--check needs at least one anomaly name";
  return any;
}

std::string quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,=/:+") ==
                        std::string::npos) {
    return s;
  }
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The command line that repeats this search with the seed it used.
std::string replay_command(const Args& args, std::uint64_t seed) {
  std::string cmd = "idemcheck explore";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--seed" || a == "--out" || a == "--time-budget") {
      ++i;
      continue;
    }
    if (a.starts_with("--seed=") || a.starts_with("--out=") || a.starts_with("--time-budget=") || a == "--quiet") {
      continue;
    }
    cmd += " " + quote(a);
  }
  return cmd + fmt::format(" --seed {}", seed);
}

std::string timeline(const spec::History& h, const spec::CheckSet& checks) {
  std::string text = fmt::format("  world: {} producer(s), {} partition(s), {} broker(s)\n", h.config.producers,
                                 h.config.partitions, h.config.brokers);
  text += format_timeline(h);
  spec::World w(h.config);
  spec::IncrementalChecker checker(h.config, checks);
  for (const spec::Event& e : h.events) checker.observe(w, w.apply(e));
  std::ostringstream os;
  for (const auto& a : checker.anomalies()) os << "  => " << a << "\n";
  return text + os.str();
}

// Save a counterexample; returns an error message, or "" on success.
// With the history file library (io/) the file is a history file that
// `idemcheck` can load and replay; without it, a plain listing.
std::string save_counterexample(const std::string& path, const spec::History& h, const std::string& description) {
#ifdef IDEMCHECK_HAVE_IO
  auto file = io::from_history(h, description);
  if (const auto* e = std::get_if<std::string>(&file)) return *e;
  return io::save_history_file(path, std::get<io::HistoryFile>(file));
#else
  std::ofstream f(path);
  if (!f) return fmt::format("cannot open '{}' for writing", path);
  f << "# " << description << "\n";
  shrinkers::print_history(h, f);
  return f ? std::string() : fmt::format("cannot write '{}'", path);
#endif
}

}  // namespace

int run_explore_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto parsed = parse_options(args, {{"--set", true, true},
                                           {"--config", true},
                                           {"--producers", true},
                                           {"--partitions", true},
                                           {"--brokers", true},
                                           {"--faults", true},
                                           {"--huge-sends"},
                                           {"--check", true},
                                           {"--seed", true},
                                           {"--histories", true},
                                           {"--time-budget", true},
                                           {"--max-size", true},
                                           {"--out", true},
                                           {"--quiet"},
                                           {"--help"}});
  auto fail = [&](const std::string& message) {
    fmt::print(err, "idemcheck explore: {}\n", message);
    return 2;
  };
  if (const auto* e = std::get_if<std::string>(&parsed)) return fail(*e);
  const ParsedOptions& o = std::get<ParsedOptions>(parsed);
  if (o.has("--help")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  if (!o.positional.empty()) return fail(fmt::format("unexpected argument '{}'", o.positional.front()));

  // Settings: the file first, then --set in order.
  std::vector<std::pair<std::string, std::string>> settings;
  if (const auto path = o.value("--config")) {
    auto file = read_properties_file(*path);
    if (const auto* e = std::get_if<std::string>(&file)) return fail(*e);
    for (const auto& kv : std::get<std::map<std::string, std::string>>(file)) settings.push_back(kv);
  }
  if (const auto it = o.values.find("--set"); it != o.values.end()) {
    for (const std::string& s : it->second) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) return fail(fmt::format("--set expects KEY=VALUE, got '{}'", s));
      settings.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
  }
  spec::WorldConfig config;
  std::uint64_t producers = 2, partitions = 2, brokers = 2;
  for (auto e : {read_unsigned(o, "--producers", 1, 8, producers), read_unsigned(o, "--partitions", 1, 8, partitions),
                 read_unsigned(o, "--brokers", 1, 8, brokers)}) {
    if (e) return fail(*e);
  }
  config.producers = static_cast<int>(producers);
  config.partitions = static_cast<int>(partitions);
  config.brokers = static_cast<int>(brokers);
  bool unsafe = false;
  spec::ProducerSettings producer_settings;
  for (const auto& [key, value] : settings) {
    bool known = false;
    if (auto e = apply_world_setting(config, unsafe, key, value, known)) return fail(*e);
    if (!known) producer_settings[key] = value;
  }
  auto validated = spec::validate_producer_settings(producer_settings, unsafe);
  if (const auto* e = std::get_if<spec::ConfigError>(&validated)) {
    fmt::print(err, "idemcheck explore: invalid configuration: {}\n", e->message);
    return 2;
  }
  config.producer = std::get<spec::ProducerConfig>(validated);
  if (const std::string why = spec::check_world_config(config); !why.empty()) return fail(why);

  properties::WorldProfile profile;
  const std::string faults = o.value("--faults").value_or("faults");
  if (faults == "faults") {
    profile = properties::faults_profile(config);
  } else if (faults == "everything") {
    profile = properties::everything_profile(config);
  } else if (faults == "lost-ack") {
    profile = properties::lost_ack_profile(config);
  } else {
    return fail(fmt::format("unknown --faults profile '{}' (known: faults, everything, lost-ack)", faults));
  }
  profile.huge_sends = o.has("--huge-sends");

  spec::CheckSet checks;
  if (const auto list = o.value("--check")) {
    std::string error;
    if (!parse_checks(*list, checks, error)) return fail(error);
  }

  std::uint64_t seed = 0, histories = 0, time_budget = 0, max_size = 60;
  if (!o.value("--seed") || o.value("--seed") == "random") {
    seed = std::random_device{}();
  } else if (auto e = read_unsigned(o, "--seed", 0, UINT64_MAX, seed)) {
    return fail(*e);
  }
  for (auto e : {read_unsigned(o, "--histories", 1, UINT64_MAX, histories),
                 read_unsigned(o, "--time-budget", 1, 31'536'000, time_budget),
                 read_unsigned(o, "--max-size", 1, 100, max_size)}) {
    if (e) return fail(*e);
  }
  if (histories == 0) histories = time_budget == 0 ? 100'000 : UINT64_MAX;

  for (const std::string& note : config.producer.notes) fmt::print(err, "idemcheck explore: note: {}\n", note);
  fmt::print(out, "idemcheck explore: seed {}, {} producer(s), {} partition(s), {} broker(s), faults {}\n", seed,
             config.producers, config.partitions, config.brokers, faults);

  const bool progress = !o.has("--quiet") && isatty(fileno(out)) != 0;
  const auto gen = properties::gen_world_history(profile);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  double last_progress = -1;
  std::uint64_t checked = 0;
  std::optional<std::pair<std::uint64_t, spec::History>> found;
  for (std::uint64_t i = 0; i < histories; ++i) {
    if (time_budget != 0 && elapsed() >= static_cast<double>(time_budget)) break;
    const spec::History h = properties::draw_history(gen, seed, i, static_cast<int>(max_size));
    ++checked;
    if (!properties::run_world(h, checks).anomalies.empty()) {
      found.emplace(i, h);
      break;
    }
    if (progress && elapsed() - last_progress >= 0.25) {
      last_progress = elapsed();
      const double rate = static_cast<double>(checked) / std::max(last_progress, 1e-9);
      double left = time_budget != 0 ? static_cast<double>(time_budget) - last_progress : 0;
      if (histories != UINT64_MAX) {
        const double by_count = static_cast<double>(histories - checked) / std::max(rate, 1e-9);
        left = time_budget != 0 ? std::min(left, by_count) : by_count;
      }
      fmt::print(out, "\r{} histories checked, {:.0f}/s, 0 violations, {:.0f} s left   ", checked, rate,
                 std::max(left, 0.0));
      std::fflush(out);
    }
  }
  if (progress && last_progress >= 0) fmt::print(out, "\r{:<72}\r", "");

  if (!found) {
    fmt::print(out, "no violation in {} histories ({:.1f} s)\n", checked, elapsed());
    return 0;
  }
  const auto& [index, original] = *found;
  auto fails = [&](const spec::History& c) { return !properties::run_world(c, checks).anomalies.empty(); };
  shrinkers::ShrinkStats stats;
  const spec::History shrunk = shrinkers::shrink_history(original, fails, stats);
  const auto anomalies = properties::run_world(shrunk, checks).anomalies;
  fmt::print(out, "VIOLATION in history {} ({} events), after {} histories ({:.1f} s)\n", index,
             original.events.size(), checked, elapsed());
  fmt::print(out, "shrunk to {} events ({} candidates, {:.2f} s):\n", shrunk.events.size(), stats.candidates,
             stats.seconds);
  fmt::print(out, "{}", timeline(shrunk, checks));
  const std::string replay = replay_command(args, seed);
  fmt::print(out, "replay: {}\n", replay);
  if (const auto path = o.value("--out")) {
    std::ostringstream what;
    if (!anomalies.empty()) what << anomalies.front();
    const std::string error =
        save_counterexample(*path, shrunk, fmt::format("{} (found by: {})", what.str(), replay));
    if (!error.empty()) {
      fmt::print(err, "idemcheck explore: could not save the counterexample: {}\n", error);
      return 2;
    }
#ifdef IDEMCHECK_HAVE_IO
    fmt::print(out, "saved to {} (replay it: idemcheck replay {})\n", *path, quote(*path));
#else
    fmt::print(out, "saved to {}\n", *path);
#endif
  }
  return 1;
}

}  // namespace idemcheck::cli
