// The relationship network's CSR container (MODEL.md 5). The generator is sbm.cpp, the
// file loaders network_io.cpp.
#include "network/network.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/prefetch.hpp"

namespace xsector {

namespace {

using TieList = std::vector<std::pair<NodeId, NodeId>>;

// The constructor's preconditions. Violations are programming errors of the caller (the
// loaders report user mistakes themselves, with file and line), hence invalid_argument.
void check_ties(std::size_t node_count, const TieList& ties, std::size_t trust_count) {
  if (node_count >= std::numeric_limits<NodeId>::max())
    throw std::invalid_argument("Network: too many nodes for 32-bit node ids");
  if (ties.size() > std::numeric_limits<EdgeId>::max() / 2)
    throw std::invalid_argument("Network: too many ties for 32-bit edge ids");
  if (trust_count != ties.size()) throw std::invalid_argument("Network: need one trust value per tie");
  for (const auto& [u, v] : ties) {
    if (u >= node_count || v >= node_count) throw std::invalid_argument("Network: tie names a node out of range");
    if (u == v) throw std::invalid_argument("Network: self-loop on node " + std::to_string(u));
  }
}

// The 2E stored directions grouped by source node, each row sorted by neighbour, with the
// tie each direction belongs to. Sorted rows make the graph a function of the tie *set*,
// not of the order the ties were listed in.
struct Adjacency {
  std::vector<EdgeId> rowstart;  // N + 1
  std::vector<NodeId> column;    // 2E
  std::vector<TieId> tie;        // 2E
};

void sort_rows(Adjacency& adj) {
  std::vector<std::pair<NodeId, TieId>> row;  // reused: no allocation per node
  for (std::size_t v = 0; v + 1 < adj.rowstart.size(); ++v) {
    const auto begin = adj.column.begin() + adj.rowstart[v], end = adj.column.begin() + adj.rowstart[v + 1];
    if (!std::is_sorted(begin, end)) {  // the SBM's rows already are
      const auto tie = adj.tie.begin() + adj.rowstart[v];
      row.clear();
      for (auto it = begin; it != end; ++it) row.emplace_back(*it, tie[it - begin]);
      std::sort(row.begin(), row.end());
      for (std::size_t k = 0; k < row.size(); ++k) std::tie(begin[k], tie[k]) = row[k];
    }
    if (const auto dup = std::adjacent_find(begin, end); dup != end)
      throw std::invalid_argument("Network: duplicate tie between nodes " + std::to_string(v) + " and " +
                                  std::to_string(*dup));
  }
}

// A counting sort of the directions by source: O(N + E) time, sequential reads of the tie
// list, and no memory beyond the result.
Adjacency group_by_source(std::size_t node_count, const TieList& ties) {
  // Every update below lands on a random node's counter or row: at national scale each is
  // a cache miss. The counters are fetched 32 ties ahead and, once they are in cache, the
  // row positions they point to 16 ties ahead, so that the misses overlap (a hint only:
  // a counter may still move before its tie is placed).
  constexpr std::size_t kFar = 32, kNear = 16;
  const std::size_t n = ties.size();
  Adjacency adj;
  adj.rowstart.assign(node_count + 1, 0);
  for (std::size_t t = 0; t < n; ++t) {
    look_ahead(t, kNear, n, [&](std::size_t later) {
      prefetch(&adj.rowstart[ties[later].first + 1]);
      prefetch(&adj.rowstart[ties[later].second + 1]);
    });
    ++adj.rowstart[ties[t].first + 1];
    ++adj.rowstart[ties[t].second + 1];
  }
  std::partial_sum(adj.rowstart.begin(), adj.rowstart.end(), adj.rowstart.begin());
  adj.column.resize(2 * n);
  adj.tie.resize(2 * n);
  std::vector<EdgeId> next(adj.rowstart.begin(), adj.rowstart.end() - 1);
  const auto place = [&](NodeId from, NodeId to, TieId t) {
    adj.column[next[from]] = to;
    adj.tie[next[from]++] = t;
  };
  const auto prefetch_slot = [&](NodeId from) {
    prefetch(&adj.column[next[from]]);
    prefetch(&adj.tie[next[from]]);
  };
  for (TieId t = 0; t < n; ++t) {
    look_ahead(t, kFar, n, [&](std::size_t later) {
      prefetch(&next[ties[later].first]);
      prefetch(&next[ties[later].second]);
    });
    look_ahead(t, kNear, n, [&](std::size_t later) {
      prefetch_slot(ties[later].first);
      prefetch_slot(ties[later].second);
    });
    place(ties[t].first, ties[t].second, t);
    place(ties[t].second, ties[t].first, t);
  }
  sort_rows(adj);
  return adj;
}

}  // namespace

Network::Network(std::vector<Sector> sectors, const std::vector<std::pair<NodeId, NodeId>>& ties,
                 std::vector<double> tie_trust)
    : sectors_(std::move(sectors)), initial_trust_(std::move(tie_trust)) {
  check_ties(sectors_.size(), ties, initial_trust_.size());
  Adjacency adj = group_by_source(sectors_.size(), ties);
  // The adjacency already is the graph's compressed sparse rows, so it is moved in rather
  // than copied through Boost's edge-list constructor (which, at 50 million directions,
  // costs a pass and a second copy of the largest array). The graph has no vertex or edge
  // properties, so rows and columns are all of its state; neighbours() reads the same
  // members.
  graph_.m_forward.m_rowstart = std::move(adj.rowstart);
  graph_.m_forward.m_column = std::move(adj.column);
  // Both stored directions of a tie point back to it, so that trust is one shared value.
  tie_of_edge_ = std::move(adj.tie);
}

}  // namespace xsector
