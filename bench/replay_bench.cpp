// What `idemcheck replay` costs per event as histories grow: the timeline
// (both worlds in lockstep, the state captured and the anomalies checked after
// every step) and its text, for valid histories of 1,000 to 100,000 events
// (the history file's limit). Flat time per event means linear cost.
//
//   idemcheck_replay_bench                        the benchmarks
//   idemcheck_replay_bench --write-history=FILE [--events=N] [--kind=mixed|expire]
//                                                 write the benchmark's history as a history file
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/report/timeline.hpp"
#include "timeline_text.hpp"

namespace {

using namespace idemcheck;
using K = spec::Event::Kind;

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

spec::Event ev(K kind, int producer = 0, int broker = 0) {
  spec::Event e;
  e.kind = kind;
  e.producer = producer;
  e.broker = broker;
  return e;
}

// A valid history of exactly `events` events (Kafka's default settings, two
// producers, two partitions on two brokers), drawn from a fixed seed: rounds
// of send, drain, request and response; some rounds lose the response, time
// the request out and retry it (answered as a duplicate from the cache); some
// let time pass or sweep expired producer state.
spec::History mixed_history(std::size_t events) {
  spec::History h;
  h.config.producers = 2;
  h.config.partitions = 2;
  h.config.brokers = 2;
  std::uint64_t seed = 20261201;
  while (h.events.size() < events) {
    const int p = static_cast<int>(splitmix(seed) % 2);
    const int q = static_cast<int>(splitmix(seed) % 2);  // partition q is led by broker q
    const std::uint64_t roll = splitmix(seed) % 100;
    spec::Event send = ev(K::send, p);
    send.partition = q;
    send.count = 1 + static_cast<std::int64_t>(splitmix(seed) % 3);
    h.events.push_back(send);
    h.events.push_back(ev(K::drain, p, q));
    h.events.push_back(ev(K::deliver_request, p, q));
    if (roll < 10) {  // the ack is lost: the request times out and the retry is a duplicate
      h.events.push_back(ev(K::lose_response, p, q));
      spec::Event timeout = ev(K::timeout, p, q);
      timeout.count = 0;
      h.events.push_back(timeout);
      spec::Event backoff = ev(K::tick);
      backoff.ms = 200;
      h.events.push_back(backoff);
      h.events.push_back(ev(K::drain, p, q));
      h.events.push_back(ev(K::deliver_request, p, q));
    }
    h.events.push_back(ev(K::deliver_response, p, q));
    if (roll >= 90 && roll < 95) {
      spec::Event tick = ev(K::tick);
      tick.ms = 1000;
      h.events.push_back(tick);
    } else if (roll >= 95) {
      h.events.push_back(ev(K::expire));
    }
  }
  h.events.resize(events);  // a cut round leaves batches in flight: still valid
  return h;
}

// Only producer-state expiry sweeps, after a few writes (the shape that was
// quadratic in the reference partition's whole-history replay).
spec::History expire_history(std::size_t events) {
  spec::History h;
  for (K k : {K::send, K::drain, K::deliver_request, K::deliver_response}) h.events.push_back(ev(k));
  while (h.events.size() < events) h.events.push_back(ev(K::expire));
  h.events.resize(events);
  return h;
}

void replay(benchmark::State& state, spec::History (*make)(std::size_t)) {
  const spec::History h = make(static_cast<std::size_t>(state.range(0)));
  std::size_t chars = 0;
  for (auto _ : state) {
    const report::Timeline t = report::build_timeline(h, true);
    chars = cli::format_timeline(t).size();
    if (t.first_divergence || !t.anomalies.empty()) state.SkipWithError("the history is not valid");
    benchmark::DoNotOptimize(chars);
  }
  const auto n = static_cast<double>(h.events.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(h.events.size()));
  state.counters["time_per_event"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate |
                                                               benchmark::Counter::kInvert);
}

void BM_Replay(benchmark::State& state) { replay(state, mixed_history); }
void BM_ReplayExpireOnly(benchmark::State& state) { replay(state, expire_history); }

// The world differential alone (what the world property and the searches run).
void BM_Differential(benchmark::State& state) {
  const spec::History h = mixed_history(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const auto r = properties::run_world_differential(h, spec::CheckSet{});
    if (r.divergence || !r.anomalies.empty()) state.SkipWithError("the history is not valid");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(h.events.size()));
  state.counters["time_per_event"] = benchmark::Counter(static_cast<double>(h.events.size()),
                                                        benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}

BENCHMARK(BM_Replay)->ArgName("events")->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplayExpireOnly)->ArgName("events")->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Differential)->ArgName("events")->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

int write_history(int argc, char** argv) {
  std::string path;
  std::size_t events = 100000;
  std::string kind = "mixed";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.starts_with("--write-history=")) {
      path = a.substr(16);
    } else if (a.starts_with("--events=")) {
      events = std::stoul(std::string(a.substr(9)));
    } else if (a.starts_with("--kind=")) {
      kind = a.substr(7);
    } else {
      fmt::print(stderr, "idemcheck_replay_bench: unknown option '{}'\n", a);
      return 2;
    }
  }
  if (kind != "mixed" && kind != "expire") {
    fmt::print(stderr, "idemcheck_replay_bench: --kind must be mixed or expire\n");
    return 2;
  }
  const spec::History h = kind == "mixed" ? mixed_history(events) : expire_history(events);
  auto file = io::from_history(h, fmt::format("{} events ({}), written by idemcheck_replay_bench", events, kind));
  if (const auto* e = std::get_if<std::string>(&file)) {
    fmt::print(stderr, "idemcheck_replay_bench: {}\n", *e);
    return 2;
  }
  auto& f = std::get<io::HistoryFile>(file);
  f.expect = io::Expectation{std::vector<spec::Anomaly>{}, true};
  if (const std::string e = io::save_history_file(path, f); !e.empty()) {
    fmt::print(stderr, "idemcheck_replay_bench: {}\n", e);
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with("--write-history=")) return write_history(argc, argv);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
