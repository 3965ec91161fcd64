#include "idemcheck/frontend/cluster.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <utility>

#include "idemcheck/wire/record_batch.hpp"

namespace idemcheck::frontend {

namespace {

using wire::ApiKey;
namespace ec = wire::error_code;

constexpr auto key(ApiKey k) { return static_cast<std::int16_t>(k); }
constexpr std::int16_t kFetchKey = 1;

// The producer-state rules speak the spec's errors, whose numbers are Kafka's.
std::int16_t code(spec::Error e) { return static_cast<std::int16_t>(e); }

// Wall-clock milliseconds: what a client stamps its batches with, so the
// producer-id expiry compares like with like.
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string_view name(TraceKind k) {
  switch (k) {
    case TraceKind::connected: return "connected";
    case TraceKind::disconnected: return "disconnected";
    case TraceKind::request: return "request";
    case TraceKind::produce: return "produce";
    case TraceKind::response: return "response";
    case TraceKind::fault: return "fault";
    case TraceKind::producer_id: return "producer-id";
    case TraceKind::leader_moved: return "leader-moved";
    case TraceKind::broker_restarted: return "broker-restarted";
    case TraceKind::producers_expired: return "producers-expired";
    case TraceKind::rejected: return "rejected";
  }
  return "unknown";
}

std::optional<spec::RecordRange> parse_record_value(wire::ByteView value) {
  const auto* p = reinterpret_cast<const char*>(value.data());
  const std::string_view text(p, value.size());
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  int origin = 0;
  std::int64_t number = 0;
  const auto a = std::from_chars(text.data(), text.data() + colon, origin);
  if (a.ec != std::errc{} || a.ptr != text.data() + colon || origin < 0) return std::nullopt;
  const auto b = std::from_chars(text.data() + colon + 1, text.data() + text.size(), number);
  if (b.ec != std::errc{} || b.ptr != text.data() + text.size() || number < 0) return std::nullopt;
  return spec::RecordRange{origin, number, 1};
}

std::string check_cluster_config(const ClusterConfig& c) {
  if (c.brokers < 1 || c.brokers > 64) return "brokers must be 1..64";
  if (c.partitions < 1 || c.partitions > 1024) return "partitions must be 1..1024";
  if (c.topic.empty() || c.topic.size() > 249) return "the topic name must have 1..249 characters";
  if (c.broker.window < 1) return "the producer-state window must be >= 1";
  if (c.broker.producer_id_expiration_ms < 1) return "producer.id.expiration.ms must be >= 1";
  for (const auto& [at, f] : c.faults.at) {
    if (at < 1) return "a fault must fire at a Produce request numbered from 1";
    if (f.kind == FaultKind::hold_response && f.hold_ms < 0) return "a hold must not be negative";
  }
  return "";
}

struct Cluster::State {
  ClusterConfig config;
  std::vector<int> ports;
  struct Partition {
    std::unique_ptr<spec::BrokerPartition> state;
    int leader = 0;
    std::int32_t leader_epoch = 0;
  };
  std::vector<Partition> partitions;
  std::vector<std::vector<spec::LoggedBatch>> logs;
  Trace trace;
  std::int64_t produce_count = 0;
  std::int64_t next_producer_id = 1000;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  TraceEvent& emit(TraceKind k, std::int64_t now, int broker, std::uint64_t conn) {
    TraceEvent e;
    e.kind = k;
    e.ms = now;
    e.broker = broker;
    e.connection = conn;
    trace.push_back(std::move(e));
    return trace.back();
  }

  // An event about request `h` (its key, version and correlation id).
  TraceEvent& emit_request(TraceKind k, std::int64_t now, int broker, std::uint64_t conn, const wire::RequestHeader& h) {
    TraceEvent& e = emit(k, now, broker, conn);
    e.api_key = h.api_key;
    e.api_version = h.api_version;
    e.correlation_id = h.correlation_id;
    return e;
  }

  wire::Bytes api_versions(const wire::RequestHeader& h, wire::ByteView body) {
    wire::ApiVersionsResponse r;
    const auto all = wire::supported_versions();
    r.api_keys.assign(all.begin(), all.end());
    // librdkafka enables record batch v2 (and so idempotence) only if the
    // broker also offers Fetch >= 4 (rdkafka_feature.c): offered, never served.
    r.api_keys.push_back(wire::VersionRange{kFetchKey, 4, 4});
    std::sort(r.api_keys.begin(), r.api_keys.end(),
              [](const wire::VersionRange& a, const wire::VersionRange& b) { return a.api_key < b.api_key; });
    std::int16_t version = h.api_version;
    if (!wire::is_supported(h.api_key, h.api_version)) {
      // K2: the v0 layout, which every client reads whatever it asked.
      r.error_code = ec::unsupported_version;
      version = 0;
    } else if (!wire::decode_api_versions_request(body, h.api_version)) {
      r.error_code = ec::invalid_request;
    }
    return wire::frame_response(h.api_key, version, h.correlation_id, wire::encode(r, version));
  }

  wire::Bytes metadata(const wire::RequestHeader& h, const wire::MetadataRequest& req) {
    wire::MetadataResponse r;
    for (int b = 0; b < config.brokers; ++b) {
      r.brokers.push_back(wire::MetadataBroker{b, config.host, ports[static_cast<std::size_t>(b)], std::nullopt});
    }
    r.cluster_id = "idemcheck";
    r.controller_id = 0;
    std::vector<std::string> names;
    if (req.topics && !req.topics->empty()) {
      names = *req.topics;
    } else {
      names.push_back(config.topic);  // all topics (null, or v0's empty list)
    }
    for (const auto& n : names) {
      wire::MetadataTopic t;
      t.name = n;
      if (n != config.topic) {
        t.error_code = ec::unknown_topic_or_partition;
      } else {
        for (int q = 0; q < config.partitions; ++q) {
          const Partition& part = partitions[static_cast<std::size_t>(q)];
          wire::MetadataPartition p;
          p.partition_index = q;
          p.leader_id = part.leader;
          p.leader_epoch = part.leader_epoch;
          p.replica_nodes.push_back(part.leader);
          for (int b = 0; b < config.brokers; ++b) {
            if (b != part.leader) p.replica_nodes.push_back(b);
          }
          p.isr_nodes = p.replica_nodes;
          t.partitions.push_back(std::move(p));
        }
      }
      r.topics.push_back(std::move(t));
    }
    return wire::frame_response(h.api_key, h.api_version, h.correlation_id, wire::encode(r, h.api_version));
  }

  wire::Bytes init_producer_id(const wire::RequestHeader& h, const wire::InitProducerIdRequest& req,
                               std::int64_t now, int broker, std::uint64_t conn) {
    wire::InitProducerIdResponse r;
    if (req.transactional_id) {
      r.error_code = ec::transactional_id_authorization_failed;
    } else {
      r.producer_id = next_producer_id++;
      r.producer_epoch = 0;
      emit(TraceKind::producer_id, now, broker, conn).value = r.producer_id;
    }
    return wire::frame_response(h.api_key, h.api_version, h.correlation_id, wire::encode(r, h.api_version));
  }

  // Faults that change the cluster before the request is handled (K7).
  // Returns the Reply that ends the request there, if the fault does.
  std::optional<Reply> before(const Fault& f, int broker, std::uint64_t conn, std::int64_t now,
                              const wire::ProduceRequest& req) {
    switch (f.kind) {
      case FaultKind::lose_request: {
        Reply r;
        r.close = true;
        return r;
      }
      case FaultKind::move_leader: {
        int q = 0;
        if (!req.topics.empty() && !req.topics.front().partitions.empty()) {
          q = req.topics.front().partitions.front().index;
        }
        if (q < 0 || q >= config.partitions || config.brokers < 2) return std::nullopt;
        Partition& part = partitions[static_cast<std::size_t>(q)];
        part.leader = (part.leader + 1) % config.brokers;
        ++part.leader_epoch;
        TraceEvent& e = emit(TraceKind::leader_moved, now, part.leader, 0);
        e.partition = q;
        e.value = part.leader_epoch;
        return std::nullopt;
      }
      case FaultKind::restart_broker: {
        const std::int64_t wall = wall_ms();
        for (Partition& part : partitions) {
          if (part.leader != broker) continue;
          part.state->restart(wall, f.clean);
          ++part.leader_epoch;  // a restarted leader comes back in a new epoch (as in the world)
        }
        emit(TraceKind::broker_restarted, now, broker, conn).text = f.clean ? "clean" : "unclean";
        Reply r;
        r.close = true;
        r.restart_broker = broker;
        return r;
      }
      case FaultKind::expire_producers: {
        const std::int64_t later = wall_ms() + config.broker.producer_id_expiration_ms + 1;
        for (Partition& part : partitions) part.state->expire(later);
        emit(TraceKind::producers_expired, now, broker, conn);
        return std::nullopt;
      }
      default: return std::nullopt;
    }
  }

  // One partition of a Produce request (K5).
  wire::ProducePartitionResponse produce_partition(int broker, const std::string& topic,
                                                   const wire::ProducePartitionData& data, const Fault* fault,
                                                   bool zombie, std::vector<BatchTrace>& traced) {
    wire::ProducePartitionResponse out;
    out.index = data.index;
    out.log_start_offset = 0;
    BatchTrace bt;
    bt.partition = data.index;
    auto fail = [&](std::int16_t err) {
      out.error_code = err;
      out.base_offset = -1;
      bt.error = err;
      traced.push_back(bt);
      return out;
    };
    if (topic != config.topic || data.index < 0 || data.index >= config.partitions) {
      return fail(ec::unknown_topic_or_partition);
    }
    if (!data.records) return fail(ec::invalid_record);
    const wire::BatchDecode decoded = wire::decode_record_batches(*data.records);
    switch (decoded.error) {
      case wire::BatchError::none: break;
      case wire::BatchError::corrupt: return fail(ec::corrupt_message);
      case wire::BatchError::unsupported_magic: return fail(ec::invalid_record);
      case wire::BatchError::unsupported_compression: return fail(ec::unsupported_compression_type);
    }
    if (decoded.batches.size() != 1) return fail(ec::invalid_record);
    const wire::RecordBatch& batch = decoded.batches.front();
    bt.header.producer_id = batch.producer_id;
    bt.header.epoch = batch.producer_epoch;
    bt.header.first_sequence = batch.base_sequence;
    bt.header.record_count = static_cast<std::int64_t>(batch.records.size());
    bt.header.max_timestamp = batch.max_timestamp;
    for (const wire::Record& rec : batch.records) {
      const auto id = rec.value ? parse_record_value(*rec.value) : std::nullopt;
      bt.records.push_back(id.value_or(spec::RecordRange{-1, 0, 1}));
    }
    if (batch.base_offset != 0 || batch.records.empty()) return fail(ec::invalid_record);
    Partition& part = partitions[static_cast<std::size_t>(data.index)];
    if (part.leader != broker) return fail(ec::not_leader_or_follower);
    if (fault && fault->kind == FaultKind::error_before) return fail(fault->error);

    const spec::AppendOutcome outcome = part.state->append(bt.header);
    if (outcome.error != spec::Error::none) return fail(code(outcome.error));
    bt.duplicate = outcome.duplicate;
    if (!outcome.duplicate) {
      bt.appended = true;
      auto& log = logs[static_cast<std::size_t>(data.index)];
      for (std::size_t i = 0; i < bt.records.size(); ++i) {
        spec::LoggedBatch lb;
        lb.first_offset = outcome.first_offset + static_cast<std::int64_t>(i);
        lb.records = bt.records[i];
        // Unknown records get a unique identity so that they are never a "duplicate".
        if (lb.records.origin < 0) lb.records.first = lb.first_offset;
        lb.header = bt.header;
        lb.zombie = zombie;
        log.push_back(lb);
      }
    }
    if (fault && fault->kind == FaultKind::error_after) {
      bt.base_offset = outcome.first_offset;  // written: the trace keeps where, the answer does not say
      return fail(fault->error);
    }
    out.error_code = ec::none;
    out.base_offset = outcome.first_offset;
    bt.base_offset = outcome.first_offset;
    traced.push_back(bt);
    return out;
  }

  Reply produce(int broker, std::uint64_t conn, std::int64_t now, const wire::RequestHeader& h,
                const wire::ProduceRequest& req) {
    const std::int64_t number = ++produce_count;
    const auto it = config.faults.at.find(number);
    const Fault* fault = it == config.faults.at.end() ? nullptr : &it->second;
    if (fault) {
      TraceEvent& e = emit(TraceKind::fault, now, broker, conn);
      e.number = number;
      e.correlation_id = h.correlation_id;
      e.text = describe(*fault);
      if (auto early = before(*fault, broker, conn, now, req)) return *early;
    }
    // Nothing else enters the trace while the batches are handled, so the reference stays valid.
    TraceEvent& ev = emit_request(TraceKind::produce, now, broker, conn, h);
    ev.number = number;
    ev.value = req.acks;
    const bool zombie = fault && fault->kind == FaultKind::zombie;
    wire::ProduceResponse resp;
    bool any_error = false;
    const bool acks_ok = req.acks == -1 || req.acks == 0 || req.acks == 1;
    for (const auto& topic : req.topics) {
      wire::ProduceTopicResponse tr;
      tr.name = topic.name;
      for (const auto& data : topic.partitions) {
        if (!acks_ok) {
          wire::ProducePartitionResponse p;
          p.index = data.index;
          p.error_code = ec::invalid_required_acks;
          BatchTrace bt;
          bt.partition = data.index;
          bt.error = p.error_code;
          ev.batches.push_back(bt);
          tr.partitions.push_back(p);
        } else {
          tr.partitions.push_back(produce_partition(broker, topic.name, data, fault, zombie, ev.batches));
        }
        any_error = any_error || tr.partitions.back().error_code != ec::none;
      }
      resp.topics.push_back(std::move(tr));
    }
    Reply r;
    if (req.acks == 0) {
      r.close = any_error;  // K5: no answer with acks=0; an error closes the connection
      return r;
    }
    if (fault && (fault->kind == FaultKind::zombie)) {
      r.close = true;
      return r;
    }
    if (fault && fault->kind == FaultKind::lose_response) {
      r.mute = true;
      return r;
    }
    r.response = wire::frame_response(h.api_key, h.api_version, h.correlation_id, wire::encode(resp, h.api_version));
    if (fault && fault->kind == FaultKind::hold_response) r.delay_ms = fault->hold_ms;
    return r;
  }

  Reply reject(int broker, std::uint64_t conn, std::int64_t now, const wire::RequestHeader* h, std::string why) {
    TraceEvent& e = h ? emit_request(TraceKind::rejected, now, broker, conn, *h) : emit(TraceKind::rejected, now, broker, conn);
    e.text = std::move(why);
    Reply r;
    r.close = true;
    return r;
  }
};

Cluster::Cluster(ClusterConfig config) : s_(std::make_unique<State>()) {
  s_->config = std::move(config);
  if (!s_->config.partition) s_->config.partition = spec::make_reference_partition;
  s_->ports.assign(static_cast<std::size_t>(s_->config.brokers), 0);
  for (int q = 0; q < s_->config.partitions; ++q) {
    State::Partition p;
    p.state = s_->config.partition(s_->config.broker);
    p.leader = q % s_->config.brokers;
    s_->partitions.push_back(std::move(p));
  }
  s_->logs.resize(static_cast<std::size_t>(s_->config.partitions));
}
Cluster::Cluster(Cluster&&) noexcept = default;
Cluster& Cluster::operator=(Cluster&&) noexcept = default;
Cluster::~Cluster() = default;

void Cluster::set_port(int broker, int port) {
  if (broker >= 0 && broker < s_->config.brokers) s_->ports[static_cast<std::size_t>(broker)] = port;
}

void Cluster::connected(int broker, std::uint64_t connection, std::int64_t now_ms) {
  s_->emit(TraceKind::connected, now_ms, broker, connection);
}

void Cluster::disconnected(int broker, std::uint64_t connection, std::int64_t now_ms, std::string_view why) {
  s_->emit(TraceKind::disconnected, now_ms, broker, connection).text = std::string(why);
}

void Cluster::response_sent(int broker, std::uint64_t connection, std::int32_t correlation_id, std::int64_t now_ms) {
  s_->emit(TraceKind::response, now_ms, broker, connection).correlation_id = correlation_id;
}

Reply Cluster::handle(int broker, std::uint64_t conn, wire::ByteView frame, std::int64_t now) {
  State& s = *s_;
  const auto parsed = wire::decode_request_header(frame);
  if (!parsed) return s.reject(broker, conn, now, nullptr, "malformed request header: " + parsed.error);
  const wire::RequestHeader& h = parsed.value->header;
  if (h.api_key == key(ApiKey::api_versions)) {
    s.emit_request(TraceKind::request, now, broker, conn, h);
    const auto body = frame.subspan(std::min(parsed.value->body_offset, frame.size()));
    Reply r;
    r.response = s.api_versions(h, body);
    return r;
  }
  if (!wire::is_supported(h.api_key, h.api_version)) {
    return s.reject(broker, conn, now, &h, "unsupported API key or version");
  }
  const auto body = frame.subspan(parsed.value->body_offset);
  if (h.api_key != key(ApiKey::produce)) s.emit_request(TraceKind::request, now, broker, conn, h);
  Reply r;
  switch (static_cast<ApiKey>(h.api_key)) {
    case ApiKey::metadata: {
      const auto req = wire::decode_metadata_request(body, h.api_version);
      if (!req) return s.reject(broker, conn, now, &h, "malformed Metadata request: " + req.error);
      r.response = s.metadata(h, *req.value);
      return r;
    }
    case ApiKey::init_producer_id: {
      const auto req = wire::decode_init_producer_id_request(body, h.api_version);
      if (!req) return s.reject(broker, conn, now, &h, "malformed InitProducerId request: " + req.error);
      r.response = s.init_producer_id(h, *req.value, now, broker, conn);
      return r;
    }
    case ApiKey::produce: {
      const auto req = wire::decode_produce_request(body, h.api_version);
      if (!req) return s.reject(broker, conn, now, &h, "malformed Produce request: " + req.error);
      return s.produce(broker, conn, now, h, *req.value);
    }
    case ApiKey::api_versions: break;
  }
  return s.reject(broker, conn, now, &h, "unsupported API key");
}

const std::vector<std::vector<spec::LoggedBatch>>& Cluster::logs() const { return s_->logs; }
const Trace& Cluster::trace() const { return s_->trace; }
std::int64_t Cluster::produce_requests() const { return s_->produce_count; }
const ClusterConfig& Cluster::config() const { return s_->config; }

}  // namespace idemcheck::frontend
