// The seeded-bug campaign as a test: one test per seeded bug, each running
// the deep profile (properties/mutation.hpp) against its bug and failing if
// the suite does not catch it. Meaningful only in the seeded build (preset
// `mutants`); elsewhere every test skips with a message.
//
// Sharding is GoogleTest's own: with GTEST_TOTAL_SHARDS=N and
// GTEST_SHARD_INDEX=I, this process runs the I-th share of the bugs, so N
// processes or machines (a CI matrix, an indexed batch job) split the
// catalogue. With IDEMCHECK_MUTATION_REPORT=FILE the process writes the
// results of the bugs it ran as a JSON report; `idemcheck mutate --merge`
// merges the shards' reports into one table.
//
// IDEMCHECK_MUTATION_PROFILE=quick|deep (default deep) and
// IDEMCHECK_MUTATION_SEED=N (default 1) choose the budget and the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "commands.hpp"
#include "idemcheck/properties/mutation.hpp"

namespace idemcheck {
namespace {

std::vector<std::string> bug_names() {
  std::vector<std::string> names;
  for (const auto& b : properties::seeded_bug_catalogue()) names.push_back(b.name);
  if (names.empty()) names.push_back("none");  // the normal build: one test that skips
  return names;
}

properties::CampaignOptions options_from_environment() {
  properties::CampaignOptions o;
  o.profile = properties::deep_profile();
  if (const char* p = std::getenv("IDEMCHECK_MUTATION_PROFILE")) {
    if (const auto found = properties::find_profile(p)) o.profile = *found;
  }
  if (const char* s = std::getenv("IDEMCHECK_MUTATION_SEED")) o.seed = std::strtoull(s, nullptr, 10);
  return o;
}

std::vector<properties::MutantResult>& results() {
  static std::vector<properties::MutantResult> all;
  return all;
}

// Writes this process's report when the tests are done.
class ReportWriter : public testing::Environment {
 public:
  void TearDown() override {
    const char* path = std::getenv("IDEMCHECK_MUTATION_REPORT");
    if (path == nullptr || results().empty()) return;
    const properties::CampaignOptions o = options_from_environment();
    properties::MutationReport report{o.profile.name, o.seed, {}, results()};
    if (const auto shard = properties::shard_from_environment(); std::holds_alternative<properties::Shard>(shard)) {
      report.shard = std::get<properties::Shard>(shard);
    }
    std::ofstream(path) << properties::to_json(report);
  }
};
[[maybe_unused]] testing::Environment* const kReportWriter = testing::AddGlobalTestEnvironment(new ReportWriter);

class SeededBug : public testing::TestWithParam<std::string> {};

TEST_P(SeededBug, IsCaughtByTheSuite) {
  if (!properties::seeded_bugs_available()) {
    GTEST_SKIP() << "this build has no seeded bugs: configure and build the 'mutants' preset to run the campaign";
  }
  const properties::CampaignOptions o = options_from_environment();
  properties::MutantResult r = properties::run_mutant(GetParam(), o);
  if (const auto shard = properties::shard_from_environment(); std::holds_alternative<properties::Shard>(shard)) {
    r.shard_index = std::get<properties::Shard>(shard).index;
    r.shard_total = std::get<properties::Shard>(shard).total;
  }
  results().push_back(r);
  EXPECT_TRUE(r.caught) << "the seeded bug '" << r.bug << "' (" << r.description << ") survived " << r.histories
                        << " histories of the " << o.profile.name << " profile";
  if (r.caught) {
    std::cout << "caught by " << r.property << " after " << r.histories << " histories, " << r.seconds
              << " s; counterexample " << r.shrunk_length << " (from " << r.original_length << ")\n  " << r.failure
              << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Catalogue, SeededBug, testing::ValuesIn(bug_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(SeededBugs, TheSuitePassesWithoutAnySeededBug) {
  if (!properties::seeded_bugs_available()) {
    GTEST_SKIP() << "this build has no seeded bugs: configure and build the 'mutants' preset to run the campaign";
  }
  properties::CampaignOptions o = options_from_environment();
  o.profile = properties::quick_profile();  // the baseline's cost is its whole budget
  const properties::MutantResult r = properties::run_mutant("", o);
  EXPECT_FALSE(r.caught) << r.property << " fails without any seeded bug: " << r.failure;
}

TEST(SeededBugs, ReportsRoundTripAndMerge) {
  properties::MutantResult a{"b1", "broker", "d \"quoted\"\n", true, "broker-differential", 7, 0.25, 40, 3, 0.1,
                             "x", 0, 2};
  properties::MutantResult b = a;
  b.seconds = 0.125;
  b.shard_index = 1;
  properties::MutantResult c{"b2", "producer", "e", false, "", 100, 1.0, 0, 0, 0, "", 0, 2};
  properties::MutantResult d = c;
  d.shard_index = 1;
  const properties::MutationReport r0{"deep", 5, {0, 2}, {a, c}};
  const properties::MutationReport r1{"deep", 5, {1, 2}, {b, d}};
  const auto parsed = properties::parse_report(properties::to_json(r0));
  ASSERT_TRUE(std::holds_alternative<properties::MutationReport>(parsed)) << std::get<std::string>(parsed);
  const auto& p = std::get<properties::MutationReport>(parsed);
  ASSERT_EQ(p.results.size(), 2u);
  EXPECT_EQ(p.results[0].description, a.description);
  EXPECT_EQ(p.results[0].shrunk_length, 3u);
  const auto merged = properties::merge_reports({p, r1});
  ASSERT_TRUE(std::holds_alternative<properties::MutationReport>(merged));
  const auto& m = std::get<properties::MutationReport>(merged);
  ASSERT_EQ(m.results.size(), 2u);
  EXPECT_EQ(m.results[0].shard_index, 1u) << "the fastest catch wins";
  EXPECT_FALSE(m.results[1].caught);
  EXPECT_EQ(m.results[1].histories, 200u) << "a survivor's histories add up";
  properties::MutationReport other = r1;
  other.seed = 6;
  EXPECT_TRUE(std::holds_alternative<std::string>(properties::merge_reports({r0, other})));
  EXPECT_TRUE(std::holds_alternative<std::string>(properties::parse_report("{\"format\": 1}")));
}

properties::MutationReport sample_report() {
  properties::MutantResult a{"b1", "broker", "d \"quoted\"\n", true, "broker-differential", 7, 0.25, 40, 3, 0.1,
                             "x", 0, 2};
  properties::MutantResult c{"b2", "producer", "e", false, "", 100, 1.0, 0, 0, 0, "", 0, 2};
  return properties::MutationReport{"deep", 5, {0, 2}, {a, c}};
}

// The sample report's text with the first `from` replaced by `to`.
std::string sample_with(const std::string& from, const std::string& to) {
  std::string text = properties::to_json(sample_report());
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in\n" << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string report_error(const std::string& text) {
  const auto r = properties::parse_report(text);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "(accepted)";
}

struct BadReport {
  const char* name;
  std::string text;
  std::string message;  // a substring of the error
};

std::vector<BadReport> bad_reports() {
  return {
      {"negative seed", sample_with("\"seed\": 5", "\"seed\": -1"),
       "seed: expected an integer from 0 to 18446744073709551615, got -1"},
      {"huge seed", sample_with("\"seed\": 5", "\"seed\": 1e300"),
       "seed: expected an integer from 0 to 18446744073709551615, got 1e+300 (not an integer)"},
      {"infinite seed", sample_with("\"seed\": 5", "\"seed\": 1e999"), "number overflow parsing '1e999'"},
      {"fractional seed", sample_with("\"seed\": 5", "\"seed\": 5.5"), "(not an integer)"},
      {"seed past uint64", sample_with("\"seed\": 5", "\"seed\": 18446744073709551616"), "(not an integer)"},
      {"not a number", sample_with("\"seed\": 5", "\"seed\": 1-2+3e"), "syntax error while parsing object"},
      {"no shards", sample_with("\"shard_total\": 2", "\"shard_total\": 0"),
       "shard_total: expected an integer from 1 to 18446744073709551615, got 0"},
      {"shard past the total", sample_with("\"shard_index\": 0", "\"shard_index\": 2"),
       "shard_index: expected an integer from 0 to 1, got 2"},
      {"negative histories", sample_with("\"histories\": 7", "\"histories\": -7"),
       "results[0].histories: expected an integer from 0 to 18446744073709551615, got -7"},
      {"negative seconds", sample_with("\"seconds\": 0.25", "\"seconds\": -0.25"),
       "results[0].seconds: expected a number of seconds >= 0, got -0.25"},
      {"seed as a string", sample_with("\"seed\": 5", "\"seed\": \"5\""), "seed: expected an integer, got \"5\""},
      {"missing field", sample_with("\"seed\": 5,", ""), "missing field 'seed'"},
      {"duplicate key", sample_with("\"seed\": 5,", "\"seed\": 5, \"seed\": 6,"), "duplicate key \"seed\""},
      {"trailing garbage", properties::to_json(sample_report()) + "x", "syntax error"},
      {"after a NUL byte", properties::to_json(sample_report()) + std::string("\0x", 2), "unexpected NUL byte"},
      {"comment", sample_with("\"seed\": 5,", "\"seed\": 5, // five"), "syntax error"},
      {"invalid utf-8", sample_with("\"deep\"", "\"de\xC3\x28p\""), "ill-formed UTF-8"},
      {"deep nesting", sample_with("\"deep\"", std::string(100, '[') + std::string(100, ']')), "nesting deeper than 8"},
      {"not a report", "{\"format\": 1}", "not an idemcheck mutation report"},
  };
}

TEST(SeededBugs, MalformedReportsAreRejectedWithTheirMessage) {
  ASSERT_EQ(report_error(properties::to_json(sample_report())), "(accepted)");
  for (const BadReport& c : bad_reports()) {
    const std::string got = report_error(c.text);
    EXPECT_NE(got.find(c.message), std::string::npos) << c.name << ": got \"" << got << "\"";
    EXPECT_EQ(got.find('\n'), std::string::npos) << c.name << ": a message is one line: " << got;
  }
}

TEST(SeededBugs, ReportsOfAHundredThousandKeys) {
  std::string text = "{";
  for (int i = 0; i < 100'000; ++i) text += (i ? ", \"k" : "\"k") + std::to_string(i) + "\": 0";
  EXPECT_GT(text.size() + 1, 1'000'000u);
  EXPECT_EQ(report_error(text + "}"),
            "not an idemcheck mutation report (expected \"format\": \"idemcheck-mutation-report-1\")");
  EXPECT_EQ(report_error(text + ", \"k31337\": 1}"), "duplicate key \"k31337\"");
}

TEST(SeededBugs, ReportsKeepEveryValueExactly) {
  properties::MutationReport r = sample_report();
  r.seed = std::numeric_limits<std::uint64_t>::max();
  r.results[0].seconds = 0.1 + 0.2;  // not a short decimal
  r.results[0].failure = "line \"one\"\tand\x01 \xE2\x82\xAC";
  const auto back = properties::parse_report(properties::to_json(r));
  ASSERT_TRUE(std::holds_alternative<properties::MutationReport>(back)) << std::get<std::string>(back);
  const auto& b = std::get<properties::MutationReport>(back);
  EXPECT_EQ(b.seed, r.seed);
  ASSERT_EQ(b.results.size(), 2u);
  EXPECT_EQ(b.results[0].seconds, r.results[0].seconds);
  EXPECT_EQ(b.results[0].failure, r.results[0].failure);
  EXPECT_EQ(b.results[1].histories, 100u);
  EXPECT_EQ(properties::to_json(b), properties::to_json(r));
}

// Runs `idemcheck mutate ARGS`; returns the exit status, fills out and err.
int mutate(const std::vector<std::string>& args, std::string& out, std::string& err) {
  std::FILE* o = std::tmpfile();
  std::FILE* e = std::tmpfile();
  const int status = cli::run_mutate_command(args, o, e);
  auto slurp = [](std::FILE* f) {
    std::string text;
    std::rewind(f);
    for (int c; (c = std::fgetc(f)) != EOF;) text += static_cast<char>(c);
    std::fclose(f);
    return text;
  };
  out = slurp(o);
  err = slurp(e);
  return status;
}

// `mutate --merge` reads reports with parse_report: every malformed one is a
// one-line error and status 2, in any build.
TEST(MutateCommand, MergeRejectsEveryMalformedReport) {
  const std::string path = (std::filesystem::temp_directory_path() / "idemcheck-merge-bad.json").string();
  const std::string good = (std::filesystem::temp_directory_path() / "idemcheck-merge-good.json").string();
  std::ofstream(good) << properties::to_json(sample_report());
  std::string out, err;
  EXPECT_EQ(mutate({"--merge", good}, out, err), 1) << err;  // b2 survived
  EXPECT_NE(out.find("merged 1 shard reports"), std::string::npos) << out;
  for (const BadReport& c : bad_reports()) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << c.text;
    EXPECT_EQ(mutate({"--merge", good, path}, out, err), 2) << c.name;
    EXPECT_NE(err.find(c.message), std::string::npos) << c.name << ": " << err;
    EXPECT_NE(err.find("'" + path + "'"), std::string::npos) << c.name << ": " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << c.name << ": " << err;
  }
  std::remove(path.c_str());
  std::remove(good.c_str());
}

TEST(MutateCommand, RunsTheCampaignOrSaysWhichBuildItNeeds) {
  std::string out, err;
  if (!properties::seeded_bugs_available()) {
    EXPECT_EQ(mutate({}, out, err), 2);
    EXPECT_NE(err.find("mutants"), std::string::npos) << err;
    EXPECT_EQ(mutate({"--help"}, out, err), 0);
    return;
  }
  EXPECT_EQ(mutate({"--list"}, out, err), 0);
  EXPECT_NE(out.find("evict_newest"), std::string::npos) << out;
  EXPECT_EQ(mutate({"--bug", "no_such_bug"}, out, err), 2);
  EXPECT_NE(err.find("no_such_bug"), std::string::npos) << err;
  EXPECT_EQ(mutate({"--profile", "shallow"}, out, err), 2);

  const std::string report = (std::filesystem::temp_directory_path() / "idemcheck-mutate-test.json").string();
  EXPECT_EQ(mutate({"--bug", "evict_newest", "--bug", "adjust_ignored", "--no-baseline", "--json", report}, out, err), 0)
      << out << err;
  EXPECT_NE(out.find("caught 2 of 2 seeded bugs"), std::string::npos) << out;
  EXPECT_EQ(mutate({"--merge", report, report}, out, err), 0) << out << err;
  EXPECT_NE(out.find("merged 2 shard reports"), std::string::npos) << out;
  std::remove(report.c_str());
}

}  // namespace
}  // namespace idemcheck
