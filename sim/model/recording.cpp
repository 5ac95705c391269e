// Recording (MODEL.md 8, 11.12): the tick's flows as they were counted, and the end-of-tick
// states summarised per sector. Sums run serially in node order, so they are reproducible;
// percentiles are exact order statistics found by counting, in parallel.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"
#include "model/world.hpp"

namespace xsector {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double share(double part, double whole) { return whole > 0 ? part / whole : kNaN; }

void record_flows(const TickFlows& f, std::size_t t, RunSeries& out) {
  for (int s = 0; s < kClientSectorCount; ++s) {
    out.at(support_spending, t, s) = f.support_spending[s];
    out.at(engagements, t, s) = f.engagements[s];
    out.at(unmet_demand, t, s) = f.unmet_demand[s];
    out.at(priced_out, t, s) = f.priced_out[s];
    out.at(collab_started, t, s) = f.collab_started[s];
    out.at(collab_succeeded, t, s) = f.collab_succeeded[s];
    out.at(collab_failed, t, s) = f.collab_failed[s];
    out.at(collab_failed_early, t, s) = f.collab_failed_early[s];
    out.at(collab_lapsed, t, s) = f.collab_lapsed[s];
    out.at(public_value, t, s) = f.public_value[s];
    out.at(funds_expired, t, s) = f.funds_expired[s];
    out.at(grants_received, t, s) = f.grants_received[s];
  }
  for (int k = 0; k < kStageCount; ++k) out.at(failed_by_stage, t, k) = f.failed_by_stage[k];
  out.at(provider_revenue, t) = f.provider_revenue;
  out.at(foundation_unspent, t) = f.foundation_unspent;
}

// Exact percentiles without sorting (MODEL.md 11.12: numpy's linear interpolation between
// the order statistics lo = floor(q (n - 1)) and lo + 1, with numpy's arithmetic). Values
// are counted into buckets by bucket_of, which never decreases as the value grows, so the
// k-th smallest value lies in the bucket where the running count passes k. Two parallel
// passes over the clients — count per bucket (remembering each client's bucket and sector
// in two bytes), then copy out the few values in the buckets that hold wanted ranks — and
// a sort of those few. The result is the same order statistic nth_element would find.
class Percentiles {
 public:
  static constexpr int kWindows = kClientSectorCount * 3;  // (sector, quantile)

  Percentiles(const World& world, RecordingWorkspace& workspace) : world_(world), ws_(workspace) {
    const std::size_t n = world.agents.clients.ids.size();
    // About 256 values per bucket, 64 to 16384 buckets; chunks of at least 64k clients,
    // each with its own counts, so that the counting needs no atomics.
    buckets_ = std::bit_ceil(std::clamp<std::size_t>(n / 256, 64, 16384));
    chunks_ = std::clamp<std::size_t>(n / 65536, 1, 16);
  }

  // result[sector][quantile]; NaN for an empty sector.
  CapacityPercentiles compute() {
    count();
    find_windows();
    collect();
    CapacityPercentiles result{};
    for (int s = 0; s < kClientSectorCount; ++s)
      for (int q = 0; q < 3; ++q) result[s][q] = select(s, q);
    return result;
  }

 private:
  std::size_t bucket_of(double x) const {
    if (!(x > 0.0)) return 0;
    if (x >= 1.0) return buckets_ - 1;
    return std::min(buckets_ - 1, static_cast<std::size_t>(x * static_cast<double>(buckets_)));
  }
  std::uint32_t* counts(std::size_t chunk, int s) {
    return ws_.histogram.data() + (chunk * kClientSectorCount + s) * buckets_;
  }
  template <class F>
  void for_each_chunk(F&& f) {
    const std::size_t n = world_.agents.clients.ids.size();
    tbb::parallel_for(std::size_t{0}, chunks_, [&](std::size_t chunk) { f(chunk, n * chunk / chunks_, n * (chunk + 1) / chunks_); });
  }

  // Pass 1: values per (chunk, sector, bucket), and per (sector, bucket) over all chunks.
  void count() {
    const auto& clients = world_.agents.clients;
    ws_.histogram.assign((chunks_ + 1) * kClientSectorCount * buckets_, 0);
    ws_.client_code.resize(clients.ids.size());
    for_each_chunk([&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::array<std::uint32_t*, kClientSectorCount> h{};
      for (int s = 0; s < kClientSectorCount; ++s) h[s] = counts(chunk, s);
      for (std::size_t i = begin; i < end; ++i) {
        const NodeId v = clients.ids[i];
        const int s = index_of(world_.network.sector(v));
        const std::size_t b = bucket_of(clients.capacity[v]);
        ++h[s][b];
        ws_.client_code[i] = static_cast<std::uint16_t>(b * 4 + static_cast<std::size_t>(s));
      }
    });
    for (int s = 0; s < kClientSectorCount; ++s) {
      std::uint32_t* total = counts(chunks_, s);
      for (std::size_t chunk = 0; chunk < chunks_; ++chunk) {
        const std::uint32_t* h = counts(chunk, s);
        for (std::size_t b = 0; b < buckets_; ++b) total[b] += h[b];
      }
    }
  }

  // Per (sector, quantile): the ranks wanted and the buckets [first, last] that hold them.
  void find_windows() {
    for (int s = 0; s < kClientSectorCount; ++s) {
      const std::uint32_t* total = counts(chunks_, s);
      std::uint64_t n = 0;
      for (std::size_t b = 0; b < buckets_; ++b) n += total[b];
      size_[s] = n;
      for (int q = 0; q < 3; ++q) {
        Window& win = window_[s * 3 + q];
        win = Window{};
        if (n == 0) continue;
        win.pos = kCapacityQuantiles[q] * static_cast<double>(n - 1);
        win.lo = static_cast<std::uint64_t>(std::floor(win.pos));
        const std::uint64_t hi = std::min(win.lo + 1, n - 1);
        // The buckets of ranks lo and hi, and the count of values before the first.
        std::uint64_t before = 0;
        std::size_t b = 0;
        while (before + total[b] <= win.lo) before += total[b++];
        win.first = b;
        win.rank_base = before;
        std::uint64_t upto = before;
        while (upto + total[b] <= hi) upto += total[b++];
        win.last = b;
        win.size = 0;
        for (std::size_t k = win.first; k <= win.last; ++k) win.size += total[k];
      }
    }
  }

  // Pass 2: each chunk copies its values of every window to that window's area, after
  // the values of the chunks before it (offsets from the per-chunk counts).
  void collect() {
    std::uint64_t total = 0;
    for (auto& win : window_) {
      win.offset = total;
      total += win.size;
    }
    ws_.window_values.resize(total);
    // chunk_start[chunk][window]: where this chunk writes, from the counts of earlier chunks.
    auto& chunk_start = ws_.chunk_start;
    chunk_start.assign(chunks_ * kWindows, 0);
    for (int k = 0; k < kWindows; ++k) {
      const Window& win = window_[k];
      std::uint64_t at = win.offset;
      for (std::size_t chunk = 0; chunk < chunks_; ++chunk) {
        chunk_start[chunk * kWindows + k] = at;
        if (win.size == 0) continue;
        const std::uint32_t* h = counts(chunk, k / 3);
        for (std::size_t b = win.first; b <= win.last; ++b) at += h[b];
      }
    }
    // Per (bucket, sector) code: which of the sector's windows hold that bucket (bit q).
    auto& mask = ws_.window_mask;
    mask.assign(buckets_ * 4, 0);
    for (int k = 0; k < kWindows; ++k) {
      const Window& win = window_[k];
      if (win.size == 0) continue;
      for (std::size_t b = win.first; b <= win.last; ++b) mask[b * 4 + static_cast<std::size_t>(k / 3)] |= 1 << (k % 3);
    }
    const auto& clients = world_.agents.clients;
    for_each_chunk([&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::array<std::uint64_t, kWindows> at{};
      std::copy_n(ws_.chunk_start.begin() + static_cast<std::ptrdiff_t>(chunk * kWindows), kWindows, at.begin());
      for (std::size_t i = begin; i < end; ++i) {
        const std::uint16_t code = ws_.client_code[i];
        const std::uint8_t in = mask[code];
        if (in == 0) continue;  // most clients
        const double x = clients.capacity[clients.ids[i]];
        const int s = code & 3;
        for (int q = 0; q < 3; ++q)
          if (in & (1 << q)) ws_.window_values[at[s * 3 + q]++] = x;
      }
    });
  }

  double select(int s, int q) {
    const Window& win = window_[s * 3 + q];
    if (size_[s] == 0) return std::numeric_limits<double>::quiet_NaN();
    // Usually a few hundred values; all of them if the values crowd into one bucket (as
    // capacities do after many years of turnover), so select rather than sort: linear.
    double* const first = ws_.window_values.data() + win.offset;
    double* const last = first + win.size;
    double* const at = first + (win.lo - win.rank_base);
    std::nth_element(first, at, last);
    const double low = *at;
    if (win.lo + 1 >= size_[s]) return low;
    const double high = *std::min_element(at + 1, last);
    // numpy's _lerp, bit for bit: from the lower value for gamma < 0.5, from the higher one
    // for gamma >= 0.5 (low + gamma (high - low) alone differs from numpy in the last bit
    // for some inputs, e.g. the median of {0.1, 0.7}).
    const double gamma = win.pos - static_cast<double>(win.lo);
    const double diff = high - low;
    return gamma >= 0.5 ? high - diff * (1.0 - gamma) : low + diff * gamma;
  }

  struct Window {
    double pos = 0;                // q (n - 1)
    std::uint64_t lo = 0;          // floor(pos)
    std::size_t first = 0, last = 0;  // buckets
    std::uint64_t rank_base = 0;   // values in buckets before `first`
    std::uint64_t size = 0, offset = 0;
  };

  const World& world_;
  RecordingWorkspace& ws_;
  std::size_t buckets_, chunks_;
  std::array<std::uint64_t, kClientSectorCount> size_{};
  std::array<Window, kWindows> window_{};
};

// Sums in client order (the order of the original serial loop: the same bits), while the
// percentiles are found alongside on the other threads.
void record_clients(const World& world, RecordingWorkspace& workspace, std::size_t t, RunSeries& out) {
  const auto& clients = world.agents.clients;
  std::array<double, kClientSectorCount> capacity{}, toolkit{}, funds{}, count{};
  CapacityPercentiles pct{};
  tbb::parallel_invoke(
      [&] {
        for (NodeId v : clients.ids) {
          const int s = index_of(world.network.sector(v));
          capacity[s] += clients.capacity[v];
          toolkit[s] += clients.toolkit[v];
          funds[s] += clients.funds[v];
          count[s] += 1;
        }
      },
      [&] { pct = capacity_percentiles(world, workspace); });
  for (int s = 0; s < kClientSectorCount; ++s) {
    const double n = count[s];
    out.at(capacity_mean, t, s) = n == 0 ? kNaN : capacity[s] / n;
    out.at(toolkit_share, t, s) = n == 0 ? kNaN : toolkit[s] / n;
    out.at(funds_held, t, s) = funds[s];
    out.at(capacity_p10, t, s) = pct[s][0];
    out.at(capacity_p50, t, s) = pct[s][1];
    out.at(capacity_p90, t, s) = pct[s][2];
  }
}

// Members of the collaborations active at the end of the tick, by sector: whole numbers,
// so counted in parallel in any order.
void record_participation_and_gap(const World& world, const TickFlows& f, std::size_t t, RunSeries& out) {
  const Collaborations& collabs = world.collabs;
  auto& blocks = world.recording_workspace.member_blocks;
  blocks.assign(block_count(collabs.size()), {});
  for_each_block(collabs.size(), [&](std::size_t begin, std::size_t end, std::size_t b) {
    for (std::size_t k = begin; k < end; ++k) {
      ++blocks[b][index_of(world.sector_of(collabs.lead[k]))];
      for (int i = 0; i < collabs.partner_count[k]; ++i)
        ++blocks[b][index_of(world.sector_of(collabs.partners_of(k)[i]))];
    }
  });
  std::array<double, kClientSectorCount> members{};
  for (const auto& b : blocks)
    for (int s = 0; s < kClientSectorCount; ++s) members[s] += static_cast<double>(b[s]);
  double all_members = 0, all_spending = 0;
  for (int s = 0; s < kClientSectorCount; ++s) {
    out.at(collab_participation, t, s) = members[s];
    all_members += members[s];
    all_spending += f.support_spending[s];
  }
  // Without governments there is no public sector, and its shares are undefined (NaN),
  // not 0: a 0 would read as "the public sector gets none of the support".
  const int gov = index_of(Sector::government);
  const bool has_public_sector = world.agents.client_count[gov] > 0;
  const double support = has_public_sector ? share(f.support_spending[gov], all_spending) : kNaN;
  const double participation = has_public_sector ? share(members[gov], all_members) : kNaN;
  out.at(public_support_share, t) = support;
  out.at(public_participation_share, t) = participation;
  out.at(public_sector_gap, t) = participation - support;
  out.at(public_support_ratio, t) = participation > 0 ? support / participation : kNaN;
}

}  // namespace

CapacityPercentiles capacity_percentiles(const World& world, RecordingWorkspace& workspace) {
  return Percentiles(world, workspace).compute();
}

void run_recording(const World& world, const TickContext& ctx, const TickFlows& flows, RunSeries& out) {
  const auto t = static_cast<std::size_t>(ctx.tick);
  record_flows(flows, t, out);
  record_clients(world, world.recording_workspace, t, out);
  record_participation_and_gap(world, flows, t, out);
  double slots = 0;
  for (auto s : world.agents.providers.slots) slots += s;
  out.at(provider_slots, t) = slots;
  out.at(voucher_pool, t) = world.voucher_pool;
}

std::size_t RecordingWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(histogram, client_code, window_mask, window_values, chunk_start, member_blocks);
}

}  // namespace xsector
