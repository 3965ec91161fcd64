#include "idemcheck/properties/broker_check.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include "idemcheck/properties/broker_adapters.hpp"
#include "idemcheck/properties/search.hpp"
#include "idemcheck/shrinkers/op_list_shrinker.hpp"

namespace idemcheck::properties {

namespace {

using K = BrokerOp::Kind;

bool supported(const BrokerOp& op, const CoreSupport& s) {
  switch (op.kind) {
    case K::replicate_next: return s.replicate;
    case K::expire: return s.expire;
    case K::take_snapshot: return s.snapshot;
    case K::restart_clean:
    case K::restart_unclean: return s.restart;
    case K::restart_clean_damaged:
    case K::restart_unclean_damaged: return s.restart && s.damage;
    case K::copy_table: return s.copy;
    default: return true;
  }
}

// Simpler forms of one op, simplest first: the shrinker keeps the first that
// still diverges, so a counterexample reads with one-record batches, slot 0
// and small arguments wherever the divergence does not need more.
std::vector<BrokerOp> simpler(const BrokerOp& op) {
  std::vector<BrokerOp> out;
  auto add = [&](BrokerOp v) {
    if (!(v == op) && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  if (op.kind == K::restart_clean_damaged) add(BrokerOp{K::restart_clean, op.producer, 0, op.records});
  if (op.kind == K::restart_unclean_damaged) add(BrokerOp{K::restart_unclean, op.producer, 0, op.records});
  if (op.records != 1) add(BrokerOp{op.kind, op.producer, op.arg, 1});
  if (op.producer != 0) add(BrokerOp{op.kind, 0, op.arg, op.records});
  // Arguments stay in the range the generator draws them from, where the
  // interpreter gives them a meaning (a retry of the 0th newest batch has none).
  std::int64_t least = -1;  // -1: the kind has no argument to simplify
  switch (op.kind) {
    case K::retry_recent:
    case K::retry_evicted:
    case K::partial_overlap:
    case K::gap:
    case K::expire:
    case K::advance_time:
    case K::crowd: least = 1; break;
    case K::new_producer:
    case K::negative_sequence:
    case K::copy_table: least = 0; break;
    default: break;
  }
  if (least >= 0 && op.arg > least) {
    add(BrokerOp{op.kind, op.producer, least, op.records});
    add(BrokerOp{op.kind, op.producer, std::max(least, op.arg / 2), op.records});
    add(BrokerOp{op.kind, op.producer, op.arg - 1, op.records});
  }
  return out;
}

}  // namespace

CoreUnderTest impl_core() {
  CoreUnderTest core;
  core.name = "impl";
  core.make = [](const spec::BrokerConfig& config, int hash_classes) {
    return make_impl_partition_hashed(config, hash_classes);
  };
  core.copy = [](const spec::BrokerPartition& from, CopyHow how) { return copy_impl_partition(from, how); };
  core.max_window = 8;
  return core;
}

CoreUnderTest core_from_factory(std::string name,
                                std::function<std::unique_ptr<spec::BrokerPartition>(const spec::BrokerConfig&)> make,
                                CoreSupport supports) {
  CoreUnderTest core;
  core.name = std::move(name);
  core.make = [make = std::move(make)](const spec::BrokerConfig& config, int) { return make(config); };
  core.supports = supports;
  return core;
}

BrokerHistory restrict_to(BrokerHistory history, const CoreUnderTest& core) {
  std::erase_if(history.ops, [&](const BrokerOp& op) { return !supported(op, core.supports); });
  history.config.window = std::min(history.config.window, core.max_window);
  return history;
}

ShrunkHistory shrink_broker_history(const BrokerHistory& failing, const CoreUnderTest& core) {
  ShrunkHistory out;
  out.history = failing;
  shrinkers::OpListShrinkStats stats;
  const std::function<shrinkers::OpListVerdict(const std::vector<BrokerOp>&)> still_fails =
      [&](const std::vector<BrokerOp>& ops) {
        BrokerHistory candidate = failing;
        candidate.ops = ops;
        const BrokerRunResult r = run_broker_differential(candidate, core);
        if (!r.divergence) return shrinkers::OpListVerdict{};
        return shrinkers::OpListVerdict{true, r.divergence->step};
      };
  out.history.ops = shrinkers::shrink_op_list<BrokerOp>(failing.ops, still_fails, simpler, stats);
  // Producer slots renumbered in order of first use (one producer reads as
  // slot 0): a per-op simplification cannot move all of one producer's ops.
  {
    BrokerHistory renumbered = out.history;
    std::vector<int> slot_of(kProducerSlots, -1);
    int next = 0;
    for (BrokerOp& op : renumbered.ops) {
      auto& s = slot_of[static_cast<std::size_t>(op.producer)];
      if (s < 0) s = next++;
      op.producer = s;
    }
    if (renumbered.ops != out.history.ops) {
      ++stats.candidates;
      if (run_broker_differential(renumbered, core).divergence) out.history = std::move(renumbered);
    }
  }
  // The impl table's own hash reads more plainly than a colliding one, when the divergence does not need it.
  if (out.history.hash_classes != 0) {
    BrokerHistory plain = out.history;
    plain.hash_classes = 0;
    ++stats.candidates;
    if (run_broker_differential(plain, core).divergence) out.history = std::move(plain);
  }
  const BrokerRunResult last = run_broker_differential(out.history, core);
  ++stats.candidates;
  if (last.divergence) {
    out.divergence = *last.divergence;
  } else {
    // Not reached for a deterministic core: every kept candidate diverged. A
    // core whose answers depend on more than its inputs gets its original back.
    out.history = failing;
    out.divergence = run_broker_differential(failing, core).divergence.value_or(BrokerDivergence{});
  }
  out.replays = stats.candidates;
  return out;
}

BrokerCheckResult check_broker_core(const CoreUnderTest& core, const BrokerCheckOptions& options) {
  BrokerCheckResult result;
  const auto gen = gen_broker_history();
  const int size_cap = std::clamp(options.max_size, 1, 100);
  for (std::uint64_t i = options.first; i - options.first < options.histories; ++i) {
    BrokerHistory h = gen(rc::Random(history_seed(options.seed, i)), history_size(i, size_cap)).value();
    if (options.pin) options.pin(h.config);
    h = restrict_to(std::move(h), core);
    const BrokerRunResult run = run_broker_differential(h, core);
    result.coverage.merge(run.coverage);
    if (run.divergence) {
      BrokerCheckFailure failure;
      failure.index = i;
      failure.original = h;
      failure.divergence = *run.divergence;
      if (options.shrink) failure.shrunk = shrink_broker_history(h, core);
      result.failure = std::move(failure);
      break;
    }
  }
  return result;
}

std::string format_ops(const BrokerHistory& history, std::size_t last) {
  std::ostringstream os;
  for (std::size_t k = 0; k <= last && k < history.ops.size(); ++k) os << "    " << k << ": " << history.ops[k] << "\n";
  return os.str();
}

}  // namespace idemcheck::properties
