// spec/src/fifo.hpp
//
// Fifo<T>: the queue the world's producers, connections and brokers keep (the
// accumulator's deques, requests and responses in transit, outstanding
// requests, zombies). It replaces std::deque for one reason: the explicit-state
// prover copies a World for every successor it tries, and libstdc++'s deque
// allocates a map and a 512-byte node even when empty, which made allocation
// the larger part of a copy. A Fifo is one vector and a head index: an empty
// one owns no memory, a copy holds only the live elements.
//
// Guarantees: push_back, pop_front and push_front are amortized O(1) (a
// push_front at the vector's start opens a gap as large as the queue); the
// elements are visited front to back; T must be default-constructible and
// movable. Not thread-safe, like the standard containers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace idemcheck::spec::detail {

template <typename T>
class Fifo {
 public:
  Fifo() = default;
  /// A copy of the live elements only (the gap and the popped ones are not copied).
  Fifo(const Fifo& o) : buf_(o.begin(), o.end()) {}
  Fifo& operator=(const Fifo& o) {
    if (this != &o) {
      buf_.assign(o.begin(), o.end());
      head_ = 0;
    }
    return *this;
  }
  Fifo(Fifo&& o) noexcept : buf_(std::move(o.buf_)), head_(o.head_) { o.clear(); }
  Fifo& operator=(Fifo&& o) noexcept {
    if (this != &o) {
      buf_ = std::move(o.buf_);
      head_ = o.head_;
      o.clear();
    }
    return *this;
  }
  ~Fifo() = default;

  /// True when the queue holds nothing.
  [[nodiscard]] bool empty() const { return head_ == buf_.size(); }
  /// The number of elements queued.
  [[nodiscard]] std::size_t size() const { return buf_.size() - head_; }
  /// The oldest element. Requires !empty().
  [[nodiscard]] T& front() { return buf_[head_]; }
  [[nodiscard]] const T& front() const { return buf_[head_]; }
  /// Queues `v` last.
  void push_back(T v) { buf_.push_back(std::move(v)); }
  /// Queues `v` first.
  void push_front(T v) {
    if (head_ == 0) {
      // Open a gap as large as the queue, so that a run of push_fronts costs O(1) each.
      const std::size_t gap = std::max<std::size_t>(4, buf_.size());
      std::vector<T> grown(gap);
      grown.reserve(gap + buf_.size());
      std::move(buf_.begin(), buf_.end(), std::back_inserter(grown));
      buf_ = std::move(grown);
      head_ = gap;
    }
    buf_[--head_] = std::move(v);
  }
  /// Removes the oldest element. Requires !empty().
  void pop_front() {
    buf_[head_] = T{};  // release what the element owns now, not at the next compaction
    ++head_;
    if (head_ == buf_.size()) {
      clear();
    } else if (head_ >= 16 && head_ * 2 >= buf_.size()) {
      buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  /// Removes every element.
  void clear() {
    buf_.clear();
    head_ = 0;
  }

  [[nodiscard]] auto begin() { return buf_.begin() + static_cast<std::ptrdiff_t>(head_); }
  [[nodiscard]] auto end() { return buf_.end(); }
  [[nodiscard]] auto begin() const { return buf_.cbegin() + static_cast<std::ptrdiff_t>(head_); }
  [[nodiscard]] auto end() const { return buf_.cend(); }

 private:
  std::vector<T> buf_;
  std::size_t head_ = 0;  // buf_[0, head_) are a gap or popped
};

}  // namespace idemcheck::spec::detail
