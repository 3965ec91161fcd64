// Printing of impl/ value types, for test failure messages and the CLI.
#include "idemcheck/impl/types.hpp"

#include <ostream>

namespace idemcheck::impl {

std::ostream& operator<<(std::ostream& os, ProducerId v) { return os << "pid " << v.value; }
std::ostream& operator<<(std::ostream& os, Epoch v) { return os << "epoch " << v.value; }
std::ostream& operator<<(std::ostream& os, Sequence v) { return os << "seq " << v.value; }
std::ostream& operator<<(std::ostream& os, Offset v) { return os << "offset " << v.value; }
std::ostream& operator<<(std::ostream& os, Timestamp v) { return os << v.ms << "ms"; }

std::ostream& operator<<(std::ostream& os, const BatchHeader& b) {
  return os << "Batch{" << b.producer_id << ", " << b.epoch << ", base " << b.base_sequence
            << ", last_offset_delta " << b.last_offset_delta << ", max_ts " << b.max_timestamp << "}";
}

std::ostream& operator<<(std::ostream& os, Errc e) {
  switch (e) {
    case Errc::none: return os << "NONE";
    case Errc::out_of_order_sequence_number: return os << "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Errc::invalid_producer_epoch: return os << "INVALID_PRODUCER_EPOCH";
    case Errc::invalid_record: return os << "INVALID_RECORD";
    case Errc::offset_overflow: return os << "OFFSET_OVERFLOW (UNKNOWN_SERVER_ERROR)";
  }
  return os << "Errc(" << static_cast<int>(e) << ")";
}

std::ostream& operator<<(std::ostream& os, const AppendResult& r) {
  os << "AppendResult{" << r.error;
  if (r.duplicate) os << ", duplicate";
  return os << ", first " << r.first_offset.value << ", last " << r.last_offset.value << "}";
}

std::ostream& operator<<(std::ostream& os, const CachedBatch& b) {
  return os << "CachedBatch{seq " << b.first_sequence.value << ".." << b.last_sequence.value << ", offset "
            << b.first_offset.value << ".." << b.last_offset.value << "}";
}

}  // namespace idemcheck::impl
