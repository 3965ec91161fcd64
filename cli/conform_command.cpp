// `idemcheck conform`: the broker differential over the wire.
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/conform/wire_differential.hpp"
#include "idemcheck/frontend/server.hpp"
#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/spec/broker_rules.hpp"
#include "options.hpp"
#ifdef IDEMCHECK_HAVE_CONFORM_MOCK
#include "idemcheck/conform/rdkafka_mock_target.hpp"
#endif

namespace idemcheck::cli {

namespace {

namespace conform = idemcheck::conform;

const char* kUsage =
    "usage: idemcheck conform (--bootstrap HOST:PORT | --target NAME) [options]\n"
    "\n"
    "The broker differential over the wire: the project's own minimal producer\n"
    "drives a running Kafka-protocol broker with generated lists of operations\n"
    "(appends, retries of recent and evicted batches, partial overlaps, gaps,\n"
    "bumped and stale epochs, new producer ids, KIP-360 bumps, batches without a\n"
    "producer id, lost answers, reconnects, pipelines of up to 5 batches) and\n"
    "compares every answer -- error code, and the base offset, which tells a\n"
    "duplicate -- with the reference partition, step by step. A lost answer keeps\n"
    "both possibilities (handled or not) until a later answer decides. Every run\n"
    "uses fresh producer ids; expiry, restarts and snapshots are not driven. A\n"
    "divergence is shrunk to a shortest op list (each candidate replayed against\n"
    "the broker from fresh producers) and printed with a command that replays it.\n"
    "Exit status: 0 no divergence, 1 a divergence, 2 bad usage or a broker that\n"
    "cannot be talked to.\n"
    "\n"
    "A dedup core in any language is checked with --core instead:\n"
    "  idemcheck conform --core COMMAND [options]  (its options: --core X --help)\n"
    "\n"
    "target (exactly one):\n"
    "  --bootstrap HOST:PORT[,...]  a running broker (Kafka, Redpanda, ...); the harness\n"
    "                    must be the only writer of the topic's partition 0\n"
    "  --target frontend        the project's own front end, in process (reference partition)\n"
    "  --target frontend-impl   the front end with the optimized dedup core (impl)\n"
    "  --target librdkafka-mock librdkafka's mock cluster, in process (needs a build with\n"
    "                    the clients, IDEMCHECK_BUILD_CLIENTS)\n"
    "\n"
    "options:\n"
    "  --topic NAME      the topic (default idemcheck-conform; auto-created through\n"
    "                    Metadata where the broker allows it)\n"
    "  --seed N          seed (default: random, printed)\n"
    "  --runs N          op lists to try (default 100)\n"
    "  --max-ops N       each list holds 1..N ops (default 40)\n"
    "  --run R           only run number R of the seed (as a failure prints it)\n"
    "  --ops \"OPS\"       run exactly this op list and print every exchange, e.g.\n"
    "                    \"append_next p0; retry_recent p0 1; pipeline p1 3 r2\"\n"
    "                    (KIND [pSLOT] [ARG] [rRECORDS], ops separated by ';')\n"
    "  --rules NAME      the spec's broker rules (default kafka-2.5)\n"
    "  --window N        batches the spec caches per producer, 1..8 (default 5, Kafka's)\n"
    "  --timeout-ms N    bound on every connect, write and read (default 5000)\n"
    "  --all             go on after a divergence; shrink the first of each kind\n"
    "  --no-shrink       do not shrink a divergence\n"
    "  --quiet           print only the verdict\n";

// An in-process target, kept alive while the check runs.
struct Target {
  std::unique_ptr<frontend::FrontEnd> front_end;
#ifdef IDEMCHECK_HAVE_CONFORM_MOCK
  std::unique_ptr<conform::RdkafkaMockCluster> mock;
#endif
  std::string bootstrap;
  std::string description;
  std::string replay_args;  // what a replay command needs to reach the same target
};

void print_exchanges(std::FILE* out, const conform::RunResult& r, std::size_t op, const char* indent) {
  for (const conform::Exchange& ex : r.exchanges) {
    if (ex.op != op) continue;
    fmt::print(out, "{}{}\n{}  broker: {}\n", indent, ex.request, indent, ex.broker);
    if (!ex.spec.empty()) fmt::print(out, "{}  spec:   {}\n", indent, ex.spec);
  }
}

// The numbered op list with each op's exchanges, up to the failing step.
void print_run(std::FILE* out, const std::vector<conform::WireOp>& ops, const conform::RunResult& r) {
  const std::size_t last = r.divergence ? r.divergence->step : ops.size() - 1;
  for (std::size_t i = 0; i <= last && i < ops.size(); ++i) {
    fmt::print(out, "    {:>2}: {}{}\n", i, conform::to_string(ops[i]),
               r.divergence && i == r.divergence->step ? "   <- diverges" : "");
    print_exchanges(out, r, i, "          ");
  }
}

void print_divergence(std::FILE* out, const conform::Divergence& d) {
  fmt::print(out, "  at op {} ({}): {}\n", d.step, d.operation, conform::name(d.kind));
  fmt::print(out, "    sends:  {}\n    spec:   {}\n    broker: {}\n", d.request, d.spec_answer, d.broker_answer);
  if (d.after_lost_answer) {
    fmt::print(out, "    (a lost answer came before: the verdict assumes the broker handled that request, if at "
                    "all, before the next one)\n");
  }
}

void print_stats(std::FILE* out, const conform::RunStats& s, double seconds) {
  fmt::print(out, "  ops {}  Produce requests {}  InitProducerId requests {}\n", s.ops, s.produce_requests,
             s.init_producer_id_requests);
  fmt::print(out,
             "  lost answers {}  answers of unknown effect {}  not written (6, 19) {}  reconnects {}  "
             "most spec branches {}\n",
             s.lost_answers, s.unknown_fate, s.not_written, s.reconnects, s.max_branches);
  fmt::print(out, "  init_bump fallbacks to a new id {}  producer ids handed out twice {}\n", s.bump_fallbacks,
             s.reused_producer_ids);
  if (seconds > 0) fmt::print(out, "  {:.2f} s, {:.0f} ops/s\n", seconds, static_cast<double>(s.ops) / seconds);
}

}  // namespace

int run_conform_command(const Args& args, std::FILE* out, std::FILE* err) {
  // ------------------------------------------------------------------
  // `--core CMD`: a dedup core in a subprocess, behind the wire front end.
  // Dispatched to its own command (cli/conform_core_command.cpp) before any
  // of this command's own option parsing.
  for (const std::string& a : args) {
    if (a == "--core" || a.starts_with("--core=")) return run_conform_core_command(args, out, err);
  }
  // ------------------------------------------------------------------

  const auto started = start_command("conform", args,
                                     {{"--bootstrap", true},
                                      {"--target", true},
                                      {"--topic", true},
                                      {"--seed", true},
                                      {"--runs", true},
                                      {"--max-ops", true},
                                      {"--run", true},
                                      {"--ops", true},
                                      {"--rules", true},
                                      {"--window", true},
                                      {"--timeout-ms", true},
                                      {"--all"},
                                      {"--no-shrink"},
                                      {"--quiet"}},
                                     kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  auto usage_error = [&](const std::string& message) {
    fmt::print(err, "idemcheck conform: {}\n", message);
    return 2;
  };

  std::uint64_t seed = std::random_device{}();
  std::uint64_t runs = 100, max_ops = 40, only = 0, window = 5, timeout_ms = 5000;
  for (auto e : {read_unsigned(o, "--seed", 0, UINT64_MAX, seed), read_unsigned(o, "--runs", 1, 100'000'000, runs),
                 read_unsigned(o, "--max-ops", 1, 10'000, max_ops), read_unsigned(o, "--run", 0, UINT64_MAX - 1, only),
                 read_unsigned(o, "--window", 1, 8, window), read_unsigned(o, "--timeout-ms", 1, 600'000, timeout_ms)}) {
    if (e) return usage_error(*e);
  }
  const auto bootstrap_opt = o.value("--bootstrap");
  const auto target_opt = o.value("--target");
  if (bootstrap_opt.has_value() == target_opt.has_value()) {
    return usage_error("give exactly one of --bootstrap HOST:PORT and --target NAME (see --help)");
  }
  const std::string topic = o.value("--topic").value_or("idemcheck-conform");
  if (topic.empty() || topic.size() > 249) return usage_error("the topic name must have 1..249 characters");
  spec::BrokerConfig broker;
  broker.window = static_cast<int>(window);
  if (const auto rules = o.value("--rules")) {
    if (!spec::parse_broker_rules(*rules, broker.rules)) {
      return usage_error(fmt::format("unknown broker rules '{}' (e.g. kafka-2.5, kafka-4.5, redpanda, kfake)", *rules));
    }
  }
  std::optional<std::vector<conform::WireOp>> given_ops;
  if (const auto text = o.value("--ops")) {
    auto parsed = conform::parse_ops(*text);
    if (const auto* e = std::get_if<std::string>(&parsed)) return usage_error("--ops: " + *e);
    given_ops = std::get<std::vector<conform::WireOp>>(parsed);
    if (o.value("--run") || o.value("--seed") || o.value("--runs") || o.value("--max-ops") || o.has("--all")) {
      return usage_error("--ops runs the list it is given: --seed, --runs, --max-ops, --run and --all do not apply");
    }
  }
  const bool quiet = o.has("--quiet");

  // Settings a replay needs to meet the same spec.
  std::string spec_args;
  if (broker.rules != spec::BrokerConfig{}.rules) spec_args += fmt::format(" --rules {}", spec::name(broker.rules));
  if (broker.window != spec::BrokerConfig{}.window) spec_args += fmt::format(" --window {}", broker.window);
  const std::string topic_args = o.value("--topic") ? fmt::format(" --topic {}", topic) : std::string();

  Target target;
  try {
    if (bootstrap_opt) {
      target.bootstrap = *bootstrap_opt;
      target.description = "broker at " + *bootstrap_opt;
      target.replay_args = fmt::format("--bootstrap {}{}", *bootstrap_opt, topic_args);
    } else if (*target_opt == "frontend" || *target_opt == "frontend-impl") {
      const bool impl = *target_opt == "frontend-impl";
      if (impl && broker.rules != spec::BrokerRules::kafka_2_5) {
        return usage_error("--target frontend-impl: the impl core follows kafka-2.5 only (drop --rules)");
      }
      frontend::ClusterConfig config;
      config.brokers = 3;
      config.topic = topic;
      config.broker = broker;
      if (impl) config.partition = properties::make_impl_partition;
      target.front_end = std::make_unique<frontend::FrontEnd>(config);
      target.front_end->start();
      target.bootstrap = target.front_end->bootstrap();
      target.description = impl ? "the project's front end (impl dedup core), in process"
                                 : "the project's front end (reference partition), in process";
      target.replay_args = fmt::format("--target {}{}", *target_opt, topic_args);
    } else if (*target_opt == "librdkafka-mock") {
#ifdef IDEMCHECK_HAVE_CONFORM_MOCK
      target.mock = std::make_unique<conform::RdkafkaMockCluster>(3, topic);
      target.bootstrap = target.mock->bootstrap();
      target.description = "librdkafka " + conform::RdkafkaMockCluster::librdkafka_version() +
                           "'s mock cluster (3 brokers), in process";
      target.replay_args = fmt::format("--target librdkafka-mock{}", topic_args);
#else
      return usage_error("--target librdkafka-mock: this idemcheck was built without librdkafka "
                         "(configured with IDEMCHECK_BUILD_CLIENTS=OFF)");
#endif
    } else {
      return usage_error(
          fmt::format("unknown target '{}' (known: frontend, frontend-impl, librdkafka-mock)", *target_opt));
    }
  } catch (const std::exception& e) {
    fmt::print(err, "idemcheck conform: cannot start the target: {}\n", e.what());
    return 2;
  }
  const std::string replay_base = fmt::format("idemcheck conform {}{}", target.replay_args, spec_args);

  try {
    conform::WireTarget wt;
    wt.bootstrap = conform::parse_bootstrap(target.bootstrap);
    wt.topic = topic;
    wt.timeout_ms = static_cast<int>(timeout_ms);
    conform::WireDifferential d(wt, broker);
    if (!quiet) {
      const conform::ChosenVersions v = d.versions();
      fmt::print(out, "idemcheck conform: {}\n", target.description);
      fmt::print(out, "  topic {} partition 0, leader {}; versions: Produce v{}, Metadata v{}, InitProducerId v{}, "
                      "ApiVersions v{}\n",
                 topic, conform::to_string(d.leader()), v.produce, v.metadata, v.init_producer_id, v.api_versions);
      fmt::print(out, "  spec: rules {}, {} cached batches per producer\n", spec::name(broker.rules), broker.window);
    }

    if (given_ops) {
      const auto start = std::chrono::steady_clock::now();
      const conform::RunResult r = d.run(*given_ops);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!quiet || r.divergence) {
        fmt::print(out, "\n  ops{}:\n", r.divergence ? " up to the diverging one" : "");
        print_run(out, *given_ops, r);
      }
      if (r.divergence) {
        fmt::print(out, "\nFAILED: the broker diverges from the spec ({})\n", conform::signature(*r.divergence));
        print_divergence(out, *r.divergence);
        return 1;
      }
      if (r.inconclusive) {
        fmt::print(out, "\nNO VERDICT: {}\n", *r.inconclusive);
        return 0;
      }
      fmt::print(out, "\nOK: the broker agreed with the spec on all {} ops ({:.3f} s)\n", given_ops->size(), seconds);
      return 0;
    }

    conform::CheckOptions options;
    options.seed = seed;
    options.runs = runs;
    options.max_ops = static_cast<int>(max_ops);
    if (o.value("--run")) options.only_run = only;
    options.shrink = !o.has("--no-shrink");
    options.keep_going = o.has("--all");
    if (!quiet) {
      fmt::print(out, "  seed {}  runs {}  max ops {}\n", seed, options.only_run ? 1 : runs, max_ops);
    }
    const conform::CheckResult result = conform::check(d, options);
    if (!quiet) {
      fmt::print(out, "\n");
      print_stats(out, result.stats, result.run_seconds);
      if (result.inconclusive_runs > 0) {
        fmt::print(out, "  runs without a verdict (too many ways lost answers could have gone): {}\n",
                   result.inconclusive_runs);
      }
    }
    for (const conform::Failure& f : result.failures) {
      const conform::Divergence& d0 = *f.result.divergence;
      fmt::print(out, "\nFAILED: the broker diverges from the spec at op {} of run {}: {}\n", d0.step, f.run,
                 conform::signature(d0));
      if (options.keep_going) fmt::print(out, "  runs that diverged so ({}): {}\n", f.group, f.occurrences);
      const std::vector<conform::WireOp>* ops = &f.ops;
      const conform::RunResult* run = &f.result;
      if (f.shrunk && f.shrunk->reproduced) {
        ops = &f.shrunk->ops;
        run = &f.shrunk->result;
        fmt::print(out, "  shrunk from {} to {} ops ({} replays{}):\n", f.result.divergence->step + 1, ops->size(),
                   f.shrunk->replays, f.shrunk->budget_exhausted ? ", budget exhausted" : "");
      } else {
        if (f.shrunk) fmt::print(out, "  (the shrunk list did not diverge again: the broker's answers vary)\n");
        fmt::print(out, "  the run up to the diverging op:\n");
      }
      print_run(out, *ops, *run);
      print_divergence(out, *run->divergence);
      fmt::print(out, "  replay: {} --ops \"{}\"\n", replay_base, conform::to_string(*ops));
      fmt::print(out, "  the original run: {} --seed {} --run {} --max-ops {}\n", replay_base, seed, f.run, max_ops);
    }
    if (!result.failures.empty()) {
      if (result.shrink_seconds > 0 && !quiet) fmt::print(out, "\n  shrinking took {:.2f} s\n", result.shrink_seconds);
      return 1;
    }
    fmt::print(out, "\nOK: the broker agreed with the spec on {} runs, {} ops ({:.2f} s)\n", result.stats.runs,
               result.stats.ops, result.run_seconds);
    return 0;
  } catch (const conform::ConformError& e) {
    fmt::print(err, "idemcheck conform: {}\n", e.what());
    return 2;
  }
}

}  // namespace idemcheck::cli
