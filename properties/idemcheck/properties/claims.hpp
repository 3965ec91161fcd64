// idemcheck/properties/claims.hpp
//
// The claims about the idempotent producer that idemcheck checks, each with
// what the usual account of Kafka (the "article") says, the world it is
// checked in, the anomalies that would refute it, and the outcome the model
// is pinned to. Where the model disagrees with the article the claim says so
// (`finding`): the reference rules decide, not the article.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/properties/search.hpp"
#include "idemcheck/properties/world_gen.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/spec/checker.hpp"

namespace idemcheck::properties {

/// One claim.
struct Claim {
  std::string id;               ///< short name, used on the command line
  std::string article;          ///< what the article says
  std::string setting;          ///< the configuration, in Kafka's words
  WorldProfile profile;         ///< the world and the events histories draw from
  spec::CheckSet checks;        ///< what would refute it
  bool expect_violation = false;  ///< the pinned outcome: the model finds a violation
  std::string finding;          ///< non-empty where the model disagrees with the article
  /// > 0: the claim speaks only of histories whose logical time stays below
  /// this (ms); a history that reaches it is outside the claim, whatever it
  /// shows. The claims narrowed to "delivery.timeout.ms is never reached" use
  /// it: time is what reaches that timeout, whatever events a shrinker tries.
  std::int64_t time_limit_ms = 0;
  /// The pinned answer to "does every violation the search finds need the
  /// late-poll race?" (a response, disconnect or request timeout handled in a
  /// poll that crossed a delivery deadline, before the batch expired; about a
  /// millisecond wide in Kafka). Empty: not pinned, the table shows what the
  /// search found (see the README's Findings for the exact preconditions).
  /// Only meaningful when expect_violation.
  std::optional<bool> needs_race = false;
};

/// Does this run violate the claim: an anomaly it checks, within its scope?
bool violates(const Claim& claim, const WorldRunResult& run);
/// Run `history` on the reference world and decide as above.
bool violates(const Claim& claim, const spec::History& history);

/// Every claim, in the order the report prints them.
const std::vector<Claim>& claims();
/// The claim with this id, if any.
const Claim* find_claim(const std::string& id);

/// A counterexample, original and shrunk.
struct Counterexample {
  std::uint64_t history_index = 0;
  spec::History original;
  spec::History shrunk;
  std::vector<spec::AnomalyReport> anomalies;  ///< of the shrunk history
  ShrinkStats stats;
};

/// The result of checking one claim.
struct ClaimResult {
  std::uint64_t histories = 0;                  ///< histories run
  std::optional<Counterexample> counterexample; ///< the first violation, shrunk
  std::optional<WorldDivergence> divergence;    ///< spec and impl disagreed (a defect)
  std::uint64_t divergence_index = 0;
  WorldCoverage coverage;
  double seconds = 0;
  /// A violation was found, but only in histories with the late-poll race: a
  /// second search without it, on the same budget, found none. When a
  /// race-free violation exists, `counterexample` is that one.
  bool needs_race = false;
  std::uint64_t race_free_histories = 0;  ///< histories the race-free search ran (0: it did not run)
  /// True when the outcome is the pinned one and spec and impl agreed.
  [[nodiscard]] bool as_pinned(const Claim& c) const {
    if (divergence || counterexample.has_value() != c.expect_violation) return false;
    return !counterexample || !c.needs_race || needs_race == *c.needs_race;
  }
};

/// Budget of a claim check.
struct ClaimBudget {
  std::uint64_t seed = 1;
  std::uint64_t histories = 1000;  ///< at most; a search stops at the first violation
  int max_size = 100;
  bool differential = true;        ///< also run each history on the impl world
  bool race_search = true;         ///< when the violation found has a late poll, search again without races
};

/// Check a claim: run histories until one violates it (then shrink it) or the
/// budget is spent. A claim whose world names a rule variant runs without the
/// differential (the impl core has the reference rules only).
ClaimResult check_claim(const Claim& claim, const ClaimBudget& budget);

}  // namespace idemcheck::properties
