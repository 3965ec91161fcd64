#include "check_command.hpp"

#include <chrono>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <rapidcheck.h>

#include "idemcheck/properties/broker_differential.hpp"

namespace idemcheck::cli {

namespace {

// Each history has its own seed derived from the run's seed and its index, so
// that one history can be replayed alone (--history I) without the others.
std::uint64_t history_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int history_size(std::uint64_t index, int max_size) {
  return static_cast<int>(index % static_cast<std::uint64_t>(max_size)) + 1;
}

}  // namespace

int run_check(const CheckOptions& o, std::FILE* out) {
  const std::uint64_t seed = o.seed_given ? o.seed : std::random_device{}();
  const auto start = std::chrono::steady_clock::now();
  const auto gen = properties::gen_broker_history();

  const std::uint64_t first = o.only_history.value_or(0);
  const std::uint64_t last = o.only_history ? first + 1 : o.histories;
  if (!o.quiet) {
    fmt::print(out, "idemcheck check: broker differential, spec vs impl\n");
    fmt::print(out, "  seed {}  histories {}  max size {}  window {}  producer.id.expiration.ms {}  "
                    "snapshot keeps window {}\n",
               seed, last - first, o.max_size, o.broker.window, o.broker.producer_id_expiration_ms,
               o.broker.snapshot_keeps_window);
  }

  properties::BrokerCoverage coverage;
  for (std::uint64_t i = first; i < last; ++i) {
    properties::BrokerHistory h = gen(rc::Random(history_seed(seed, i)), history_size(i, o.max_size)).value();
    h.config = o.broker;  // the command checks one configuration: the one asked for
    const auto run = properties::run_broker_differential(h);
    coverage.merge(run.coverage);
    if (run.divergence) {
      const auto& d = *run.divergence;
      std::ostringstream ops;
      for (std::size_t k = 0; k <= d.step && k < h.ops.size(); ++k) ops << "    " << k << ": " << h.ops[k] << "\n";
      fmt::print(out, "\nFAILED: spec and impl disagree on the {} at step {} of history {}\n", d.what, d.step, i);
      fmt::print(out, "  operation: {}\n  spec: {}\n  impl: {}\n  history up to the failing step:\n{}", d.operation,
                 d.spec_side, d.impl_side, ops.str());
      fmt::print(out, "  replay: idemcheck check --seed {} --history {} --max-size {}\n", seed, i, o.max_size);
      return 1;
    }
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.quiet) {
    fmt::print(out, "\n  {:<46} {:>10}\n", "case reached", "count");
    for (std::size_t c = 0; c < properties::kBrokerCaseCount; ++c) {
      fmt::print(out, "  {:<46} {:>10}\n", properties::name(static_cast<properties::BrokerCase>(c)), coverage.counts[c]);
    }
  }
  fmt::print(out, "\nOK: spec and impl agreed on {} histories, {} steps ({:.1f} s)\n", coverage.histories,
             coverage.steps, seconds);
  return 0;
}

}  // namespace idemcheck::cli
