// idemcheck/properties/variant_matrix.hpp
//
// THE RULE-VARIANT MATRIX: which broker and client rules make which claims hold.
//
// A row is a pair of rule variants (spec/broker_rules.hpp, spec/client_rules
// .hpp); a column is a claim of the catalogue (claims.hpp) whose outcome can
// depend on the rules: the idempotent ones. A cell is the claim's own search
// (check_claim) in the claim's own world with the row's rules: the shortest
// counterexample it found, shrunk, or "holds for N histories". A cell is
// exactly what `idemcheck claims --claim ID --set idemcheck.broker.rules=B
// --set idemcheck.client.rules=C` with the same seed and budget prints, which
// is its replay command. The differential runs only on the reference pair
// (kafka-2.5 x java-2.5): the impl core has no other rules.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "idemcheck/properties/claims.hpp"
#include "idemcheck/spec/broker_rules.hpp"
#include "idemcheck/spec/client_rules.hpp"

namespace idemcheck::properties {

/// A row's rules.
struct RulePair {
  spec::BrokerRules broker = spec::BrokerRules::kafka_2_5;
  spec::ClientRules client = spec::ClientRules::java_2_5;
  friend bool operator==(const RulePair&, const RulePair&) = default;
};

/// Is this the reference pair, the only one the impl core implements?
bool is_reference(RulePair p);

/// Every pair: each broker variant with each client variant, brokers in
/// all_broker_rules() order, clients within. Every one is a deployment that
/// exists or is proposed (old clients meet new brokers and new clients old ones).
std::vector<RulePair> all_rule_pairs();

/// The claims the matrix shows: those with idempotence on (without it the
/// producer carries no sequence, and no rule here applies).
std::vector<const Claim*> matrix_claims();

/// `claim` in the world of `pair` (its profile's config names the rules).
Claim with_rules(const Claim& claim, RulePair pair);

/// One cell.
struct MatrixCell {
  const Claim* claim = nullptr;
  ClaimResult result;
};

/// One row: every cell of one pair, in matrix_claims() order.
struct MatrixRow {
  RulePair pair;
  std::vector<MatrixCell> cells;
  double seconds = 0;
};

/// Run the row of `pair` over `claims` with `budget` (the differential only on
/// the reference pair, whatever budget.differential says).
MatrixRow run_matrix_row(RulePair pair, const std::vector<const Claim*>& claims, ClaimBudget budget);

}  // namespace idemcheck::properties
