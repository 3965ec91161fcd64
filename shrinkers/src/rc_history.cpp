#include "idemcheck/shrinkers/rc_history.hpp"

#include <memory>
#include <ostream>
#include <utility>

#include "idemcheck/shrinkers/history_shrinker.hpp"

namespace idemcheck::shrinkers {

rc::Seq<spec::History> history_shrinks(const spec::History& history, std::size_t keep_prefix) {
  auto candidates = std::make_shared<const Candidates>(history, keep_prefix);
  return rc::seq::mapMaybe(rc::seq::range<std::size_t>(0, candidates->size()),
                           [candidates](std::size_t i) -> rc::Maybe<spec::History> {
                             spec::History out;
                             if (candidates->get(i, out)) return out;
                             return rc::Nothing;
                           });
}

rc::Shrinkable<spec::History> history_shrinkable(spec::History history, std::size_t keep_prefix) {
  return rc::shrinkable::shrinkRecur(std::move(history), [keep_prefix](const spec::History& h) {
    return history_shrinks(h, keep_prefix);
  });
}

rc::Gen<spec::History> with_history_shrinks(rc::Gen<spec::History> gen, std::size_t keep_prefix) {
  return rc::Gen<spec::History>([gen = std::move(gen), keep_prefix](const rc::Random& random, int size) {
    return history_shrinkable(gen(random, size).value(), keep_prefix);
  });
}

void print_history(const spec::History& history, std::ostream& os) {
  os << history.config.producers << " producer(s), " << history.config.partitions << " partition(s), "
     << history.config.brokers << " broker(s), " << history.events.size() << " events\n";
  for (std::size_t i = 0; i < history.events.size(); ++i) os << "  " << (i + 1) << ". " << history.events[i] << "\n";
}

}  // namespace idemcheck::shrinkers

namespace idemcheck::spec {
void showValue(const History& history, std::ostream& os) { shrinkers::print_history(history, os); }
}  // namespace idemcheck::spec
