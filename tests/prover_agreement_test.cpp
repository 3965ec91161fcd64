// The two provers of the small world (the Z3 encoding and the explicit-state
// search, which share no code) against each other: the agreement rules on
// made-up results (each rule can fire), and on real cells of the grid, where
// they must agree on every claim of every cell. The whole default grid is
// `idemcheck prove`, which checks the same rules on every cell and exits 4 on
// a disagreement (ci/prove-grid.sh runs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <string>

#include "idemcheck/properties/prover_agreement.hpp"
#include "idemcheck/properties/world_run.hpp"

namespace idemcheck {
namespace {

using spec::SymbolicClaim;

spec::SymbolicConfig cell(int m, int w, bool on, bool known) {
  return spec::resolve(spec::SymbolicConfig{m, w, on, 0, 0, known});
}

// Both provers' results for one claim of a real cell (without idempotence a
// retry duplicates in 6 events), to bend by hand.
struct Pair {
  spec::ExplicitCellResult e;
  spec::CellResult z;
  Pair() {
    const spec::SymbolicConfig c = cell(1, 1, false, false);
    spec::ExplicitOptions eo;
    eo.claims = {SymbolicClaim::duplicate};
    e = spec::explore_cell(c, eo);
    spec::ProveOptions zo;
    zo.claims = {SymbolicClaim::duplicate};
    zo.max_depth = 8;
    z = spec::prove_cell(c, zo);
  }
  bool says(const std::string& what) const {
    for (const std::string& d : properties::compare_provers(e, z).disagreements) {
      if (d.find(what) != std::string::npos) return true;
    }
    return false;
  }
};

TEST(ProverAgreement, SameShortestCounterexampleAgrees) {
  const Pair p;
  ASSERT_TRUE(p.e.claims[0].refuted);
  ASSERT_TRUE(p.z.claims[0].refuted);
  const auto a = properties::compare_provers(p.e, p.z);
  for (const std::string& d : a.disagreements) ADD_FAILURE() << d;
  EXPECT_TRUE(a.claims[0].refuted);
  EXPECT_EQ(a.claims[0].length, 6);
  EXPECT_TRUE(a.z3_settled);
}

TEST(ProverAgreement, EachRuleFires) {
  {
    Pair p;
    p.z.claims[0].depth = 5;
    EXPECT_TRUE(p.says("different shortest counterexamples"));
  }
  {  // a counterexample one event short: the other model does not show it
    Pair p;
    p.e.claims[0].counterexample.events.pop_back();
    EXPECT_TRUE(p.says("the encoding does not show"));
    p = Pair();
    p.z.claims[0].counterexample.events.pop_back();
    EXPECT_TRUE(p.says("the concrete world does not show"));
  }
  {  // Z3 refutes what the explicit search proved
    Pair p;
    p.e.claims[0].refuted = false;
    p.e.claims[0].complete = true;
    EXPECT_TRUE(p.says("the explicit search saw no violation"));
  }
  {  // Z3 proved where the explicit search refutes
    Pair p;
    p.z.claims[0].refuted = false;
    p.z.claims[0].depth = 8;
    EXPECT_TRUE(p.says("Z3 proved it"));
    p.z.claims[0].depth = 4;
    EXPECT_FALSE(p.says("Z3 proved it"));  // shallower than the counterexample: no contradiction
    EXPECT_FALSE(properties::compare_provers(p.e, p.z).z3_settled);
    p.z.claims[0].all_lengths = true;
    EXPECT_TRUE(p.says("Z3 proved it"));
  }
  Pair other;
  other.z.config = cell(2, 1, false, false);
  EXPECT_THROW(properties::compare_provers(other.e, other.z), std::invalid_argument);
}

// Proved to the explicit search's diameter counts as every length for Z3 too.
TEST(ProverAgreement, ProvedToTheDiameterIsEveryLength) {
  const spec::SymbolicConfig c = cell(1, 1, true, true);
  spec::ExplicitOptions eo;
  eo.claims = {SymbolicClaim::lost_write};
  const auto e = spec::explore_cell(c, eo);
  ASSERT_TRUE(e.complete);
  ASSERT_FALSE(e.claims[0].refuted);
  spec::ProveOptions zo;
  zo.claims = eo.claims;
  zo.max_depth = e.diameter;
  const auto a = properties::compare_provers(e, spec::prove_cell(c, zo));
  EXPECT_TRUE(a.disagreements.empty());
  EXPECT_TRUE(a.claims[0].all_lengths);
  EXPECT_EQ(a.claims[0].z3, "\u221e");
  zo.max_depth = e.diameter - 1;
  EXPECT_EQ(properties::compare_provers(e, spec::prove_cell(c, zo)).claims[0].z3, "ok" + std::to_string(e.diameter - 1));
}

// Both provers on a corner of the grid, both settings: the explicit search
// completes every cell, Z3 searches each to depth 10 (or the diameter), and
// every claim of every cell agrees; every counterexample replays on spec and
// impl.
TEST(ProverAgreement, QuickGridBothEnginesAgreeOnEveryCell) {
  int refuted = 0, proved = 0;
  for (bool known : {false, true}) {
    for (bool on : {true, false}) {
      for (int m : {1, 2}) {
        for (int w : {1, 2}) {
          const spec::SymbolicConfig c = cell(m, w, on, known);
          SCOPED_TRACE(::testing::Message() << "m=" << m << " w=" << w << (on ? " idempotent" : "")
                                            << (known ? " known" : " unknown"));
          const auto e = spec::explore_cell(c, spec::ExplicitOptions{});
          ASSERT_TRUE(e.complete) << e.states << " states";
          spec::ProveOptions zo;
          zo.max_depth = std::min(e.diameter, 10);
          const auto z = spec::prove_cell(c, zo);
          const auto a = properties::compare_provers(e, z);
          for (const std::string& d : a.disagreements) ADD_FAILURE() << d;
          for (std::size_t i = 0; i < e.claims.size(); ++i) {
            const spec::History* h = e.claims[i].refuted ? &e.claims[i].counterexample
                                     : z.claims[i].refuted ? &z.claims[i].counterexample
                                                           : nullptr;
            if (h == nullptr) {
              ++proved;
              continue;
            }
            ++refuted;
            EXPECT_FALSE(spec::concrete_violation(*h, e.claims[i].claim).empty());
            EXPECT_FALSE(spec::concrete_violation(*h, e.claims[i].claim, properties::impl_components()).empty());
          }
          std::cout << "m=" << m << " w=" << w << (on ? " on " : " off") << (known ? " known  " : " unknown")
                    << ": " << e.states << " states, diameter " << e.diameter << ", explicit " << e.seconds
                    << " s, Z3 to " << zo.max_depth << " in " << z.seconds << " s\n";
        }
      }
    }
  }
  // Both kinds of verdict occur: the corner is not trivially all one way.
  EXPECT_GT(refuted, 0);
  EXPECT_GT(proved, 0);
}

}  // namespace
}  // namespace idemcheck
