// The claims about the idempotent producer, as tests. A claim pinned to hold
// is a RapidCheck property over its world (seed and reproduce string printed
// by RapidCheck). A claim pinned to fail passes only when the search finds
// the violation, shrinks it, and the shrunk history shows the same anomaly on
// the reference world and on the impl world.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "idemcheck/properties/check.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/shrinkers/rc_history.hpp"

namespace idemcheck {
namespace {

std::vector<std::string> claim_ids(bool violated) {
  std::vector<std::string> ids;
  for (const auto& c : properties::claims()) {
    if (c.expect_violation == violated) ids.push_back(c.id);
  }
  return ids;
}

std::string show(const spec::History& h) {
  std::ostringstream os;
  for (std::size_t i = 0; i < h.events.size(); ++i) os << "  " << i + 1 << ": " << h.events[i] << "\n";
  return os.str();
}

// The main job's seed (1), so that the suite never fails by chance on a rare story
// (idempotence-failed-not-written needs a late poll at a deadline); IDEMCHECK_SEED=N pins another,
// IDEMCHECK_SEED=random draws a fresh one (printed).
std::uint64_t search_seed() {
  if (const char* s = std::getenv("IDEMCHECK_SEED")) {
    if (std::string(s) == "random") return std::random_device{}();
    return std::strtoull(s, nullptr, 10);
  }
  return 1;
}

class ClaimHolds : public ::testing::TestWithParam<std::string> {};
class ClaimFails : public ::testing::TestWithParam<std::string> {};

TEST_P(ClaimHolds, NoHistoryViolatesIt) {
  const properties::Claim& claim = *properties::find_claim(GetParam());
  // RapidCheck shrinks a failure through the history-aware candidates.
  const auto gen =
      shrinkers::with_history_shrinks(properties::gen_world_history(claim.profile), claim.profile.prefix.size());
  const bool ok = properties::check_at_least(claim.id + ": " + claim.article, 1000, [&] {
    const spec::History h = *gen;
    const auto run = properties::run_world_differential(h, claim.checks);
    if (run.divergence) RC_FAIL("spec and impl disagree at event " + std::to_string(run.divergence->step + 1));
    if (properties::violates(claim, run)) {
      std::ostringstream os;
      os << run.anomalies.front();
      RC_FAIL(os.str() + "\n" + show(h));
    }
  });
  EXPECT_TRUE(ok) << claim.id << " is pinned to hold; RapidCheck printed the seed and the shrunk history above";
}

TEST_P(ClaimFails, TheHarnessFindsAndShrinksTheViolation) {
  const properties::Claim& claim = *properties::find_claim(GetParam());
  properties::ClaimBudget budget;
  budget.seed = search_seed();
  budget.histories = 40000;
  budget.max_size = 60;
  budget.race_search = false;  // the main job pins which violations need the race, on its fixed seed
  std::cout << "claim " << claim.id << ": IDEMCHECK_SEED=" << budget.seed << "\n";
  const properties::ClaimResult r = properties::check_claim(claim, budget);
  ASSERT_FALSE(r.divergence) << "spec and impl disagree (IDEMCHECK_SEED=" << budget.seed << ")";
  ASSERT_TRUE(r.counterexample) << claim.id << " must be violated, but " << r.histories
                                << " histories found nothing (IDEMCHECK_SEED=" << budget.seed << ")";
  const auto& cx = *r.counterexample;
  EXPECT_LE(cx.shrunk.events.size(), cx.original.events.size());
  std::cout << "  shrunk from " << cx.original.events.size() << " to " << cx.shrunk.events.size() << " events:\n"
            << show(cx.shrunk);
  // The shrunk history must show the violation on both worlds.
  const auto replay = properties::run_world_differential(cx.shrunk, claim.checks);
  EXPECT_FALSE(replay.divergence) << "spec and impl disagree on the shrunk history";
  ASSERT_FALSE(replay.anomalies.empty()) << "the shrunk history no longer violates the claim:\n" << show(cx.shrunk);
  EXPECT_TRUE(properties::violates(claim, replay)) << "the shrunk history left the claim's scope:\n" << show(cx.shrunk);
  bool expected_kind = false;
  for (const auto& a : replay.anomalies) expected_kind = expected_kind || claim.checks.has(a.kind);
  EXPECT_TRUE(expected_kind);
}

// Seeds on which a must-fail search used to miss its violation within the
// main job's budget (before the searches leaned toward each claim's story):
// each must now find it within that budget, race search included.
struct MissedSeed {
  const char* claim;
  std::uint64_t seed;
};
class ClaimFailsOnSeed : public ::testing::TestWithParam<MissedSeed> {};

TEST_P(ClaimFailsOnSeed, TheMainJobsBudgetFindsIt) {
  const properties::Claim& claim = *properties::find_claim(GetParam().claim);
  properties::ClaimBudget budget;
  budget.seed = GetParam().seed;
  budget.histories = 10000;
  budget.max_size = 60;
  budget.differential = false;  // the claim's own tests above run spec and impl side by side
  budget.race_search = claim.needs_race.has_value();
  const properties::ClaimResult r = properties::check_claim(claim, budget);
  ASSERT_TRUE(r.counterexample) << claim.id << " with seed " << budget.seed << ": nothing in " << r.histories;
  EXPECT_TRUE(r.as_pinned(claim)) << claim.id << " with seed " << budget.seed;
}

INSTANTIATE_TEST_SUITE_P(Claims, ClaimFailsOnSeed,
                         ::testing::Values(MissedSeed{"six-in-flight", 3}, MissedSeed{"idempotence-failed-not-written", 5},
                                           MissedSeed{"idempotence-failed-not-written", 309128632},
                                           MissedSeed{"idempotence-no-duplicate", 8},
                                           MissedSeed{"idempotence-no-duplicate", 19},
                                           MissedSeed{"idempotence-no-duplicate", 23},
                                           MissedSeed{"idempotence-no-duplicate-known-producer", 7}),
                         [](const auto& info) {
                           std::string n = std::string(info.param.claim) + "_" + std::to_string(info.param.seed);
                           for (char& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(Claims, ClaimHolds, ::testing::ValuesIn(claim_ids(false)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });
INSTANTIATE_TEST_SUITE_P(Claims, ClaimFails, ::testing::ValuesIn(claim_ids(true)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace idemcheck
