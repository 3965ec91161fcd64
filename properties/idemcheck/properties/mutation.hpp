// idemcheck/properties/mutation.hpp
//
// The seeded-bug campaign: how strong is the suite? For every seeded bug of
// impl/ (idemcheck/impl/seeded_bugs.hpp, only in the seeded build) the
// campaign activates the bug and runs the suite's checks until one catches
// it, then shrinks the counterexample:
//
//   broker-differential     broker histories, spec vs impl table
//   sequencer-differential  producer call sequences, spec vs impl sequencer
//   world-differential      any world, reference world vs impl world
//   claim:<id>              each claim pinned to hold, on the impl world alone
//
// The checks run round-robin, a few histories of each in turn, so that the
// time to catch a bug does not depend on which check comes first. History i
// of a check is drawn from its own seed (history_seed), so a run is
// deterministic given the seed, the profile and the shard.
//
// Budgets are profiles: quick (every commit, CI) and deep (validating a
// change to the dedup core: many more and longer histories). A campaign can
// be split into shards that take disjoint histories (history i belongs to
// shard i mod total), as GoogleTest's GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX
// describe; the shards' reports merge into one.
//
// Library code: returns data, never prints.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace idemcheck::properties {

/// True iff this build has the seeded bugs compiled in (CMake option
/// IDEMCHECK_SEEDED_BUGS, preset `mutants`).
bool seeded_bugs_available() noexcept;

/// One seeded bug as the catalogue describes it.
struct SeededBugInfo {
  std::string name;
  std::string side;  ///< "broker" or "producer"
  std::string description;
};
/// The catalogue (empty in the normal build).
std::vector<SeededBugInfo> seeded_bug_catalogue();

/// Budgets of a campaign, per bug and check.
struct MutationProfile {
  std::string name;
  std::uint64_t broker_histories = 0;     ///< broker-differential
  int broker_max_size = 100;              ///< RapidCheck size cap (<= 100): up to 5 * size ops
  std::uint64_t sequencer_histories = 0;  ///< sequencer-differential
  int sequencer_min_length = 20;
  int sequencer_max_length = 400;
  std::uint64_t world_histories = 0;      ///< world-differential
  int world_max_size = 100;
  std::uint64_t claim_histories = 0;      ///< per claim pinned to hold
  int claim_max_size = 100;
  std::uint64_t round = 4;                ///< histories of one check before the next check's turn
  std::uint64_t shrink_candidates = 5000; ///< at most this many predicate runs per shrink
};
/// Every commit: the whole campaign in well under three minutes on two cores.
MutationProfile quick_profile();
/// Validating a change to the dedup core: 30x the histories, longer ones.
MutationProfile deep_profile();
/// "quick" or "deep".
std::optional<MutationProfile> find_profile(std::string_view name);

/// Which part of the history space a process takes.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t total = 1;
};
/// The shard GoogleTest's variables GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX
/// describe ({0, 1} when unset); an error message when they are malformed.
std::variant<Shard, std::string> shard_from_environment();

/// The outcome for one seeded bug.
struct MutantResult {
  std::string bug;
  std::string side;
  std::string description;
  bool caught = false;
  std::string property;             ///< the check that caught it (empty: survived)
  std::uint64_t histories = 0;      ///< histories run until caught (all run, if it survived)
  double seconds = 0;               ///< time until caught (without shrinking)
  std::size_t original_length = 0;  ///< ops, calls or events of the failing history
  std::size_t shrunk_length = 0;    ///< ... after shrinking
  double shrink_seconds = 0;
  std::string failure;              ///< first line of what the check reported
  std::uint64_t shard_index = 0;    ///< the shard that produced this result
  std::uint64_t shard_total = 1;
};

/// What to run.
struct CampaignOptions {
  MutationProfile profile = quick_profile();
  std::uint64_t seed = 1;
  Shard shard;
  std::vector<std::string> bugs;  ///< names; empty: the whole catalogue
};

/// Called after each bug (for progress output); may be empty.
using MutantCallback = std::function<void(const MutantResult&)>;

/// Run the checks against one bug (the empty name: no bug, the baseline,
/// which the suite must pass). Throws std::invalid_argument for an unknown
/// name and std::logic_error in a build without seeded bugs.
MutantResult run_mutant(const std::string& bug, const CampaignOptions& options);
/// Run every selected bug in catalogue order (the baseline is not included).
std::vector<MutantResult> run_campaign(const CampaignOptions& options, const MutantCallback& on_result = {});

/// A report: the options it ran with and the results.
struct MutationReport {
  std::string profile;
  std::uint64_t seed = 0;
  Shard shard;
  std::vector<MutantResult> results;
};
/// The report as JSON (one object; results in order).
std::string to_json(const MutationReport& report);
/// Read a report written by to_json; an error message on anything else.
std::variant<MutationReport, std::string> parse_report(std::string_view json);
/// Merge shard reports: per bug, caught if any shard caught it, with the
/// numbers of the shard that caught it fastest (else of the first shard) and
/// the histories of all shards summed when it survived. Bugs in the order of
/// their first appearance. Errors name a report whose profile or seed differs.
std::variant<MutationReport, std::string> merge_reports(const std::vector<MutationReport>& reports);

/// Summary numbers of a set of results.
struct CampaignSummary {
  std::size_t total = 0;
  std::size_t caught = 0;
  double median_seconds = 0;  ///< over caught bugs
  double max_seconds = 0;
};
CampaignSummary summarize(const std::vector<MutantResult>& results);

}  // namespace idemcheck::properties
