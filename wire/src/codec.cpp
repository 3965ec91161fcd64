// The primitive encodings (codec.hpp). Integers are assembled byte by byte,
// so nothing depends on host endianness or alignment; every length is
// checked against the bytes left before anything is copied.
#include "codec.hpp"

#include <string>

namespace idemcheck::wire::codec {
namespace {

std::uint64_t be(ByteView b) {
  std::uint64_t v = 0;
  for (const std::byte x : b) v = (v << 8) | std::to_integer<std::uint64_t>(x);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- Reader

void Reader::fail(std::string_view why) {
  if (!error_.empty()) return;
  error_.append(why);
  error_.append(" (at byte ");
  error_.append(std::to_string(pos_));
  error_.append(")");
}

void Reader::expect_end() {
  if (!ok() || at_end()) return;
  std::string why = std::to_string(remaining());
  why.append(" trailing bytes after the last field");
  fail(why);
}

ByteView Reader::take(std::size_t n) {
  if (!ok()) return {};
  if (n > remaining()) {
    std::string why = "truncated: ";
    why.append(std::to_string(n));
    why.append(" bytes needed, ");
    why.append(std::to_string(remaining()));
    why.append(" left");
    fail(why);
    return {};
  }
  const ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

std::int8_t Reader::i8() {
  const ByteView b = take(1);
  return b.empty() ? 0 : static_cast<std::int8_t>(be(b));
}
std::int16_t Reader::i16() {
  const ByteView b = take(2);
  return b.empty() ? 0 : static_cast<std::int16_t>(static_cast<std::uint16_t>(be(b)));
}
std::int32_t Reader::i32() { return static_cast<std::int32_t>(u32()); }
std::uint32_t Reader::u32() {
  const ByteView b = take(4);
  return b.empty() ? 0 : static_cast<std::uint32_t>(be(b));
}
std::int64_t Reader::i64() {
  const ByteView b = take(8);
  return b.empty() ? 0 : static_cast<std::int64_t>(be(b));
}
bool Reader::boolean() { return i8() != 0; }

std::uint32_t Reader::uvarint() {
  std::uint32_t v = 0;
  for (int i = 0; i < 5; ++i) {
    const ByteView b = take(1);
    if (b.empty()) return 0;
    const auto x = std::to_integer<std::uint32_t>(b[0]);
    // The fifth byte holds bits 28..31 only: more would not fit 32 bits.
    if (i == 4 && (x & 0xF0u) != 0) {
      fail("varint does not fit 32 bits");
      return 0;
    }
    v |= (x & 0x7Fu) << (7 * i);
    if ((x & 0x80u) == 0) return v;
  }
  return v;  // unreachable: the fifth byte has no continuation bit
}

std::int32_t Reader::varint() {
  const std::uint32_t u = uvarint();
  return static_cast<std::int32_t>((u >> 1) ^ (0u - (u & 1u)));
}

std::int64_t Reader::varlong() {
  std::uint64_t u = 0;
  for (int i = 0; i < 10; ++i) {
    const ByteView b = take(1);
    if (b.empty()) return 0;
    const auto x = std::to_integer<std::uint64_t>(b[0]);
    // The tenth byte holds bit 63 only.
    if (i == 9 && (x & 0xFEu) != 0) {
      fail("varlong does not fit 64 bits");
      return 0;
    }
    u |= (x & 0x7Fu) << (7 * i);
    if ((x & 0x80u) == 0) break;
  }
  return static_cast<std::int64_t>((u >> 1) ^ (std::uint64_t{0} - (u & 1u)));
}

std::array<std::byte, 16> Reader::uuid() {
  std::array<std::byte, 16> v{};
  const ByteView b = take(16);
  for (std::size_t i = 0; i < b.size(); ++i) v[i] = b[i];
  return v;
}

std::int32_t Reader::length(bool flexible, bool wide) {
  std::int64_t n = 0;
  if (flexible) {
    const std::uint32_t u = uvarint();
    if (!ok()) return -1;
    if (u == 0) return -1;
    n = static_cast<std::int64_t>(u) - 1;
  } else {
    n = wide ? i32() : i16();
    if (!ok()) return -1;
    if (n == -1) return -1;
    if (n < -1) {
      fail("negative length");
      return -1;
    }
  }
  if (static_cast<std::uint64_t>(n) > remaining()) {
    std::string why = "length ";
    why.append(std::to_string(n));
    why.append(" runs past the end (");
    why.append(std::to_string(remaining()));
    why.append(" bytes left)");
    fail(why);
    return -1;
  }
  return static_cast<std::int32_t>(n);
}

std::optional<std::string> Reader::nullable_string(bool flexible) {
  const std::int32_t n = length(flexible, false);
  if (n < 0) return std::nullopt;
  const ByteView b = take(static_cast<std::size_t>(n));
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string Reader::string(bool flexible) {
  const std::size_t at = pos_;
  std::optional<std::string> s = nullable_string(flexible);
  if (!ok()) return {};
  if (!s) {
    pos_ = at;  // report the offset of the length, not of what follows it
    fail("null string where the schema allows none");
    return {};
  }
  return std::move(*s);
}

std::optional<Bytes> Reader::nullable_bytes(bool flexible) {
  const std::int32_t n = length(flexible, true);
  if (n < 0) return std::nullopt;
  const ByteView b = take(static_cast<std::size_t>(n));
  return Bytes(b.begin(), b.end());
}

std::int32_t Reader::array_length(bool flexible) {
  std::int64_t n = 0;
  if (flexible) {
    const std::uint32_t u = uvarint();
    if (!ok() || u == 0) return -1;
    n = static_cast<std::int64_t>(u) - 1;
  } else {
    n = i32();
    if (!ok() || n == -1) return -1;
    if (n < -1) {
      fail("negative array length");
      return -1;
    }
  }
  if (static_cast<std::uint64_t>(n) > remaining()) {
    std::string why = "array of ";
    why.append(std::to_string(n));
    why.append(" elements cannot fit the ");
    why.append(std::to_string(remaining()));
    why.append(" bytes left");
    fail(why);
    return -1;
  }
  return static_cast<std::int32_t>(n);
}

void Reader::tagged_fields() {
  const std::uint32_t n = uvarint();
  // Each field costs at least two bytes or fails, so the loop is bounded by
  // the input, whatever n says.
  for (std::uint32_t i = 0; i < n && ok(); ++i) {
    (void)uvarint();  // tag: none of them is one this codec reads
    const std::uint32_t size = uvarint();
    skip(size);
  }
}

// ---------------------------------------------------------------- Writer

void Writer::i8(std::int8_t v) { out_.push_back(static_cast<std::byte>(v)); }
void Writer::i16(std::int16_t v) {
  const auto u = static_cast<std::uint16_t>(v);
  out_.push_back(static_cast<std::byte>(u >> 8));
  out_.push_back(static_cast<std::byte>(u));
}
void Writer::i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
void Writer::u32(std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<std::byte>(v >> s));
}
void Writer::i64(std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int s = 56; s >= 0; s -= 8) out_.push_back(static_cast<std::byte>(u >> s));
}

void Writer::uvarint(std::uint32_t v) {
  while (v >= 0x80u) {
    out_.push_back(static_cast<std::byte>((v & 0x7Fu) | 0x80u));
    v >>= 7;
  }
  out_.push_back(static_cast<std::byte>(v));
}

void Writer::varint(std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  uvarint((u << 1) ^ static_cast<std::uint32_t>(v >> 31));
}

void Writer::varlong(std::int64_t v) {
  const auto s = static_cast<std::uint64_t>(v);
  std::uint64_t u = (s << 1) ^ static_cast<std::uint64_t>(v >> 63);
  while (u >= 0x80u) {
    out_.push_back(static_cast<std::byte>((u & 0x7Fu) | 0x80u));
    u >>= 7;
  }
  out_.push_back(static_cast<std::byte>(u));
}

void Writer::raw(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }

void Writer::string(std::string_view s, bool flexible) {
  if (flexible) {
    uvarint(static_cast<std::uint32_t>(s.size() + 1));
  } else {
    i16(static_cast<std::int16_t>(s.size()));
  }
  raw(std::as_bytes(std::span(s.data(), s.size())));
}

void Writer::nullable_string(const std::optional<std::string>& s, bool flexible) {
  if (s) {
    string(*s, flexible);
  } else if (flexible) {
    uvarint(0);
  } else {
    i16(-1);
  }
}

void Writer::nullable_bytes(const std::optional<Bytes>& b, bool flexible) {
  if (!b) {
    if (flexible) {
      uvarint(0);
    } else {
      i32(-1);
    }
    return;
  }
  if (flexible) {
    uvarint(static_cast<std::uint32_t>(b->size() + 1));
  } else {
    i32(static_cast<std::int32_t>(b->size()));
  }
  raw(*b);
}

void Writer::array_length(std::size_t n, bool flexible) {
  if (flexible) {
    uvarint(static_cast<std::uint32_t>(n + 1));
  } else {
    i32(static_cast<std::int32_t>(n));
  }
}

void Writer::null_array(bool flexible) {
  if (flexible) {
    uvarint(0);
  } else {
    i32(-1);
  }
}

void Writer::patch_u32(std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) out_[at + i] = static_cast<std::byte>(v >> (24 - 8 * i));
}
void Writer::patch_i32(std::size_t at, std::int32_t v) { patch_u32(at, static_cast<std::uint32_t>(v)); }

}  // namespace idemcheck::wire::codec
