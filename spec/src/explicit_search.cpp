// The explicit-state prover (see explicit_search.hpp for the model).
#include "idemcheck/spec/explicit_search.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "idemcheck/spec/checker.hpp"
#include "key_set.hpp"

namespace idemcheck::spec {

namespace {

// A step of the search, packed into 16 bits for the parent links: the event's
// kind in the low byte, its zombie count in the high one.
enum Step : std::uint8_t {
  st_send,
  st_drain,
  st_deliver,
  st_fail_ner,
  st_fail_neraa,
  st_deliver_response,
  st_lose_response,
  st_break,
  st_timeout,
  st_zombie,
};

std::uint16_t pack(Step s, std::int64_t count = 0) {
  return static_cast<std::uint16_t>(s | (static_cast<unsigned>(count) << 8));
}

Event unpack(std::uint16_t code) {
  Event e;
  const auto count = static_cast<std::int64_t>(code >> 8);
  switch (static_cast<Step>(code & 0xff)) {
    case st_send: e.kind = Event::Kind::send; e.count = 1; break;
    case st_drain: e.kind = Event::Kind::drain; break;
    case st_deliver: e.kind = Event::Kind::deliver_request; break;
    case st_fail_ner: e.kind = Event::Kind::fail_request; e.error = Error::not_enough_replicas; break;
    case st_fail_neraa:
      e.kind = Event::Kind::fail_request;
      e.error = Error::not_enough_replicas_after_append;
      break;
    case st_deliver_response: e.kind = Event::Kind::deliver_response; break;
    case st_lose_response: e.kind = Event::Kind::lose_response; break;
    case st_break: e.kind = Event::Kind::break_connection; e.count = count; break;
    case st_timeout: e.kind = Event::Kind::timeout; e.count = count; break;
    case st_zombie: e.kind = Event::Kind::process_zombie; break;
  }
  return e;
}

using Status = std::uint8_t;  // bit (1 << claim): some history to the state violated the claim

Status bit(SymbolicClaim c) { return static_cast<Status>(1u << static_cast<unsigned>(c)); }

// retry-is-duplicate at one step, exactly as concrete_violation decides it: a
// live (not zombie) answer, other than NOT_ENOUGH_REPLICAS, for a batch whose
// records were in the log before the step, that is not a duplicate answer.
bool retry_written_again(const std::vector<std::int64_t>& in_log_before, const World& after,
                         const std::vector<Effect>& effects) {
  for (const Effect& e : effects) {
    if (e.kind != Effect::Kind::batch_answered || e.zombie || e.error == Error::not_enough_replicas) continue;
    std::int64_t record = -1;
    for (const SendRecord& s : after.sends()) {
      if (s.batch_id == e.batch) record = s.records.first;
    }
    if (std::find(in_log_before.begin(), in_log_before.end(), record) != in_log_before.end() && !e.duplicate) {
      return true;
    }
  }
  return false;
}

Anomaly anomaly_of(SymbolicClaim c) {
  switch (c) {
    case SymbolicClaim::duplicate: return Anomaly::duplicate;
    case SymbolicClaim::nonmonotonic_send: return Anomaly::nonmonotonic_send;
    case SymbolicClaim::lost_write: return Anomaly::lost_write;
    case SymbolicClaim::inconsistent_offsets: return Anomaly::inconsistent_offsets;
    case SymbolicClaim::retry_is_duplicate: break;
  }
  throw std::logic_error("retry-is-duplicate is not a checker anomaly");
}

// The checker's claims among `open` that `world` violates now.
Status checker_violations(const World& world, Status open) {
  CheckSet set{false, false, false, false, false, false};
  bool any = false;
  for (SymbolicClaim c : all_symbolic_claims()) {
    if (c == SymbolicClaim::retry_is_duplicate || (open & bit(c)) == 0) continue;
    switch (anomaly_of(c)) {
      case Anomaly::duplicate: set.duplicate = true; break;
      case Anomaly::nonmonotonic_send: set.nonmonotonic_send = true; break;
      case Anomaly::lost_write: set.lost_write = true; break;
      case Anomaly::inconsistent_offsets: set.inconsistent_offsets = true; break;
      case Anomaly::failed_but_written:
      case Anomaly::stuck_send: break;
    }
    any = true;
  }
  if (!any) return 0;
  Status found = 0;
  for (const AnomalyReport& r : find_anomalies(world, set)) {
    for (SymbolicClaim c : all_symbolic_claims()) {
      if (c != SymbolicClaim::retry_is_duplicate && anomaly_of(c) == r.kind) found |= bit(c);
    }
  }
  return found;
}

struct Node {
  World world;
  std::uint32_t index = 0;  // into the parent links
  Status status = 0;
};

}  // namespace

ExplicitCellResult explore_cell(const SymbolicConfig& raw, const ExplicitOptions& options) {
  if (const std::string why = check_symbolic_config(raw); !why.empty()) throw std::invalid_argument(why);
  if (options.max_depth < 0) throw std::invalid_argument("the depth must not be negative");
  if (options.time_limit_seconds < 0) throw std::invalid_argument("the time limit must not be negative");
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };

  const SymbolicConfig cfg = resolve(raw);
  const WorldConfig world_config = small_world_config(cfg);
  const std::vector<Event> prefix = known_producer_prefix(cfg);
  ExplicitCellResult result;
  result.config = cfg;
  const std::vector<SymbolicClaim>& claims = options.claims.empty() ? all_symbolic_claims() : options.claims;
  Status requested = 0;
  for (SymbolicClaim c : claims) {
    result.claims.push_back(ExplicitClaimResult{c, false, false, 0, {}});
    requested |= bit(c);
  }

  // Parent links of every visited state, for the counterexamples.
  std::vector<std::uint32_t> parent;
  std::vector<std::uint16_t> step;
  detail::KeySet visited;
  Status refuted = 0;

  auto history_to = [&](std::uint32_t index) {
    History h{world_config, prefix};
    std::vector<Event> tail;
    for (std::uint32_t i = index; i != 0; i = parent[i]) tail.push_back(unpack(step[i]));
    h.events.insert(h.events.end(), tail.rbegin(), tail.rend());
    return h;
  };
  // The claims first violated at state `index`, reached at `depth`.
  auto record = [&](Status fresh, std::uint32_t index, int depth) {
    for (ExplicitClaimResult& r : result.claims) {
      if ((fresh & bit(r.claim)) == 0 || r.refuted) continue;
      r.refuted = true;
      r.depth = depth;
      r.counterexample = history_to(index);
    }
    refuted |= fresh & requested;
  };

  // The initial state, after the prefix (its steps are checked too).
  Node root{World(world_config), 0, 0};
  for (const Event& e : prefix) {
    std::vector<std::int64_t> before;
    for (const LoggedBatch& b : root.world.log(0)) before.push_back(b.records.first);
    const std::vector<Effect> effects = root.world.apply(e);
    if (retry_written_again(before, root.world, effects)) root.status |= bit(SymbolicClaim::retry_is_duplicate);
  }
  root.status |= checker_violations(root.world, requested);
  root.status &= requested;
  std::string key;  // one buffer for every key
  root.world.state_key(key);
  key.push_back(static_cast<char>(root.status));
  visited.insert(key);
  parent.push_back(0);
  step.push_back(0);
  result.states_per_depth.push_back(1);
  record(root.status, 0, 0);

  std::vector<Node> frontier;
  frontier.push_back(std::move(root));
  std::vector<Effect> effects;  // one buffer for every step
  int depth = 0;  // every state of depth <= `depth` has been generated and checked
  bool stopped = false;
  const auto bound = static_cast<std::int64_t>(cfg.zombies);

  while (!frontier.empty() && refuted != requested && depth < options.max_depth && !stopped) {
    std::vector<Node> next;
    std::uint64_t fresh_states = 0;
    for (Node& node : frontier) {
      if (node.status == requested) continue;  // nothing left to learn below it
      const World& w = node.world;
      std::vector<std::int64_t> in_log;
      for (const LoggedBatch& b : w.log(0)) in_log.push_back(b.records.first);
      const World::ConnectionLoad load = w.connection_load(0, 0);
      const auto unread = static_cast<std::int64_t>(load.unread);
      const auto waiting = static_cast<std::int64_t>(w.zombies_waiting(0));
      std::vector<std::uint16_t> steps;
      if (static_cast<int>(w.sends().size()) < cfg.batches) steps.push_back(pack(st_send));
      steps.push_back(pack(st_drain));
      if (unread > 0) {  // else the broker has nothing to read: no-ops (no timer is ever due, see the banner)
        for (Step s : {st_deliver, st_fail_ner, st_fail_neraa}) steps.push_back(pack(s));
      }
      if (load.responses > 0) {
        steps.push_back(pack(st_deliver_response));
        steps.push_back(pack(st_lose_response));
      }
      if (waiting > 0) steps.push_back(pack(st_zombie));
      // The encoding's domain: no step leaves more than Z zombies waiting.
      for (std::int64_t c = 0; load.outstanding > 0 && c <= unread && waiting + c <= bound; ++c) {
        steps.push_back(pack(st_break, c));
        steps.push_back(pack(st_timeout, c));
      }
      for (std::uint16_t code : steps) {
        World child = w;
        child.apply(unpack(code), effects);
        Status status = node.status;
        if ((requested & bit(SymbolicClaim::retry_is_duplicate)) != 0 && retry_written_again(in_log, child, effects)) {
          status |= bit(SymbolicClaim::retry_is_duplicate);
        }
        status |= checker_violations(child, requested & static_cast<Status>(~status));
        child.state_key(key);
        key.push_back(static_cast<char>(status));
        if (!visited.insert(key)) continue;
        const auto index = static_cast<std::uint32_t>(parent.size());
        parent.push_back(node.index);
        step.push_back(code);
        ++fresh_states;
        if (const Status fresh = status & static_cast<Status>(~refuted); fresh != 0) record(fresh, index, depth + 1);
        next.push_back(Node{std::move(child), index, status});
        if (visited.size() >= options.max_states ||
            (options.time_limit_seconds > 0 && elapsed() >= options.time_limit_seconds) || refuted == requested) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
    }
    if (fresh_states == 0 && !stopped) {
      frontier.clear();
      break;
    }
    result.states_per_depth.push_back(fresh_states);
    if (!stopped) ++depth;
    frontier = std::move(next);
  }

  result.complete = frontier.empty();
  result.states = visited.size();
  if (result.complete) result.diameter = static_cast<int>(result.states_per_depth.size()) - 1;
  for (ExplicitClaimResult& r : result.claims) {
    if (r.refuted) continue;
    r.complete = result.complete;
    r.depth = result.complete ? result.diameter : depth;
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace idemcheck::spec
