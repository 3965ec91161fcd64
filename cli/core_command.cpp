// `idemcheck conform --core CMD`: a dedup core in any language, run as a
// subprocess speaking the core protocol (docs/core-protocol.md), checked by
// the broker differential against the reference model, and then run as the
// broker of the simulated world next to the reference world.
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/process/subprocess_partition.hpp"
#include "idemcheck/properties/broker_check.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/spec/world.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck conform --core COMMAND [options]\n"
    "\n"
    "Checks a dedup core run as a subprocess that speaks the core protocol\n"
    "(newline-delimited JSON on its stdin and stdout, one answer per broker\n"
    "operation; see docs/core-protocol.md). First the broker differential:\n"
    "random histories of broker operations (only those the core says it\n"
    "supports) played on the reference model and on the core, every answer and\n"
    "the whole producer state compared after every step; the first divergence\n"
    "is shrunk to a shortest operation list. Then --world histories of the\n"
    "simulated world with the core as every partition's broker, compared with\n"
    "the reference world after every event. Exit status: 0 the core agreed,\n"
    "1 it diverged (the shrunk counterexample is printed), 2 bad usage or a\n"
    "core that broke the protocol (exited, hung, answered nonsense).\n"
    "\n"
    "options:\n"
    "  --core COMMAND     the core's command line (split into words, quotes\n"
    "                     honoured, no shell), e.g.\n"
    "                     'python3 examples/python-core/core.py --bug dedup-newest-only'\n"
    "  --seed N           seed of the histories (default: random, printed)\n"
    "  --histories N      broker histories (default 300)\n"
    "  --max-size N       RapidCheck size, 1..100 (default 100; up to 5 ops per unit)\n"
    "  --history I        replay broker history I of --seed alone\n"
    "  --world N          world histories with the core as broker (default 20; 0: none)\n"
    "  --timeout-ms N     the longest wait for one answer of the core (default 10000)\n"
    "  --no-shrink        print the divergence as drawn\n"
    "  --quiet            print only the verdict\n";

// A world divergence is shrunk by replaying whole worlds, each starting one
// core process per partition of every broker: far dearer than a broker op
// list, so the shrink gets a budget.
constexpr std::uint64_t kWorldShrinkCandidates = 400;

std::string core_line(const process::CoreCommand& command) { return process::to_string(command); }

}  // namespace

int run_conform_core_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto started = start_command("conform", args,
                                     {{"--core", true},
                                      {"--seed", true},
                                      {"--histories", true},
                                      {"--max-size", true},
                                      {"--history", true},
                                      {"--world", true},
                                      {"--timeout-ms", true},
                                      {"--no-shrink"},
                                      {"--quiet"}},
                                     kUsage, out, err);
  if (const int* status = std::get_if<int>(&started)) return *status;
  const ParsedOptions& o = std::get<ParsedOptions>(started);
  std::uint64_t seed = std::random_device{}();
  std::uint64_t histories = 300, max_size = 100, only = 0, worlds = 20, timeout_ms = 10'000;
  for (auto e : {read_unsigned(o, "--seed", 0, UINT64_MAX, seed),
                 read_unsigned(o, "--histories", 1, 100'000'000, histories),
                 read_unsigned(o, "--max-size", 1, 100, max_size),
                 read_unsigned(o, "--history", 0, UINT64_MAX - 1, only),
                 read_unsigned(o, "--world", 0, 1'000'000, worlds),
                 read_unsigned(o, "--timeout-ms", 1, 3'600'000, timeout_ms)}) {
    if (e) {
      fmt::print(err, "idemcheck conform: {}\n", *e);
      return 2;
    }
  }
  const auto line = o.value("--core");
  if (!line) {
    fmt::print(err, "idemcheck conform: --core COMMAND is required here\n");
    return 2;
  }
  process::CoreCommand command;
  try {
    command = process::parse_core_command(*line);
  } catch (const std::exception& e) {
    fmt::print(err, "idemcheck conform: --core: {}\n", e.what());
    return 2;
  }
  const bool quiet = o.has("--quiet");
  const bool one = o.value("--history").has_value();
  process::CoreOptions core_options;
  core_options.timeout = std::chrono::milliseconds(timeout_ms);

  try {
    // What the core supports decides which ops its histories may contain.
    const process::CoreInfo info = process::probe_core(command, spec::BrokerConfig{}, core_options);
    properties::CoreSupport support;
    support.replicate = info.supports_op("replicate");
    support.expire = info.supports_op("expire");
    support.snapshot = info.supports_op("snapshot");
    support.restart = info.supports_op("restart");
    support.damage = info.supports_op("damage");
    support.copy = true;  // a copy is a replay from empty: every core has one
    properties::CoreUnderTest core = properties::core_from_factory(
        info.name,
        [command, core_options](const spec::BrokerConfig& config) {
          return process::start_core(command, config, core_options);
        },
        support);
    core.max_window = info.max_window.value_or(8);
    std::string unsupported;
    for (const char* op : {"replicate", "expire", "snapshot", "restart", "damage"}) {
      if (!info.supports_op(op)) unsupported += fmt::format("{}{}", unsupported.empty() ? "" : ", ", op);
    }
    const std::string replay_core = fmt::format("--core '{}'", core_line(command));
    if (!quiet) {
      fmt::print(out, "idemcheck conform: core '{}' ({}), broker differential against the reference model\n",
                 info.name, core_line(command));
      fmt::print(out, "  seed {}  histories {}  max size {}  window up to {}  not supported (left out): {}\n", seed,
                 one ? 1 : histories, max_size, core.max_window, unsupported.empty() ? "nothing" : unsupported);
    }
    properties::BrokerCheckOptions options;
    options.seed = seed;
    options.first = one ? only : 0;
    options.histories = one ? 1 : histories;
    options.max_size = static_cast<int>(max_size);
    options.shrink = !o.has("--no-shrink");
    const auto start = std::chrono::steady_clock::now();
    const properties::BrokerCheckResult result = properties::check_broker_core(core, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.failure) {
      const auto& f = *result.failure;
      const auto& h = f.shrunk ? f.shrunk->history : f.original;
      const auto& d = f.shrunk ? f.shrunk->divergence : f.divergence;
      fmt::print(out, "\nFAILED: the reference model and core '{}' disagree on the {} at step {} of broker history {}\n",
                 info.name, d.what, d.step, f.index);
      if (f.shrunk) {
        fmt::print(out, "  shrunk from {} to {} ops ({} replays, each from an empty core):\n", f.original.ops.size(),
                   h.ops.size(), f.shrunk->replays);
      } else {
        fmt::print(out, "  the history up to the failing step:\n");
      }
      fmt::print(out, "{}", properties::format_ops(h, d.step));
      fmt::print(out, "  operation: {}\n  spec: {}\n  core: {}\n", d.operation, d.spec_side, d.impl_side);
      fmt::print(out, "  settings: cached batches {}, producer.id.expiration.ms {}, snapshot keeps window {}\n",
                 h.config.window, h.config.producer_id_expiration_ms, h.config.snapshot_keeps_window);
      fmt::print(out, "  replay: idemcheck conform {} --seed {} --history {} --max-size {} --world 0\n", replay_core,
                 seed, f.index, max_size);
      return 1;
    }
    if (!quiet) {
      fmt::print(out, "\n  {:<46} {:>10}\n", "case reached", "count");
      for (std::size_t c = 0; c < properties::kBrokerCaseCount; ++c) {
        fmt::print(out, "  {:<46} {:>10}\n", properties::name(static_cast<properties::BrokerCase>(c)),
                   result.coverage.counts[c]);
      }
    }
    fmt::print(out, "OK: core '{}' agreed with the reference model on {} broker histories, {} steps ({:.1f} s)\n",
               info.name, result.coverage.histories, result.coverage.steps, seconds);
    if (one || worlds == 0) return 0;

    // The world with the core as its broker: every partition of every broker
    // is a process of the core; the producers run the reference sequencer.
    spec::Components components = spec::reference_components();
    components.partition = [&core](const spec::BrokerConfig& config) { return core.make(config, 0); };
    const auto gen = properties::gen_any_world_history();
    const spec::CheckSet checks;
    const auto world_start = std::chrono::steady_clock::now();
    std::uint64_t events = 0;
    for (std::uint64_t i = 0; i < worlds; ++i) {
      spec::History h = gen(rc::Random(properties::history_seed(seed ^ 0x9e3779b97f4a7c15ULL, i)),
                            properties::history_size(i, static_cast<int>(max_size)))
                            .value();
      // A world whose window the core does not keep is not the core's to run.
      if (h.config.broker.window > core.max_window) h.config.broker.window = core.max_window;
      // The world restarts brokers and sweeps expired producers as events; a
      // core without those operations runs histories without those events.
      std::erase_if(h.events, [&](const spec::Event& e) {
        return (e.kind == spec::Event::Kind::restart_broker && !support.restart) ||
               (e.kind == spec::Event::Kind::expire && !support.expire);
      });
      if (!support.damage) {
        for (spec::Event& e : h.events) e.damage = spec::SnapshotDamage::none;
      }
      const auto run = properties::run_world_differential(h, checks, components);
      events += run.coverage.events;
      if (!run.divergence) continue;
      auto still_fails = [&](const spec::History& c) {
        return properties::run_world_differential(c, checks, components).divergence.has_value();
      };
      spec::History shown = h;
      shrinkers::ShrinkStats stats;
      if (!o.has("--no-shrink")) {
        shrinkers::ShrinkOptions so;
        so.max_candidates = kWorldShrinkCandidates;
        shown = shrinkers::shrink_history(h, still_fails, stats, so);
      }
      const auto again = properties::run_world_differential(shown, checks, components);
      const auto& d = again.divergence ? *again.divergence : *run.divergence;
      fmt::print(out, "\nFAILED: in the world, core '{}' as the broker and the reference world disagree on the {} "
                      "at event {} of world history {}\n",
                 info.name, d.what, d.step, i);
      fmt::print(out, "  shrunk from {} to {} events ({} replays, budget {}):\n", h.events.size(), shown.events.size(),
                 stats.candidates, kWorldShrinkCandidates);
      for (std::size_t k = 0; k < shown.events.size() && k <= d.step; ++k) {
        std::ostringstream e;
        e << shown.events[k];
        fmt::print(out, "    {}: {}\n", k, e.str());
      }
      fmt::print(out, "  event: {}\n  reference: {}\n  core: {}\n", d.event, d.spec_side, d.impl_side);
      fmt::print(out, "  replay: idemcheck conform {} --seed {} --histories 1 --world {}\n", replay_core, seed, i + 1);
      return 1;
    }
    const double world_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - world_start).count();
    fmt::print(out, "OK: core '{}' as the world's broker agreed with the reference world on {} world histories, {} "
                    "events ({:.1f} s)\n",
               info.name, worlds, events, world_seconds);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(err, "idemcheck conform: core '{}' failed: {}\n", core_line(command), e.what());
    return 2;
  }
}

}  // namespace idemcheck::cli
