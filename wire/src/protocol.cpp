// Versions, request and response headers, and framing (protocol.hpp).
#include <array>
#include <string>

#include "codec.hpp"
#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::wire {
namespace {

constexpr std::array<VersionRange, 4> kSupported{{
    {static_cast<std::int16_t>(ApiKey::produce), 3, 9},
    {static_cast<std::int16_t>(ApiKey::metadata), 0, 12},
    {static_cast<std::int16_t>(ApiKey::api_versions), 0, 3},
    {static_cast<std::int16_t>(ApiKey::init_producer_id), 0, 4},
}};

// The first flexible version of each API; -1 for keys this codec does not know.
constexpr std::int16_t first_flexible(std::int16_t api_key) {
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::produce:
      return 9;
    case ApiKey::metadata:
      return 9;
    case ApiKey::api_versions:
      return 3;
    case ApiKey::init_producer_id:
      return 2;
  }
  return -1;
}

// Response header v1 carries tagged fields; ApiVersions keeps v0 in every
// version so that a client can read the answer to a version the broker does
// not know.
bool response_header_flexible(std::int16_t api_key, std::int16_t api_version) {
  return api_key != static_cast<std::int16_t>(ApiKey::api_versions) && is_flexible(api_key, api_version);
}

}  // namespace

std::span<const VersionRange> supported_versions() { return kSupported; }

bool is_supported(std::int16_t api_key, std::int16_t version) {
  for (const VersionRange& r : kSupported) {
    if (r.api_key == api_key) return version >= r.min_version && version <= r.max_version;
  }
  return false;
}

bool is_flexible(std::int16_t api_key, std::int16_t version) {
  const std::int16_t first = first_flexible(api_key);
  return first >= 0 && version >= first;
}

Parsed<RequestFrame> decode_request_header(ByteView frame) {
  codec::Reader r(frame);
  RequestFrame f;
  f.header.api_key = r.i16();
  f.header.api_version = r.i16();
  f.header.correlation_id = r.i32();
  // The client id keeps its int16 length even in header v2, so that any
  // broker can read the header of any request.
  f.header.client_id = r.nullable_string(false);
  if (is_supported(f.header.api_key, f.header.api_version) && is_flexible(f.header.api_key, f.header.api_version)) {
    r.tagged_fields();
  }
  if (!r.ok()) return codec::refuse<RequestFrame>(codec::in("request header", r.error()));
  f.body_offset = r.offset();
  return Parsed<RequestFrame>{f, {}};
}

std::int32_t read_frame_size(ByteView prefix) {
  // A short prefix is a caller's bug; -1 is a size no frame has.
  if (prefix.size() < 4) return -1;
  codec::Reader r(prefix.first(4));
  return r.i32();
}

Bytes frame_request(const RequestHeader& header, ByteView body) {
  codec::Writer w;
  w.i32(0);  // size, patched below
  w.i16(header.api_key);
  w.i16(header.api_version);
  w.i32(header.correlation_id);
  w.nullable_string(header.client_id, false);
  if (is_flexible(header.api_key, header.api_version)) w.tagged_fields();
  w.raw(body);
  w.patch_i32(0, static_cast<std::int32_t>(w.size() - 4));
  return w.take();
}

Bytes frame_response(std::int16_t api_key, std::int16_t api_version, std::int32_t correlation_id, ByteView body) {
  codec::Writer w;
  w.i32(0);  // size, patched below
  w.i32(correlation_id);
  if (response_header_flexible(api_key, api_version)) w.tagged_fields();
  w.raw(body);
  w.patch_i32(0, static_cast<std::int32_t>(w.size() - 4));
  return w.take();
}

Parsed<ResponseFrame> decode_response_header(std::int16_t api_key, std::int16_t api_version, ByteView frame) {
  codec::Reader r(frame);
  ResponseFrame f;
  f.correlation_id = r.i32();
  if (response_header_flexible(api_key, api_version)) r.tagged_fields();
  if (!r.ok()) return codec::refuse<ResponseFrame>(codec::in("response header", r.error()));
  f.body_offset = r.offset();
  return Parsed<ResponseFrame>{f, {}};
}

}  // namespace idemcheck::wire
