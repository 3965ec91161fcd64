#include "idemcheck/conform/wire_ops.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>

namespace idemcheck::conform {

namespace {

using K = WireOp::Kind;

constexpr std::array<std::pair<K, std::string_view>, 14> kNames{{
    {K::append_next, "append_next"},
    {K::retry_recent, "retry_recent"},
    {K::retry_evicted, "retry_evicted"},
    {K::partial_overlap, "partial_overlap"},
    {K::gap, "gap"},
    {K::bump_epoch, "bump_epoch"},
    {K::bump_epoch_nonzero, "bump_epoch_nonzero"},
    {K::stale_epoch, "stale_epoch"},
    {K::new_producer, "new_producer"},
    {K::init_bump, "init_bump"},
    {K::no_producer_id, "no_producer_id"},
    {K::lose_answer, "lose_answer"},
    {K::reconnect, "reconnect"},
    {K::pipeline, "pipeline"},
}};

constexpr std::int64_t kMaxSequence = 2'147'483'647;

// The range an op's argument takes (and the default when the text omits it).
struct ArgRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  std::int64_t fallback = 0;
};

ArgRange arg_range(K k) {
  switch (k) {
    case K::retry_recent:
    case K::retry_evicted:
    case K::partial_overlap: return {1, 64, 1};
    case K::gap: return {1, kMaxSequence, 1};
    case K::new_producer: return {0, 3, 0};
    case K::pipeline: return {1, kMaxPipeline, 2};
    default: return {0, 0, 0};
  }
}

// splitmix64 (Steele, Lea, Flood 2014): a fixed generator, the same everywhere.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [lo, hi] for test generation (modulo bias is negligible here).
  std::int64_t in(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(next() % span);
  }
};

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// One op from its text, or why not.
std::variant<WireOp, std::string> parse_one(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  if (words.empty()) return std::string("empty operation");
  std::string kind_text(words.front());
  std::replace(kind_text.begin(), kind_text.end(), '-', '_');
  WireOp op;
  bool known = false;
  for (const auto& [k, n] : kNames) {
    if (n == kind_text) {
      op.kind = k;
      known = true;
    }
  }
  if (!known) {
    std::string all;
    for (const auto& [k, n] : kNames) all += (all.empty() ? "" : ", ") + std::string(n);
    return "unknown operation '" + std::string(words.front()) + "' (known: " + all + ")";
  }
  bool slot_seen = false, arg_seen = false, records_seen = false;
  for (std::size_t w = 1; w < words.size(); ++w) {
    const std::string_view word = words[w];
    if (word.size() >= 2 && word.front() == 'p' && number(word.substr(1))) {
      if (!has_producer(op.kind)) return std::string(name(op.kind)) + " names no producer slot";
      if (slot_seen) return std::string("two producer slots");
      const std::int64_t p = *number(word.substr(1));
      if (p < 0 || p >= kWireSlots) return "slot p" + std::to_string(p) + " out of p0..p" + std::to_string(kWireSlots - 1);
      op.producer = static_cast<int>(p);
      slot_seen = true;
    } else if (word.size() >= 2 && word.front() == 'r' && number(word.substr(1))) {
      if (!has_records(op.kind)) return std::string(name(op.kind)) + " sends no batch (no rRECORDS)";
      if (records_seen) return std::string("two record counts");
      const std::int64_t r = *number(word.substr(1));
      if (r < 1 || r > kMaxRecords) return "records r" + std::to_string(r) + " out of 1.." + std::to_string(kMaxRecords);
      op.records = r;
      records_seen = true;
    } else if (number(word)) {
      if (!has_arg(op.kind)) return std::string(name(op.kind)) + " takes no argument";
      if (arg_seen) return std::string("two arguments");
      const ArgRange range = arg_range(op.kind);
      const std::int64_t a = *number(word);
      if (a < range.lo || a > range.hi) {
        return std::string(name(op.kind)) + "'s argument " + std::to_string(a) + " is out of " +
               std::to_string(range.lo) + ".." + std::to_string(range.hi);
      }
      op.arg = a;
      arg_seen = true;
    } else {
      return "cannot read '" + std::string(word) + "' (expected pSLOT, a number or rRECORDS)";
    }
  }
  if (has_arg(op.kind) && !arg_seen) op.arg = arg_range(op.kind).fallback;
  return op;
}

}  // namespace

std::string_view name(WireOp::Kind k) {
  for (const auto& [kind, n] : kNames) {
    if (kind == k) return n;
  }
  return "unknown";
}

bool has_producer(WireOp::Kind k) { return k != K::no_producer_id && k != K::reconnect; }

bool has_arg(WireOp::Kind k) {
  switch (k) {
    case K::retry_recent:
    case K::retry_evicted:
    case K::partial_overlap:
    case K::gap:
    case K::new_producer:
    case K::pipeline: return true;
    default: return false;
  }
}

bool has_records(WireOp::Kind k) { return k != K::reconnect; }

std::string to_string(const WireOp& op) {
  std::string s(name(op.kind));
  if (has_producer(op.kind)) s += " p" + std::to_string(op.producer);
  if (has_arg(op.kind)) s += " " + std::to_string(op.arg);
  if (has_records(op.kind) && op.records != 1) s += " r" + std::to_string(op.records);
  return s;
}

std::string to_string(const std::vector<WireOp>& ops) {
  std::string s;
  for (const WireOp& op : ops) s += (s.empty() ? "" : "; ") + to_string(op);
  return s;
}

std::variant<std::vector<WireOp>, std::string> parse_ops(std::string_view text) {
  std::vector<WireOp> ops;
  std::size_t start = 0;
  int position = 0;
  while (start <= text.size()) {
    const auto semi = text.find(';', start);
    const auto end = semi == std::string_view::npos ? text.size() : semi;
    const std::string_view item = trim(text.substr(start, end - start));
    ++position;
    if (!item.empty()) {
      auto one = parse_one(item);
      if (const auto* e = std::get_if<std::string>(&one)) {
        return "operation " + std::to_string(position) + " ('" + std::string(item) + "'): " + *e;
      }
      ops.push_back(std::get<WireOp>(one));
    }
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (ops.empty()) return std::string("no operations");
  return ops;
}

std::vector<WireOp> generate_ops(std::uint64_t seed, std::uint64_t run, int max_ops) {
  SplitMix rng{seed * 0x2545F4914F6CDD1DULL + run * 0x9E3779B97F4A7C15ULL + 1};
  (void)rng.next();
  // Weights toward appends and retries (the broker's common path), every kind reachable.
  static constexpr std::array<std::pair<K, int>, 14> kWeights{{
      {K::append_next, 28},  {K::retry_recent, 12},   {K::retry_evicted, 4}, {K::partial_overlap, 4},
      {K::gap, 4},           {K::bump_epoch, 4},      {K::bump_epoch_nonzero, 2}, {K::stale_epoch, 3},
      {K::new_producer, 4},  {K::init_bump, 2},       {K::no_producer_id, 3}, {K::lose_answer, 5},
      {K::reconnect, 2},     {K::pipeline, 5},
  }};
  int total = 0;
  for (const auto& [k, w] : kWeights) total += w;
  const int length = static_cast<int>(rng.in(1, std::max(1, max_ops)));
  std::vector<WireOp> ops;
  ops.reserve(static_cast<std::size_t>(length));
  for (int i = 0; i < length; ++i) {
    std::int64_t pick = rng.in(0, total - 1);
    WireOp op;
    for (const auto& [k, w] : kWeights) {
      if (pick < w) {
        op.kind = k;
        break;
      }
      pick -= w;
    }
    if (has_producer(op.kind)) op.producer = static_cast<int>(rng.in(0, kWireSlots - 1));
    switch (op.kind) {
      case K::retry_recent: op.arg = rng.in(1, 7); break;  // 6 and 7 reach past the 5-batch window
      case K::retry_evicted: op.arg = rng.in(1, 4); break;
      case K::partial_overlap: op.arg = rng.in(1, 5); break;
      case K::gap: op.arg = rng.in(0, 9) == 0 ? rng.in(1, kMaxSequence) : rng.in(1, 5); break;
      case K::new_producer: op.arg = rng.in(0, 3); break;
      case K::pipeline: op.arg = rng.in(2, kMaxPipeline); break;
      default: break;
    }
    if (has_records(op.kind)) op.records = rng.in(0, 3) == 0 ? rng.in(2, 4) : 1;
    ops.push_back(op);
  }
  return ops;
}

std::vector<WireOp> simpler(const WireOp& op) {
  std::vector<WireOp> out;
  auto add = [&](WireOp v) {
    if (!(v == op) && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  auto plain = [&](K kind) {
    WireOp v{kind, op.producer, 0, op.records};
    if (has_arg(kind)) v.arg = arg_range(kind).lo;
    return v;
  };
  // A plainer kind first: most ops read most plainly as the slot's next batch.
  if (op.kind == K::init_bump) add(plain(K::new_producer));
  if (has_producer(op.kind) && op.kind != K::append_next) add(plain(K::append_next));
  if (has_records(op.kind) && op.records != 1) add(WireOp{op.kind, op.producer, op.arg, 1});
  if (has_producer(op.kind) && op.producer != 0) add(WireOp{op.kind, 0, op.arg, op.records});
  if (has_arg(op.kind)) {
    const std::int64_t least = arg_range(op.kind).lo;
    if (op.arg > least) {
      add(WireOp{op.kind, op.producer, least, op.records});
      add(WireOp{op.kind, op.producer, std::max(least, op.arg / 2), op.records});
      add(WireOp{op.kind, op.producer, op.arg - 1, op.records});
    }
  }
  return out;
}

}  // namespace idemcheck::conform
