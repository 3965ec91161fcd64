// idemcheck/conform/kafka_connection.hpp
//
// THE WIRE PRODUCER'S TRANSPORT: one blocking TCP connection to a Kafka-
// protocol broker, with a timeout on every wait (poll), and the requests of a
// minimal idempotent producer built from the reference model's batches.
//
// What a connection does, in order (as Kafka's clients do, NetworkClient and
// ApiVersionsRequest handling in clients/src/main/java/org/apache/kafka/clients/):
//   1. connect (every address the host resolves to, in turn), TCP_NODELAY;
//   2. ApiVersions v3; when the broker cannot answer that version (an answer
//      that does not decode as v3, or UNSUPPORTED_VERSION), ApiVersions v0 on
//      the same connection, which every broker answers;
//   3. per API the highest version both wire::supported_versions() and the
//      broker's ranges hold (negotiate()); an API with no common version is a
//      ConformError naming it.
// Requests on one connection are answered in order (Kafka's SocketServer
// handles one request of a connection at a time); receive() checks that the
// answer carries the correlation id of the request it waits for.
//
// Produce requests carry exactly one magic-2 record batch for partition 0,
// uncompressed, acks=-1 (make_produce_request): the batch's producer id,
// epoch and base sequence are the reference model's spec::Batch as given
// (so a batch may be one no correct producer would send: that is the point).
//
// Guarantees: no method crashes or blocks forever on any bytes or silence from
// the peer; every failure to talk (a bad address, a refused connection, a
// timeout, a frame that is too large, truncated or does not decode, a wrong
// correlation id) is a ConformError whose message names the endpoint and what
// went wrong; a connection that breaks or falls silent once open is the
// subclass ConnectionLost. No printing, no global state; SIGPIPE is never raised.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/wire/protocol.hpp"
#include "idemcheck/wire/record_batch.hpp"

namespace idemcheck::conform {

/// The harness could not talk to the target as a Kafka client can: bad
/// input (an address it cannot use, a broker that is not there, an answer that
/// is not Kafka's protocol). Never a verdict about the broker's dedup core.
class ConformError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An open connection broke: the broker closed it, an answer did not come in
/// time, a read or write failed. A request in flight then has an unknown
/// fate (the broker may or may not have handled it), which the wire
/// differential judges as a lost answer.
class ConnectionLost : public ConformError {
 public:
  using ConformError::ConformError;
};

/// A broker's address.
struct Endpoint {
  std::string host;  ///< a name or an address (IPv6 without brackets)
  int port = 0;      ///< 1..65535
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// "HOST:PORT" ("[v6-address]:PORT" too) -> Endpoint. Throws ConformError
/// naming the text when it is not of that form or the port is not 1..65535.
Endpoint parse_endpoint(std::string_view text);
/// A bootstrap list "HOST:PORT[,HOST:PORT...]": at least one endpoint.
/// Throws ConformError as parse_endpoint does.
std::vector<Endpoint> parse_bootstrap(std::string_view text);
/// "host:port" ("[host]:port" for a host with a colon).
std::string to_string(const Endpoint&);

/// The version the harness uses for each API it sends.
struct ChosenVersions {
  std::int16_t api_versions = 0;      ///< ApiVersions
  std::int16_t metadata = 0;          ///< Metadata
  std::int16_t init_producer_id = 0;  ///< InitProducerId (3+: KIP-360 bumps)
  std::int16_t produce = 0;           ///< Produce
  friend bool operator==(const ChosenVersions&, const ChosenVersions&) = default;
};

/// For each API the highest version in both wire::supported_versions() and
/// `broker` (the ranges of an ApiVersions answer). Throws ConformError naming
/// the API and both ranges when they do not meet (or the broker lacks the API).
ChosenVersions negotiate(std::span<const wire::VersionRange> broker);

/// Kafka's name of an error code (Errors.java), "UNKNOWN_ERROR_CODE_<n>" for a
/// number this harness has no name for.
std::string kafka_error_name(std::int16_t code);

/// The record batch a spec::Batch goes out as: base offset 0, magic 2, no
/// compression, `record_count` records (offset deltas 0.., timestamp deltas
/// 0, null key, a short value naming the producer id and sequence), base and
/// max timestamp `timestamp_ms`. Requires 1 <= record_count <= 2^31 - 1.
wire::RecordBatch make_record_batch(const spec::Batch& batch, std::int64_t timestamp_ms);
/// A Produce request (acks=-1, timeout 30 s, no transactional id) carrying
/// that one batch for partition 0 of `topic`.
wire::ProduceRequest make_produce_request(const std::string& topic, const spec::Batch& batch,
                                          std::int64_t timestamp_ms);

/// What a Produce answer says about partition 0 of the topic.
struct ProduceAnswer {
  std::int16_t error_code = 0;               ///< Kafka's number
  std::int64_t base_offset = -1;             ///< the batch's first offset (a duplicate's: the original's)
  std::optional<std::string> error_message;  ///< v8+
  friend bool operator==(const ProduceAnswer&, const ProduceAnswer&) = default;
};
/// The answer for partition 0 of `topic` in `response`; nullopt when the
/// response has no such entry (the caller's ConformError: a malformed answer).
std::optional<ProduceAnswer> find_partition_answer(const wire::ProduceResponse& response, const std::string& topic);

/// One TCP connection to one broker, versions negotiated.
class KafkaConnection {
 public:
  /// Connects to `endpoint` and exchanges ApiVersions (see the top of this
  /// file); every wait is bounded by `timeout_ms`. Throws ConformError.
  KafkaConnection(const Endpoint& endpoint, int timeout_ms, std::string client_id);
  KafkaConnection(const KafkaConnection&) = delete;
  KafkaConnection& operator=(const KafkaConnection&) = delete;
  KafkaConnection(KafkaConnection&& other) noexcept;
  KafkaConnection& operator=(KafkaConnection&& other) noexcept;
  /// Closes the socket if open.
  ~KafkaConnection();

  /// Where this connection goes.
  [[nodiscard]] const Endpoint& endpoint() const { return endpoint_; }
  /// The versions negotiated at connect time.
  [[nodiscard]] const ChosenVersions& versions() const { return versions_; }
  /// The broker's ranges as its ApiVersions answer gave them.
  [[nodiscard]] const std::vector<wire::VersionRange>& broker_versions() const { return broker_versions_; }
  /// False after drop() or after any ConformError (the socket is then closed).
  [[nodiscard]] bool is_open() const { return fd_ >= 0; }

  /// Write one whole request frame (header for `key` at `version`, then
  /// `body`); returns its correlation id. Throws ConformError (the connection
  /// is then closed).
  std::int32_t send(wire::ApiKey key, std::int16_t version, wire::ByteView body);
  /// Read the next answer frame, which must answer the request `correlation_id`
  /// of `key` at `version`; returns its body (after the response header).
  /// Throws ConformError (the connection is then closed).
  wire::Bytes receive(wire::ApiKey key, std::int16_t version, std::int32_t correlation_id);

  /// A Metadata round trip at the negotiated version; a body that does not decode is a ConformError.
  wire::MetadataResponse metadata(const wire::MetadataRequest& request);
  /// An InitProducerId round trip at the negotiated version (fields of later
  /// versions are dropped at earlier ones); a body that does not decode is a ConformError.
  wire::InitProducerIdResponse init_producer_id(const wire::InitProducerIdRequest& request);
  /// Send a Produce request (no wait); returns its correlation id.
  std::int32_t send_produce(const wire::ProduceRequest& request);
  /// Read the answer to the Produce request `correlation_id`.
  wire::ProduceResponse receive_produce(std::int32_t correlation_id);

  /// Close without reading anything still to come (a dropped answer): the
  /// write side is shut down first, so the bytes already written go out ahead
  /// of the FIN. Idempotent.
  void drop();

 private:
  void close_fd();
  /// Close, then throw ConformError (a malformed answer) naming the endpoint.
  [[noreturn]] void fail(const std::string& what);
  /// Close, then throw ConnectionLost naming the endpoint.
  [[noreturn]] void lost(const std::string& what);
  void write_all(wire::ByteView bytes);
  void read_exact(std::byte* into, std::size_t n);

  Endpoint endpoint_;
  int timeout_ms_ = 5000;
  std::string client_id_;
  int fd_ = -1;
  std::int32_t next_correlation_ = 1;
  ChosenVersions versions_;
  std::vector<wire::VersionRange> broker_versions_;
};

}  // namespace idemcheck::conform
