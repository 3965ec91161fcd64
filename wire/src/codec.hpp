// wire/src/codec.hpp (internal)
//
// The primitive encodings of Kafka's protocol, shared by the message codecs
// and the record batch codec: a bounds-checked Reader over untrusted bytes, a
// Writer that appends to a buffer, and two adapters (Decoding, Encoding) that
// let one field list per message drive both directions, so that an encoder
// and its decoder cannot drift apart.
//
// Reader: the first failure is kept (ok() turns false, error() says why and
// at which offset); every later read returns a zero value and consumes
// nothing, so a decoder can read a whole body and check once at the end.
// No read ever goes past the span it was given.
//
// Writer: encoders cannot fail, so lengths are the caller's promise: a
// classic string must fit an int16 length, everything else an int32.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::wire::codec {

class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t offset() const { return pos_; }
  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] bool at_end() const { return pos_ == data_.size(); }

  /// Record a failure at the current offset (the first one wins).
  void fail(std::string_view why);
  /// Fail unless every byte was consumed: a body with bytes after its last
  /// field is not the message it claims to be.
  void expect_end();

  std::int8_t i8();
  std::int16_t i16();
  std::int32_t i32();
  std::int64_t i64();
  std::uint32_t u32();
  bool boolean();
  /// Zigzag varint (record fields), at most 5 bytes.
  std::int32_t varint();
  /// Zigzag varlong, at most 10 bytes.
  std::int64_t varlong();
  /// Unsigned varint (compact lengths, tagged fields), at most 5 bytes.
  std::uint32_t uvarint();
  std::array<std::byte, 16> uuid();

  /// `n` raw bytes, or none (and a failure) if fewer remain.
  ByteView take(std::size_t n);
  void skip(std::size_t n) { (void)take(n); }

  /// A string: int16 length (classic) or unsigned varint length+1 (compact).
  std::string string(bool flexible);
  std::optional<std::string> nullable_string(bool flexible);
  /// Bytes with an int32 length (classic) or unsigned varint length+1
  /// (compact); -1 / 0 is null.
  std::optional<Bytes> nullable_bytes(bool flexible);
  /// An array's element count: int32 (classic) or unsigned varint count+1
  /// (compact). Returns -1 for null. Counts that cannot fit in the remaining
  /// bytes (every element here takes at least one) fail, so that a hostile
  /// count cannot make a decoder loop or allocate for long.
  std::int32_t array_length(bool flexible);
  /// Read and discard a tagged-field section.
  void tagged_fields();

 private:
  // Length of a string or bytes field; -1 is null. Validated against the
  // bytes that remain.
  std::int32_t length(bool flexible, bool wide);

  ByteView data_;
  std::size_t pos_ = 0;
  std::string error_;
};

class Writer {
 public:
  [[nodiscard]] const Bytes& bytes() const { return out_; }
  [[nodiscard]] Bytes take() { return std::move(out_); }
  [[nodiscard]] std::size_t size() const { return out_.size(); }

  void i8(std::int8_t v);
  void i16(std::int16_t v);
  void i32(std::int32_t v);
  void i64(std::int64_t v);
  void u32(std::uint32_t v);
  void boolean(bool v) { i8(v ? 1 : 0); }
  void varint(std::int32_t v);
  void varlong(std::int64_t v);
  void uvarint(std::uint32_t v);
  void uuid(const std::array<std::byte, 16>& v) { raw(v); }
  void raw(ByteView v);

  void string(std::string_view s, bool flexible);
  void nullable_string(const std::optional<std::string>& s, bool flexible);
  void nullable_bytes(const std::optional<Bytes>& b, bool flexible);
  void array_length(std::size_t n, bool flexible);
  void null_array(bool flexible);
  /// An empty tagged-field section.
  void tagged_fields() { uvarint(0); }

  /// Overwrite four bytes at `at` with `v`, big-endian (lengths and CRCs
  /// known only after what follows them is written).
  void patch_i32(std::size_t at, std::int32_t v);
  void patch_u32(std::size_t at, std::uint32_t v);

 private:
  Bytes out_;
};

// Adapters: a message's field list is written once, as a template over one of
// these, and instantiated for the const value (Encoding) and the value being
// filled in (Decoding). `flexible` selects compact strings and arrays.

struct Decoding {
  static constexpr bool reading = true;
  Reader& r;
  bool flexible;

  void i8(std::int8_t& v) { v = r.i8(); }
  void i16(std::int16_t& v) { v = r.i16(); }
  void i32(std::int32_t& v) { v = r.i32(); }
  void i64(std::int64_t& v) { v = r.i64(); }
  void boolean(bool& v) { v = r.boolean(); }
  void uuid(std::array<std::byte, 16>& v) { v = r.uuid(); }
  void string(std::string& v) { v = r.string(flexible); }
  void nullable_string(std::optional<std::string>& v) { v = r.nullable_string(flexible); }
  void nullable_bytes(std::optional<Bytes>& v) { v = r.nullable_bytes(flexible); }
  void tagged_fields() {
    if (flexible) r.tagged_fields();
  }

  template <class T, class Each>
  void array(std::vector<T>& v, Each&& each) {
    const std::int32_t n = r.array_length(flexible);
    if (n < 0) {
      r.fail("null array where the schema allows none");
      return;
    }
    elements(v, n, each);
  }
  template <class T, class Each>
  void nullable_array(std::optional<std::vector<T>>& v, Each&& each) {
    const std::int32_t n = r.array_length(flexible);
    if (n < 0) {
      v.reset();
      return;
    }
    v.emplace();
    elements(*v, n, each);
  }

 private:
  template <class T, class Each>
  void elements(std::vector<T>& v, std::int32_t n, Each& each) {
    v.clear();
    v.reserve(static_cast<std::size_t>(n));  // bounded by the bytes left (array_length)
    for (std::int32_t i = 0; i < n && r.ok(); ++i) each(v.emplace_back());
  }
};

struct Encoding {
  static constexpr bool reading = false;
  Writer& w;
  bool flexible;

  void i8(const std::int8_t& v) { w.i8(v); }
  void i16(const std::int16_t& v) { w.i16(v); }
  void i32(const std::int32_t& v) { w.i32(v); }
  void i64(const std::int64_t& v) { w.i64(v); }
  void boolean(const bool& v) { w.boolean(v); }
  void uuid(const std::array<std::byte, 16>& v) { w.uuid(v); }
  void string(const std::string& v) { w.string(v, flexible); }
  void nullable_string(const std::optional<std::string>& v) { w.nullable_string(v, flexible); }
  void nullable_bytes(const std::optional<Bytes>& v) { w.nullable_bytes(v, flexible); }
  void tagged_fields() {
    if (flexible) w.tagged_fields();
  }

  template <class T, class Each>
  void array(const std::vector<T>& v, Each&& each) {
    w.array_length(v.size(), flexible);
    for (const T& e : v) each(e);
  }
  template <class T, class Each>
  void nullable_array(const std::optional<std::vector<T>>& v, Each&& each) {
    if (!v) {
      w.null_array(flexible);
      return;
    }
    array(*v, each);
  }
};

/// The result of a decoder that read its whole input with `r`: the value, or
/// r's error (including trailing bytes).
template <class T>
Parsed<T> finish(Reader& r, T&& value) {
  r.expect_end();
  if (!r.ok()) return Parsed<T>{std::nullopt, r.error()};
  return Parsed<T>{std::optional<T>(std::forward<T>(value)), {}};
}

/// `context` then ": " then `why`, for errors that say where they arose.
inline std::string in(std::string_view context, std::string_view why) {
  std::string s(context);
  s.append(": ");
  s.append(why);
  return s;
}

/// A decoder's refusal without reading anything.
template <class T>
Parsed<T> refuse(std::string why) {
  return Parsed<T>{std::nullopt, std::move(why)};
}

}  // namespace idemcheck::wire::codec
