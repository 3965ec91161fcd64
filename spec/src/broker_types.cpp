#include "idemcheck/spec/broker_types.hpp"

#include <array>
#include <ostream>
#include <utility>

#include "name_table.hpp"

namespace idemcheck::spec {

std::string_view name(Error e) {
  switch (e) {
    case Error::none: return "NONE";
    case Error::request_timed_out: return "REQUEST_TIMED_OUT";
    case Error::not_leader_or_follower: return "NOT_LEADER_OR_FOLLOWER";
    case Error::network_exception: return "NETWORK_EXCEPTION";
    case Error::not_enough_replicas: return "NOT_ENOUGH_REPLICAS";
    case Error::not_enough_replicas_after_append: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case Error::delivery_timeout: return "DELIVERY_TIMEOUT";
    case Error::not_persisted: return "NOT_PERSISTED";
    case Error::out_of_order_sequence_number: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Error::invalid_producer_epoch: return "INVALID_PRODUCER_EPOCH";
    case Error::invalid_record: return "INVALID_RECORD";
    case Error::invalid_request: return "INVALID_REQUEST";
    case Error::duplicate_sequence_number: return "DUPLICATE_SEQUENCE_NUMBER";
    case Error::unknown_producer_id: return "UNKNOWN_PRODUCER_ID";
  }
  return "UNKNOWN_ERROR";
}

bool retriable(Error e) {
  switch (e) {
    case Error::request_timed_out:
    case Error::not_leader_or_follower:
    case Error::network_exception:
    case Error::not_enough_replicas:
    case Error::not_enough_replicas_after_append:
    case Error::delivery_timeout:
      return true;
    default:
      return false;
  }
}

namespace {

constexpr std::array<std::pair<SnapshotDamage, std::string_view>, 3> kDamageNames{{
    {SnapshotDamage::none, "none"},
    {SnapshotDamage::torn, "torn"},
    {SnapshotDamage::corrupt, "corrupt"},
}};

}  // namespace

std::string_view name(SnapshotDamage d) { return detail::name_of(kDamageNames, d, "unknown-damage"); }

bool parse_snapshot_damage(std::string_view text, SnapshotDamage& out) {
  return detail::parse_name(kDamageNames, text, out);
}

std::ostream& operator<<(std::ostream& os, Error e) { return os << name(e); }

std::ostream& operator<<(std::ostream& os, SnapshotDamage d) { return os << name(d); }

std::ostream& operator<<(std::ostream& os, const Batch& b) {
  if (b.producer_id < 0) return os << "batch(no pid, " << b.record_count << " records, ts " << b.max_timestamp << ")";
  return os << "batch(pid " << b.producer_id << ", epoch " << b.epoch << ", seq " << b.first_sequence << "+"
            << b.record_count << ", ts " << b.max_timestamp << ")";
}

std::ostream& operator<<(std::ostream& os, const AppendOutcome& o) {
  if (o.error != Error::none) return os << o.error;
  return os << (o.duplicate ? "DUPLICATE" : "WRITTEN") << " @" << o.first_offset << ".." << o.last_offset;
}

std::ostream& operator<<(std::ostream& os, const CachedBatch& b) {
  return os << "[seq " << b.first_sequence << ".." << b.last_sequence << " @" << b.first_offset << ".." << b.last_offset
            << "]";
}

std::ostream& operator<<(std::ostream& os, const ProducerEntry& e) {
  os << "pid " << e.producer_id << " epoch " << e.epoch << " ts " << e.last_timestamp << " {";
  for (std::size_t i = 0; i < e.batches.size(); ++i) os << (i ? " " : "") << e.batches[i];
  return os << "}";
}

}  // namespace idemcheck::spec
