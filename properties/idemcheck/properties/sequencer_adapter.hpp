// idemcheck/properties/sequencer_adapter.hpp
//
// The optimized producer-side sequencer (impl::ProducerSequencer) behind the
// world's sequencer interface (spec::Sequencer). The spec's value types are
// the common vocabulary: the adapter translates to impl's types on the way in
// and back on the way out, and that translation is the only place where the
// two meet.
//
// Guarantees: every call the producer makes legally is answered exactly as
// impl answers it, and state() reports impl's state in the spec's shape.
// Inputs impl cannot represent are refused with std::invalid_argument instead
// of being truncated: partitions outside [0, 65536), epochs outside
// [-1, 32767], record counts outside [1, 2^31 - 1], sequences outside
// [-1, 2^31 - 1] and error codes the adapter does not know. A refusal by impl
// itself (an error value) is reported as std::logic_error: it means the
// caller broke a precondition or impl has a defect.
#pragma once

#include <memory>

#include "idemcheck/spec/sequencer.hpp"

namespace idemcheck::properties {

/// The optimized sequencer behind the interface; name() is "impl".
std::unique_ptr<spec::Sequencer> make_impl_sequencer();

}  // namespace idemcheck::properties
