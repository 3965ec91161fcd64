#include "idemcheck/spec/producer_config.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace idemcheck::spec {

const std::vector<std::string>& known_producer_properties() {
  static const std::vector<std::string> names{
      "enable.idempotence", "acks", "retries", "max.in.flight.requests.per.connection", "retry.backoff.ms",
      "retry.backoff.max.ms", "request.timeout.ms", "delivery.timeout.ms", "linger.ms"};
  return names;
}

namespace {

std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string invalid(const std::string& name, const std::string& value, const std::string& why) {
  return "Invalid value " + value + " for configuration " + name + ": " + why;
}

}  // namespace

std::variant<ProducerConfig, ConfigError> validate_producer_settings(const ProducerSettings& settings,
                                                                     bool allow_unsafe_in_flight) {
  ProducerConfig c;
  for (const auto& [key, value] : settings) {
    const auto& known = known_producer_properties();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return ConfigError{"Unknown producer configuration '" + key + "'"};
    }
  }
  auto integer = [&](const std::string& name, std::int64_t lo, std::int64_t hi,
                     std::int64_t& out) -> std::optional<ConfigError> {
    const auto it = settings.find(name);
    if (it == settings.end()) return std::nullopt;
    const auto v = parse_int(it->second);
    if (!v) return ConfigError{invalid(name, it->second, "Not a number of type INT")};
    if (*v < lo || *v > hi) {
      return ConfigError{invalid(name, it->second, "Value must be at least " + std::to_string(lo) +
                                                       (hi < 2'147'483'647 ? " and at most " + std::to_string(hi) : ""))};
    }
    out = *v;
    return std::nullopt;
  };
  std::int64_t in_flight = c.max_in_flight;
  if (auto e = integer("retries", 0, 2'147'483'647, c.retries)) return *e;
  if (auto e = integer("max.in.flight.requests.per.connection", 1, 2'147'483'647, in_flight)) return *e;
  c.max_in_flight = static_cast<int>(in_flight);
  if (auto e = integer("retry.backoff.ms", 0, 2'147'483'647, c.retry_backoff_ms)) return *e;
  if (auto e = integer("retry.backoff.max.ms", 0, 2'147'483'647, c.retry_backoff_max_ms)) return *e;
  if (auto e = integer("request.timeout.ms", 0, 2'147'483'647, c.request_timeout_ms)) return *e;
  if (auto e = integer("delivery.timeout.ms", 0, 2'147'483'647, c.delivery_timeout_ms)) return *e;
  if (auto e = integer("linger.ms", 0, 2'147'483'647, c.linger_ms)) return *e;

  if (const auto it = settings.find("acks"); it != settings.end()) {
    if (it->second == "all" || it->second == "-1") {
      c.acks = -1;
    } else if (it->second == "0" || it->second == "1") {
      c.acks = it->second == "0" ? 0 : 1;
    } else {
      return ConfigError{"Invalid configuration value for 'acks': " + it->second};
    }
  }

  bool explicit_idempotence = false;
  if (const auto it = settings.find("enable.idempotence"); it != settings.end()) {
    if (it->second != "true" && it->second != "false") {
      return ConfigError{invalid("enable.idempotence", it->second, "Expected value to be either true or false")};
    }
    explicit_idempotence = true;
    c.idempotence = it->second == "true";
  }

  // ProducerConfig.postProcessAndValidateIdempotenceConfigs (Kafka 3.2+).
  if (c.idempotence) {
    if (c.retries == 0) {
      if (explicit_idempotence) return ConfigError{"Must set retries to non-zero when using the idempotent producer."};
      c.idempotence = false;
      c.notes.push_back("Idempotence will be disabled because retries is set to 0.");
    }
  }
  if (c.idempotence && c.acks != -1) {
    if (explicit_idempotence) {
      return ConfigError{
          "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."};
    }
    c.idempotence = false;
    c.notes.push_back("Idempotence will be disabled because acks is set to " + std::to_string(c.acks) +
                      ", not set to 'all'.");
  }
  if (c.idempotence && c.max_in_flight > 5 && !allow_unsafe_in_flight) {
    if (explicit_idempotence) {
      return ConfigError{"Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."};
    }
    c.idempotence = false;
    c.notes.push_back("Idempotence will be disabled because max.in.flight.requests.per.connection is set to " +
                      std::to_string(c.max_in_flight) +
                      ", which is greater than 5. Please note that in v4.0.0 and onward, this will become an error.");
  }

  // KafkaProducer.configureDeliveryTimeout.
  if (c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms) {
    if (settings.count("delivery.timeout.ms") != 0) {
      return ConfigError{"delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"};
    }
    c.delivery_timeout_ms = c.linger_ms + c.request_timeout_ms;
    c.notes.push_back("delivery.timeout.ms raised to linger.ms + request.timeout.ms = " +
                      std::to_string(c.delivery_timeout_ms));
  }
  return c;
}

}  // namespace idemcheck::spec
