#include "idemcheck/conform/kafka_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <utility>

namespace idemcheck::conform {

namespace {

using wire::ApiKey;
using Clock = std::chrono::steady_clock;

constexpr std::int16_t key(ApiKey k) { return static_cast<std::int16_t>(k); }

// Kafka's socket.request.max.bytes is 100 MiB; an answer to this harness's
// requests is a few hundred bytes, so anything near that is not an answer.
constexpr std::int32_t kMaxFrame = 64 * 1024 * 1024;

std::string errno_text(int e) { return std::strerror(e); }

const char* api_name(ApiKey k) {
  switch (k) {
    case ApiKey::produce: return "Produce";
    case ApiKey::metadata: return "Metadata";
    case ApiKey::api_versions: return "ApiVersions";
    case ApiKey::init_producer_id: return "InitProducerId";
  }
  return "request";
}

// Milliseconds left until `deadline`, at least 0.
int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<std::int64_t>(0, left));
}

}  // namespace

// ---------------------------------------------------------------- endpoints

Endpoint parse_endpoint(std::string_view text) {
  const std::string shown(text);
  std::string_view host;
  std::string_view port;
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw ConformError("'" + shown + "' is not HOST:PORT ([ADDRESS]:PORT for an IPv6 address)");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw ConformError("'" + shown + "' is not HOST:PORT (no port)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      throw ConformError("'" + shown + "' is not HOST:PORT (write an IPv6 address as [ADDRESS]:PORT)");
    }
  }
  if (host.empty()) throw ConformError("'" + shown + "' is not HOST:PORT (no host)");
  int p = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || r.ec != std::errc{} || r.ptr != port.data() + port.size() || p < 1 || p > 65535) {
    throw ConformError("'" + shown + "' is not HOST:PORT (the port must be a number 1..65535)");
  }
  return Endpoint{std::string(host), p};
}

std::vector<Endpoint> parse_bootstrap(std::string_view text) {
  std::vector<Endpoint> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string_view::npos ? text.size() : comma;
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) throw ConformError("empty address in the bootstrap list '" + std::string(text) + "'");
    out.push_back(parse_endpoint(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string to_string(const Endpoint& e) {
  if (e.host.find(':') != std::string::npos) return "[" + e.host + "]:" + std::to_string(e.port);
  return e.host + ":" + std::to_string(e.port);
}

// ---------------------------------------------------------------- versions

ChosenVersions negotiate(std::span<const wire::VersionRange> broker) {
  auto pick = [&](ApiKey k) -> std::int16_t {
    const wire::VersionRange* ours = nullptr;
    for (const auto& r : wire::supported_versions()) {
      if (r.api_key == key(k)) ours = &r;
    }
    const wire::VersionRange* theirs = nullptr;
    for (const auto& r : broker) {
      if (r.api_key == key(k)) theirs = &r;
    }
    if (ours == nullptr) throw ConformError(std::string("internal: the codec lacks ") + api_name(k));
    if (theirs == nullptr) {
      throw ConformError(std::string("the broker does not offer ") + api_name(k) + " (its ApiVersions answer lacks key " +
                         std::to_string(key(k)) + ")");
    }
    const std::int16_t lo = std::max(ours->min_version, theirs->min_version);
    const std::int16_t hi = std::min(ours->max_version, theirs->max_version);
    if (lo > hi) {
      throw ConformError(std::string("no ") + api_name(k) + " version in common: the broker offers v" +
                         std::to_string(theirs->min_version) + "..v" + std::to_string(theirs->max_version) +
                         ", this harness speaks v" + std::to_string(ours->min_version) + "..v" +
                         std::to_string(ours->max_version));
    }
    return hi;
  };
  ChosenVersions v;
  v.api_versions = pick(ApiKey::api_versions);
  v.metadata = pick(ApiKey::metadata);
  v.init_producer_id = pick(ApiKey::init_producer_id);
  v.produce = pick(ApiKey::produce);
  return v;
}

std::string kafka_error_name(std::int16_t code) {
  // Errors.java's numbers, for the codes a producer can meet.
  switch (code) {
    case -1: return "UNKNOWN_SERVER_ERROR";
    case 0: return "NONE";
    case 1: return "OFFSET_OUT_OF_RANGE";
    case 2: return "CORRUPT_MESSAGE";
    case 3: return "UNKNOWN_TOPIC_OR_PARTITION";
    case 4: return "INVALID_FETCH_SIZE";
    case 5: return "LEADER_NOT_AVAILABLE";
    case 6: return "NOT_LEADER_OR_FOLLOWER";
    case 7: return "REQUEST_TIMED_OUT";
    case 8: return "BROKER_NOT_AVAILABLE";
    case 9: return "REPLICA_NOT_AVAILABLE";
    case 10: return "MESSAGE_TOO_LARGE";
    case 13: return "NETWORK_EXCEPTION";
    case 14: return "COORDINATOR_LOAD_IN_PROGRESS";
    case 15: return "COORDINATOR_NOT_AVAILABLE";
    case 16: return "NOT_COORDINATOR";
    case 17: return "INVALID_TOPIC_EXCEPTION";
    case 18: return "RECORD_LIST_TOO_LARGE";
    case 19: return "NOT_ENOUGH_REPLICAS";
    case 20: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case 21: return "INVALID_REQUIRED_ACKS";
    case 29: return "TOPIC_AUTHORIZATION_FAILED";
    case 31: return "CLUSTER_AUTHORIZATION_FAILED";
    case 32: return "INVALID_TIMESTAMP";
    case 35: return "UNSUPPORTED_VERSION";
    case 42: return "INVALID_REQUEST";
    case 43: return "UNSUPPORTED_FOR_MESSAGE_FORMAT";
    case 45: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case 46: return "DUPLICATE_SEQUENCE_NUMBER";
    case 47: return "INVALID_PRODUCER_EPOCH";
    case 48: return "INVALID_TXN_STATE";
    case 49: return "INVALID_PRODUCER_ID_MAPPING";
    case 53: return "TRANSACTIONAL_ID_AUTHORIZATION_FAILED";
    case 56: return "KAFKA_STORAGE_ERROR";
    case 59: return "UNKNOWN_PRODUCER_ID";
    case 76: return "UNSUPPORTED_COMPRESSION_TYPE";
    case 87: return "INVALID_RECORD";
    case 90: return "PRODUCER_FENCED";
    default: return "UNKNOWN_ERROR_CODE_" + std::to_string(code);
  }
}

// ---------------------------------------------------------------- requests

wire::RecordBatch make_record_batch(const spec::Batch& batch, std::int64_t timestamp_ms) {
  wire::RecordBatch b;
  b.base_offset = 0;
  b.partition_leader_epoch = -1;
  b.magic = 2;
  b.attributes = 0;
  b.base_timestamp = timestamp_ms;
  b.max_timestamp = timestamp_ms;
  b.producer_id = batch.producer_id < 0 ? -1 : batch.producer_id;
  b.producer_epoch = static_cast<std::int16_t>(batch.producer_id < 0 ? -1 : batch.epoch);
  b.base_sequence = static_cast<std::int32_t>(batch.producer_id < 0 ? -1 : batch.first_sequence);
  const auto count = static_cast<std::int32_t>(std::clamp<std::int64_t>(batch.record_count, 1, INT32_MAX));
  b.last_offset_delta = count - 1;
  b.records.reserve(static_cast<std::size_t>(count));
  for (std::int32_t i = 0; i < count; ++i) {
    wire::Record r;
    r.offset_delta = i;
    r.timestamp_delta = 0;
    // "conform:<pid>:<sequence>": what the batch meant to the harness, for a reader of the broker's log.
    const std::string value = "conform:" + std::to_string(b.producer_id) + ":" +
                              std::to_string(batch.producer_id < 0 ? -1 : (batch.first_sequence + i));
    wire::Bytes bytes;
    for (const char c : value) bytes.push_back(static_cast<std::byte>(c));
    r.value = std::move(bytes);
    b.records.push_back(std::move(r));
  }
  return b;
}

wire::ProduceRequest make_produce_request(const std::string& topic, const spec::Batch& batch,
                                          std::int64_t timestamp_ms) {
  wire::ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  wire::ProduceTopicData t;
  t.name = topic;
  wire::ProducePartitionData p;
  p.index = 0;
  p.records = wire::encode(make_record_batch(batch, timestamp_ms));
  t.partitions.push_back(std::move(p));
  req.topics.push_back(std::move(t));
  return req;
}

std::optional<ProduceAnswer> find_partition_answer(const wire::ProduceResponse& response, const std::string& topic) {
  for (const auto& t : response.topics) {
    if (t.name != topic) continue;
    for (const auto& p : t.partitions) {
      if (p.index == 0) return ProduceAnswer{p.error_code, p.base_offset, p.error_message};
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- connection

KafkaConnection::KafkaConnection(const Endpoint& endpoint, int timeout_ms, std::string client_id)
    : endpoint_(endpoint), timeout_ms_(std::max(1, timeout_ms)), client_id_(std::move(client_id)) {
  const std::string where = to_string(endpoint_);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint_.port);
  if (const int rc = ::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw ConformError("cannot resolve " + where + ": " + ::gai_strerror(rc));
  }
  std::string last_error = "no address";
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      last_error = errno_text(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      do {
        rc = ::poll(&p, 1, remaining_ms(deadline));
      } while (rc < 0 && errno == EINTR);
      if (rc == 0) {
        last_error = "timed out after " + std::to_string(timeout_ms_) + " ms";
        ::close(fd);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (rc < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_error = errno_text(errno);
      ::close(fd);
      continue;
    }
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) throw ConformError("cannot connect to " + where + ": " + last_error);

  // ApiVersions v3, falling back to v0 (see the header).
  const auto ask = [&](std::int16_t version) -> std::optional<wire::ApiVersionsResponse> {
    wire::ApiVersionsRequest req;
    req.client_software_name = "idemcheck-conform";
    req.client_software_version = "0.1.0";
    const std::int32_t id = send(ApiKey::api_versions, version, wire::encode(req, version));
    const wire::Bytes body = receive(ApiKey::api_versions, version, id);
    auto parsed = wire::decode_api_versions_response(body, version);
    if (!parsed || parsed.value->error_code != wire::error_code::none) return std::nullopt;
    return std::move(*parsed.value);
  };
  // A connection lost during the handshake carried no request of the run's:
  // it is a plain ConformError (the broker cannot be talked to).
  try {
    std::optional<wire::ApiVersionsResponse> answer = ask(3);
    if (!answer) answer = ask(0);
    if (!answer) fail("the ApiVersions v0 answer does not decode or carries an error");
    broker_versions_ = answer->api_keys;
  } catch (const ConnectionLost& e) {
    throw ConformError(std::string(e.what()) + " (during the ApiVersions handshake)");
  }
  try {
    versions_ = negotiate(broker_versions_);
  } catch (const ConformError& e) {
    close_fd();
    throw ConformError(where + ": " + e.what());
  }
}

KafkaConnection::KafkaConnection(KafkaConnection&& other) noexcept
    : endpoint_(std::move(other.endpoint_)),
      timeout_ms_(other.timeout_ms_),
      client_id_(std::move(other.client_id_)),
      fd_(std::exchange(other.fd_, -1)),
      next_correlation_(other.next_correlation_),
      versions_(other.versions_),
      broker_versions_(std::move(other.broker_versions_)) {}

KafkaConnection& KafkaConnection::operator=(KafkaConnection&& other) noexcept {
  if (this != &other) {
    close_fd();
    endpoint_ = std::move(other.endpoint_);
    timeout_ms_ = other.timeout_ms_;
    client_id_ = std::move(other.client_id_);
    fd_ = std::exchange(other.fd_, -1);
    next_correlation_ = other.next_correlation_;
    versions_ = other.versions_;
    broker_versions_ = std::move(other.broker_versions_);
  }
  return *this;
}

KafkaConnection::~KafkaConnection() { close_fd(); }

void KafkaConnection::close_fd() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void KafkaConnection::fail(const std::string& what) {
  close_fd();
  throw ConformError(to_string(endpoint_) + ": " + what);
}

void KafkaConnection::lost(const std::string& what) {
  close_fd();
  throw ConnectionLost(to_string(endpoint_) + ": " + what);
}

void KafkaConnection::drop() {
  if (fd_ < 0) return;
  (void)::shutdown(fd_, SHUT_WR);
  close_fd();
}

void KafkaConnection::write_all(wire::ByteView bytes) {
  if (fd_ < 0) lost("the connection is closed");
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      const int rc = ::poll(&p, 1, remaining_ms(deadline));
      if (rc == 0) lost("timed out after " + std::to_string(timeout_ms_) + " ms writing a request");
      if (rc < 0 && errno != EINTR) lost("poll failed: " + errno_text(errno));
      continue;
    }
    lost("writing a request failed: " + errno_text(errno));
  }
}

void KafkaConnection::read_exact(std::byte* into, std::size_t n) {
  if (fd_ < 0) lost("the connection is closed");
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  std::size_t done = 0;
  while (done < n) {
    // Acknowledge at once: a broker whose socket keeps Nagle's algorithm on holds
    // its next answer until this side acknowledges the last one, and a delayed
    // acknowledgement (up to 40 ms on Linux) would then stall every pipeline.
    // Linux clears the flag again after a while, so it is set before each read.
    const int one = 1;
    (void)::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    const ssize_t got = ::recv(fd_, into + done, n - done, 0);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) lost("the broker closed the connection before the answer was complete");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd_, POLLIN, 0};
      const int rc = ::poll(&p, 1, remaining_ms(deadline));
      if (rc == 0) lost("no answer within " + std::to_string(timeout_ms_) + " ms");
      if (rc < 0 && errno != EINTR) lost("poll failed: " + errno_text(errno));
      continue;
    }
    lost("reading an answer failed: " + errno_text(errno));
  }
}

std::int32_t KafkaConnection::send(ApiKey k, std::int16_t version, wire::ByteView body) {
  wire::RequestHeader h;
  h.api_key = key(k);
  h.api_version = version;
  h.correlation_id = next_correlation_;
  next_correlation_ = next_correlation_ == INT32_MAX ? 1 : next_correlation_ + 1;
  h.client_id = client_id_;
  write_all(wire::frame_request(h, body));
  return h.correlation_id;
}

wire::Bytes KafkaConnection::receive(ApiKey k, std::int16_t version, std::int32_t correlation_id) {
  std::byte prefix[4];
  read_exact(prefix, 4);
  const std::int32_t size = wire::read_frame_size(wire::ByteView(prefix, 4));
  if (size < 4 || size > kMaxFrame) {
    const bool http = std::memcmp(prefix, "HTTP", 4) == 0;
    fail("malformed answer frame to " + std::string(api_name(k)) + " v" + std::to_string(version) + ": size " +
         std::to_string(size) + (http ? " (the peer answers HTTP: not a Kafka listener)" : ""));
  }
  wire::Bytes frame(static_cast<std::size_t>(size));
  read_exact(frame.data(), frame.size());
  const auto header = wire::decode_response_header(key(k), version, frame);
  if (!header) {
    fail("malformed answer to " + std::string(api_name(k)) + " v" + std::to_string(version) + ": " + header.error);
  }
  if (header.value->correlation_id != correlation_id) {
    fail("the answer to " + std::string(api_name(k)) + " v" + std::to_string(version) + " carries correlation id " +
         std::to_string(header.value->correlation_id) + ", expected " + std::to_string(correlation_id));
  }
  return wire::Bytes(frame.begin() + static_cast<std::ptrdiff_t>(header.value->body_offset), frame.end());
}

wire::MetadataResponse KafkaConnection::metadata(const wire::MetadataRequest& request) {
  const std::int16_t v = versions_.metadata;
  const std::int32_t id = send(ApiKey::metadata, v, wire::encode(request, v));
  const wire::Bytes body = receive(ApiKey::metadata, v, id);
  auto parsed = wire::decode_metadata_response(body, v);
  if (!parsed) fail("malformed Metadata answer: " + parsed.error);
  return std::move(*parsed.value);
}

wire::InitProducerIdResponse KafkaConnection::init_producer_id(const wire::InitProducerIdRequest& request) {
  const std::int16_t v = versions_.init_producer_id;
  const std::int32_t id = send(ApiKey::init_producer_id, v, wire::encode(request, v));
  const wire::Bytes body = receive(ApiKey::init_producer_id, v, id);
  auto parsed = wire::decode_init_producer_id_response(body, v);
  if (!parsed) fail("malformed InitProducerId answer: " + parsed.error);
  return std::move(*parsed.value);
}

std::int32_t KafkaConnection::send_produce(const wire::ProduceRequest& request) {
  const std::int16_t v = versions_.produce;
  return send(ApiKey::produce, v, wire::encode(request, v));
}

wire::ProduceResponse KafkaConnection::receive_produce(std::int32_t correlation_id) {
  const std::int16_t v = versions_.produce;
  const wire::Bytes body = receive(ApiKey::produce, v, correlation_id);
  auto parsed = wire::decode_produce_response(body, v);
  if (!parsed) fail("malformed Produce answer: " + parsed.error);
  return std::move(*parsed.value);
}

}  // namespace idemcheck::conform
