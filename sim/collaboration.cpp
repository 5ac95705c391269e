// Collaboration (MODEL.md 7.3, 11.5-11.7). First every collaboration whose stage is due is
// resolved: pass draws read start-of-phase state in parallel, effects are applied serially
// in creation order. Then new collaborations are initiated in four steps whose conflicts
// are settled by data, not by thread timing: initiators decide and reserve a slot (each
// writes only itself), invitations are grouped by invitee in initiator order, each invitee
// accepts by (trust descending, keyed hash), and collaborations are created in initiator
// order.
#include <algorithm>
#include <cmath>

#include <tbb/parallel_for.h>

#include "phases.hpp"
#include "random.hpp"

namespace xsector {
namespace {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Inputs of the stage pass test that also set the public value of a success.
struct StageInputs {
  double ce;  // effective capacity: 0.5 lead + 0.5 mean partner
  double pass_probability;
};

StageInputs stage_inputs(const World& w, std::size_t k) {
  const auto& cp = w.params.collab;
  const auto& c = w.agents.clients;
  const Collaborations& col = w.collabs;
  const NodeId lead = col.lead[k];
  const int n = col.partner_count[k];
  double partner_capacity = 0, trust = 0;
  for (int i = 0; i < n; ++i) {
    partner_capacity += c.capacity[col.partners_of(k)[i]];
    trust += w.agents.trust[col.ties_of(k)[i]];
  }
  const double ce = 0.5 * c.capacity[lead] + 0.5 * partner_capacity / n;
  const double tm = trust / n;
  const double compliance = c.compliance[lead] * (1.0 - (c.toolkit[lead] ? 0.5 : 0.0));
  const double x = cp.beta0 + cp.beta_capacity * ce + cp.beta_trust * tm - cp.beta_compliance * compliance +
                   cp.beta_support * (col.supported[k] ? 1.0 : 0.0);
  return {ce, logistic(x)};
}

// The stream of a collaboration's pass draw: a lead starts at most one collaboration per
// tick, so (lead, creation tick) names it; stage_start of stage 0 is the creation tick.
bool draw_pass(const World& w, const TickContext& ctx, std::size_t k, double p, std::int64_t created) {
  const std::uint64_t id = (static_cast<std::uint64_t>(created) << 32) | w.collabs.lead[k];
  return Stream(w.run_seed, ctx.tick, id, Purpose::stage_pass).bernoulli(p);
}

void adjust_trust(World& w, std::size_t k, double step) {
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) {
    double& t = w.agents.trust[w.collabs.ties_of(k)[i]];
    t = std::clamp(t + step, 0.0, 1.0);
  }
}

void release_members(World& w, std::size_t k) {
  --w.agents.clients.active[w.collabs.lead[k]];
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) --w.agents.clients.active[w.collabs.partners_of(k)[i]];
}

int distinct_sectors(const World& w, std::size_t k) {
  std::array<bool, kClientSectorCount> seen{};
  seen[index_of(w.network.sector(w.collabs.lead[k]))] = true;
  for (int i = 0; i < w.collabs.partner_count[k]; ++i)
    seen[index_of(w.network.sector(w.collabs.partners_of(k)[i]))] = true;
  return static_cast<int>(std::count(seen.begin(), seen.end(), true));
}

void succeed(World& w, std::size_t k, double ce, TickFlows& flows) {
  const auto& cp = w.params.collab;
  const int lead_sector = index_of(w.network.sector(w.collabs.lead[k]));
  flows.public_value[lead_sector] += cp.value * (1.0 + 0.5 * (distinct_sectors(w, k) - 1)) * ce;
  flows.collab_succeeded[lead_sector] += 1;
  adjust_trust(w, k, cp.trust_step);
  auto& c = w.agents.clients;
  auto learn = [&](NodeId v) { c.capacity[v] += cp.learning * (1.0 - c.capacity[v]); };
  learn(w.collabs.lead[k]);
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) learn(w.collabs.partners_of(k)[i]);
}

void resolve_due_stages(World& w, const TickContext& ctx, TickFlows& flows) {
  Collaborations& col = w.collabs;
  auto& ws = w.collab_ws;
  const std::int64_t ticks_per_stage = w.params.collab.ticks_per_stage;
  ws.outcome.assign(col.size(), -1);
  ws.ended.assign(col.size(), 0);
  std::vector<double>& ce = ws.ce;  // the pass test's ce, reused by V on success
  ce.assign(col.size(), 0.0);
  // Stage 0 starts at creation; later stages start ticks_per_stage × stage after it.
  auto created = [&](std::size_t k) { return col.stage_start[k] - ticks_per_stage * col.stage[k]; };
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, col.size()), [&](const auto& range) {
    for (std::size_t k = range.begin(); k != range.end(); ++k) {
      if (ctx.tick - col.stage_start[k] < ticks_per_stage) continue;
      const StageInputs in = stage_inputs(w, k);
      ce[k] = in.ce;
      ws.outcome[k] = draw_pass(w, ctx, k, in.pass_probability, created(k)) ? 1 : 0;
    }
  });
  for (std::size_t k = 0; k < col.size(); ++k) {
    if (ws.outcome[k] < 0) continue;
    const int lead_sector = index_of(w.network.sector(col.lead[k]));
    if (ws.outcome[k] == 0) {
      flows.collab_failed[lead_sector] += 1;
      if (col.stage[k] <= 1) flows.collab_failed_early[lead_sector] += 1;
      flows.failed_by_stage[col.stage[k]] += 1;
      adjust_trust(w, k, -w.params.collab.trust_step);
      ws.ended[k] = 1;
    } else if (col.stage[k] + 1 == kStageCount) {
      succeed(w, k, ce[k], flows);
      ws.ended[k] = 1;
    } else {
      ++col.stage[k];
      col.stage_start[k] = ctx.tick;
      col.supported[k] = 0;
    }
    if (ws.ended[k]) release_members(w, k);
  }
  col.erase_flagged(ws.ended);
}

// Keeps the `limit` best candidates by (trust descending, hash ascending, node ascending).
struct Candidate {
  double trust;
  std::uint64_t hash;
  NodeId node;
  TieId tie;
  bool operator<(const Candidate& o) const {
    if (trust != o.trust) return trust > o.trust;
    if (hash != o.hash) return hash < o.hash;
    return node < o.node;
  }
};

// Step 1 for one client: decide, reserve a slot, pick the most trusted cross-sector clients.
void decide_and_invite(World& w, const TickContext& ctx, NodeId v) {
  auto& c = w.agents.clients;
  auto& ws = w.collab_ws;
  const std::size_t stride = w.collabs.stride();
  ws.initiates[v] = 0;
  ws.invite_count[v] = 0;
  const Sector sector = w.network.sector(v);
  if (c.active[v] >= w.params.collab.max_active) return;
  const double rate = w.params.sector[index_of(sector)].collab_rate * c.mindset[v] /
                      static_cast<double>(w.params.simulation.ticks_per_year);
  if (!Stream(w.run_seed, ctx.tick, v, Purpose::initiate).bernoulli(1.0 - std::exp(-rate))) return;
  ws.initiates[v] = 1;
  ++c.active[v];
  Candidate best[256];  // stride is at most 255 (validated: collab.partners <= 255)
  std::size_t kept = 0;
  const EdgeId first = w.network.first_edge(v);
  const auto neighbours = w.network.neighbours(v);
  for (std::size_t e = 0; e < neighbours.size(); ++e) {
    const NodeId u = neighbours[e];
    const Sector su = w.network.sector(u);
    if (!is_client(su) || su == sector) continue;
    const TieId tie = w.network.tie_of(first + e);
    const Candidate cand{w.agents.trust[tie], keyed_hash(w.run_seed, ctx.tick, v, u, Purpose::invite_tiebreak), u, tie};
    if (kept < stride) best[kept++] = cand;
    else if (cand < best[kept - 1]) best[kept - 1] = cand;
    else continue;
    std::sort(best, best + kept);  // tiny: kept <= partners
  }
  for (std::size_t i = 0; i < kept; ++i) {
    ws.invitee[v * stride + i] = best[i].node;
    ws.invite_tie[v * stride + i] = best[i].tie;
    ws.accepted[v * stride + i] = 0;
  }
  ws.invite_count[v] = static_cast<std::uint8_t>(kept);
}

// Step 2: invitation slots grouped by invitee, in ascending initiator order (counting sort).
void group_invitations(World& w) {
  auto& ws = w.collab_ws;
  const std::size_t stride = w.collabs.stride();
  const std::size_t n = w.network.node_count();
  ws.incoming_offset.assign(n + 1, 0);
  for (NodeId v : w.agents.clients.ids)
    for (std::size_t i = 0; i < ws.invite_count[v]; ++i) ++ws.incoming_offset[ws.invitee[v * stride + i] + 1];
  for (std::size_t u = 0; u < n; ++u) ws.incoming_offset[u + 1] += ws.incoming_offset[u];
  ws.incoming.resize(ws.incoming_offset[n]);
  std::vector<std::uint32_t>& cursor = ws.accept_cursor;
  cursor.assign(ws.incoming_offset.begin(), ws.incoming_offset.end() - 1);
  for (NodeId v : w.agents.clients.ids)
    for (std::size_t i = 0; i < ws.invite_count[v]; ++i) {
      const NodeId u = ws.invitee[v * stride + i];
      ws.incoming[cursor[u]++] = static_cast<std::uint32_t>(v * stride + i);
    }
}

// Step 3 for one invitee: accept the best invitations while it has free slots.
void accept_invitations(World& w, const TickContext& ctx, NodeId u) {
  auto& ws = w.collab_ws;
  auto& c = w.agents.clients;
  const std::size_t stride = w.collabs.stride();
  const std::uint32_t begin = ws.incoming_offset[u], end = ws.incoming_offset[u + 1];
  if (begin == end) return;
  auto key = [&](std::uint32_t slot) {
    const NodeId v = static_cast<NodeId>(slot / stride);
    return Candidate{w.agents.trust[ws.invite_tie[slot]],
                     keyed_hash(w.run_seed, ctx.tick, u, v, Purpose::accept_tiebreak), v, 0};
  };
  std::sort(ws.incoming.begin() + begin, ws.incoming.begin() + end,
            [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  for (std::uint32_t k = begin; k < end && c.active[u] < w.params.collab.max_active; ++k) {
    ws.accepted[ws.incoming[k]] = 1;
    ++c.active[u];
  }
}

// Step 4: collaborations in initiator order; no accepting partner: the initiative lapses.
void create_collaborations(World& w, const TickContext& ctx, TickFlows& flows) {
  auto& ws = w.collab_ws;
  const std::size_t stride = w.collabs.stride();
  NodeId partners[256];
  TieId ties[256];
  for (NodeId v : w.agents.clients.ids) {
    if (!ws.initiates[v]) continue;
    const int sector = index_of(w.network.sector(v));
    std::uint8_t n = 0;
    for (std::size_t i = 0; i < ws.invite_count[v]; ++i) {
      if (!ws.accepted[v * stride + i]) continue;
      partners[n] = ws.invitee[v * stride + i];
      ties[n++] = ws.invite_tie[v * stride + i];
    }
    if (n == 0) {
      --w.agents.clients.active[v];
      flows.collab_lapsed[sector] += 1;
      continue;
    }
    w.collabs.append(v, partners, ties, n, ctx.tick);
    flows.collab_started[sector] += 1;
  }
}

void initiate(World& w, const TickContext& ctx, TickFlows& flows) {
  const auto& ids = w.agents.clients.ids;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ids.size()), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) decide_and_invite(w, ctx, ids[i]);
  });
  group_invitations(w);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ids.size()), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) accept_invitations(w, ctx, ids[i]);
  });
  create_collaborations(w, ctx, flows);
}

}  // namespace

void run_collaboration(World& w, const TickContext& ctx, TickFlows& flows) {
  resolve_due_stages(w, ctx, flows);
  initiate(w, ctx, flows);
}

}  // namespace xsector
