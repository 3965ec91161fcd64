// The symbolic model's counterexamples, replayed on the concrete models: every
// claim a cell refutes is decoded into a history of the small world and run on
// the reference world and, in lockstep, on the world built from impl
// components; both must show the same violation, and they must not diverge.
// The cells are the corner of the grid a CI run affords (the whole grid is
// `idemcheck prove`); their expected verdicts pin what the model shows.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/properties/world_run.hpp"
#include "idemcheck/spec/symbolic_world.hpp"

namespace idemcheck {
namespace {

using spec::SymbolicClaim;

struct Cell {
  int m, w;
  bool idempotence;
  int depth;
  bool known = false;
};

std::string describe(const spec::History& h) {
  std::ostringstream os;
  for (const spec::Event& e : h.events) os << "    " << e << "\n";
  return os.str();
}

// Decode, replay on spec and impl, compare.
void replay_refuted(const spec::CellResult& cell) {
  for (const spec::ClaimResult& r : cell.claims) {
    if (!r.refuted) continue;
    SCOPED_TRACE(std::string(spec::name(r.claim)) + " m=" + std::to_string(cell.config.max_in_flight) +
                 " w=" + std::to_string(cell.config.window) + (cell.config.idempotence ? " idempotent" : ""));
    const auto prefix = spec::known_producer_prefix(cell.config);
    ASSERT_EQ(r.counterexample.events.size(), prefix.size() + static_cast<std::size_t>(r.depth));
    for (std::size_t i = 0; i < prefix.size(); ++i) EXPECT_EQ(r.counterexample.events[i], prefix[i]);
    // The step function, driven by the decoded history, shows it at the same length.
    EXPECT_EQ(spec::encoding_violation_depth(cell.config, r.counterexample, r.claim), r.depth);
    const std::string spec_side = spec::concrete_violation(r.counterexample, r.claim);
    const std::string impl_side = spec::concrete_violation(r.counterexample, r.claim, properties::impl_components());
    EXPECT_FALSE(spec_side.empty()) << "the reference world does not show it:\n" << describe(r.counterexample);
    EXPECT_FALSE(impl_side.empty()) << "the impl world does not show it:\n" << describe(r.counterexample);
    const auto run = properties::run_world_differential(r.counterexample, spec::CheckSet{});
    EXPECT_FALSE(run.divergence.has_value())
        << "spec and impl diverge at step " << run.divergence->step + 1 << ": " << run.divergence->what;
    // A history one event shorter must not show it (the solver found the shortest).
    if (r.depth > 0) {
      spec::History shorter = r.counterexample;
      shorter.events.pop_back();
      if (r.claim != SymbolicClaim::lost_write) {  // lost-write is not monotone; the others are
        EXPECT_TRUE(spec::concrete_violation(shorter, r.claim).empty());
      }
    }
  }
}

const spec::ClaimResult& get(const spec::CellResult& c, SymbolicClaim claim) {
  for (const auto& r : c.claims) {
    if (r.claim == claim) return r;
  }
  throw std::logic_error("claim not in the cell");
}

spec::CellResult prove(const Cell& c) {
  spec::ProveOptions o;
  o.max_depth = c.depth;
  const auto r = spec::prove_cell(spec::SymbolicConfig{c.m, c.w, c.idempotence, 0, 0, c.known}, o);
  std::cout << "cell m=" << c.m << " w=" << c.w << (c.idempotence ? " on " : " off") << " depth " << c.depth << ":";
  for (const auto& x : r.claims) std::cout << " " << spec::name(x.claim) << (x.refuted ? "=x" + std::to_string(x.depth) : "=ok");
  std::cout << " (" << r.seconds << " s)\n";
  return r;
}

TEST(SymbolicGrid, WithoutIdempotenceRetriesDuplicateAtEveryM) {
  for (int m : {1, 2, 3}) {
    const auto r = prove(Cell{m, 1, false, 9});
    EXPECT_TRUE(get(r, SymbolicClaim::duplicate).refuted);
    EXPECT_EQ(get(r, SymbolicClaim::duplicate).depth, 6);
    EXPECT_TRUE(get(r, SymbolicClaim::retry_is_duplicate).refuted);
    EXPECT_FALSE(get(r, SymbolicClaim::lost_write).refuted);
    EXPECT_FALSE(get(r, SymbolicClaim::inconsistent_offsets).refuted);
    // Reordering needs two batches in flight.
    EXPECT_EQ(get(r, SymbolicClaim::nonmonotonic_send).refuted, m > 1);
    replay_refuted(r);
  }
}

TEST(SymbolicGrid, IdempotenceWithMAtMostWHoldsToTheDepth) {
  for (const Cell& c : {Cell{1, 1, true, 12}, Cell{2, 2, true, 10}}) {
    const auto r = prove(c);
    for (const auto& x : r.claims) {
      EXPECT_FALSE(x.refuted) << spec::name(x.claim) << " refuted:\n" << describe(x.counterexample);
      EXPECT_EQ(x.depth, c.depth);
    }
  }
}

TEST(SymbolicGrid, IdempotenceWithMAboveWDuplicatesAndReorders) {
  const auto r = prove(Cell{2, 1, true, 12});
  EXPECT_TRUE(get(r, SymbolicClaim::duplicate).refuted);
  EXPECT_TRUE(get(r, SymbolicClaim::nonmonotonic_send).refuted);
  EXPECT_TRUE(get(r, SymbolicClaim::retry_is_duplicate).refuted);
  EXPECT_FALSE(get(r, SymbolicClaim::lost_write).refuted);
  EXPECT_FALSE(get(r, SymbolicClaim::inconsistent_offsets).refuted);
  replay_refuted(r);
}

// Every refuted cell of the grid as `idemcheck prove` prints it (README,
// docs/prove.md): without idempotence duplicate and retry-is-duplicate in
// every cell and nonmonotonic-send at every m > 1; with idempotence the cells
// m > w = 1. Each must be refuted at its pinned length; the counterexample
// goes through the history file format (written, read back) and is replayed
// on spec and impl. The sanitizer build takes every non-idempotent cell and
// the smallest idempotent one: the others cost minutes there.
TEST(SymbolicGrid, EveryRefutedCellReplaysThroughAHistoryFile) {
#if defined(__SANITIZE_ADDRESS__)
  const int max_idempotent_m = 2;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  const int max_idempotent_m = 2;
#else
  const int max_idempotent_m = 7;
#endif
#else
  const int max_idempotent_m = 7;
#endif
  struct Pinned {
    SymbolicClaim claim;
    int length;
  };
  int cells = 0;
  auto check_cell = [&](int m, int w, bool idempotence, const std::vector<Pinned>& pinned) {
    spec::ProveOptions o;
    o.max_depth = 0;
    for (const Pinned& p : pinned) {
      o.claims.push_back(p.claim);
      o.max_depth = std::max(o.max_depth, p.length);
    }
    const auto r = spec::prove_cell(spec::SymbolicConfig{m, w, idempotence, 0, 0, false}, o);
    ++cells;
    for (const Pinned& p : pinned) {
      const spec::ClaimResult& c = get(r, p.claim);
      SCOPED_TRACE(std::string(spec::name(p.claim)) + " m=" + std::to_string(m) + " w=" + std::to_string(w) +
                   (idempotence ? " idempotent" : ""));
      ASSERT_TRUE(c.refuted);
      EXPECT_EQ(c.depth, p.length);
      // Through the file format and back.
      auto file = io::from_history(c.counterexample, "decoded from the symbolic model");
      ASSERT_TRUE(std::holds_alternative<io::HistoryFile>(file)) << std::get<std::string>(file);
      const std::string text = io::write_history_file(std::get<io::HistoryFile>(file));
      auto loaded = io::parse_history_file(text);
      ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(loaded))
          << std::get<io::LoadError>(loaded).describe() << "\n" << text;
      const spec::History& h = std::get<io::LoadedHistory>(loaded).history;
      EXPECT_FALSE(spec::concrete_violation(h, p.claim).empty()) << "spec does not show it:\n" << text;
      EXPECT_FALSE(spec::concrete_violation(h, p.claim, properties::impl_components()).empty())
          << "impl does not show it:\n" << text;
      EXPECT_FALSE(properties::run_world_differential(h, spec::CheckSet{}).divergence.has_value()) << text;
    }
  };
  for (int m = 1; m <= 7; ++m) {
    for (int w = 1; w <= 6; ++w) {
      std::vector<Pinned> off{{SymbolicClaim::duplicate, 6}, {SymbolicClaim::retry_is_duplicate, 6}};
      if (m > 1) off.push_back({SymbolicClaim::nonmonotonic_send, 8});
      check_cell(m, w, false, off);
    }
  }
  for (int m = 2; m <= max_idempotent_m; ++m) {
    std::vector<Pinned> on{{SymbolicClaim::duplicate, 12}, {SymbolicClaim::nonmonotonic_send, 12}};
    if (m <= 6) on.push_back({SymbolicClaim::retry_is_duplicate, 9});
    check_cell(m, 1, true, on);
  }
  std::cout << cells << " refuted cells replayed through history files\n";
}

// The narrowed setting: the broker knows the producer before any fault. With
// m > w the window is still overrun; with m <= w nothing is refuted.
TEST(SymbolicGrid, KnownProducerSettingStartsAfterTheFirstAcknowledgedBatch) {
  const auto over = prove(Cell{2, 1, true, 12, true});
  EXPECT_TRUE(get(over, SymbolicClaim::duplicate).refuted);
  replay_refuted(over);
  const auto within = prove(Cell{2, 2, true, 8, true});
  for (const auto& x : within.claims) {
    EXPECT_FALSE(x.refuted) << spec::name(x.claim) << " refuted:\n" << describe(x.counterexample);
  }
}

// A proof for every length must never be claimed for a claim refuted deeper
// than the bounded search went (m = 2, w = 1: duplicate at 12 events), and it
// does settle a claim that is inductive almost as it stands.
TEST(SymbolicGrid, ProofsForEveryLengthAreSound) {
  spec::ProveOptions o;
  o.unbounded = true;
  o.unbounded_seconds = 8;
  o.max_depth = 6;
  o.claims = {SymbolicClaim::duplicate};
  const auto deep = spec::prove_cell(spec::SymbolicConfig{2, 1, true, 0, 0, false}, o);
  ASSERT_FALSE(get(deep, SymbolicClaim::duplicate).refuted);
  EXPECT_FALSE(get(deep, SymbolicClaim::duplicate).all_lengths) << get(deep, SymbolicClaim::duplicate).proof;
  EXPECT_FALSE(get(deep, SymbolicClaim::duplicate).why_bounded.empty());
  o.claims = {SymbolicClaim::lost_write};
  o.max_depth = 20;  // the induction closes at k <= 21 with the base case to 20
  o.unbounded_seconds = 60;
  const auto easy = spec::prove_cell(spec::SymbolicConfig{1, 1, false, 0, 0, false}, o);
  EXPECT_TRUE(get(easy, SymbolicClaim::lost_write).all_lengths) << get(easy, SymbolicClaim::lost_write).why_bounded;
  EXPECT_FALSE(get(easy, SymbolicClaim::lost_write).proof.empty());
}

// The cone of influence only drops state the claims cannot see: with and without
// it every verdict and every shortest length is the same, and for one claim the
// cone is smaller than the whole state.
TEST(SymbolicGrid, ConeOfInfluenceKeepsEveryVerdict) {
  for (const Cell& c : {Cell{2, 1, true, 9}, Cell{2, 2, false, 8}, Cell{2, 2, true, 7, true}}) {
    spec::ProveOptions with;
    with.max_depth = c.depth;
    spec::ProveOptions without = with;
    without.cone = false;
    const spec::SymbolicConfig cfg{c.m, c.w, c.idempotence, 0, 0, c.known};
    const auto a = spec::prove_cell(cfg, with);
    const auto b = spec::prove_cell(cfg, without);
    ASSERT_EQ(a.claims.size(), b.claims.size());
    for (std::size_t i = 0; i < a.claims.size(); ++i) {
      SCOPED_TRACE(std::string(spec::name(a.claims[i].claim)) + " m=" + std::to_string(c.m) + " w=" +
                   std::to_string(c.w));
      EXPECT_EQ(a.claims[i].refuted, b.claims[i].refuted);
      EXPECT_EQ(a.claims[i].depth, b.claims[i].depth);
      EXPECT_LE(a.claims[i].cone_fields, a.state_fields);
      EXPECT_EQ(b.claims[i].cone_fields, b.state_fields);
    }
    replay_refuted(a);
    for (SymbolicClaim claim : spec::all_symbolic_claims()) {
      spec::ProveOptions one = with;
      one.max_depth = 1;
      one.claims = {claim};
      const auto r = spec::prove_cell(cfg, one);
      EXPECT_LT(r.claims[0].cone_fields, r.state_fields) << spec::name(claim) << ": its cone is the whole state";
    }
  }
}

TEST(SymbolicGrid, BadConfigsAreRejected) {
  EXPECT_THROW(spec::prove_cell(spec::SymbolicConfig{0, 1, true, 0, 0, false}, {}), std::invalid_argument);
  EXPECT_THROW(spec::prove_cell(spec::SymbolicConfig{1, 9, true, 0, 0, false}, {}), std::invalid_argument);
  spec::ProveOptions o;
  o.max_depth = -1;
  EXPECT_THROW(spec::prove_cell(spec::SymbolicConfig{1, 1, true, 0, 0, false}, o), std::invalid_argument);
}

}  // namespace
}  // namespace idemcheck
