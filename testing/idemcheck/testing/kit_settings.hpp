// idemcheck/testing/kit_settings.hpp
//
// The settings every differential test of the conformance kit shares: a fixed
// seed and a number of histories, printed by each test and overridable from
// the environment, so that a failure seen anywhere (CI, another machine)
// replays exactly with the two variables the failure message names, and a
// longer hunt needs no rebuild.
//
// Guarantees: without the variables a test draws the same histories on every
// run and every compiler (the draws are splitmix64-seeded per history); a
// variable that is set but is not a decimal number fails the test instead of
// being ignored.
#pragma once

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

namespace idemcheck::conformance {

/// The environment variable that overrides a differential's seed.
inline constexpr const char* kSeedVariable = "IDEMCHECK_SEED";
/// The environment variable that overrides a differential's number of histories.
inline constexpr const char* kHistoriesVariable = "IDEMCHECK_HISTORIES";

/// The seed and history count one differential test runs with.
struct DifferentialSettings {
  std::uint64_t seed = 1;
  std::uint64_t histories = 1;
};

/// The value of `variable` when it is set and a decimal number; `fallback`
/// when unset; a set, malformed value fails the running test and gives `fallback`.
inline std::uint64_t environment_number(const char* variable, std::uint64_t fallback) {
  const char* text = std::getenv(variable);  // NOLINT(concurrency-mt-unsafe): read before any test thread
  if (text == nullptr || *text == '\0') return fallback;
  const std::string_view s(text);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) {
    ADD_FAILURE() << variable << "=" << s << " is not a decimal number; using " << fallback;
    return fallback;
  }
  return value;
}

/// The settings of a differential test: the environment's, else the defaults.
/// Prints them (one line, to stdout) so that every log says how to reproduce the run.
inline DifferentialSettings differential_settings(std::string_view what, std::uint64_t default_seed,
                                                  std::uint64_t default_histories) {
  DifferentialSettings s;
  s.seed = environment_number(kSeedVariable, default_seed);
  s.histories = environment_number(kHistoriesVariable, default_histories);
  std::cout << "[ idemcheck ] " << what << ": seed " << s.seed << ", " << s.histories << " histories (" << kSeedVariable
            << ", " << kHistoriesVariable << " override them)\n";
  ::testing::Test::RecordProperty("idemcheck_seed", std::to_string(s.seed));
  ::testing::Test::RecordProperty("idemcheck_histories", std::to_string(s.histories));
  return s;
}

/// How to run the current test alone with `seed` and `histories`, for a failure message.
inline std::string reproduce_line(std::uint64_t seed, std::uint64_t histories) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string filter = test == nullptr ? std::string("*") : std::string(test->test_suite_name()) + "." + test->name();
  return std::string(kSeedVariable) + "=" + std::to_string(seed) + " " + kHistoriesVariable + "=" +
         std::to_string(histories) + " <this test executable> --gtest_filter=" + filter;
}

}  // namespace idemcheck::conformance
