// The broker differential for any core (properties/broker_check.hpp): a core
// given as a plain factory is checked against the reference model, a wrong
// one is caught and its counterexample shrunk to a short op list that still
// diverges and from which no single op can be removed; a core without
// snapshots or restarts gets histories without them.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "idemcheck/properties/broker_check.hpp"
#include "idemcheck/spec/broker_partition.hpp"

namespace idemcheck {
namespace {

using properties::BrokerHistory;
using properties::BrokerOp;
using K = BrokerOp::Kind;

// A core that caches two batches per producer whatever the window: the
// mistake of a hard-coded cache size. Everything else is the reference model.
std::unique_ptr<spec::BrokerPartition> two_batch_core(const spec::BrokerConfig& config) {
  spec::BrokerConfig c = config;
  c.window = std::min(c.window, 2);
  return spec::make_reference_partition(c);
}

properties::BrokerCheckOptions options(std::uint64_t histories) {
  properties::BrokerCheckOptions o;
  o.seed = 11;
  o.histories = histories;
  // Windows of 3 and more, where two cached batches are too few.
  o.pin = [](spec::BrokerConfig& c) { c.window = std::max(c.window, 3); };
  return o;
}

TEST(BrokerCheck, TheReferenceModelAsACoreAgreesWithItself) {
  const auto core = properties::core_from_factory("reference", &spec::make_reference_partition);
  const auto result = properties::check_broker_core(core, options(200));
  EXPECT_FALSE(result.failure) << "the reference model disagreed with itself at step " << result.failure->divergence.step;
  EXPECT_EQ(result.coverage.histories, 200u);
  // Copies are clone()s here: they ran and were compared.
  EXPECT_GT(result.coverage.counts[static_cast<std::size_t>(properties::BrokerCase::copy_checked)], 0u);
}

TEST(BrokerCheck, AWrongCoreIsCaughtAndShrunkToAMinimalOpList) {
  const auto core = properties::core_from_factory("two-batch", &two_batch_core);
  const auto result = properties::check_broker_core(core, options(200));
  ASSERT_TRUE(result.failure) << "a core that caches 2 batches of a window of 3+ passed 200 histories";
  ASSERT_TRUE(result.failure->shrunk);
  const auto& shrunk = *result.failure->shrunk;
  // Three appends of one producer overflow two cached batches: the producer
  // state differs after the third.
  EXPECT_LE(shrunk.history.ops.size(), 3u) << properties::format_ops(shrunk.history, shrunk.history.ops.size());
  EXPECT_LT(shrunk.history.ops.size(), result.failure->original.ops.size());
  EXPECT_EQ(shrunk.divergence.what, "producer state");
  // It replays...
  const auto again = properties::run_broker_differential(shrunk.history, core);
  ASSERT_TRUE(again.divergence);
  EXPECT_EQ(again.divergence->step, shrunk.divergence.step);
  // ...and no single op can go.
  for (std::size_t i = 0; i < shrunk.history.ops.size(); ++i) {
    BrokerHistory fewer = shrunk.history;
    fewer.ops.erase(fewer.ops.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_FALSE(properties::run_broker_differential(fewer, core).divergence)
        << "op " << i << " could still be removed from\n"
        << properties::format_ops(shrunk.history, shrunk.history.ops.size());
  }
}

TEST(BrokerCheck, ACoreWithoutSnapshotsOrRestartsGetsNone) {
  properties::CoreSupport s;
  s.snapshot = false;
  s.restart = false;
  s.damage = false;
  s.replicate = false;
  const auto core = properties::core_from_factory("append-only", &spec::make_reference_partition, s);
  BrokerHistory h;
  h.ops = {BrokerOp{K::append_next, 0, 0, 1},  BrokerOp{K::take_snapshot, 0, 0, 1},
           BrokerOp{K::restart_clean, 0, 0, 1}, BrokerOp{K::restart_unclean_damaged, 0, 1, 1},
           BrokerOp{K::replicate_next, 0, 0, 1}, BrokerOp{K::expire, 0, 5, 1}};
  const BrokerHistory r = properties::restrict_to(h, core);
  ASSERT_EQ(r.ops.size(), 2u);
  EXPECT_EQ(r.ops[0].kind, K::append_next);
  EXPECT_EQ(r.ops[1].kind, K::expire);
  const auto result = properties::check_broker_core(core, options(100));
  EXPECT_FALSE(result.failure);
  EXPECT_EQ(result.coverage.counts[static_cast<std::size_t>(properties::BrokerCase::unclean_restart_replayed)], 0u);
  EXPECT_EQ(result.coverage.counts[static_cast<std::size_t>(properties::BrokerCase::replicated_append)], 0u);
  EXPECT_GT(result.coverage.counts[static_cast<std::size_t>(properties::BrokerCase::duplicate_from_cache)], 0u);
}

TEST(BrokerCheck, AWindowAboveTheCoresLimitIsLowered) {
  auto core = properties::core_from_factory("small", &spec::make_reference_partition);
  core.max_window = 4;
  BrokerHistory h;
  h.config.window = 8;
  EXPECT_EQ(properties::restrict_to(h, core).config.window, 4);
}

}  // namespace
}  // namespace idemcheck
