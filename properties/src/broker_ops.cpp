#include "idemcheck/properties/broker_ops.hpp"

#include <ostream>

namespace idemcheck::properties {

std::string to_string(BrokerOp::Kind k) {
  using K = BrokerOp::Kind;
  switch (k) {
    case K::append_next: return "append-next";
    case K::retry_recent: return "retry-recent";
    case K::retry_evicted: return "retry-evicted";
    case K::partial_overlap: return "partial-overlap";
    case K::gap: return "gap";
    case K::bump_epoch: return "bump-epoch";
    case K::bump_epoch_nonzero: return "bump-epoch-nonzero";
    case K::stale_epoch: return "stale-epoch";
    case K::new_producer: return "new-producer";
    case K::no_producer_id: return "no-producer-id";
    case K::negative_sequence: return "negative-sequence";
    case K::replicate_next: return "replicate-next";
    case K::expire: return "expire";
    case K::advance_time: return "advance-time";
    case K::take_snapshot: return "take-snapshot";
    case K::restart_clean: return "restart-clean";
    case K::restart_unclean: return "restart-unclean";
    case K::restart_clean_damaged: return "restart-clean-damaged";
    case K::restart_unclean_damaged: return "restart-unclean-damaged";
    case K::crowd: return "crowd";
    case K::copy_table: return "copy-table";
  }
  return "unknown-op";
}

spec::SnapshotDamage snapshot_damage(const BrokerOp& op) {
  if (op.kind != BrokerOp::Kind::restart_clean_damaged && op.kind != BrokerOp::Kind::restart_unclean_damaged) {
    return spec::SnapshotDamage::none;
  }
  return op.arg == 2 ? spec::SnapshotDamage::corrupt : spec::SnapshotDamage::torn;
}

std::ostream& operator<<(std::ostream& os, const BrokerOp& op) {
  if (snapshot_damage(op) != spec::SnapshotDamage::none) {
    return os << to_string(op.kind) << "(snapshot " << snapshot_damage(op) << ")";
  }
  return os << to_string(op.kind) << "(producer " << op.producer << ", arg " << op.arg << ", records " << op.records
            << ")";
}

std::ostream& operator<<(std::ostream& os, const BrokerHistory& h) {
  os << "config: window=" << h.config.window << " producer.id.expiration.ms=" << h.config.producer_id_expiration_ms
     << " snapshot_keeps_window=" << (h.config.snapshot_keeps_window ? "true" : "false") << " impl hash="
     << (h.hash_classes == 0 ? std::string("default") : "colliding/" + std::to_string(h.hash_classes)) << "\n";
  for (std::size_t i = 0; i < h.ops.size(); ++i) os << "  " << i << ": " << h.ops[i] << "\n";
  return os;
}

namespace {

using K = BrokerOp::Kind;

// Mostly small batches; sometimes large enough to exercise wide encodings
// (more than 65,535 records) or to wrap the sequence space on their own.
rc::Gen<std::int64_t> gen_records() {
  return rc::gen::weightedOneOf<std::int64_t>({
      {90, rc::gen::inRange<std::int64_t>(1, 6)},
      {7, rc::gen::inRange<std::int64_t>(65'530, 65'545)},
      {3, rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 30)},
  });
}

rc::Gen<std::int64_t> gen_arg(K kind) {
  switch (kind) {
    case K::retry_recent: return rc::gen::inRange<std::int64_t>(1, 9);
    case K::retry_evicted: return rc::gen::inRange<std::int64_t>(1, 5);
    case K::partial_overlap: return rc::gen::inRange<std::int64_t>(1, 6);
    case K::gap:
      return rc::gen::weightedOneOf<std::int64_t>(
          {{9, rc::gen::inRange<std::int64_t>(1, 6)}, {1, rc::gen::inRange<std::int64_t>(1, spec::kMaxSequence)}});
    case K::new_producer: return rc::gen::inRange<std::int64_t>(0, 4);
    case K::restart_clean_damaged:
    case K::restart_unclean_damaged: return rc::gen::element<std::int64_t>(1, 2);  // torn, corrupt
    case K::negative_sequence: return rc::gen::inRange<std::int64_t>(0, 2);
    case K::copy_table: return rc::gen::inRange<std::int64_t>(0, 2);  // construct, assign
    case K::crowd: return rc::gen::inRange<std::int64_t>(9, 21);
    case K::expire:
    case K::advance_time:
      // Sometimes exactly an expiration the config generator picks (or half
      // of one), so that an age lands on the boundary (expired at >=).
      return rc::gen::weightedOneOf<std::int64_t>(
          {{8, rc::gen::inRange<std::int64_t>(1, 1500)}, {2, rc::gen::element<std::int64_t>(500, 1'000, 1'500, 3'000)}});
    default: return rc::gen::just<std::int64_t>(0);
  }
}

}  // namespace

rc::Gen<BrokerOp> gen_broker_op() {
  const auto kind = rc::gen::weightedElement<K>({
      {30, K::append_next},     {12, K::retry_recent},      {5, K::retry_evicted},  {4, K::partial_overlap},
      {4, K::gap},              {4, K::bump_epoch},          {2, K::bump_epoch_nonzero}, {3, K::stale_epoch},
      {4, K::new_producer},     {3, K::no_producer_id},      {1, K::negative_sequence},  {3, K::replicate_next},
      {3, K::expire},           {3, K::advance_time},        {2, K::take_snapshot},  {2, K::restart_clean},
      {2, K::restart_unclean},  {2, K::restart_clean_damaged}, {2, K::restart_unclean_damaged}, {2, K::copy_table},
      {1, K::crowd},
  });
  return rc::gen::mapcat(kind, [](K k) {
    return rc::gen::build<BrokerOp>(rc::gen::set(&BrokerOp::kind, rc::gen::just(k)),
                                    rc::gen::set(&BrokerOp::producer, rc::gen::inRange(0, kProducerSlots)),
                                    rc::gen::set(&BrokerOp::arg, gen_arg(k)),
                                    rc::gen::set(&BrokerOp::records, gen_records()));
  });
}

rc::Gen<spec::BrokerConfig> gen_broker_config() {
  return rc::gen::build<spec::BrokerConfig>(
      rc::gen::set(&spec::BrokerConfig::window,
                   rc::gen::weightedOneOf<int>({{3, rc::gen::just(5)}, {2, rc::gen::inRange(1, 9)}})),
      rc::gen::set(&spec::BrokerConfig::producer_id_expiration_ms,
                   rc::gen::element<std::int64_t>(1'000, 3'000, 86'400'000)),
      rc::gen::set(&spec::BrokerConfig::snapshot_keeps_window,
                   rc::gen::weightedOneOf<bool>({{4, rc::gen::just(false)}, {1, rc::gen::just(true)}})));
}

rc::Gen<BrokerHistory> gen_broker_history() {
  // RapidCheck's size stays <= 100 here (the packaged build misbehaves above
  // it), so a history is a list of up to `size` chunks of up to 5 operations:
  // up to 500 operations, and RapidCheck can still shrink it by dropping whole
  // chunks first and single operations after.
  using Ops = std::vector<BrokerOp>;
  // RapidCheck scales inRange() by the size, so the operations themselves are
  // always drawn at full size; only the lengths grow with it.
  auto op = rc::gen::resize(100, gen_broker_op());
  auto chunks = rc::gen::container<std::vector<Ops>>(rc::gen::resize(5, rc::gen::container<Ops>(op)));
  auto ops = rc::gen::map(chunks, [](const std::vector<Ops>& cs) {
    Ops flat;
    for (const Ops& c : cs) flat.insert(flat.end(), c.begin(), c.end());
    return flat;
  });
  // A colliding hash in two histories of five: shared tags, full buckets,
  // probes past them and backward-shift deletions, which the table's own
  // hash makes rare at these sizes.
  auto hash = rc::gen::weightedOneOf<int>({{3, rc::gen::just(0)}, {2, rc::gen::inRange(1, 4)}});
  return rc::gen::build<BrokerHistory>(rc::gen::set(&BrokerHistory::config, rc::gen::resize(100, gen_broker_config())),
                                       rc::gen::set(&BrokerHistory::ops, ops),
                                       rc::gen::set(&BrokerHistory::hash_classes, rc::gen::resize(100, hash)));
}

}  // namespace idemcheck::properties
