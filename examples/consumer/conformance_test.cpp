// The example's conformance test: the whole kit for each of the user's two
// classes, one line each. This is the one .cpp of the test executable that
// includes the kit's headers (they define the tests; see broker_conformance.hpp).
#include <memory>

#include <idemcheck/testing/broker_conformance.hpp>
#include <idemcheck/testing/sequencer_conformance.hpp>

#include "my_partition.hpp"
#include "my_sequencer.hpp"

namespace {

// MyPartition keeps no snapshots and never restarts: the Kafka tests that need
// either skip, and the differential's histories contain neither.
idemcheck::properties::CoreSupport my_partition_support() {
  idemcheck::properties::CoreSupport s;
  s.snapshot = false;
  s.restart = false;
  s.damage = false;
  return s;
}

}  // namespace

IDEMCHECK_BROKER_CONFORMANCE_WITH(
    MyCore, [](const idemcheck::spec::BrokerConfig& c) { return std::make_unique<example::MyPartition>(c); },
    my_partition_support());

IDEMCHECK_SEQUENCER_CONFORMANCE(MySeq, [](idemcheck::spec::ClientRules r) {
  return std::make_unique<example::MySequencer>(r);
});
