// The explicit-state prover (spec/explicit_search.hpp), checked four ways:
// its counterexamples replay, on the reference world, on the one built from
// impl components and through the Z3 encoding's step function, and are
// shortest; the state key it keeps is sound
// (worlds with equal keys stay equal under the same continuation); the key is
// not coarser than its stated abstractions (worlds with equal keys show the
// same observation once those are applied); and it agrees with the Z3
// engine, claim by claim and length by length, on cells both can finish.
// The whole default grid, with its figures, is the disabled test at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/spec/checker.hpp"
#include "idemcheck/spec/explicit_search.hpp"
#include "idemcheck/spec/symbolic_world.hpp"

namespace idemcheck {
namespace {

using spec::Event;
using spec::SymbolicClaim;
using spec::SymbolicConfig;
using spec::World;

std::string describe(const spec::History& h) {
  std::ostringstream os;
  for (const Event& e : h.events) os << "    " << e << "\n";
  return os.str();
}

std::string cell_name(const SymbolicConfig& c) {
  std::ostringstream os;
  os << "m=" << c.max_in_flight << " w=" << c.window << (c.idempotence ? " idempotent" : " not idempotent")
     << (c.known_producer ? " known" : "");
  return os.str();
}

const spec::ExplicitClaimResult& get(const spec::ExplicitCellResult& c, SymbolicClaim claim) {
  for (const auto& r : c.claims) {
    if (r.claim == claim) return r;
  }
  throw std::logic_error("claim not in the cell");
}

// --- (a) counterexamples replay and are shortest ---------------------------------

// Returns how many refuted claims it replayed.
int replay_refuted(const spec::ExplicitCellResult& cell) {
  const std::vector<Event> prefix = spec::known_producer_prefix(cell.config);
  int replayed = 0;
  for (const spec::ExplicitClaimResult& r : cell.claims) {
    if (!r.refuted) continue;
    ++replayed;
    SCOPED_TRACE(std::string(spec::name(r.claim)) + " " + cell_name(cell.config));
    const spec::History& h = r.counterexample;
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(h.config, spec::small_world_config(cell.config));
    EXPECT_EQ(h.events.size(), prefix.size() + static_cast<std::size_t>(r.depth));
    if (h.events.size() < prefix.size()) continue;
    EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), h.events.begin()));
    EXPECT_FALSE(spec::concrete_violation(h, r.claim).empty()) << "the reference world does not show it:\n"
                                                                << describe(h);
    EXPECT_FALSE(spec::concrete_violation(h, r.claim, properties::impl_components()).empty())
        << "the impl world does not show it:\n"
        << describe(h);
    // The Z3 encoding's step function, driven with the same events, shows it at the same length.
    EXPECT_EQ(spec::encoding_violation_depth(cell.config, h, r.claim), r.depth) << describe(h);
    // Breadth first: no truncation of it (down to the prefix) shows the violation already.
    for (std::size_t n = prefix.size(); n < h.events.size(); ++n) {
      spec::History shorter{h.config, {h.events.begin(), h.events.begin() + static_cast<std::ptrdiff_t>(n)}};
      EXPECT_TRUE(spec::concrete_violation(shorter, r.claim).empty()) << "shown after " << n << " events:\n"
                                                                       << describe(h);
    }
  }
  return replayed;
}

TEST(ExplicitSearch, EveryCounterexampleReplaysOnSpecAndImplAndIsShortest) {
  int replayed = 0;
  for (int m : {1, 2, 3}) {
    for (int w : {1, 2}) {
      for (bool idempotence : {false, true}) {
        for (bool known : {false, true}) {
          if (m == 3 && w == 2 && !idempotence) continue;  // over a million states: the grid's, not the suite's
          const SymbolicConfig c{m, w, idempotence, 0, 0, known};
          const auto r = spec::explore_cell(c, spec::ExplicitOptions{});
          EXPECT_TRUE(r.complete) << cell_name(c);
          replayed += replay_refuted(r);
        }
      }
    }
  }
  EXPECT_GT(replayed, 0);
}

TEST(ExplicitSearch, WithoutIdempotenceARetryDuplicatesAtEveryM) {
  for (int m : {1, 2, 3}) {
    const SymbolicConfig c{m, 1, false, 0, 0, false};
    const auto r = spec::explore_cell(c, spec::ExplicitOptions{});
    SCOPED_TRACE(cell_name(c));
    ASSERT_TRUE(r.complete);
    EXPECT_TRUE(get(r, SymbolicClaim::duplicate).refuted);
    EXPECT_TRUE(get(r, SymbolicClaim::retry_is_duplicate).refuted);
    // Reordering needs two requests in flight.
    EXPECT_EQ(get(r, SymbolicClaim::nonmonotonic_send).refuted, m > 1);
    EXPECT_TRUE(get(r, SymbolicClaim::lost_write).complete);
    EXPECT_TRUE(get(r, SymbolicClaim::inconsistent_offsets).complete);
  }
}

TEST(ExplicitSearch, IdempotenceWithOneInFlightHoldsForEveryLength) {
  for (int w : {1, 2, 3}) {
    for (bool known : {false, true}) {
      const SymbolicConfig c{1, w, true, 0, 0, known};
      const auto r = spec::explore_cell(c, spec::ExplicitOptions{});
      SCOPED_TRACE(cell_name(c));
      ASSERT_TRUE(r.complete);
      EXPECT_GE(r.diameter, 1);
      for (const auto& x : r.claims) {
        EXPECT_FALSE(x.refuted) << spec::name(x.claim) << ":\n" << describe(x.counterexample);
        EXPECT_TRUE(x.complete);
        EXPECT_EQ(x.depth, r.diameter);
      }
    }
  }
}

TEST(ExplicitSearch, BoundsStopTheSearchAndSayHowFarItGot) {
  const SymbolicConfig c{3, 3, true, 0, 0, false};
  spec::ExplicitOptions o;
  o.max_depth = 5;
  const auto by_depth = spec::explore_cell(c, o);
  EXPECT_FALSE(by_depth.complete);
  EXPECT_EQ(by_depth.diameter, -1);
  EXPECT_EQ(by_depth.states_per_depth.size(), 6u);
  std::uint64_t sum = 0;
  for (std::uint64_t n : by_depth.states_per_depth) sum += n;
  EXPECT_EQ(sum, by_depth.states);
  for (const auto& x : by_depth.claims) {
    EXPECT_FALSE(x.complete);
    if (!x.refuted) {
      EXPECT_EQ(x.depth, 5);
    }
  }
  o.max_depth = 1000;
  o.max_states = by_depth.states;
  const auto by_states = spec::explore_cell(c, o);
  EXPECT_FALSE(by_states.complete);
  EXPECT_EQ(by_states.states, by_depth.states);
  EXPECT_THROW((void)spec::explore_cell(SymbolicConfig{0, 1, true, 0, 0, false}, o), std::invalid_argument);
  o.max_depth = -1;
  EXPECT_THROW((void)spec::explore_cell(c, o), std::invalid_argument);
}

TEST(ExplicitSearch, ASearchForOneClaimFindsWhatTheFullSearchFinds) {
  const SymbolicConfig c{2, 1, true, 0, 0, false};
  const auto all = spec::explore_cell(c, spec::ExplicitOptions{});
  for (SymbolicClaim claim : spec::all_symbolic_claims()) {
    spec::ExplicitOptions o;
    o.claims = {claim};
    const auto one = spec::explore_cell(c, o);
    ASSERT_EQ(one.claims.size(), 1u);
    EXPECT_EQ(one.claims[0].refuted, get(all, claim).refuted) << spec::name(claim);
    EXPECT_EQ(one.claims[0].complete, get(all, claim).complete) << spec::name(claim);
    // A proof's depth is the diameter, which depends on which claims' status the keys carry.
    if (one.claims[0].refuted) {
      EXPECT_EQ(one.claims[0].depth, get(all, claim).depth) << spec::name(claim);
    }
  }
}

// --- (b), (c) the state key on random histories ----------------------------------

// A random event of the search's vocabulary, with ticks (which the key also
// keeps track of: request ages) and zombie counts past what is in transit.
Event random_event(std::mt19937& rng, int m) {
  Event e;
  switch (std::uniform_int_distribution<int>(0, 11)(rng)) {
    case 0: e.kind = Event::Kind::send; break;
    case 1:
    case 2: e.kind = Event::Kind::drain; break;
    case 3: e.kind = Event::Kind::deliver_request; break;
    case 4: e.kind = Event::Kind::fail_request; e.error = spec::Error::not_enough_replicas; break;
    case 5: e.kind = Event::Kind::fail_request; e.error = spec::Error::not_enough_replicas_after_append; break;
    case 6: e.kind = Event::Kind::deliver_response; break;
    case 7: e.kind = Event::Kind::lose_response; break;
    case 8: e.kind = Event::Kind::break_connection; break;
    case 9: e.kind = Event::Kind::process_zombie; break;
    case 10: e.kind = Event::Kind::timeout; break;
    default: e.kind = Event::Kind::tick; e.ms = std::uniform_int_distribution<int>(1, 40'000)(rng); break;
  }
  if (e.kind == Event::Kind::break_connection || e.kind == Event::Kind::timeout) {
    e.count = std::uniform_int_distribution<int>(0, m + 1)(rng);
  }
  return e;
}

// What the checker and retry-is-duplicate say of a world and the step into it.
struct Verdicts {
  std::set<spec::Anomaly> anomalies;
  bool retry_written_again = false;
  friend bool operator==(const Verdicts&, const Verdicts&) = default;
};

Verdicts step_and_judge(World& w, const Event& e) {
  std::vector<std::int64_t> before;
  for (const spec::LoggedBatch& b : w.log(0)) before.push_back(b.records.first);
  Verdicts v;
  for (const spec::Effect& f : w.apply(e)) {
    if (f.kind != spec::Effect::Kind::batch_answered || f.zombie || f.error == spec::Error::not_enough_replicas) continue;
    for (const spec::SendRecord& s : w.sends()) {
      if (s.batch_id == f.batch && std::count(before.begin(), before.end(), s.records.first) > 0 && !f.duplicate) {
        v.retry_written_again = true;
      }
    }
  }
  spec::CheckSet checks;
  checks.failed_but_written = false;
  for (const spec::AnomalyReport& r : spec::find_anomalies(w, checks)) v.anomalies.insert(r.kind);
  return v;
}

// The observation with the key's abstractions applied (world.hpp, "State key"): no clock, no
// log end, no producer timestamps or last acknowledged offsets; offsets as the records at them;
// epochs by their rank among the observation's own epochs (an order isomorphism of the key's
// epochs restricts to one of any subset); attempts capped as the key caps them; the log as its
// distinct record ranges, written once or more.
struct Abstracted {
  spec::WorldObservation observation;
  std::vector<spec::SendRecord> sends;
  std::vector<std::pair<spec::RecordRange, int>> written;
  friend bool operator==(const Abstracted&, const Abstracted&) = default;
};

Abstracted abstracted(const World& w) {
  Abstracted a;
  a.observation = w.observe();
  spec::WorldObservation& o = a.observation;
  const auto& log = w.log(0);
  auto record_at = [&](std::int64_t offset) -> std::int64_t {
    for (const spec::LoggedBatch& b : log) {
      if (b.first_offset == offset) return b.records.first;
    }
    return -1 - offset;
  };
  std::vector<std::int32_t> epochs;
  for (const auto& entries : o.partition_producers) {
    for (const spec::ProducerEntry& e : entries) epochs.push_back(e.epoch);
  }
  for (const spec::SequencerState& s : o.sequencers) {
    epochs.push_back(s.current.epoch);
    for (const auto& [q, p] : s.partitions) {
      epochs.push_back(p.stamp.epoch);
      for (const spec::BatchStamp& b : p.in_flight) epochs.push_back(b.stamp.epoch);
    }
  }
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  auto rank = [&](std::int32_t e) {
    return e < 0 ? e : static_cast<std::int32_t>(std::lower_bound(epochs.begin(), epochs.end(), e) - epochs.begin());
  };
  o.now = 0;
  o.log_end_offsets.clear();
  for (auto& entries : o.partition_producers) {
    for (spec::ProducerEntry& e : entries) {
      e.last_timestamp = 0;
      e.epoch = rank(e.epoch);
      for (spec::CachedBatch& c : e.batches) {
        c.first_offset = record_at(c.first_offset);
        c.last_offset = record_at(c.last_offset);
      }
    }
  }
  for (spec::SequencerState& s : o.sequencers) {
    s.current.epoch = rank(s.current.epoch);
    for (auto& [q, p] : s.partitions) {
      p.last_acked_offset = -1;
      p.stamp.epoch = rank(p.stamp.epoch);
      for (spec::BatchStamp& b : p.in_flight) b.stamp.epoch = rank(b.stamp.epoch);
    }
  }
  a.sends = w.sends();
  for (spec::SendRecord& s : a.sends) {
    s.outcome.attempts = std::min(s.outcome.attempts, 2);
    if (s.outcome.offset >= 0) s.outcome.offset = record_at(s.outcome.offset);
  }
  for (const spec::LoggedBatch& b : log) {
    auto it = std::find_if(a.written.begin(), a.written.end(), [&](const auto& x) { return x.first == b.records; });
    if (it == a.written.end()) {
      a.written.emplace_back(b.records, 1);
    } else {
      it->second = 2;
    }
  }
  std::sort(a.written.begin(), a.written.end());
  return a;
}

struct Reached {
  World world;
  std::vector<Event> events;
};

TEST(ExplicitSearch, EqualKeysStayEqualAndJudgeAlikeUnderTheSameContinuation) {
  std::mt19937 rng(20261202);
  int collisions = 0, clock_differs = 0, log_differs = 0, epoch_differs = 0;
  for (const SymbolicConfig& c : {SymbolicConfig{2, 1, true, 3, 2, false}, SymbolicConfig{2, 1, false, 3, 2, false},
                                  SymbolicConfig{2, 1, true, 3, 2, true}, SymbolicConfig{2, 2, true, 4, 2, true}}) {
    SCOPED_TRACE(cell_name(c));
    const spec::WorldConfig config = spec::small_world_config(c);
    World start(config);
    for (const Event& e : spec::known_producer_prefix(c)) start.apply(e);
    // Walks start from the initial world, or (idempotent cells) from the world just after the
    // first epoch bump of a history that bumps, so that equal keys across epochs can meet.
    std::vector<Reached> starts{Reached{start, spec::known_producer_prefix(c)}};
    if (c.idempotence) {
      spec::ExplicitOptions o;
      o.claims = {SymbolicClaim::duplicate};
      const auto found = spec::explore_cell(c, o);
      World w(config);
      std::vector<Event> events;
      for (const Event& e : found.claims.at(0).counterexample.events) {
        w.apply(e);
        events.push_back(e);
        if (w.observe().sequencers.at(0).current.epoch > start.observe().sequencers.at(0).current.epoch) {
          starts.push_back(Reached{w, events});
          break;
        }
      }
    }
    std::map<std::string, Reached> seen;
    for (int walk = 0; walk < 1500; ++walk) {
      const Reached& from = starts[static_cast<std::size_t>(walk) % starts.size()];
      World w = from.world;
      std::vector<Event> events = from.events;
      const int length = std::uniform_int_distribution<int>(1, 40)(rng);
      for (int i = 0; i < length; ++i) {
        Event e = random_event(rng, c.max_in_flight);
        if (e.kind == Event::Kind::send && static_cast<int>(w.sends().size()) >= c.batches) e.kind = Event::Kind::drain;
        w.apply(e);
        events.push_back(e);
        const std::string key = w.state_key();
        auto [it, fresh] = seen.try_emplace(key, Reached{w, events});
        if (fresh || it->second.events == events) continue;
        ++collisions;
        const World& other = it->second.world;
        clock_differs += other.now() != w.now() ? 1 : 0;
        log_differs += other.log(0).size() != w.log(0).size() ? 1 : 0;
        epoch_differs += other.observe().sequencers.at(0).current != w.observe().sequencers.at(0).current ? 1 : 0;
        // (c) the key keeps what it says it keeps.
        ASSERT_EQ(abstracted(other), abstracted(w)) << "equal keys, different observations after\n"
                                                    << describe(spec::History{config, it->second.events}) << "and\n"
                                                    << describe(spec::History{config, events});
        // (b) the same continuation keeps the keys equal and the verdicts alike.
        World a = other;
        World b = w;
        for (int k = 0; k < 12; ++k) {
          Event e = random_event(rng, c.max_in_flight);
          if (e.kind == Event::Kind::send && static_cast<int>(a.sends().size()) >= c.batches) e.kind = Event::Kind::drain;
          const Verdicts va = step_and_judge(a, e);
          const Verdicts vb = step_and_judge(b, e);
          ASSERT_EQ(va, vb) << "verdicts differ after " << e << " from\n"
                            << describe(spec::History{config, it->second.events}) << "and\n"
                            << describe(spec::History{config, events});
          ASSERT_EQ(a.state_key(), b.state_key()) << "keys part after " << e;
        }
      }
    }
  }
  // The abstractions were exercised: equal keys from different clocks and log lengths (epochs:
  // EpochsCountOnlyByTheirRank, as random walks seldom meet across epochs).
  EXPECT_GT(collisions, 0);
  EXPECT_GT(clock_differs, 0);
  EXPECT_GT(log_differs, 0);
  std::cout << collisions << " key collisions: " << clock_differs << " across clocks, " << log_differs
            << " across log lengths, " << epoch_differs << " across epochs\n";
}

// The same history from two initial epochs (a model parameter): the raw epochs differ at every
// step, their order does not, so the keys must be equal throughout.
TEST(ExplicitSearch, EpochsCountOnlyByTheirRank) {
  std::mt19937 rng(7);
  const SymbolicConfig c{2, 1, true, 0, 0, false};
  spec::WorldConfig low = spec::small_world_config(c);
  spec::WorldConfig high = low;
  high.initial_epoch = 1000;
  // Random walks seldom bump the epoch: each walk starts with the duplicate's counterexample,
  // whose story bumps it.
  spec::ExplicitOptions o;
  o.claims = {SymbolicClaim::duplicate};
  const std::vector<Event> story = spec::explore_cell(c, o).claims.at(0).counterexample.events;
  const int batches = spec::resolve(c).batches;
  int bumps = 0;
  for (int walk = 0; walk < 300; ++walk) {
    World a(low);
    World b(high);
    std::vector<Event> events;
    for (std::size_t i = 0; i < story.size() + 20; ++i) {
      Event e = i < story.size() ? story[i] : random_event(rng, c.max_in_flight);
      if (e.kind == Event::Kind::send && static_cast<int>(a.sends().size()) >= batches) e.kind = Event::Kind::drain;
      events.push_back(e);
      EXPECT_EQ(step_and_judge(a, e), step_and_judge(b, e));
      ASSERT_NE(a.observe().sequencers.at(0).current, b.observe().sequencers.at(0).current);
      ASSERT_EQ(a.state_key(), b.state_key()) << "after\n" << describe(spec::History{low, events});
    }
    bumps += a.observe().sequencers.at(0).current.epoch > 0 ? 1 : 0;
  }
  EXPECT_GT(bumps, 0);  // some walks bumped the epoch, so ranks of several epochs were compared
}

TEST(ExplicitSearch, KeysSeparateWhatTheClaimsCanSee) {
  // A written batch, the same batch acknowledged, and the same batch written twice: three keys.
  const SymbolicConfig c{1, 1, false, 2, 1, false};
  World w(spec::small_world_config(c));
  Event send;
  send.kind = Event::Kind::send;
  Event drain;
  drain.kind = Event::Kind::drain;
  Event deliver;
  deliver.kind = Event::Kind::deliver_request;
  Event respond;
  respond.kind = Event::Kind::deliver_response;
  Event brk;
  brk.kind = Event::Kind::break_connection;
  brk.count = 0;
  for (const Event& e : {send, drain}) w.apply(e);
  const std::string in_flight = w.state_key();
  World written = w;
  written.apply(deliver);
  World acknowledged = written;
  acknowledged.apply(respond);
  World twice = written;
  for (const Event& e : {brk, drain, deliver}) twice.apply(e);
  const std::set<std::string> keys{in_flight, written.state_key(), acknowledged.state_key(), twice.state_key()};
  EXPECT_EQ(keys.size(), 4u);
}

// --- (d) agreement with the Z3 engine ----------------------------------------------

// Cells both engines finish quickly, in the article's setting and the known-producer one.
TEST(ExplicitSearch, AgreesWithTheZ3EngineClaimByClaimAndLengthByLength) {
  for (const SymbolicConfig& c : {SymbolicConfig{1, 1, true, 0, 0, false}, SymbolicConfig{1, 1, false, 0, 0, false},
                                  SymbolicConfig{1, 2, true, 0, 0, false}, SymbolicConfig{1, 2, false, 0, 0, false},
                                  SymbolicConfig{2, 1, false, 0, 0, false}, SymbolicConfig{1, 1, true, 0, 0, true},
                                  SymbolicConfig{1, 2, false, 0, 0, true}, SymbolicConfig{2, 1, false, 0, 0, true}}) {
    SCOPED_TRACE(cell_name(c));
    const auto ex = spec::explore_cell(c, spec::ExplicitOptions{});
    ASSERT_TRUE(ex.complete);
    spec::ProveOptions o;
    o.max_depth = ex.diameter;  // the whole reachable space: a Z3 proof to it holds for every length
    const auto z3 = spec::prove_cell(c, o);
    ASSERT_EQ(z3.claims.size(), ex.claims.size());
    for (std::size_t i = 0; i < ex.claims.size(); ++i) {
      const auto& e = ex.claims[i];
      const auto& z = z3.claims[i];
      ASSERT_EQ(e.claim, z.claim);
      EXPECT_EQ(e.refuted, z.refuted) << spec::name(e.claim);
      EXPECT_EQ(e.depth, z.depth) << spec::name(e.claim);
      if (!e.refuted) {
        EXPECT_TRUE(e.complete) << spec::name(e.claim);
      }
    }
  }
}

// --- the default grid ----------------------------------------------------------------

// Every cell of `idemcheck prove`'s default grid (m 1..7, w 1..6, idempotence
// on and off, the article's and the known-producer setting, default B and Z),
// each under a time limit (EXPLICIT_CELL_SECONDS, default 30): a table of
// states, diameter, verdicts and time. Not part of the suite: minutes.
TEST(ExplicitSearch, DISABLED_DefaultGrid) {
  const char* limit = std::getenv("EXPLICIT_CELL_SECONDS");
  spec::ExplicitOptions o;
  o.time_limit_seconds = limit != nullptr ? std::atof(limit) : 30;
  double total = 0;
  std::cout << "m w idem known | states | diameter | ";
  for (SymbolicClaim claim : spec::all_symbolic_claims()) std::cout << spec::name(claim) << " | ";
  std::cout << "seconds | states/s\n";
  for (int m = 1; m <= 7; ++m) {
    for (int w = 1; w <= 6; ++w) {
      for (bool idempotence : {false, true}) {
        for (bool known : {false, true}) {
          const auto r = spec::explore_cell(SymbolicConfig{m, w, idempotence, 0, 0, known}, o);
          total += r.seconds;
          std::cout << m << " " << w << " " << (idempotence ? "on " : "off") << " " << (known ? "yes" : "no ") << " | "
                    << r.states << " | " << (r.complete ? std::to_string(r.diameter) : "-") << " | ";
          for (const auto& x : r.claims) {
            // Streamed piece by piece: g++ 12 at -O2 warns (falsely, -Wstringop-overflow) on
            // "x" + std::to_string(...) here.
            if (x.refuted) {
              std::cout << "x" << x.depth;
            } else if (x.complete) {
              std::cout << "inf";
            } else {
              std::cout << "ok" << x.depth;
            }
            std::cout << " | ";
          }
          std::cout << std::fixed << std::setprecision(1) << r.seconds << " | "
                    << static_cast<long>(static_cast<double>(r.states) / std::max(r.seconds, 1e-3)) << "\n";
          if (!r.complete) {
            std::cout << "    per depth:";
            for (std::uint64_t n : r.states_per_depth) std::cout << " " << n;
            std::cout << "\n";
          }
          std::cout.flush();
        }
      }
    }
  }
  std::cout << "total " << total << " s\n";
}

}  // namespace
}  // namespace idemcheck
