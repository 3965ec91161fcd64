// `idemcheck mutate`: the seeded-bug campaign (properties/mutation.hpp).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "idemcheck/properties/mutation.hpp"
#include "options.hpp"

namespace idemcheck::cli {

namespace {

const char* kUsage =
    "usage: idemcheck mutate [options]\n"
    "       idemcheck mutate --merge REPORT.json...\n"
    "\n"
    "The seeded-bug campaign: how strong is the suite? Runs the suite's checks\n"
    "(broker, sequencer and world differentials, the claims pinned to hold on the\n"
    "impl world) against every seeded bug of the dedup core and prints, per bug,\n"
    "whether it was caught, by which check, after how many histories and how\n"
    "long, and the length of the shrunk counterexample; then the share caught.\n"
    "Exits 1 when a bug survives or the suite fails without a bug (baseline).\n"
    "Needs the seeded build: cmake --preset mutants && cmake --build --preset mutants\n"
    "\n"
    "options:\n"
    "  --profile NAME    quick (default; every commit) or deep (validating a change\n"
    "                    to the dedup core: 30x the histories, longer histories)\n"
    "  --bug NAME        only this bug (repeatable; default: the whole catalogue)\n"
    "  --seed N          seed (default 1)\n"
    "  --json FILE       also write the report as JSON (for --merge)\n"
    "  --merge           the arguments are shard reports: merge and print them\n"
    "  --list            print the catalogue and exit\n"
    "  --details         under each caught bug, what the check reported\n"
    "  --no-baseline     skip the run without any bug\n"
    "\n"
    "sharding: with GTEST_TOTAL_SHARDS=N and GTEST_SHARD_INDEX=I set, this process\n"
    "runs only histories i with i mod N == I of every check (disjoint seeds), so N\n"
    "processes or machines split a campaign; merge their --json reports with --merge.\n";

void print_table(std::FILE* out, const std::vector<properties::MutantResult>& results, bool details) {
  bool sharded = false;
  for (const properties::MutantResult& r : results) sharded = sharded || r.shard_total > 1;
  fmt::print(out, "\n  {:<32} {:<8} {:<6} {:<40} {:>9} {:>8} {:>13}{}\n", "seeded bug", "side", "caught", "by",
             "histories", "seconds", "shrunk length", sharded ? "  shard" : "");
  for (const properties::MutantResult& r : results) {
    const std::string length =
        r.caught ? fmt::format("{} (from {})", r.shrunk_length, r.original_length) : std::string("-");
    fmt::print(out, "  {:<32} {:<8} {:<6} {:<40} {:>9} {:>8.3f} {:>13}{}\n", r.bug, r.side, r.caught ? "yes" : "NO",
               r.caught ? r.property : std::string("-"), r.histories, r.seconds, length,
               sharded ? fmt::format("  {}/{}", r.shard_index, r.shard_total) : std::string());
    if (details && r.caught) fmt::print(out, "      {}\n", r.failure);
  }
  const properties::CampaignSummary s = properties::summarize(results);
  const double share = s.total == 0 ? 0.0 : 100.0 * static_cast<double>(s.caught) / static_cast<double>(s.total);
  fmt::print(out, "\n  caught {} of {} seeded bugs ({:.1f}%); time to catch: median {:.3f} s, max {:.3f} s\n", s.caught,
             s.total, share, s.median_seconds, s.max_seconds);
  for (const properties::MutantResult& r : results) {
    if (!r.caught) fmt::print(out, "  SURVIVED: {} ({})\n", r.bug, r.description);
  }
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

}  // namespace

int run_mutate_command(const Args& args, std::FILE* out, std::FILE* err) {
  const auto parsed = parse_options(args, {{"--profile", true},
                                           {"--bug", true, true},
                                           {"--seed", true},
                                           {"--json", true},
                                           {"--merge"},
                                           {"--list"},
                                           {"--details"},
                                           {"--no-baseline"},
                                           {"--help"}});
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    fmt::print(err, "idemcheck mutate: {}\n", *e);
    return 2;
  }
  const ParsedOptions& o = std::get<ParsedOptions>(parsed);
  if (o.has("--help")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }

  if (o.has("--merge")) {
    if (o.positional.empty()) {
      fmt::print(err, "idemcheck mutate: --merge needs one or more report files\n");
      return 2;
    }
    std::vector<properties::MutationReport> reports;
    for (const std::string& path : o.positional) {
      // A report lists a few dozen seeded bugs; 16 MiB is far beyond any real one.
      auto text = read_regular_file(path, 16u << 20);
      if (const auto* e = std::get_if<FileError>(&text)) {
        fmt::print(err, "idemcheck mutate: {}\n", e->message);
        return 2;
      }
      auto rep = properties::parse_report(std::get<std::string>(text));
      if (const auto* e = std::get_if<std::string>(&rep)) {
        fmt::print(err, "idemcheck mutate: '{}': {}\n", path, *e);
        return 2;
      }
      reports.push_back(std::get<properties::MutationReport>(std::move(rep)));
    }
    auto merged = properties::merge_reports(reports);
    if (const auto* e = std::get_if<std::string>(&merged)) {
      fmt::print(err, "idemcheck mutate: {}\n", *e);
      return 2;
    }
    auto& m = std::get<properties::MutationReport>(merged);
    // Catalogue order, where this build knows the catalogue.
    const auto catalogue = properties::seeded_bug_catalogue();
    const auto rank = [&](const properties::MutantResult& r) {
      for (std::size_t i = 0; i < catalogue.size(); ++i) {
        if (catalogue[i].name == r.bug) return i;
      }
      return catalogue.size();
    };
    std::stable_sort(m.results.begin(), m.results.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    fmt::print(out, "idemcheck mutate: merged {} shard reports (profile {}, seed {})\n", reports.size(), m.profile,
               m.seed);
    print_table(out, m.results, o.has("--details"));
    if (const auto path = o.value("--json"); path && !write_file(*path, properties::to_json(m))) {
      fmt::print(err, "idemcheck mutate: cannot write '{}'\n", *path);
      return 2;
    }
    return properties::summarize(m.results).caught == m.results.size() ? 0 : 1;
  }
  if (!o.positional.empty()) {
    fmt::print(err, "idemcheck mutate: unexpected argument '{}'\n", o.positional.front());
    return 2;
  }
  if (!properties::seeded_bugs_available()) {
    fmt::print(err,
               "idemcheck mutate: this build has no seeded bugs. Build the 'mutants' preset and run its binary:\n"
               "  cmake --preset mutants && cmake --build --preset mutants && build/mutants/cli/idemcheck mutate\n");
    return 2;
  }
  const auto catalogue = properties::seeded_bug_catalogue();
  if (o.has("--list")) {
    for (const auto& b : catalogue) fmt::print(out, "{:<32} {:<8} {}\n", b.name, b.side, b.description);
    return 0;
  }

  properties::CampaignOptions options;
  const std::string profile = o.value("--profile").value_or("quick");
  const auto p = properties::find_profile(profile);
  if (!p) {
    fmt::print(err, "idemcheck mutate: unknown profile '{}' (quick or deep)\n", profile);
    return 2;
  }
  options.profile = *p;
  if (auto e = read_unsigned(o, "--seed", 0, UINT64_MAX, options.seed)) {
    fmt::print(err, "idemcheck mutate: {}\n", *e);
    return 2;
  }
  if (const auto it = o.values.find("--bug"); it != o.values.end()) {
    for (const std::string& name : it->second) {
      bool known = false;
      for (const auto& b : catalogue) known = known || b.name == name;
      if (!known) {
        fmt::print(err, "idemcheck mutate: unknown seeded bug '{}' (--list shows the catalogue)\n", name);
        return 2;
      }
      options.bugs.push_back(name);
    }
  }
  auto shard = properties::shard_from_environment();
  if (const auto* e = std::get_if<std::string>(&shard)) {
    fmt::print(err, "idemcheck mutate: {}\n", *e);
    return 2;
  }
  options.shard = std::get<properties::Shard>(shard);

  fmt::print(out, "idemcheck mutate: profile {}, seed {}, shard {} of {}, {} seeded bugs\n", options.profile.name,
             options.seed, options.shard.index, options.shard.total,
             options.bugs.empty() ? catalogue.size() : options.bugs.size());
  int status = 0;
  if (!o.has("--no-baseline")) {
    const properties::MutantResult base = properties::run_mutant("", options);
    if (base.caught) {
      fmt::print(out, "  baseline FAILED: without any seeded bug, {} fails: {}\n", base.property, base.failure);
      status = 1;
    } else {
      fmt::print(out, "  baseline: without a seeded bug the suite passes ({} histories, {:.1f} s)\n", base.histories,
                 base.seconds);
    }
  }
  std::fflush(out);
  const auto results = properties::run_campaign(options);
  print_table(out, results, o.has("--details"));
  if (const auto path = o.value("--json")) {
    properties::MutationReport rep{options.profile.name, options.seed, options.shard, results};
    if (!write_file(*path, properties::to_json(rep))) {
      fmt::print(err, "idemcheck mutate: cannot write '{}'\n", *path);
      return 2;
    }
  }
  if (properties::summarize(results).caught != results.size()) status = 1;
  return status;
}

}  // namespace idemcheck::cli
