// idemcheck/frontend/cluster.hpp
//
// THE KAFKA CLUSTER BEHIND THE FRONT END, without sockets: request frames in,
// answers and connection actions out. server.hpp carries the bytes; keeping
// the decisions here makes every one of them testable without a network and
// deterministic for a given sequence of requests.
//
// Model (each rule names the Kafka source it follows; Kafka trunk of late 2024)
//   K1 brokers and partitions. `brokers` brokers, node ids 0..brokers-1, one
//      topic of `partitions` partitions, every broker a replica and in the
//      ISR of each; leaders start round robin (partition q on broker q mod
//      brokers) at leader epoch 0. As in the world (spec/world.hpp),
//      followers are not separate: each partition has one BrokerPartition
//      (spec or impl, chosen by the caller) and a leader move changes only
//      who answers.
//   K2 ApiVersions (KafkaApis.handleApiVersionsRequest): answers the
//      versions of wire::supported_versions(); a version it does not know is
//      answered with UNSUPPORTED_VERSION and the supported versions in the v0
//      layout, so the client can retry with one it shares.
//   K3 Metadata (KafkaApis.handleTopicMetadataRequest): every broker with its
//      loopback port; the topic with each partition's leader, leader epoch,
//      replicas and ISR; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION (no
//      auto-creation: only the configured topic exists).
//   K4 InitProducerId without a transactional id
//      (TransactionCoordinator.handleInitProducerId): always a new producer
//      id at epoch 0, whatever id and epoch the request carries. With a
//      transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED (the front end
//      hosts no transaction coordinator).
//   K5 Produce (KafkaApis.handleProduceRequest, ProduceRequest.validateRecords,
//      ReplicaManager.appendRecords, UnifiedLog.analyzeAndValidateRecords):
//      acks other than -1, 0, 1 is INVALID_REQUIRED_ACKS for every partition;
//      per partition: an unknown topic or partition is
//      UNKNOWN_TOPIC_OR_PARTITION; records that are not exactly one magic-2
//      batch, or a batch whose base offset is not 0, are INVALID_RECORD; a
//      corrupt batch (CRC, lengths) is CORRUPT_MESSAGE; a broker that does
//      not lead the partition answers NOT_LEADER_OR_FOLLOWER; otherwise the
//      partition's producer-state rules decide (spec/partition_model.hpp,
//      R1..R10), and a duplicate is answered with the cached offset. With
//      acks=0 no answer is sent, and an error closes the connection as
//      Kafka's does.
//   K6 a request the broker cannot parse (unknown key or version, malformed
//      header or body) closes the connection (SocketServer / RequestChannel
//      close the channel on an InvalidRequestException).
//   K7 faults (faults.hpp) fire at the k-th Produce request received.
// Simplifications (and the verdicts they can change):
//   * Compressed batches are answered UNSUPPORTED_COMPRESSION_TYPE: Kafka
//     accepts them, this front end cannot read their records. Drivers run
//     uncompressed; a client that compresses cannot be checked here.
//   * One log per partition, no replication, no high watermark: acks=1 and
//     acks=all are answered alike (as in the world).
//   * No quotas, throttling, request size limits other than the socket's
//     frame limit, SASL or TLS.
//
// Guarantees: handle() never throws on any bytes; every answer it gives is a
// frame a Kafka client can parse; the logs hold exactly what was appended.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idemcheck/frontend/faults.hpp"
#include "idemcheck/frontend/trace.hpp"
#include "idemcheck/spec/broker_partition.hpp"
#include "idemcheck/spec/world.hpp"
#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::frontend {

/// Builds one partition's broker component (spec or impl).
using PartitionFactory = std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)>;

struct ClusterConfig {
  int brokers = 3;                  ///< >= 1
  std::string topic = "idemcheck";  ///< the one topic
  int partitions = 1;               ///< >= 1
  spec::BrokerConfig broker;        ///< window, expiry, rules
  PartitionFactory partition;       ///< empty: the reference model
  FaultSchedule faults;
  std::string host = "127.0.0.1";   ///< what Metadata advertises
};

/// "" if `config` can be run; otherwise what is wrong with it.
std::string check_cluster_config(const ClusterConfig& config);

/// What the server must do with one request.
struct Reply {
  std::optional<wire::Bytes> response;  ///< a whole frame to send, size prefix included
  std::int64_t delay_ms = 0;            ///< send it this late (hold-response)
  bool close = false;                   ///< close the connection (after sending `response`, if any)
  bool mute = false;                    ///< no answer, and read nothing more from the connection (lose-response)
  int restart_broker = -1;              ///< >= 0: close every connection of this broker first
};

class Cluster {
 public:
  /// Requires check_cluster_config(config) to be empty.
  explicit Cluster(ClusterConfig config);
  Cluster(Cluster&&) noexcept;
  Cluster& operator=(Cluster&&) noexcept;
  ~Cluster();

  /// The port broker `broker` listens on (Metadata advertises it).
  void set_port(int broker, int port);
  /// A client connected to `broker`; `connection` is the server's id for it.
  void connected(int broker, std::uint64_t connection, std::int64_t now_ms);
  /// The connection closed (either side).
  void disconnected(int broker, std::uint64_t connection, std::int64_t now_ms, std::string_view why);
  /// One request frame (without its size prefix) from `connection` at `broker`.
  Reply handle(int broker, std::uint64_t connection, wire::ByteView frame, std::int64_t now_ms);
  /// A held or ordinary answer actually left for the client.
  void response_sent(int broker, std::uint64_t connection, std::int32_t correlation_id, std::int64_t now_ms);

  /// Every partition's log, one entry per record, in offset order.
  [[nodiscard]] const std::vector<std::vector<spec::LoggedBatch>>& logs() const;
  /// Everything that happened, in order.
  [[nodiscard]] const Trace& trace() const;
  /// How many Produce requests arrived.
  [[nodiscard]] std::int64_t produce_requests() const;
  [[nodiscard]] const ClusterConfig& config() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// A record's identity from its value: "A:n" gives {origin A, first n, count 1};
/// nullopt for any other value (an application this harness did not write).
std::optional<spec::RecordRange> parse_record_value(wire::ByteView value);

}  // namespace idemcheck::frontend
