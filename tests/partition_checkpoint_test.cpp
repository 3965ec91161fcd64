// The reference partition answers from a checkpoint of its replay, extended
// by each new history event; this proves the checkpoint equal to the replay
// of the whole history from scratch (entries, log end, every snapshot and its
// contents) on random broker-op histories: appends in and out of sequence,
// epoch changes, replicated appends, expiry, snapshots and restarts (clean,
// unclean, damaged), with queries (which advance the checkpoint) after some
// operations only and copies of the model taken midway.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <array>
#include <sstream>

#include "idemcheck/properties/broker_ops.hpp"
#include "idemcheck/properties/check.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace idemcheck {
namespace {

struct Op {
  int kind = 0;  // 0 append, 1 replicate, 2 expire, 3 snapshot, 4 restart
  int producer = 0;          // -1: no producer id
  int epoch_delta = 0;
  std::int64_t sequence_delta = 0;
  std::int64_t records = 1;
  std::int64_t advance_ms = 0;
  bool clean = true;
  spec::SnapshotDamage damage = spec::SnapshotDamage::none;
  bool query = false;  // ask the model something after the op
  bool copy = false;   // go on with a copy of the model
};

rc::Gen<Op> gen_op() {
  return rc::gen::exec([] {
    Op op;
    op.kind = *rc::gen::weightedElement<int>({{10, 0}, {2, 1}, {2, 2}, {1, 3}, {2, 4}});
    op.producer = *rc::gen::inRange(-1, 4);
    op.epoch_delta = *rc::gen::weightedElement<int>({{8, 0}, {1, 1}, {1, -1}});
    op.sequence_delta = *rc::gen::weightedElement<std::int64_t>({{8, 0}, {1, 1}, {1, -2}, {1, 4}});
    op.records = *rc::gen::inRange<std::int64_t>(1, 4);
    op.advance_ms = *rc::gen::inRange<std::int64_t>(0, 120);
    op.clean = *rc::gen::arbitrary<bool>();
    op.damage = *rc::gen::element(spec::SnapshotDamage::none, spec::SnapshotDamage::none, spec::SnapshotDamage::torn,
                                  spec::SnapshotDamage::corrupt);
    op.query = *rc::gen::weightedElement<bool>({{1, true}, {2, false}});
    op.copy = *rc::gen::weightedElement<bool>({{1, true}, {9, false}});
    return op;
  });
}

TEST(PartitionCheckpoint, EqualsTheReplayOfTheWholeHistory) {
  std::array<std::uint64_t, 5> ops_seen{};
  std::uint64_t lazy_checks = 0;  // checks that found the checkpoint behind by two events or more
  const bool ok = properties::check_at_least("partition checkpoint = replay from scratch", 1000, [&] {
    const spec::BrokerConfig config = *properties::gen_broker_config();
    const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
    spec::PartitionModel model(config);
    std::array<std::int32_t, 4> epoch{};
    std::array<std::int64_t, 4> next{};
    std::int64_t now = 0;
    std::size_t unqueried = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      ++ops_seen[static_cast<std::size_t>(op.kind)];
      now += op.advance_ms;
      const auto slot = static_cast<std::size_t>(std::max(op.producer, 0));
      spec::Batch b{spec::kNoProducerId, spec::kNoEpoch, spec::kNoSequence, op.records, now};
      if (op.producer >= 0) {
        b = spec::Batch{op.producer, std::max(0, epoch[slot] + op.epoch_delta),
                        std::max<std::int64_t>(0, next[slot] + op.sequence_delta), op.records, now};
      }
      switch (op.kind) {
        case 0: {
          const spec::AppendOutcome o = model.append(b);  // a query: it advances the checkpoint first
          unqueried = 0;
          if (op.producer >= 0 && o.error == spec::Error::none && !o.duplicate) {
            epoch[slot] = b.epoch;
            next[slot] = spec::next_sequence(spec::last_sequence(b.first_sequence, b.record_count));
          }
          break;
        }
        case 1: model.replicate(b); ++unqueried; break;
        case 2: model.expire(now); ++unqueried; break;
        case 3: model.take_snapshot(); ++unqueried; break;
        default: model.restart(now, op.clean, op.damage); ++unqueried; break;
      }
      if (op.copy) model = spec::PartitionModel(model);
      if (op.query || i + 1 == ops.size()) {
        if (unqueried >= 2) ++lazy_checks;
        unqueried = 0;
        RC_ASSERT(model.checkpoint_matches_rederivation());
      }
    }
  });
  ASSERT_TRUE(ok) << "see RapidCheck's output above for the seed and the reproduce string";
  EXPECT_GT(lazy_checks, 0u) << "no check found the checkpoint more than one event behind";
  for (std::size_t k = 0; k < ops_seen.size(); ++k) EXPECT_GT(ops_seen[k], 0u) << "op kind " << k << " never ran";
}

}  // namespace
}  // namespace idemcheck
