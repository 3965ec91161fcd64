// idemcheck/clients/driver.hpp
//
// Real Kafka clients as applications of the harness: each driver runs one
// producer application against a bootstrap list and returns what the client
// told it about every record. The application is the same for every client:
// it sends records numbered 0..records-1, record n with the value "A:n" (A
// the application's id, which the front end reads back to identify records
// in its log: cluster.hpp parse_record_value), key null, to partition
// n mod partitions, one produce call per record, without waiting for earlier
// ones (an application that pipelines, as the world's does), then waits for
// every delivery report until its deadline.
//
// Drivers: librdkafka through its C API, in this process (librdkafka-dev);
// kafkajs through node, running clients/kafkajs/driver.js (installed by
// ci/install-deps.sh at a pinned version) and reading its JSON lines.
//
// Guarantees: a driver never throws for what the client does (a client that
// fails to start gives `fatal`); every record has exactly one report, which
// says pending (`reported` false) if the client said nothing by the deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"

namespace idemcheck::clients {

/// Which real client.
enum class Client : std::uint8_t { librdkafka, kafkajs };
std::string_view name(Client);
std::optional<Client> parse_client(std::string_view text);

/// The producer's settings, named as Kafka's Java client names them; each
/// driver maps them to its client's own (README "Real clients").
struct ProducerSettings {
  bool idempotence = true;
  int max_in_flight = 5;
  int acks = -1;
  int request_timeout_ms = 1000;   ///< short, so that a lost answer costs a second, not thirty
  int delivery_timeout_ms = 8000;  ///< librdkafka message.timeout.ms; kafkajs has none (its retries bound it)
  int retries = 2147483647;        ///< kafkajs: bounded by its retry settings (driver.js)
  int retry_backoff_ms = 50;
  int linger_ms = 0;
  /// The client's own defaults for everything above except the timeouts
  /// (a campaign's "defaults" configuration).
  bool client_defaults = false;
  friend bool operator==(const ProducerSettings&, const ProducerSettings&) = default;
};

/// What the application does.
struct Application {
  int app = 0;
  std::string topic = "idemcheck";
  int partitions = 1;
  int records = 50;
  int send_interval_ms = 2;   ///< between produce calls, so that faults meet requests in flight
  int deadline_ms = 20000;    ///< the whole run, sends and reports
  friend bool operator==(const Application&, const Application&) = default;
};

/// What the client told the application about one record.
struct DeliveryReport {
  std::int64_t record = 0;
  int partition = 0;
  bool reported = false;              ///< false: no report by the deadline (pending)
  std::int64_t offset = -1;           ///< acknowledged: the record's offset (-1 unknown)
  spec::Error error = spec::Error::none;  ///< failed: the error, as the checker reads it
  std::string client_error;           ///< the client's own words for it
  std::int64_t ms = 0;                ///< when, since the driver started
  friend bool operator==(const DeliveryReport&, const DeliveryReport&) = default;
};

struct DriverResult {
  std::vector<DeliveryReport> reports;  ///< one per record, by record number
  std::string fatal;                    ///< the client failed to start, or raised a fatal error
  std::string client_version;
  std::int64_t elapsed_ms = 0;
};

/// Run `app` on `client` against `bootstrap`. `kafkajs_dir` is where
/// clients/kafkajs lives (driver.js and its node_modules).
DriverResult run_driver(Client client, const std::string& bootstrap, const ProducerSettings& settings,
                        const Application& app, const std::string& kafkajs_dir);

/// Whether kafkajs can run here (node and the installed package); if not, why.
std::string kafkajs_unavailable(const std::string& kafkajs_dir);

}  // namespace idemcheck::clients
