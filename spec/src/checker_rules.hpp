// spec/src/checker_rules.hpp -- internal to spec/: the record-range relations
// and the failed-but-written rule that the whole-history checker (checker.cpp)
// and the incremental one (incremental_checker.cpp) must share, so the two
// cannot drift apart.
#pragma once

#include <sstream>
#include <string>

#include "idemcheck/spec/checker.hpp"

namespace idemcheck::spec::detail {

/// The two ranges are of one application and share a record.
inline bool overlaps(const RecordRange& a, const RecordRange& b) {
  return a.origin == b.origin && a.first < b.first + b.count && b.first < a.first + a.count;
}

/// Every record of `inner` is in `outer`.
inline bool contains(const RecordRange& outer, const RecordRange& inner) {
  return outer.origin == inner.origin && outer.first <= inner.first &&
         inner.first + inner.count <= outer.first + outer.count;
}

/// A failure with this error proves nothing about the log: the records may
/// have been written (a timeout, a lost connection, a replication shortfall
/// after the append), so failed-but-written does not apply.
inline bool admits_write(Error e) {
  return e == Error::delivery_timeout || e == Error::network_exception || e == Error::request_timed_out ||
         e == Error::not_enough_replicas_after_append;
}

/// Stream-built text: GCC 12 at -O3 warns falsely (-Wrestrict) on long chains of std::string +.
template <class... T>
std::string cat(const T&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

}  // namespace idemcheck::spec::detail
