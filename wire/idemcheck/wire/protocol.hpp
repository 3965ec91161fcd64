// idemcheck/wire/protocol.hpp
//
// THE KAFKA WIRE PROTOCOL, as much of it as an idempotent producer needs:
// request and response headers, ApiVersions, Metadata, InitProducerId and
// Produce, in both directions (the front end decodes requests and encodes
// answers; the project's own wire producer and the tests do the reverse).
// Record batches are in their own header (record_batch.hpp).
//
// Field layouts and the version each field appears in follow Kafka's message
// schemas (clients/src/main/resources/common/message/ApiVersionsRequest.json,
// ApiVersionsResponse.json, MetadataRequest.json, MetadataResponse.json,
// InitProducerIdRequest.json, InitProducerIdResponse.json,
// ProduceRequest.json, ProduceResponse.json, RequestHeader.json,
// ResponseHeader.json). Versions handled (kSupported): ApiVersions 0..3,
// Metadata 0..12, InitProducerId 0..4, Produce 3..9 (Produce 0..2 carry no
// record batch v2 and so no producer id). A version is "flexible" (compact
// strings and arrays, tagged fields, request header v2, response header v1)
// from ApiVersions 3, Metadata 9, InitProducerId 2 and Produce 9; an
// ApiVersions response always has header v0, whatever its version, so that a
// client that sent a version the broker does not know can read the answer.
// Tagged fields are read and skipped on decode and written empty on encode.
//
// Guarantees: every decoder reads untrusted bytes: on any malformed input
// (truncated, negative length other than the null marker, length past the
// end, a version outside kSupported, trailing bytes) it returns an error
// text and never reads out of bounds, throws or aborts. Encoders produce
// exactly what the matching decoder accepts (round trip), for every version
// in kSupported. No I/O, no global state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace idemcheck::wire {

using Bytes = std::vector<std::byte>;
using ByteView = std::span<const std::byte>;

/// A decoder's result: a value, or why the bytes were rejected.
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;  ///< empty when value is set
  explicit operator bool() const { return value.has_value(); }
};

/// The API keys this codec knows (Kafka's numbers).
enum class ApiKey : std::int16_t {
  produce = 0,
  metadata = 3,
  api_versions = 18,
  init_producer_id = 22,
};

/// Kafka error codes the front end answers with (Errors.java's numbers).
namespace error_code {
inline constexpr std::int16_t none = 0;
inline constexpr std::int16_t corrupt_message = 2;
inline constexpr std::int16_t unknown_topic_or_partition = 3;
inline constexpr std::int16_t not_leader_or_follower = 6;
inline constexpr std::int16_t request_timed_out = 7;
inline constexpr std::int16_t not_enough_replicas = 19;
inline constexpr std::int16_t not_enough_replicas_after_append = 20;
inline constexpr std::int16_t invalid_required_acks = 21;
inline constexpr std::int16_t unsupported_version = 35;
inline constexpr std::int16_t invalid_request = 42;
inline constexpr std::int16_t out_of_order_sequence_number = 45;
inline constexpr std::int16_t duplicate_sequence_number = 46;
inline constexpr std::int16_t invalid_producer_epoch = 47;
inline constexpr std::int16_t transactional_id_authorization_failed = 53;
inline constexpr std::int16_t unknown_producer_id = 59;
inline constexpr std::int16_t unsupported_compression_type = 76;
inline constexpr std::int16_t invalid_record = 87;
}  // namespace error_code

/// The inclusive range of versions of one API.
struct VersionRange {
  std::int16_t api_key = 0;
  std::int16_t min_version = 0;
  std::int16_t max_version = 0;
  friend bool operator==(const VersionRange&, const VersionRange&) = default;
};

/// The versions this codec handles, one entry per ApiKey, in key order.
[[nodiscard]] std::span<const VersionRange> supported_versions();
/// Whether `version` of `api_key` is in supported_versions().
[[nodiscard]] bool is_supported(std::int16_t api_key, std::int16_t version);
/// Whether that version uses the flexible encoding (see the top of this file).
/// Meaningful for supported versions only.
[[nodiscard]] bool is_flexible(std::int16_t api_key, std::int16_t version);

// ---------------------------------------------------------------- headers

/// A request header (v1, or v2 for flexible versions; v0 has no client id and
/// is used by no client this project meets, so it is not accepted).
struct RequestHeader {
  std::int16_t api_key = 0;
  std::int16_t api_version = 0;
  std::int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

/// A request frame, split: its header and where the body starts.
struct RequestFrame {
  RequestHeader header;
  std::size_t body_offset = 0;  ///< index into the frame of the body's first byte
};

/// Decode the header of one request frame (the bytes after the 4-byte size
/// prefix). Reads api_key and api_version first; for a key or version this
/// codec does not support it still returns the header (with the client id
/// read as header v1 reads it) so the caller can answer UNSUPPORTED_VERSION
/// or close the connection; body_offset is then meaningless. Fails only when
/// the frame is too short for the fields it must read.
[[nodiscard]] Parsed<RequestFrame> decode_request_header(ByteView frame);

/// Length prefix: the int32 a frame starts with. `prefix` must hold 4 bytes.
[[nodiscard]] std::int32_t read_frame_size(ByteView prefix);

/// A whole request frame, size prefix included: header (v1 or v2 as the
/// version requires) followed by `body`.
[[nodiscard]] Bytes frame_request(const RequestHeader& header, ByteView body);
/// A whole response frame, size prefix included: header v0 (correlation id),
/// or v1 (plus empty tagged fields) for flexible versions other than
/// ApiVersions, followed by `body`.
[[nodiscard]] Bytes frame_response(std::int16_t api_key, std::int16_t api_version, std::int32_t correlation_id,
                                   ByteView body);
/// Split a response frame (without its size prefix) of a request with this
/// key and version: the correlation id, and where the body starts.
struct ResponseFrame {
  std::int32_t correlation_id = 0;
  std::size_t body_offset = 0;
};
[[nodiscard]] Parsed<ResponseFrame> decode_response_header(std::int16_t api_key, std::int16_t api_version,
                                                           ByteView frame);

// ---------------------------------------------------------------- ApiVersions

struct ApiVersionsRequest {
  std::string client_software_name;     ///< v3+
  std::string client_software_version;  ///< v3+
  friend bool operator==(const ApiVersionsRequest&, const ApiVersionsRequest&) = default;
};
struct ApiVersionsResponse {
  std::int16_t error_code = 0;
  std::vector<VersionRange> api_keys;
  std::int32_t throttle_time_ms = 0;  ///< v1+
  friend bool operator==(const ApiVersionsResponse&, const ApiVersionsResponse&) = default;
};
[[nodiscard]] Bytes encode(const ApiVersionsRequest&, std::int16_t version);
[[nodiscard]] Parsed<ApiVersionsRequest> decode_api_versions_request(ByteView body, std::int16_t version);
[[nodiscard]] Bytes encode(const ApiVersionsResponse&, std::int16_t version);
[[nodiscard]] Parsed<ApiVersionsResponse> decode_api_versions_response(ByteView body, std::int16_t version);

// ---------------------------------------------------------------- Metadata

struct MetadataRequest {
  /// The topics asked for; nullopt = all topics (v1+; v0 sends an empty array for all).
  std::optional<std::vector<std::string>> topics;
  bool allow_auto_topic_creation = true;           ///< v4+
  bool include_cluster_authorized_operations = false;  ///< v8..v10
  bool include_topic_authorized_operations = false;    ///< v8+
  friend bool operator==(const MetadataRequest&, const MetadataRequest&) = default;
};
struct MetadataBroker {
  std::int32_t node_id = 0;
  std::string host;
  std::int32_t port = 0;
  std::optional<std::string> rack;  ///< v1+
  friend bool operator==(const MetadataBroker&, const MetadataBroker&) = default;
};
struct MetadataPartition {
  std::int16_t error_code = 0;
  std::int32_t partition_index = 0;
  std::int32_t leader_id = -1;
  std::int32_t leader_epoch = -1;  ///< v7+
  std::vector<std::int32_t> replica_nodes;
  std::vector<std::int32_t> isr_nodes;
  std::vector<std::int32_t> offline_replicas;  ///< v5+
  friend bool operator==(const MetadataPartition&, const MetadataPartition&) = default;
};
struct MetadataTopic {
  std::int16_t error_code = 0;
  std::string name;
  std::array<std::byte, 16> topic_id{};  ///< v10+ (all zero: none)
  bool is_internal = false;           ///< v1+
  std::vector<MetadataPartition> partitions;
  std::int32_t topic_authorized_operations = -2147483648;  ///< v8+
  friend bool operator==(const MetadataTopic&, const MetadataTopic&) = default;
};
struct MetadataResponse {
  std::int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<MetadataBroker> brokers;
  std::optional<std::string> cluster_id;  ///< v2+
  std::int32_t controller_id = -1;        ///< v1+
  std::vector<MetadataTopic> topics;
  std::int32_t cluster_authorized_operations = -2147483648;  ///< v8..v10
  friend bool operator==(const MetadataResponse&, const MetadataResponse&) = default;
};
[[nodiscard]] Bytes encode(const MetadataRequest&, std::int16_t version);
[[nodiscard]] Parsed<MetadataRequest> decode_metadata_request(ByteView body, std::int16_t version);
[[nodiscard]] Bytes encode(const MetadataResponse&, std::int16_t version);
[[nodiscard]] Parsed<MetadataResponse> decode_metadata_response(ByteView body, std::int16_t version);

// ---------------------------------------------------------------- InitProducerId

struct InitProducerIdRequest {
  std::optional<std::string> transactional_id;
  std::int32_t transaction_timeout_ms = 0;
  std::int64_t producer_id = -1;    ///< v3+ (KIP-360: the id to bump, -1 for a new one)
  std::int16_t producer_epoch = -1; ///< v3+
  friend bool operator==(const InitProducerIdRequest&, const InitProducerIdRequest&) = default;
};
struct InitProducerIdResponse {
  std::int32_t throttle_time_ms = 0;
  std::int16_t error_code = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  friend bool operator==(const InitProducerIdResponse&, const InitProducerIdResponse&) = default;
};
[[nodiscard]] Bytes encode(const InitProducerIdRequest&, std::int16_t version);
[[nodiscard]] Parsed<InitProducerIdRequest> decode_init_producer_id_request(ByteView body, std::int16_t version);
[[nodiscard]] Bytes encode(const InitProducerIdResponse&, std::int16_t version);
[[nodiscard]] Parsed<InitProducerIdResponse> decode_init_producer_id_response(ByteView body, std::int16_t version);

// ---------------------------------------------------------------- Produce

struct ProducePartitionData {
  std::int32_t index = 0;
  std::optional<Bytes> records;  ///< the record batches, undecoded (record_batch.hpp)
  friend bool operator==(const ProducePartitionData&, const ProducePartitionData&) = default;
};
struct ProduceTopicData {
  std::string name;
  std::vector<ProducePartitionData> partitions;
  friend bool operator==(const ProduceTopicData&, const ProduceTopicData&) = default;
};
struct ProduceRequest {
  std::optional<std::string> transactional_id;
  std::int16_t acks = -1;
  std::int32_t timeout_ms = 30000;
  std::vector<ProduceTopicData> topics;
  friend bool operator==(const ProduceRequest&, const ProduceRequest&) = default;
};
struct RecordError {
  std::int32_t batch_index = 0;
  std::optional<std::string> message;
  friend bool operator==(const RecordError&, const RecordError&) = default;
};
struct ProducePartitionResponse {
  std::int32_t index = 0;
  std::int16_t error_code = 0;
  std::int64_t base_offset = -1;
  std::int64_t log_append_time_ms = -1;  ///< v2+
  std::int64_t log_start_offset = -1;    ///< v5+
  std::vector<RecordError> record_errors;  ///< v8+
  std::optional<std::string> error_message;  ///< v8+
  friend bool operator==(const ProducePartitionResponse&, const ProducePartitionResponse&) = default;
};
struct ProduceTopicResponse {
  std::string name;
  std::vector<ProducePartitionResponse> partitions;
  friend bool operator==(const ProduceTopicResponse&, const ProduceTopicResponse&) = default;
};
struct ProduceResponse {
  std::vector<ProduceTopicResponse> topics;
  std::int32_t throttle_time_ms = 0;  ///< v1+
  friend bool operator==(const ProduceResponse&, const ProduceResponse&) = default;
};
[[nodiscard]] Bytes encode(const ProduceRequest&, std::int16_t version);
[[nodiscard]] Parsed<ProduceRequest> decode_produce_request(ByteView body, std::int16_t version);
[[nodiscard]] Bytes encode(const ProduceResponse&, std::int16_t version);
[[nodiscard]] Parsed<ProduceResponse> decode_produce_response(ByteView body, std::int16_t version);

}  // namespace idemcheck::wire
