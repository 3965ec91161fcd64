// idemcheck/properties/search.hpp
//
// Searching random histories for a failure and shrinking the first one found.
// Each history i of a search is drawn from its own seed, derived from the
// search's seed and i, so any single history can be regenerated alone, and a
// search gives the same result under every compiler.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include <rapidcheck.h>

#include "idemcheck/shrinkers/history_shrinker.hpp"
#include "idemcheck/spec/history.hpp"

namespace idemcheck::properties {

/// The seed of history `index` of a search with `seed` (splitmix64).
std::uint64_t history_seed(std::uint64_t seed, std::uint64_t index);
/// The RapidCheck size history `index` is drawn at: 1..max_size, cycling.
int history_size(std::uint64_t index, int max_size);

/// Draw history `index` of a search.
spec::History draw_history(const rc::Gen<spec::History>& gen, std::uint64_t seed, std::uint64_t index, int max_size);

/// Statistics of one shrink (shared with the history-aware shrinker).
using ShrinkStats = shrinkers::ShrinkStats;

/// Shrink a failing history with RapidCheck's shrink tree of the generated
/// value: take the first shrink that still fails, until none does.
spec::History shrink_with_rapidcheck(const rc::Shrinkable<spec::History>& failing,
                                     const std::function<bool(const spec::History&)>& fails, ShrinkStats& stats);

}  // namespace idemcheck::properties
