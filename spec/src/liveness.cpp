#include "idemcheck/spec/liveness.hpp"

#include <algorithm>

namespace idemcheck::spec {

namespace {

Event make(Event::Kind kind, int producer, int broker) {
  Event e;
  e.kind = kind;
  e.producer = producer;
  e.broker = broker;
  return e;
}

// Did the round move anything a later round depends on? Time passing alone does not.
bool moved(const std::vector<Effect>& effects) {
  return std::any_of(effects.begin(), effects.end(), [](const Effect& e) {
    return e.kind != Effect::Kind::time_advanced && e.kind != Effect::Kind::sender_woke;
  });
}

std::vector<std::size_t> pending_sends(const World& w) {
  std::vector<std::size_t> out;
  const auto& sends = w.sends();
  for (std::size_t i = 0; i < sends.size(); ++i) {
    if (sends[i].outcome.state == SendOutcome::State::pending) out.push_back(i);
  }
  return out;
}

}  // namespace

LivenessResult check_liveness(const World& world) {
  World w = world;
  const WorldConfig& c = w.config();
  LivenessResult r;
  r.faults_stopped_ms = w.now();
  r.bound_ms = c.producer.delivery_timeout_ms + c.producer.request_timeout_ms;
  std::vector<Effect> effects;
  // Waiting idle, time doubles its step up to this: a few rounds per deadline, and a few
  // dozen for the whole bound however long it is.
  const std::int64_t max_idle_step = std::max<std::int64_t>(5'000, r.bound_ms / 64);
  auto run = [&](const Event& e, bool& any) {
    w.apply(e, effects);
    r.tail.push_back(e);
    any = moved(effects) || any;
  };
  // Rounds of the fault-free schedule until nothing is pending or `deadline` passes.
  auto settle = [&](std::int64_t deadline) {
    std::int64_t idle_step = 10;
    r.pending = pending_sends(w);
    while (!r.pending.empty()) {
      if (r.tail.size() >= kMaxTailEvents) {
        r.exhausted = true;
        return;
      }
      bool any = false;
      for (int p = 0; p < c.producers; ++p) run(make(Event::Kind::init_producer_id, p, 0), any);
      for (int b = 0; b < c.brokers; ++b) {
        while (w.zombies_waiting(b) > 0) run(make(Event::Kind::process_zombie, 0, b), any);
      }
      for (int p = 0; p < c.producers; ++p) {
        for (int b = 0; b < c.brokers; ++b) run(make(Event::Kind::drain, p, b), any);
      }
      for (int p = 0; p < c.producers; ++p) {
        for (int b = 0; b < c.brokers; ++b) {
          while (w.connection_load(p, b).unread > 0) run(make(Event::Kind::deliver_request, p, b), any);
        }
      }
      for (int p = 0; p < c.producers; ++p) {
        for (int b = 0; b < c.brokers; ++b) {
          while (w.connection_load(p, b).responses > 0) run(make(Event::Kind::deliver_response, p, b), any);
        }
      }
      r.pending = pending_sends(w);
      if (r.pending.empty() || w.now() > deadline) break;
      // Without a fault nothing else moves the world: time must, or the run would end before a
      // deadline or a backoff it waits for.
      const std::int64_t step = std::max<std::int64_t>(1, std::min(any ? 10 : idle_step, deadline + 1 - w.now()));
      idle_step = any ? 10 : std::min(idle_step * 2, max_idle_step);
      Event tick = make(Event::Kind::tick, 0, 0);
      tick.ms = step;
      bool ignored = false;
      run(tick, ignored);
    }
  };
  settle(r.faults_stopped_ms + r.bound_ms);
  if (r.pending.empty() && !r.exhausted) {
    // Part (2): one probe per producer and partition, and the same bound again.
    const std::size_t first_probe = w.sends().size();
    for (int p = 0; p < c.producers; ++p) {
      for (int q = 0; q < c.partitions; ++q) {
        Event e = make(Event::Kind::send, p, 0);
        e.partition = q;
        e.count = 1;
        bool ignored = false;
        run(e, ignored);
      }
    }
    settle(w.now() + r.bound_ms);
    for (std::size_t i = first_probe; i < w.sends().size(); ++i) {
      if (w.sends()[i].outcome.state != SendOutcome::State::acknowledged &&
          w.sends()[i].outcome.state != SendOutcome::State::pending) {
        r.failed_probes.push_back(i);
      }
    }
  }
  r.live = r.exhausted || (r.pending.empty() && r.failed_probes.empty());
  r.settled_ms = w.now();
  r.sends = w.sends();
  return r;
}

}  // namespace idemcheck::spec
