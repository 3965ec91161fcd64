// idemcheck/testing/sequencer_conformance.hpp
//
// THE SEQUENCER CONFORMANCE KIT: one line of a user's GoogleTest file runs a
// producer-side sequencer of theirs (any spec::Sequencer) through
//   (a) the Kafka conformance suite, client half (kafka_client_suite.hpp):
//       Kafka's TransactionManagerTest cases of the idempotent producer, as
//       "kafka_conformance_client/TransactionManagerTest.<Kafka test>/<Name>", and
//   (b) the differential: random call sequences of a producer played on the
//       reference sequencer and on the user's, compared after every call
//       (properties::check_sequencer), as "SequencerConformanceDifferential.<Name>";
//       on a divergence it prints the history shrunk to a short step list,
//       the disagreement with both states, and how to rerun it.
//
//   #include <idemcheck/testing/sequencer_conformance.hpp>
//   IDEMCHECK_SEQUENCER_CONFORMANCE(MySeq, [](idemcheck::spec::ClientRules r) {
//     return std::make_unique<MySequencer>(r);
//   });
//
// Contract:
//   * Include this header in exactly ONE .cpp of a test executable (it may be
//     the one that includes broker_conformance.hpp); link idemcheck::conformance
//     and a GoogleTest main. It defines tests, registered by static
//     initializers of that object file (hence headers, not a library); a
//     second including .cpp fails to link.
//   * Invoke the macros at namespace scope, once per Name (a C++ identifier).
//   * The factory is callable as std::unique_ptr<spec::Sequencer>(spec::ClientRules)
//     and returns a fresh sequencer, never null. The kit asks for java-2.5
//     (the Java client from Kafka 2.5 on) only: a sequencer of that variant
//     alone may ignore the argument. It is called once per test and many
//     times per differential history (shrinking replays).
//   * The sequencer must answer as the reference (spec::make_reference_sequencer)
//     does, call by call, for every legal call sequence of a producer; its
//     name() must not change across clone().
//
// Guarantees: the differential is deterministic for a given seed and number
// of histories (printed by the test; IDEMCHECK_SEED and IDEMCHECK_HISTORIES
// override them, see kit_settings.hpp); an exception from a call on the
// sequencer is reported as a divergence, with its message; one from the
// factory fails the test with its message and the seed.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "idemcheck/properties/sequencer_differential.hpp"
#include "idemcheck/testing/kafka_client_suite.hpp"
#include "idemcheck/testing/kit_settings.hpp"

namespace idemcheck::conformance {

/// The seed a sequencer differential draws from unless IDEMCHECK_SEED says otherwise.
inline constexpr std::uint64_t kSequencerDifferentialSeed = 20'250'101;
/// The number of histories (of 20 to 400 calls) unless IDEMCHECK_HISTORIES
/// says otherwise: well under a second for an in-memory sequencer in an
/// optimized build.
inline constexpr std::uint64_t kSequencerDifferentialHistories = 200;

/// Runs the sequencer differential of `make`'s sequencer, called `name` in
/// reports, as a GoogleTest body: check_sequencer with the kit's settings,
/// and a failure naming the shrunk history, the disagreement and the command
/// that reruns it.
inline void expect_sequencer_agrees(const std::string& name, const properties::SequencerFactory& make,
                                    std::uint64_t default_histories = kSequencerDifferentialHistories) {
  const DifferentialSettings settings =
      differential_settings("sequencer differential of " + name, kSequencerDifferentialSeed, default_histories);
  properties::SequencerCheckOptions options;
  options.seed = settings.seed;
  options.histories = settings.histories;
  properties::SequencerCheckResult result;
  try {
    result = properties::check_sequencer(make, options);
  } catch (const std::exception& e) {
    FAIL() << "the factory of sequencer '" << name << "' threw: " << e.what() << "\n  reproduce: "
           << reproduce_line(settings.seed, settings.histories);
  }
  const std::size_t reached = properties::kSequencerCaseCount - result.coverage.missing().size();
  std::cout << "[ idemcheck ] " << result.coverage.histories << " histories, " << result.coverage.steps
            << " calls, " << reached << " of " << properties::kSequencerCaseCount << " cases reached\n";
  if (!result.failure) return;

  const properties::SequencerCheckFailure& f = *result.failure;
  std::ostringstream os;
  os << "sequencer '" << name << "' diverges from the reference on history " << f.index << " of seed "
     << settings.seed << " (shrunk from " << f.original.steps.size() << " steps to " << f.shrunk.steps.size();
  if (f.replays > 0) os << " in " << f.replays << " replays";
  os << ")\n  steps, up to the diverging one:\n"
     << properties::format_steps(f.shrunk, f.step.value_or(0)) << "  "
     << (f.step ? "at step " + std::to_string(*f.step) : std::string("at the start")) << ": " << f.divergence
     << "\n  reproduce: " << reproduce_line(settings.seed, f.index + 1);
  ADD_FAILURE() << os.str();
}

}  // namespace idemcheck::conformance

/// The Kafka client suite alone, for sequencer `Name` made by `factory`.
/// A factory with a comma outside parentheses or brackets must be put in parentheses.
#define IDEMCHECK_KAFKA_CLIENT_SUITE(Name, factory)                                                       \
  namespace idemcheck_kafka_client_suite_##Name {                                                         \
  using ::idemcheck::conformance::kafka_client::TransactionManagerTest;                                   \
  INSTANTIATE_TEST_SUITE_P(kafka_conformance_client, TransactionManagerTest,                              \
                           ::testing::Values(::idemcheck::conformance::SequencerBackend{#Name, factory}), \
                           ::idemcheck::conformance::sequencer_backend_name);                             \
  }                                                                                                       \
  static_assert(true, "a macro invocation ends with a semicolon")

/// The differential alone, for sequencer `Name` made by `factory`.
#define IDEMCHECK_SEQUENCER_DIFFERENTIAL(Name, factory)                \
  namespace idemcheck_sequencer_differential_##Name {                  \
  TEST(SequencerConformanceDifferential, Name) {                       \
    ::idemcheck::conformance::expect_sequencer_agrees(#Name, factory); \
  }                                                                    \
  }                                                                    \
  static_assert(true, "a macro invocation ends with a semicolon")

/// The whole kit for sequencer `Name` made by the factory (the remaining
/// arguments, so that a lambda with commas needs no parentheses).
#define IDEMCHECK_SEQUENCER_CONFORMANCE(Name, ...)   \
  IDEMCHECK_KAFKA_CLIENT_SUITE(Name, (__VA_ARGS__)); \
  IDEMCHECK_SEQUENCER_DIFFERENTIAL(Name, (__VA_ARGS__))
