#include "idemcheck/properties/variant_matrix.hpp"

#include <chrono>

namespace idemcheck::properties {

bool is_reference(RulePair p) {
  return p.broker == spec::BrokerRules::kafka_2_5 && p.client == spec::ClientRules::java_2_5;
}

std::vector<RulePair> all_rule_pairs() {
  std::vector<RulePair> out;
  for (spec::BrokerRules b : spec::all_broker_rules()) {
    for (spec::ClientRules c : spec::all_client_rules()) out.push_back(RulePair{b, c});
  }
  return out;
}

std::vector<const Claim*> matrix_claims() {
  std::vector<const Claim*> out;
  for (const Claim& c : claims()) {
    if (c.profile.config.producer.idempotence) out.push_back(&c);
  }
  return out;
}

Claim with_rules(const Claim& claim, RulePair pair) {
  Claim c = claim;
  c.profile.config.broker.rules = pair.broker;
  c.profile.config.client_rules = pair.client;
  return c;
}

MatrixRow run_matrix_row(RulePair pair, const std::vector<const Claim*>& claims, ClaimBudget budget) {
  const auto start = std::chrono::steady_clock::now();
  MatrixRow row;
  row.pair = pair;
  budget.differential = budget.differential && is_reference(pair);
  for (const Claim* c : claims) {
    // The result refers to the catalogue's claim; the search runs in the variant's world.
    row.cells.push_back(MatrixCell{c, check_claim(with_rules(*c, pair), budget)});
  }
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return row;
}

}  // namespace idemcheck::properties
