// idemcheck/properties/world_gen.hpp
//
// Generators of world histories. A profile fixes the world's configuration
// and says how often each kind of event happens (0: never), so that one
// generator serves the differential property, the safety claims and the
// claims that must fail, each with the events its story needs.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <rapidcheck.h>

#include "idemcheck/spec/history.hpp"

namespace idemcheck::properties {

/// Number of event kinds (spec::Event::Kind).
inline constexpr std::size_t kEventKinds = 16;

/// What a generated history may contain.
struct WorldProfile {
  spec::WorldConfig config;
  std::array<int, kEventKinds> weights{};  ///< indexed by spec::Event::Kind
  std::int64_t max_records = 3;            ///< records per send: 1..max_records
  bool huge_sends = false;                 ///< sometimes up to 2^30 records (wraps the client's int sequences)
  int chunk = 6;                           ///< events per chunk (see gen_world_history)
  /// How often a tick is short (1-250 ms), long (1-40 s), near the delivery
  /// deadline (delivery.timeout.ms less request.timeout.ms, ± 5 s: a request
  /// sent then is still in flight at its batch's deadline), or very long
  /// (100-200 s, past producer-state expiry).
  std::array<int, 4> tick_weights{10, 2, 1, 1};
  std::vector<spec::Event> prefix;         ///< events every history starts with (not shrunk away)
  /// Draw some deliver-response, timeout and break-connection events with
  /// late_poll (the poll crossed a delivery deadline: Kafka's rare race).
  /// False: every history is free of that race.
  bool late_polls = true;
  /// With late_polls: one in `late_poll_odds` of those events is drawn late.
  int late_poll_odds = 6;
  /// Weight of one kind.
  int& weight(spec::Event::Kind k) { return weights[static_cast<std::size_t>(k)]; }
};

/// Weights for "everything that can go wrong": every event kind that does not
/// change who the producers are (no send-same, no producer restart, no
/// expiry, no broker restart).
WorldProfile faults_profile(const spec::WorldConfig& config);
/// faults_profile plus producer restarts (without re-sending), producer-state
/// expiry and broker restarts: every event kind but send-same.
WorldProfile everything_profile(const spec::WorldConfig& config);

/// Only what the story of a lost ack needs: sends, the request and response
/// path, lost responses, timeouts and broken connections, and time.
WorldProfile lost_ack_profile(const spec::WorldConfig& config);

/// A prefix after which the broker knows every producer on every partition:
/// each producer sends one record to each partition and has it acknowledged.
std::vector<spec::Event> warm_up(const spec::WorldConfig& config);

/// A world of 1-3 producers, partitions and brokers, with or without
/// idempotence, 1-5 requests in flight, a broker window of 1-8 batches, short
/// producer-state expiry, and sometimes producers that start at the last
/// epochs (so that epochs run out) and huge sends (so that sequences wrap).
rc::Gen<WorldProfile> gen_any_world_profile();
/// A history of any world gen_any_world_profile() makes, with every event kind.
rc::Gen<spec::History> gen_any_world_history();

/// One event drawn from the profile.
rc::Gen<spec::Event> gen_world_event(const WorldProfile& profile);
/// A history: a list of up to `size` chunks of up to profile.chunk events, so
/// its length grows with RapidCheck's size (kept <= 100) and RapidCheck can
/// shrink it by whole chunks first.
rc::Gen<spec::History> gen_world_history(const WorldProfile& profile);

}  // namespace idemcheck::properties
