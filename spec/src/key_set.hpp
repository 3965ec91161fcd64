// spec/src/key_set.hpp
//
// KeySet: the explicit-state search's visited set, an exact set of byte
// strings (World::state_key() plus the claims' status). It exists because the
// search inserts one key per successor it tries, millions per cell, and a
// std::unordered_set<std::string> pays a node and a string allocation for each
// and some 80 bytes beyond the key. Here the keys' bytes sit back to back in
// large chunks and an open-addressing table holds a hash and a position per
// key: no allocation per key, 16 bytes of table per slot.
//
// Guarantees: exact (keys are compared byte for byte, never only by hash);
// insert is amortized O(key length); keys up to 2^24 - 1 bytes; memory
// is the keys' bytes plus 3 per key plus 16 per slot (at most 70% full). Not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace idemcheck::spec::detail {

class KeySet {
 public:
  /// Adds `key`; true when it was not in the set.
  bool insert(std::string_view key) {
    if (key.size() >= (1U << 24)) throw std::length_error("a state key of 16 MiB or more");
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    const std::uint64_t h = std::hash<std::string_view>{}(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.where == 0) {
        s.hash = h;
        s.where = store(key);
        ++size_;
        return true;
      }
      if (s.hash == h && stored(s.where) == key) return false;
    }
  }
  /// The number of keys.
  [[nodiscard]] std::size_t size() const { return size_; }
  /// Bytes the keys and the table take (the last chunk's unused tail is reserved, never touched).
  [[nodiscard]] std::size_t bytes() const {
    const std::size_t keys = chunks_.empty() ? 0 : (chunks_.size() - 1) * kChunk + used_;
    return keys + slots_.size() * sizeof(Slot);
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 26;  // 64 MiB of key bytes per chunk
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t where = 0;  // 0: empty; else 1 + the key's position (chunk * kChunk + offset)
  };

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.where == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].where != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  // A key is stored as 3 bytes of length, then its bytes; a key never spans two chunks.
  std::uint64_t store(std::string_view key) {
    const std::size_t need = 3 + key.size();
    if (chunks_.empty() || used_ + need > kChunk) {
      chunks_.push_back(std::unique_ptr<char[]>(new char[kChunk]));  // not zeroed: pages are touched as used
      used_ = 0;
    }
    char* p = chunks_.back().get() + used_;
    for (int b = 0; b < 3; ++b) p[b] = static_cast<char>((key.size() >> (8 * b)) & 0xff);
    std::memcpy(p + 3, key.data(), key.size());
    const std::uint64_t where = 1 + (chunks_.size() - 1) * kChunk + used_;
    used_ += need;
    return where;
  }
  [[nodiscard]] std::string_view stored(std::uint64_t where) const {
    const std::uint64_t at = where - 1;
    const char* p = chunks_[at / kChunk].get() + at % kChunk;
    std::size_t n = 0;
    for (int b = 0; b < 3; ++b) n |= static_cast<std::size_t>(static_cast<unsigned char>(p[b])) << (8 * b);
    return {p + 3, n};
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;  // bytes used in the last chunk
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace idemcheck::spec::detail
