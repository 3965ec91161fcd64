// The catalogue of seeded bugs and the switch that activates one. Compiled
// only into the seeded build (CMake option IDEMCHECK_SEEDED_BUGS).
#include "idemcheck/impl/seeded_bugs.hpp"

#include <array>
#include <atomic>
#include <cstdlib>

namespace idemcheck::impl::seeded_bugs {

namespace {

constexpr std::array<SeededBug, static_cast<std::size_t>(Id::count_)> kCatalogue{{
#define IDEMCHECK_SEEDED_BUG_ENTRY(name_, side_, description_) {Id::name_, #name_, Side::side_, description_},
    IDEMCHECK_SEEDED_BUG_LIST(IDEMCHECK_SEEDED_BUG_ENTRY)
#undef IDEMCHECK_SEEDED_BUG_ENTRY
}};

constexpr int kUnset = -2;  // nobody chose yet: the environment decides
constexpr int kNone = -1;

std::atomic<int> g_active{kUnset};

int from_environment() noexcept {
  const char* env = std::getenv("IDEMCHECK_SEEDED_BUG");
  if (env == nullptr) return kNone;
  const SeededBug* b = find(env);
  return b == nullptr ? kNone : static_cast<int>(b->id);
}

int current() noexcept {
  int v = g_active.load(std::memory_order_relaxed);
  if (v == kUnset) {
    int expected = kUnset;
    const int chosen = from_environment();
    g_active.compare_exchange_strong(expected, chosen, std::memory_order_relaxed);
    v = g_active.load(std::memory_order_relaxed);
  }
  return v;
}

}  // namespace

std::span<const SeededBug> catalogue() noexcept { return kCatalogue; }

const SeededBug* find(std::string_view name) noexcept {
  for (const SeededBug& b : kCatalogue) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

bool activate(std::string_view name) noexcept {
  if (name.empty()) {
    deactivate();
    return true;
  }
  const SeededBug* b = find(name);
  g_active.store(b == nullptr ? kNone : static_cast<int>(b->id), std::memory_order_relaxed);
  return b != nullptr;
}

void deactivate() noexcept { g_active.store(kNone, std::memory_order_relaxed); }

const SeededBug* active() noexcept {
  const int v = current();
  return v < 0 ? nullptr : &kCatalogue[static_cast<std::size_t>(v)];
}

bool is_active(Id id) noexcept { return current() == static_cast<int>(id); }

std::string_view name(Side side) noexcept { return side == Side::broker ? "broker" : "producer"; }

}  // namespace idemcheck::impl::seeded_bugs
