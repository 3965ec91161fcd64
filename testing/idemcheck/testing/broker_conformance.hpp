// idemcheck/testing/broker_conformance.hpp
//
// THE BROKER CONFORMANCE KIT: one line of a user's GoogleTest file runs a
// dedup core of theirs (any spec::BrokerPartition) through
//   (a) the Kafka conformance suite (kafka_broker_suite.hpp): Kafka's own
//       ProducerStateManagerTest, UnifiedLogTest and LogLoaderTest cases, as
//       "Kafka/<Kafka test class>.<Kafka test>/<Name>", and
//   (b) the differential: random broker histories played step by step on the
//       reference model and on the core (properties::check_broker_core), as
//       "BrokerConformanceDifferential.<Name>"; on a divergence it prints the
//       history shrunk to a short op list, both answers, and how to rerun it.
//
//   #include <idemcheck/testing/broker_conformance.hpp>
//   IDEMCHECK_BROKER_CONFORMANCE(MyCore, [](const idemcheck::spec::BrokerConfig& c) {
//     return std::make_unique<MyPartition>(c);
//   });
//
// Contract:
//   * Include this header in exactly ONE .cpp of a test executable (link it
//     with idemcheck::conformance and a GoogleTest main). It defines tests,
//     which GoogleTest registers from static initializers of that object
//     file: that is why the kit is headers, not a library whose unreferenced
//     object the linker would drop. A second including .cpp fails to link.
//   * Invoke the macros at namespace scope (global or the user's own), once
//     per Name; Name is a C++ identifier that names the core in test names.
//   * The factory is an expression callable as
//     std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)
//     (a lambda returning std::unique_ptr<MyPartition> is fine) that returns
//     a fresh, empty partition for the config, never null. It is called once
//     per test and many times per differential history (shrinking replays).
//     In the _WITH forms a factory with a comma outside parentheses or
//     brackets must be put in parentheses (a macro argument).
//   * The core must answer as the reference model (spec::PartitionModel) does
//     for the rules its config names; the differential draws Kafka's rules
//     (kafka-2.5) with windows 1..8, short and default expirations, and
//     snapshots that keep the newest batch or the whole window.
//   * A core that lacks an operation declares it with a properties::CoreSupport
//     (the _WITH forms): its suite tests that need it skip with the
//     operation's name, and its differential histories contain none of it.
//
// Guarantees: the differential is deterministic for a given seed and number
// of histories (printed by the test; IDEMCHECK_SEED and IDEMCHECK_HISTORIES
// override them, see kit_settings.hpp), and an exception thrown by the core
// fails the test with its message and the seed.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "idemcheck/properties/broker_check.hpp"
#include "idemcheck/spec/broker_rules.hpp"
#include "idemcheck/testing/kafka_broker_suite.hpp"
#include "idemcheck/testing/kit_settings.hpp"

namespace idemcheck::conformance {

/// The seed a broker differential draws from unless IDEMCHECK_SEED says otherwise.
inline constexpr std::uint64_t kBrokerDifferentialSeed = 20'250'101;
/// The number of histories unless IDEMCHECK_HISTORIES says otherwise: about
/// a second for an in-memory core in an optimized build.
inline constexpr std::uint64_t kBrokerDifferentialHistories = 300;

/// Runs the broker differential of `core` as a GoogleTest body: check_broker_core
/// with the kit's settings, and a failure naming the shrunk history, both
/// answers and the command that reruns it.
inline void expect_broker_core_agrees(const properties::CoreUnderTest& core,
                                      std::uint64_t default_histories = kBrokerDifferentialHistories) {
  const DifferentialSettings settings =
      differential_settings("broker differential of " + core.name, kBrokerDifferentialSeed, default_histories);
  properties::BrokerCheckOptions options;
  options.seed = settings.seed;
  options.histories = settings.histories;
  properties::BrokerCheckResult result;
  try {
    result = properties::check_broker_core(core, options);
  } catch (const std::exception& e) {
    FAIL() << "core '" << core.name << "' threw: " << e.what() << "\n  reproduce: "
           << reproduce_line(settings.seed, settings.histories);
  }
  const std::size_t reached = properties::kBrokerCaseCount - result.coverage.missing().size();
  std::cout << "[ idemcheck ] " << result.coverage.histories << " histories, " << result.coverage.steps
            << " steps, " << reached << " of " << properties::kBrokerCaseCount << " cases reached\n";
  if (!result.failure) return;

  const properties::BrokerCheckFailure& f = *result.failure;
  const properties::BrokerHistory& history = f.shrunk ? f.shrunk->history : f.original;
  const properties::BrokerDivergence& d = f.shrunk ? f.shrunk->divergence : f.divergence;
  const spec::BrokerConfig& c = history.config;
  std::ostringstream os;
  os << "core '" << core.name << "' diverges from the reference model on history " << f.index << " of seed "
     << settings.seed;
  if (f.shrunk) {
    os << " (shrunk from " << f.original.ops.size() << " ops to " << history.ops.size() << " in " << f.shrunk->replays
       << " replays)";
  }
  os << "\n  config: window " << c.window << ", producer.id.expiration.ms " << c.producer_id_expiration_ms
     << ", snapshot keeps " << (c.snapshot_keeps_window ? "the whole window" : "the newest batch") << ", rules "
     << spec::name(c.rules) << "\n  ops, up to the diverging one:\n"
     << properties::format_ops(history, d.step) << "  at step " << d.step << ": " << d.operation << "\n  "
     << d.what << "\n    spec: " << d.spec_side << "\n    " << core.name << ": " << d.impl_side
     << "\n  reproduce: " << reproduce_line(settings.seed, f.index + 1);
  ADD_FAILURE() << os.str();
}

}  // namespace idemcheck::conformance

/// The Kafka conformance suite alone, for core `Name` made by `factory`, with
/// the operations `support` (a properties::CoreSupport) says it has.
#define IDEMCHECK_KAFKA_BROKER_SUITE(Name, factory, support)                              \
  namespace idemcheck_kafka_broker_suite_##Name {                                         \
  using ::idemcheck::conformance::kafka_broker::LogLoaderTest;                            \
  using ::idemcheck::conformance::kafka_broker::ProducerStateManagerTest;                 \
  using ::idemcheck::conformance::kafka_broker::UnifiedLogTest;                           \
  inline ::idemcheck::conformance::BrokerBackend backend() {                              \
    return ::idemcheck::conformance::BrokerBackend{#Name, factory, support};              \
  }                                                                                       \
  INSTANTIATE_TEST_SUITE_P(Kafka, ProducerStateManagerTest, ::testing::Values(backend()), \
                           ::idemcheck::conformance::broker_backend_name);                \
  INSTANTIATE_TEST_SUITE_P(Kafka, UnifiedLogTest, ::testing::Values(backend()),           \
                           ::idemcheck::conformance::broker_backend_name);                \
  INSTANTIATE_TEST_SUITE_P(Kafka, LogLoaderTest, ::testing::Values(backend()),            \
                           ::idemcheck::conformance::broker_backend_name);                \
  }                                                                                       \
  static_assert(true, "a macro invocation ends with a semicolon")

/// The differential alone, for core `Name` made by `factory`, with `support`.
#define IDEMCHECK_BROKER_DIFFERENTIAL(Name, factory, support)                 \
  namespace idemcheck_broker_differential_##Name {                            \
  TEST(BrokerConformanceDifferential, Name) {                                 \
    ::idemcheck::conformance::expect_broker_core_agrees(                      \
        ::idemcheck::properties::core_from_factory(#Name, factory, support)); \
  }                                                                           \
  }                                                                           \
  static_assert(true, "a macro invocation ends with a semicolon")

/// The whole kit for core `Name` made by `factory`, with the operations
/// `support` (a properties::CoreSupport) says it has.
#define IDEMCHECK_BROKER_CONFORMANCE_WITH(Name, factory, support) \
  IDEMCHECK_KAFKA_BROKER_SUITE(Name, factory, support);           \
  IDEMCHECK_BROKER_DIFFERENTIAL(Name, factory, support)

/// The whole kit for core `Name` made by the factory (the remaining
/// arguments, so that a lambda with commas needs no parentheses), which
/// supports every operation.
#define IDEMCHECK_BROKER_CONFORMANCE(Name, ...) \
  IDEMCHECK_BROKER_CONFORMANCE_WITH(Name, (__VA_ARGS__), ::idemcheck::properties::CoreSupport{})
