// idemcheck/spec/symbolic_world.hpp
//
// THE SYMBOLIC WORLD: a bounded encoding, for the Z3 SMT solver, of the same
// transition rules World (spec/world.hpp) follows, in a small world, with
// bounded model checking of the in-flight claims by iterative deepening.
//
// The small world
// ---------------
// One producer, one partition, one broker (its leader, never moved), a broker
// cache of `window` (w) batches, at most `max_in_flight` (m) requests in
// flight, idempotence on or off, acks=all, retries=MAX, retry.backoff.ms = 0,
// delivery.timeout.ms = 2^31-1 and request.timeout.ms = 30000. A history of
// d events advances the clock by at most d * 30000 ms, far below the delivery
// timeout, and the backoff is 0: no batch ever expires or waits, so time has no
// effect on any decision and `tick` is a no-op (a timeout is a break of the
// connection that also moves the clock). Every send is one record; at most
// `batches` (B) sends happen; at most `zombies` (Z) zombie requests wait on
// the broker at once.
//
// Events: send, drain, deliver-request, fail-request (NOT_ENOUGH_REPLICAS,
// before the append, or NOT_ENOUGH_REPLICAS_AFTER_APPEND, after it),
// deliver-response, lose-response, break-connection (with 0..m requests read
// by the broker, which become zombies), process-zombie, timeout, tick. An event
// that does not apply is a no-op, exactly as in World. One step of the
// encoding is one event, so a depth is a history length.
//
// The encoding
// ------------
// State per step, as bit-vectors just wide enough for the bounds (indices,
// sequences and counters; epochs get enough bits for one bump per event):
//   producer   per batch: stamp (epoch, base sequence, reopened), in the
//              sequencer's in-flight set, acknowledged (and which batch the
//              acknowledged offset holds), failed; the partition queue as a
//              deque of batch indices; the sequencer's current epoch, the
//              partition's id/epoch, next sequence, last acknowledged
//              sequence and the epoch-bump request (S1..S8; the unresolved
//              sequence of S7 needs an expiry and stays empty).
//   connection the outstanding requests in send order, each with the header
//              it carried (epoch, sequence) and, once the broker processed it,
//              its answer (error, duplicate, offset) or "answer lost". The
//              processed requests are always a prefix of the outstanding ones
//              (TCP order), so requests in transit and responses in transit
//              are read off that list; the correlation check is "the oldest
//              outstanding request is answered and its answer not lost".
//   broker     the producer's entry (epoch, up to w cached batches: sequence
//              and offset) and the zombie requests in arrival order (R1..R10).
//   log        per batch: written or not; and the claims' history flags.
// Abstractions, and why they are sound for the claims:
//   * record content = batch index (one record per send, one application),
//     so the log is known per batch; an offset is represented by the batch
//     written at it. The checker compares offsets only to find the batch at
//     them (inconsistent-offsets) or to order first writes
//     (nonmonotonic-send), which the flags below record when the write
//     happens.
//   * the producer id is constant (one session; epoch exhaustion at 32767
//     cannot happen within the depth), the sequence wrap at 2^31 cannot
//     happen with B < 2^31 sends, and the delivery timeout never fires (see
//     above), so expiry and unresolved sequences never occur.
//   * a request carries one batch (one partition), so a request is its batch
//     plus the header it was sent with.
// The transition relation is a function of state and event: each step's state
// is determined by the history. The relation is cross-checked against World
// (SymbolicTracker below) on random histories.
//
// Proving (prove_cell): one incremental solver per cell; the transition of
// step k is asserted once, over the cone of influence of the claims asked only
// (the fields their violations read and, transitively, every field that feeds
// the next value of a field in the cone or decides the domain and the
// reductions; found by reading one symbolic step from a state of fresh
// constants): the other fields never change what the claims see, so they stay
// at their start values and the solver never meets them; at each depth the disjunction of the open claims'
// violations is checked first (one query settles every claim at most depths),
// then, if it is satisfiable, each open claim inside push/pop. The first
// satisfiable depth is the length of the shortest counterexample. Only for
// proving, the search skips histories that cannot be shorter or different:
// steps that change nothing (an equivalent history is one step shorter),
// timeouts (the same state change as a break), zombie counts above the
// requests in transit (the same as that count), and orders of adjacent
// independent events other than one canonical order (a send is moved before
// an event it commutes with, a zombie before a drain, a response or a lost
// response, a lost response before a drain). Batches are symmetric only up to
// their send order, which the indices already fix.
//
// For every length (ProveOptions::unbounded): for a claim the bounded search
// proved to depth d, k-induction over simple paths: no path of k + 1 distinct
// states, from any state whatever, whose first k satisfy the claim and whose
// last does not; with the base case to depth k - 1 <= d this proves every
// length; the states are compared, and start free, over the claim's cone only
// (the projection is itself a transition system). Epochs get 4 bits there and reaching 15 counts as a violation: the
// current epoch only rises by one and every other epoch is a copy of it, so on
// every state the proof covers the fixed width agrees with Kafka's unbounded
// epochs. Without strengthening invariants this settles only claims that are
// inductive almost as they stand (the README lists which). Z3's fixed-point
// engine (Spacer) on the same relation was tried and is not used: with Debian
// 12's Z3 4.8.12 it settled only cells that k-induction settles too, timed out
// on every idempotent cell, and on larger cells stopped the process with an
// internal assertion (spacer_context.cpp). A claim that is not settled stays
// "proved to depth d", with the reason.
//
// Known producer (SymbolicConfig::known_producer): the start state is the one
// after known_producer_prefix(), folded to constants; depths count from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/small_world.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::spec {

/// How to prove.
struct ProveOptions {
  int max_depth = 20;                  ///< prove to this many events
  std::vector<SymbolicClaim> claims;   ///< empty: all
  bool reduce = true;                  ///< the proving-only reductions (see the banner)
  double time_limit_seconds = 0;       ///< > 0: stop deepening when the cell has used this much time
  /// Also try, for every claim the bounded search did not refute, a proof for histories of every
  /// length on the same transition relation (k-induction over simple paths), each claim within
  /// `unbounded_seconds`.
  bool unbounded = false;
  double unbounded_seconds = 30;
  /// Unroll only the cone of influence of the claims asked (the state their violations depend on);
  /// false: the whole state. One solver for all the claims either way.
  bool cone = true;
};

/// One claim in one cell.
struct ClaimResult {
  SymbolicClaim claim = SymbolicClaim::duplicate;
  bool refuted = false;
  int depth = 0;             ///< refuted: counterexample length; else the depth proved to
                             ///< (below max_depth when the time limit stopped the deepening)
  History counterexample;    ///< refuted only
  double seconds = 0;        ///< solver time spent on this claim
  bool all_lengths = false;  ///< not refuted, and proved for histories of every length
  std::string proof;         ///< all_lengths: how (k-induction, with its k)
  std::string why_bounded;   ///< not refuted and not proved for every length (when tried): why not
  double unbounded_seconds = 0;  ///< time the proof for every length took
  std::size_t cone_fields = 0;   ///< state fields the claim's solver unrolled (the claims' cone of influence)
};

/// One cell of the grid.
struct CellResult {
  SymbolicConfig config;              ///< resolved
  std::vector<ClaimResult> claims;
  std::vector<double> depth_seconds;  ///< time spent at each depth (index = depth), over every solver
  std::size_t state_fields = 0;       ///< fields of the encoding's whole state
  double seconds = 0;
};

/// Prove or refute each claim in the cell to opts.max_depth. Throws
/// std::invalid_argument on a bad config and std::runtime_error on a solver failure.
CellResult prove_cell(const SymbolicConfig& config, const ProveOptions& opts);

/// Drives the encoding's step function (no solver: every value is folded to a constant) with the
/// events of `history`, a history of this cell's small world with its known-producer prefix if any,
/// and returns the number of events after the prefix at which the encoded state first violates the
/// claim; -1 if it never does, or an event is outside the encoding's vocabulary or domain. A
/// counterexample another prover found must give its own length here.
int encoding_violation_depth(const SymbolicConfig& config, const History& history, SymbolicClaim claim);

/// Step-by-step agreement of World with the symbolic transition relation:
/// feed it each event of a history with World's effects and the world after
/// it; each step is asserted (state k, event, state k+1) and the symbolic state
/// after it is constrained to what World shows (sends and outcomes, log,
/// sequencer state, broker producer state, stamps, and the step's effects:
/// which batch was sent, how the broker answered, how many zombies). The
/// relation is deterministic, so a satisfiable check means the symbolic model
/// predicts exactly what World did.
class SymbolicTracker {
 public:
  enum class Verdict : std::uint8_t { agrees, disagrees, out_of_bounds };
  struct StepCheck {
    Verdict verdict = Verdict::agrees;
    std::string detail;  ///< why not
  };
  /// `max_steps` bounds the history length (it sets the epoch width).
  explicit SymbolicTracker(const SymbolicConfig& config, int max_steps = 128);
  SymbolicTracker(const SymbolicTracker&) = delete;
  SymbolicTracker& operator=(const SymbolicTracker&) = delete;
  ~SymbolicTracker();
  /// Check one step. After a verdict other than `agrees` the tracker is spent.
  StepCheck step(const Event& event, const std::vector<Effect>& effects, const World& after);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idemcheck::spec
