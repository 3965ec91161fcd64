// idemcheck/properties/broker_adapters.hpp
//
// The optimized core behind the world's broker interface
// (spec::BrokerPartition). The spec's value types are the common vocabulary:
// the adapter translates to impl's types on the way in and back on the way
// out, and that translation is the only place where the two meet.
//
// Guarantees: accepts every batch the spec accepts as input (producer ids in
// int64, epochs in int16, sequences in int32, record counts in
// [1, 2^31 - 1]). The adapter keeps the snapshot bytes impl encodes, one per
// offset, newest last, as a broker keeps its files; a restart with
// spec::SnapshotDamage really damages the newest bytes (torn: cut to half;
// corrupt: a byte flipped under the CRC) and hands the files, newest first, to
// impl's decoder (ProducerStateTable::load_newest_valid), deletes the ones it
// rejects, and replays the log after the one it loaded. An undamaged impl
// snapshot that fails to load, or a damaged one that loads, is reported as an
// exception (std::logic_error), because it is a defect of the core, not an
// outcome.
#pragma once

#include <memory>

#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::properties {

/// The optimized core behind the interface. Requires 1 <= config.window <= 8.
std::unique_ptr<spec::BrokerPartition> make_impl_partition(const spec::BrokerConfig& config);

}  // namespace idemcheck::properties
