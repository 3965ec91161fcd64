#include "idemcheck/frontend/faults.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "idemcheck/spec/broker_types.hpp"
#include "idemcheck/wire/protocol.hpp"

namespace idemcheck::frontend {

namespace {

constexpr std::string_view kNames[] = {
    "lose-request", "zombie", "lose-response", "hold-response", "error-before",
    "error-after",  "move-leader", "restart-broker", "expire-producers",
};
static_assert(std::size(kNames) == std::size(kAllFaultKinds));

// splitmix64: a generator whose output is fixed by its definition, so a seed
// gives the same schedule under every compiler and standard library (the
// standard distributions are not specified bit for bit).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
};

}  // namespace

std::string_view name(FaultKind k) { return kNames[static_cast<std::size_t>(k)]; }

std::optional<FaultKind> parse_fault_kind(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == text) return kAllFaultKinds[i];
  }
  return std::nullopt;
}

FaultSchedule random_schedule(std::uint64_t seed, const ScheduleOptions& options) {
  FaultSchedule out;
  if (options.kinds.empty() || options.requests < 1 || options.faults < 1) return out;
  SplitMix rng{seed};
  const auto wanted = std::min<std::int64_t>(options.faults, options.requests);
  // Distinct request numbers: draw until enough (wanted <= requests, so this ends).
  while (static_cast<std::int64_t>(out.at.size()) < wanted) {
    const auto at = 1 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(options.requests)));
    if (out.at.contains(at)) continue;
    Fault f;
    f.kind = options.kinds[rng.below(options.kinds.size())];
    switch (f.kind) {
      case FaultKind::error_before: {
        // What a leader answers before it appends (ReplicaManager: not the
        // leader, or the ISR below min.insync.replicas), and a replication
        // timeout, which the world lets fall on either side.
        constexpr std::int16_t codes[] = {wire::error_code::not_leader_or_follower,
                                          wire::error_code::not_enough_replicas,
                                          wire::error_code::request_timed_out};
        f.error = codes[rng.below(std::size(codes))];
        break;
      }
      case FaultKind::error_after: {
        constexpr std::int16_t codes[] = {wire::error_code::not_enough_replicas_after_append,
                                          wire::error_code::request_timed_out};
        f.error = codes[rng.below(std::size(codes))];
        break;
      }
      case FaultKind::hold_response:
        // Past the request timeout, by up to half of it again.
        f.hold_ms = options.request_timeout_ms + 100 +
                    static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(options.request_timeout_ms / 2 + 1)));
        break;
      case FaultKind::restart_broker: f.clean = rng.below(2) == 0; break;
      default: break;
    }
    out.at.emplace(at, f);
  }
  return out;
}

std::string describe(const Fault& f) {
  std::ostringstream o;
  o << f;
  return o.str();
}

std::ostream& operator<<(std::ostream& o, const Fault& f) {
  o << name(f.kind);
  switch (f.kind) {
    case FaultKind::error_before:
    case FaultKind::error_after: o << ' ' << spec::name(static_cast<spec::Error>(f.error)); break;
    case FaultKind::hold_response: o << ' ' << f.hold_ms << " ms"; break;
    case FaultKind::restart_broker: o << (f.clean ? " clean" : " unclean"); break;
    default: break;
  }
  return o;
}

std::string describe(const FaultSchedule& s) {
  std::ostringstream o;
  bool first = true;
  for (const auto& [at, f] : s.at) {
    if (!first) o << "; ";
    first = false;
    o << "at " << at << ": " << f;
  }
  if (first) o << "no faults";
  return o.str();
}

}  // namespace idemcheck::frontend
