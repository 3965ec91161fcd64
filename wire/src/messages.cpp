// Request and response bodies of ApiVersions, Metadata, InitProducerId and
// Produce (protocol.hpp). Each message has one field list, `fields`, a
// template over the direction (codec::Encoding or codec::Decoding) overloaded
// on the message type, with the versions each field appears in taken from
// Kafka's message schemas; encode and decode are that list instantiated
// twice, so they agree by construction.
#include <concepts>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "codec.hpp"
#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::wire {
namespace {

using codec::Decoding;
using codec::Encoding;

// The field list of message T, for T being encoded (const) or decoded.
template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

// A UUID in the schema with no field in our structs (Metadata request topics
// v10+): zeros ("no id") on encode, read and dropped on decode.
template <class IO>
void unrepresented_uuid(IO& io) {
  std::array<std::byte, 16> none{};
  io.uuid(none);
}

// A topic name that the schema makes nullable (lookups by topic id: Metadata
// request v10+, response v12+) but our structs hold as a plain string: this
// codec never writes null and refuses it on decode rather than inventing a
// name.
template <class IO, class S>
void name_never_null(IO& io, S& name) {
  if constexpr (IO::reading) {
    std::optional<std::string> s = io.r.nullable_string(io.flexible);
    if (!io.r.ok()) return;
    if (!s) {
      io.r.fail("topic without a name (a lookup by topic id), which this codec does not represent");
      return;
    }
    name = std::move(*s);
  } else {
    io.string(name);
  }
}

// ---------------------------------------------------------------- ApiVersions

template <class IO, Is<ApiVersionsRequest> M>
void fields(IO& io, M& m, std::int16_t v) {
  if (v >= 3) {
    io.string(m.client_software_name);
    io.string(m.client_software_version);
  }
  io.tagged_fields();
}

template <class IO, Is<ApiVersionsResponse> M>
void fields(IO& io, M& m, std::int16_t v) {
  io.i16(m.error_code);
  io.array(m.api_keys, [&](auto& k) {
    io.i16(k.api_key);
    io.i16(k.min_version);
    io.i16(k.max_version);
    io.tagged_fields();
  });
  if (v >= 1) io.i32(m.throttle_time_ms);
  // v3+: SupportedFeatures, FinalizedFeaturesEpoch, FinalizedFeatures and
  // ZkMigrationReady are tagged: skipped on decode, omitted on encode.
  io.tagged_fields();
}

// ---------------------------------------------------------------- Metadata

template <class IO, Is<MetadataRequest> M>
void fields(IO& io, M& m, std::int16_t v) {
  const auto topic = [&](auto& name) {
    if (v >= 10) unrepresented_uuid(io);
    if (v >= 10) {
      name_never_null(io, name);
    } else {
      io.string(name);
    }
    io.tagged_fields();
  };
  if (v == 0) {
    // v0 has no null array: an empty one asks for every topic.
    if constexpr (IO::reading) {
      std::vector<std::string> names;
      io.array(names, topic);
      if (names.empty()) {
        m.topics.reset();
      } else {
        m.topics = std::move(names);
      }
    } else {
      static const std::vector<std::string> kAll;
      io.array(m.topics ? *m.topics : kAll, topic);
    }
  } else {
    io.nullable_array(m.topics, topic);
  }
  if (v >= 4) io.boolean(m.allow_auto_topic_creation);
  if (v >= 8 && v <= 10) io.boolean(m.include_cluster_authorized_operations);
  if (v >= 8) io.boolean(m.include_topic_authorized_operations);
  io.tagged_fields();
}

template <class IO, Is<MetadataResponse> M>
void fields(IO& io, M& m, std::int16_t v) {
  if (v >= 3) io.i32(m.throttle_time_ms);
  io.array(m.brokers, [&](auto& b) {
    io.i32(b.node_id);
    io.string(b.host);
    io.i32(b.port);
    if (v >= 1) io.nullable_string(b.rack);
    io.tagged_fields();
  });
  if (v >= 2) io.nullable_string(m.cluster_id);
  if (v >= 1) io.i32(m.controller_id);
  io.array(m.topics, [&](auto& t) {
    io.i16(t.error_code);
    if (v >= 12) {
      name_never_null(io, t.name);
    } else {
      io.string(t.name);
    }
    if (v >= 10) io.uuid(t.topic_id);
    if (v >= 1) io.boolean(t.is_internal);
    io.array(t.partitions, [&](auto& p) {
      io.i16(p.error_code);
      io.i32(p.partition_index);
      io.i32(p.leader_id);
      if (v >= 7) io.i32(p.leader_epoch);
      const auto node = [&](auto& id) { io.i32(id); };
      io.array(p.replica_nodes, node);
      io.array(p.isr_nodes, node);
      if (v >= 5) io.array(p.offline_replicas, node);
      io.tagged_fields();
    });
    if (v >= 8) io.i32(t.topic_authorized_operations);
    io.tagged_fields();
  });
  if (v >= 8 && v <= 10) io.i32(m.cluster_authorized_operations);
  io.tagged_fields();
}

// ---------------------------------------------------------------- InitProducerId

template <class IO, Is<InitProducerIdRequest> M>
void fields(IO& io, M& m, std::int16_t v) {
  io.nullable_string(m.transactional_id);
  io.i32(m.transaction_timeout_ms);
  if (v >= 3) {
    io.i64(m.producer_id);
    io.i16(m.producer_epoch);
  }
  io.tagged_fields();
}

template <class IO, Is<InitProducerIdResponse> M>
void fields(IO& io, M& m, std::int16_t /*v*/) {
  io.i32(m.throttle_time_ms);
  io.i16(m.error_code);
  io.i64(m.producer_id);
  io.i16(m.producer_epoch);
  io.tagged_fields();
}

// ---------------------------------------------------------------- Produce

template <class IO, Is<ProduceRequest> M>
void fields(IO& io, M& m, std::int16_t v) {
  if (v >= 3) io.nullable_string(m.transactional_id);
  io.i16(m.acks);
  io.i32(m.timeout_ms);
  io.array(m.topics, [&](auto& t) {
    io.string(t.name);
    io.array(t.partitions, [&](auto& p) {
      io.i32(p.index);
      io.nullable_bytes(p.records);
      io.tagged_fields();
    });
    io.tagged_fields();
  });
  io.tagged_fields();
}

template <class IO, Is<ProduceResponse> M>
void fields(IO& io, M& m, std::int16_t v) {
  io.array(m.topics, [&](auto& t) {
    io.string(t.name);
    io.array(t.partitions, [&](auto& p) {
      io.i32(p.index);
      io.i16(p.error_code);
      io.i64(p.base_offset);
      if (v >= 2) io.i64(p.log_append_time_ms);
      if (v >= 5) io.i64(p.log_start_offset);
      if (v >= 8) {
        io.array(p.record_errors, [&](auto& e) {
          io.i32(e.batch_index);
          io.nullable_string(e.message);
          io.tagged_fields();
        });
        io.nullable_string(p.error_message);
      }
      io.tagged_fields();
    });
    io.tagged_fields();
  });
  if (v >= 1) io.i32(m.throttle_time_ms);
  io.tagged_fields();
}

// ---------------------------------------------------------------- drivers

// "<name> v<version>", the context of every error of one decoder.
std::string what(const char* name, std::int16_t version) {
  std::string s(name);
  s.append(" v");
  s.append(std::to_string(version));
  return s;
}

template <class M>
Bytes encode_with(const M& m, ApiKey key, std::int16_t version) {
  codec::Writer w;
  Encoding io{w, is_flexible(static_cast<std::int16_t>(key), version)};
  fields(io, m, version);
  return w.take();
}

template <class M>
Parsed<M> decode_with(ByteView body, ApiKey key, std::int16_t version, const char* name) {
  const auto k = static_cast<std::int16_t>(key);
  if (!is_supported(k, version)) return codec::refuse<M>(codec::in(what(name, version), "unsupported version"));
  codec::Reader r(body);
  Decoding io{r, is_flexible(k, version)};
  M m;
  fields(io, m, version);
  Parsed<M> p = codec::finish(r, std::move(m));
  if (!p) p.error = codec::in(what(name, version), p.error);
  return p;
}

}  // namespace

Bytes encode(const ApiVersionsRequest& m, std::int16_t version) {
  return encode_with(m, ApiKey::api_versions, version);
}
Parsed<ApiVersionsRequest> decode_api_versions_request(ByteView body, std::int16_t version) {
  return decode_with<ApiVersionsRequest>(body, ApiKey::api_versions, version, "ApiVersions request");
}
Bytes encode(const ApiVersionsResponse& m, std::int16_t version) {
  return encode_with(m, ApiKey::api_versions, version);
}
Parsed<ApiVersionsResponse> decode_api_versions_response(ByteView body, std::int16_t version) {
  return decode_with<ApiVersionsResponse>(body, ApiKey::api_versions, version, "ApiVersions response");
}

Bytes encode(const MetadataRequest& m, std::int16_t version) {
  return encode_with(m, ApiKey::metadata, version);
}
Parsed<MetadataRequest> decode_metadata_request(ByteView body, std::int16_t version) {
  return decode_with<MetadataRequest>(body, ApiKey::metadata, version, "Metadata request");
}
Bytes encode(const MetadataResponse& m, std::int16_t version) {
  return encode_with(m, ApiKey::metadata, version);
}
Parsed<MetadataResponse> decode_metadata_response(ByteView body, std::int16_t version) {
  return decode_with<MetadataResponse>(body, ApiKey::metadata, version, "Metadata response");
}

Bytes encode(const InitProducerIdRequest& m, std::int16_t version) {
  return encode_with(m, ApiKey::init_producer_id, version);
}
Parsed<InitProducerIdRequest> decode_init_producer_id_request(ByteView body, std::int16_t version) {
  return decode_with<InitProducerIdRequest>(body, ApiKey::init_producer_id, version, "InitProducerId request");
}
Bytes encode(const InitProducerIdResponse& m, std::int16_t version) {
  return encode_with(m, ApiKey::init_producer_id, version);
}
Parsed<InitProducerIdResponse> decode_init_producer_id_response(ByteView body, std::int16_t version) {
  return decode_with<InitProducerIdResponse>(body, ApiKey::init_producer_id, version, "InitProducerId response");
}

Bytes encode(const ProduceRequest& m, std::int16_t version) {
  return encode_with(m, ApiKey::produce, version);
}
Parsed<ProduceRequest> decode_produce_request(ByteView body, std::int16_t version) {
  return decode_with<ProduceRequest>(body, ApiKey::produce, version, "Produce request");
}
Bytes encode(const ProduceResponse& m, std::int16_t version) {
  return encode_with(m, ApiKey::produce, version);
}
Parsed<ProduceResponse> decode_produce_response(ByteView body, std::int16_t version) {
  return decode_with<ProduceResponse>(body, ApiKey::produce, version, "Produce response");
}

}  // namespace idemcheck::wire
