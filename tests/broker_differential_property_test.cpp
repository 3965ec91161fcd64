// The broker differential property: random histories of broker operations run
// on the reference model and the optimized core must agree on every answer
// and on the whole observable state after every step. The run also counts the
// interesting cases it reached and fails if one never occurred, so that a
// generator that drifts away from them cannot pass silently.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <sstream>

#include "idemcheck/properties/broker_differential.hpp"
#include "idemcheck/properties/check.hpp"

namespace idemcheck {
namespace {

TEST(BrokerDifferential, SpecAndImplAgreeAtEveryStep) {
  properties::BrokerCoverage coverage;
  const auto result = properties::check_at_least("spec and impl agree on every broker history", 1000, [&](const properties::BrokerHistory& h) {
    const auto run = properties::run_broker_differential(h);
    coverage.merge(run.coverage);
    if (run.divergence) {
      const auto& d = *run.divergence;
      RC_FAIL("spec and impl disagree on the " + d.what + " at step " + std::to_string(d.step) + ": " + d.operation +
              "\n    spec: " + d.spec_side + "\n    impl: " + d.impl_side);
    }
  });
  ASSERT_TRUE(result) << "see RapidCheck's output above for the seed and the reproduce string";

  std::ostringstream report;
  report << "coverage over " << coverage.histories << " histories, " << coverage.steps << " steps:\n";
  for (std::size_t i = 0; i < properties::kBrokerCaseCount; ++i) {
    report << "  " << properties::name(static_cast<properties::BrokerCase>(i)) << ": " << coverage.counts[i] << "\n";
  }
  std::cout << report.str();
  for (properties::BrokerCase c : coverage.missing()) {
    ADD_FAILURE() << "the histories never reached the case '" << properties::name(c) << "'\n" << report.str();
  }
}

}  // namespace
}  // namespace idemcheck
