// The command-line tool rejects bad input with a message that names the
// problem and exit status 2, and never crashes. The subcommands are called as
// functions with temporary files standing in for stdout and stderr.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "commands.hpp"
#include "options.hpp"

namespace idemcheck::cli {
namespace {

struct Captured {
  int status = 0;
  std::string out;
  std::string err;
};

std::string slurp(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

template <class Command>
Captured run(Command command, const Args& args) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  Captured c;
  c.status = command(args, out, err);
  c.out = slurp(out);
  c.err = slurp(err);
  std::fclose(out);
  std::fclose(err);
  return c;
}

TEST(CliOptions, CheckRejectsBadInputWithAMessageAndStatus2) {
  struct Case {
    Args args;
    std::string message;
  };
  const Case cases[] = {
      {{"--histories", "0"}, "--histories must be in [1, 100000000], got 0"},
      {{"--histories", "-3"}, "--histories expects a non-negative integer, got '-3'"},
      {{"--histories"}, "--histories needs a value"},
      {{"--max-size", "101"}, "--max-size must be in [1, 100], got 101"},
      {{"--seed", "12x"}, "--seed expects a non-negative integer, got '12x'"},
      {{"--seed", "99999999999999999999999"}, "--seed expects a non-negative integer"},
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"--quiet=yes"}, "--quiet takes no value"},
      {{"--seed", "1", "--seed", "2"}, "--seed given twice"},
      {{"--set", "producer.id.expiration.ms=0"}, "producer.id.expiration.ms must be an integer in [1, 2147483647]"},
      {{"--set", "idemcheck.broker.cached.batches=9"}, "idemcheck.broker.cached.batches must be an integer in [1, 8]"},
      {{"--set", "idemcheck.snapshot.keeps.window=maybe"}, "must be true or false"},
      {{"--set", "no-equals-sign"}, "--set expects key=value"},
      {{"--set", "acks=all"}, "unknown broker setting 'acks'"},
      {{"--set", "idemcheck.broker.rules=kafka-4.5"}, "does not apply to the differential check"},
      {{"extra"}, "unexpected argument 'extra'"},
  };
  for (const Case& c : cases) {
    const Captured r = run(run_check_command, c.args);
    EXPECT_EQ(r.status, 2) << "args: " << ::testing::PrintToString(c.args);
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << "args " << ::testing::PrintToString(c.args) << "\nexpected message containing: " << c.message
        << "\ngot: " << r.err;
    EXPECT_TRUE(r.out.empty()) << "nothing is printed to stdout for bad input";
  }
}

TEST(CliOptions, RuleVariantsAreSettingsOfTheWorld) {
  spec::WorldConfig c;
  bool unsafe = false, known = false;
  EXPECT_EQ(apply_world_setting(c, unsafe, "idemcheck.broker.rules", "kafka-4.5", known), std::nullopt);
  EXPECT_TRUE(known);
  EXPECT_EQ(c.broker.rules, spec::BrokerRules::kafka_4_5);
  EXPECT_EQ(apply_world_setting(c, unsafe, "idemcheck.client.rules", "java-2.4", known), std::nullopt);
  EXPECT_EQ(c.client_rules, spec::ClientRules::java_2_4);
  const auto bad = apply_world_setting(c, unsafe, "idemcheck.client.rules", "kgo", known);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad, "idemcheck.client.rules: unknown client variant 'kgo' (known: java-2.4, java-2.5, kafka-14034)");
  EXPECT_EQ(c.client_rules, spec::ClientRules::java_2_4) << "a refused value leaves the setting alone";
  const Captured r = run(run_explore_command, {"--set", "idemcheck.broker.rules=kafka-5"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown broker variant 'kafka-5'"), std::string::npos) << r.err;
}

TEST(CliOptions, ClaimsRejectsBadInput) {
  const Captured unknown = run(run_claims_command, {"--claim", "no-such-claim"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("unknown claim 'no-such-claim'"), std::string::npos) << unknown.err;
  const Captured size = run(run_claims_command, {"--max-size", "1000"});
  EXPECT_EQ(size.status, 2);
  EXPECT_NE(size.err.find("--max-size must be in [1, 100]"), std::string::npos) << size.err;
}

TEST(CliOptions, CheckRunsAndReportsWhatItChecked) {
  const Captured r = run(run_check_command, {"--seed", "7", "--histories", "200"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("seed 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OK: spec and impl agreed on 200 histories"), std::string::npos) << r.out;
  // The default profile draws the broker settings per history, so producers
  // expire (the defaults used to pin Kafka's one-day expiration: never).
  const auto expiry = r.out.find("expiry removed a producer");
  ASSERT_NE(expiry, std::string::npos) << r.out;
  const auto line_end = r.out.find('\n', expiry);
  const std::string count = r.out.substr(r.out.rfind(' ', line_end) + 1, line_end - r.out.rfind(' ', line_end) - 1);
  EXPECT_GT(std::stoull(count), 0u) << r.out;
}

TEST(CliOptions, CheckFailsWhenACoverageCaseNeverOccurs) {
  // Pinned to Kafka's one-day expiration, no history of a few seconds expires
  // a producer: the run cannot see an expiry bug, and says so with exit 1.
  const Captured r = run(run_check_command, {"--seed", "7", "--histories", "200", "--set",
                                             "producer.id.expiration.ms=86400000", "--quiet"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("these cases never occurred"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expiry removed a producer"), std::string::npos) << r.out;
}

TEST(CliOptions, OneClaimRunsWithItsPinnedOutcome) {
  const Captured r = run(run_claims_command, {"--claim", "no-idempotence-duplicates", "--seed", "3"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("violated ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("replay:"), std::string::npos) << "a counterexample comes with the command that replays it";
}

TEST(CliOptions, PropertiesFilesAreReadOrRejectedWithTheLine) {
  const std::string path = ::testing::TempDir() + "idemcheck_options_test.properties";
  {
    std::ofstream f(path);
    f << "# producer settings\nenable.idempotence = false\n! another comment\nacks: 1\n\nthis line is wrong\n";
  }
  const auto bad = read_properties_file(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(bad));
  EXPECT_NE(std::get<std::string>(bad).find(":6: expected key=value"), std::string::npos) << std::get<std::string>(bad);
  {
    std::ofstream f(path);
    f << "enable.idempotence = false\nacks: 1\n";
  }
  const auto good = read_properties_file(path);
  using Map = std::map<std::string, std::string>;
  ASSERT_TRUE(std::holds_alternative<Map>(good));
  const auto& kv = std::get<Map>(good);
  EXPECT_EQ(kv.at("enable.idempotence"), "false");
  EXPECT_EQ(kv.at("acks"), "1");
  const auto missing = read_properties_file(path + ".does-not-exist");
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_NE(std::get<std::string>(missing).find("cannot read properties file"), std::string::npos);
}

// The reproducers of the hardening issue: each of these used to exit 0 (or
// block, or exhaust memory) and must now exit 2 with a one-line message.
TEST(CliOptions, HostileOptionLinesExit2WithOneLine) {
  const std::string dir = ::testing::TempDir() + "idemcheck_cli_dir_test";
  std::filesystem::create_directories(dir);
  const std::string fifo = ::testing::TempDir() + "idemcheck_cli_fifo_test";
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << "cannot make a FIFO for the test";
  struct Case {
    Args args;
    std::string message;
  };
  const Case cases[] = {
      {{"explore", "--config", dir}, "not a regular file"},
      // Opening a FIFO would block until a writer comes: refused before it is opened.
      {{"explore", "--config", fifo}, "not a regular file"},
      {{"check", "--history", "18446744073709551615"}, "--history must be in [0, 18446744073709551614]"},
      {{"prove", "--m", "4294967297"}, "--m wants values in 1..8"},
      {{"prove", "--m", "1-4294967297"}, "--m wants values in 1..8"},
      {{"prove", "--w", "0-3"}, "--w wants values in 1..8"},
      {{"prove", "--engine", "tlc"}, "--engine wants both, explicit or z3, not 'tlc'"},
      {{"prove", "--producer", "maybe"}, "--producer wants unknown, known or both, not 'maybe'"},
      {{"prove", "--jobs", "0"}, "--jobs"},
      {{"prove", "--states", "0"}, "--states"},
      {{"--version", "extra"}, "--version takes no arguments, got 'extra'"},
      {{"--help", "extra"}, "--help takes no arguments, got 'extra'"},
      {{"mutate", "--merge", dir}, "not a regular file"},
      {{"replay", dir}, "not a file"},
  };
  for (const Case& c : cases) {
    const Captured r = run(run_idemcheck, c.args);
    EXPECT_EQ(r.status, 2) << "args: " << ::testing::PrintToString(c.args) << "\nerr: " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << "args " << ::testing::PrintToString(c.args) << "\nexpected message containing: " << c.message
        << "\ngot: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1)
        << "the error is one line: " << r.err;
  }
  std::filesystem::remove(fifo);
}

TEST(CliOptions, VersionPrintsTheVersion) {
  const Captured r = run(run_idemcheck, {"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "idemcheck 0.1.0\n");
}

TEST(CliOptions, PropertiesTextWithANulByteIsRejected) {
  const auto bad = parse_properties(std::string_view("acks=1\nbatch\0size=3\n", 20), "cfg");
  ASSERT_TRUE(std::holds_alternative<std::string>(bad));
  EXPECT_EQ(std::get<std::string>(bad), "cfg:2: a NUL byte is not text");
}

}  // namespace
}  // namespace idemcheck::cli
