// idemcheck/spec/explicit_search.hpp
//
// THE EXPLICIT-STATE PROVER: an exhaustive breadth-first search of the small
// world (spec/small_world.hpp) over the concrete reference World's reachable
// states, with a visited set of state keys, as TLC searches a TLA+ model. It
// shares no code with the Z3 encoding (spec/symbolic_world.hpp): the two
// provers check each other, and this one runs the World itself, so its rules
// are World's (W1..W7, S1..S8, R1..R10, each naming the Kafka source it
// follows) and not a transcription of them.
//
// What it decides. For each claim of the cell: refuted, with a shortest
// counterexample (a history of the small world: the known-producer prefix, if
// any, then the events found); or, when the search ran out of new states,
// true for histories of every length ("complete", the verdict "∞"); or, when
// it stopped at a bound (depth, states or time), true for every history of at
// most the depth it finished ("proved to depth d").
//
// The model
// ---------
// The initial state is World(small_world_config(cell)) after the
// known-producer prefix. A state's successors are the worlds after each
// event of this vocabulary, one producer, one broker, one partition:
//   send (1 record; only while fewer than B sends were made), drain,
//   deliver-request, fail-request with NOT_ENOUGH_REPLICAS (before the append)
//   and with NOT_ENOUGH_REPLICAS_AFTER_APPEND, deliver-response,
//   lose-response, break-connection and timeout, each with every count of
//   zombies from 0 to the requests in transit the broker has not read yet,
//   and process-zombie.
// This is the Z3 encoding's vocabulary and domain: a break or timeout whose
// zombies would leave more than Z waiting is not taken (the encoding's
// `overflow`), a count above the unread requests is that count (World and the
// encoding both take only what is there), and a break or timeout with nothing
// outstanding changes nothing in either. An event that changes nothing leads
// to a state visited already; deliver-request and fail-request are not even
// tried while the broker has nothing to read, deliver-response and
// lose-response while no response is in transit, break-connection and timeout
// while no request is outstanding, nor process-zombie while no zombie waits,
// as World returns from them at once: the timers World meets
// first (W6) are never due here, since only a timeout moves the clock and it
// closes the connection, so every outstanding request was sent at the
// current time. `tick` is left out, as the encoding makes it a
// no-op: in this world its only effect would be a request timeout at the next
// event that touches the producer, which is the state change of a timeout
// with no zombie (delivery deadlines are out of reach, below), so no state is
// lost, only the moment it is reached.
//
// Claims: the checker's four (spec/checker.hpp, find_anomalies on the
// representative World of each state) and retry-is-duplicate, decided from
// each step's effects exactly as concrete_violation() decides it. A state
// carries which claims any history to it violated (lost-write can be undone by
// a later write; a counterexample's history ends where it was violated, so
// concrete_violation shows it); a state where every requested claim is
// violated is not expanded.
//
// The visited set
// ---------------
// A state is kept by its key: World::state_key() plus the claims' status.
// World::state_key() (spec/world.hpp, "State key") abstracts time to ages,
// request ids to their order, epochs to their ranks, re-enqueue and send
// counts to what the rules compare, and the log to the records written (once,
// or more) and whether first writes follow the send order, with every offset
// replaced by the records written there; it argues each abstraction sound
// under conditions this world meets, except for the two bounds below. Two
// states with equal keys have equal futures for the five claims, so the
// search visits each key once and a shortest counterexample to any key is
// found at its breadth-first depth.
//
// Simplifications, and the verdicts they can change
//   * The delivery timeout (2^31 - 1 ms) is never reached: only a timeout
//     moves the clock, by request.timeout.ms + 1 = 30001 ms, so it would take
//     some 71,600 timeouts. A "complete" verdict covers the histories that
//     stay below that; the Z3 encoding has the same bound.
//   * Epoch exhaustion (32767 bumps) and re-enqueues up to retries (2^31 - 1)
//     are outside the search, as they are outside the encoding.
//   * A state whose requested claims are all violated is not expanded, so
//     `states` counts what the search needed, not always every reachable state.
// None of these can turn a refutation into a proof: a counterexample found is
// a concrete history and replays (the suite checks that it does).
//
// Cost: each visited state is one World copy per event of the vocabulary plus
// one key and one checker pass per successor; memory is one key and a parent
// link per visited state, and the World values of the frontier only. The keys
// are kept exactly (compared byte for byte, never by hash alone), back to back
// in large chunks with an open-addressing table over them, and one key buffer
// and one effects buffer serve every successor, so that trying a successor
// allocates only what the World copy does.
#pragma once

#include <cstdint>
#include <vector>

#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/small_world.hpp"

namespace idemcheck::spec {

/// How far to search.
struct ExplicitOptions {
  int max_depth = 1000;                         ///< events after the prefix, at most
  std::vector<SymbolicClaim> claims;            ///< empty: all
  std::uint64_t max_states = 50'000'000;        ///< stop once this many states were visited
  double time_limit_seconds = 0;                ///< > 0: stop once the cell has used this much time
};

/// One claim in one cell.
struct ExplicitClaimResult {
  SymbolicClaim claim = SymbolicClaim::duplicate;
  bool refuted = false;
  /// Not refuted and the search ran out of new states: every reachable state satisfies the claim,
  /// so it holds for histories of every length.
  bool complete = false;
  /// Refuted: the counterexample's length (events after the prefix); else the depth every history
  /// of which was searched.
  int depth = 0;
  History counterexample;  ///< refuted only: the prefix, then the events found
};

/// One cell of the grid.
struct ExplicitCellResult {
  SymbolicConfig config;  ///< resolved
  std::vector<ExplicitClaimResult> claims;
  std::uint64_t states = 0;  ///< distinct keys visited (the initial state included)
  /// Complete search: the depth by which every reachable state had been seen; else -1.
  int diameter = -1;
  std::vector<std::uint64_t> states_per_depth;  ///< new states at each depth (index = depth)
  double seconds = 0;
  bool complete = false;  ///< the frontier emptied
};

/// Search the cell breadth first until every claim is refuted, no state is new, or a bound of
/// `options` is reached. Throws std::invalid_argument on a bad config or negative bounds.
ExplicitCellResult explore_cell(const SymbolicConfig& config, const ExplicitOptions& options);

}  // namespace idemcheck::spec
