// Conformance suite, client half, at the sequencer level, on the project's two
// sequencers: the reference (spec::make_reference_sequencer) and the optimized
// one behind its adapter (properties::make_impl_sequencer). The suite itself --
// Kafka's TransactionManagerTest re-expressed, with its source and translation
// -- is the conformance kit's (testing/idemcheck/testing/kafka_client_suite.hpp),
// so that this file instantiates it exactly as a user's test does.
// The instantiation's name puts "conformance" in every CTest name (ctest -R
// conformance): kafka_conformance_client/TransactionManagerTest.<test>/{spec,impl}.
//
// The kit's differential of impl is not instantiated here: it is what
// sequencer_differential_test runs already (SequencerDifferential.SpecAndImplAgreeAtEveryCall).
#include <memory>

#include "idemcheck/properties/sequencer_adapter.hpp"
#include "idemcheck/spec/client_rules.hpp"
#include "idemcheck/spec/sequencer.hpp"
#include "idemcheck/testing/sequencer_conformance.hpp"

IDEMCHECK_KAFKA_CLIENT_SUITE(spec, [](idemcheck::spec::ClientRules rules) {
  return idemcheck::spec::make_reference_sequencer(rules);
});
// impl has the java-2.5 rules alone, the only ones the suite asks for.
IDEMCHECK_KAFKA_CLIENT_SUITE(impl, [](idemcheck::spec::ClientRules) {
  return idemcheck::properties::make_impl_sequencer();
});
