#include "idemcheck/shrinkers/history_shrinker.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <unordered_set>
#include <utility>

#include "idemcheck/spec/world.hpp"

namespace idemcheck::shrinkers {

namespace {

using spec::Event;
using spec::History;
using K = Event::Kind;

// --- what each kind of event reads ------------------------------------------

bool uses_producer(K k) {
  return k != K::process_zombie && k != K::tick && k != K::move_leader && k != K::restart_broker && k != K::expire;
}
bool uses_broker(K k) {
  return k == K::drain || k == K::deliver_request || k == K::fail_request || k == K::deliver_response ||
         k == K::lose_response || k == K::break_connection || k == K::timeout || k == K::process_zombie ||
         k == K::move_leader || k == K::restart_broker;
}
bool uses_partition(K k) { return k == K::send || k == K::move_leader; }
bool uses_count(K k) { return k == K::send || k == K::break_connection || k == K::timeout || k == K::restart_producer; }
bool uses_flag(const Event& e) {
  return (e.kind == K::fail_request && e.error == spec::Error::request_timed_out) || e.kind == K::restart_broker ||
         e.kind == K::restart_producer;
}
// Faults and time: what a story needs least often, so removed first.
bool is_fault(K k) { return k != K::send && k != K::drain && k != K::deliver_request && k != K::deliver_response; }

// --- hashing (the verdict cache) ----------------------------------------------

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t z = h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_history(const History& h) {
  std::uint64_t x = 0x1234567;
  x = mix(x, static_cast<std::uint64_t>(h.config.producers));
  x = mix(x, static_cast<std::uint64_t>(h.config.partitions));
  x = mix(x, static_cast<std::uint64_t>(h.config.brokers));
  x = mix(x, static_cast<std::uint64_t>(h.config.initial_epoch));
  x = mix(x, h.events.size());
  for (const Event& e : h.events) {
    x = mix(x, static_cast<std::uint64_t>(e.kind) | static_cast<std::uint64_t>(e.producer) << 8 |
                   static_cast<std::uint64_t>(e.broker) << 24 | static_cast<std::uint64_t>(e.partition) << 40);
    x = mix(x, static_cast<std::uint64_t>(e.other) | static_cast<std::uint64_t>(static_cast<std::uint16_t>(e.error)) << 32 |
                   static_cast<std::uint64_t>(e.flag) << 48);
    x = mix(x, static_cast<std::uint64_t>(e.count));
    x = mix(x, static_cast<std::uint64_t>(e.ms));
  }
  return x;
}

// --- one run of the world: which events did something, and to which batch ----

struct Analysis {
  bool ran = false;
  std::vector<bool> had_effect;                     // per event
  std::vector<std::vector<std::size_t>> episodes;   // event indices per batch, in send order
};

bool batch_effect(spec::Effect::Kind k) {
  using EK = spec::Effect::Kind;
  return k == EK::records_sent || k == EK::batch_in_request || k == EK::batch_answered || k == EK::batch_acknowledged ||
         k == EK::batch_retried || k == EK::batch_failed || k == EK::batch_expired || k == EK::batch_restamped;
}
bool request_effect(spec::Effect::Kind k) {
  using EK = spec::Effect::Kind;
  return k == EK::request_sent || k == EK::request_processed || k == EK::response_received ||
         k == EK::response_lost || k == EK::correlation_mismatch || k == EK::zombie_created;
}

Analysis analyse(const History& h) {
  Analysis a;
  std::vector<std::vector<spec::Effect>> effects;
  try {
    spec::World w(h.config);
    for (const Event& e : h.events) effects.push_back(w.apply(e));
  } catch (const std::exception&) {
    return a;  // not well-formed: no analysis, the structural passes still work
  }
  a.ran = true;
  using Key = std::pair<int, std::uint64_t>;
  std::map<Key, std::vector<std::uint64_t>> request_batches;  // (producer, request) -> batches
  for (const auto& es : effects) {
    for (const spec::Effect& f : es) {
      if (f.kind == spec::Effect::Kind::batch_in_request) request_batches[{f.producer, f.request}].push_back(f.batch);
    }
  }
  std::map<Key, std::size_t> episode_of;  // (producer, batch) -> episode number
  for (std::size_t i = 0; i < effects.size(); ++i) {
    a.had_effect.push_back(!effects[i].empty());
    auto touch = [&](const Key& batch) {
      auto [it, fresh] = episode_of.try_emplace(batch, a.episodes.size());
      if (fresh) a.episodes.emplace_back();
      auto& ep = a.episodes[it->second];
      if (ep.empty() || ep.back() != i) ep.push_back(i);
    };
    for (const spec::Effect& f : effects[i]) {
      if (batch_effect(f.kind)) {
        touch({f.producer, f.batch});
      } else if (request_effect(f.kind)) {
        if (auto it = request_batches.find({f.producer, f.request}); it != request_batches.end()) {
          for (std::uint64_t b : it->second) touch({f.producer, b});
        }
      }
    }
  }
  return a;
}

// --- edits --------------------------------------------------------------------

// An edit turns the history into a candidate, or returns false if it does not apply.
using Edit = std::function<bool(const History&, History&)>;

History without(const History& h, const std::vector<std::size_t>& sorted_indices) {
  History out;
  out.config = h.config;
  out.events.reserve(h.events.size());
  std::size_t j = 0;
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    if (j < sorted_indices.size() && sorted_indices[j] == i) {
      ++j;
      continue;
    }
    out.events.push_back(h.events[i]);
  }
  return out;
}

Edit remove(std::vector<std::size_t> indices) {
  return [indices = std::move(indices)](const History& h, History& out) {
    if (indices.empty()) return false;
    out = without(h, indices);
    return true;
  };
}

// Drop entity `k` of one kind (producer, partition or broker) and renumber the
// ones above it; events that would refer to it are dropped.
enum class Entity : std::uint8_t { producer, partition, broker };

bool drop_entity(const History& h, Entity what, int k, History& out) {
  out.config = h.config;
  out.events.clear();
  int& count = what == Entity::producer ? out.config.producers
               : what == Entity::partition ? out.config.partitions
                                           : out.config.brokers;
  if (count <= 1) return false;
  --count;
  for (Event e : h.events) {
    auto renumber = [&](bool used, int& field) {
      if (!used) return true;
      if (field == k) return false;
      if (field > k) --field;
      return true;
    };
    bool keep = true;
    switch (what) {
      case Entity::producer:
        keep = renumber(uses_producer(e.kind), e.producer) && renumber(e.kind == K::send_same, e.other);
        break;
      case Entity::partition: keep = renumber(uses_partition(e.kind), e.partition); break;
      case Entity::broker: keep = renumber(uses_broker(e.kind), e.broker); break;
    }
    if (keep) out.events.push_back(e);
  }
  return true;
}

Edit set_event(std::size_t i, Event e) {
  return [i, e](const History& h, History& out) {
    if (i >= h.events.size() || h.events[i] == e) return false;
    out = h;
    out.events[i] = e;
    return true;
  };
}

// Values on the way from `v` down to `lo`, smallest first: lo, v - d/2, v - d/4, ...
std::vector<std::int64_t> towards(std::int64_t v, std::int64_t lo) {
  std::vector<std::int64_t> out;
  if (v <= lo) return out;
  out.push_back(lo);
  for (std::int64_t d = (v - lo) / 2; d > 0; d /= 2) {
    if (v - d != out.back()) out.push_back(v - d);
  }
  return out;
}

enum class Stage : std::uint8_t { normalize, episodes, blocks, merge, singles, shape, values, pairs, windows, swaps };
constexpr Stage kStages[] = {Stage::normalize, Stage::episodes, Stage::blocks,  Stage::merge, Stage::singles,
                             Stage::shape,     Stage::values,   Stage::pairs,   Stage::windows, Stage::swaps};

// The quadratic stages (two events at a time, a stretch replaced by one
// fault) run only on histories the linear stages brought down to this length.
constexpr std::size_t kQuadraticLimit = 40;

// The faults that can stand in for a stretch of events on the connections the
// stretch uses: a timeout, a broken connection (with and without a request
// the broker read), a lost response.
std::vector<Event> stand_ins(const History& h, std::size_t begin, std::size_t end) {
  std::vector<std::pair<int, int>> links;
  for (std::size_t i = begin; i < end; ++i) {
    const Event& e = h.events[i];
    if (!uses_producer(e.kind) || !uses_broker(e.kind)) continue;
    const std::pair<int, int> link{e.producer, e.broker};
    if (std::find(links.begin(), links.end(), link) == links.end()) links.push_back(link);
  }
  std::vector<Event> out;
  for (const auto& [p, b] : links) {
    for (K k : {K::timeout, K::break_connection, K::lose_response}) {
      Event e;
      e.kind = k;
      e.producer = p;
      e.broker = b;
      e.count = k == K::lose_response ? 1 : 0;
      out.push_back(e);
      if (k == K::break_connection) {
        e.count = 1;
        out.push_back(e);
      }
    }
  }
  return out;
}

// After an accepted candidate, the removal stages carry on at the same place
// in the new list (the candidates before it failed already); the others start over.
bool restarts(Stage s) { return s == Stage::shape || s == Stage::values || s == Stage::normalize; }
// Stages tried only when every earlier one is at its fixpoint.
bool last_resort(Stage s) { return s == Stage::pairs || s == Stage::windows || s == Stage::swaps; }
// Swapping two adjacent events and then removing one (a step the greedy
// removals cannot take alone) is cubic: only on short histories.
constexpr std::size_t kSwapLimit = 24;

std::vector<Edit> build(const History& h, Stage stage, std::size_t keep) {
  std::vector<Edit> edits;
  const std::size_t n = h.events.size();
  if (keep > n) keep = n;
  switch (stage) {
    case Stage::normalize: {
      edits.push_back([](const History& in, History& out) {
        out = normalize(in);
        return true;
      });
      const Analysis a = analyse(h);
      if (a.ran) {
        std::vector<std::size_t> idle;
        for (std::size_t i = keep; i < n; ++i) {
          if (!a.had_effect[i]) idle.push_back(i);
        }
        edits.push_back(remove(std::move(idle)));
      }
      break;
    }
    case Stage::episodes: {
      const Analysis a = analyse(h);
      for (const auto& ep : a.episodes) {
        std::vector<std::size_t> idx;
        for (std::size_t i : ep) {
          if (i >= keep) idx.push_back(i);
        }
        edits.push_back(remove(std::move(idx)));
      }
      break;
    }
    case Stage::blocks: {
      const std::size_t m = n - keep;
      for (std::size_t size = m / 2; size >= 2; size /= 2) {
        for (std::size_t end = n; end > keep; end = end >= keep + size ? end - size : keep) {
          const std::size_t begin = end >= keep + size ? end - size : keep;
          std::vector<std::size_t> idx;
          for (std::size_t i = begin; i < end; ++i) idx.push_back(i);
          edits.push_back(remove(std::move(idx)));
        }
      }
      break;
    }
    case Stage::merge: {
      for (std::size_t i = keep; i + 1 < n; ++i) {
        if (h.events[i].kind == K::tick && h.events[i + 1].kind == K::tick) {
          edits.push_back([i](const History& in, History& out) {
            if (i + 1 >= in.events.size() || in.events[i].kind != K::tick || in.events[i + 1].kind != K::tick) {
              return false;
            }
            out = in;
            out.events[i].ms += in.events[i + 1].ms;
            out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            return true;
          });
        }
      }
      break;
    }
    case Stage::singles: {
      for (bool faults : {true, false}) {
        for (std::size_t i = n; i-- > keep;) {
          if (is_fault(h.events[i].kind) == faults) edits.push_back(remove({i}));
        }
      }
      break;
    }
    case Stage::shape: {
      if (keep == 0) {
        for (Entity what : {Entity::producer, Entity::partition, Entity::broker}) {
          const int count = what == Entity::producer    ? h.config.producers
                            : what == Entity::partition ? h.config.partitions
                                                        : h.config.brokers;
          for (int k = count - 1; k >= 0; --k) {
            edits.push_back([what, k](const History& in, History& out) { return drop_entity(in, what, k, out); });
          }
        }
      }
      if (h.config.initial_epoch != 0) {
        edits.push_back([](const History& in, History& out) {
          out = in;
          out.config.initial_epoch = 0;
          return true;
        });
      }
      break;
    }
    case Stage::pairs: {
      if (n - keep > kQuadraticLimit) break;
      for (std::size_t i = n; i-- > keep;) {
        for (std::size_t j = i; j-- > keep;) edits.push_back(remove({j, i}));
      }
      break;
    }
    case Stage::windows: {
      // A stretch of 2 or more events replaced by one fault, longest first.
      if (n - keep > kQuadraticLimit) break;
      for (std::size_t w = n - keep; w >= 2; --w) {
        for (std::size_t begin = keep; begin + w <= n; ++begin) {
          for (const Event& e : stand_ins(h, begin, begin + w)) {
            edits.push_back([begin, w, e](const History& in, History& out) {
              if (begin + w > in.events.size()) return false;
              out.config = in.config;
              out.events.assign(in.events.begin(), in.events.begin() + static_cast<std::ptrdiff_t>(begin));
              out.events.push_back(e);
              out.events.insert(out.events.end(), in.events.begin() + static_cast<std::ptrdiff_t>(begin + w),
                                in.events.end());
              return true;
            });
          }
        }
      }
      break;
    }
    case Stage::swaps: {
      if (n - keep > kSwapLimit) break;
      for (std::size_t i = keep; i + 1 < n; ++i) {
        if (h.events[i] == h.events[i + 1]) continue;
        for (std::size_t j = n; j-- > keep;) {
          edits.push_back([i, j](const History& in, History& out) {
            if (i + 1 >= in.events.size() || j >= in.events.size()) return false;
            out = in;
            std::swap(out.events[i], out.events[i + 1]);
            out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(j));
            return true;
          });
        }
      }
      break;
    }
    case Stage::values: {
      for (std::size_t i = keep; i < n; ++i) {
        const Event& e = h.events[i];
        if (uses_flag(e) && e.flag) {
          Event f = e;
          f.flag = false;
          edits.push_back(set_event(i, f));
        }
        if (uses_count(e.kind)) {
          // Records per send go down to 1 (a huge send leaves the wrap
          // boundary unless the failure needs it); "read by broker" to 0.
          for (std::int64_t v : towards(e.count, e.kind == K::send ? 1 : 0)) {
            Event f = e;
            f.count = v;
            edits.push_back(set_event(i, f));
          }
        }
        if (e.kind == K::tick) {
          for (std::int64_t v : towards(e.ms, 1)) {
            Event f = e;
            f.ms = v;
            edits.push_back(set_event(i, f));
          }
        }
      }
      break;
    }
  }
  return edits;
}

}  // namespace

// --- well-formedness ------------------------------------------------------------

std::string check_history(const History& history) {
  if (std::string why = spec::check_world_config(history.config); !why.empty()) return "config: " + why;
  for (std::size_t i = 0; i < history.events.size(); ++i) {
    if (std::string why = spec::check_event(history.events[i], history.config); !why.empty()) {
      return "event " + std::to_string(i + 1) + ": " + why;
    }
  }
  return {};
}

History repair(History history) {
  std::erase_if(history.events, [&](const Event& e) { return !spec::check_event(e, history.config).empty(); });
  return history;
}

History normalize(History history) {
  for (Event& e : history.events) {
    Event n;
    n.kind = e.kind;
    if (uses_producer(e.kind)) n.producer = e.producer;
    if (uses_broker(e.kind)) n.broker = e.broker;
    if (uses_partition(e.kind)) n.partition = e.partition;
    if (e.kind == K::send_same) n.other = e.other;
    if (uses_count(e.kind)) n.count = e.count;
    if (e.kind == K::tick) n.ms = e.ms;
    if (e.kind == K::fail_request) n.error = e.error;
    if (uses_flag(e)) n.flag = e.flag;
    e = n;
  }
  return history;
}

// --- candidates for RapidCheck -----------------------------------------------------

struct Candidates::Impl {
  History history;
  std::vector<Edit> edits;
};

Candidates::Candidates(const History& history, std::size_t keep_prefix) {
  auto impl = std::make_shared<Impl>();
  impl->history = history;
  for (Stage s : kStages) {
    std::vector<Edit> e = build(history, s, keep_prefix);
    std::move(e.begin(), e.end(), std::back_inserter(impl->edits));
  }
  impl_ = std::move(impl);
}

std::size_t Candidates::size() const { return impl_->edits.size(); }

bool Candidates::get(std::size_t i, History& out) const {
  if (i >= impl_->edits.size() || !impl_->edits[i](impl_->history, out)) return false;
  out = repair(std::move(out));
  return out != impl_->history;
}

std::vector<History> Candidates::all() const {
  std::vector<History> out;
  History c;
  for (std::size_t i = 0; i < size(); ++i) {
    if (get(i, c)) out.push_back(c);
  }
  return out;
}

// --- the shrinker ---------------------------------------------------------------------

History shrink_history(History failing, const StillFails& still_fails, ShrinkStats& stats) {
  return shrink_history(std::move(failing), still_fails, stats, ShrinkOptions{});
}

History shrink_history(History failing, const StillFails& still_fails, ShrinkStats& stats,
                       const ShrinkOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  stats.original_length = failing.events.size();
  History current = std::move(failing);
  // Verdicts of candidates that passed (no longer fail). A candidate that
  // still fails is kept, so only passing ones can come up again; a hash
  // collision could only make the shrinker skip a candidate, never keep one
  // that does not fail.
  std::unordered_set<std::uint64_t> passed;
  auto test = [&](const History& c) {
    const std::uint64_t key = hash_history(c);
    if (passed.count(key) != 0) {
      ++stats.cache_hits;
      return false;
    }
    if (stats.candidates >= options.max_candidates) return false;
    ++stats.candidates;
    if (still_fails(c)) return true;
    passed.insert(key);
    return false;
  };
  bool progress = true;
  while (progress && stats.candidates < options.max_candidates) {
    progress = false;
    ++stats.rounds;
    for (Stage stage : kStages) {
      if (progress && last_resort(stage)) break;  // the cheap stages first, again
      std::vector<Edit> edits = build(current, stage, options.keep_prefix);
      std::size_t i = 0;
      History candidate;
      while (i < edits.size() && stats.candidates < options.max_candidates) {
        if (!edits[i](current, candidate)) {
          ++i;
          continue;
        }
        candidate = repair(std::move(candidate));
        if (candidate == current || !test(candidate)) {
          ++i;
          continue;
        }
        current = std::move(candidate);
        ++stats.accepted;
        progress = true;
        edits = build(current, stage, options.keep_prefix);
        if (restarts(stage)) i = 0;
      }
    }
  }
  stats.shrunk_length = current.events.size();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return current;
}

}  // namespace idemcheck::shrinkers
