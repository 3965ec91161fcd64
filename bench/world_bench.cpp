// idemcheck_world_bench: how fast the simulation runs, in simulated events
// per second on one core: the world built from spec components, the world
// built from impl components, and the differential pair (both in lockstep,
// effects and component state compared after every event, as the suite
// runs it). The histories are the suite's own: drawn once, up front, from
// the generator the world property uses (fixed seed), so every variant runs
// the same events.
#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include <vector>

#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"

namespace {

using namespace idemcheck;

const std::vector<spec::History>& histories() {
  static const std::vector<spec::History> hs = [] {
    std::vector<spec::History> out;
    const auto gen = properties::gen_any_world_history();
    for (std::uint64_t i = 0; i < 400; ++i) out.push_back(properties::draw_history(gen, 20261128, i, 100));
    return out;
  }();
  return hs;
}

std::int64_t total_events() {
  std::int64_t n = 0;
  for (const auto& h : histories()) n += static_cast<std::int64_t>(h.events.size());
  return n;
}

void run_single(benchmark::State& state, const spec::Components& components) {
  const auto& hs = histories();
  for (auto _ : state) {
    for (const spec::History& h : hs) {
      spec::World w(h.config, components);
      for (const spec::Event& e : h.events) benchmark::DoNotOptimize(w.apply(e));
    }
  }
  state.SetItemsProcessed(state.iterations() * total_events());
}

void BM_SpecWorld(benchmark::State& state) { run_single(state, spec::reference_components()); }
void BM_ImplWorld(benchmark::State& state) { run_single(state, properties::impl_components()); }

void BM_DifferentialPair(benchmark::State& state) {
  const auto& hs = histories();
  const spec::CheckSet none{false, false, false, false, false, false};
  for (auto _ : state) {
    for (const spec::History& h : hs) benchmark::DoNotOptimize(properties::run_world_differential(h, none));
  }
  state.SetItemsProcessed(state.iterations() * total_events());
}

BENCHMARK(BM_SpecWorld)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_ImplWorld)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_DifferentialPair)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  fmt::print("{} histories, {} events in all (the world property's generator, seed 20261128)\n", histories().size(),
             total_events());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
