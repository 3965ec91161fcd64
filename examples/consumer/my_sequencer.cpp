// The example sequencer (see my_sequencer.hpp).
#include "my_sequencer.hpp"

#include <utility>

namespace example {

MySequencer::MySequencer(idemcheck::spec::ClientRules rules)
    : inner_(idemcheck::spec::make_reference_sequencer(rules)) {}

std::unique_ptr<idemcheck::spec::Sequencer> MySequencer::clone() const {
  // The private constructor keeps the copy a MySequencer, so that its name() stays.
  return std::unique_ptr<idemcheck::spec::Sequencer>(new MySequencer(inner_->clone()));
}

}  // namespace example
