// idemcheck_broker_bench: appends per second and bytes per producer of the
// broker dedup core, against three references measured in the same run:
//
//  * impl      ProducerStateTable fed through append_request() in produce
//              requests of kRequest items (the way a broker applies a request).
//  * baseline  a Kafka-shaped design: std::unordered_map<pid, Entry>, each
//              Entry holding a std::deque of BatchMetadata, two hash lookups
//              per append (validate, then update, as prepareUpdate/update do),
//              same decision logic. Its memory is measured with a counting
//              allocator (requested bytes: nodes, bucket array, deque maps and
//              blocks; malloc's own headers are not counted, so the real
//              figure is higher).
//  * probe     a memory-latency floor: one random cache-line read per append
//              over an array as large as the impl table at that size, with the
//              same request size and prefetch distance as append_request().
//  * spec      the reference model (whole history, state derived per append):
//              deliberately slow, so only at tiny sizes and rebuilt every few
//              appends (the label says how often).
//
// Workload: P producers (1, 10 000, 1 000 000), pre-populated with one batch
// each, then next-in-sequence appends (single-record batches) to producers in
// a shuffled order. Every pass over the order appends one batch per
// producer, so the next sequence of any producer is the pass number: no
// per-producer side array pollutes the caches of the measured code. The
// shuffle is our own Fisher-Yates over std::mt19937_64 (fixed seed) so that
// g++ and clang++ builds measure the same order.
#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "idemcheck/impl/producer_state_table.hpp"
#include "idemcheck/spec/partition_model.hpp"

namespace {

using namespace idemcheck::impl;

constexpr std::size_t kRequest = 32;        // batches per produce request
constexpr std::size_t kPrefetchDistance = 16;  // as in append_request()
constexpr std::int64_t kPidBase = 1000;

std::vector<std::uint32_t> shuffled_order(std::size_t producers) {
  std::vector<std::uint32_t> order(producers);
  for (std::size_t i = 0; i < producers; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::mt19937_64 rng(0x1de3c4ec);
  for (std::size_t i = producers; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

/// The next-in-sequence stream over a shuffled order of producers.
class Stream {
 public:
  explicit Stream(std::size_t producers) : order_(shuffled_order(producers)) {}
  /// Field-wise stores: building a temporary and copying it made the
  /// harness stall on store forwarding, which skewed the fast variants.
  void fill(BatchHeader& b) {
    b.producer_id.value = kPidBase + order_[pos_];
    b.epoch.value = 0;
    b.base_sequence.value = pass_;
    b.last_offset_delta = 0;
    b.max_timestamp.ms = pass_;
    if (++pos_ == order_.size()) {
      pos_ = 0;
      ++pass_;
    }
  }
  BatchHeader next() {
    BatchHeader b;
    fill(b);
    return b;
  }
  static BatchHeader initial(std::size_t i) {
    return BatchHeader{ProducerId{kPidBase + static_cast<std::int64_t>(i)}, Epoch{0}, Sequence{0}, 0, Timestamp{0}};
  }
  [[nodiscard]] std::uint32_t peek_index(std::size_t ahead) const { return order_[(pos_ + ahead) % order_.size()]; }

 private:
  std::vector<std::uint32_t> order_;
  std::size_t pos_ = 0;
  std::int32_t pass_ = 1;  // pass 0 is the pre-population
};

// ------------------------------------------------------------------ Kafka-shaped baseline

std::size_t g_baseline_bytes = 0;

template <class T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) noexcept {}  // NOLINT: rebinding must be implicit
  T* allocate(std::size_t n) {
    g_baseline_bytes += n * sizeof(T);
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    g_baseline_bytes -= n * sizeof(T);
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const CountingAllocator<U>&) const noexcept {
    return true;
  }
};

class KafkaShapedState {
 public:
  AppendResult append(const BatchHeader& b) {
    if (!b.producer_id.valid()) return write_raw(b);
    if (b.base_sequence.value < 0) return {Errc::invalid_record, false, {}, {}};
    const std::int32_t last_seq = static_cast<std::int32_t>(
        (std::int64_t{b.base_sequence.value} + b.last_offset_delta) % (std::int64_t{kMaxSeq} + 1));
    const auto it = producers_.find(b.producer_id.value);  // lastEntry(pid)
    const int current = it == producers_.end() ? -1 : it->second.epoch;
    if (it != producers_.end() && b.epoch.value == current) {  // findDuplicateBatch
      for (const auto& m : it->second.batches) {
        const std::int32_t first = m.last_seq - m.offset_delta < 0
                                       ? static_cast<std::int32_t>(m.last_seq - m.offset_delta + kMaxSeq + 1)
                                       : m.last_seq - m.offset_delta;
        if (first == b.base_sequence.value && m.last_seq == last_seq)
          return {Errc::none, true, Offset{m.last_offset - m.offset_delta}, Offset{m.last_offset}};
      }
    }
    if (b.epoch.value < current) return {Errc::invalid_producer_epoch, false, {}, {}};
    if (b.epoch.value > current) {
      if (current != -1 && b.base_sequence.value != 0) return {Errc::out_of_order_sequence_number, false, {}, {}};
    } else if (current != -1) {
      const auto& bs = it->second.batches;
      const std::int64_t l = bs.empty() ? -1 : bs.back().last_seq;
      const std::int64_t f = b.base_sequence.value;
      if (!(f == l + 1 || (l == kMaxSeq && f == 0))) return {Errc::out_of_order_sequence_number, false, {}, {}};
    }
    const std::int64_t first = leo_;
    const std::int64_t last = first + b.last_offset_delta;
    Entry& e = producers_[b.producer_id.value];  // update(appendInfo): a second lookup
    if (e.epoch != b.epoch.value) {
      e.batches.clear();
      e.epoch = b.epoch.value;
    }
    if (e.batches.size() == 5) e.batches.pop_front();
    e.batches.push_back({last_seq, last, b.last_offset_delta, b.max_timestamp.ms});
    e.last_timestamp = b.max_timestamp.ms;
    leo_ = last + 1;
    return {Errc::none, false, Offset{first}, Offset{last}};
  }
  [[nodiscard]] std::size_t size() const { return producers_.size(); }

 private:
  static constexpr std::int64_t kMaxSeq = 2'147'483'647;
  struct BatchMetadata {
    std::int32_t last_seq;
    std::int64_t last_offset;
    std::int32_t offset_delta;
    std::int64_t timestamp;
  };
  struct Entry {
    int epoch = -1;
    std::int64_t last_timestamp = 0;
    std::deque<BatchMetadata, CountingAllocator<BatchMetadata>> batches;
  };
  AppendResult write_raw(const BatchHeader& b) {
    const std::int64_t first = leo_;
    leo_ += std::int64_t{b.last_offset_delta} + 1;
    return {Errc::none, false, Offset{first}, Offset{leo_ - 1}};
  }
  std::unordered_map<std::int64_t, Entry, std::hash<std::int64_t>, std::equal_to<>,
                     CountingAllocator<std::pair<const std::int64_t, Entry>>>
      producers_;
  std::int64_t leo_ = 0;
};

// ------------------------------------------------------------------ fixtures

/// Built once per (kind, size) and kept across the repeated calls Google
/// Benchmark makes while sizing its iteration count; the stream continues,
/// so appends stay next-in-sequence.
template <class F>
F& fixture(std::size_t producers) {
  static std::unique_ptr<F> f;
  static std::size_t built_for = 0;
  if (!f || built_for != producers) {
    f.reset();  // free the previous size first: the baseline at 1e6 is large
    f = std::make_unique<F>(producers);
    built_for = producers;
  }
  return *f;
}

struct ImplFixture {
  explicit ImplFixture(std::size_t n) : stream(n) {
    for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(table.append(Stream::initial(i)));
  }
  ProducerStateTable table;
  Stream stream;
};

struct BaselineFixture {
  explicit BaselineFixture(std::size_t n) : stream(n) {
    const std::size_t before = g_baseline_bytes;
    for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(state.append(Stream::initial(i)));
    // One more pass so that every producer's deque is in its steady shape.
    for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(state.append(stream.next()));
    bytes = g_baseline_bytes - before;
  }
  KafkaShapedState state;
  Stream stream;
  std::size_t bytes = 0;
};

std::size_t impl_bytes_for(std::size_t n) {
  ProducerStateTable t;
  for (std::size_t i = 0; i < n; ++i) t.append(Stream::initial(i));
  return t.memory_bytes();
}

struct ProbeFixture {
  explicit ProbeFixture(std::size_t n)
      : lines(std::max<std::size_t>(1, impl_bytes_for(n) / 64)), data(lines * 8), stream(n) {
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = i;
  }
  [[nodiscard]] std::size_t line_of(std::uint32_t producer) const {
    // A fixed random line per producer, like a hash table bucket.
    return static_cast<std::size_t>((std::uint64_t{producer} * 0x9E3779B97F4A7C15ULL) % lines);
  }
  std::size_t lines;
  std::vector<std::uint64_t> data;
  Stream stream;
};

// ------------------------------------------------------------------ benchmarks

void bm_impl(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto& f = fixture<ImplFixture>(n);
  std::vector<RequestItem<ProducerStateTable>> items(kRequest);
  std::vector<AppendResult> out(kRequest);
  for (auto _ : state) {
    for (auto& it : items) {
      it.table = &f.table;
      f.stream.fill(it.batch);
    }
    append_request<ProducerStateTable>(items, out);
    benchmark::DoNotOptimize(out.data());
  }
  for (const auto& r : out)
    if (r.error != Errc::none || r.duplicate) state.SkipWithError("unexpected append result");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRequest));
  state.counters["bytes_per_producer"] = static_cast<double>(f.table.memory_bytes()) / static_cast<double>(n);
}

void bm_baseline(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto& f = fixture<BaselineFixture>(n);
  std::vector<BatchHeader> items(kRequest);
  std::vector<AppendResult> out(kRequest);
  for (auto _ : state) {
    for (auto& it : items) f.stream.fill(it);
    for (std::size_t i = 0; i < kRequest; ++i) out[i] = f.state.append(items[i]);
    benchmark::DoNotOptimize(out.data());
  }
  for (const auto& r : out)
    if (r.error != Errc::none || r.duplicate) state.SkipWithError("unexpected append result");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRequest));
  state.counters["bytes_per_producer"] = static_cast<double>(f.bytes) / static_cast<double>(n);
}

void bm_probe(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto& f = fixture<ProbeFixture>(n);
  std::vector<std::size_t> lines(kRequest);
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kRequest; ++i) lines[i] = f.line_of(f.stream.next().producer_id.value - kPidBase);
    for (std::size_t i = 0; i < std::min(kRequest, kPrefetchDistance); ++i) __builtin_prefetch(&f.data[lines[i] * 8]);
    for (std::size_t i = 0; i < kRequest; ++i) {
      if (i + kPrefetchDistance < kRequest) __builtin_prefetch(&f.data[lines[i + kPrefetchDistance] * 8]);
      sum += f.data[lines[i] * 8];
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRequest));
  state.counters["bytes_per_producer"] = static_cast<double>(f.lines * 64) / static_cast<double>(n);
}

void bm_spec(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto reset_every = static_cast<std::size_t>(state.range(1));
  Stream stream(n);
  auto model = std::make_unique<idemcheck::spec::PartitionModel>();
  std::size_t since_reset = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kRequest; ++i) {
      if (++since_reset > reset_every) {
        model = std::make_unique<idemcheck::spec::PartitionModel>();  // an unknown producer accepts any sequence
        since_reset = 1;
      }
      const BatchHeader b = stream.next();
      idemcheck::spec::Batch sb;
      sb.producer_id = b.producer_id.value;
      sb.epoch = b.epoch.value;
      sb.first_sequence = b.base_sequence.value;
      sb.record_count = b.last_offset_delta + 1;
      sb.max_timestamp = b.max_timestamp.ms;
      auto r = model->append(sb);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRequest));
}

// ------------------------------------------------------------------ report

/// Prints Google Benchmark's console output and remembers appends/s per run
/// for the ratio table printed after all runs.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(bool color)
      : ConsoleReporter(color ? OutputOptions(OO_Tabular | OO_Color) : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      const auto it = r.counters.find("items_per_second");
      if (it != r.counters.end() && !r.error_occurred) rate[r.run_name.function_name] = it->second.value;
      const auto b = r.counters.find("bytes_per_producer");
      if (b != r.counters.end()) bytes[r.run_name.function_name] = b->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rate;
  std::map<std::string, double> bytes;
};

const std::vector<std::int64_t> kSizes = {1, 10'000, 1'000'000};

std::string name(const char* kind, std::int64_t n) { return fmt::format("{}/producers:{}", kind, n); }

}  // namespace

int main(int argc, char** argv) {
  for (std::int64_t n : kSizes) {
    // Larger sizes need fewer repetitions to be stable but cost more setup.
    const double min_time = n >= 1'000'000 ? 1.0 : 0.5;
    benchmark::RegisterBenchmark(name("impl", n).c_str(), bm_impl)->Arg(n)->MinTime(min_time);
    benchmark::RegisterBenchmark(name("baseline", n).c_str(), bm_baseline)->Arg(n)->MinTime(min_time);
    benchmark::RegisterBenchmark(name("probe", n).c_str(), bm_probe)->Arg(n)->MinTime(min_time);
  }
  benchmark::RegisterBenchmark("spec/producers:1/reset_every:256", bm_spec)->Args({1, 256})->MinTime(0.3);
  benchmark::RegisterBenchmark("spec/producers:100/reset_every:1000", bm_spec)->Args({100, 1000})->MinTime(0.3);

  // Read before Initialize() consumes the flag. Colour unless asked otherwise, as the default reporter does.
  bool color = true;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--benchmark_color=false") color = false;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(color);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto get = [](const std::map<std::string, double>& m, const std::string& k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  };
  fmt::print("\nappends/s (requests of {} batches), bytes per producer, and ratios\n", kRequest);
  fmt::print("{:>10} | {:>12} {:>12} {:>12} | {:>9} {:>9} | {:>8} {:>8}\n", "producers", "impl", "baseline", "probe",
             "impl/base", "impl/probe", "B/p impl", "B/p base");
  for (std::int64_t n : kSizes) {
    const double i = get(reporter.rate, name("impl", n));
    const double b = get(reporter.rate, name("baseline", n));
    const double p = get(reporter.rate, name("probe", n));
    if (i == 0.0 && b == 0.0 && p == 0.0) continue;  // filtered out
    fmt::print("{:>10} | {:>12.4g} {:>12.4g} {:>12.4g} | {:>8.2f}x {:>9.2f}x | {:>8.1f} {:>8.1f}\n", n, i, b, p,
               b > 0 ? i / b : 0.0, p > 0 ? i / p : 0.0, get(reporter.bytes, name("impl", n)),
               get(reporter.bytes, name("baseline", n)));
  }
  for (const auto& [k, v] : reporter.rate)
    if (k.rfind("spec/", 0) == 0) fmt::print("{:>40}: {:.4g} appends/s (model rebuilt as labelled)\n", k, v);
  fmt::print("targets at 1e6 producers: impl/base >= 10x, impl/probe >= 0.5x, B/p impl <= 96\n");
  return 0;
}
