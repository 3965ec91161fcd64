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
bool uses_late_poll(K k) { return k == K::deliver_response || k == K::timeout || k == K::break_connection; }
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
    x = mix(x, static_cast<std::uint64_t>(e.count) ^ (static_cast<std::uint64_t>(e.late_poll) << 63));
    x = mix(x, static_cast<std::uint64_t>(e.ms) ^ (static_cast<std::uint64_t>(e.damage) << 56));
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

enum class Stage : std::uint8_t {
  normalize,
  episodes,
  blocks,
  merge,
  singles,
  shape,
  values,
  pairs,
  windows,
  swaps,
  replace,
  moves,
  retime
};
constexpr Stage kStages[] = {Stage::normalize, Stage::episodes, Stage::blocks, Stage::merge,
                             Stage::singles,   Stage::shape,    Stage::values, Stage::pairs,
                             Stage::windows,   Stage::swaps,    Stage::replace, Stage::moves,
                             Stage::retime};

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

// The lengths of time a story's ticks may need: the client's and the
// broker's timeouts (and the differences a story meets: a request timed out
// before the delivery timeout), the ticks the history has and their sum.
std::vector<std::int64_t> times(const History& h) {
  const auto& p = h.config.producer;
  std::vector<std::int64_t> out{p.retry_backoff_ms,
                                p.retry_backoff_max_ms,
                                p.request_timeout_ms,
                                p.request_timeout_ms + 1,
                                p.delivery_timeout_ms,
                                p.delivery_timeout_ms - p.request_timeout_ms,
                                h.config.broker.producer_id_expiration_ms};
  std::int64_t sum = 0;
  for (const Event& e : h.events) {
    if (e.kind != K::tick) continue;
    out.push_back(e.ms);
    sum += e.ms;
  }
  out.push_back(sum);
  std::erase_if(out, [](std::int64_t v) { return v <= 0 || v > (std::int64_t{1} << 40); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Every event the world of `h` could take that a story may need instead of
// one it has: on every connection a drain, a delivered or failed (each error)
// request, a delivered or lost response, a broken connection and a timeout
// (with and without a request the broker read); the events of kinds in
// `kinds` (those the original counterexample used) with the partitions,
// brokers and values the history has. Normalized, without repeats, in a fixed order.
std::vector<Event> alphabet(const History& h, const std::vector<K>& kinds) {
  auto allowed = [&](K k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
  std::vector<Event> out;
  auto add = [&](const Event& e) {
    if (spec::check_event(e, h.config).empty() && std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  };
  for (int p = 0; p < h.config.producers; ++p) {
    for (int b = 0; b < h.config.brokers; ++b) {
      Event e;
      e.producer = p;
      e.broker = b;
      e.count = 0;
      for (K k : {K::break_connection, K::timeout}) {
        e.kind = k;
        for (std::int64_t c : {0, 1}) {
          e.count = c;
          add(e);
        }
      }
      e.count = 1;
      for (K k : {K::lose_response, K::deliver_response, K::deliver_request, K::drain}) {
        e.kind = k;
        add(e);
      }
      {
        e.kind = K::fail_request;
        for (spec::Error err : {spec::Error::not_leader_or_follower, spec::Error::not_enough_replicas,
                                spec::Error::request_timed_out, spec::Error::not_enough_replicas_after_append}) {
          e.error = err;
          e.flag = false;
          add(e);
          if (err == spec::Error::request_timed_out) {
            e.flag = true;
            add(e);
          }
        }
      }
    }
  }
  const bool races = std::any_of(h.events.begin(), h.events.end(), [](const Event& e) { return e.late_poll; });
  if (races) {
    for (int p = 0; p < h.config.producers; ++p) {
      for (int b = 0; b < h.config.brokers; ++b) {
        for (K k : {K::deliver_response, K::timeout, K::break_connection}) {
          Event e;
          e.kind = k;
          e.producer = p;
          e.broker = b;
          e.count = 0;
          e.late_poll = true;
          add(e);
        }
      }
    }
  }
  for (const Event& e : normalize(h).events) {
    if (allowed(e.kind)) add(e);
  }
  if (allowed(K::tick)) {
    for (std::int64_t ms : times(h)) {
      Event e;
      e.kind = K::tick;
      e.ms = ms;
      add(e);
    }
  }
  return out;
}

// The kinds of event a history has, in the order of the enumeration.
std::vector<K> kinds_of(const History& h) {
  std::vector<K> out;
  for (const Event& e : h.events) {
    if (std::find(out.begin(), out.end(), e.kind) == out.end()) out.push_back(e.kind);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// After an accepted candidate, the removal stages carry on at the same place
// in the new list (the candidates before it failed already); the others start over.
bool restarts(Stage s) { return s == Stage::shape || s == Stage::values || s == Stage::normalize; }
// Stages tried only when every earlier one is at its fixpoint.
bool last_resort(Stage s) {
  return s == Stage::pairs || s == Stage::windows || s == Stage::swaps || s == Stage::replace || s == Stage::moves ||
         s == Stage::retime;
}
// Swapping two adjacent events and then removing one (a step the greedy
// removals cannot take alone) is cubic: only on short histories.
constexpr std::size_t kSwapLimit = 24;
// Replacing one event by another and removing a third, and moving one event
// elsewhere and removing another, are cubic too: only on short histories.
constexpr std::size_t kReplaceLimit = 20;
constexpr std::size_t kMoveLimit = 16;
// A stretch of up to this many events may be replaced by any event of the
// alphabet (longer ones only by a fault, as stand_ins() gives).
constexpr std::size_t kAlphabetWindow = 4;

Edit replace_window(std::size_t begin, std::size_t w, const Event& e) {
  return [begin, w, e](const History& in, History& out) {
    if (begin + w > in.events.size()) return false;
    out.config = in.config;
    out.events.assign(in.events.begin(), in.events.begin() + static_cast<std::ptrdiff_t>(begin));
    out.events.push_back(e);
    out.events.insert(out.events.end(), in.events.begin() + static_cast<std::ptrdiff_t>(begin + w), in.events.end());
    return true;
  };
}

// The greedy search takes the first candidate that still fails, so the order
// of the candidates decides which small history it ends in. Route 0 is the
// order described above; the others try the removals in other orders (from
// the front for route 1; the story's own events before the faults, without
// episodes and blocks, for route 2), and the shrinker keeps the shortest end.
constexpr int kRoutes = 3;

std::vector<Edit> build(const History& h, Stage stage, std::size_t keep, const std::vector<K>& kinds, int route) {
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
      if ((route & 2) != 0) break;
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
      if ((route & 2) != 0) break;
      const std::size_t m = n - keep;
      for (std::size_t size = m / 2; size >= 2; size /= 2) {
        for (std::size_t end = n; end > keep; end = end >= keep + size ? end - size : keep) {
          std::size_t begin = end >= keep + size ? end - size : keep;
          std::size_t stop = end;
          if ((route & 1) != 0) {  // mirrored: from the front
            begin = keep + (n - end);
            stop = keep + (n - (end >= keep + size ? end - size : keep));
          }
          std::vector<std::size_t> idx;
          for (std::size_t i = begin; i < stop; ++i) idx.push_back(i);
          edits.push_back(remove(std::move(idx)));
        }
      }
      break;
    }
    case Stage::merge: {
      // Two ticks become one, at the place of either: adjacent ones first.
      auto merge = [](std::size_t into, std::size_t from) {
        return [into, from](const History& in, History& out) {
          if (into >= in.events.size() || from >= in.events.size() || in.events[into].kind != K::tick ||
              in.events[from].kind != K::tick) {
            return false;
          }
          out = in;
          out.events[into].ms += in.events[from].ms;
          out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(from));
          return true;
        };
      };
      for (std::size_t i = keep; i + 1 < n; ++i) {
        if (h.events[i].kind == K::tick && h.events[i + 1].kind == K::tick) edits.push_back(merge(i, i + 1));
      }
      for (std::size_t i = keep; i < n; ++i) {
        for (std::size_t j = i + 2; j < n; ++j) {
          if (h.events[i].kind != K::tick || h.events[j].kind != K::tick) continue;
          edits.push_back(merge(i, j));
          edits.push_back(merge(j, i));
        }
      }
      break;
    }
    case Stage::singles: {
      for (bool faults : {(route & 2) == 0, (route & 2) != 0}) {
        for (std::size_t k = keep; k < n; ++k) {
          const std::size_t i = (route & 1) != 0 ? k : n - 1 - (k - keep);
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
          for (const Event& e : stand_ins(h, begin, begin + w)) edits.push_back(replace_window(begin, w, e));
        }
      }
      // Short stretches replaced by any event the story could use.
      const std::vector<Event> letters = alphabet(h, kinds);
      for (std::size_t w = std::min(kAlphabetWindow, n - keep); w >= 2; --w) {
        for (std::size_t begin = keep; begin + w <= n; ++begin) {
          for (const Event& e : letters) edits.push_back(replace_window(begin, w, e));
        }
      }
      break;
    }
    case Stage::replace: {
      // One event replaced by another and one more removed.
      if (n - keep > kReplaceLimit) break;
      const std::vector<Event> letters = alphabet(h, kinds);
      for (std::size_t j = n; j-- > keep;) {
        for (std::size_t i = keep; i < n; ++i) {
          if (i == j) continue;
          for (const Event& e : letters) {
            if (e == h.events[i]) continue;
            edits.push_back([i, j, e](const History& in, History& out) {
              if (i >= in.events.size() || j >= in.events.size()) return false;
              out = in;
              out.events[i] = e;
              out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(j));
              return true;
            });
          }
        }
      }
      break;
    }
    case Stage::retime: {
      // A tick moved elsewhere with another length, and one event removed.
      if (n - keep > kReplaceLimit) break;
      const std::vector<std::int64_t> lengths = times(h);
      for (std::size_t t = keep; t < n; ++t) {
        if (h.events[t].kind != K::tick) continue;
        for (std::int64_t ms : lengths) {
          for (std::size_t to = keep; to < n; ++to) {
            for (std::size_t j = n; j-- > keep;) {
              if (j == to) continue;
              edits.push_back([t, ms, to, j](const History& in, History& out) {
                if (t >= in.events.size() || to >= in.events.size() || j >= in.events.size() ||
                    in.events[t].kind != K::tick) {
                  return false;
                }
                out = in;
                Event e = out.events[t];
                e.ms = ms;
                out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(t));
                out.events.insert(out.events.begin() + static_cast<std::ptrdiff_t>(to), e);
                out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(j));
                return true;
              });
            }
          }
        }
      }
      break;
    }
    case Stage::moves: {
      // One event moved elsewhere and one removed.
      if (n - keep > kMoveLimit) break;
      for (std::size_t from = keep; from < n; ++from) {
        for (std::size_t to = keep; to < n; ++to) {
          if (to == from || to + 1 == from || from + 1 == to) continue;  // adjacent: swaps
          for (std::size_t j = n; j-- > keep;) {
            if (j == to) continue;  // that is removing `from`
            edits.push_back([from, to, j](const History& in, History& out) {
              if (from >= in.events.size() || to >= in.events.size() || j >= in.events.size()) return false;
              out = in;
              const Event e = out.events[from];
              out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(from));
              out.events.insert(out.events.begin() + static_cast<std::ptrdiff_t>(to), e);
              out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(j));
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
        if (e.damage != spec::SnapshotDamage::none) {
          Event f = e;
          f.damage = spec::SnapshotDamage::none;
          edits.push_back(set_event(i, f));
        }
        if (e.late_poll) {  // a story that does not need the race must not show it
          Event f = e;
          f.late_poll = false;
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
    if (uses_late_poll(e.kind)) n.late_poll = e.late_poll;
    if (e.kind == K::restart_broker) n.damage = e.damage;
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
    std::vector<Edit> e = build(history, s, keep_prefix, kinds_of(history), 0);
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
  // The alphabet of the replacing stages: the kinds the counterexample used.
  const std::vector<K> kinds = kinds_of(failing);
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
  // One greedy descent along a route, from `current` to a history where no
  // candidate of any stage still fails.
  auto descend = [&](History current, int route) {
    bool progress = true;
    while (progress && stats.candidates < options.max_candidates) {
      progress = false;
      ++stats.rounds;
      for (Stage stage : kStages) {
        if (progress && last_resort(stage)) break;  // the cheap stages first, again
        std::vector<Edit> edits = build(current, stage, options.keep_prefix, kinds, route);
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
          edits = build(current, stage, options.keep_prefix, kinds, route);
          if (restarts(stage)) i = 0;
        }
      }
    }
    return current;
  };
  // Every route from the counterexample, then every route again from the
  // shortest end until none gets shorter. Ties go to the earlier route.
  const History original = std::move(current);
  current = descend(original, 0);
  for (int route = 1; route < kRoutes; ++route) {
    History end = descend(original, route);
    if (end.events.size() < current.events.size()) current = std::move(end);
  }
  for (bool shorter = true; shorter;) {
    shorter = false;
    for (int route = 0; route < kRoutes && !shorter; ++route) {
      History end = descend(current, route);
      if (end.events.size() < current.events.size()) {
        current = std::move(end);
        shorter = true;
      }
    }
  }
  stats.shrunk_length = current.events.size();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return current;
}

}  // namespace idemcheck::shrinkers
