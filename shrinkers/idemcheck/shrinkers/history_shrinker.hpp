// idemcheck/shrinkers/history_shrinker.hpp
//
// A shrinker that understands histories of the simulated world. RapidCheck's
// generic shrink of a list removes subranges blindly (n(n+1)/2 candidates per
// pass, each replayed in full); this one knows what the events did:
//
//   * normalize   fields an event's kind does not use are reset, and events
//                 that had no effect at all are dropped together
//   * episodes    a send with everything that touched its batch (the drains
//                 and requests that carried it, the answers, responses,
//                 timeouts and retries), found by one run of the world, is
//                 removed as a whole
//   * blocks      halves, quarters, ... of the history, from the end
//   * singles     one event at a time, faults first (lost responses, injected
//                 errors, broken connections, timeouts, zombies, restarts,
//                 expiry, ticks), then the rest
//   * shape       producers, partitions and brokers that play no part are
//                 dropped, the events' indices renumbered; initial epoch to 0
//   * values      record counts down (huge sends away from the wrap
//                 boundary unless the failure needs it), "read by broker"
//                 counts down, flags off, two ticks merged into one (at the
//                 place of either), ticks down to
//                 the smallest value that still fails
//   * last resort on short histories: two events removed together; a
//                 stretch replaced by one fault (up to 4 events: by any event
//                 of the history's alphabet); two adjacent events swapped, or
//                 one moved anywhere, and one removed; one event replaced by
//                 another of the alphabet and one removed; a tick moved and
//                 set to a length the config suggests (retry backoff,
//                 request and delivery timeouts, ...) and one event removed
//
// The alphabet: on every connection every way a request and a response can
// go (drain, deliver, fail with each error, lose, break, time out), and the
// other kinds of event the counterexample used.
//
// Every candidate is a well-formed history: an event that would refer to
// something that no longer exists is dropped (repair()). The passes repeat
// until none makes progress; each candidate's verdict is cached, so an
// identical candidate is never run twice. The greedy descent is run along a
// few routes (orders of the removals) from the counterexample and again from
// the shortest end until none gets shorter; the shortest end is the result.
// The result is deterministic: it depends only on the input and the predicate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "idemcheck/spec/history.hpp"

namespace idemcheck::shrinkers {

/// Statistics of one shrink.
struct ShrinkStats {
  std::size_t original_length = 0;
  std::size_t shrunk_length = 0;
  std::uint64_t candidates = 0;   ///< histories run through the predicate
  std::uint64_t accepted = 0;     ///< candidates that still failed and were kept
  std::uint64_t cache_hits = 0;   ///< candidates answered from the verdict cache
  std::uint64_t rounds = 0;       ///< rounds of all passes until the fixpoint
  double seconds = 0;
};

/// Knobs of a shrink. The defaults suit every claim.
struct ShrinkOptions {
  /// Events at the front that are part of the setting, not of the story
  /// (a profile's warm-up prefix): never removed or changed.
  std::size_t keep_prefix = 0;
  /// At most this many predicate runs (deterministic, unlike a time limit).
  std::uint64_t max_candidates = 50'000;
};

/// The predicate: does this history still show the failure?
using StillFails = std::function<bool(const spec::History&)>;

/// Shrink a failing history to a small one that still fails.
/// Requires still_fails(failing); the result always satisfies it.
spec::History shrink_history(spec::History failing, const StillFails& still_fails, ShrinkStats& stats);
spec::History shrink_history(spec::History failing, const StillFails& still_fails, ShrinkStats& stats,
                             const ShrinkOptions& options);

/// Empty if World accepts the config and every event (check_event), else why not.
std::string check_history(const spec::History& history);
/// The history with every event that check_event rejects dropped.
spec::History repair(spec::History history);
/// The history with every field an event's kind does not use reset to its
/// default. The world's run is unchanged.
spec::History normalize(spec::History history);

/// The candidates of one round of the passes above (route 0) for one history,
/// cheapest and largest first, each built only when asked for. The RapidCheck
/// integration offers them one by one as the history's shrinks.
class Candidates {
 public:
  explicit Candidates(const spec::History& history, std::size_t keep_prefix = 0);
  /// How many there are (some may turn out not to apply).
  [[nodiscard]] std::size_t size() const;
  /// Candidate i, or false if it does not apply (it would not change the history).
  bool get(std::size_t i, spec::History& out) const;
  /// Every candidate that applies, in order.
  [[nodiscard]] std::vector<spec::History> all() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace idemcheck::shrinkers
