// The world properties: the world built from impl components agrees with the
// reference world at every step of random histories, and the coverage of the
// interesting paths is reported and must not be zero.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>

#include "idemcheck/properties/check.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/shrinkers/rc_history.hpp"

namespace idemcheck {
namespace {

std::string show(const spec::History& h) {
  std::ostringstream os;
  for (std::size_t i = 0; i < h.events.size(); ++i) os << "  " << i + 1 << ": " << h.events[i] << "\n";
  return os.str();
}

TEST(WorldDifferential, ImplWorldAgreesWithTheReferenceWorldAtEveryStep) {
  properties::WorldCoverage coverage;
  const bool ok = properties::check_at_least("spec world and impl world agree", 3000, [&] {
    const spec::History h = *shrinkers::with_history_shrinks(properties::gen_any_world_history());
    const auto run = properties::run_world_differential(h, spec::CheckSet{});
    coverage.merge(run.coverage);
    if (run.divergence) {
      const auto& d = *run.divergence;
      RC_FAIL("the worlds disagree on the " + d.what + " at event " + std::to_string(d.step + 1) + " (" + d.event +
              ")\n    spec:" + d.spec_side + "\n    impl:" + d.impl_side + "\n  history:\n" + show(h));
    }
  });
  ASSERT_TRUE(ok) << "see RapidCheck's output above for the seed and the reproduce string";

  std::ostringstream report;
  report << "coverage over " << coverage.histories << " histories, " << coverage.events << " events:\n";
  for (std::size_t i = 0; i < properties::kWorldPathCount; ++i) {
    report << "  " << properties::name(static_cast<properties::WorldPath>(i)) << ": " << coverage.counts[i] << "\n";
  }
  std::cout << report.str();
  std::vector<properties::WorldPath> all;
  for (std::size_t i = 0; i < properties::kWorldPathCount; ++i) all.push_back(static_cast<properties::WorldPath>(i));
  for (properties::WorldPath p : coverage.missing(all)) {
    ADD_FAILURE() << "no history took the path '" << properties::name(p) << "'\n" << report.str();
  }
}

}  // namespace
}  // namespace idemcheck
