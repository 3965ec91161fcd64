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
//
// The impl table's hash is a parameter: hash_classes 0 is the table's own
// hash, n >= 1 a colliding one (CollidingHash) that gives every producer id
// one of n tags, so that producers share tags (a tag match that is not a
// key match), fill buckets and probe past them on purpose. An index the
// table found broken (BasicProducerStateTable::broken_invariant, checked
// builds) is reported as std::logic_error after the operation.
#pragma once

#include <cstdint>
#include <memory>

#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::properties {

/// A hash for the impl table that collides on purpose: producer id p gets
/// tag (p mod classes) * 2^32 / classes, so the classes' home buckets are
/// spread over the index and every class is one tag. classes >= 1.
struct CollidingHash {
  std::uint32_t classes = 1;
  /// The tag of a producer id.
  [[nodiscard]] constexpr std::uint32_t operator()(std::int64_t pid) const noexcept {
    const std::uint64_t c = static_cast<std::uint64_t>(pid) % classes;
    return static_cast<std::uint32_t>((c << 32) / classes);
  }
};

/// The optimized core behind the interface, with the table's own hash.
/// Requires 1 <= config.window <= 8.
std::unique_ptr<spec::BrokerPartition> make_impl_partition(const spec::BrokerConfig& config);

/// The same with the hash chosen: hash_classes 0 is the table's own hash,
/// n >= 1 CollidingHash{n}. Requires 1 <= config.window <= 8, hash_classes >= 0.
std::unique_ptr<spec::BrokerPartition> make_impl_partition_hashed(const spec::BrokerConfig& config, int hash_classes);

/// How copy_impl_partition() copies.
enum class CopyHow : std::uint8_t {
  construct,  ///< copy construction of the partition, hence of its table
  assign,     ///< copy assignment over a partition that has (bigger) state of its own
};

/// A copy of an impl partition (one make_impl_partition() made, or a copy of
/// one), made with the table's copy constructor or its copy assignment.
/// Throws std::invalid_argument for any other partition.
std::unique_ptr<spec::BrokerPartition> copy_impl_partition(const spec::BrokerPartition& from, CopyHow how);

}  // namespace idemcheck::properties
