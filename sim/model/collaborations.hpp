#pragma once
// The compact store of active collaborations (MODEL.md 2, 7.3): parallel columns, no
// per-collaboration heap object. Partners sit in fixed-stride rows of `stride` entries.
// Rows are kept in creation order, which is the order effects are applied (MODEL.md 11.7).
#include <cstdint>
#include <vector>

#include "network/network.hpp"

namespace xsector {

class Collaborations {
 public:
  explicit Collaborations(std::size_t max_partners = 0) : stride_(max_partners) {}

  std::size_t size() const { return lead.size(); }
  std::size_t stride() const { return stride_; }
  const NodeId* partners_of(std::size_t k) const { return partners.data() + k * stride_; }
  const TieId* ties_of(std::size_t k) const { return ties.data() + k * stride_; }

  void append(NodeId lead_node, const NodeId* partner_nodes, const TieId* partner_ties, std::uint8_t count,
              std::int64_t tick) {
    lead.push_back(lead_node);
    for (std::size_t i = 0; i < stride_; ++i) {
      partners.push_back(i < count ? partner_nodes[i] : 0);
      ties.push_back(i < count ? partner_ties[i] : 0);
    }
    partner_count.push_back(count);
    stage.push_back(0);
    stage_start.push_back(tick);
    supported.push_back(0);
  }

  // Drops rows whose flag is set, keeping the others in order.
  void erase_flagged(const std::vector<std::uint8_t>& flag) {
    std::size_t out = 0;
    for (std::size_t k = 0; k < size(); ++k) {
      if (flag[k]) continue;
      if (out != k) move_row(k, out);
      ++out;
    }
    resize(out);
  }

  std::vector<NodeId> lead;
  std::vector<NodeId> partners;  // size() * stride
  std::vector<TieId> ties;       // the lead-partner tie of each partner slot
  std::vector<std::uint8_t> partner_count;
  std::vector<std::uint8_t> stage;  // 0 diagnose .. 3 evaluate
  std::vector<std::int64_t> stage_start;
  std::vector<std::uint8_t> supported;  // the lead bought an engagement during this stage

 private:
  void move_row(std::size_t from, std::size_t to) {
    lead[to] = lead[from];
    for (std::size_t i = 0; i < stride_; ++i) {
      partners[to * stride_ + i] = partners[from * stride_ + i];
      ties[to * stride_ + i] = ties[from * stride_ + i];
    }
    partner_count[to] = partner_count[from];
    stage[to] = stage[from];
    stage_start[to] = stage_start[from];
    supported[to] = supported[from];
  }
  void resize(std::size_t n) {
    lead.resize(n);
    partners.resize(n * stride_);
    ties.resize(n * stride_);
    partner_count.resize(n);
    stage.resize(n);
    stage_start.resize(n);
    supported.resize(n);
  }
  std::size_t stride_;
};

}  // namespace xsector
