// The optimized producer-side sequencer: dense per-partition state, sorted
// inline in-flight lists, no allocation per batch (see the header).
#include "idemcheck/impl/producer_sequencer.hpp"
#include "idemcheck/impl/seeded_bugs.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

namespace idemcheck::impl {

namespace {

constexpr std::uint32_t kInlineBatches = 8;
constexpr std::int16_t kMaxEpoch = 32'767;  // Java's Short.MAX_VALUE

// The in-flight order: (producer id, epoch, base sequence).
constexpr bool key_less(const BatchStamp& a, const BatchStamp& b) noexcept {
  if (a.producer_id != b.producer_id) return a.producer_id < b.producer_id;
  if (a.epoch != b.epoch) return a.epoch < b.epoch;
  return a.base_sequence < b.base_sequence;
}

}  // namespace

// ---------------------------------------------------------------------------
// In-flight list: sorted small vector, 8 inline slots, heap spill that doubles.

struct ProducerSequencer::InFlightList {
  std::uint32_t size = 0;
  std::uint32_t capacity = kInlineBatches;
  std::unique_ptr<BatchStamp[]> heap;  // null while inline
  BatchStamp inline_slots[kInlineBatches];

  InFlightList() = default;
  InFlightList(const InFlightList& o) : size(o.size), capacity(o.capacity) {
    if (o.heap) {
      heap = std::make_unique<BatchStamp[]>(capacity);
      std::copy_n(o.heap.get(), size, heap.get());
    } else {
      std::copy_n(o.inline_slots, size, inline_slots);
    }
  }
  InFlightList(InFlightList&& o) noexcept : size(o.size), capacity(o.capacity), heap(std::move(o.heap)) {
    if (!heap) std::copy_n(o.inline_slots, size, inline_slots);
    o.size = 0;
    o.capacity = kInlineBatches;
  }
  InFlightList& operator=(const InFlightList& o) {
    if (this != &o) *this = InFlightList(o);
    return *this;
  }
  InFlightList& operator=(InFlightList&& o) noexcept {
    if (this != &o) {
      size = o.size;
      capacity = o.capacity;
      heap = std::move(o.heap);
      if (!heap) std::copy_n(o.inline_slots, size, inline_slots);
      o.size = 0;
      o.capacity = kInlineBatches;
    }
    return *this;
  }
  ~InFlightList() = default;

  BatchStamp* data() noexcept { return heap ? heap.get() : inline_slots; }
  const BatchStamp* data() const noexcept { return heap ? heap.get() : inline_slots; }
  [[nodiscard]] bool empty() const noexcept { return size == 0; }
  std::span<const BatchStamp> view() const noexcept { return {data(), size}; }

  // Rare path: move to (or within) the heap with twice the capacity. The
  // count is 32-bit: past 2^31 batches doubling would wrap, so it stops
  // there as an allocation failure (64 GiB of stamps would be needed first).
  void grow() {
    if (capacity > std::numeric_limits<std::uint32_t>::max() / 2) throw std::bad_array_new_length();
    const std::uint32_t new_capacity = capacity * 2;
    auto bigger = std::make_unique<BatchStamp[]>(new_capacity);
    std::copy_n(data(), size, bigger.get());
    heap = std::move(bigger);
    capacity = new_capacity;
  }

  // Insert after every element whose key is not greater (stable). New batches
  // carry the largest sequence so far, so the scan from the back is O(1) usually.
  void insert(const BatchStamp& b) {
    if (size == capacity) grow();
    BatchStamp* d = data();
    std::uint32_t i = size;
    while (i > 0 && key_less(b, d[i - 1])) {
      d[i] = d[i - 1];
      --i;
    }
    d[i] = b;
    ++size;
  }

  // Seeded bug inflight_keyed_by_sequence: remove every batch with this base.
  void erase_sequence(Sequence base) noexcept {
    BatchStamp* d = data();
    std::uint32_t out = 0;
    for (std::uint32_t i = 0; i < size; ++i) {
      if (d[i].base_sequence != base) d[out++] = d[i];
    }
    size = out;
  }

  // The batch leaves the list.
  void erase_batch(const BatchStamp& b) noexcept {
    if (IDEMCHECK_SEEDED_BUG(inflight_keyed_by_sequence)) {
      erase_sequence(b.base_sequence);
    } else {
      erase(b.id);
    }
  }

  // Remove every batch with this id (there is at most one in legal use).
  void erase(BatchId id) noexcept {
    BatchStamp* d = data();
    std::uint32_t out = 0;
    for (std::uint32_t i = 0; i < size; ++i) {
      if (d[i].id != id) d[out++] = d[i];
    }
    size = out;
  }

  // Kafka's startSequencesAtBeginning on the list: every batch in order gets
  // `id` and sequences from 0; then a stable insertion sort (the keys can only
  // repeat or fall out of order when a sequence wrapped). Returns the next sequence.
  Sequence restamp_from_zero(ProducerIdEpoch id) noexcept {
    BatchStamp* d = data();
    Sequence sequence{0};
    for (std::uint32_t i = 0; i < size; ++i) {
      d[i].producer_id = id.producer_id;
      d[i].epoch = id.epoch;
      d[i].base_sequence = sequence;
      d[i].reopened = !IDEMCHECK_SEEDED_BUG(restamp_not_reopened);
      sequence = increment_sequence(sequence, d[i].record_count);
    }
    for (std::uint32_t i = 1; i < size; ++i) {
      const BatchStamp b = d[i];
      std::uint32_t j = i;
      while (j > 0 && key_less(b, d[j - 1])) {
        d[j] = d[j - 1];
        --j;
      }
      d[j] = b;
    }
    return sequence;
  }
};

// ---------------------------------------------------------------------------
// Per-partition state (see the header's memory layout).

struct ProducerSequencer::PartitionState {
  static constexpr std::uint8_t kSeen = 1;
  static constexpr std::uint8_t kUnresolved = 2;

  ProducerId stamp_producer_id;
  Offset last_acked_offset;
  Sequence next{0};
  Sequence last_acked{-1};
  Sequence unresolved{-1};  // meaningful iff flags & kUnresolved
  Epoch stamp_epoch;
  std::uint8_t flags = 0;
  InFlightList in_flight;

  [[nodiscard]] ProducerIdEpoch stamp() const noexcept { return {stamp_producer_id, stamp_epoch}; }
  [[nodiscard]] bool seen() const noexcept { return (flags & kSeen) != 0; }
  [[nodiscard]] bool has_unresolved() const noexcept { return (flags & kUnresolved) != 0; }
};

static_assert(sizeof(BatchStamp) == 32, "the header documents 32-byte stamps");
static_assert(sizeof(Restamp) == 40, "the header documents 40-byte restamps");

// ---------------------------------------------------------------------------

bool is_retriable(ClientError error) noexcept {
  switch (error) {
    case ClientError::not_leader_or_follower:
    case ClientError::request_timed_out:
    case ClientError::network_exception:
    case ClientError::not_enough_replicas:
    case ClientError::not_enough_replicas_after_append:
    case ClientError::delivery_timeout:
      return true;
    case ClientError::none:
    case ClientError::out_of_order_sequence_number:
    case ClientError::invalid_producer_epoch:
    case ClientError::invalid_record:
      return false;
  }
  return false;  // an unknown code
}

void throw_bad_result_access(SequencerError error) {
  const char* what = "none";
  switch (error) {
    case SequencerError::none: what = "none"; break;
    case SequencerError::partition_out_of_range: what = "partition_out_of_range"; break;
    case SequencerError::record_count_out_of_range: what = "record_count_out_of_range"; break;
    case SequencerError::batch_not_stamped: what = "batch_not_stamped"; break;
    case SequencerError::offset_out_of_range: what = "offset_out_of_range"; break;
  }
  throw std::logic_error(std::string("ProducerSequencer: read the value of a failed result (") + what + ")");
}

ProducerSequencer::ProducerSequencer(SequencerConfig config) : config_(config) {
  static_assert(sizeof(void*) != 8 || sizeof(PartitionState) == 304,
                "the header documents 304 bytes per partition on LP64");
  if (config_.max_partitions < 1) throw std::invalid_argument("ProducerSequencer: max_partitions must be >= 1");
}
ProducerSequencer::ProducerSequencer(const ProducerSequencer&) = default;
ProducerSequencer& ProducerSequencer::operator=(const ProducerSequencer& o) {
  if (this != &o) {
    ProducerSequencer copy(o);
    *this = std::move(copy);
  }
  return *this;
}
ProducerSequencer::ProducerSequencer(ProducerSequencer&&) noexcept = default;
ProducerSequencer& ProducerSequencer::operator=(ProducerSequencer&&) noexcept = default;
ProducerSequencer::~ProducerSequencer() = default;

void ProducerSequencer::set_producer_id(ProducerIdEpoch id) noexcept { current_ = id; }

ProducerIdEpoch ProducerSequencer::current() const noexcept { return current_; }

SequencerError ProducerSequencer::check_partition(PartitionIndex p) const noexcept {
  return p.value < 0 || p.value >= config_.max_partitions ? SequencerError::partition_out_of_range
                                                          : SequencerError::none;
}

SequencerError ProducerSequencer::check_batch(const BatchStamp& b) noexcept {
  if (b.record_count.value < 1) return SequencerError::record_count_out_of_range;
  if (b.base_sequence.value < 0) return SequencerError::batch_not_stamped;
  return SequencerError::none;
}

const ProducerSequencer::PartitionState* ProducerSequencer::find(PartitionIndex p) const noexcept {
  const auto i = static_cast<std::size_t>(p.value);
  return i < partitions_.size() ? &partitions_[i] : nullptr;
}

ProducerSequencer::PartitionState& ProducerSequencer::touch(PartitionIndex p) {
  const auto i = static_cast<std::size_t>(p.value);
  if (i >= partitions_.size()) {
    // Rare path: grow geometrically (but never past the configured bound) so
    // that a producer discovering its partitions one by one grows O(log n) times.
    const std::size_t bound = static_cast<std::size_t>(config_.max_partitions);
    partitions_.reserve(std::min(bound, std::max(i + 1, partitions_.size() * 2)));
    partitions_.resize(i + 1);
  }
  PartitionState& s = partitions_[i];
  s.flags |= PartitionState::kSeen;
  return s;
}

Result<bool> ProducerSequencer::may_drain_new(PartitionIndex partition) const noexcept {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (!current_.producer_id.valid()) return false;  // awaiting InitProducerId
  const PartitionState* p = find(partition);
  if (p == nullptr) return true;  // a fresh partition: stale, nothing in flight, resolved
  if (p->stamp() != current_ && !p->in_flight.empty() && !IDEMCHECK_SEEDED_BUG(drain_over_stale_epoch)) {
    return false;  // a new epoch must not overtake
  }
  return !p->has_unresolved() || IDEMCHECK_SEEDED_BUG(drain_ignores_unresolved);
}

Result<bool> ProducerSequencer::may_drain_retry(PartitionIndex partition, const BatchStamp& batch) const noexcept {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  if (!current_.producer_id.valid()) return false;  // awaiting InitProducerId stops retries too
  const PartitionState* p = find(partition);
  if (p == nullptr || p->in_flight.empty()) return false;  // nothing in flight: no lowest sequence
  if (IDEMCHECK_SEEDED_BUG(retry_not_first_in_flight)) return true;
  return batch.base_sequence == p->in_flight.data()[0].base_sequence;
}

Result<BatchStamp> ProducerSequencer::stamp(PartitionIndex partition, BatchId id, RecordCount count) {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (count.value < 1) return SequencerError::record_count_out_of_range;
  PartitionState& p = touch(partition);
  if (p.stamp() != current_ && p.in_flight.empty()) {
    if (IDEMCHECK_SEEDED_BUG(stale_partition_keeps_sequence)) {
      p.stamp_producer_id = current_.producer_id;  // adopts the new epoch but continues its old sequence
      p.stamp_epoch = current_.epoch;
    } else {
      start_at_beginning(partition, p, current_, false);
    }
  }
  const BatchStamp b{id, current_.producer_id, p.next, count, current_.epoch, false};
  p.in_flight.insert(b);
  if (IDEMCHECK_SEEDED_BUG(next_sequence_no_wrap)) {
    p.next = Sequence{static_cast<std::int32_t>(static_cast<std::uint32_t>(p.next.value) +
                                                static_cast<std::uint32_t>(count.value))};
  } else {
    p.next = increment_sequence(p.next, count);
  }
  return b;
}

Result<BatchStamp> ProducerSequencer::on_drained(PartitionIndex partition, const BatchStamp& batch) noexcept {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  BatchStamp now = batch;
  const auto i = static_cast<std::size_t>(partition.value);
  if (i < partitions_.size()) {
    InFlightList& list = partitions_[i].in_flight;
    BatchStamp* d = list.data();
    bool found = false;
    for (std::uint32_t k = 0; k < list.size; ++k) {
      if (d[k].id != batch.id) continue;
      if (!IDEMCHECK_SEEDED_BUG(drain_keeps_reopened)) d[k].reopened = false;
      if (!found) now = d[k];
      found = true;
    }
    if (found) return now;
  }
  now.reopened = false;
  return now;
}

SequencerError ProducerSequencer::on_success(PartitionIndex partition, const BatchStamp& batch, Offset base_offset) {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  // Checked before anything moves: base_offset + count - 1 must exist.
  if (base_offset.value > std::numeric_limits<std::int64_t>::max() - (batch.record_count.value - 1)) {
    return SequencerError::offset_out_of_range;
  }
  PartitionState& p = touch(partition);
  const Sequence last = client_last_sequence(batch.base_sequence, batch.record_count);
  if (last > p.last_acked || IDEMCHECK_SEEDED_BUG(last_acked_moves_down)) p.last_acked = last;  // only moves up
  if (base_offset.value >= 0) {
    p.last_acked_offset.value = std::max(p.last_acked_offset.value, base_offset.value + (batch.record_count.value - 1));  // (count - 1) first: the check above bounds that sum
  }
  p.in_flight.erase_batch(batch);
  return SequencerError::none;
}

Result<bool> ProducerSequencer::can_retry(PartitionIndex partition, const BatchStamp& batch, ClientError error) {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  if (error != ClientError::out_of_order_sequence_number) return is_retriable(error);
  const PartitionState* p = find(partition);
  const bool unresolved = p != nullptr && p->has_unresolved();
  const Sequence last_acked = p == nullptr ? Sequence{-1} : p->last_acked;
  if (!unresolved) {
    // Collateral of an earlier failure (re-stamped already, or not the next
    // expected batch): retry as is. Otherwise this batch is the first to fail.
    if (IDEMCHECK_SEEDED_BUG(oose_always_bumps)) {
      request_bump(partition);
    } else if ((!batch.reopened || IDEMCHECK_SEEDED_BUG(oose_reopened_bumps)) &&
               is_next_sequence(batch.base_sequence, last_acked)) {
      request_bump(partition);
    }
  } else if (batch.base_sequence == p->unresolved) {
    request_bump(partition);
  }
  return true;  // the idempotent producer retries every OOSE
}

SequencerError ProducerSequencer::on_failure(PartitionIndex partition, const BatchStamp& batch, ClientError error,
                                             bool adjust) {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  PartitionState& p = touch(partition);
  p.in_flight.erase_batch(batch);
  if (error == ClientError::out_of_order_sequence_number || (adjust && !IDEMCHECK_SEEDED_BUG(adjust_ignored))) {
    request_bump(partition);
  }
  return SequencerError::none;
}

SequencerError ProducerSequencer::on_expired(PartitionIndex partition, const BatchStamp& batch, bool in_retry) {
  if (const SequencerError e = check_partition(partition); e != SequencerError::none) return e;
  if (const SequencerError e = check_batch(batch); e != SequencerError::none) return e;
  PartitionState& p = touch(partition);
  p.in_flight.erase_batch(batch);
  if (in_retry) {
    // Java: lastSequence() + 1, both in int arithmetic.
    const std::uint32_t past = IDEMCHECK_SEEDED_BUG(unresolved_off_by_one) ? 1u : 0u;
    const Sequence next{static_cast<std::int32_t>(static_cast<std::uint32_t>(batch.base_sequence.value) +
                                                  static_cast<std::uint32_t>(batch.record_count.value) - past)};
    if (!p.has_unresolved()) {
      p.flags |= PartitionState::kUnresolved;
      p.unresolved = next;
      ++unresolved_count_;
    } else if (next > p.unresolved) {
      p.unresolved = next;
    }
  }
  return SequencerError::none;
}

std::span<const Restamp> ProducerSequencer::begin_send_loop() {
  restamps_.clear();
  // First half: resolve what can be resolved.
  if (unresolved_count_ > 0) {
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
      PartitionState& p = partitions_[i];
      if (!p.has_unresolved() || (!p.in_flight.empty() && !IDEMCHECK_SEEDED_BUG(resolve_with_in_flight))) continue;
      if (!is_next_sequence(p.next, p.last_acked)) request_bump(PartitionIndex{static_cast<std::int32_t>(i)});
      p.flags &= static_cast<std::uint8_t>(~PartitionState::kUnresolved);
      --unresolved_count_;
    }
  }
  if (!bump_required_) return {};
  // Second half: bump locally and re-stamp the partitions that asked.
  if (current_.epoch.value == kMaxEpoch && !IDEMCHECK_SEEDED_BUG(epoch_overflow_wraps)) {
    current_ = ProducerIdEpoch{};  // epoch exhausted: a new producer id is needed
  } else {
    current_.epoch.value = static_cast<std::int16_t>(current_.epoch.value + 1);
  }
  if (IDEMCHECK_SEEDED_BUG(restamp_every_partition)) {
    // Every partition with batches in flight asks, not only those that did.
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
      if (!partitions_[i].in_flight.empty()) request_bump(PartitionIndex{static_cast<std::int32_t>(i)});
    }
  }
  for (const PartitionIndex index : rewrite_) {
    PartitionState& p = touch(index);
    start_at_beginning(index, p, current_, true);
    if (p.has_unresolved()) {
      p.flags &= static_cast<std::uint8_t>(~PartitionState::kUnresolved);
      --unresolved_count_;
    }
  }
  rewrite_.clear();
  bump_required_ = false;
  return restamps_;
}

void ProducerSequencer::request_bump(PartitionIndex p) {
  bump_required_ = true;
  const auto it = std::lower_bound(rewrite_.begin(), rewrite_.end(), p);
  if (it == rewrite_.end() || *it != p) rewrite_.insert(it, p);
}

void ProducerSequencer::start_at_beginning(PartitionIndex index, PartitionState& p, ProducerIdEpoch id, bool emit) {
  p.next = p.in_flight.restamp_from_zero(id);
  p.stamp_producer_id = id.producer_id;
  p.stamp_epoch = id.epoch;
  if (!IDEMCHECK_SEEDED_BUG(restamp_keeps_last_acked)) p.last_acked = Sequence{-1};
  if (emit) {
    for (const BatchStamp& b : p.in_flight.view()) restamps_.push_back(Restamp{index, b});
  }
}

bool ProducerSequencer::epoch_bump_required() const noexcept { return bump_required_; }

std::span<const PartitionIndex> ProducerSequencer::partitions_to_rewrite() const noexcept { return rewrite_; }

std::int32_t ProducerSequencer::partition_bound() const noexcept {
  return static_cast<std::int32_t>(partitions_.size());
}

std::optional<PartitionView> ProducerSequencer::partition(PartitionIndex partition) const noexcept {
  if (check_partition(partition) != SequencerError::none) return std::nullopt;
  const PartitionState* p = find(partition);
  if (p == nullptr || !p->seen()) return std::nullopt;
  PartitionView v{p->stamp(), p->next, p->last_acked, p->last_acked_offset, std::nullopt, p->in_flight.view()};
  if (p->has_unresolved()) v.unresolved = p->unresolved;
  return v;
}

std::size_t ProducerSequencer::memory_bytes() const noexcept {
  std::size_t bytes = partitions_.capacity() * sizeof(PartitionState) + rewrite_.capacity() * sizeof(PartitionIndex) +
                      restamps_.capacity() * sizeof(Restamp);
  for (const PartitionState& p : partitions_) {
    if (p.in_flight.heap) bytes += std::size_t{p.in_flight.capacity} * sizeof(BatchStamp);
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// Printing.

std::ostream& operator<<(std::ostream& os, const ProducerIdEpoch& p) {
  return os << "(" << p.producer_id << ", " << p.epoch << ")";
}
std::ostream& operator<<(std::ostream& os, PartitionIndex p) { return os << "partition " << p.value; }
std::ostream& operator<<(std::ostream& os, BatchId b) { return os << "batch#" << b.value; }
std::ostream& operator<<(std::ostream& os, RecordCount c) { return os << c.value << " records"; }

std::ostream& operator<<(std::ostream& os, ClientError e) {
  switch (e) {
    case ClientError::none: return os << "NONE";
    case ClientError::not_leader_or_follower: return os << "NOT_LEADER_OR_FOLLOWER";
    case ClientError::request_timed_out: return os << "REQUEST_TIMED_OUT";
    case ClientError::network_exception: return os << "NETWORK_EXCEPTION";
    case ClientError::not_enough_replicas: return os << "NOT_ENOUGH_REPLICAS";
    case ClientError::not_enough_replicas_after_append: return os << "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case ClientError::out_of_order_sequence_number: return os << "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case ClientError::invalid_producer_epoch: return os << "INVALID_PRODUCER_EPOCH";
    case ClientError::invalid_record: return os << "INVALID_RECORD";
    case ClientError::delivery_timeout: return os << "DELIVERY_TIMEOUT";
  }
  return os << "ClientError(" << static_cast<int>(e) << ")";
}

std::ostream& operator<<(std::ostream& os, SequencerError e) {
  switch (e) {
    case SequencerError::none: return os << "none";
    case SequencerError::partition_out_of_range: return os << "partition_out_of_range";
    case SequencerError::record_count_out_of_range: return os << "record_count_out_of_range";
    case SequencerError::batch_not_stamped: return os << "batch_not_stamped";
    case SequencerError::offset_out_of_range: return os << "offset_out_of_range";
  }
  return os << "SequencerError(" << static_cast<int>(e) << ")";
}

std::ostream& operator<<(std::ostream& os, const BatchStamp& b) {
  os << b.id << " " << b.stamp() << " " << b.base_sequence << " +" << b.record_count.value;
  return b.reopened ? os << " reopened" : os;
}

std::ostream& operator<<(std::ostream& os, const Restamp& r) { return os << r.partition << ": " << r.batch; }

std::ostream& operator<<(std::ostream& os, const PartitionView& v) {
  os << v.stamp << " next " << v.next_sequence.value << " acked " << v.last_acked_sequence.value << " acked-offset "
     << v.last_acked_offset.value;
  if (v.unresolved) os << " unresolved<" << v.unresolved->value;
  os << " in-flight {";
  for (std::size_t i = 0; i < v.in_flight.size(); ++i) os << (i ? ", " : "") << v.in_flight[i];
  return os << "}";
}

std::ostream& operator<<(std::ostream& os, const ProducerSequencer& s) {
  os << "current " << s.current() << (s.epoch_bump_required() ? ", bump required" : "") << ", rewrite {";
  const auto rewrite = s.partitions_to_rewrite();
  for (std::size_t i = 0; i < rewrite.size(); ++i) os << (i ? ", " : "") << rewrite[i].value;
  os << "}";
  for (std::int32_t i = 0; i < s.partition_bound(); ++i) {
    if (const auto v = s.partition(PartitionIndex{i})) os << "\n  p" << i << ": " << *v;
  }
  return os;
}

}  // namespace idemcheck::impl
