// idemcheck/clients/conformance.hpp
//
// Does a real client stamp its batches as the reference producer model
// would? Checked on what the front end received (the trace), per partition,
// in arrival order, for batches that carry a producer id. The reference
// producer (spec/sequencer.hpp, the Java client's TransactionManager rules
// S1..S8) always satisfies these, so each is a point where a client can
// differ from it:
//   C1 new batch, same producer id and epoch: its first sequence is the
//      previous new batch's last sequence + 1 (S1: sequences are handed out
//      contiguously per partition, wrapping at 2^31)
//   C2 new batch under a producer id or epoch the partition has not seen
//      from this client: its first sequence is 0 (S8: a new id or a bumped
//      epoch restarts every partition's sequences)
//   C3 a retry (the same records again) under the same producer id and
//      epoch carries the same first sequence as its previous attempt (S1: a
//      batch keeps its stamp; only a bump re-stamps it)
//   C4 a batch's records are exactly one earlier batch's or all new: the
//      Java client never moves records between batches (its only split,
//      MESSAGE_TOO_LARGE, the front end never answers)
//   C5 a producer id's epoch never goes down
// This is a check of the invariants of the model's stamps, not a step-by-step
// run of the model producer on the same answers: a client that keeps these
// and still sends what the model would not (say, retries a batch the model
// would have failed) is not caught here; the anomaly checks see what that
// costs. A deviation is a finding to explain (a design difference or a bug),
// not a failure of the harness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "idemcheck/frontend/trace.hpp"

namespace idemcheck::clients {

struct Deviation {
  std::string rule;          ///< "C1" .. "C5" (here), "M1" .. "M8" (model_replay.hpp)
  std::size_t trace_index = 0;
  std::int64_t request = 0;  ///< the Produce request's number (1-based)
  int partition = 0;
  std::string detail;
  friend bool operator==(const Deviation&, const Deviation&) = default;
};

/// The first deviation from C1..C5 in `trace`, if any.
std::optional<Deviation> first_deviation(const frontend::Trace& trace);

}  // namespace idemcheck::clients
