// How both conformance checks (conformance.cpp, model_replay.cpp) read the
// batches of a trace: which ones carry a producer id, whether their records
// are ones the application sent, and how a record is named in a detail.
#pragma once

#include <algorithm>
#include <ostream>
#include <vector>

#include "idemcheck/frontend/trace.hpp"

namespace idemcheck::clients::detail {

/// A batch the checks judge: it carries a producer id and records.
inline bool idempotent_batch(const frontend::BatchTrace& b) {
  return b.header.producer_id >= 0 && !b.records.empty();
}

/// Every record is one the application sent (its value parsed as "A:n").
inline bool known_identity(const std::vector<spec::RecordRange>& rs) {
  return std::all_of(rs.begin(), rs.end(), [](const spec::RecordRange& r) { return r.origin >= 0; });
}

/// A record as the details name it: A<app>:<n> (a range: A<app>:<n>..<m>).
inline void show_record(std::ostream& o, const spec::RecordRange& r) {
  o << 'A' << r.origin << ':' << r.first;
  if (r.count > 1) o << ".." << r.first + r.count - 1;
}

}  // namespace idemcheck::clients::detail
