// idemcheck/properties/broker_adapters.hpp
//
// The optimized core behind the world's broker interface
// (spec::BrokerPartition). The spec's value types are the common vocabulary:
// the adapter translates to impl's types on the way in and back on the way
// out, and that translation is the only place where the two meet.
//
// Guarantees: accepts every batch the spec accepts as input (producer ids in
// int64, epochs in int16, sequences in int32, record counts in
// [1, 2^31 - 1]); an impl snapshot that fails to load during a restart is
// reported as an exception, because it is a defect of the core, not an outcome.
#pragma once

#include <memory>

#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::properties {

/// The optimized core behind the interface. Requires 1 <= config.window <= 8.
std::unique_ptr<spec::BrokerPartition> make_impl_partition(const spec::BrokerConfig& config);

}  // namespace idemcheck::properties
