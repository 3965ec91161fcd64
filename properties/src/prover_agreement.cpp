// Agreement of the two provers (see prover_agreement.hpp).
#include "idemcheck/properties/prover_agreement.hpp"

#include <algorithm>
#include <stdexcept>

namespace idemcheck::properties {

namespace {

std::string text(bool refuted, bool all_lengths, int depth) {
  if (refuted) return "x" + std::to_string(depth);
  if (all_lengths) return "\u221e";
  return "ok" + std::to_string(depth);
}

}  // namespace

CellAgreement compare_provers(const spec::ExplicitCellResult& e, const spec::CellResult& z) {
  if (!(e.config == z.config) || e.claims.size() != z.claims.size()) {
    throw std::invalid_argument("the two results are not of the same cell");
  }
  CellAgreement out;
  for (std::size_t i = 0; i < e.claims.size(); ++i) {
    const spec::ExplicitClaimResult& x = e.claims[i];
    const spec::ClaimResult& s = z.claims[i];
    if (x.claim != s.claim) throw std::invalid_argument("the two results list different claims");
    const std::string claim(spec::name(x.claim));
    // Z3 proved every length on its own, or to the depth by which the complete
    // explicit search had seen every reachable state.
    const bool z3_all = !s.refuted && (s.all_lengths || (e.complete && e.diameter >= 0 && s.depth >= e.diameter));
    ClaimVerdict v;
    v.claim = x.claim;
    v.z3 = text(s.refuted, z3_all, s.depth);
    v.explicit_search = text(x.refuted, x.complete, x.depth);
    auto disagree = [&](const std::string& why) {
      out.disagreements.push_back(claim + ": Z3 " + v.z3 + ", explicit search " + v.explicit_search + ": " + why);
    };
    if (s.refuted && x.refuted && s.depth != x.depth) disagree("different shortest counterexamples");
    // Each counterexample through the other prover's model: the explicit one
    // through the encoding's step function, Z3's through the concrete world.
    if (x.refuted && spec::encoding_violation_depth(e.config, x.counterexample, x.claim) != x.depth) {
      disagree("the encoding does not show the explicit search's counterexample at its length");
    }
    if (s.refuted && spec::concrete_violation(s.counterexample, s.claim).empty()) {
      disagree("the concrete world does not show Z3's counterexample");
    }
    if (s.refuted && !x.refuted && (x.complete || x.depth >= s.depth)) {
      disagree("the explicit search saw no violation where Z3 found one");
    }
    if (x.refuted && !s.refuted && (z3_all || s.depth >= x.depth)) {
      disagree("Z3 proved it where the explicit search found a violation");
    }
    v.refuted = s.refuted || x.refuted;
    v.length = s.refuted ? s.depth : x.depth;
    v.all_lengths = !v.refuted && (z3_all || x.complete);
    v.depth = v.refuted ? v.length : std::max(s.depth, x.depth);
    if (!s.refuted && !z3_all) out.z3_settled = false;
    out.claims.push_back(std::move(v));
  }
  return out;
}

}  // namespace idemcheck::properties
