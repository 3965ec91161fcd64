// `idemcheck check`: the broker differential check.
#include <chrono>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/properties/broker_check.hpp"
#include "idemcheck/properties/broker_differential.hpp"
#include "idemcheck/properties/search.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck check [options]\n"
    "\n"
    "The broker differential check: random histories of broker operations played\n"
    "on the reference model (spec) and the optimized dedup core (impl), compared\n"
    "after every step. Each history draws its own broker settings (cached\n"
    "batches 1..8, producer.id.expiration.ms 1000, 3000 or Kafka's 86400000,\n"
    "either snapshot layout) so that expiry and every case below is reached;\n"
    "--set pins a setting for every history. The check fails (exit 1) when a\n"
    "case of the coverage table never occurred: the run could not have seen a\n"
    "bug there.\n"
    "\n"
    "options:\n"
    "  --seed N          seed (default: random, printed)\n"
    "  --histories N     number of histories (default 2000)\n"
    "  --max-size N      RapidCheck size cap, 1..100 (default 100); histories hold\n"
    "                    up to 5 * size operations\n"
    "  --history I       replay only history number I of the run (as printed with a failure)\n"
    "  --set KEY=VALUE   broker setting: producer.id.expiration.ms (Kafka: 86400000),\n"
    "                    idemcheck.broker.cached.batches (1..8, Kafka: 5),\n"
    "                    idemcheck.snapshot.keeps.window (true|false, Kafka: false)\n"
    "  --quiet           print only the verdict\n";

// The check runs the broker alone: only broker settings apply.
std::optional<std::string> apply_broker_setting(spec::BrokerConfig& broker, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) return fmt::format("--set expects key=value, got '{}'", assignment);
  const std::string key = assignment.substr(0, eq);
  if (key.starts_with("idemcheck.initial") || key == "idemcheck.allow.unsafe.in.flight") {
    return fmt::format("'{}' is a setting of the world, not of the broker check", key);
  }
  if (key == "idemcheck.broker.rules" || key == "idemcheck.client.rules") {
    // A differential compares two implementations of the same rules, and the impl core has
    // only the reference ones; the variants are for `explore` and `matrix`.
    return fmt::format("'{}' does not apply to the differential check: the impl core follows kafka-2.5 and "
                       "java-2.5 only (use explore or matrix for the variants)",
                       key);
  }
  spec::WorldConfig world;
  world.broker = broker;
  bool unsafe = false, known = false;
  if (auto e = apply_world_setting(world, unsafe, key, assignment.substr(eq + 1), known)) return e;
  if (!known) {
    return fmt::format("unknown broker setting '{}' (known: producer.id.expiration.ms, "
                       "idemcheck.broker.cached.batches, idemcheck.snapshot.keeps.window)",
                       key);
  }
  broker = world.broker;
  return std::nullopt;
}

}  // namespace

int run_check_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("check", args, {{"--seed", true},
                                           {"--histories", true},
                                           {"--max-size", true},
                                           {"--history", true},
                                           {"--set", true, true},
                                           {"--quiet"}}, kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  std::uint64_t seed = std::random_device{}();
  std::uint64_t histories = 2000, max_size = 100, only = 0;
  for (auto e : {read_unsigned(o, "--seed", 0, UINT64_MAX, seed),
                 read_unsigned(o, "--histories", 1, 100'000'000, histories),
                 read_unsigned(o, "--max-size", 1, 100, max_size), read_unsigned(o, "--history", 0, UINT64_MAX - 1, only)}) {
    if (e) {
      fmt::print(err, "idemcheck check: {}\n", *e);
      return 2;
    }
  }
  // Settings are validated once here and applied on top of each history's
  // drawn settings below.
  std::vector<std::string> sets;
  if (const auto it = o.values.find("--set"); it != o.values.end()) sets = it->second;
  spec::BrokerConfig pinned;
  for (const std::string& s : sets) {
    if (auto e = apply_broker_setting(pinned, s)) {
      fmt::print(err, "idemcheck check: {}\n", *e);
      return 2;
    }
  }
  std::string set_args;
  for (const std::string& s : sets) set_args += fmt::format(" --set {}", s);
  const bool quiet = o.has("--quiet");
  const bool one = o.value("--history").has_value();
  const std::uint64_t first = one ? only : 0;
  const std::uint64_t last = one ? only + 1 : histories;
  const int size_cap = static_cast<int>(max_size);

  if (!quiet) {
    fmt::print(out, "idemcheck check: broker differential, spec vs impl\n");
    fmt::print(out, "  seed {}  histories {}  max size {}  settings: {}\n", seed, last - first, size_cap,
               sets.empty() ? std::string("drawn per history") : fmt::format("drawn per history, pinned{}", set_args));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto gen = properties::gen_broker_history();
  properties::BrokerCoverage coverage;
  for (std::uint64_t i = first; i < last; ++i) {
    properties::BrokerHistory h =
        gen(rc::Random(properties::history_seed(seed, i)), properties::history_size(i, size_cap)).value();
    for (const std::string& s : sets) (void)apply_broker_setting(h.config, s);  // validated above
    const auto run = properties::run_broker_differential(h);
    coverage.merge(run.coverage);
    if (run.divergence) {
      const auto& d = *run.divergence;
      std::ostringstream ops;
      for (std::size_t k = 0; k <= d.step && k < h.ops.size(); ++k) ops << "    " << k << ": " << h.ops[k] << "\n";
      fmt::print(out, "\nFAILED: spec and impl disagree on the {} at step {} of history {}\n", d.what, d.step, i);
      fmt::print(out, "  operation: {}\n  spec: {}\n  impl: {}\n  history up to the failing step:\n{}", d.operation,
                 d.spec_side, d.impl_side, ops.str());
      fmt::print(out, "  settings: cached batches {}, producer.id.expiration.ms {}, snapshot keeps window {}\n",
                 h.config.window, h.config.producer_id_expiration_ms, h.config.snapshot_keeps_window);
      // The drawn history is long; the shortest op list that still diverges is what a reader debugs.
      const auto shrunk = properties::shrink_broker_history(h, properties::impl_core());
      const auto& sd = shrunk.divergence;
      fmt::print(out, "  shrunk to {} ops ({} replays): spec and impl disagree on the {} at step {}\n{}",
                 shrunk.history.ops.size(), shrunk.replays, sd.what, sd.step,
                 properties::format_ops(shrunk.history, sd.step));
      fmt::print(out, "  operation: {}\n  spec: {}\n  impl: {}\n", sd.operation, sd.spec_side, sd.impl_side);
      fmt::print(out, "  replay: idemcheck check --seed {} --history {} --max-size {}{}\n", seed, i, size_cap,
                 set_args);
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!quiet) {
    fmt::print(out, "\n  {:<46} {:>10}\n", "case reached", "count");
    for (std::size_t c = 0; c < properties::kBrokerCaseCount; ++c) {
      fmt::print(out, "  {:<46} {:>10}\n", properties::name(static_cast<properties::BrokerCase>(c)), coverage.counts[c]);
    }
  }
  // A replay of one history is for looking at a failure, not for coverage.
  if (const auto missing = coverage.missing(); !missing.empty() && !one) {
    std::string names;
    for (const properties::BrokerCase c : missing) names += fmt::format("{}{}", names.empty() ? "" : ", ", properties::name(c));
    fmt::print(out,
               "\nFAILED: spec and impl agreed on {} histories, but these cases never occurred, so a bug there "
               "could not be seen: {} (more --histories, or fewer --set pins)\n",
               coverage.histories, names);
    return 1;
  }
  fmt::print(out, "\nOK: spec and impl agreed on {} histories, {} steps ({:.1f} s)\n", coverage.histories,
             coverage.steps, seconds);
  return 0;
}

}  // namespace idemcheck::cli
