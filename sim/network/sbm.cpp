// The stochastic block model generator of MODEL.md 5.
#include "network/sbm.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>

#include "core/random.hpp"

namespace xsector {

namespace {
using TieList = std::vector<std::pair<NodeId, NodeId>>;
}  // namespace

// E_ab is the expected number of tie *ends* that nodes of sector a have towards sector b;
// row a sums to the degree mass D_a = N_a k_a. A tie between blocks a != b contributes
// exactly one end to row a (and one to row b), so the expected number of ties between
// a and b is E_ab itself (= E_ba), spread over N_a N_b pairs: p_ab = E_ab / (N_a N_b).
// A tie inside block a contributes two ends to row a, so the expected number of ties
// inside a is E_aa / 2, spread over N_a (N_a - 1) / 2 unordered pairs:
// p_aa = E_aa / (N_a (N_a - 1)). Both are capped at 1; a cap (or a block with no pairs but
// a positive target, e.g. N_a = 1) is reported by sbm_capped_blocks because the realised
// degrees then fall short of k.

namespace {

using SectorArray = std::array<double, kSectorCount>;
using SectorMatrix = std::array<SectorArray, kSectorCount>;

// E_ab of MODEL.md 5 from the per-sector node counts.
SectorMatrix expected_tie_ends(const SbmSpec& spec) {
  const auto& count = spec.count;
  SectorArray mass{}, open_mass{};  // D_a and D'_a
  double total_open = 0;            // D'
  for (int a = 0; a < kSectorCount; ++a) {
    const double h = is_client(static_cast<Sector>(a)) ? spec.homophily : 0.0;
    mass[a] = static_cast<double>(count[a]) * spec.mean_degree[a];
    open_mass[a] = (1.0 - h) * mass[a];
    total_open += open_mass[a];
  }
  SectorMatrix e{};
  for (int a = 0; a < kSectorCount; ++a)
    for (int b = 0; b < kSectorCount; ++b) {
      // D' = 0 only when every D'_a is 0: there is no open mass to mix.
      e[a][b] = total_open > 0 ? open_mass[a] * open_mass[b] / total_open : 0.0;
      if (a == b) e[a][b] += mass[a] - open_mass[a];  // h_a D_a
    }
  return e;
}

// One block pair (a <= b) as a list of candidate pairs, each tied with probability p.
struct BlockPair {
  int a, b;
  std::uint64_t pairs;  // N_a N_b, or N_a (N_a - 1) / 2 inside a block
  double wanted_ties;   // expected ties: E_ab, or E_aa / 2 inside a block (as in CappedBlock)
  double p;
  bool capped() const { return wanted_ties > static_cast<double>(pairs); }
};

BlockPair block_pair(int a, int b, const std::array<std::uint64_t, kSectorCount>& count, const SectorMatrix& e) {
  BlockPair bp{a, b, 0, 0.0, 0.0};
  if (a == b) {
    bp.pairs = count[a] < 2 ? 0 : count[a] * (count[a] - 1) / 2;
    bp.wanted_ties = e[a][a] / 2;
  } else {
    bp.pairs = count[a] * count[b];
    bp.wanted_ties = e[a][b];
  }
  if (bp.pairs > 0 && bp.wanted_ties > 0) bp.p = std::min(1.0, bp.wanted_ties / static_cast<double>(bp.pairs));
  return bp;
}

// Calls emit(k) for each k in [0, pairs), in increasing order, each independently with
// probability p. Geometric skipping: the gap before the next success is
// floor(log U / log(1 - p)), so the cost is O(number of successes), not O(pairs).
template <class Emit>
void sample_pairs(std::uint64_t pairs, double p, Stream& stream, Emit&& emit) {
  if (pairs == 0 || p <= 0) return;
  if (p >= 1) {  // log(1 - p) would be -inf; every pair is tied
    for (std::uint64_t k = 0; k < pairs; ++k) emit(k);
    return;
  }
  const double log_q = std::log1p(-p);  // log1p keeps small p accurate
  for (std::uint64_t k = 0;; ++k) {
    const double skip = std::floor(std::log(stream.uniform()) / log_q);
    // First compared as a double, so that a huge skip is never converted (pairs <= 2^62
    // because N < 2^32); then exactly, in case the double comparison rounded.
    if (skip >= static_cast<double>(pairs - k)) return;
    const auto gap = static_cast<std::uint64_t>(skip);
    if (gap >= pairs - k) return;
    k += gap;
    emit(k);
  }
}

// Maps increasing linear indices over the pairs i < j < n of a block (row by row:
// (0,1), (0,2), ..., (0,n-1), (1,2), ...) to (i, j) exactly, in integer arithmetic. The row
// only moves forward, so a whole block costs O(n + ties).
class TriangleCursor {
 public:
  explicit TriangleCursor(std::uint64_t n) : n_(n) {}
  std::pair<std::uint64_t, std::uint64_t> operator()(std::uint64_t k) {
    while (k >= row_first_ + row_length()) {
      row_first_ += row_length();
      ++row_;
    }
    return {row_, row_ + 1 + (k - row_first_)};
  }

 private:
  std::uint64_t row_length() const { return n_ - 1 - row_; }
  std::uint64_t n_, row_ = 0, row_first_ = 0;  // row_first_: linear index of (row_, row_ + 1)
};

std::uint64_t block_pair_index(int a, int b) { return static_cast<std::uint64_t>(a * kSectorCount + b); }

void sample_block_pair(const BlockPair& bp, const std::array<std::uint64_t, kSectorCount>& offset,
                       const std::array<std::uint64_t, kSectorCount>& count, std::uint64_t run_seed, TieList& ties) {
  Stream stream(run_seed, kNetworkTick, block_pair_index(bp.a, bp.b), Purpose::network_block);
  const auto tie = [&ties](std::uint64_t u, std::uint64_t v) {
    ties.emplace_back(static_cast<NodeId>(u), static_cast<NodeId>(v));
  };
  if (bp.a == bp.b) {
    TriangleCursor cursor(count[bp.a]);
    sample_pairs(bp.pairs, bp.p, stream, [&](std::uint64_t k) {
      const auto [i, j] = cursor(k);
      tie(offset[bp.a] + i, offset[bp.a] + j);
    });
  } else {
    const std::uint64_t width = count[bp.b];
    sample_pairs(bp.pairs, bp.p, stream,
                 [&](std::uint64_t k) { tie(offset[bp.a] + k / width, offset[bp.b] + k % width); });
  }
}

// Every block pair a <= b, in the order they are sampled.
std::vector<BlockPair> block_pairs(const SbmSpec& spec) {
  const SectorMatrix e = expected_tie_ends(spec);
  std::vector<BlockPair> blocks;
  for (int a = 0; a < kSectorCount; ++a)
    for (int b = a; b < kSectorCount; ++b) blocks.push_back(block_pair(a, b, spec.count, e));
  return blocks;
}

}  // namespace

std::vector<CappedBlock> sbm_capped_blocks(const SbmSpec& spec) {
  std::vector<CappedBlock> capped;
  for (const BlockPair& bp : block_pairs(spec))
    if (bp.capped())
      capped.push_back({static_cast<Sector>(bp.a), static_cast<Sector>(bp.b), bp.wanted_ties,
                        static_cast<double>(bp.pairs)});
  return capped;
}

std::string describe(const CappedBlock& block) {
  std::ostringstream out;
  out << name_of(block.a) << "-" << name_of(block.b) << ": " << std::setprecision(4)
      << block.wanted_ties << " ties wanted, " << std::setprecision(15) << block.possible_ties << " pairs possible";
  return out.str();
}

Network generate_sbm(const SbmSpec& spec, std::uint64_t run_seed) {
  const std::array<std::uint64_t, kSectorCount>& count = spec.count;
  std::array<std::uint64_t, kSectorCount> offset{};
  std::uint64_t nodes = 0;
  for (int a = 0; a < kSectorCount; ++a) {
    offset[a] = nodes;
    nodes += count[a];
  }
  const std::vector<BlockPair> blocks = block_pairs(spec);
  double expected_ties = 0;
  for (const BlockPair& bp : blocks) expected_ties += bp.p * static_cast<double>(bp.pairs);

  // Reserve past the expectation (+6 sd of the Poisson-binomial count) so that the tie
  // list is allocated once: at national scale a doubling would cost hundreds of MB.
  TieList ties;
  ties.reserve(static_cast<std::size_t>(expected_ties + 6 * std::sqrt(expected_ties) + 16));
  for (const auto& bp : blocks) sample_block_pair(bp, offset, count, run_seed, ties);

  std::vector<Sector> sectors;
  sectors.reserve(nodes);
  for (int a = 0; a < kSectorCount; ++a) sectors.insert(sectors.end(), count[a], static_cast<Sector>(a));

  std::vector<double> trust(ties.size(), spec.initial_trust);
  return Network(std::move(sectors), ties, std::move(trust));
}

}  // namespace xsector
