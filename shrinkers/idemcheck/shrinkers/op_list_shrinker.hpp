// idemcheck/shrinkers/op_list_shrinker.hpp
//
// A shrinker for a plain list of operations whose meaning does not depend on
// indices (the broker differential's ops, the wire differential's ops): each
// op names what it does relative to what ran before, so any sublist is a
// well-formed list. Used where the failing run is replayed on a real system
// (a subprocess, a broker over the wire), so the candidates it asks for are
// few and their order is fixed: the result depends only on the input and the
// predicate.
//
// Passes, repeated until none makes progress:
//   * cut      everything after the op that failed (the predicate reports
//              the failing step, so the tail is dropped at once)
//   * blocks   halves, quarters, ... down to single ops, from the end
//              (ddmin's complement step: remove a block, keep the rest)
//   * simplify each op's own simpler variants (the caller's `simpler`:
//              fewer records, a smaller argument, slot 0), first that fails
//
// Guarantees: the result still fails; it is 1-minimal with respect to
// removing single ops and to the `simpler` variants (no single removal or
// simplification of the result fails); at most `max_candidates` predicate
// calls are made (then the shortest failing list found so far is returned).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

namespace idemcheck::shrinkers {

/// What a run of a candidate list says.
struct OpListVerdict {
  bool fails = false;                ///< the candidate still shows the failure
  std::optional<std::size_t> step;   ///< the index of the op where it failed, when known
};

/// Statistics of one shrink.
struct OpListShrinkStats {
  std::size_t candidates = 0;  ///< predicate calls
  std::size_t accepted = 0;    ///< candidates that still failed and were kept
  bool budget_exhausted = false;
};

/// Shrink `failing` (which must fail) to a short list that still fails.
/// `still_fails` runs a candidate; `simpler` lists simpler variants of one
/// op (may be empty); at most `max_candidates` runs.
template <class Op>
std::vector<Op> shrink_op_list(std::vector<Op> failing, const std::function<OpListVerdict(const std::vector<Op>&)>& still_fails,
                               const std::function<std::vector<Op>(const Op&)>& simpler, OpListShrinkStats& stats,
                               std::size_t max_candidates = 5000) {
  auto run = [&](const std::vector<Op>& candidate) -> OpListVerdict {
    if (stats.candidates >= max_candidates) {
      stats.budget_exhausted = true;
      return {};
    }
    ++stats.candidates;
    return still_fails(candidate);
  };
  // Keeps `candidate` if it fails, cut after its failing step.
  auto accept = [&](std::vector<Op> candidate) -> bool {
    const OpListVerdict v = run(candidate);
    if (!v.fails) return false;
    if (v.step && *v.step + 1 < candidate.size()) candidate.resize(*v.step + 1);
    failing = std::move(candidate);
    ++stats.accepted;
    return true;
  };
  {
    // The input's own failing step cuts the tail before anything else.
    const OpListVerdict v = run(failing);
    if (v.fails && v.step && *v.step + 1 < failing.size()) failing.resize(*v.step + 1);
  }
  bool progress = true;
  while (progress && !stats.budget_exhausted) {
    progress = false;
    for (std::size_t block = failing.size() / 2; block >= 1 && !stats.budget_exhausted; block /= 2) {
      // From the end, so that the ops the failure needs (usually early) stay put longest.
      std::size_t end = failing.size();
      while (end >= block && !stats.budget_exhausted) {
        const std::size_t begin = end - block;
        std::vector<Op> candidate;
        candidate.reserve(failing.size() - block);
        candidate.insert(candidate.end(), failing.begin(), failing.begin() + static_cast<std::ptrdiff_t>(begin));
        candidate.insert(candidate.end(), failing.begin() + static_cast<std::ptrdiff_t>(end), failing.end());
        if (!candidate.empty() && accept(std::move(candidate))) {
          progress = true;
          end = std::min(begin, failing.size());
        } else {
          end = begin;
        }
      }
      if (block == 1) break;
    }
    for (std::size_t i = 0; i < failing.size() && !stats.budget_exhausted; ++i) {
      for (const Op& variant : simpler(failing[i])) {
        std::vector<Op> candidate = failing;
        candidate[i] = variant;
        if (accept(std::move(candidate))) {
          progress = true;
          break;
        }
      }
    }
  }
  return failing;
}

}  // namespace idemcheck::shrinkers
