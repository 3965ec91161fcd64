// Kafka conformance suite, broker half, on the project's two cores: the
// reference model (spec) and the optimized core behind its adapter (impl).
// The suite itself -- Kafka's ProducerStateManagerTest, UnifiedLogTest and
// LogLoaderTest re-expressed, with their sources and translation -- is the
// conformance kit's (testing/idemcheck/testing/kafka_broker_suite.hpp), so
// that this file instantiates it exactly as a user's test does for their core.
// Test names: Kafka/<Kafka test class>.<Kafka test>/{spec,impl}.
//
// impl also gets the kit's differential (BrokerConformanceDifferential.impl),
// through the same factory a user would pass: the kit's path end to end on a
// core known to agree. spec does not: it would compare the model with itself.
#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/testing/broker_conformance.hpp"

IDEMCHECK_KAFKA_BROKER_SUITE(spec, idemcheck::spec::make_reference_partition, idemcheck::properties::CoreSupport{});
IDEMCHECK_BROKER_CONFORMANCE(impl, idemcheck::properties::make_impl_partition);
