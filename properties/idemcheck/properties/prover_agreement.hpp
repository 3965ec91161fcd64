// idemcheck/properties/prover_agreement.hpp
//
// AGREEMENT OF THE TWO PROVERS on one cell of the small world's grid: the Z3
// encoding (spec/symbolic_world.hpp, bounded model checking, k-induction and
// Spacer) and the explicit-state search (spec/explicit_search.hpp, breadth
// first over the concrete world's states). They share no code, so a verdict
// both give is checked twice; where they differ, one of them is wrong.
//
// Per claim, the rules (N: a shortest counterexample's length, d: a depth
// proved to):
//   * both refute: the same N (both searches are shortest-first);
//   * each counterexample shows its violation in the other prover's model at
//     its length: the explicit one through the encoding's step function
//     (encoding_violation_depth), Z3's through the concrete world;
//   * one refutes at N, the other proved to d: d < N;
//   * one proves every length, the other refutes: a disagreement;
//   * the explicit search is complete (it saw every reachable state by its
//     diameter D): Z3 proved to D means Z3 proved every length too, since
//     every state a longer history reaches is reached by a history of at
//     most D events (the completeness threshold of the bounded search).
#pragma once

#include <string>
#include <vector>

#include "idemcheck/spec/explicit_search.hpp"
#include "idemcheck/spec/symbolic_world.hpp"

namespace idemcheck::properties {

/// One claim as both provers see it.
struct ClaimVerdict {
  spec::SymbolicClaim claim = spec::SymbolicClaim::duplicate;
  bool refuted = false;      ///< by either (they agree, or disagreements is not empty)
  int length = 0;            ///< refuted: the shortest counterexample's length
  bool all_lengths = false;  ///< proved for every length, by either
  int depth = 0;             ///< not refuted and not for every length: the deeper of the depths proved
  /// How far Z3 settled it: "x<N>", "\u221e" (its own proof, or proved to the explicit search's
  /// diameter) or "ok<d>".
  std::string z3;
  std::string explicit_search;  ///< likewise for the explicit search ("x<N>", "\u221e", "ok<d>")
};

/// The cell's verdicts and every disagreement, each a sentence naming the claim.
struct CellAgreement {
  std::vector<ClaimVerdict> claims;
  std::vector<std::string> disagreements;
  bool z3_settled = true;  ///< Z3 refuted or proved for every length each claim, on its own or to the diameter
};

/// Compare the two results of one cell (same config, same claims in the same order).
/// Throws std::invalid_argument when they are not of the same cell.
CellAgreement compare_provers(const spec::ExplicitCellResult& explicit_result, const spec::CellResult& z3_result);

}  // namespace idemcheck::properties
