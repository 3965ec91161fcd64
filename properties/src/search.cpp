#include "idemcheck/properties/search.hpp"

namespace idemcheck::properties {

std::uint64_t history_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int history_size(std::uint64_t index, int max_size) {
  return static_cast<int>(index % static_cast<std::uint64_t>(max_size)) + 1;
}

spec::History draw_history(const rc::Gen<spec::History>& gen, std::uint64_t seed, std::uint64_t index, int max_size) {
  return gen(rc::Random(history_seed(seed, index)), history_size(index, max_size)).value();
}

spec::History shrink_with_rapidcheck(const rc::Shrinkable<spec::History>& failing,
                                     const std::function<bool(const spec::History&)>& fails, ShrinkStats& stats) {
  const auto start = std::chrono::steady_clock::now();
  rc::Shrinkable<spec::History> current = failing;
  spec::History best = current.value();
  stats.original_length = best.events.size();
  bool progress = true;
  while (progress) {
    progress = false;
    auto shrinks = current.shrinks();
    while (auto next = shrinks.next()) {
      ++stats.candidates;
      spec::History candidate = next->value();
      if (fails(candidate)) {
        ++stats.accepted;
        current = *next;
        best = std::move(candidate);
        progress = true;
        break;
      }
    }
  }
  stats.shrunk_length = best.events.size();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return best;
}

}  // namespace idemcheck::properties
