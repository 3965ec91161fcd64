// idemcheck/shrinkers/rc_history.hpp
//
// The history-aware shrinker inside RapidCheck: a generator wrapper whose
// values shrink through the history-aware candidates (shrinkers::Candidates)
// instead of RapidCheck's generic list shrinks. rc::check's own shrinking then
// walks those candidates, and its seed and reproduce string (a path through
// this shrink tree, a pure function of the history) lead straight back to the
// shrunk case.
#pragma once

#include <cstddef>
#include <iosfwd>

#include <rapidcheck.h>

#include "idemcheck/spec/history.hpp"

namespace idemcheck::shrinkers {

/// The history's shrinks, one candidate at a time, cheapest and largest first.
rc::Seq<spec::History> history_shrinks(const spec::History& history, std::size_t keep_prefix = 0);

/// A Shrinkable whose shrink tree is the history-aware one, recursively.
rc::Shrinkable<spec::History> history_shrinkable(spec::History history, std::size_t keep_prefix = 0);

/// `gen`, with its values' shrink trees replaced by the history-aware one.
/// keep_prefix: leading events that are part of the setting (never removed).
rc::Gen<spec::History> with_history_shrinks(rc::Gen<spec::History> gen, std::size_t keep_prefix = 0);

/// Write a history for a reader: the world's shape and one event a line.
void print_history(const spec::History& history, std::ostream& os);

}  // namespace idemcheck::shrinkers

namespace idemcheck::spec {
/// RapidCheck prints a counterexample through showValue (found by ADL).
void showValue(const History& history, std::ostream& os);
}  // namespace idemcheck::spec
