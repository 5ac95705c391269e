#pragma once
// The relationship network (MODEL.md 5): a Boost.Graph compressed_sparse_row_graph in
// which every undirected tie is stored in both directions, plus per-node sectors and an
// edge-indexed map from each stored direction to its tie, so that trust (per tie) is one
// value shared by both directions.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "core/sector.hpp"

namespace xsector {

using NodeId = std::uint32_t;
using EdgeId = std::uint32_t;  // index of a stored direction in the CSR arrays
using TieId = std::uint32_t;   // index of an undirected tie

using CsrGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                    boost::no_property, NodeId, EdgeId>;

class Network {
 public:
  Network() = default;
  // ties: undirected pairs (u != v, no duplicates); trust: one per tie.
  Network(std::vector<Sector> sectors, const std::vector<std::pair<NodeId, NodeId>>& ties,
          std::vector<double> tie_trust);

  std::size_t node_count() const { return sectors_.size(); }
  std::size_t tie_count() const { return initial_trust_.size(); }
  Sector sector(NodeId v) const { return sectors_[v]; }
  const std::vector<Sector>& sectors() const { return sectors_; }

  // Neighbours of v, and the EdgeId of the first one (neighbour k has EdgeId first + k).
  std::span<const NodeId> neighbours(NodeId v) const {
    const auto& rows = graph_.m_forward.m_rowstart;
    return {graph_.m_forward.m_column.data() + rows[v], graph_.m_forward.m_column.data() + rows[v + 1]};
  }
  EdgeId first_edge(NodeId v) const { return graph_.m_forward.m_rowstart[v]; }
  std::size_t degree(NodeId v) const { return graph_.m_forward.m_rowstart[v + 1] - graph_.m_forward.m_rowstart[v]; }
  TieId tie_of(EdgeId e) const { return tie_of_edge_[e]; }
  // The ties of v's neighbours, in neighbour order (tie_of(first_edge(v) + k) is ties_of(v)[k]).
  const TieId* ties_of(NodeId v) const { return tie_of_edge_.data() + first_edge(v); }
  const std::vector<double>& initial_trust() const { return initial_trust_; }
  const CsrGraph& graph() const { return graph_; }

 private:
  CsrGraph graph_;
  std::vector<Sector> sectors_;
  std::vector<TieId> tie_of_edge_;
  std::vector<double> initial_trust_;
};

// Load `network.file`: GraphML (`*.graphml`, node attribute `sector`, optional edge
// attribute `trust`) or a CSV node list `NAME.nodes.csv` (`id,sector`) whose edge list is
// `NAME.edges.csv` beside it (`source,target[,trust]`). Node order is the file's order
// (MODEL.md 11.1). Errors are InputError naming file and line. Missing trust takes
// `default_trust`. A relative path is taken relative to the scenario file's folder.
Network load_network(const std::string& path, double default_trust);

}  // namespace xsector
