// idemcheck_prover_bench: what the explicit-state prover costs, per state it
// keeps and per piece of a successor it tries. Side by side in one run: the
// visited set (KeySet, exact keys in chunks) against std::unordered_set of
// strings on the same real state keys, and the world's queue (Fifo) against
// std::deque on a copy; then a World copy, its state key, and whole cells of
// the grid in states per second. The keys are those of a breadth-first run of
// the m = 5, w = 5 idempotent cell, drawn once up front.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "fifo.hpp"
#include "idemcheck/spec/explicit_search.hpp"
#include "idemcheck/spec/small_world.hpp"
#include "idemcheck/spec/world.hpp"
#include "key_set.hpp"

namespace {

using namespace idemcheck;

spec::SymbolicConfig cell(int m, int w, bool idem) {
  return spec::resolve(spec::SymbolicConfig{m, w, idem, 0, 0, false});
}

// 20,000 distinct reachable worlds of one cell, breadth first from a fixed list
// of events: states the prover keeps.
const std::vector<spec::World>& worlds() {
  static const std::vector<spec::World> ws = [] {
    const spec::SymbolicConfig c = cell(5, 5, true);
    std::vector<spec::World> out{spec::World(spec::small_world_config(c))};
    std::unordered_set<std::string> seen{out[0].state_key()};
    using K = spec::Event::Kind;
    for (std::size_t i = 0; out.size() < 20'000; ++i) {
      for (K k : {K::send, K::drain, K::deliver_request, K::deliver_response, K::lose_response, K::break_connection}) {
        spec::World next = out[i];
        spec::Event e;
        e.kind = k;
        if (k == K::send) e.count = 1;
        if (k == K::send && static_cast<int>(next.sends().size()) >= c.batches) continue;
        next.apply(e);
        if (seen.insert(next.state_key()).second) out.push_back(std::move(next));
      }
    }
    return out;
  }();
  return ws;
}

// 200,000 distinct keys: the worlds' keys, each with ten suffixes (the status byte the search adds
// and more), so that the sets grow as the search's does. Each is inserted twice (new, then a
// duplicate), as most successors the search tries were seen before.
const std::vector<std::string>& keys() {
  static const std::vector<std::string> ks = [] {
    std::vector<std::string> out;
    for (char suffix = 0; suffix < 10; ++suffix) {
      for (const spec::World& w : worlds()) out.push_back(w.state_key() + suffix);
    }
    return out;
  }();
  return ks;
}

void BM_VisitedSet_KeySet(benchmark::State& state) {
  keys();  // drawn before the timing
  std::size_t bytes = 0;
  for (auto _ : state) {
    spec::detail::KeySet set;
    for (int twice = 0; twice < 2; ++twice) {
      for (const std::string& k : keys()) benchmark::DoNotOptimize(set.insert(k));
    }
    bytes = set.bytes();
  }
  state.SetItemsProcessed(state.iterations() * 2 * static_cast<std::int64_t>(keys().size()));
  state.counters["set_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_VisitedSet_KeySet)->Unit(benchmark::kMillisecond);

void BM_VisitedSet_UnorderedSetOfStrings(benchmark::State& state) {
  keys();
  for (auto _ : state) {
    std::unordered_set<std::string> set;
    for (int twice = 0; twice < 2; ++twice) {
      for (const std::string& k : keys()) benchmark::DoNotOptimize(set.insert(k).second);
    }
  }
  state.SetItemsProcessed(state.iterations() * 2 * static_cast<std::int64_t>(keys().size()));
}
BENCHMARK(BM_VisitedSet_UnorderedSetOfStrings)->Unit(benchmark::kMillisecond);

// A producer's queues as the world holds them: a few, mostly empty or short.
template <class Q>
void copy_queues(benchmark::State& state) {
  std::vector<Q> qs(5);
  qs[0].push_back(1);
  qs[0].push_back(2);
  qs[1].push_back(3);
  for (auto _ : state) {
    std::vector<Q> copy = qs;
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_QueueCopy_Fifo(benchmark::State& state) { copy_queues<spec::detail::Fifo<std::uint64_t>>(state); }
void BM_QueueCopy_StdDeque(benchmark::State& state) { copy_queues<std::deque<std::uint64_t>>(state); }
BENCHMARK(BM_QueueCopy_Fifo);
BENCHMARK(BM_QueueCopy_StdDeque);

void BM_WorldCopy(benchmark::State& state) {
  const auto& ws = worlds();
  std::size_t i = 0;
  for (auto _ : state) {
    spec::World copy = ws[i++ % ws.size()];
    benchmark::DoNotOptimize(&copy);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorldCopy);

void BM_WorldStateKey(benchmark::State& state) {
  const auto& ws = worlds();
  std::string key;
  std::size_t i = 0;
  for (auto _ : state) {
    ws[i++ % ws.size()].state_key(key);
    benchmark::DoNotOptimize(key.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorldStateKey);

// Whole cells: the first 100,000 states of each (items = states kept).
void BM_ExplicitCell(benchmark::State& state) {
  const spec::SymbolicConfig c = cell(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                      state.range(2) != 0);
  spec::ExplicitOptions o;
  o.max_states = 100'000;
  std::uint64_t states = 0;
  for (auto _ : state) {
    const auto r = spec::explore_cell(c, o);
    states += r.states;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(states));
  state.SetLabel("items/s = states kept per second");
}
BENCHMARK(BM_ExplicitCell)->Args({5, 5, 1})->Args({3, 2, 0})->Args({7, 6, 1})->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
