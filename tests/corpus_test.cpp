// The regression corpus: every history file in tests/corpus/ is replayed on
// the reference world and the impl world, and must have the outcome its
// "expect" names; every file in tests/corpus/malformed/ must be rejected with
// the message its .error file holds. The folder is read when the test runs,
// so adding a file pins a case without touching any code.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/properties/claims.hpp"
#include "idemcheck/report/timeline.hpp"

namespace {

namespace fs = std::filesystem;
using namespace idemcheck;

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Corpus, EveryFileReplaysAsExpected) {
  const auto files = json_files(IDEMCHECK_CORPUS_DIR);
  ASSERT_FALSE(files.empty()) << "no history files in " << IDEMCHECK_CORPUS_DIR;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    const auto loaded = io::load_history_file(f.string());
    if (const auto* e = std::get_if<io::LoadError>(&loaded)) {
      ADD_FAILURE() << f.filename().string() << ": " << e->describe();
      continue;
    }
    const io::LoadedHistory& lh = std::get<io::LoadedHistory>(loaded);
    if (!lh.file.expect || !lh.file.expect->anomalies) {
      ADD_FAILURE() << f.filename().string() << ": a corpus file must say which anomalies it expects (\"expect\")";
      continue;
    }
    const report::Timeline t = report::build_timeline(lh.history, /*run_impl=*/true);
    for (const std::string& m : io::expectation_mismatches(lh.file.expect, report::replay_outcome(t))) {
      ADD_FAILURE() << f.filename().string() << ": " << m << " (replay it: idemcheck replay " << f.filename().string()
                    << ")";
    }
    // What the file says must survive a write and a read unchanged.
    const auto again = io::parse_history_file(io::write_history_file(lh.file));
    ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(again));
    EXPECT_EQ(std::get<io::LoadedHistory>(again).file, lh.file);
  }
}

TEST(Corpus, MalformedFilesAreRejectedWithTheirMessage) {
  const fs::path dir = fs::path(IDEMCHECK_CORPUS_DIR) / "malformed";
  const auto files = json_files(dir);
  ASSERT_FALSE(files.empty()) << "no malformed files in " << dir;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    fs::path expected_path = f;
    expected_path.replace_extension(".error");
    ASSERT_TRUE(fs::exists(expected_path)) << f.filename().string() << " needs " << expected_path.filename().string()
                                           << " with the expected error message";
    std::string expected = read_text(expected_path);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
    const auto loaded = io::load_history_file(f.string());
    const auto* e = std::get_if<io::LoadError>(&loaded);
    if (e == nullptr) {
      ADD_FAILURE() << f.filename().string() << " was accepted";
      continue;
    }
    EXPECT_NE(e->describe().find(expected), std::string::npos)
        << f.filename().string() << ": got \"" << e->describe() << "\", expected it to contain \"" << expected << "\"";
  }
}

// Writes the shrunk counterexample of every claim pinned to fail, as a
// starting point for corpus files (review and annotate each by hand):
//   IDEMCHECK_CORPUS_OUT=/some/dir corpus_test --gtest_also_run_disabled_tests
//     --gtest_filter='*WriteClaimCounterexamples'
TEST(Corpus, DISABLED_WriteClaimCounterexamples) {
  const char* out_dir = std::getenv("IDEMCHECK_CORPUS_OUT");
  ASSERT_NE(out_dir, nullptr) << "set IDEMCHECK_CORPUS_OUT";
  properties::ClaimBudget budget;
  budget.seed = 1;
  budget.histories = 3000;
  budget.max_size = 60;
  for (const properties::Claim& c : properties::claims()) {
    if (!c.expect_violation) continue;
    const properties::ClaimResult r = properties::check_claim(c, budget);
    if (!r.counterexample) {
      ADD_FAILURE() << c.id << ": no counterexample found";
      continue;
    }
    auto file = io::from_history(r.counterexample->shrunk, "Claim " + c.id + ": " + c.article + ".\nSetting: " + c.setting + ".");
    ASSERT_TRUE(std::holds_alternative<io::HistoryFile>(file)) << std::get<std::string>(file);
    io::HistoryFile& f = std::get<io::HistoryFile>(file);
    const report::Timeline t = report::build_timeline(r.counterexample->shrunk, true);
    const io::ReplayOutcome o = report::replay_outcome(t);
    f.expect = io::Expectation{o.anomalies, o.spec_impl_agree};
    std::sort(f.expect->anomalies->begin(), f.expect->anomalies->end());
    f.expect->anomalies->erase(std::unique(f.expect->anomalies->begin(), f.expect->anomalies->end()),
                               f.expect->anomalies->end());
    const std::string path = std::string(out_dir) + "/" + c.id + ".json";
    EXPECT_EQ(io::save_history_file(path, f), "");
  }
}

}  // namespace
