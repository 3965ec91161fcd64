// The two provers on EVERY cell of the default grid of `idemcheck prove`
// (m 1-7 x w 1-6 x idempotence on/off x both settings, 168 cells, the five
// claims each), at budgets a CI run affords: the explicit search visits the
// first kStates states of each cell breadth first and Z3 searches every
// history of up to kZ3Depth events. Both bounds are counts, not clocks, so
// a run decides the same on every machine and compiler.
//
// What agreeing means at these budgets (properties::compare_provers):
//  * every counterexample the explicit search finds, driven through the
//    encoding's step function, violates the claim at the same length (the
//    strong direction: it checks the encoding on every refuted cell, at the
//    counterexample's full length);
//  * every counterexample Z3 finds is shown by the concrete world, and
//    neither engine proves what the other refutes within the depth it
//    searched;
//  * each counterexample replays on the reference world and on the world
//    built from impl components.
// The whole grid at full depth agrees too: `idemcheck prove` checks the same
// rules on every cell and exits 4 on a disagreement (ci/prove-grid.sh, which
// regenerates docs/prove.md); prover_agreement_test covers a corner of the
// grid with the explicit search complete and Z3 at the diameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <string>

#include "idemcheck/properties/prover_agreement.hpp"
#include "idemcheck/properties/world_run.hpp"

namespace idemcheck {
namespace {

constexpr std::uint64_t kStates = 2000;
constexpr int kZ3Depth = 3;

struct Tally {
  int cells = 0, refuted = 0, held = 0;
  int longest = 0;  ///< the longest counterexample of the cells (events after the prefix)
};

Tally sweep(bool idempotence, bool known) {
  Tally t;
  for (int w = 1; w <= 6; ++w) {
    for (int m = 1; m <= 7; ++m) {
      const spec::SymbolicConfig c = spec::resolve(spec::SymbolicConfig{m, w, idempotence, 0, 0, known});
      SCOPED_TRACE(::testing::Message() << "m=" << m << " w=" << w << (idempotence ? " idempotent" : "")
                                        << (known ? " known" : " unknown"));
      spec::ExplicitOptions eo;
      eo.max_states = kStates;
      const auto e = spec::explore_cell(c, eo);
      spec::ProveOptions zo;
      zo.max_depth = e.complete ? std::min(kZ3Depth, e.diameter) : kZ3Depth;
      zo.unbounded = false;
      const auto z = spec::prove_cell(c, zo);
      const auto a = properties::compare_provers(e, z);
      for (const std::string& d : a.disagreements) ADD_FAILURE() << d;
      ++t.cells;
      for (std::size_t i = 0; i < e.claims.size(); ++i) {
        const spec::History* h = e.claims[i].refuted ? &e.claims[i].counterexample
                                 : z.claims[i].refuted ? &z.claims[i].counterexample
                                                       : nullptr;
        if (h == nullptr) {
          ++t.held;
          continue;
        }
        ++t.refuted;
        t.longest = std::max(t.longest, e.claims[i].refuted ? e.claims[i].depth : z.claims[i].depth);
        EXPECT_FALSE(spec::concrete_violation(*h, e.claims[i].claim).empty()) << spec::name(e.claims[i].claim);
        EXPECT_FALSE(spec::concrete_violation(*h, e.claims[i].claim, properties::impl_components()).empty())
            << spec::name(e.claims[i].claim);
      }
    }
  }
  std::cout << "idempotence " << (idempotence ? "on" : "off") << ", producer " << (known ? "known" : "unknown")
            << ": " << t.cells << " cells, " << t.refuted << " claims refuted, " << t.held
            << " held within the budgets (explicit " << kStates << " states, Z3 " << kZ3Depth
            << " events); the longest counterexample has " << t.longest << " events\n";
  return t;
}

// Without idempotence a retry duplicates in every cell, whatever m and w.
TEST(ProverGridAgreement, WithoutIdempotenceProducerUnknown) {
  const Tally t = sweep(false, false);
  EXPECT_EQ(t.cells, 42);
  EXPECT_GE(t.refuted, 42);
}

TEST(ProverGridAgreement, WithoutIdempotenceProducerKnown) {
  const Tally t = sweep(false, true);
  EXPECT_EQ(t.cells, 42);
  EXPECT_GE(t.refuted, 42);
}

// With idempotence the budgets reach the short counterexamples (m > w) and
// leave the rest held to their depth: both kinds occur.
TEST(ProverGridAgreement, IdempotenceProducerUnknown) {
  const Tally t = sweep(true, false);
  EXPECT_EQ(t.cells, 42);
  EXPECT_GT(t.refuted, 0);
  EXPECT_GT(t.held, 0);
}

TEST(ProverGridAgreement, IdempotenceProducerKnown) {
  const Tally t = sweep(true, true);
  EXPECT_EQ(t.cells, 42);
  EXPECT_GT(t.held, 0);
}

}  // namespace
}  // namespace idemcheck
