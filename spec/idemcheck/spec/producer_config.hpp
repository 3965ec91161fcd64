// idemcheck/spec/producer_config.hpp
//
// The producer's configuration, by Kafka's property names, with the Java
// client's defaults and its validation of idempotence (Kafka 3.2 and later):
// when idempotence is on by default and another setting conflicts with it,
// idempotence is quietly turned off; when it was set explicitly, the
// configuration is rejected with Kafka's message.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace idemcheck::spec {

/// A validated producer configuration.
struct ProducerConfig {
  bool idempotence = true;                         ///< effective enable.idempotence
  int acks = -1;                                   ///< -1 = "all", 0, 1
  std::int64_t retries = 2'147'483'647;            ///< retries
  int max_in_flight = 5;                           ///< max.in.flight.requests.per.connection
  std::int64_t retry_backoff_ms = 100;             ///< retry.backoff.ms (the first retry's backoff)
  std::int64_t retry_backoff_max_ms = 1'000;       ///< retry.backoff.max.ms (KIP-580: the exponential backoff's cap)
  std::int64_t request_timeout_ms = 30'000;        ///< request.timeout.ms
  std::int64_t delivery_timeout_ms = 120'000;      ///< delivery.timeout.ms
  std::int64_t linger_ms = 0;                      ///< linger.ms (only checked against delivery.timeout.ms)
  std::vector<std::string> notes;                  ///< what validation changed quietly (Kafka logs these)
  friend bool operator==(const ProducerConfig&, const ProducerConfig&) = default;
};

/// A configuration Kafka would refuse.
struct ConfigError {
  std::string message;  ///< Kafka's message where Kafka has one
};

/// Settings by Kafka property name, as a user writes them. Keys outside the
/// producer's known properties are rejected.
using ProducerSettings = std::map<std::string, std::string>;

/// Validate settings the way the Java client does (KafkaProducer and
/// ProducerConfig), starting from the defaults.
///
/// `allow_unsafe_in_flight` keeps idempotence with more than 5 requests in
/// flight instead of rejecting it: Kafka cannot be configured so, but the model
/// can, to show why the limit exists. It is off unless a caller asks.
std::variant<ProducerConfig, ConfigError> validate_producer_settings(const ProducerSettings& settings,
                                                                     bool allow_unsafe_in_flight = false);

/// The property names validate_producer_settings() understands.
const std::vector<std::string>& known_producer_properties();

}  // namespace idemcheck::spec
