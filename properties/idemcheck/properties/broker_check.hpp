// idemcheck/properties/broker_check.hpp
//
// The broker differential for any dedup core: a core under test is a maker of
// spec::BrokerPartition (a C++ class of the user's, a subprocess speaking the
// core protocol, the project's own impl) with the operations it supports. Its
// histories are drawn as for `idemcheck check`, each played on the reference
// model and on the core step by step (run_broker_differential), and the first
// diverging history is shrunk to a shortest operation list that still
// diverges, replayed from an empty core each time.
//
// A core that lacks an operation (a mock broker has no snapshots, restarts
// or replication) declares so: the histories then contain none of those ops,
// so no verdict depends on them, and the coverage says which cases were not
// reached. A core's copy is its clone(); the impl core's copies are made by
// its table's copy constructor and assignment (copy_impl_partition).
//
// Guarantees: deterministic in (seed, histories, max_size, core); a history
// is reproduced alone by its index (history_seed, history_size); an exception
// from the core (a broken subprocess, a violated contract) is not a verdict:
// it propagates to the caller.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/properties/broker_differential.hpp"
#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/properties/broker_ops.hpp"
#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck::properties {

/// Which operations beyond append a core supports.
struct CoreSupport {
  bool replicate = true;  ///< replicated appends (no validation)
  bool expire = true;     ///< expiry sweeps at a given time
  bool snapshot = true;   ///< producer-state snapshots
  bool restart = true;    ///< clean and unclean restarts
  bool damage = true;     ///< restarts that read a damaged snapshot (needs restart)
  bool copy = true;       ///< copies of the running partition (clone())
  friend bool operator==(const CoreSupport&, const CoreSupport&) = default;
};

/// A dedup core under test.
struct CoreUnderTest {
  std::string name = "core";  ///< for reports
  /// A fresh, empty partition of the core for `config`; may throw (the
  /// exception reaches the caller of the check).
  std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig& config, int hash_classes)> make;
  /// A copy of a running partition; empty: clone().
  std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerPartition& from, CopyHow how)> copy;
  CoreSupport supports;
  /// The largest cached-batches window the core accepts (impl: 8).
  int max_window = 8;
};

/// The project's optimized core (impl) as a core under test.
CoreUnderTest impl_core();
/// A core from a plain factory, with the given support; hash classes are ignored.
CoreUnderTest core_from_factory(std::string name,
                                std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)> make,
                                CoreSupport supports = {});

/// `history` restricted to what `core` supports: unsupported ops are removed,
/// a window above the core's maximum is lowered to it.
BrokerHistory restrict_to(BrokerHistory history, const CoreUnderTest& core);

/// Play `history` on the reference model and on `core`, step by step, as
/// run_broker_differential(history) does for impl.
BrokerRunResult run_broker_differential(const BrokerHistory& history, const CoreUnderTest& core);

/// Shrink a diverging history to a short op list (shrinkers::shrink_op_list)
/// that still diverges on `core`, with simpler op variants (one record,
/// smaller arguments, producer slot 0) and the settings kept.
/// Returns the shrunk history and the number of replays it took.
struct ShrunkHistory {
  BrokerHistory history;
  BrokerDivergence divergence;  ///< the shrunk history's divergence
  std::size_t replays = 0;
};
ShrunkHistory shrink_broker_history(const BrokerHistory& failing, const CoreUnderTest& core);

/// Settings of a check.
struct BrokerCheckOptions {
  std::uint64_t seed = 1;
  std::uint64_t first = 0;  ///< the index of the first history (a replay of history i: first i, histories 1)
  std::uint64_t histories = 500;
  int max_size = 100;  ///< <= 100 (the packaged RapidCheck's limit)
  /// Applied to every drawn history's config after drawing (pinned settings).
  std::function<void(spec::BrokerConfig&)> pin;
  bool shrink = true;
};

/// The first diverging history of a check.
struct BrokerCheckFailure {
  std::uint64_t index = 0;     ///< which history (reproduce with seed and index)
  BrokerHistory original;      ///< as drawn
  BrokerDivergence divergence; ///< on the original
  std::optional<ShrunkHistory> shrunk;
};

/// The result of a whole check.
struct BrokerCheckResult {
  BrokerCoverage coverage;
  std::optional<BrokerCheckFailure> failure;
};

/// Draw histories first .. first + histories - 1 from `seed` and play each on `core` until one diverges; shrink it.
BrokerCheckResult check_broker_core(const CoreUnderTest& core, const BrokerCheckOptions& options);

/// The history's ops, one per line ("  3: retry_recent p1 arg 2 records 1"), up to and including `last`.
std::string format_ops(const BrokerHistory& history, std::size_t last);

}  // namespace idemcheck::properties
