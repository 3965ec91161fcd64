// idemcheck/spec/small_world.hpp
//
// THE SMALL WORLD both provers search (the Z3 encoding, spec/symbolic_world.hpp,
// and the explicit-state search, spec/explicit_search.hpp), and the claims
// they check. It is a concrete WorldConfig: one producer, one partition, one
// broker that leads it for good, a broker cache of w batches, at most m
// requests in flight, idempotence on or off, acks=all, retries=MAX,
// retry.backoff.ms = 0, request.timeout.ms = 30000, delivery.timeout.ms =
// 2^31-1, one record per send, at most B sends and at most Z zombie requests
// waiting at once. Two settings: the producer unknown to the broker at the
// start (the article's claim), or known (the narrowed claims: every history
// starts with the first batch written and acknowledged).
//
// The claims are the checker's anomalies (spec/checker.hpp) on this world,
// plus retry-is-duplicate; concrete_violation() is what decides them on a
// history, for either engine's counterexample.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "idemcheck/spec/history.hpp"
#include "idemcheck/spec/world.hpp"

namespace idemcheck::spec {

/// The small world's parameters.
struct SymbolicConfig {
  int max_in_flight = 5;  ///< m: max.in.flight.requests.per.connection, 1..8
  int window = 5;         ///< w: batches the broker caches per producer, 1..8
  bool idempotence = true;
  int batches = 0;  ///< B: sends at most, 1..8; 0: default_batches(m, w)
  int zombies = 0;  ///< Z: zombie requests waiting at once, 1..16; 0: m
  /// The narrowed setting: every history starts with known_producer_prefix() (the first batch
  /// written and acknowledged), so the broker holds the producer's state before any fault.
  bool known_producer = false;
  friend bool operator==(const SymbolicConfig&, const SymbolicConfig&) = default;
};

/// min(m, w) + 1: enough sends to fill m requests, and to overflow the cache when m > w; one more
/// in the known-producer setting, whose prefix spends one.
int default_batches(int max_in_flight, int window, bool known_producer = false);
/// The config with its defaults filled in.
SymbolicConfig resolve(SymbolicConfig config);
/// Empty if the config is within the encoding's bounds, else why not.
std::string check_symbolic_config(const SymbolicConfig& config);
/// The concrete world both engines search (validated like a user's settings).
WorldConfig small_world_config(const SymbolicConfig& config);
/// The events every history of the known-producer setting starts with: send, drain,
/// deliver-request, deliver-response (the first batch written and acknowledged). Empty otherwise.
/// A depth or a counterexample length counts the events after it; a counterexample history holds it.
std::vector<Event> known_producer_prefix(const SymbolicConfig& config);

/// The claims the prover checks.
enum class SymbolicClaim : std::uint8_t {
  duplicate,             ///< no batch is written twice (checker: duplicate)
  nonmonotonic_send,     ///< the log's order of first writes is the send order (checker: nonmonotonic-send)
  lost_write,            ///< every acknowledged batch is in the log (checker: lost-write)
  inconsistent_offsets,  ///< every acknowledged offset holds its batch (checker: inconsistent-offsets)
  retry_is_duplicate,    ///< a request on the live connection carrying a batch already in the log, when
                         ///< the broker runs the append, is answered as a duplicate (not written again,
                         ///< not rejected). Zombies are excluded: nobody hears their answers.
};
std::string_view name(SymbolicClaim);
bool parse_symbolic_claim(std::string_view text, SymbolicClaim& out);
const std::vector<SymbolicClaim>& all_symbolic_claims();

/// Does running `history` on a world built from `components` show the claim's
/// violation (state claims after the last event, retry-is-duplicate at any
/// step)? Returns the violation's description, or an empty string.
std::string concrete_violation(const History& history, SymbolicClaim claim,
                               const Components& components = reference_components());

}  // namespace idemcheck::spec
