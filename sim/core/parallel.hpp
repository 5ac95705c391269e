#pragma once
// Deterministic parallel building blocks for the phases. Work is cut into fixed-size blocks
// of indices whose boundaries depend only on the number of items, never on the number of
// threads, so that per-block partial results (sums, counts) combined in block order are the
// same for 1, 2 or 64 threads (MODEL.md 4: results do not depend on the thread count).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace xsector {

// Items per block: large enough that scheduling costs nothing next to the work, small
// enough that two threads balance within a few percent on 10^4 items.
inline constexpr std::size_t kBlockSize = 2048;

inline std::size_t block_count(std::size_t n) { return (n + kBlockSize - 1) / kBlockSize; }

// Calls f(begin, end, block) for every block of [0, n), in parallel.
template <class F>
void for_each_block(std::size_t n, F&& f) {
  const std::size_t blocks = block_count(n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t b = r.begin(); b != r.end(); ++b) f(b * kBlockSize, std::min(n, (b + 1) * kBlockSize), b);
  });
}

// Calls f(i) for every i in [0, n), in parallel, in the fixed blocks.
template <class F>
void for_each_index(std::size_t n, F&& f) {
  for_each_block(n, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i != end; ++i) f(i);
  });
}

// Sum of term(i) over [0, n): each block summed in index order, the block sums added in
// block order. Not the same bits as one serial sum, but the same for any thread count.
// `partial` is scratch (one entry per block), kept by the caller so that nothing allocates
// once it has grown.
template <class Term>
double block_sum(std::size_t n, Term&& term, std::vector<double>& partial) {
  partial.assign(block_count(n), 0.0);
  for_each_block(n, [&](std::size_t begin, std::size_t end, std::size_t b) {
    double sum = 0.0;
    for (std::size_t i = begin; i != end; ++i) sum += term(i);
    partial[b] = sum;
  });
  double total = 0.0;
  for (double s : partial) total += s;
  return total;
}

// value(i) for the indices i in [0, n) that mark(begin, end, flags) flags, in ascending
// order of i, written to `out` (resized). mark is called once per fixed block [begin, end),
// in parallel, and sets flags[i] to 0 or 1 for every i of its block; it may change state
// that belongs to those indices alone. Deciding a whole block at once lets a phase split
// the decision into tight passes. `flags` and `offsets` are scratch.
template <class Mark, class Value, class T>
void ordered_filter_blocks(std::size_t n, Mark&& mark, Value&& value, std::vector<T>& out,
                           std::vector<std::uint8_t>& flags, std::vector<std::uint32_t>& offsets) {
  const std::size_t blocks = block_count(n);
  flags.resize(n);
  offsets.assign(blocks + 1, 0);
  for_each_block(n, [&](std::size_t begin, std::size_t end, std::size_t b) {
    mark(begin, end, flags.data());
    std::uint32_t count = 0;
    for (std::size_t i = begin; i != end; ++i) count += flags[i];
    offsets[b + 1] = count;
  });
  for (std::size_t b = 0; b < blocks; ++b) offsets[b + 1] += offsets[b];
  out.resize(offsets[blocks]);
  for_each_block(n, [&](std::size_t begin, std::size_t end, std::size_t b) {
    std::uint32_t at = offsets[b];
    for (std::size_t i = begin; i != end; ++i)
      if (flags[i]) out[at++] = value(i);
  });
}

// The same with keep(i) called exactly once per index, in parallel.
template <class Keep, class Value, class T>
void ordered_filter(std::size_t n, Keep&& keep, Value&& value, std::vector<T>& out, std::vector<std::uint8_t>& flags,
                    std::vector<std::uint32_t>& offsets) {
  ordered_filter_blocks(
      n,
      [&](std::size_t begin, std::size_t end, std::uint8_t* f) {
        for (std::size_t i = begin; i != end; ++i) f[i] = keep(i) ? 1 : 0;
      },
      value, out, flags, offsets);
}

// A stable parallel counting sort: value(i) for i in [0, n), grouped by key(i) < keys into
// `out`, ascending i within a key; group k is out[offsets[k], offsets[k + 1]). Each part
// counts its keys, the counts are summed key by key and part by part into positions, and
// each part writes its items there. A stable sort has one result whatever the parts, so
// they are few and large (at most kSortParts): the serial summing costs parts × keys.
// `counts` is scratch (parts × keys).
inline constexpr std::size_t kSortParts = 16;

template <class Key, class Value, class T>
void group_by_key(std::size_t n, std::size_t keys, Key&& key, Value&& value, std::vector<std::uint32_t>& offsets,
                  std::vector<T>& out, std::vector<std::uint32_t>& counts) {
  const std::size_t parts = std::clamp<std::size_t>(block_count(n), 1, kSortParts);
  auto for_each_part = [&](auto&& f) {
    tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t p) { f(n * p / parts, n * (p + 1) / parts, p); });
  };
  counts.assign(parts * keys, 0);
  for_each_part([&](std::size_t begin, std::size_t end, std::size_t p) {
    std::uint32_t* c = counts.data() + p * keys;
    for (std::size_t i = begin; i != end; ++i) ++c[key(i)];
  });
  offsets.resize(keys + 1);
  std::uint32_t at = 0;
  for (std::size_t k = 0; k < keys; ++k) {
    offsets[k] = at;
    for (std::size_t p = 0; p < parts; ++p) at += std::exchange(counts[p * keys + k], at);
  }
  offsets[keys] = at;
  out.resize(n);
  for_each_part([&](std::size_t begin, std::size_t end, std::size_t p) {
    std::uint32_t* c = counts.data() + p * keys;
    for (std::size_t i = begin; i != end; ++i) out[c[key(i)]++] = value(i);
  });
}

}  // namespace xsector
