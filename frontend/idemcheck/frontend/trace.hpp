// idemcheck/frontend/trace.hpp
//
// What the front end saw and did, in order: connections, every request that
// arrived (for Produce, every batch: producer id, epoch, sequence, records),
// how each was answered, and every fault that fired. Together with the
// client's delivery reports it is the whole story of a run (run_file.hpp
// saves both; `replay` renders them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::frontend {

/// One batch of a Produce request, and what became of it.
struct BatchTrace {
  int partition = -1;
  spec::Batch header;                        ///< producer id, epoch, first sequence, record count
  std::vector<spec::RecordRange> records;    ///< the records it carried, by identity
  std::int16_t error = 0;                    ///< the error answered for it
  std::int64_t base_offset = -1;             ///< the offset answered (-1 on error)
  bool duplicate = false;                    ///< answered from the producer's cached batches
  bool appended = false;                     ///< written to the log by this request
  friend bool operator==(const BatchTrace&, const BatchTrace&) = default;
};

enum class TraceKind : std::uint8_t {
  connected,         ///< a client connected to `broker`
  disconnected,      ///< the connection closed; `text` says why
  request,           ///< a request arrived; `api_key`, `api_version`, `correlation_id`
  produce,           ///< a Produce request was handled: `batches`, `number` (1-based count)
  response,          ///< an answer left for the client (`correlation_id`)
  fault,             ///< a fault fired at Produce request `number`; `text` describes it
  producer_id,       ///< InitProducerId answered: `value` = the new producer id
  leader_moved,      ///< `partition`'s leader is now `broker` (`value` = leader epoch)
  broker_restarted,  ///< `broker` restarted (`text`: clean or unclean)
  producers_expired, ///< every partition's producer state expired
  rejected,          ///< a request the broker could not parse; `text` says why
};

std::string_view name(TraceKind);

struct TraceEvent {
  TraceKind kind = TraceKind::request;
  std::int64_t ms = 0;             ///< since the cluster started
  int broker = -1;
  std::uint64_t connection = 0;
  std::int16_t api_key = -1;
  std::int16_t api_version = -1;
  std::int32_t correlation_id = -1;
  std::int64_t number = 0;         ///< Produce request count
  int partition = -1;
  std::int64_t value = 0;
  std::vector<BatchTrace> batches;
  std::string text;
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

using Trace = std::vector<TraceEvent>;

}  // namespace idemcheck::frontend
