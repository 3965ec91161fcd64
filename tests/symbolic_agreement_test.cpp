// Agreement of the concrete world with the symbolic transition relation:
// random histories of the small world run on the reference World, and every
// step must be one the symbolic relation allows, with the symbolic state after
// it showing what World shows (SymbolicTracker). A disagreement is a bug in one
// of the two models.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>

#include <algorithm>
#include "idemcheck/spec/symbolic_world.hpp"

namespace idemcheck {
namespace {

using spec::Event;

struct Case {
  spec::SymbolicConfig config;
  std::vector<Event> events;
};

rc::Gen<Event> gen_event(int m) {
  using K = Event::Kind;
  return rc::gen::mapcat(
      rc::gen::weightedElement<int>({{3, 0}, {4, 1}, {3, 2}, {1, 3}, {1, 4}, {3, 5}, {1, 6}, {1, 7}, {1, 8}, {1, 9}, {1, 10}}),
      [m](int which) {
        return rc::gen::map(rc::gen::inRange(0, m + 2), [which](int count) {
          Event e;
          switch (which) {
            case 0: e.kind = K::send; break;
            case 1: e.kind = K::drain; break;
            case 2: e.kind = K::deliver_request; break;
            case 3: e.kind = K::fail_request; e.error = spec::Error::not_enough_replicas; break;
            case 4: e.kind = K::fail_request; e.error = spec::Error::not_enough_replicas_after_append; break;
            case 5: e.kind = K::deliver_response; break;
            case 6: e.kind = K::lose_response; break;
            case 7: e.kind = K::break_connection; e.count = count; break;
            case 8: e.kind = K::process_zombie; break;
            case 9: e.kind = K::timeout; e.count = count; break;
            default: e.kind = K::tick; e.ms = 1000 * count; break;
          }
          return e;
        });
      });
}

rc::Gen<Case> gen_case() {
  return rc::gen::mapcat(rc::gen::tuple(rc::gen::inRange(1, 5), rc::gen::inRange(1, 4), rc::gen::arbitrary<bool>()),
                         [](const std::tuple<int, int, bool>& t) {
                           const auto [m, w, idem] = t;
                           const spec::SymbolicConfig cfg{m, w, idem, 4, 8};
                           return rc::gen::map(rc::gen::container<std::vector<Event>>(gen_event(m)),
                                               [cfg](std::vector<Event> events) {
                                                 // At most B sends: later ones become drains.
                                                 int sends = 0;
                                                 for (Event& e : events) {
                                                   if (e.kind == Event::Kind::send && ++sends > cfg.batches) e.kind = Event::Kind::drain;
                                                 }
                                                 return Case{cfg, std::move(events)};
                                               });
                         });
}

TEST(SymbolicAgreement, EveryConcreteStepIsASymbolicStep) {
  // Each step is a solver call: fewer, longer histories than the other properties (RC_PARAMS can ask for more).
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = std::min(params.maxSuccess, 80);
  params.maxSize = std::min(params.maxSize, 100);
  std::cerr << "RapidCheck seed " << params.seed << " (reproduce with RC_PARAMS=\"seed=" << params.seed << "\")\n";
  std::uint64_t steps = 0, stopped = 0;
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = "World agrees with the symbolic transition relation";
  const auto result = rc::detail::checkTestable([&] {
    const Case c = *gen_case();
    const spec::WorldConfig config = spec::small_world_config(c.config);
    spec::World world(config);
    spec::SymbolicTracker tracker(c.config, 128);
    for (std::size_t i = 0; i < c.events.size(); ++i) {
      const auto effects = world.apply(c.events[i]);
      const auto r = tracker.step(c.events[i], effects, world);
      if (r.verdict == spec::SymbolicTracker::Verdict::out_of_bounds) {
        ++stopped;
        break;
      }
      if (r.verdict == spec::SymbolicTracker::Verdict::disagrees) {
        std::ostringstream os;
        os << "m=" << c.config.max_in_flight << " w=" << c.config.window << (c.config.idempotence ? " on" : " off")
           << ": step " << i + 1 << " (" << c.events[i] << "): " << r.detail << "\nhistory:\n";
        for (std::size_t j = 0; j <= i; ++j) os << "  " << c.events[j] << "\n";
        RC_FAIL(os.str());
      }
      ++steps;
    }
  }, metadata, params);
  rc::detail::printResultMessage(result, std::cerr);
  std::cerr << std::endl;
  const bool ok = result.is<rc::detail::SuccessResult>();
  std::cout << "agreement: " << steps << " steps checked; " << stopped << " histories left the bounds\n";
  EXPECT_TRUE(ok) << "see RapidCheck's output above for the seed and the reproduce string";
  EXPECT_GT(steps, 500u);
}

// A concrete step the relation cannot take is reported, not accepted.
TEST(SymbolicAgreement, ATamperedObservationDisagrees) {
  const spec::SymbolicConfig cfg{2, 1, true, 2, 2};
  spec::World world(spec::small_world_config(cfg));
  spec::World other(spec::small_world_config(cfg));
  spec::SymbolicTracker tracker(cfg, 16);
  Event send;
  send.kind = Event::Kind::send;
  // The tracker is told that a send happened, but is shown a world where none did.
  const auto r = tracker.step(send, {}, other);
  EXPECT_EQ(r.verdict, spec::SymbolicTracker::Verdict::disagrees) << r.detail;
  (void)world;
}

}  // namespace
}  // namespace idemcheck
