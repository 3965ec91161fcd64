// Record batch v2 (record_batch.hpp). The checks run in the order that lets
// the error say the most: the framing first (is there a whole batch?), then
// the magic (can we read it at all?), then the CRC (is it intact?), then the
// compression (can we read its records?), then the records themselves.
#include <string>

#include "codec.hpp"
#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/wire/record_batch.hpp"

namespace idemcheck::wire {
namespace {

// Offsets and sizes from the batch layout (record_batch.hpp).
constexpr std::size_t kLogOverhead = 12;        // baseOffset + batchLength: not counted in batchLength
constexpr std::size_t kUpToMagic = 17;          // enough to read the magic, in every message format
constexpr std::size_t kLengthOffset = 8;
constexpr std::size_t kCrcOffset = 17;
constexpr std::size_t kAttributesOffset = 21;   // where the CRC's coverage starts
constexpr std::size_t kBatchHeaderSize = 61;    // everything before the first record

std::string hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s.push_back(kDigits[(v >> shift) & 0xFu]);
  return s;
}

// Record keys, values and header values: a zigzag varint length, -1 = null.
void write_varint_bytes(codec::Writer& w, const std::optional<Bytes>& b) {
  if (!b) {
    w.varint(-1);
    return;
  }
  w.varint(static_cast<std::int32_t>(b->size()));
  w.raw(*b);
}

std::optional<Bytes> read_varint_bytes(codec::Reader& r) {
  const std::int32_t n = r.varint();
  if (!r.ok() || n == -1) return std::nullopt;
  if (n < -1) {
    r.fail("negative length");
    return std::nullopt;
  }
  const ByteView b = r.take(static_cast<std::size_t>(n));
  return Bytes(b.begin(), b.end());
}

void write_record(codec::Writer& w, const Record& rec) {
  codec::Writer body;
  body.i8(rec.attributes);
  body.varlong(rec.timestamp_delta);
  body.varint(rec.offset_delta);
  write_varint_bytes(body, rec.key);
  write_varint_bytes(body, rec.value);
  body.varint(static_cast<std::int32_t>(rec.headers.size()));
  for (const RecordHeader& h : rec.headers) {
    body.varint(static_cast<std::int32_t>(h.key.size()));
    body.raw(std::as_bytes(std::span(h.key.data(), h.key.size())));
    write_varint_bytes(body, h.value);
  }
  w.varint(static_cast<std::int32_t>(body.size()));
  w.raw(body.bytes());
}

// One record from `r`; failures go to `r`.
Record read_record(codec::Reader& r) {
  Record rec;
  const std::int32_t length = r.varint();
  if (!r.ok()) return rec;
  if (length < 0) {
    r.fail("negative record length");
    return rec;
  }
  codec::Reader b(r.take(static_cast<std::size_t>(length)));
  if (!r.ok()) return rec;
  rec.attributes = b.i8();
  rec.timestamp_delta = b.varlong();
  rec.offset_delta = b.varint();
  rec.key = read_varint_bytes(b);
  rec.value = read_varint_bytes(b);
  const std::int32_t headers = b.varint();
  if (b.ok() && headers < 0) b.fail("negative header count");
  // Every header takes at least two bytes: a larger count cannot be honest.
  if (b.ok() && static_cast<std::size_t>(headers) > b.remaining()) b.fail("header count exceeds the record's bytes");
  for (std::int32_t i = 0; i < headers && b.ok(); ++i) {
    RecordHeader h;
    const std::int32_t key_length = b.varint();
    if (b.ok() && key_length < 0) b.fail("header key is null");
    const ByteView key = b.take(static_cast<std::size_t>(key_length < 0 ? 0 : key_length));
    h.key.assign(reinterpret_cast<const char*>(key.data()), key.size());
    h.value = read_varint_bytes(b);
    rec.headers.push_back(std::move(h));
  }
  if (b.ok() && !b.at_end()) b.fail("record length is longer than its fields");
  if (!b.ok()) r.fail(codec::in("in the record", b.error()));
  return rec;
}

struct Failure {
  BatchError error;
  std::string message;
};

// Decode the batch at the start of `rest`; on success `size` is its length.
std::optional<Failure> read_batch(ByteView rest, RecordBatch& out, std::size_t& size) {
  if (rest.size() < kUpToMagic) return Failure{BatchError::corrupt, "truncated before the magic byte"};
  codec::Reader h(rest.first(kUpToMagic));
  out.base_offset = h.i64();
  const std::int32_t batch_length = h.i32();
  out.partition_leader_epoch = h.i32();
  out.magic = h.i8();
  if (batch_length < 0 || static_cast<std::size_t>(batch_length) > rest.size() - kLogOverhead) {
    std::string why = "batchLength ";
    why.append(std::to_string(batch_length));
    why.append(" disagrees with the ");
    why.append(std::to_string(rest.size() - kLogOverhead));
    why.append(" bytes after it");
    return Failure{BatchError::corrupt, why};
  }
  if (out.magic != 2) {
    std::string why = "magic ";
    why.append(std::to_string(out.magic));
    why.append(" (only record batch v2 is read)");
    return Failure{BatchError::unsupported_magic, why};
  }
  size = kLogOverhead + static_cast<std::size_t>(batch_length);
  if (size < kBatchHeaderSize) {
    std::string why = "batchLength ";
    why.append(std::to_string(batch_length));
    why.append(" is shorter than a batch header");
    return Failure{BatchError::corrupt, why};
  }
  const ByteView batch = rest.first(size);
  codec::Reader r(batch);
  r.skip(kCrcOffset);
  out.crc = r.u32();
  const std::uint32_t computed = impl::crc32c(batch.subspan(kAttributesOffset));
  if (out.crc != computed) {
    std::string why = "CRC mismatch: the batch says ";
    why.append(hex32(out.crc));
    why.append(", its bytes give ");
    why.append(hex32(computed));
    return Failure{BatchError::corrupt, why};
  }
  out.attributes = r.i16();
  if (out.compression() != 0) {
    std::string why = "compression codec ";
    why.append(std::to_string(out.compression()));
    why.append(" (this codec does not decompress)");
    return Failure{BatchError::unsupported_compression, why};
  }
  out.last_offset_delta = r.i32();
  out.base_timestamp = r.i64();
  out.max_timestamp = r.i64();
  out.producer_id = r.i64();
  out.producer_epoch = r.i16();
  out.base_sequence = r.i32();
  const std::int32_t count = r.i32();
  if (count < 0) return Failure{BatchError::corrupt, "negative record count"};
  // A record takes at least seven bytes: a larger count cannot be honest,
  // and checking first keeps the reservation below bounded by the input.
  if (static_cast<std::size_t>(count) > r.remaining()) {
    std::string why = "record count ";
    why.append(std::to_string(count));
    why.append(" cannot fit the ");
    why.append(std::to_string(r.remaining()));
    why.append(" bytes of records");
    return Failure{BatchError::corrupt, why};
  }
  out.records.reserve(static_cast<std::size_t>(count));
  for (std::int32_t i = 0; i < count; ++i) {
    out.records.push_back(read_record(r));
    if (!r.ok()) {
      std::string why = "record ";
      why.append(std::to_string(i));
      why.append(" of ");
      why.append(std::to_string(count));
      return Failure{BatchError::corrupt, codec::in(why, r.error())};
    }
  }
  if (!r.at_end()) {
    std::string why = "record count ";
    why.append(std::to_string(count));
    why.append(" disagrees with the records: ");
    why.append(std::to_string(r.remaining()));
    why.append(" bytes left after the last one");
    return Failure{BatchError::corrupt, why};
  }
  return std::nullopt;
}

}  // namespace

BatchDecode decode_record_batches(ByteView records) {
  BatchDecode result;
  std::size_t pos = 0;
  while (pos < records.size()) {
    RecordBatch batch;
    std::size_t size = 0;
    if (std::optional<Failure> f = read_batch(records.subspan(pos), batch, size)) {
      std::string where = "batch ";
      where.append(std::to_string(result.batches.size()));
      where.append(" (at byte ");
      where.append(std::to_string(pos));
      where.append(")");
      result.error = f->error;
      result.message = codec::in(where, f->message);
      result.batches.clear();
      return result;
    }
    result.batches.push_back(std::move(batch));
    pos += size;
  }
  return result;
}

Bytes encode(const RecordBatch& batch) {
  codec::Writer w;
  w.i64(batch.base_offset);
  w.i32(0);  // batchLength, patched below
  w.i32(batch.partition_leader_epoch);
  w.i8(batch.magic);
  w.u32(0);  // CRC, patched below
  w.i16(batch.attributes);
  w.i32(batch.last_offset_delta);
  w.i64(batch.base_timestamp);
  w.i64(batch.max_timestamp);
  w.i64(batch.producer_id);
  w.i16(batch.producer_epoch);
  w.i32(batch.base_sequence);
  w.i32(static_cast<std::int32_t>(batch.records.size()));
  for (const Record& rec : batch.records) write_record(w, rec);
  w.patch_i32(kLengthOffset, static_cast<std::int32_t>(w.size() - kLogOverhead));
  w.patch_u32(kCrcOffset, impl::crc32c(ByteView(w.bytes()).subspan(kAttributesOffset)));
  return w.take();
}

}  // namespace idemcheck::wire
