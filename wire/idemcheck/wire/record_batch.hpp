// idemcheck/wire/record_batch.hpp
//
// Kafka's record batch, magic v2 (the only format that carries a producer id,
// epoch and sequence): the bytes of one Produce partition's `records` field.
// Layout from Kafka's DefaultRecordBatch and DefaultRecord
// (clients/src/main/java/org/apache/kafka/common/record/): baseOffset int64,
// batchLength int32 (bytes after this field), partitionLeaderEpoch int32,
// magic int8, crc uint32 (CRC32C of every byte from attributes to the end of
// the batch), attributes int16 (bits 0..2 compression, 3 timestamp type,
// 4 transactional, 5 control), lastOffsetDelta int32, baseTimestamp int64,
// maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence
// int32, record count int32, then the records: length varint, attributes
// int8, timestampDelta varlong, offsetDelta varint, key (varint length, -1 =
// null), value (the same), header count varint, headers (key varint length +
// bytes, value varint length + bytes, -1 = null).
//
// Guarantees: decode reads untrusted bytes and never reads out of bounds; it
// tells a corrupt batch (truncated, length fields that disagree, CRC
// mismatch, a record count that disagrees with the records) from one it
// cannot read (magic other than 2, a compressed batch), which a broker answers
// differently (CORRUPT_MESSAGE / UNSUPPORTED_VERSION or
// UNSUPPORTED_COMPRESSION_TYPE). encode computes batchLength and the CRC;
// decode(encode(b)) == b for every batch with magic 2 and no compression.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::wire {

struct RecordHeader {
  std::string key;
  std::optional<Bytes> value;
  friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

struct Record {
  std::int8_t attributes = 0;
  std::int64_t timestamp_delta = 0;
  std::int32_t offset_delta = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;
  friend bool operator==(const Record&, const Record&) = default;
};

struct RecordBatch {
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
  std::int8_t magic = 2;
  std::uint32_t crc = 0;  ///< as read; encode ignores it and writes the right one
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = 0;
  std::int64_t max_timestamp = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::vector<Record> records;
  /// Bits 0..2 of attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.
  [[nodiscard]] int compression() const { return attributes & 0x7; }
  [[nodiscard]] bool transactional() const { return (attributes & 0x10) != 0; }
  [[nodiscard]] bool control() const { return (attributes & 0x20) != 0; }
  friend bool operator==(const RecordBatch&, const RecordBatch&) = default;
};

/// Why a records field could not be read.
enum class BatchError : std::uint8_t {
  none,
  corrupt,                  ///< truncated, inconsistent lengths or counts, CRC mismatch
  unsupported_magic,        ///< magic 0 or 1 (or anything but 2)
  unsupported_compression,  ///< compressed records: this codec does not decompress
};

struct BatchDecode {
  BatchError error = BatchError::none;
  std::string message;               ///< why, when error != none
  std::vector<RecordBatch> batches;  ///< every batch, in order (empty on error)
};

/// Decode every batch in a Produce partition's records field (clients send
/// one; the field may hold several back to back).
[[nodiscard]] BatchDecode decode_record_batches(ByteView records);
/// One batch's bytes, batchLength and CRC computed.
[[nodiscard]] Bytes encode(const RecordBatch& batch);

}  // namespace idemcheck::wire
