// Unit tests of impl/'s producer-state snapshot: CRC32C, round trips in both
// modes, expiry on load, and rejection of every kind of damaged or crafted
// file. Crafted files are built here byte by byte (independently of impl's
// encoder) with a recomputed CRC, so each reaches the check it targets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/impl/producer_state_table.hpp"

namespace idemcheck::impl {
namespace {

using Bytes = std::vector<std::byte>;
using Kind = SnapshotError::Kind;
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

BatchHeader batch(std::int64_t pid, std::int16_t epoch, std::int32_t base, std::int32_t delta = 0,
                  std::int64_t ts = 0) {
  return BatchHeader{ProducerId{pid}, Epoch{epoch}, Sequence{base}, delta, Timestamp{ts}};
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::truncated: return "truncated";
    case Kind::bad_magic: return "bad_magic";
    case Kind::unsupported_version: return "unsupported_version";
    case Kind::crc_mismatch: return "crc_mismatch";
    case Kind::impossible_value: return "impossible_value";
    case Kind::trailing_bytes: return "trailing_bytes";
  }
  return "?";
}

std::string dump(const ProducerStateTable& t) {
  std::ostringstream os;
  os << "leo " << t.log_end_offset().value << "\n";
  for (const auto& e : t.entries()) {
    os << e.producer_id << " " << e.epoch << " ts " << e.last_timestamp << " [";
    for (int i = 0; i < e.batch_count; ++i) os << e.batches[i] << " ";
    os << "]\n";
  }
  return os.str();
}

/// Loads and expects success; the failure message shows the loader's error.
ProducerStateTable load_ok(const Bytes& b, TableConfig c = {}, std::int64_t now = 0) {
  auto r = ProducerStateTable::load(b, c, Timestamp{now});
  if (r.index() == 1) {
    ADD_FAILURE() << "load failed: " << kind_name(std::get<1>(r).kind) << ": " << std::get<1>(r).message;
    return ProducerStateTable(c);
  }
  return std::move(std::get<0>(r));
}

/// Loads and expects a rejection; returns it (kind crc_mismatch with an
/// empty message if the load unexpectedly succeeded, after failing the test).
SnapshotError load_err(const Bytes& b, TableConfig c = {}, std::int64_t now = 0) {
  auto r = ProducerStateTable::load(b, c, Timestamp{now});
  if (r.index() == 0) {
    ADD_FAILURE() << "a damaged snapshot of " << b.size() << " bytes was accepted";
    return SnapshotError{Kind::crc_mismatch, ""};
  }
  return std::get<1>(r);
}

/// A small encoder for crafting snapshots, following the documented format.
class Craft {
 public:
  Craft& raw(std::initializer_list<unsigned> bs) {
    for (unsigned v : bs) out_.push_back(std::byte{static_cast<unsigned char>(v)});
    return *this;
  }
  Craft& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(std::byte{static_cast<unsigned char>(v >> (8 * i))});
    return *this;
  }
  Craft& header(std::int64_t leo, std::uint32_t count, unsigned window = 5, unsigned flags = 1,
                unsigned version = 1) {
    raw({'I', 'C', 'P', 'S'});
    le(version, 2);
    le(0, 4);
    raw({window, flags});
    le(static_cast<std::uint64_t>(leo), 8);
    return le(count, 4);
  }
  Craft& producer(std::int64_t pid, std::int16_t epoch, std::int64_t ts, unsigned n) {
    le(static_cast<std::uint64_t>(pid), 8);
    le(static_cast<std::uint16_t>(epoch), 2);
    le(static_cast<std::uint64_t>(ts), 8);
    return raw({n});
  }
  Craft& batch_meta(std::int32_t last_seq, std::int32_t offset_delta, std::int64_t last_offset) {
    le(static_cast<std::uint32_t>(last_seq), 4);
    le(static_cast<std::uint32_t>(offset_delta), 4);
    return le(static_cast<std::uint64_t>(last_offset), 8);
  }
  /// The finished file, with a valid CRC over bytes 10..end.
  Bytes done() const { return with_crc(out_); }
  static Bytes with_crc(Bytes b) {
    const std::uint32_t crc = crc32c(std::span<const std::byte>(b).subspan(10));
    for (std::size_t i = 0; i < 4; ++i) b[6 + i] = std::byte{static_cast<unsigned char>(crc >> (8 * i))};
    return b;
  }

 private:
  Bytes out_;
};

ProducerStateTable sample(TableConfig c = {}) {
  ProducerStateTable t(c);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(t.append(batch(11, 2, i * 2, 1, 100 + i)).error, Errc::none);
  EXPECT_EQ(t.append(batch(-1, 0, 0, 4)).error, Errc::none);
  EXPECT_EQ(t.append(batch(5, 0, kMax, 2, 300)).error, Errc::none);  // spans the wrap
  EXPECT_EQ(t.append(batch(9, -1, 17, 0, 50)).error, Errc::none);    // no epoch
  return t;
}

// ------------------------------------------------------------------ CRC32C

TEST(Crc32c, StandardCheckValueAndChaining) {
  const std::string s = "123456789";
  const auto bytes = std::as_bytes(std::span(s.data(), s.size()));
  EXPECT_EQ(crc32c(bytes), 0xE3069283u) << "the CRC-32C check value";
  EXPECT_EQ(crc32c(bytes.subspan(4), crc32c(bytes.first(4))), 0xE3069283u) << "incremental use";
  EXPECT_EQ(crc32c({}), 0u);
}

// ------------------------------------------------------------------ round trips

TEST(ImplSnapshot, NewestOnlyRoundTripKeepsOneBatchPerProducer) {
  const ProducerStateTable t = sample();
  ProducerStateTable u = load_ok(t.snapshot());
  EXPECT_EQ(u.log_end_offset(), t.log_end_offset());
  ASSERT_EQ(u.size(), t.size());
  for (const auto& e : t.entries()) {
    const auto v = u.find(e.producer_id);
    ASSERT_TRUE(v) << e.producer_id;
    EXPECT_EQ(v->epoch, e.epoch);
    EXPECT_EQ(v->last_timestamp, e.last_timestamp);
    ASSERT_EQ(v->batch_count, 1) << "Kafka's snapshot keeps only the newest batch";
    EXPECT_EQ(v->batches[0], e.batches[e.batch_count - 1]);
  }
  EXPECT_EQ(u.append(batch(11, 2, 12, 1)).duplicate, true) << "the newest batch is still deduplicated";
  EXPECT_EQ(u.append(batch(11, 2, 10, 1)).error, Errc::out_of_order_sequence_number)
      << "the window shrank to one batch";
  EXPECT_EQ(u.append(batch(5, 0, 2)).error, Errc::none) << "the wrap state survives";
}

TEST(ImplSnapshot, KeepWindowRoundTripIsExact) {
  const TableConfig c{5, 86'400'000, true};
  const ProducerStateTable t = sample(c);
  const ProducerStateTable u = load_ok(t.snapshot(), c);
  EXPECT_EQ(dump(u), dump(t));
  EXPECT_EQ(u.snapshot(), t.snapshot()) << "re-encoding is byte-identical";
}

TEST(ImplSnapshot, WideEntriesRoundTrip) {
  const TableConfig c{5, 86'400'000, true};
  ProducerStateTable t(c);
  ASSERT_EQ(t.append(batch(1, 0, 0, 100'000)).error, Errc::none);
  t.replicate(batch(-1, 0, 0, kMax));
  t.replicate(batch(-1, 0, 0, kMax));
  ASSERT_EQ(t.append(batch(1, 0, 100'001)).error, Errc::none);
  EXPECT_EQ(dump(load_ok(t.snapshot(), c)), dump(t));
}

TEST(ImplSnapshot, EmptyTableRoundTrip) {
  ProducerStateTable t;
  t.replicate(batch(-1, 0, 0, 41));
  const auto bytes = t.snapshot();
  EXPECT_EQ(bytes.size(), 24u) << "header only";
  const auto u = load_ok(bytes);
  EXPECT_EQ(u.size(), 0u);
  EXPECT_EQ(u.log_end_offset(), Offset{42});
}

TEST(ImplSnapshot, ExpiredProducersAreDroppedOnLoad) {
  ProducerStateTable t(TableConfig{5, 1000, false});
  ASSERT_EQ(t.append(batch(1, 0, 0, 0, 100)).error, Errc::none);
  ASSERT_EQ(t.append(batch(2, 0, 0, 0, 200)).error, Errc::none);
  const auto u = load_ok(t.snapshot(), TableConfig{5, 1000, false}, 1100);
  EXPECT_FALSE(u.find(ProducerId{1})) << "age 1000 >= 1000: expired at load";
  EXPECT_TRUE(u.find(ProducerId{2}));
  EXPECT_EQ(u.log_end_offset(), Offset{2}) << "the log end offset is the snapshot's, even if producers drop";
}

TEST(ImplSnapshot, LoadIntoSmallerWindowRejectsLongerRecords) {
  const TableConfig keep{5, 86'400'000, true};
  const auto bytes = sample(keep).snapshot();
  const auto e = load_err(bytes, TableConfig{3, 86'400'000, true});
  EXPECT_EQ(e.kind, Kind::impossible_value) << e.message;
  EXPECT_THAT(e.message, ::testing::HasSubstr("batch count"));
}

// ------------------------------------------------------------------ damage

TEST(ImplSnapshot, EveryTruncationIsRejected) {
  const auto full = sample(TableConfig{5, 86'400'000, true}).snapshot();
  for (std::size_t n = 0; n < full.size(); ++n) {
    const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    const auto e = load_err(cut);
    EXPECT_THAT(e.kind, ::testing::AnyOf(Kind::truncated, Kind::crc_mismatch))
        << "length " << n << ": " << kind_name(e.kind) << ": " << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(ImplSnapshot, EveryFlippedByteIsRejected) {
  const auto full = sample(TableConfig{5, 86'400'000, true}).snapshot();
  for (std::size_t i = 0; i < full.size(); ++i) {
    for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
      Bytes b = full;
      b[i] ^= std::byte{static_cast<unsigned char>(mask)};
      const auto e = load_err(b);
      const Kind expected = i < 4 ? Kind::bad_magic : i < 6 ? Kind::unsupported_version : Kind::crc_mismatch;
      EXPECT_EQ(e.kind, expected) << "byte " << i << " ^ " << mask << ": " << e.message;
    }
  }
}

TEST(ImplSnapshot, WrongVersionWithValidCrc) {
  const auto e = load_err(Craft().header(0, 0, 5, 0, 2).done());
  EXPECT_EQ(e.kind, Kind::unsupported_version) << e.message;
  EXPECT_THAT(e.message, ::testing::HasSubstr("version 2"));
}

TEST(ImplSnapshot, TrailingBytesAreRejected) {
  Bytes b = sample().snapshot();
  b.push_back(std::byte{0});
  const auto e = load_err(Craft::with_crc(b));
  EXPECT_EQ(e.kind, Kind::trailing_bytes) << e.message;
  EXPECT_THAT(e.message, ::testing::HasSubstr("byte"));
}

TEST(ImplSnapshot, CraftedValidFileLoads) {
  // Guards the crafting helper itself: the cases below differ from this one
  // in exactly one field.
  const auto t = load_ok(Craft().header(100, 2).producer(3, 1, 7, 2).batch_meta(4, 1, 10).batch_meta(9, 4, 20)
                             .producer(4, 0, 7, 0).done());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.find(ProducerId{3})->batches[1], (CachedBatch{Sequence{5}, Sequence{9}, Offset{16}, Offset{20}}));
  EXPECT_EQ(t.find(ProducerId{4})->batch_count, 0);
}

struct ImpossibleCase {
  const char* name;
  Bytes bytes;
  Kind kind;
  const char* needle;  // a word the message must contain
};

TEST(ImplSnapshot, ImpossibleValuesWithValidCrcAreRejected) {
  const std::vector<ImpossibleCase> cases = {
      {"window 0", Craft().header(100, 0, 0).done(), Kind::impossible_value, "window"},
      {"unknown flag", Craft().header(100, 0, 5, 3).done(), Kind::impossible_value, "flag"},
      {"negative log end offset", Craft().header(-1, 0).done(), Kind::impossible_value, "log end offset"},
      {"negative producer id", Craft().header(100, 1).producer(-3, 0, 0, 0).done(), Kind::impossible_value,
       "producer id"},
      {"duplicate producer id", Craft().header(100, 2).producer(3, 0, 0, 0).producer(3, 0, 0, 0).done(),
       Kind::impossible_value, "duplicate"},
      {"unsorted producer ids", Craft().header(100, 2).producer(4, 0, 0, 0).producer(3, 0, 0, 0).done(),
       Kind::impossible_value, "out of order"},
      {"batch count above window", Craft().header(100, 1).producer(3, 0, 0, 6).done(), Kind::impossible_value,
       "batch count"},
      {"two batches in a newest-only file",
       Craft().header(100, 1, 5, 0).producer(3, 0, 0, 2).batch_meta(1, 0, 1).batch_meta(2, 0, 2).done(),
       Kind::impossible_value, "batch count"},
      {"negative sequence", Craft().header(100, 1).producer(3, 0, 0, 1).batch_meta(-1, 0, 5).done(),
       Kind::impossible_value, "sequence"},
      {"negative offset delta", Craft().header(100, 1).producer(3, 0, 0, 1).batch_meta(1, -1, 5).done(),
       Kind::impossible_value, "offset delta"},
      {"negative first offset", Craft().header(100, 1).producer(3, 0, 0, 1).batch_meta(1, 6, 5).done(),
       Kind::impossible_value, "negative offset"},
      {"offset beyond the snapshot", Craft().header(100, 1).producer(3, 0, 0, 1).batch_meta(1, 0, 100).done(),
       Kind::impossible_value, "log end offset"},
      {"batches not increasing",
       Craft().header(100, 1).producer(3, 0, 0, 2).batch_meta(1, 0, 10).batch_meta(2, 0, 10).done(),
       Kind::impossible_value, "previous batch"},
      {"count larger than the file", Craft().header(100, 3).producer(3, 0, 0, 0).done(), Kind::truncated,
       "producer count"},
      {"count smaller than the file", Craft().header(100, 1).producer(3, 0, 0, 0).producer(4, 0, 0, 0).done(),
       Kind::trailing_bytes, "trailing"},
      {"batches cut short", Craft().header(100, 1).producer(3, 0, 0, 1).le(0, 8).done(), Kind::truncated,
       "cut short"},
  };
  for (const auto& c : cases) {
    const auto e = load_err(c.bytes);
    EXPECT_EQ(e.kind, c.kind) << c.name << ": got " << kind_name(e.kind) << ": " << e.message;
    EXPECT_THAT(e.message, ::testing::HasSubstr(c.needle)) << c.name;
    EXPECT_THAT(e.message, ::testing::HasSubstr("byte")) << c.name << ": the message must locate the problem";
  }
}

// ------------------------------------------------------------------ reproducers: arithmetic on file values

/// The bytes as written, with bytes 6..9 replaced by the CRC32C of 10..end.
Bytes exact(std::initializer_list<unsigned> bytes) {
  Bytes b;
  for (unsigned v : bytes) b.push_back(std::byte{static_cast<unsigned char>(v)});
  return Craft::with_crc(std::move(b));
}

constexpr std::int64_t kMaxOffset = std::numeric_limits<std::int64_t>::max();

TEST(ImplSnapshotReproducer, LastOffsetNearInt64MinIsRejectedBeforeTheFirstOffsetIsComputed) {
  // One producer, one batch: last sequence 1, offset delta 5, last offset
  // INT64_MIN + 2. The loader used to compute last offset - offset delta
  // first: a signed overflow, which in the g++ build wrapped to a large
  // positive first offset and let the impossible batch through.
  const Bytes bytes = exact({
      'I', 'C', 'P', 'S', 0x01, 0x00, 0, 0, 0, 0,      // magic, version 1, CRC (computed)
      0x05, 0x01,                                      // window 5, keeps the window
      0x64, 0, 0, 0, 0, 0, 0, 0,                       // log end offset 100
      0x01, 0, 0, 0,                                   // 1 producer
      0x03, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,           // producer id 3, epoch 0
      0, 0, 0, 0, 0, 0, 0, 0, 0x01,                    // last timestamp 0, 1 batch
      0x01, 0, 0, 0, 0x05, 0, 0, 0,                    // last sequence 1, offset delta 5
      0x02, 0, 0, 0, 0, 0, 0, 0x80,                    // last offset INT64_MIN + 2
  });
  ASSERT_EQ(bytes, Craft().header(100, 1).producer(3, 0, 0, 1)
                       .batch_meta(1, 5, std::numeric_limits<std::int64_t>::min() + 2).done());
  const auto e = load_err(bytes);
  EXPECT_EQ(e.kind, Kind::impossible_value) << e.message;
  EXPECT_EQ(e.message, "producer 3, batch 0: last offset -9223372036854775806 at byte 51 is negative");
}

TEST(ImplSnapshotReproducer, OffsetDeltaBeyondTheLastOffsetNamesTheDelta) {
  // Offset delta INT32_MAX on a batch ending at offset 3: it would start at
  // a negative offset. Rejected by comparing the two fields, not by
  // subtracting them.
  const Bytes bytes = exact({
      'I', 'C', 'P', 'S', 0x01, 0x00, 0, 0, 0, 0, 0x05, 0x01,
      0x64, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0,
      0x03, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
      0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F,           // last sequence 1, offset delta INT32_MAX
      0x03, 0, 0, 0, 0, 0, 0, 0,                       // last offset 3
  });
  const auto e = load_err(bytes);
  EXPECT_EQ(e.kind, Kind::impossible_value) << e.message;
  EXPECT_EQ(e.message,
            "producer 3, batch 0: offset delta 2147483647 at byte 47 exceeds the last offset 3: the batch would start "
            "at a negative offset");
}

TEST(ImplSnapshotReproducer, LastOffsetAtInt64MaxIsNotBelowTheLogEnd) {
  // The largest log end offset with a batch ending at INT64_MAX: not below it.
  const Bytes bytes = Craft().header(kMaxOffset, 1).producer(3, 0, 0, 1).batch_meta(1, 0, kMaxOffset).done();
  const auto e = load_err(bytes);
  EXPECT_EQ(e.kind, Kind::impossible_value) << e.message;
  EXPECT_THAT(e.message, ::testing::HasSubstr("last offset 9223372036854775807 at byte 51 is not below the "
                                              "snapshot's log end offset 9223372036854775807"));
}

TEST(ImplSnapshotReproducer, AppendsAtTheLogEndLimitAreRefusedNotOverflowed) {
  // A full log: log end offset INT64_MAX, one producer whose batch ended at
  // INT64_MAX - 1. It loads (the state is consistent); every write after it
  // would pass INT64_MAX and is refused with offset_overflow, changing
  // nothing. It used to write a batch at a negative offset.
  const Bytes bytes = exact({
      'I', 'C', 'P', 'S', 0x01, 0x00, 0, 0, 0, 0, 0x05, 0x01,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,  // log end offset INT64_MAX
      0x01, 0, 0, 0,
      0x07, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00,           // producer id 7, epoch 2
      0, 0, 0, 0, 0, 0, 0, 0, 0x01,
      0x04, 0, 0, 0, 0x00, 0, 0, 0,                    // last sequence 4, offset delta 0
      0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,  // last offset INT64_MAX - 1
  });
  ProducerStateTable t = load_ok(bytes);
  ASSERT_EQ(t.log_end_offset().value, kMaxOffset);
  const std::string before = dump(t);
  const AppendResult refused{Errc::offset_overflow, false, Offset{}, Offset{}};
  EXPECT_EQ(t.append(batch(7, 2, 5)), refused) << "next in sequence (the fused fast path)";
  EXPECT_EQ(t.append(batch(8, 0, 0)), refused) << "a new producer";
  EXPECT_EQ(t.append(batch(7, 3, 0)), refused) << "an epoch bump";
  EXPECT_EQ(t.append(batch(-1, -1, -1)), refused) << "no producer id";
  EXPECT_EQ(t.replicate(batch(7, 2, 5)), Errc::offset_overflow);
  EXPECT_EQ(t.replicate(batch(-1, -1, -1)), Errc::offset_overflow);
  const std::vector<RequestItem<ProducerStateTable>> items = {{&t, batch(7, 2, 5)}, {&t, batch(9, 0, 0)}};
  AppendResult out[2];
  append_request<ProducerStateTable>(items, out);
  EXPECT_EQ(out[0], refused) << "request pipeline";
  EXPECT_EQ(out[1], refused) << "request pipeline";
  EXPECT_EQ(dump(t), before) << "a refused write changes nothing";
  // What writes nothing is still answered: the duplicate and the rejections.
  EXPECT_EQ(t.append(batch(7, 2, 4)), (AppendResult{Errc::none, true, Offset{kMaxOffset - 1}, Offset{kMaxOffset - 1}}));
  EXPECT_EQ(t.append(batch(7, 1, 5)).error, Errc::invalid_producer_epoch);
  EXPECT_EQ(t.append(batch(7, 2, 9)).error, Errc::out_of_order_sequence_number);
}

TEST(ImplSnapshotReproducer, TheLastBatchThatFitsEndsAtInt64MaxMinusOne) {
  const TableConfig keep{5, 86'400'000, true};
  ProducerStateTable t =
      load_ok(Craft().header(kMaxOffset - 3, 1).producer(7, 2, 0, 1).batch_meta(4, 0, 0).done(), keep);
  // Three records fit (offsets MAX-3 .. MAX-1); four do not.
  EXPECT_EQ(t.append(batch(7, 2, 5, 3)).error, Errc::offset_overflow);
  EXPECT_EQ(t.replicate(batch(7, 2, 5, 3)), Errc::offset_overflow);
  EXPECT_EQ(t.append(batch(7, 2, 5, 2)), (AppendResult{Errc::none, false, Offset{kMaxOffset - 3}, Offset{kMaxOffset - 1}}));
  EXPECT_EQ(t.log_end_offset().value, kMaxOffset);
  EXPECT_EQ(t.append(batch(7, 2, 8)).error, Errc::offset_overflow);
  EXPECT_EQ(t.find(ProducerId{7})->batch_count, 2);
  // The full table (its window spans the whole offset range: the wide
  // encoding) still round-trips through its own snapshot.
  ProducerStateTable again = load_ok(t.snapshot(), keep);
  EXPECT_EQ(dump(again), dump(t));
}

TEST(ImplSnapshotReproducer, ReplicateAtTheLimitFitsExactly) {
  ProducerStateTable t = load_ok(Craft().header(kMaxOffset - 1, 0).done());
  EXPECT_EQ(t.replicate(batch(7, 0, 0, 1)), Errc::offset_overflow);
  EXPECT_EQ(t.replicate(batch(7, 0, 0, 0)), Errc::none);
  EXPECT_EQ(t.log_end_offset().value, kMaxOffset);
  EXPECT_EQ(t.find(ProducerId{7})->batches[0].last_offset.value, kMaxOffset - 1);
  EXPECT_EQ(t.replicate(batch(7, 0, 1, -1)), Errc::invalid_record) << "a malformed header is ignored";
}

// ------------------------------------------------------------------ fallback (load_newest_valid)

std::vector<std::span<const std::byte>> spans(const std::vector<Bytes>& files) {
  return std::vector<std::span<const std::byte>>(files.begin(), files.end());
}

// Three snapshots of one producer's history, oldest first: at offsets 1, 2, 3.
std::vector<Bytes> three_snapshots(TableConfig c = {}) {
  ProducerStateTable t(c);
  std::vector<Bytes> oldest_first;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.append(batch(7, 0, i, 0, 10 * i)).error, Errc::none);
    oldest_first.push_back(t.snapshot());
  }
  return oldest_first;
}

TEST(ImplSnapshotFallback, NewestThatDecodesIsLoadedAndEveryNewerOneReported) {
  const auto files = three_snapshots();
  Bytes torn = files[2];
  torn.resize(torn.size() / 2);
  Bytes corrupt = files[1];
  corrupt.back() ^= std::byte{0xFF};
  const std::vector<Bytes> newest_first = {torn, corrupt, files[0]};
  auto r = ProducerStateTable::load_newest_valid(spans(newest_first), TableConfig{}, Timestamp{0});
  ASSERT_EQ(r.loaded, std::optional<std::size_t>{2});
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_THAT(r.rejected[0].kind, ::testing::AnyOf(Kind::truncated, Kind::crc_mismatch)) << r.rejected[0].message;
  EXPECT_EQ(r.rejected[1].kind, Kind::crc_mismatch) << r.rejected[1].message;
  EXPECT_EQ(dump(r.table), dump(load_ok(files[0]))) << "the table is the oldest snapshot's";
  EXPECT_EQ(r.table.log_end_offset(), Offset{1});
}

TEST(ImplSnapshotFallback, UndamagedNewestLoadsWithNothingRejected) {
  const auto files = three_snapshots();
  const std::vector<Bytes> newest_first = {files[2], files[1], files[0]};
  auto r = ProducerStateTable::load_newest_valid(spans(newest_first), TableConfig{}, Timestamp{0});
  ASSERT_EQ(r.loaded, std::optional<std::size_t>{0});
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(r.table.log_end_offset(), Offset{3});
}

TEST(ImplSnapshotFallback, EmptyFileIsRejectedAndThePreviousOneLoads) {
  // Kafka: ProducerStateManagerTest.testLoadFromEmptySnapshotFile, at the level of the decoder.
  const auto files = three_snapshots();
  const std::vector<Bytes> newest_first = {Bytes{}, files[1]};
  auto r = ProducerStateTable::load_newest_valid(spans(newest_first), TableConfig{}, Timestamp{0});
  ASSERT_EQ(r.loaded, std::optional<std::size_t>{1});
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].kind, Kind::truncated) << r.rejected[0].message;
  ASSERT_TRUE(r.table.find(ProducerId{7}));
  EXPECT_EQ(r.table.find(ProducerId{7})->batches[0].last_offset, Offset{1});
}

TEST(ImplSnapshotFallback, NoneDecodesGivesAnEmptyTableAtOffsetZero) {
  const auto files = three_snapshots();
  Bytes a = files[2];
  a[12] ^= std::byte{1};  // the log end offset, under the CRC
  const std::vector<Bytes> newest_first = {a, Bytes(files[1].begin(), files[1].begin() + 10)};
  auto r = ProducerStateTable::load_newest_valid(spans(newest_first), TableConfig{}, Timestamp{0});
  EXPECT_FALSE(r.loaded.has_value());
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].kind, Kind::crc_mismatch);
  EXPECT_EQ(r.rejected[1].kind, Kind::truncated);
  EXPECT_EQ(r.table.size(), 0u);
  EXPECT_EQ(r.table.log_end_offset(), Offset{0}) << "the caller replays the whole log from here";
}

TEST(ImplSnapshotFallback, NoSnapshotsAtAll) {
  auto r = ProducerStateTable::load_newest_valid({}, TableConfig{}, Timestamp{0});
  EXPECT_FALSE(r.loaded.has_value());
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(r.table.size(), 0u);
  EXPECT_EQ(r.table.log_end_offset(), Offset{0});
}

TEST(ImplSnapshotFallback, ExpiryAppliesToTheSnapshotThatLoads) {
  const TableConfig c{5, 15, false};
  const auto files = three_snapshots(c);  // timestamps 0, 10, 20
  Bytes torn = files[2];
  torn.resize(5);
  const std::vector<Bytes> newest_first = {torn, files[1]};
  auto kept = ProducerStateTable::load_newest_valid(spans(newest_first), c, Timestamp{24});
  ASSERT_EQ(kept.loaded, std::optional<std::size_t>{1});
  EXPECT_TRUE(kept.table.find(ProducerId{7})) << "age 14 < 15";
  auto dropped = ProducerStateTable::load_newest_valid(spans(newest_first), c, Timestamp{25});
  ASSERT_EQ(dropped.loaded, std::optional<std::size_t>{1});
  EXPECT_FALSE(dropped.table.find(ProducerId{7})) << "age 15 >= 15: expired as the snapshot loads";
  EXPECT_EQ(dropped.table.log_end_offset(), Offset{2});
}

TEST(ImplSnapshot, MaxWindowEightTableLoadsItsOwnSnapshot) {
  const TableConfig c{8, 86'400'000, true};
  BasicProducerStateTable<8> t(c);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(t.append(batch(1, 0, i)).error, Errc::none);
  auto r = BasicProducerStateTable<8>::load(t.snapshot(), c, Timestamp{0});
  ASSERT_EQ(r.index(), 0u) << std::get<1>(r).message;
  EXPECT_EQ(std::get<0>(r).find(ProducerId{1})->batch_count, 8);
}

}  // namespace
}  // namespace idemcheck::impl
