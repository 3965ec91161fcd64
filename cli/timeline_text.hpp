// cli/timeline_text.hpp -- the numbered timeline of a replay, as text.
//
// One format for every command that shows a history step by step: `replay`,
// `prove --explain`, `claims --explain`, `explore`.
#pragma once

#include <string>
#include <vector>

#include "idemcheck/report/timeline.hpp"

namespace idemcheck::cli {

/// Each step: its number, event (and note, if any), the reference world's
/// effects, the producer state on the brokers and the in-flight batches where
/// the step changed them, impl's effects and state where they differ, and
/// markers for the first disagreement (>>>) and the first anomaly (!!!).
std::string format_timeline(const report::Timeline& t, const std::vector<std::string>& notes = {});

/// The timeline of a history run on spec and impl in lockstep.
std::string format_timeline(const spec::History& history);

}  // namespace idemcheck::cli
